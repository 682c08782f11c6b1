"""Casualty counts: people reported killed ("at least seven civilians were killed",
"killing 12 soldiers", "the death toll rose to 40"). Wounded, displaced and vague tolls
("dozens", "hundreds") are not counts of the dead and are left out.
"""
from __future__ import annotations

import re

from .numbers import NUMBER, parse_number

_VICTIM = (r"people|civilians|persons|soldiers|troops|servicemen|fighters|militants|rebels|insurgents|"
           r"jihadists|gunmen|attackers|children|women|men|policemen|police\s+officers|officers|"
           r"residents|villagers|protesters|demonstrators|workers|aid\s+workers|journalists|staff|"
           r"farmers|worshippers|students|migrants|refugees|pilgrims|passengers|guards|peacekeepers|"
           r"combatants|others|members|relatives|patients|medics|doctors|personnel|recruits|hostages|"
           r"captives|prisoners|detainees|victims|bystanders|"
           r"[A-Z][a-z]+(?:ians|ans|is|ese|s)")
_WHO = rf"(?P<who>(?:[A-Za-z][\w'’-]*\s+){{0,2}}?(?:{_VICTIM}))"
_BOUND = r"(?:at\s+least|more\s+than|over|some|about|around|nearly|almost|up\s+to|roughly|an\s+estimated)"
KILLED_AFTER = re.compile(
    rf"\b(?:{_BOUND}\s+)?(?P<n>{NUMBER})\s+(?:{_WHO}\s*)?(?:(?:from|on)\s+(?:both|each|either|all)\s+sides?\s+)?"
    rf"(?:,\s+(?:including|among\s+them)\s+[^,]{{1,50}},\s+)?\s*"
    rf"(?:(?:were|was|have\s+been|had\s+been|are|"
    rf"being|reportedly|also|all|of\s+them|who\s+were|confirmed|reported|feared|found)\s+){{0,3}}(?:killed|died|dead|slain|executed|"
    rf"massacred|shot\s+dead|lost\s+their\s+lives)\b", re.ASCII)
KILLED_BEFORE = re.compile(
    rf"\b(?:killing|killed|kills|kill|claimed\s+the\s+lives\s+of|left|leaving)\s+(?:{_BOUND}\s+)?"
    rf"(?P<n>{NUMBER})\s+{_WHO}?(?P<dead>\s+dead)?", re.ASCII)
LIVES_CLAIMED = re.compile(rf"\b(?:claimed|claiming|claims|cost|costing)\s+(?:{_BOUND}\s+)?(?P<n>{NUMBER})\s+lives\b", re.ASCII)
DEATH_TOLL = re.compile(rf"\bdeath\s+toll\s+(?:[\w-]+\s+){{0,5}}?(?:to|at|of|reached|hit)\s+(?:{_BOUND}\s+)?(?P<n>{NUMBER})", re.ASCII)
_PLACE_AFTER = re.compile(r"\b(?:in|near|around|outside|at)\s+(?:the\s+)?(?:(?:city|town|village|province|region)\s+of\s+)?"
                          r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*")
_VAGUE_MODIFIER = re.compile(r"^(?:other|more|some)\s+")
KEYWORDS = ("kill", "dead", "died", "slain", "executed", "massacred", "death toll", "lost their lives", "shot dead",
            "lives")


_ANY_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                         r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
                         r"seventy|eighty|ninety|hundred|dozen)", re.IGNORECASE | re.ASCII)


def casualties_in(sentence: str) -> list[tuple[int, str | None, str | None, int]]:
    """(count, who, place, position) for each death count in a sentence."""
    found: dict[tuple[int, str | None], tuple[int, str | None, str | None, int]] = {}
    if not _ANY_NUMBER.search(sentence):
        return []
    for pattern in (KILLED_AFTER, KILLED_BEFORE, DEATH_TOLL, LIVES_CLAIMED):
        for m in pattern.finditer(sentence):
            if pattern is KILLED_BEFORE and m.group().lower().startswith(("left", "leaving")) and not m.group("dead"):
                continue
            value = parse_number(m.group("n"))
            if value is None or value < 1 or value != int(value) or 1900 <= value <= 2100:
                continue
            who = m.groupdict().get("who")
            who = _VAGUE_MODIFIER.sub("", who) if who else None
            place = _PLACE_AFTER.search(sentence, m.end())
            key = (int(value), who)
            found.setdefault(key, (int(value), who, place.group() if place else None, m.start()))
    return list(found.values())
