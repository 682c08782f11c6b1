"""Distance expressions: a number (or range) with a length unit and its qualifier.

Covers "within 20 kilometres", "just 10 kilometres (six miles)", "80 miles", "some 15 to
20 km", "between 15 and 20 kilometers", "less than 30km", "a little over 50 km",
"an estimated distance of 40 km". The result follows the annotation conventions:
within/less than X -> km=X, max_km=X; a little over X -> km=X, min_km=X; X to Y ->
km=None, min_km=X, max_km=Y; a km figure wins over a paired miles figure; miles only are
converted (x 1.609344, one decimal); metres become km.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import NUMBER, parse_number

KM_PER_MILE = 1.609344
_UNIT = r"(?:kilomet(?:er|re)s?|kms?|miles?|mi|met(?:er|re)s)\b"
_UPPER = r"within|less\s+than|under|fewer\s+than|no\s+more\s+than|not\s+more\s+than|up\s+to|at\s+most|nearly|almost|just\s+under|barely"
_LOWER = r"(?:(?:a\s+little|just|slightly|a\s+bit)\s+)?(?:over|more\s+than|beyond)"
_HEDGE = r"as\s+close\s+as|about|around|approximately|roughly|some|only|just|merely|an\s+estimated|estimated|a\s+mere|as\s+little\s+as|close\s+to"
DISTANCE = re.compile(
    rf"\b(?P<qual>(?:(?:{_UPPER}|{_LOWER}|{_HEDGE})\s+)*)"
    rf"(?:(?:an\s+estimated\s+)?distance\s+(?:of\s+)?)?"
    rf"(?:between\s+)?(?P<n1>{NUMBER})(?:\s*(?:{_UNIT})?\s*(?:to|-|–|—|and|or)\s*(?P<n2>{NUMBER}))?"
    rf"(?:\s*-\s*|\s*)(?P<unit>{_UNIT})"
    rf"(?:\s*[(\[]\s*(?:about|around|some|roughly|approximately|nearly|almost|just|over|under)?\s*"
    rf"(?P<alt1>{NUMBER})(?:\s*(?:to|-|–)\s*(?P<alt2>{NUMBER}))?\s*(?P<alt_unit>{_UNIT})\s*[)\]])?",
    re.IGNORECASE | re.ASCII)
_IS_UPPER = re.compile(rf"\b(?:{_UPPER})\b", re.IGNORECASE | re.ASCII)
_IS_LOWER = re.compile(r"\b(?:over|more\s+than|beyond)\b", re.IGNORECASE | re.ASCII)


@dataclass(frozen=True, slots=True)
class Distance:
    km: float | None
    min_km: float | None
    max_km: float | None


def _to_km(value: float, unit: str) -> float:
    unit = unit.lower()
    if unit.startswith("mi"):
        return round(value * KM_PER_MILE, 1)
    if unit.startswith("met"):
        return round(value / 1000, 3)
    return int(value) if value == int(value) else value


def distance_of(match: re.Match) -> Distance | None:
    """Interpret a :data:`DISTANCE` match; None when the numbers do not parse."""
    unit, n1, n2 = match["unit"], match["n1"], match["n2"]
    if match["alt_unit"] and unit.lower().startswith("mi") and match["alt_unit"].lower().startswith("k"):
        unit, n1, n2 = match["alt_unit"], match["alt1"], match["alt2"]  # the km figure wins
    low = parse_number(n1)
    if low is None or low <= 0:
        return None
    high = parse_number(n2) if n2 else None
    if n2 and high is None:
        return None
    if high is not None and high > low:
        if re.match(r"\s*(?:km|kilomet\w*|miles?|mi)?\s*(?:and|or)\s", match.string[match.end("n1"):match.start("n2")], re.I) \
                and "between" not in match.group().lower():
            return Distance(_to_km(low, unit), None, None)  # "nine and 12 km": two places, the nearer counts
        return Distance(None, _to_km(low, unit), _to_km(high, unit))
    km = _to_km(low, unit)
    qual = match["qual"] or ""
    if _IS_UPPER.search(qual):
        return Distance(km, None, km)
    if _IS_LOWER.search(qual):
        return Distance(km, km, None)
    return Distance(km, None, None)
