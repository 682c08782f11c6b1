"""Place noun phrases: chunking the words after (or before) a trigger into place mentions,
and resolving them in the gazetteer, anaphors ("the city", "there") included.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..gazetteer import Gazetteer, Place
from .lexicon import (ANAPHORIC_PLACE_NOUNS, ARMED_GROUPS, FORCE_NOUNS, MONTH_NAMES, NAME_ARTICLE, STRATEGIC_FACILITIES, NOT_PLACE_WORDS, NP_STOP_WORDS, PERSON_TITLES,
                      PLACE_MODIFIERS, PLACE_NOUN_TYPES, PLACE_NOUNS)
from .units import DISTANCE, distance_of

POSSESSIVE_END = re.compile(r"['’]s?$")
_CAPITAL_HEAD = re.compile(r"(?:provincial\s+|regional\s+)?capital\b", re.I)
_NAMED_UNIT = re.compile(r"\b\d+(?:st|nd|rd|th)\s+[A-Z]")
_DETERMINED = re.compile(r"(?:the|its|their|his|her|our|this|that)\s")
_TRAILING_OF = re.compile(r"\s+of$")
_ENDS_WITH_LOCATIVE = re.compile(r"\b(?:at|in|near|outside)(?:\s+[a-z][\w]*-[a-z][\w-]*)?$")
_POSSESSIVE_DETERMINER = re.compile(r"(?:its|their|his|her|our)\s")
# Lowercase Arabic articles inside names: "Ras al-Ain", "Deir ez-Zor".
_QUANTIFIERS = frozenset("around about some nearly almost over roughly approximately".split())
_TIME_AHEAD = re.compile(r"\s+(?:the\s+)?(?:past|last|previous|coming|recent|next)\b", re.IGNORECASE)
_NAME_PARTICLES = frozenset("da do dos das de del di du des la le van von bin ibn".split())
_ARTICLE_NAME = re.compile(r"(?:al|el|ad|as|ar|ash|an|az|at|ath|ed|es|ez|en|er|ul)-[A-Z]")
_TOKEN = re.compile(r"\([^()]{1,40}\)|[\w'’‘ʿ-]+|[^\w\s]")
_DETERMINER = re.compile(r"^(?:(?:the|a|an|its|their|his|her|our|this|that|these|those)\s+)+", re.I)
_POSSESSOR = re.compile(r"^([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)['’]s?\s+")
# Counted or aggregate places ("the 10th provincial capital", "nine others") are not one place.
_ORDINAL = re.compile(r"\b(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|"
                      r"eighth|ninth|tenth|other|others)\b", re.I)
_LIST_INTRO = re.compile(r"\b(\w+),?\s+(?:of|like|such\s+as|including|namely)\s+(.+)$")
_LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
_DISTANCE_TAIL = re.compile(r"\s*(?:\w+\s+)?(?:of|from)\s+(?:the\s+)?(?:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*|"
                            r"capital(?:\s+city)?\b|city\b)")
_RUN = re.compile(r"(?:(?:al|el|ad|as|ar|ash|an|az|at|ath|ez|es|ed)-)?[A-Z][\w'’‘ʿ-]*"
                  r"(?:\s+(?:(?:al|el|ad|as|ar|ash|an|az|at|ath|ez|es|ed)-|(?:bin|ibn|de|del|da|do|dos|das|di|du)\s+)?"
                  r"[A-Z][\w'’‘ʿ-]*)*")
_PREPOSITION = re.compile(r"\s+(?:in|at|near|outside|around|of|from|like|including|such as)\s+", re.I)
_AS_WELL_AS = re.compile(r"\s*as\s+well\s+as\s+(?:(?:nearby|neighbouring|neighboring)\s+)?(?=[A-Z])")
_NAME_LIST_AHEAD = re.compile(r"(?:\s*,\s*[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)+,?\s+and\s+[A-Z]")
_APPOSED_NOUN = re.compile(r"(?i)^(?:the\s+)?(?:\w+\s+)?(?:capital|city|town|village)$")
_APPOSITIVE = re.compile(r",\s*((?:(?:al|el|ad|as|ar|ash|an|az|at)[-\s])?[A-Z][\w'’‘ʿ-]*(?:\s+[A-Z][\w'’‘ʿ-]*)*)")
TRAILING_ANAPHOR = re.compile(r"\b(?:near|around|outside|in|of)\s+the\s+(?:city|town|capital)$")
# Heads that make a preceding name a modifier of people or things, not a place.
_NOT_PLACE_HEAD = re.compile(rf"(?:{'|'.join(FORCE_NOUNS)}|terrorists?|officials?|leaders?|members?|commanders?|"
                             r"spokes(?:man|woman|person)|authorities|government|residents|vehicles?|"
                             r"drones?|jets?|missiles?|prisoners?|hostages?|supporters?|envoy|delegation|"
                             r"country|countries|nations?|measures|people|peoples|groups?|movement|alliance|coalition|"
                             r"party|media|agency|ministry|news|sources|police|war|conflict|crisis|talks|"
                             r"statement|claims?|reports?|officers?)$")
# Names of armed groups ("al Shabaab", "M23") are never places, even where a namesake village exists.
_ARMED_GROUP_KEYS = frozenset(g.lower() for g in ARMED_GROUPS)
_GROUP_ARTICLE = re.compile(r"^(?:al|el)[\s-]+", re.I)
# "all three towns", "both towns", "the two cities": the places just named
_COUNTED_ANAPHOR = re.compile(r"^(?:(?:all|the)\s+)?(?P<n>both|two|three|four|five|2|3|4|5)\s+(?P<noun>towns|cities|villages|settlements)$", re.I)
_NUMBER_WORDS = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}
# After a name, a settlement noun that makes the name its area: "the North Darfur capital",
# "Shan state town", "Donetsk region village"
_DESCRIBED_BY_AREA = re.compile(r"['’`]*\s*(?:(?:state|provincial|regional)\s+)?capital\s*['’`]*$|"
                                r"\s+(?:state|province|region|district|county|oblast|governorate)\s+(?:town|village|city)s?$", re.I)
_EDGE_NOUN = re.compile(r"(?:northern\s+|southern\s+|eastern\s+|western\s+)?(?:outskirts|suburbs|edge|outskirt)", re.I)
# "half of the city", "most of X", "the rebel-held part of X": the place itself
_PART_OF = re.compile(r"^(?:the\s+)?(?:[\w-]+\s+)?(?:half|part|parts|most|much|rest|remainder|bulk|sections?)\s+of\s+", re.I)
# Adjectives of an unnamed facility that are no part of what it is ("a local prison")
_FACILITY_ADJECTIVES = re.compile(r"^(?:(?:local|nearby|key|strategic|important|main)\s+)+", re.I)
_HYPHEN_ADJECTIVE = re.compile(r"[A-Z][a-z]+-(?:built|held|backed|controlled|led|made|occupied|allied|supplied|run|"
                               r"trained|funded|era|style|based|born|speaking|dominated|aligned|linked)$")
POPULATION_OF_CITY = 50_000
BIG_CITY_POPULATION = 500_000  # never "the town"


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place as the text names it.

    ``text`` is the value of the ``place`` field; ``name`` the proper name to resolve (None
    for a generic description such as "several towns in the area"); ``anaphor`` marks "the
    city", "there" and the like, to be replaced by the place they refer to.
    """

    text: str
    place_type: str
    name: str | None
    anaphor: bool = False


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    """A mention with its gazetteer entry (``place`` is None when not found)."""

    text: str
    place_type: str
    place: Place | None


