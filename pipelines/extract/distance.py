"""Distance claims: how far an armed actor is from a city it threatens.

A distance expression ("within 20 km", "80 miles", "15 to 20 kilometres") followed by an
optional bearing and "of/from/outside/short of" a settlement is a claim when

* the sentence puts an armed actor in motion, position or combat near it ("rebels are now
  within 20 km of", "troops stalled 12 to 15 km north of", "withdrawing from towns 10 km
  from"), or
* it locates a place that, somewhere in the article, an armed actor holds, reaches,
  fights in or withdraws from ("Ghazni is some 80 miles southwest of Kabul" after the
  capture of Ghazni) -- unless the article says that actor side already holds the capital.

Not claims: where a town lies with no force near it, a depth of advance ("advanced 10
km"), a length ("a 40-mile convoy"), or a distance from a border, landmark or country.
"""
from __future__ import annotations

import re

from .keywords import words_pattern
from .lexicon import FORCE

# Unit words (matched anywhere in a word: "20km").
UNIT_KEYWORDS = ("km", "kilomet", "mile", "metres", "meters")
# Where the forces meet: "the front line is now 10 km from X", "fighting is within 5 km of X".
FRONT = words_pattern(["front line", "front lines", "frontline", "frontlines", "fighting", "clashes"],
                      re.IGNORECASE)
# Bearing and preposition between the distance and the reference place.
TARGET_LINK = re.compile(
    r"\s*(?:\(\s*[^()]{0,30}\)\s*)?(?:(?:to\s+the\s+)?(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?\s+)?"
    r"(?:of|from|away\s+from|outside(?:\s+of)?|short\s+of|off)\s+"
    # "2 km away from entering X": the distance to X
    r"(?:(?:entering|reaching|taking|capturing|seizing|storming)\s+)?", re.IGNORECASE | re.ASCII)
# "came as close as 8 km to X": "to" links a distance only after "as close as".
CLOSE_TO_LINK = re.compile(r"\s*(?:\(\s*[^()]{0,30}\)\s*)?to\s+", re.IGNORECASE | re.ASCII)
# Motion, position and combat words that make a nearby force's distance a claim.
# Words that put a force at a place: it reached, took, fights in, left, was stopped at...
_PRESENCE = (r"reach\w*|stall\w*|kept\s+at\s+bay|held\s+at\s+bay|halt\w*|stopp\w*|prevent\w*|block\w*|"
             r"position(?:s|ed|ing)?|dug\s+in|digging\s+in|entrench\w*|mass(?:ed|ing)|camp(?:ed|ing)|took|"
             r"tak(?:e|es|en|ing)|seiz\w*|captur\w*|enter(?:ed|ing|s)?|fight(?:s|ing)?|fought|clash\w*|battl\w*|"
             r"invasion|invad\w*|withdr\w*|retreat\w*|pull(?:ed|ing|s)?\s+(?:out|back)|abandon\w*|fled|flee\w*|"
             r"encircl\w*|surround\w*|besieg\w*|overr\w*|control\w*|fell|fallen|assault|attack\w*|arriv\w*|"
             r"deploy\w*|stationed|as\s+far\s+as|approached|(?:pass(?:ed|ing)|crossed)(?=\s+(?:through\s+)?(?-i:[A-Z]))|(?:hold(?:s|ing)?|held)(?=\s+(?:the\s+(?:\w+\s+)?(?:town|city|village)\s+of\s+)?(?-i:[A-Z]))|(?:shot|fought|forced|blasted)\s+(?:their|its)\s+way|(?:were|was|been|being)\s+(?:\w+\s+)?(?:seen|spotted|sighted)|advanc(?:ed|ing)\s+(?:in)?to(?!\s+within)")
# Words of motion toward a place: the force is not there yet.
_APPROACH = (r"within|advanc\w*|approach\w*|clos(?:e|ed|ing)\s+in|closer|push\w*|march\w*|"
             r"mov(?:e|ed|ing)\s+(?:on|toward|towards|to)|head(?:ed|ing)\s+(?:toward|towards|for)|gains?|offensive")
