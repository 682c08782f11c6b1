"""Reading one article: which sentences may hold signals, the extractor of each kind of
signal, and the assembly of the :class:`Extraction`."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from ..gazetteer import Gazetteer, Place, fold_name
from . import attribution, casualties, deployments
from .article import Article, place_fields
from .cleanup import anaphoric_denials, dedupe_distances, dedupe_territory, derived_distances, same_place
from .distance import (CLOSE_TO_LINK, LANDMARK_WORDS, PRESENCE_TRIGGER, TARGET_LINK, UNIT_KEYWORDS,
                       describes_a_place, force_is_subject, imagined_position, is_proximity_sentence,
                       locates_a_place, looks_like_length, retreat_destination)
from .keywords import ASCII_LOWER, keyword_pattern
from .lexicon import MONTH_NAMES, NAME_ARTICLE, PLACE_NOUN_TYPES, force_phrase_before, is_title_case, untitle
from .model import Casualty, Deployment, DistanceClaim, Extraction, TerritoryChange
from .places import POSSESSIVE_END, PlaceMention, antecedent_of_relative, chunk_after, chunk_before, recent_place
from .territory import KEYWORDS as TERRITORY_KEYWORDS
from .territory import actor_before, agent_after, hints_in, trigger_hits, unrealised_at
from .units import DISTANCE, distance_of

# Derived distances are computed for places within this distance of their national capital.
NEAR_CAPITAL_KM = 150.0
# Words without which a sentence holds no signal of a kind: found in one pass over the article,
# so that the extractors only look at sentences that may hold something.
_KINDS_OF_WORD: dict[str, set[str]] = {}
for _kind, _words in (("territory", TERRITORY_KEYWORDS), ("casualties", casualties.KEYWORDS),
                      ("deployments", deployments.KEYWORDS), ("denial", attribution.DENIAL_KEYWORDS)):
    for _word in _words:
        _KINDS_OF_WORD.setdefault(_word, set()).add(_kind)
_SIGNAL_WORDS = keyword_pattern(_KINDS_OF_WORD)
_UNIT_WORDS = keyword_pattern(UNIT_KEYWORDS, word_start=False)
# The longest keyword found at a position stands for every keyword it begins with.
_KINDS_OF_MATCH = {w: frozenset().union(*(k for v, k in _KINDS_OF_WORD.items() if w.startswith(v)))
                   for w in _KINDS_OF_WORD}
_LEADING_NAME = re.compile(r"(?:the\s+)?([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)")
_LEADING_DETERMINERS = re.compile(r"^(?:(?:the|its|their|his|her)\s+|[A-Z][\w-]*['’]s\s+)+")
_QUOTES_AS_SPACES = str.maketrans({q: " " for q in "\"“”"})
_OWNER_OF_CONTROL = re.compile(r"(\w+)\s+control\b")
_RELATIVE = re.compile(r"\b(?:that|which)\s+(?:[\w'’-]+\s+){1,5}$|"
                       # "the fourth town they have captured": a relative clause without its pronoun
                       r"\b(?:towns?|city|cities|capitals?|villages?|bases?|strongholds?)\s+(?:they|it|the\s+\w+)\s+"
                       r"(?:have\s+|has\s+|had\s+)?(?:now\s+|so\s+far\s+|already\s+)?$")
_MONTH = rf"(?-i:{MONTH_NAMES})\b"
# A nation's force (or "it", the place itself) as the subject of an encirclement: "the Ukrainians were encircled"
_TRAPPED_SUBJECT = re.compile(r"(?:\bthe\s+[A-Z][a-z]+(?:ians|ans|ese|is)|(?:said|says|that)\s+it)\s+$")
_INCLUDING = re.compile(r"[^,;]{0,60}?,\s*including\s+")
_NO_OBJECT = re.compile(r"\s*(?:[,.;:!?]|$|(?:on|in|at|during|after|before|since|until|when|as|last|this|earlier)\b|" + _MONTH + r")")
# "which insurgents seized June 11", "that they took last December": the antecedent changed hands before
_DATED = re.compile(r"\s*(?:on\s+)?(?:" + _MONTH + r"\s+\d{1,2}\b|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH + r"|"
                    r"(?:last|in)\s+" + _MONTH + r"|in\s+(?:19|20)\d\d)")
_AND_FROM = re.compile(r"[^,.;]{0,60}?\band\s+(?:also\s+)?from\s+")
_IN_CLAUSE = re.compile(r"\b(?:in|at|inside)\s+(?=(?:all\s+)?(?:areas\s+of\s+)?(?:the\s+)?[A-Z])")
_CAPITAL_TARGET = re.compile(
    r"(?:the\s+)?(?:(?P<dem>[A-Z][\w'’]*)\s+)?capital(?:\s+city)?\b(?!\s+of\b)"
    r"(?:,?\s+(?P<name>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*))?")
_CITY_OF = re.compile(r"(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:city|town|village|capital)\s+of\s+"
                      r"(?P<name>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")
_APPOSED_NAME = re.compile(r"(?:\s+(?:state|province|region|governorate|oblast|district))?,\s+"
                           r"(?P<name>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")
# "the enclave's largest city Stepanakert", "the regional capital Pemba", "the larger port town of X":
# a description of the reference city followed by its name.
_DESCRIBED_CITY = re.compile(
    r"(?:the\s+)?(?:[A-Za-z][\w-]*['’]s?\s+|(?<=the\s)(?:[A-Z][\w-]*\s+){1,2})?"
    r"(?:(?!(?:and|or|but|the|a|an|of|to|in|on|at|by|with|from|for|as|that|which|is|was|were|are)\b)[a-z][\w-]*\s+){0,3}?"
    r"(?:capital|city|town|village|port|hub|stronghold|seat)(?:\s+city)?(?:\s*,\s*|\s+of\s+|\s+)"
    rf"(?P<name>{NAME_ARTICLE}?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")
_THE_CITY = re.compile(r"the\s+(?:city|town)(?:\s+(?:centre|center))?\b", re.IGNORECASE)
# "the riverside capital", "the southern port city", "the regional capital" without a name: the
# reference city described by the story's words. A national capital unless the adjective makes it
# a lesser seat (then the city the story is about).
_DESCRIBED_ANAPHOR = re.compile(
    r"the\s+(?P<adjs>(?:(?!(?:capital|city|town|of|and|or)\b)[A-Za-z][\w-]*\s+){1,3})(?P<noun>capital|city|town)\b"
    r"(?!\s+(?:of\b|city\b|[A-Z])|\s*,\s*[A-Z]|['’])")
_CALLED = re.compile(r"\s*,?\s*(?:which|that)\s+is\s+(?:also\s+)?(?:called|named|known\s+as)\s+"
                     r"(?P<name>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")
_LESSER_SEAT = frozenset("regional provincial state district county rebel former de facto local".split())
# "Gao's outskirts", "Herat's southern city limits": the city itself.
_NAME_PARTS = re.compile(r"['’]s\s+(?:(?:northern|southern|eastern|western|north|south|east|west)\w*\s+)?"
                         r"(?:city\s+|town\s+)?(?:centre|center|limits|outskirts|suburbs|edge|gates|heart|downtown)\b",
                         re.IGNORECASE)
_CENTRE_OF = re.compile(r"(?:the\s+)?(?:(?:north|south|east|west)\w*\s+)?(?:(?:(?:city|town)\s+)?(?:centre|center|limits)|heart|outskirts|"
                        r"edge|suburbs|gates|entrances?|approaches|boundary|borders?(?=\s+of\s+the\s+(?:\w+\s+)?(?:city|town|capital)))\s+of\s+",
                        re.IGNORECASE)
_ITS_CENTRE = re.compile(r"(?:its|the\s+city['’]s|the\s+town['’]s)\s+(?:centre|center|outskirts|edge|heart)\b|"
                         # "within 20 km of the northern entrance": of the city the story is about
                         r"the\s+(?:(?:north|south|east|west)\w*\s+)?(?:entrance|outskirts|city\s+limits|suburbs)\b(?!\s+(?:of|to)\b)",
                         re.IGNORECASE)
_NAME = re.compile(rf"{NAME_ARTICLE}?[A-Z][\w'’‘ʿ-]*(?:\s+{NAME_ARTICLE}?[A-Z][\w'’‘ʿ-]*)*")
def _territory_in(art: Article, i: int, present: set[str] | None = None) -> list[TerritoryChange]:
    sentence = art.sentences[i]
    headline = is_title_case(sentence.text)
    text = untitle(sentence.text) if headline else sentence.text
    if '"' in text or "“" in text or "”" in text:
        text = text.translate(_QUOTES_AS_SPACES)  # scare quotes: had "liberated" the village
    changes = []
    if art.holding or art.entries:
        art.holding, art.entries = set(), set()
    for trig, m, negated in trigger_hits(text, present, art.lowered[sentence.start:sentence.end], headline):
        mentions: list[PlaceMention] = []
        dated_relative = False
        if trig.slot == "after":
            mentions, end = chunk_after(text, m.end(), art.gaz)
            more = _AND_FROM.match(text, end) if mentions and "from" in m.group().lower() else None
            # "withdrawal from the west bank, including the city of X"; "entered several settlements, including X"
            including = _INCLUDING.match(text, end) if (trig.event == "withdrawn_from" or not any(
                x.name or (x.anaphor and not _is_plural_anaphor(x)) for x in mentions)) else None
            if more:
                mentions += chunk_after(text, more.end(), art.gaz)[0]
            elif including:
                mentions = [x for x in mentions if x.name or (x.anaphor and not _is_plural_anaphor(x))] + [
                    x for x in chunk_after(text, including.end(), art.gaz)[0] if x.name]
            elif (not mentions and _NO_OBJECT.match(text, m.end())
                  and _RELATIVE.search(text, max(0, m.start() - 60), m.start())):
                # "one of the cities that the forces managed to control": the object is the antecedent
                mentions = [PlaceMention("it", "", None, anaphor=True)]
                dated_relative = bool(_DATED.match(text, m.end()))
                if dated_relative:  # "the city of X, 80 miles north of Y, which rebels seized June 11": X
                    mentions = _relative_antecedent(art, text, m.start()) or mentions
        elif trig.slot == "before":
            mentions = chunk_before(text, m.start(), art.gaz)
            if not mentions and trig.event == "encircled" and _TRAPPED_SUBJECT.search(text, max(0, m.start() - 60), m.start()):
                mentions = [PlaceMention("there", "", None, anaphor=True)]  # "the troops were encircled": where they are
        elif trig.slot == "recent":
            mentions = [PlaceMention("there", "", None, anaphor=True)]
        elif trig.slot == "np":  # the pattern delimits the noun phrase ("cleared X of militants")
            mentions = chunk_after(text[:m.end("np")], m.start("np"), art.gaz)[0]
        else:  # "clause": an intransitive withdrawal; the place is named earlier in the clause
            within = list(_IN_CLAUSE.finditer(text, max(0, m.start() - 120), m.start()))
            if within:
                mentions = chunk_after(text, within[-1].end(), art.gaz)[0]
            else:  # "denied that fighters had withdrawn": from where the last change was
                mentions = [PlaceMention("there", "", None, anaphor=True)]
        named = [x for x in mentions if x.name]
        if len(named) > 1:
            art.last_group = named
        mentions = [y for x in mentions for y in (_plural_antecedents(art, x) if _is_plural_anaphor(x) else [x])]
        for mention in mentions:
            resolved = art.resolve(mention, i, m.start())
            if resolved is None:
                continue
            spot, confidence = resolved
            if (trig.ground or m.groupdict().get("armed")) and (mention.name is None and mention.text not in {"it", "there"} and not _THE_TOWN.fullmatch(mention.text)
                                or (spot.place_type in {"province", "region"} and not (trig.event == "contested" and _listed_district(mention)))):
                continue  # "attacked villages near X", "attacking the Kharkiv region", "clashes in the region"
            if (trig.slot == "recent" and trig.event == "withdrawn_from" and not (art.spots and art.spots[-1][0] >= i - 3)
                    and not (spot.place is not None and spot.place.geonameid in art.salient)):
                continue  # "troops were retreating": from a place reported changing hands, not any city named
            if mention.anaphor and len(spot.text) > 3 and _ALL_CAPS.fullmatch(spot.text):
                continue  # "it", "the city" standing for a dateline ("MOGADISHU (Reuters) -")
            if mention.name and _ALL_CAPS.fullmatch(mention.name) and (
                    spot.place is None or len(mention.name) > 3 or (art.country and spot.place.country != art.country)):
                continue  # "AMISOM", "UN": organisations; "BAGHDAD (Reuters) -": a dateline; "CAR town"
            if mention.name and mention.text != mention.name and (
                    (_VAGUE_DESCRIPTION.match(mention.text) and (headline or _is_first_line(art, i)))
                    or (_AREA_OF.match(mention.text) and _indefinite(text, mention.text))):
                continue  # a headline's "key areas in Sennar": the body names them
            if spot.place is None and mention.name and headline:
                continue  # every word of a headline looks like a name
            if mention.name is None and not mention.anaphor and _vague(mention, headline or _is_first_line(art, i)):
                continue  # "two key towns", "key areas in the south": named later, if at all
            if spot.place is None and mention.name and not mention.place_type:  # an unknown bare name
                if _looks_like_a_person(text, mention.name) or "fall of" in m.group().lower():
                    continue  # "captured Abu Mohammed, a commander", "the fall of Assad"
            art.spots.append((i, spot))
            if spot.place is not None and spot.place.geonameid is not None:
                art.surface_of.setdefault(spot.place.geonameid, spot.text)
            stance, claimant = art.stance(i, m.start())
            if negated:  # "Shusha is not taken": the speaker denies the change
                stance = "denied" if stance == "asserted" else stance
            elif trig.ended or dated_relative:  # "broke the siege of X", "which rebels seized June 11": background
                stance = "historical"
            event = trig.event
            if event in {"captured", "recaptured"} and trig.slot == "before" and _PART_SUBJECT.search(text, 0, m.start()):
                event = "contested"  # "most parts of X came under rebel forces": partly held
                art.entries.add(len(changes))
            if event in {"captured", "recaptured"} and trig.slot == "after" and _PART.match(text, m.end()):
                event = "contested"  # "seized parts of the town": partly held
                art.entries.add(len(changes))
            new, old = _controllers(trig.event, trig.slot, text, m)
            if trig.holds:
                art.holding.add(len(changes))
            elif trig.entry:
                art.entries.add(len(changes))
            changes.append(TerritoryChange(
                place=spot.text, place_type=spot.place_type, new_controller=new, old_controller=old,
                event=event, claimed_by=claimant, stance=stance, quote=art.quote(i),
                confidence=confidence, population=spot.place.population if spot.place else None,
                is_national_capital=bool(spot.place and spot.place.is_national_capital),
                is_admin1_capital=bool(spot.place and spot.place.is_admin1_capital),
                sentence_index=i, span=art.span(i), **place_fields(spot.place)))
    if art.entries:
        art.entry_changes.extend(changes[k] for k in sorted(art.entries))
    if not art.holding:
        return changes
    art.holding_changes.extend(changes[k] for k in sorted(art.holding))
    return [c for k, c in enumerate(changes) if k not in art.holding]


_FULL_CONTROL = re.compile(r"\b(?:is|are|remains?)\s+(?:still\s+)?in\s+(?:full|complete|total|firm)\s+control\s+of\b", re.IGNORECASE)


def _contradicting_controls(changes: list[TerritoryChange]) -> list[TerritoryChange]:
    """"The D Army is in full control of X" after another side claimed or attempted X is a denial of
    that side's capture, not a capture of its own."""
    out = []
    for c in changes:
        if c.event == "captured" and c.stance == "asserted" and _FULL_CONTROL.search(c.quote or "") and any(
                e.sentence_index < c.sentence_index and e.stance == "asserted" and same_place(e, c)
                and not _same_side(e.new_controller, c.new_controller) and (
                    (e.event in {"captured", "lost"} and e.claimed_by != c.claimed_by)
                    or (e.event in {"captured", "contested"} and e.new_controller and c.new_controller))
                for e in changes):
            c = replace(c, stance="denied")
        out.append(c)
    return out