def _is_name(run: str, gaz: Gazetteer) -> bool:
    """A run of words that can name a place: not a function word, not a country or demonym
    ("Syrian", "Ukraine's"), though a city named after one is ("Gaza City", "Kuwait City")."""
    first = run.split()[0] if run.strip() else ""
    if _HYPHEN_ADJECTIVE.match(first):
        return False  # "Soviet-built", "Iranian-backed": adjectives
    bare = POSSESSIVE_END.sub("", run)
    if bare.lower() in PLACE_NOUNS:
        return False  # "HQ", "Base": a common noun written in capitals
    return ((first[:1].isupper() or bool(_ARTICLE_NAME.match(first))) and first not in NOT_PLACE_WORDS
            and _GROUP_ARTICLE.sub("", bare).lower() not in _ARMED_GROUP_KEYS
            and gaz.country_of_word(bare) is None)


def chunk_after(text: str, start: int, gaz: Gazetteer) -> tuple[list[PlaceMention], int]:
    """Place mentions in the noun phrase starting at ``text[start:]``, and where it ends.

    Coordinated and listed places ("Aleppo and Hama", "the towns of A, B and C") give one
    mention each. Returns ([], start) when what follows is not a place.
    """
    spread = _FACILITIES_IN_CITIES.match(text, start)
    if spread:  # "two other airports, in the city of A and B": "A airport", "B airport"
        noun = spread.group("noun")[:-1]
        names = [n for n in _LIST_SPLIT.split(spread.group("names")) if _is_name(n, gaz)]
        if names:
            return [PlaceMention(f"{n} {noun}", PLACE_NOUN_TYPES[noun.lower()], n) for n in names], spread.end()
    tokens = list(_TOKEN.finditer(text, start, min(len(text), start + 240)))
    conjuncts: list[tuple[int, int]] = []
    first = last = -1
    name_seen = list_mode = modifier_name = has_place_noun = False
    prev_low = ""
    words = k = 0
    while k < len(tokens) and words < 16:
        m = tokens[k]
        tok = m.group()
        low = tok.lower()
        nxt_tok = tokens[k + 1].group() if k + 1 < len(tokens) else ""
        k += 1
        if tok == "," or low == "and":
            if list_mode and (nxt_tok[:1].isupper() or nxt_tok.lower() == "and"):
                last = m.end()
                continue
            listed = tokens[k + 1].group() if k + 1 < len(tokens) else ""
            if tok == "," and nxt_tok.lower() == "including" and has_place_noun and (
                    listed[:1].isupper() or listed.lower() in {"the", "a"}):  # not ", including in central areas"
                list_mode = True
                last = tokens[k].end()
                k += 1
                continue
            if tok == "," and name_seen and _NAME_LIST_AHEAD.match(text, m.start()):
                conjuncts.append((first, last))  # "captured Minova, Katale and Masisi"
                first, name_seen, has_place_noun = -1, False, False
                continue
            if (tok == "," and first >= 0 and has_place_noun and nxt_tok.lower() in {"the", "its", "their"}
                    and PLACE_NOUN_TYPES.get(prev_low) in {"base", "facility"} and _facility_ahead(text, m.end())):
                conjuncts.append((first, last))  # "the palace, the army chief's residence and the airport"
                first, name_seen, has_place_noun = -1, False, False
                continue
            if tok == "," and first >= 0 and _APPOSED_NOUN.match(text, first, last):
                apposed = _APPOSITIVE.match(text, m.start())
                if apposed and _is_name(apposed.group(1), gaz):
                    return mentions_in(apposed.group(1), gaz), apposed.end()
            starts_np = nxt_tok[:1].isupper() or nxt_tok.lower() in PLACE_MODIFIERS or nxt_tok.lower() in PLACE_NOUNS
            if not starts_np and nxt_tok.lower() in {"its", "their", "the"}:  # "the town and its military base"
                starts_np = _place_noun_ahead(text, tokens[k].end(), 3)
            if tok == "," and first >= 0 and _AS_WELL_AS.match(text, m.end()):  # "X, as well as nearby Y"
                conjuncts.append((first, last))
                first, name_seen, has_place_noun = -1, False, False
                while k < len(tokens) and tokens[k].start() < _AS_WELL_AS.match(text, m.end()).end():
                    k += 1
                continue
            if low == "and" and first >= 0 and starts_np:
                conjuncts.append((first, last))
                first, name_seen, has_place_noun = -1, False, False
                continue
            break
        if tok[0] == "(":
            if first < 0:
                break
            last = m.end()
            continue
        if not tok[0].isalnum():
            break
        if name_seen and low in _NAME_PARTICLES and nxt_tok[:1].isupper():
            pass  # "Mocimboa da Praia", "Ciudad del Este"
        elif _HYPHEN_ADJECTIVE.match(tok):
            pass  # "the Soviet-built airbase at Bagram"
        elif (tok[0].isupper() and low not in PLACE_MODIFIERS and low not in {"a", "an"}
              and not (tok.isupper() and low in PLACE_NOUNS)) or _ARTICLE_NAME.match(tok):  # "an army HQ": a noun
            if tok in NOT_PLACE_WORDS:
                break
            name_seen = True
        elif tok[0].isdigit() and _NAMED_UNIT.match(text, m.start()):
            pass  # "the 6th Infantry Division headquarters"
        elif tok[0].isdigit() and has_place_noun and not name_seen:
            # "towns just 10 km from X": a description that carries its own distance
            dist = DISTANCE.match(text, m.start())
            tail = dist and _DISTANCE_TAIL.match(text, dist.end())
            if not tail:
                break
            last = tail.end()
            name_seen = True
            while k < len(tokens) and tokens[k].start() < last:
                k += 1
            continue
        elif low in _QUANTIFIERS and first < 0:
            pass  # "around 10 towns", "some 30 villages"
        elif low in {"in", "at", "near", "outside", "around"}:
            if name_seen or not has_place_noun or _TIME_AHEAD.match(text, m.end()):
                break
        elif low in {"like", "including", "namely"} or (low == "such" and nxt_tok == "as"):
            if not has_place_noun:
                break
            list_mode = True
        elif low == "of":
            if has_place_noun and not name_seen and (nxt_tok.lower() in _QUANTIFIERS or nxt_tok[:1].isdigit()
                                                     or nxt_tok.lower() in {"a", "an"}):
                break  # "the town of about 14,000 people": a description, not a name
            if not list_mode and has_place_noun and not name_seen:
                list_mode = nxt_tok[:1].isupper()
        elif name_seen and low in {"the", "a", "an"}:
            break  # "withdrawn from X the previous day": a new noun phrase
        elif low == "as" and list_mode and text[max(0, m.start() - 5):m.start()].lower().startswith("such"):
            pass
        elif low == "last" and text[max(0, m.start() - 4):m.start()].lower() == "the ":
            pass  # "the last government-held district": the last one left, not "last week"
        elif low in NP_STOP_WORDS and not (low in {"its", "their", "his", "her", "our", "this", "the"} and first < 0):
            break
        elif name_seen and low in _BEARINGS and nxt_tok.lower() == "of":
            break  # "the town of X north of Y": X (Y only locates it)
        elif (prev_low in PLACE_NOUNS and has_place_noun and tok[0].islower() and low not in PLACE_NOUNS
              and low not in PLACE_MODIFIERS and low not in _NP_CONTINUERS and low not in _QUANTIFIERS
              and low not in _DESCRIPTION_WORDS and not tok[0].isdigit()):
            break  # "this city raged on", "the town fell": a verb after the head noun
        elif name_seen and low not in PLACE_NOUNS and low not in PLACE_MODIFIERS and (
                not _place_noun_ahead(text, m.end()) or prev_low in PLACE_NOUNS):  # "the X region shelled villages"
            modifier_name = bool(_NOT_PLACE_HEAD.match(low))  # "ISIL fighters": the name qualifies them
            break
        prev_low = low
        if low in PLACE_NOUNS:
            has_place_noun = True
        if first < 0:
            first = m.start()
        last = m.end()
        words += 1
    if first >= 0 and not modifier_name:
        conjuncts.append((first, last))
    mentions = [found for a, b in conjuncts for found in mentions_in(text[a:b].rstrip(" ,"), gaz)]
    return mentions, (conjuncts[-1][1] if conjuncts else start)


