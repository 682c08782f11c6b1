"""How much a claim is worth: who makes it, whether it is denied, who else reports it.

Pure functions; the situation state calls them. The weights are documented defaults an
operator can override in the job config (``claims:`` section).
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
    r"observatory|monitor|\bun\b|united nations|u\.n\.|ocha|unhcr|unicef|human rights|amnesty|"
    r"\bisw\b|institute for the study of war|acled|red cross|icrc|msf|doctors without borders|"
    r"analyst|researcher|residents?|witness|journalist|reporter|media", re.I)
_WIRE = re.compile(r"reuters|\bafp\b|agence france|associated press|\bap\b|\bdpa\b|anadolu|xinhua|tass|efe", re.I)
_OFFICIAL = re.compile(
    r"pentagon|department of defense|state department|white house|foreign (ministry|office)|"
    r"\bus\b|u\.s\.|american|british|french|german|nato|diplomat|embassy|intelligence", re.I)


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
    r"\b(government|regime|army|armed forces|military|security forces|police|junta|ministry|"
    r"defen[cs]e forces|garrison|soldiers|troops loyal|loyalist|presidential guard|national guard|"
    r"saf|fardc|idf|tatmadaw)\b", re.I)
_HOSTILE_HINT = re.compile(
    r"\b(rebels?|insurgents?|militants?|militias?|jihadists?|fighters|separatists?|"
    r"paramilitar(y|ies)|opposition|occupiers?|invaders?|enemy|terrorists?|coalition|alliance)\b", re.I)


def side_of(actor: str | None, country_name: str | None = None) -> str | None:
    """``government`` or ``hostile`` (to the capital's government), or None if unknown.

    The country's own adjective ("Ukrainian forces" in Ukraine) counts as government;
    a foreign one ("Russian troops" in Ukraine) as hostile.
    """
    if not actor:
        return None
    if _HOSTILE_HINT.search(actor):
        return "hostile"
    if country_name:
        stem = re.escape(country_name.split()[0][:5])
        if re.search(rf"\b{stem}", actor, re.I):
            return "government"
    if _GOVERNMENT.search(actor):
        # "Russian forces" in a Ukraine story say "forces" with a foreign adjective
        return "government" if not _FOREIGN_ADJECTIVE.search(actor) else "hostile"
    if _FOREIGN_ADJECTIVE.search(actor):
        return "hostile"
    return "hostile"


_FOREIGN_ADJECTIVE = re.compile(r"\b[A-Z][a-z]+(?:ian|ese|ish|i|an)\b")