def _same_side(a: str | None, b: str | None) -> bool:
    """Two controller names that share a word ("rebels", "the rebels' coalition")."""
    if not a or not b:
        return False
    return bool({w.lower() for w in re.findall(r"\w{4,}", a)} & {w.lower() for w in re.findall(r"\w{4,}", b)})


_WHICH = re.compile(r",\s*(?:which|that)\s")


def _relative_antecedent(art: Article, text: str, position: int) -> list[PlaceMention]:
    """The place a ", which ..." clause before ``position`` is about."""
    which = list(_WHICH.finditer(text, max(0, position - 60), position))
    return antecedent_of_relative(text[:which[-1].start()], art.gaz) if which else []


def _confirmed_holdings(art: Article, changes: list[TerritoryChange]) -> list[TerritoryChange]:
    """"The army is still in control of X" denies a capture of X only where one is reported."""
    return [h for h in art.holding_changes
            if any(c.event in {"captured", "lost"} and c.stance == "asserted" and same_place(c, h) for c in changes)]


def text_position(art: Article, change: TerritoryChange) -> int:
    """Where a change's place is first named in its sentence (for picking the main one)."""
    sentence = art.sentences[change.sentence_index].text
    where = sentence.find(change.place.split(" ")[0])
    return where if where >= 0 else len(sentence)