_BEARINGS = frozenset("north south east west northeast northwest southeast southwest north-east north-west "
                      "south-east south-west northeastern".split())
# Lowercase words that may follow a place noun inside one noun phrase ("city centre", "refugee camp")
_DESCRIPTION_WORDS = frozenset("just only less more than barely within located situated lying".split())
_NP_CONTINUERS = frozenset("centre center square council limits proper outskirts edge gates perimeter complex compound "
                           "district camp".split())


# Facilities counted across named places: "two other airports, in the northern city of A and B"
_FACILITIES_IN_CITIES = re.compile(
    r"(?:(?:the|its|their)\s+)?(?:[\w-]+\s+){0,2}?(?P<noun>" + "|".join(
        w for w, k in PLACE_NOUN_TYPES.items() if k in {"base", "facility"} and w.endswith("s") and w[:-1] in PLACE_NOUN_TYPES)
    + r")\s*,?\s+(?:in|at)\s+(?:(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:cities|city|towns|town)\s+of\s+)?"
    r"(?P<names>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*(?:(?:\s*,\s*|\s+and\s+)[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)+)")


def _facility_ahead(text: str, pos: int) -> bool:
    """A facility noun heads the next noun phrase ("..., the army chief's residence and")."""
    words = [w.strip(",.;:").lower() for w in text[pos:pos + 80].split()[1:5]]
    return any(PLACE_NOUN_TYPES.get(w) in {"base", "facility"} for w in words)