PROXIMITY_TRIGGER = re.compile(rf"\b(?:{_PRESENCE}|{_APPROACH})\b", re.IGNORECASE | re.ASCII)
PRESENCE_TRIGGER = re.compile(rf"\b(?:{_PRESENCE})\b", re.IGNORECASE | re.ASCII)
# The distance stands in apposition to a place: "took Sake, a town only 27 km from Goma".
_APPOSITION = re.compile(r"[,”]\s*(?:also\s+)?(?:(?:a|an|the)\s+(?:(?!(?:are|is|were|was|have|has|had|now)\b)[\w-]+\s+){0,4}?|(?:which|that)\s+(?:is|lies|sits|was)\s+|(?:located|situated|lying)\s+(?:[a-z]+\s+)?)?$")
# "forces are/were/now ... <distance>" (the force is the subject of the distance).
FORCE_COPULA = re.compile(
    r"(?:\b(?:are|is|were|was|be|been|re|now|remain\w*|stood|stand|sit|got|came|lie)\s+(?:[a-z]+\s+){0,2})$",
    re.IGNORECASE | re.ASCII)
# Depth of advance, lengths and widths: "advanced 10 km", "a convoy stretching 40 miles".
NOT_PROXIMITY_BEFORE = re.compile(
    r"\b(?:advanc\w*|push\w*|mov(?:e|ed|ing)|penetrat\w*|gain\w*|progress\w*|drove|driven|march\w*|"
    r"travel\w*|stretch\w*|extend\w*|long|wide|deep|convoy|column|line|front|over|across|along|for)\s+$",
    re.IGNORECASE | re.ASCII)
NOT_PROXIMITY_AFTER = re.compile(r"\s*-?\s*(?:long|wide|deep|stretch|convoy|front|line|radius|range)\b", re.IGNORECASE | re.ASCII)
# Reference points that are not settlements.
LANDMARK_WORDS = frozenset((
    "border frontier front frontline front-line line river sea coast lake dam bridge road highway "
    "street avenue square airport base mountain mountains heights desert sea crossing station "
    "port harbour harbor boundary").split())
# "in complete control of the capital": the capital is held, not approached.
CAPITAL_HELD = re.compile(
    r"\b(?:in\s+(?:\w+\s+)?(?:full|complete|total|effective)?\s*control\s+of|control(?:s|led)?|hold(?:s)?|held)\s+"
    r"(?:most\s+of\s+|much\s+of\s+)?the\s+capital\b", re.IGNORECASE | re.ASCII)


# Combat located at a named place ("heavy fighting yesterday in X"): the front is at X.
FIGHTING_AT = re.compile(r"\b(?i:fighting|clashes|battles?|combat)\s+(?:[a-z]+\s+){0,2}?(?:in|at|around|near|for)\s+(?:the\s+)?[A-Z]",
                         re.ASCII)
# The government leaves a position: "the government abandoned its last position at X".
GOVERNMENT_LEAVES = re.compile(r"\bgovernment\s+(?:\w+\s+){0,2}?(?:withdr\w*|retreat\w*|abandon\w*|evacuat\w*|"
                               r"pull(?:ed|ing|s)?\s+(?:out|back))\s+(?:of\s+|from\s+)?(?:[\w-]+\s+){0,3}?"
                               r"(?:positions?|garrisons?|bases?|posts?|lines?|strongholds?|defen[cs]es|front)\b",
                               re.IGNORECASE | re.ASCII)


# A change of hands in the passive implies its armed agent: "X, 700 km east of C, was captured".
PASSIVE_CHANGE = re.compile(r"\b(?:was|were|been)\s+(?:\w+\s+)?(?:captured|seized|overrun|taken\s+(?:over|by))\b|\bfell\s+to\b",
                            re.IGNORECASE | re.ASCII)
# "the capture puts them within 40 km of X", "bringing them to within": the force's new position.
BRINGS_WITHIN = re.compile(r"\b(?:puts?|putting|brings?|bringing|brought|places?|placing|leaves|leaving)\s+"
                           r"(?:them|it|him|the\s+\w+)\s+(?:to\s+)?within\b", re.IGNORECASE | re.ASCII)
# "seizing X would put them within 40 km": a consequence imagined, not a position.
_WOULD_BRING = re.compile(r"\b(?:would|could|might|will)\s+(?:\w+\s+)?(?:put|bring|place|leave|take)\s+"
                          r"(?:\w+\s+){0,2}(?:to\s+)?$", re.IGNORECASE | re.ASCII)