_THE_TOWN = re.compile(r"(?:(?:the|this|that)\s+)?(?:town|city|village|capital)", re.IGNORECASE)
_PART = re.compile(r"\s*(?:the\s+)?(?:[\w-]+\s+)?(?:parts?|half|sections?|neighbou?rhoods?\s+of|districts\s+of)\s+of\b|"
                   r"\s*(?:the\s+)?(?:[\w-]+\s+)?(?:parts?|half|sections?)\b", re.IGNORECASE)
# A subject that is part of a place: "Most parts of X", "half of the town"
_PART_SUBJECT = re.compile(r"(?:^|[,;:]\s*|\b(?:and|but|that|after|as|while)\s+)(?:the\s+)?(?:most|large|some|many|several|parts?|half|sections?)\s+"
                           r"(?:(?:parts?|sections?)\s+)?of\s+(?:the\s+)?[^,;:]{1,50}$", re.IGNORECASE)


def _listed_district(mention: PlaceMention) -> bool:
    """A named district of a list ("the districts of A and B"), not "the X region"."""
    return bool(mention.name) and mention.text == mention.name


_AREA_OF = re.compile(r"(?:\w+\s+)?(?:area|zone|part|region|territory|stretch|pocket)\s+(?:of|outside|near|around|in)\s", re.I)