def _place_noun_ahead(text: str, pos: int, words: int = 2) -> bool:
    """True when a place noun follows within two words ("Jenin [refugee] camp")."""
    return any(w.strip(",.;:") in PLACE_NOUNS for w in text[pos:pos + 20 * words].split()[:words])


def mentions_in(phrase: str, gaz: Gazetteer) -> list[PlaceMention]:
    """Interpret one noun phrase as zero or more place mentions."""
    np = _DETERMINER.sub("", phrase.strip(" ,;:-–—\"“”")).strip()
    possessor = _POSSESSOR.match(np)
    if possessor:
        rest = np[possessor.end():]
        if _CAPITAL_HEAD.match(rest):  # "Ghazni's provincial capital" (not "the rebels' capital")
            known = gaz.resolve(possessor.group(1))
            return [PlaceMention(possessor.group(1), "city", possessor.group(1))] if known else []
        edge = _EDGE_NOUN.fullmatch(rest)
        if edge and _is_name(possessor.group(1), gaz):  # "Bangui's outskirts": the outskirts of Bangui
            return [PlaceMention(f"{edge.group()} of {possessor.group(1)}", "region", possessor.group(1))]
        words = rest.split()
        if (words and len(words) <= 3 and PLACE_NOUN_TYPES.get(words[-1].lower()) in {"base", "facility"}
                and all(w.lower() in PLACE_MODIFIERS or w.lower() in PLACE_NOUNS for w in words[:-1])
                and _is_name(possessor.group(1), gaz)):  # "Kindu's airport": Kindu airport
            return [PlaceMention(f"{possessor.group(1)} {rest}", PLACE_NOUN_TYPES[words[-1].lower()], possessor.group(1))]
        np = rest
    part = _PART_OF.match(np)
    if part and len(np) > part.end():
        return mentions_in(np[part.end():], gaz)
    counted = _COUNTED_ANAPHOR.match(np)
    if counted:  # "all three towns": the places just named (see Article)
        noun = counted["noun"].lower()
        return [PlaceMention(f"the {_NUMBER_WORDS[counted['n'].lower()]} {noun}", PLACE_NOUN_TYPES[noun], None, anaphor=True)]
    if not np or (_ORDINAL.search(np) and not _NAMED_UNIT.search(np)):
        return []  # but "the 16th Infantry Division headquarters" names one place
    listed = _listed_mentions(np, gaz)
    if listed:
        return listed
    np = _TRAILING_OF.sub("", np)
    head_part = _PREPOSITION.split(np, 1)[0].split()
    head = next((w.lower() for w in reversed(head_part) if w.lower() in PLACE_NOUNS),
                head_part[-1].lower() if head_part else "")
    runs = [r for r in _RUN.finditer(np) if _is_name(r.group(), gaz)]
    name_match = runs[0] if runs else None
    if len(runs) > 1 and re.search(r"\b(?:port|town|city|village|hub|settlement)\s+of\s+$", np[:runs[-1].start()]):
        name_match = runs[-1]
        np = np[name_match.start():]  # "the Congo River port of Matadi": Matadi
        name_match = next(r for r in _RUN.finditer(np) if _is_name(r.group(), gaz))
    if name_match and not (head in PLACE_NOUNS and DISTANCE.search(np)):
        tail = np[name_match.end():].split()
        if tail and tail[-1][:1].islower() and tail[-1].lower().strip("()") not in PLACE_NOUNS:
            return []  # "Security measures": the name qualifies a common noun
        if _DESCRIBED_BY_AREA.match(np, name_match.end()):
            return []  # "the North Darfur capital", "a Shan state town": a place in X, named elsewhere
        return [_named_mention(np, name_match)]
    if head not in PLACE_NOUNS:
        return []
    return _described_mention(np, phrase.strip().lower(), head, head_part)


