"""How much a claim is worth, and whose side an actor is on.

Pure functions; the situation state calls them. ``ClaimWeights`` holds the documented
defaults of confidence; ``side_of``/``gain_of`` decide who gains a place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum


class ClaimantType(str, Enum):
    PARTY = "party"        # a side of the conflict: commanders, ministries, spokesmen, "rebels said"
    MONITOR = "monitor"    # independent monitors: war monitors, UN bodies, ISW, ACLED, NGOs
    WIRE = "wire"          # wire agencies quoted as the source: Reuters, AFP, AP
    OFFICIAL = "official"  # third-party officials: foreign ministries, Pentagon, diplomats
    OUTLET = "outlet"      # no attribution: the outlet's own voice


_MONITOR = re.compile(
    r"\b(?:observator\w*|monitor\w*|un|united nations|ocha|unhcr|unicef|human rights|amnesty|isw|"
    r"institute for the study of war|acled|red cross|icrc|msf|doctors without borders|analysts?|"
    r"researchers?|residents?|witness(?:es)?|journalists?|reporters?|media)\b|\bu\.n\.", re.I)
_WIRE = re.compile(r"\b(?:reuters|afp|agence france|associated press|ap|dpa|anadolu|xinhua|tass|efe)\b", re.I)
_OFFICIAL = re.compile(
    r"\b(?:pentagon|department of defen[cs]e|state department|white house|foreign (?:ministry|office)|us|"
    r"american|british|french|german|nato|diplomats?|embassy|intelligence)\b|\bu\.s\.", re.I)


def classify_claimant(claimed_by: str | None) -> ClaimantType:
    """Put an attribution string in one of the claimant classes (order matters: a
    "US official" is a third-party official, a "rebel commander" a party)."""
    if not claimed_by or not claimed_by.strip():
        return ClaimantType.OUTLET
    text = claimed_by.strip()
    if _WIRE.search(text):
        return ClaimantType.WIRE
    if _MONITOR.search(text):
        return ClaimantType.MONITOR
    if _OFFICIAL.search(text):
        return ClaimantType.OFFICIAL
    return ClaimantType.PARTY


@dataclass(frozen=True)
class ClaimWeights:
    """Base confidence per claimant type, and what corroboration and denial do to it."""

    base: dict = field(default_factory=lambda: {
        ClaimantType.PARTY.value: 0.45,
        ClaimantType.MONITOR.value: 0.70,
        ClaimantType.WIRE.value: 0.65,
        ClaimantType.OFFICIAL.value: 0.60,
        ClaimantType.OUTLET.value: 0.55,
    })
    per_independent_publisher: float = 0.15  # each further publisher with its own text
    per_copy: float = 0.03                   # each further publisher running the same copy
    per_independent_claimant: float = 0.10   # a second claimant type reporting the same fact
    denial_penalty: float = 0.20             # a reported denial lowers, never erases
    ceiling: float = 0.97
    floor: float = 0.05


@dataclass(frozen=True)
class Support:
    """What is known about one fact: its claims, publishers and denials."""

    claimant_types: frozenset[str]
    independent_publishers: int  # distinct publishers with distinct texts
    copies: int                  # further publishers carrying an identical text
    denials: int


def confidence(support: Support, weights: ClaimWeights = ClaimWeights()) -> float:
    """A number in [floor, ceiling]: the best claimant's base, raised by corroboration,
    lowered by denials."""
    if not support.claimant_types:
        return weights.floor
    best = max(weights.base.get(t, weights.base[ClaimantType.OUTLET.value]) for t in support.claimant_types)
    value = best
    value += weights.per_independent_publisher * max(0, support.independent_publishers - 1)
    value += weights.per_copy * max(0, support.copies)
    value += weights.per_independent_claimant * max(0, len(support.claimant_types) - 1)
    value -= weights.denial_penalty * support.denials
    return round(min(weights.ceiling, max(weights.floor, value)), 3)


def status(support: Support) -> str:
    """``disputed`` when denied; ``corroborated`` with two independent publishers or a
    non-party claimant; otherwise ``claimed`` (a single party's word)."""
    if support.denials:
        return "disputed"
    non_party = support.claimant_types - {ClaimantType.PARTY.value, ClaimantType.OUTLET.value}
    if support.independent_publishers >= 2 or non_party:
        return "corroborated"
    return "claimed"


_GOVERNMENT = re.compile(
    r"\b(?:government|regime|army|armed forces|military|security forces|police|junta|ministry|"
    r"defen[cs]e forces|garrison|soldiers|troops loyal|loyalists?|presidential guard|national guard|"
    r"republican guard|saf|fardc|idf|tatmadaw)\b", re.I)
_HOSTILE_HINT = re.compile(
    r"\b(?:rebels?|insurgents?|militants?|militias?|jihadists?|fighters|separatists?|"
    r"paramilitar(?:y|ies)|opposition|occupiers?|invaders?|enemy|terrorists?)\b", re.I)
_CAPITALISED = re.compile(r"[A-Z][\w'’-]*")


def country_of_actor(actor: str) -> str | None:
    """The country an actor's name points to ("Russian troops" -> RU, "North Korean
    soldiers" -> KP), from the gazetteer's country names and demonyms."""
    from pipelines.gazetteer import Gazetteer

    words = _CAPITALISED.findall(actor)
    gazetteer = Gazetteer.load()
    for i in range(len(words)):
        for span in (words[i:i + 2], words[i:i + 1]):
            if len(span) and (iso := gazetteer.country_of_word(" ".join(span))):
                return iso
    return None


def side_of(actor: str | None, country: str | None = None) -> str | None:
    """``government`` or ``hostile`` (to the government of ``country``, ISO2), or None.

    Named irregulars (rebels, militants, paramilitaries) are hostile; a force named after
    the situation's own country ("Ukrainian forces" in UA) or a state organ (army,
    ministry, police) is the government, unless it is named after another country
    ("Russian troops" in UA). Anything else is taken as hostile.
    """
    if not actor:
        return None
    if _HOSTILE_HINT.search(actor):
        return "hostile"
    named = country_of_actor(actor)
    if named is not None:
        return "government" if named == country else "hostile"
    return "government" if _GOVERNMENT.search(actor) else "hostile"


GAINS = {"captured", "recaptured"}
LOSSES = {"lost", "withdrawn_from"}
FIGHTS = {"contested", "encircled"}


def gain_of(event: str | None, new_controller: str | None, old_controller: str | None,
            country: str | None) -> tuple[str, str] | None:
    """(gaining side, losing side) of a territory event, or None if it is no change of
    hands. Fights (contested, encircled) count for the side that attacks: the new
    controller's, hostile when unnamed."""
    if event in GAINS:
        gaining = side_of(new_controller, country)
        losing = side_of(old_controller, country)
        gaining = gaining or _other(losing) or "hostile"
        return gaining, losing or _other(gaining)
    if event in LOSSES:
        losing = side_of(old_controller, country) or "government"
        return _other(losing), losing
    if event in FIGHTS:
        attacking = side_of(new_controller, country) or "hostile"
        return attacking, _other(attacking)
    return None


def hostile_gain(event: str | None, new_controller: str | None, old_controller: str | None,
                 country: str | None) -> bool:
    """Does this event bring hostile forces to the place?"""
    sides = gain_of(event, new_controller, old_controller, country)
    return sides is not None and sides[0] == "hostile"


def _other(side: str | None) -> str | None:
    return {"government": "hostile", "hostile": "government"}.get(side or "")