def _indefinite(text: str, phrase: str) -> bool:
    """The sentence names the phrase with an indefinite article ("an area outside X")."""
    at = text.find(phrase)
    return at >= 3 and text[max(0, at - 3):at].lower() in {" a ", "an "}



_DESCRIBED_AROUND = re.compile(r"\b(?:of|near|outside|around|from|in)\s", re.ASCII)
_ALL_CAPS = re.compile(r"[A-Z][A-Z'’-]+(?:\s+[A-Z][A-Z'’-]+)*s?")
# A description of a place that names nothing: a count or a quantity of places ("two key towns",
# "some districts") or areas of a country; headlines describe what the body names.
_VAGUE_DESCRIPTION = re.compile(r"^(?:(?:\w+\s+){0,2}(?:two|three|four|five|six|several|some|many|dozens|\d+)\s|"
                                r".*\bcountry['’]s\b|(?:key|strategic|important|vast|large|more)\s+(?:\w+\s+)?(?:areas?|parts|territory|territories|districts?|regions?)\b)",
                                re.IGNORECASE)


_CAPITALISED = re.compile(r"\b[A-Z]")
_OFF_THE_CAPITAL = re.compile(r"\b(?:north|south|east|west)\w*\s+of\s+the\s+capital\b")  # resolvable
# "a strategic town 30 km north of the capital": a lede's teaser, the body names the town
_TEASER = re.compile(r"(?:(?:a|an|the)\s+)?(?:key|strategic|important|major|vital)\s", re.IGNORECASE)


def _vague(mention: PlaceMention, headline: bool) -> bool:
    """A nameless description names a place only when anchored on one ("towns 10 km from X",
    "villages near Bunia", "villages near the city", "a town 140 km from the capital");
    "villages", "small towns in the south of the country" and a teaser ("a strategic town 30 km
    from the capital") leave the place unnamed."""
    text = mention.text
    if mention.place_type in {"facility", "base"}:
        return headline or bool(_VAGUE_DESCRIPTION.match(text))  # "the presidential palace": in the story's city
    if (DISTANCE.search(text) and not _TEASER.match(text)) or (not headline and re.search(r"\b(?:in|near|outside|around)\s+(?:(?:[a-z]+\s+)?[A-Z]|the\s+(?:area|city|town|region|province|capital)\b)", text)):
        return False  # "towns 10 km from X", "villages near Bunia": a place of its own
    if not _CAPITALISED.search(text) and not _OFF_THE_CAPITAL.search(text):
        return True  # no name to resolve: the body names it, if at all
    return headline or bool(_VAGUE_DESCRIPTION.match(text))


def _is_first_line(art: Article, i: int) -> bool:
    """The first line of the text, when it is a headline (no full stop)."""
    return i == 0 and not art.sentences[0].text.rstrip().endswith((".", "!", "?", "\"", "”"))
_PERSON_NAME_START = re.compile(r"^(?:Abu|Abd|Abdel|Abdul|Abdullah|Mohammed|Muhammad|Ahmed|Ahmad|Ali|Sheikh|"
                                r"Mullah|Imam|Emir|Gen|General|Col|Colonel|Commander|President|Mr|Mrs|Ms)\b")
_PERSON_APPOSITION = re.compile(r"\s*,\s*(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:commander|leader|chief|spokes\w+|"
                                r"official|member|fighter|militant|general|colonel|officer|minister|president|"
                                r"son|brother|head|founder|emir|cleric)\b")


def _looks_like_a_person(text: str, name: str) -> bool:
    """An unknown name that reads as a person's: "Abu Mohammed", "X, a senior commander"."""
    if _PERSON_NAME_START.match(name):
        return True
    where = text.find(name)
    return where >= 0 and bool(_PERSON_APPOSITION.match(text, where + len(name)))


_COUNT_IN_ANAPHOR = re.compile(r"^the (\d) ")


def _plural_antecedents(art: Article, mention: PlaceMention) -> list[PlaceMention]:
    """"the towns": the places listed last; "all three towns", "both": the last N places named."""
    counted = _COUNT_IN_ANAPHOR.match(mention.text)
    if not counted:
        return art.last_group
    n = int(counted.group(1))
    if len(art.last_group) == n:
        return art.last_group
    seen: dict[str, PlaceMention] = {}
    for _, spot in reversed(art.spots):
        key = fold_name(spot.text)
        if spot.place_type in {"city", "town", "other", ""} and key not in seen:
            seen[key] = PlaceMention(spot.text, spot.place_type, spot.text)
        if len(seen) == n:
            return list(reversed(seen.values()))
    return []