def _listed_mentions(np: str, gaz: Gazetteer) -> list[PlaceMention]:
    """"the towns of A, B and C", "cities like A and B": one mention per name."""
    listed = _LIST_INTRO.search(np)
    if not listed or listed.group(1).lower() not in PLACE_NOUNS:
        return []
    if listed.group(0).split()[1].lower().strip(",") == "of" and not listed.group(1).lower().endswith("s"):
        return []  # "the neighbourhood of X" is one place, "the towns of A and B" a list
    names = [n.strip() for n in _LIST_SPLIT.split(listed.group(2)) if n.strip()]
    if not names or not all(_RUN.fullmatch(n) and _is_name(n, gaz) for n in names):
        return []
    kind = PLACE_NOUN_TYPES[listed.group(1).lower()]
    return [PlaceMention(n, kind, n) for n in names]


def _named_mention(np: str, name_match: re.Match) -> PlaceMention:
    """A phrase around a name: "Daraa province", "the airbase at Hostomel", "military
    positions in Quneitra", "the Iraqi city of Mosul"."""
    name = POSSESSIVE_END.sub("", name_match.group())
    written_before = np[:name_match.start()].strip()
    before = written_before.lower()
    after = np[name_match.end():].strip()
    type_noun = next((w for w in reversed(before.split()) if w in PLACE_NOUNS), None)
    facility = _FACILITY_IN_CITY.match(before)
    if facility and not after:  # "an army HQ in the southern city of X": the facility, not the city
        return _facility_in(written_before[facility.start("what"):facility.end("what")], name)
    if type_noun and _ENDS_WITH_LOCATIVE.search(before):
        kind = PLACE_NOUN_TYPES[type_noun]
        if kind in {"base", "facility"} and before.split()[-1] == "in" and len(before.split()) <= 3:
            return _facility_in(" ".join(before.split()[:-1]), name)  # "the airport in X"
        if kind in {"base", "facility"} and before.split()[-1] == "at":  # "the (military) airbase at X"
            words = [w for w in before.split()[:-1] if w not in {"the", "a", "an", "its", "their", "another", "other", "nearby"}
                     and not _HYPHEN_ADJECTIVE.match(w.capitalize())]
            return PlaceMention(" ".join([name, *words]), kind, name)
        return PlaceMention(np, kind, name)
    tail = (after or name).split()[-1].lower().strip("()")
    if tail in PLACE_NOUNS:
        ordinal = re.search(r"\b\d+(?:st|nd|rd|th)$", before)  # "the 6th Infantry Division headquarters"
        return PlaceMention(f"{ordinal.group() + ' ' if ordinal else ''}{name} {after}".strip(), PLACE_NOUN_TYPES[tail], name)
    if type_noun and before.endswith(" of"):
        return PlaceMention(name, PLACE_NOUN_TYPES[type_noun], name)
    return PlaceMention(name, "", name)