def imagined_position(sentence: str, distance_start: int) -> bool:
    """True for "would put them within 40 km of X": where a force would be if it won."""
    return bool(_WOULD_BRING.search(sentence, max(0, distance_start - 50), distance_start))


def is_proximity_sentence(sentence: str) -> bool:
    """True when the sentence has an armed actor and a motion, position or combat word, combat
    at a named place, or the government leaving a position."""
    if FORCE.search(sentence):
        return bool(PROXIMITY_TRIGGER.search(sentence))
    if (FIGHTING_AT.search(sentence) or GOVERNMENT_LEAVES.search(sentence) or BRINGS_WITHIN.search(sentence)
            or PASSIVE_CHANGE.search(sentence)):
        return True
    front = {m.span() for m in FRONT.finditer(sentence)}  # "fighting" is no motion of its own
    return bool(front) and any(m.span() not in front for m in PROXIMITY_TRIGGER.finditer(sentence))


def describes_a_place(sentence: str, distance_start: int) -> bool:
    """True for a distance in apposition to a place ("Marib, some 120 km east of the capital"):
    it says where that place is, and is a claim only if a force is at the place."""
    return bool(_APPOSITION.search(sentence, max(0, distance_start - 50), distance_start))


def force_is_subject(sentence: str, distance_start: int) -> bool:
    """True for "the Russian forces are 10 km from" or "the front line is now 10 km from":
    a force (or the front) right before a copula."""
    before = sentence[max(0, distance_start - 60):distance_start]
    copula = FORCE_COPULA.search(before)
    if not copula:
        return False
    subject = before[:copula.start()]
    return bool(FORCE.search(subject) or FRONT.search(subject) or (_WE.search(subject) and _QUOTE_MARK.search(sentence)))


# Fighters quoted in the first person: "We are now 100 km from the capital," said a spokesman.
_WE = re.compile(r"\b(?:we['’]?|our\s+(?:men|boys|positions|units|lines))\s*$", re.IGNORECASE | re.ASCII)
_QUOTE_MARK = re.compile("[\"“”]")


# finite forms only: ", located 30 miles from C" is an apposition (see describes_a_place)
_LOCATIVE = re.compile(r"\b(?:lies|lie|lay|sits|sit|(?:is|are|was|were|be)\s+(?:\w+\s+)?(?:located|situated))\s+(?:[a-z]+\s+){0,2}$",
                       re.IGNORECASE | re.ASCII)


def locates_a_place(sentence: str, distance_start: int) -> bool:
    """"X lies/is located 200 km from ...": a place's location, whatever the rest of the sentence says
    (it is a claim only if X itself changed hands, see the article ledger)."""
    m = _LOCATIVE.search(sentence, max(0, distance_start - 30), distance_start)
    # "attacked X, which lies 460 km from C" is an apposition to X (see describes_a_place)
    return bool(m) and not _RELATIVE_BEFORE.search(sentence, max(0, m.start() - 12), m.start())


_RELATIVE_BEFORE = re.compile(r"[,”]\s*(?:which|that)\s+$", re.IGNORECASE | re.ASCII)


# A retreat to a place: "troops retreated in disarray to X, 30 km north of C" places the rear.
_TO_THE_REAR = re.compile(r"(?:\s+[\w-]+){0,3}?\s+(?:back\s+)?(?:to|towards?|into)\b", re.IGNORECASE | re.ASCII)
_RETREAT = re.compile(r"withdr|retreat|pull|fled|flee", re.IGNORECASE | re.ASCII)


def retreat_destination(sentence: str, presence: re.Match) -> bool:
    """True for a retreat word followed by where to ("retreated in disarray to X")."""
    return bool(_RETREAT.match(presence.group()) and _TO_THE_REAR.match(sentence, presence.end()))


def looks_like_length(sentence: str, start: int, end: int) -> bool:
    """Depth of advance, convoy length, width: not a distance to a place ("advancing beyond 26 km
    from the capital" is a position: the qualifier says where the advance stops)."""
    bounded = _BOUND.match(sentence, start)
    return bool((NOT_PROXIMITY_BEFORE.search(sentence, max(0, start - 30), start) and not bounded)
                or NOT_PROXIMITY_AFTER.match(sentence, end))


_BOUND = re.compile(r"(?:beyond|within)\b", re.IGNORECASE | re.ASCII)