def _is_plural_anaphor(mention: PlaceMention) -> bool:
    """"the towns", "the cities": the places just listed (not "their positions": one place)."""
    return (mention.anaphor and mention.name is None and mention.text.endswith("s")
            and mention.place_type in {"city", "town", "region"})


def _controllers(event: str, slot: str, text: str, m: re.Match) -> tuple[str | None, str | None]:
    """(new_controller, old_controller) as far as the sentence states them."""
    if event in {"lost", "withdrawn_from"}:
        if slot == "before" and event == "lost":
            owner = _OWNER_OF_CONTROL.search(m.group())  # "no longer under government control"
            return None, owner.group(1) if owner and owner.group(1).lower() not in {"under", "in"} else None
        if slot == "before" and m.group().lower().endswith(" by"):  # "X was abandoned by the army"
            return None, agent_after(text, m.end(), preposition_done=True)
        return None, actor_before(text, m.end())
    if slot == "before":
        return agent_after(text, m.end(), preposition_done=m.group().lower().endswith("to")), None
    return actor_before(text, m.start()), None


# ---- distances -------------------------------------------------------------------------
def _distance_target(art: Article, i: int, position: int) -> tuple[str, Place] | None:
    """The settlement a distance is measured from, or None (border, landmark, country, unknown)."""
    text = art.sentences[i].text
    centre = _CENTRE_OF.match(text, position)
    if centre:
        position = centre.end()
    capital = _CAPITAL_TARGET.match(text, position)
    if capital and (capital["dem"] is None or art.gaz.country_of_word(capital["dem"])):
        if capital["name"]:
            place = art.gaz.resolve(capital["name"], art.country)
            if place is not None:
                return capital["name"], place
        if capital["dem"] is None:
            named = art.capital_named_before(i, position)  # "closer to Kyiv ... 30 km from the capital"
            if named:
                return named
        country = art.gaz.country_of_word(capital["dem"]) if capital["dem"] else art.country
        place = art.gaz.capital_of(country)
        return (place.name, place) if place else None
    city_of = _CITY_OF.match(text, position)
    if city_of:
        named = _APPOSED_NAME.match(text, city_of.end())  # "the capital of X state, El Obeid"
        if named:
            place = art.gaz.resolve(named["name"], art.country)
            if place is not None and place.kind == "city":
                return named["name"], place
        place = art.gaz.resolve(city_of["name"], art.country)
        return (city_of["name"], place) if place else None
    described = _DESCRIBED_CITY.match(text, position)
    if described:
        name = POSSESSIVE_END.sub("", described["name"])
        place = art.gaz.resolve(name, art.country)
        if place is not None and place.kind == "city" and not art.gaz.country_of_word(name):
            return name, place
    anaphor = _DESCRIBED_ANAPHOR.match(text, position)
    if anaphor:
        return _described_anaphor(art, i, position, anaphor)
    the_city = _THE_CITY.match(text, position) or _ITS_CENTRE.match(text, position)
    if the_city:
        focus = next((f for j, f in reversed(art.focus_history) if j <= i), None)
        return recent_place(art.text, art.sentences[i].start + position, art.gaz, art.country,
                            frozenset(art.salient), focus, small="town" in the_city.group().lower())
    name = _NAME.match(text, position)
    if not name:
        return None
    possessive = POSSESSIVE_END.search(name.group())
    if possessive and _NAME_PARTS.match(text, name.start() + possessive.start()):
        surface = name.group()[:possessive.start()]  # "Gao's outskirts": Gao
        place = art.gaz.resolve(surface, art.country)
        return (surface, place) if place is not None and place.kind == "city" else None
    after = text[name.end():name.end() + 3]
    words = name.group().split()
    if after[:1] in ("'", "’") or words[-1].lower() in LANDMARK_WORDS or art.gaz.country_of_word(name.group()):
        return None
    place = art.gaz.resolve(name.group(), art.country)
    if place is None or place.kind != "city":
        return None
    return name.group(), place


def _described_anaphor(art: Article, i: int, position: int, m: re.Match) -> tuple[str, Place] | None:
    """"the riverside capital" is the national capital (one named nearby first); "the southern
    port city" or "the regional capital" is the city the story is about."""
    text = art.sentences[i].text
    called = _CALLED.match(text, m.end())
    if called:  # "the regional capital, which is also called X"
        place = art.gaz.resolve(called["name"], art.country) or art.gaz.resolve(called["name"])
        return (called["name"], place) if place is not None and place.kind == "city" else None
    adjs = set(m["adjs"].lower().split())
    if m["noun"] == "capital" and (not m["adjs"].islower() or "rebel" in adjs):
        return None  # "the Kurdish capital", "the rebel capital": not the nation's
    if m["noun"] == "capital" and not adjs & _LESSER_SEAT:
        named = art.capital_named_before(i, position)
        if named:
            return named
        place = art.gaz.capital_of(art.country)
        return (place.name, place) if place else None
    return _story_city(art, i, position, small=m["noun"] == "town")


def _story_city(art: Article, i: int, position: int, small: bool) -> tuple[str, Place] | None:
    """The city "the lakeside city" stands for: the story's focus or the last city named, but not
    the place the distance is apposed to ("took Sake, 27 km from the lakeside city")."""
    text = art.sentences[i].text
    focus = next((f for j, f in reversed(art.focus_history) if j <= i), None)
    end = art.sentences[i].start + position
    for _ in range(3):
        found = recent_place(art.text, end, art.gaz, art.country, frozenset(art.salient), focus, small=small)
        at = text.rfind(found[0], max(0, position - 100), position) if found else -1
        if at < 0 or not text.startswith(",", at + len(found[0])):
            return found  # named before but not apposed to the distance: the reference itself
        end = art.sentences[i].start + at
    return None