# "an army HQ in the southern city of", "the police station in the town of": a facility in a named city
_FACILITY_IN_CITY = re.compile(
    r"^(?:(?:a|an|the|its|their)\s+)?(?P<what>(?:[\w'’-]+\s+){0,2}?(?:" + "|".join(
        w for w, k in PLACE_NOUN_TYPES.items() if k in {"base", "facility"}) + r"))\s+(?:in|at)\s+(?:the\s+)?"
    r"(?:[\w-]+\s+){0,2}?(?:city|town|village|capital)\s+of$")


def _facility_in(what: str, name: str) -> PlaceMention:
    """A facility in a named place: one noun compounds with the name ("X airport"), a longer
    description stays as written ("army HQ in X")."""
    words = [w for w in what.split() if w.lower() not in {"the", "a", "an", "its", "their"}]
    head = words[-1].lower()
    if len(words) == 1:
        return PlaceMention(f"{name} {words[0]}", PLACE_NOUN_TYPES[head], name)
    return PlaceMention(f"{' '.join(words)} in {name}", PLACE_NOUN_TYPES[head], name)


def _described_mention(np: str, lowered: str, head: str, head_part: list[str]) -> list[PlaceMention]:
    """A place described without a name: "several towns in the area", "the city" (an
    anaphor), "the towns" (the places just listed), "their positions"."""
    kind = PLACE_NOUN_TYPES[head]
    bare = np == " ".join(head_part)
    if len(head_part) <= 3 and head in ANAPHORIC_PLACE_NOUNS and bare:
        if lowered.startswith(("a ", "an ")):
            return []  # "a key city": named later in the text, if at all
        return [PlaceMention(np, kind, None, anaphor=True)]
    if lowered.startswith("the ") and len(head_part) <= 2 and head.endswith("s") and bare:
        return [PlaceMention(np, kind, None, anaphor=True)]  # "the towns": those just named
    if _POSSESSIVE_DETERMINER.match(lowered) and bare:
        return [PlaceMention(np, kind, None, anaphor=True)]  # "their positions"
    if kind in {"city", "town"} and not head.endswith("s") and not _DETERMINED.match(lowered) and not DISTANCE.search(np):
        return []  # headline "key town near capital": named later, if at all ("a town 160 km from X" is a place)
    if kind in {"facility", "base"} and bare and head not in STRATEGIC_FACILITIES:
        return []  # "entered the building"
    if kind in {"facility", "base"} and bare:
        np = _FACILITY_ADJECTIVES.sub("", np) or np
    # "areas near the city": a description anchored on the place just mentioned
    return [PlaceMention(_canonical_distance(np), kind, None, anaphor=bool(TRAILING_ANAPHOR.search(np)))]


