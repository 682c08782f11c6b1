"""Deployments: forces positioned or moved to a place ("deployed 2,000 fighters to X",
"3,000 troops were sent to X", "redeploying forces to defend X", "troops heading towards X")."""
from __future__ import annotations

import re

from .numbers import NUMBER, parse_number

_PERSONNEL = (r"troops|soldiers|fighters|forces|reinforcements|personnel|militiamen|paratroopers|marines|"
              r"police(?:men)?|officers|peacekeepers|servicemen|mercenaries|commandos|gendarmes|reservists|"
              r"units|battalions|brigades|tanks")
_COUNTABLE = re.compile(r"^(?:troops|soldiers|fighters|forces|reinforcements|personnel|militiamen|paratroopers|"
                        r"marines|police(?:men)?|officers|peacekeepers|servicemen|mercenaries|commandos|"
                        r"gendarmes|reservists)$", re.IGNORECASE | re.ASCII)
_QUANT = r"(?:an\s+additional|additional|some|about|around|at\s+least|more\s+than|nearly|over|up\s+to|roughly|another)"
_TO = r"(?:to|into|in|near|toward|towards|along|at|across)\s+(?:(?:help\s+)?(?:defend|protect|reinforce|secure|bolster|guard)\s+)?"
ACTIVE = re.compile(
    rf"\b(?:deploy\w*|redeploy\w*|sent|send(?:s|ing)?|dispatch\w*|rush\w*|airlift\w*|mov(?:ed|ing|es)|"
    rf"station\w*|position\w*|mass(?:ed|ing)|amass\w*|brought|bring(?:s|ing)?)\s+(?:{_QUANT}\s+)?"
    rf"(?:(?P<n>{NUMBER})\s+)?(?:[\w'’-]+\s+){{0,3}}?(?P<unit>{_PERSONNEL})\s+{_TO}", re.IGNORECASE | re.ASCII)
PASSIVE = re.compile(
    rf"\b(?:{_QUANT}\s+)?(?:(?P<n>{NUMBER})\s+)?(?P<actor>(?:[\w'’-]+\s+){{0,2}}?)(?P<unit>{_PERSONNEL})\s+"
    rf"(?:have\s+been|has\s+been|were|had\s+been|are\s+being|was|are|will\s+be)\s+(?:\w+\s+)?"
    rf"(?:deployed|sent|dispatched|moved|rushed|airlifted|stationed|positioned|redeployed|flown)\s+{_TO}",
    re.IGNORECASE | re.ASCII)
ARRIVED = re.compile(
    rf"\b(?:{_QUANT}\s+)?(?:(?P<n>{NUMBER})\s+)?(?P<actor>(?:[\w'’-]+\s+){{0,2}}?)(?P<unit>{_PERSONNEL})\s+"
    rf"(?:have\s+|has\s+|had\s+)?(?:arrived|landed)\s+(?:in|at)\s+", re.IGNORECASE | re.ASCII)
HEADING = re.compile(
    rf"\b(?P<unit>{_PERSONNEL})\b[^.;]{{0,80}}?\b(?:heading|headed|rushing|en\s+route|on\s+their\s+way)\s+"
    rf"(?:towards?|to|for)\s+", re.IGNORECASE | re.ASCII)
KEYWORDS = ("deploy", "redeploy", "sent", "send", "dispatch", "rush", "airlift", "moved", "moving", "moves",
            "station", "position", "mass", "amass", "brought", "bring", "heading", "headed", "en route",
            "on their way", "arrived", "landed")
_SUBJECT_TAIL = re.compile(r"(?:\s+(?:has|have|had|is|are|was|were|will|would|also|reportedly|now|already|later|"
                           r"then|again|recently|previously|"
                           r"has\s+\w+\s+by|have\s+\w+\s+by|responded\s+by|by|\w+ly))+$", re.IGNORECASE | re.ASCII)
_CLAUSE_CUT = re.compile(r"[,;:—–]|\b(?:that|while|and|but|after|when|as|said|says|say|told|reported|"
                         r"claimed|added|warned|accused|accuses)\s")


def subject_before(sentence: str, position: int) -> str | None:
    """The subject noun phrase of a verb at ``position`` (clause start to the verb)."""
    prefix = sentence[:position]
    cut = max((m.end() for m in _CLAUSE_CUT.finditer(prefix)), default=0)
    subject = _SUBJECT_TAIL.sub("", prefix[cut:].strip()).strip()
    words = subject.split()
    if not words or len(words) > 7 or not any(w[:1].isupper() or _COUNTABLE.match(w) for w in words):
        return None
    return subject


# Words each phrase needs: patterns whose word is absent are not tried (they are costly).
_NEEDS = {"active": re.compile(r"deploy|sent|send|dispatch|rush|airlift|mov|station|position|mass|brought|bring",
                               re.IGNORECASE | re.ASCII),
          "passive": re.compile(r"\b(?:were|was|are|been|will\s+be)\s+(?:\w+\s+)?(?:deployed|sent|dispatched|moved|"
                                r"rushed|airlifted|stationed|positioned|redeployed|flown)\b", re.IGNORECASE | re.ASCII),
          "arrived": re.compile(r"arrived|landed", re.IGNORECASE | re.ASCII),
          "heading": re.compile(r"heading|headed|rushing|en\s+route|on\s+their\s+way", re.IGNORECASE | re.ASCII)}


def deployment_hits(sentence: str):
    """Yield (kind, match, count) for each deployment phrase; the place follows ``match.end()``."""
    for kind, pattern in (("active", ACTIVE), ("passive", PASSIVE), ("arrived", ARRIVED), ("heading", HEADING)):
        if not _NEEDS[kind].search(sentence):
            continue
        for m in pattern.finditer(sentence):
            n = m.groupdict().get("n")
            value = parse_number(n) if n else None
            count = int(value) if value and _COUNTABLE.match(m.group("unit")) else None
            yield kind, m, count