def _anchor_in_ledger(text: str, start: int, ledger_keys: set[str]) -> bool:
    """True when the place whose distance is given ("Ghazni is some 80 miles ...") changed hands."""
    window = text[max(0, start - 90):start]
    window = window[window.rfind(". ") + 1:]
    for run in _NAME.finditer(window):
        words = POSSESSIVE_END.sub("", run.group()).split()
        for a in range(len(words)):
            for b in range(a + 1, min(len(words), a + 4) + 1):
                if fold_name(" ".join(words[a:b])) in ledger_keys:
                    return True
    return False


# The longest qualified number before a unit: "an estimated distance between 15 and 20 ".
_QUALIFIED_NUMBER_CHARS = 50


def _distance_matches(text: str) -> list[re.Match]:
    """Distance expressions, searched only around unit words (the full grammar is costly)."""
    found: dict[int, re.Match] = {}
    for unit in _UNIT_WORDS.finditer(text.translate(ASCII_LOWER)):
        m = DISTANCE.search(text, max(0, unit.start() - _QUALIFIED_NUMBER_CHARS), min(len(text), unit.end() + 45))
        while m and m.start() < unit.end():
            found.setdefault(m.start(), m)
            m = DISTANCE.search(text, m.end(), min(len(text), unit.end() + 45))
    return [found[k] for k in sorted(found)]


_ANAPHORIC_SUBJECT = re.compile(r"^(?:the\s+(?:town|city|village|base)|it)\b", re.IGNORECASE)
# "in the town, located 105 km from X", "the city, which lies 40 km from X": the place is an anaphor
_ANAPHOR_IN_WINDOW = re.compile(r"\bthe\s+(?P<noun>town|city|village)\W{0,3}(?:\s+(?:which|that)\s+(?:is|lies|sits|was))?"
                                r"(?:\s+(?:located|situated|lying|some|about|around|only|just|roughly))*\s*$", re.IGNORECASE)


def _anaphoric_anchor_in_ledger(art: Article, i: int, start: int, ledger_keys: set[str]) -> bool:
    """"The town lies some 90 km from Goma" or "in the town, located 105 km from X", where the
    town is the one just taken (named in the sentence before, or the story's focus)."""
    text = art.sentences[i].text
    in_window = _ANAPHOR_IN_WINDOW.search(text, max(0, start - 60), start)
    subject = start <= 120 and _ANAPHORIC_SUBJECT.match(text)
    if not (in_window or subject):
        return False
    if i and subject:
        names = [POSSESSIVE_END.sub("", run) for run in _NAME.findall(art.sentences[i - 1].text)]
        if any(fold_name(name) in ledger_keys for name in names):
            return True
    focus = next((f for j, f in reversed(art.focus_history) if j <= i), None)
    small = bool(in_window and in_window["noun"].lower() != "city") or bool(
        subject and subject.group().lower() != "the city")
    found = recent_place(art.text, art.sentences[i].start + (in_window.start() if in_window else 0), art.gaz,
                         art.country, frozenset(art.salient), focus, small=small)
    return bool(found) and (fold_name(found[0]) in ledger_keys or fold_name(found[1].name) in ledger_keys)


# "Abidjan, only 230 km away", "Maiduguri, the state capital about 70 km away": the reference
# place is named before the distance.
_AWAY = re.compile(r"\s*(?:away\b(?!\s+(?:from|of)\b)|to\s+the\s+(?:north|south|east|west)\w*\b(?!\s+of\b))", re.IGNORECASE)
_BEARING_AND = re.compile(r"\s*(?:north|south|east|west)\w*\s+and\s+(?=\S*\d)", re.IGNORECASE)
_CLAUSE_BEFORE = re.compile(r"(?:^|[;:(]|\b(?:be|is|was|for|to|toward|towards|on|at|as|of|and|that)\s)(?=[^;:(]*$)")


def _target_before(art: Article, text: str, start: int) -> tuple[str, Place] | None:
    """The city named just before "<distance> away": "destined for Abidjan, only 230 km away"."""
    head = text[max(0, start - 120):start].rstrip()
    if not head.endswith(","):
        # "X, the state capital about 70 km away": skip the descriptor back to its comma
        comma = head.rfind(",")
        descriptor = head[comma + 1:] if comma >= 0 else ""
        if comma < 0 or not re.match(r"\s*(?:the|a|an)\s", descriptor) or _NAME.search(descriptor):
            return None
        head = head[:comma + 1]
    head = head[:-1]
    runs = list(_NAME.finditer(head))
    if not runs or runs[-1].end() != len(head.rstrip()):
        return None
    name = POSSESSIVE_END.sub("", runs[-1].group())
    if art.gaz.country_of_word(name):
        return None
    place = art.gaz.resolve(name, art.country)
    return (name, place) if place is not None and place.kind == "city" else None


# Between a presence word and the place it governs: "control of the northwest city of", "fighting
# yesterday in" (no other verb or name: "the capture of A opens the road to B" is no presence at B).
_GOVERNED_PLACE = re.compile(
    r"(?:\s+(?:of|in|at|into|inside|near|around|the|a|an|key|strategic|also|heavy|fierce|yesterday|today|"
    r"was|were|is|are|been|has|have|had|reported|continued|continuing|raged|raging|erupted|broke|out|"
    r"overnight|\w+day|(?:north|south|east|west)\w*|central|town|city|village|district|port|border|garrison|"
    r"provincial|regional|capital))*\s+", re.IGNORECASE)


# "gangs have never reached it": a presence word negated
_NEGATED = re.compile(r"\b(?:not|never|n't)\s+(?:yet\s+|been\s+|even\s+)?$", re.IGNORECASE)