def _canonical_distance(phrase: str) -> str:
    """"towns just 10 kilometres (six miles) from X" -> "towns 10 km from X"."""
    m = DISTANCE.search(phrase)
    value = m and distance_of(m)
    if not value:
        return phrase
    if value.km is not None:
        amount = f"{value.km:g} km"
    else:
        amount = f"{value.min_km:g}-{value.max_km:g} km"
    return f"{phrase[:m.start()]}{amount}{phrase[m.end():]}"


def chunk_before(text: str, end: int, gaz: Gazetteer) -> list[PlaceMention]:
    """Place mentions in the subject noun phrase that ends at ``text[:end]``."""
    clause = text[:end]
    if "(" in clause or "–" in clause or "—" in clause or "which" in clause or "who" in clause:
        clause = _PARENTHETICAL.sub(lambda m: " " * len(m.group()), clause)
    tail = clause.rstrip()
    if tail.endswith((" that", " which")):  # "X, a town 250 miles from Y that was taken": about X
        return antecedent_of_relative(tail[:tail.rfind(" ")], gaz)
    starts = list(_CLAUSE_START.finditer(clause))
    cut = starts[-1].end() if starts else 0
    segments = clause[cut:].split(",")
    for k, segment in enumerate(segments):  # "After weeks of fighting, the city of X fell"
        segment = _LEADING_ADVERBIAL.sub("", _GARRISON_AT.sub("", segment.strip()))
        mentions = chunk_after(segment, 0, gaz)[0] if segment else []
        if mentions and k + 1 == len(segments) and starts and starts[-1].group() == "and ":
            # "X and Y were captured": a coordinated subject, not a new clause
            head = _COORDINATED_BEFORE.search(clause, 0, starts[-1].start())
            if head and _is_name(head.group(1), gaz):
                mentions = mentions_in(head.group(1), gaz) + mentions
        if mentions and all(x.anaphor for x in mentions) and k + 1 < len(segments):
            apposed = segments[k + 1].strip()  # "the town, Masiaka, 56 km from X, had fallen": Masiaka
            if _RUN.fullmatch(apposed) and _is_name(apposed, gaz):
                return mentions_in(apposed, gaz)
        if mentions:
            return mentions
    subject = clause[cut:].strip().lower()
    if subject == "it" and starts and starts[-1].group().strip() in {"after", "before", "when", "as", "until", "since"}:
        return [PlaceMention("it", "", None, anaphor=True)]  # "seized X after it was abandoned by troops": X
    if subject in {"they", "both", "they both", "all", "both towns", "both cities"}:
        return [PlaceMention("the towns", "town", None, anaphor=True)]  # the places just named
    if starts and starts[-1].group().strip() in {"where", "in which"} and _FORCE_SUBJECT.match(subject):
        return [PlaceMention("there", "", None, anaphor=True)]  # "X, where Ukrainian units are surrounded"
    if starts and starts[-1].group().strip() in {"that", "which"} and not subject:
        return antecedent_of_relative(clause[:starts[-1].start()], gaz)
    return []


# A time adverbial before a subject: "On Sunday the town of X fell", "Last week X was taken"
_LEADING_ADVERBIAL = re.compile(
    r"^(?:(?:on|by|in|early|late|earlier|later|then|now|meanwhile|overnight)\s+)?(?:(?:last|this|early|late|on)\s+)?"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|week|weekend|month|year|morning|night|evening|"
    rf"{MONTH_NAMES}|Meanwhile|Then|Now)"
    r"(?:\s+\d{1,2}(?:st|nd|rd|th)?|\s+(?:morning|night|evening|afternoon))?\s+(?=the\s|[A-Z])", re.I)
# The first conjunct of a subject "X and Y" (a bare name right before "and", at the clause start)
_COORDINATED_BEFORE = re.compile(r"(?:^|[;:]\s*|,\s+|\b(?:that|after|when|as|while)\s+)(?:the\s+(?:towns?\s+of\s+)?)?"
                                 rf"({NAME_ARTICLE}?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){{0,2}})\s+$")
_FORCE_SUBJECT = re.compile(rf"^(?:\w+\s+){{0,3}}(?:{'|'.join(FORCE_NOUNS)})$", re.I)


def antecedent_of_relative(before: str, gaz: Gazetteer) -> list[PlaceMention]:
    """The place a relative clause is about: "Diabaly, a small town 250 miles from Bamako, that was
    taken" -> Diabaly (an apposition "a ... town ..." is skipped to the name it describes)."""
    segments = before.rstrip(" ,").split(",")
    for k in range(len(segments) - 1, max(-1, len(segments) - 3), -1):
        segment = segments[k].strip()
        if (re.match(r"(?:a|an)\s", segment, re.I) or DISTANCE.match(segment)) and k > 0:
            continue  # "X, a town ...", "X, 80 miles north of Y, which ...": about X
        runs = [r for r in _RUN.finditer(segment) if _is_name(r.group(), gaz)]
        if runs and runs[-1].end() >= len(segment) - 1:
            return mentions_in(runs[-1].group(), gaz)
        return chunk_after(segment, 0, gaz)[0] if _DETERMINED.match(segment) else []
    return []


_CLAUSE_START = re.compile(r"[;:“”\"]|—|–|,\s+(?:and|but|while|as)\s+|\b(?:that|which|where|in\s+which|while|and|but|after|as|"
                           r"when|because|although|though|said|says|say|told|reported|claimed|added|confirmed|insisted|"
                           r"stated|denied|denies|deny|acknowledged|admitted|announced|believe|believes)\s+(?=\S)")
# Dashes, brackets and non-restrictive relative clauses ("the city, which they call Shushi, had been taken")
_PARENTHETICAL = re.compile(r"\s[–—]\s[^–—]*\s[–—](?:\s|$)|\([^)]*\)|,\s+(?:which|who)\s+[^,;]{1,80},")
_GARRISON_AT = re.compile(r"^(?:the\s+)?(?:personnel|troops|soldiers|forces|garrison|defenders|fighters|"
                          r"units?)\s+(?:\w+\s+)?(?:at|in|of)\s+", re.I)


_NEXT_WORD = re.compile(r"\s+([a-z]+)\b")
_RECENT = re.compile(_RUN.pattern + r"|(?P<capital>\bthe\s+capital\b(?!\s+of\b))")  # not "the capital of X state"


def recent_place(text: str, end: int, gaz: Gazetteer, country: str | None,
                 salient: frozenset[int] = frozenset(), focus: int | None = None,
                 small: bool = False, window: int = 800) -> tuple[str, Place] | None:
    """The city that "the city" or "there" before ``text[end]`` refers to, as (surface, place).

    The story's focus (``focus``: the main place of the last sentence that reported a
    change) if it is named within the window; else the latest named city already reported
    changing hands (``salient``), since the story's subject outranks a city named in
    passing ("Wad Madani, 180 km from the capital Khartoum ... the capture of the city");
    else the latest named city. "the capital" counts as a mention of the country's capital.
    With ``small`` ("the town", "the village") capitals and big cities are not candidates.
    """
    first = changed = None
    for surface, place in _places_backwards(text, end, gaz, country, window):
        if small and (place.is_national_capital or place.population >= BIG_CITY_POPULATION):
            continue
        if place.geonameid == focus:
            return surface, place
        if changed is None and place.geonameid in salient:
            changed = surface, place
        if first is None:
            first = surface, place
        if first and not salient:
            break
    return changed or first


def _places_backwards(text: str, end: int, gaz: Gazetteer, country: str | None, window: int):
    start = max(0, end - window)
    for run in reversed(list(_RECENT.finditer(text, start, end))):
        surface = run.group()
        if run.group("capital"):
            capital = gaz.capital_of(country)
            if capital is not None:
                yield capital.name, capital
            continue
        name = POSSESSIVE_END.sub("", surface)
        if not _is_name(name, gaz) or PERSON_TITLES.search(text, start, run.start()):
            continue
        following = _NEXT_WORD.match(text, run.end())
        if following and _NOT_PLACE_HEAD.match(following.group(1).lower()):
            continue  # "the Vostok units", "Kherson officials": the name qualifies people
        place = gaz.resolve(name, country)  # whole runs only: "Human" in "Human Rights" is no place
        if place is not None and place.kind == "city":
            yield name, place


def classify(mention: PlaceMention, place: Place | None) -> str:
    """The place_type of a mention: from its noun, else from the gazetteer entry."""
    if mention.place_type == "region" and place is not None and place.kind == "admin1":
        return "province"
    if mention.place_type:
        return mention.place_type
    if place is None:
        return "other"
    if place.kind == "admin1":
        return "province"
    return "city" if place.population >= POPULATION_OF_CITY or place.is_national_capital else "town"