# A denial of a loss: the denier says it still holds the place.
_DENIED_LOSS = re.compile(r"\b(?:den(?:y|ied|ies|ying)|reject\w*)\b[^.;]{0,80}?\b(?:lost|los(?:e|ing)|withdr\w*|"
                          r"retreat\w*|pulled\s+out|abandon\w*|fallen|fell)\b", re.IGNORECASE)


def _presence_governs_apposition(text: str, start: int) -> bool:
    """For "<verb> X, N km from C": the presence word nearest before the distance governs X ("pulled
    out of A and retreated to X, 30 km from C" places the rear, not the front); without one, a word
    after it ("X, 120 miles north of C, is now held by"). Modal, negated or retreat-to words do not count."""
    found = list(PRESENCE_TRIGGER.finditer(text))
    before = [p for p in found if p.end() <= start]
    for p in before[-1:] or found:
        if (not unrealised_at(text, p.start()) and not _NEGATED.search(text, max(0, p.start() - 25), p.start())
                and not retreat_destination(text, p)):
            return True
    return False


def _held_before_away(text: str, start: int, target: tuple[str, Place], ledger_keys: set[str]) -> bool:
    """"in control of the town of X, 180 miles away", "fighting in X, 60 miles away": X is where
    the force is, so the distance is from the city the story watches (the capital), not from X."""
    surface, place = target
    if place.is_national_capital:
        return False
    if fold_name(surface) in ledger_keys:
        return True
    at = text.rfind(surface, 0, start)
    if at < 0:
        return False
    return any(_GOVERNED_PLACE.fullmatch(text, p.end(), at) and not unrealised_at(text, p.start())
               for p in PRESENCE_TRIGGER.finditer(text, max(0, at - 50), at))


def _ledger_in_sentence(text: str, ledger_keys: set[str], skip: str) -> bool:
    """A place that changed hands is named in the sentence (other than ``skip``)."""
    skip_key = fold_name(skip)
    for run in _NAME.finditer(text):
        words = POSSESSIVE_END.sub("", run.group()).split()
        for a in range(len(words)):
            for b in range(a + 1, min(len(words), a + 4) + 1):
                key = fold_name(" ".join(words[a:b]))
                if key != skip_key and key in ledger_keys:
                    return True
    return False


_APPOSED_BEFORE = re.compile(r"(?P<np>[^,;:()]{2,80}),\s*$")


def _apposed_city(art: Article, text: str, start: int, ledger_keys: set[str]) -> tuple[str, Place] | None | bool:
    """For "<NP>, 190 km south of Bor" where Bor changed hands: the city the NP names when it is a
    capital not taken (the distance is that city's to the held place), True when the NP is itself a
    place taken (an ordinary claim), None otherwise (a position near the held place, not a claim)."""
    m = _APPOSED_BEFORE.search(text, max(0, start - 90), start)
    if not m:
        return None
    np = m["np"]
    runs = list(_NAME.finditer(np))
    if not runs:
        return None
    last_word = np.split()[-1].lower()
    if PLACE_NOUN_TYPES.get(last_word) in {"base", "facility", "other"}:
        return None
    name = POSSESSIVE_END.sub("", runs[-1].group())
    if fold_name(name) in ledger_keys:
        return True
    place = art.gaz.resolve(name, art.country)
    if place is not None and place.kind == "city" and (place.is_national_capital or place.is_admin1_capital):
        return name, place
    return None


def _distances_in(art: Article, i: int, ledger_keys: set[str], taken_keys: set[str] | None = None) -> list[DistanceClaim]:
    sentence = art.sentences[i]
    text = sentence.text
    claims = []
    matches = _distance_matches(text)
    # a force that is the subject of one distance ("forces are 10 km from A and 15 km from B")
    # makes every distance of the sentence a claim
    proximity = is_proximity_sentence(text) or any(force_is_subject(text, m.start()) for m in matches)
    for m in matches:
        if looks_like_length(text, m.start(), m.end()) or imagined_position(text, m.start()):
            continue
        link = TARGET_LINK.match(text, m.end()) or (
            "close" in (m["qual"] or "").lower() and CLOSE_TO_LINK.match(text, m.end())) or None
        distance = distance_of(m)
        if not distance:
            continue
        if link:
            target = _distance_target(art, i, link.end())
        elif _BEARING_AND.match(text, m.end()):
            second = TARGET_LINK.search(text, m.end(), min(len(text), m.end() + 60))
            target = second and _distance_target(art, i, second.end())
            link = second
        elif _AWAY.match(text, m.end()):
            target = _target_before(art, text, m.start())
            if target and _held_before_away(text, m.start(), target, ledger_keys):
                capital = art.gaz.capital_of(art.country)
                target = (capital.name, capital) if capital else None
        else:
            continue
        if not target:
            continue
        surface, place = target
        # "X lies 200 km from C" locates X; "its forces lie 270 km from C" places the force
        direct = proximity and not (locates_a_place(text, m.start()) and not force_is_subject(text, m.start()))
        if link is None:  # "<city>, N km away": measured from the force or the place it took
            direct = direct or _ledger_in_sentence(text, ledger_keys, surface)
        elif fold_name(surface) in (ledger_keys if taken_keys is None else taken_keys) and describes_a_place(text, m.start()):
            # the reference place is one that changed hands: "Juba, 190 km south of Bor" after Bor's fall
            apposed = _apposed_city(art, text, m.start(), ledger_keys)
            if apposed is None:
                continue  # "withdrew to barracks 3 km south of the town": a position by the held place
            if apposed is not True:
                surface, place = apposed
                direct = True
        if direct and link is not None and describes_a_place(text, m.start()):
            # "pushing toward X, 120 km from C": not at X yet; "an offensive to seize X, 120 km from C": neither
            direct = _presence_governs_apposition(text, m.start())
        if not direct and not (_anchor_in_ledger(text, m.start(), ledger_keys)
                               or _anaphoric_anchor_in_ledger(art, i, m.start(), ledger_keys)):
            continue
        if place.is_national_capital and art.capital_held:
            continue  # the capital is already held: nobody is approaching it
        stance, claimant = art.stance(i, m.start())
        if stance == "denied" and _DENIED_LOSS.search(text, 0, m.start()):
            stance = "asserted"  # "denied they had lost control of X, 80 km from C": they hold X
        actor = force_phrase_before(text, m.start())
        claims.append(DistanceClaim(
            actor=actor, place=surface, is_capital=place.is_national_capital, km=distance.km,
            min_km=distance.min_km, max_km=distance.max_km, claimed_by=claimant, stance=stance,
            quote=art.quote(i), confidence=0.8 if direct else 0.6, sentence_index=i,
            span=art.span(i), **place_fields(place)))
    return claims


# ---- casualties and deployments ----------------------------------------------------------
def _casualties_in(art: Article, i: int) -> list[Casualty]:
    sentence = art.sentences[i]
    return [Casualty(count=count, who=who, place=place, quote=art.quote(i),
                     claimed_by=art.claimant(i, pos), sentence_index=i,
                     span=art.span(i))
            for count, who, place, pos in casualties.casualties_in(sentence.text)]


def _deployments_in(art: Article, i: int) -> list[Deployment]:
    sentence = art.sentences[i]
    text = sentence.text
    found = []
    for kind, m, count in deployments.deployment_hits(text):
        end = chunk_after(text, m.end(), art.gaz)[1]
        country = _LEADING_NAME.match(text, m.end())
        if end == m.end() and country and art.gaz.country_of_word(country.group(1)):
            end = country.end()  # deployments to a country ("peacekeepers in Congo")
        if end == m.end():
            continue
        place = _LEADING_DETERMINERS.sub("", text[m.end():end].strip(" ,"))
        if kind == "active":
            actor = deployments.subject_before(text, m.start())
        elif kind in {"passive", "arrived"}:
            actor = (m.group("actor").strip() + " " + m.group("unit")).strip()
        else:
            actor = actor_before(text, m.end("unit") + 1)
        if actor is None:
            actor = actor_before(text, m.start())
        found.append(Deployment(actor=actor, count=count, place=place or None, quote=art.quote(i),
                                claimed_by=art.claimant(i, m.start()), sentence_index=i,
                                span=art.span(i)))
    return found


# ---- assembly ----------------------------------------------------------------------------
def _sentence_keywords(art: Article) -> dict[int, set[str]]:
    """For each sentence that may hold a signal, the keywords found in it ("" for a unit word)."""
    starts = [s.start for s in art.sentences]
    lowered = art.lowered
    found: dict[int, set[str]] = {}
    for pattern in (_SIGNAL_WORDS, _UNIT_WORDS):
        for m in pattern.finditer(lowered):
            i = bisect_right(starts, m.start()) - 1
            if i >= 0 and m.end() <= art.sentences[i].end:
                found.setdefault(i, set()).add(m.group() if pattern is _SIGNAL_WORDS else "")
    return found


def extract_article(text: str, *, title: str | None = None, published: str | None = None,
                    gazetteer: Gazetteer | None = None,
                    near_capital_km: float = NEAR_CAPITAL_KM) -> Extraction:
    """Extract all signals from one article (see :func:`pipelines.extract.extract`)."""
    art = Article(text or "", gazetteer or Gazetteer.load(), published, title)
    keywords = _sentence_keywords(art)
    candidates = sorted(keywords)
    changes, dead, moves, unit_sentences = [], [], [], []
    for i in candidates:
        kinds = set().union(*(_KINDS_OF_MATCH.get(k, ("distance",)) for k in keywords[i]))
        if "territory" in kinds:
            found = _territory_in(art, i, hints_in(keywords[i]))
            located = [c for c in found if c.geonameid and c.stance != "historical"]
            art.salient.update(c.geonameid for c in located)
            if located:
                art.focus = min(located, key=lambda c: text_position(art, c)).geonameid
                art.focus_history.append((i, art.focus))
            changes.extend(found)
        if "distance" in kinds:
            unit_sentences.append(i)
        if "casualties" in kinds:
            dead.extend(_casualties_in(art, i))
        if "deployments" in kinds:
            moves.extend(_deployments_in(art, i))
    changes = _contradicting_controls(changes)
    # places an armed actor took, lost, left or surrounded: their stated distances are the front's
    # (entries and partial captures count: the force is in the place; fighting reported there does not)
    entered = {id(c) for c in art.entry_changes}
    held = [c for c in changes if c.stance == "asserted" and (
        c.event not in {"contested", "recaptured"} or (c.event == "contested" and id(c) in entered))]
    # the names inside a place ("Habila town garrison": Habila), not the anchor of a description
    # ("positions north of Kabul", "outskirts of X": Kabul itself did not change hands)
    ledger_keys = {fold_name(name) for c in held
                   for name in (c.place, *(() if _DESCRIBED_AROUND.search(c.place) else _NAME.findall(c.place)))}
    # places an armed actor took (not those a side merely left): a distance to one of them is
    # measured from near a place the attacker already holds
    taken_keys = {fold_name(c.place) for c in held if c.event != "withdrawn_from"}
    distances = [d for i in unit_sentences for d in _distances_in(art, i, ledger_keys, taken_keys)]
    denials = [i for i in candidates if any("denial" in _KINDS_OF_MATCH.get(k, ()) for k in keywords[i])]
    more_changes, more_distances = anaphoric_denials(art, denials, changes, distances)
    changes = dedupe_territory(changes + more_changes + _confirmed_holdings(art, changes),
                               entries={id(c) for c in art.entry_changes}, side_of=art.side_of)
    return Extraction(
        country=art.country,
        distance_claims=tuple(dedupe_distances(distances + more_distances)),
        territory_changes=tuple(changes),
        casualties=tuple(dead),
        deployments=tuple(moves),
        derived_distances=tuple(derived_distances(art, changes, near_capital_km)))
