"""One article being read: its sentences, country context, speakers and places.

:class:`Article` is the shared state of the extractors: who speaks in which sentence, the
stance of a claim at a position, and what a place mention resolves to (anaphors included).
"""
from __future__ import annotations

import re
from functools import cached_property

from ..gazetteer import Gazetteer, Place
from . import attribution
from .distance import CAPITAL_HELD
from .keywords import ASCII_LOWER
from .lexicon import STRATEGIC_FACILITIES
from .places import POSSESSIVE_END, TRAILING_ANAPHOR, PlaceMention, ResolvedPlace, classify, recent_place
from .sentences import Sentence, split_sentences

MAX_QUOTE_CHARS = 400
_ANY_CAPITALISED = re.compile(r"[A-Z]")
_CAPITALISED_RUN = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*")
# A name that speaks or acts ("Moscow said", "Kyiv's troops", "Moscow claimed"): a government, not a place
_ACTS_AFTER = re.compile(r"['’]s?\b|\s+(?:said|says|say|claimed|claims|announced|denied|denies|accused|accuses|"
                         r"insisted|insists|has|have|had|is|was|will|would|and|or)\b")
_NOT_NAMES = frozenset("The A An This That It He She They We In On At But And After Before".split())
# What a role noun ("the monitor said") may stand for among named speakers.
ROLE_NAMES = {
    "monitor": ("monitor", "observatory", "watch", "acled"),
    "military": ("military", "army", "armed forces", "defence", "defense", "general staff"),
    "army": ("army", "military", "armed forces"),
    "government": ("government", "ministry", "cabinet", "presidency"),
    "ministry": ("ministry",),
    "group": ("group", "front", "alliance", "movement", "army", "forces", "rsf", "m23"),
    "official": ("official", "ministry", "spokes", "governor", "minister"),
    "spokesman": ("spokes",), "spokeswoman": ("spokes",), "spokesperson": ("spokes",),
    "agency": ("agency", "news"), "observatory": ("observatory",),
}
# No-break, thin and other typographic spaces become plain spaces (same length, same offsets),
# so that the ASCII-mode patterns see "20\u00a0km" as "20 km".
_PLAIN_SPACES = str.maketrans({c: " " for c in "\u00a0\u2002\u2003\u2007\u2009\u200a\u202f\u205f"})


class Article:
    """One article being read: its sentences, country context, speakers and places."""

    def __init__(self, text: str, gazetteer: Gazetteer, published: str | None, title: str | None):
        # A title not repeated at the top of the text is read as its first line; spans stay
        # relative to the text as given (None for claims found in the title).
        prepend = bool(title and title.strip() and title.strip() not in text[:len(title) + 50])
        self.text = (f"{title.strip()}\n{text}" if prepend else text).translate(_PLAIN_SPACES)
        self._offset = len(title.strip()) + 1 if prepend else 0
        self.gaz = gazetteer
        self.sentences: list[Sentence] = split_sentences(self.text)
        self.country = gazetteer.country_context(self.text)
        self._published = published
        self._frames: dict[int, list[attribution.Frame]] = {}
        self._stances: dict[int, tuple[tuple[int, int] | None, bool]] = {}
        self._speakers_before: dict[tuple[int, str | None], str | None] = {}
        self.salient: set[int] = set()  # geonameids of places reported changing hands so far
        self.focus: int | None = None  # geonameid of the main place of the last sentence with a change
        self.focus_history: list[tuple[int, int]] = []  # (sentence index, focus) as the focus moved
        self.spots: list[tuple[int, ResolvedPlace]] = []  # (sentence, place) of the changes so far
        self.last_group: list[PlaceMention] = []  # the last list of places named together
        self.surface_of: dict[int, str] = {}  # geonameid -> how the text first named a place reported changing hands
        self.holding: set[int] = set()  # per sentence: changes that say a side still holds a place
        self.entries: set[int] = set()  # per sentence: changes that are entries (entered, infiltrated)
        self.holding_changes: list = []  # "still in control of X": denials of a capture, if one is reported
        self.entry_changes: list = []  # entries: not folded into a capture of the same place

    # ---- attribution -------------------------------------------------------------------
    @cached_property
    def lowered(self) -> str:
        """The text in lowercase with the same offsets (ASCII letters only are lowered)."""
        return self.text.translate(ASCII_LOWER)

    @cached_property
    def reference_year(self) -> int | None:
        return attribution.reference_year(self._published, self.text)

    @cached_property
    def capital_held(self) -> bool:
        """The text says an armed actor already holds the capital ("in control of the capital")."""
        lowered = self.lowered  # the phrase ends with "the capital": look only around it (fast)
        at = lowered.find("the capital")
        while at >= 0:
            if CAPITAL_HELD.search(self.text, max(0, at - 70), at + 12):
                return True
            at = lowered.find("the capital", at + 1)
        return False

    @cached_property
    def quotes(self) -> list[attribution.Quote]:
        return attribution.quotations(self.text)

    def frames(self, i: int) -> list[attribution.Frame]:
        if i not in self._frames:
            self._frames[i] = attribution.speaker_frames(self.sentences[i].text)
        return self._frames[i]

    def _named_speaker_before(self, i: int, head: str | None = None) -> str | None:
        """The last named speaker in the sentences before ``i`` (one that is a ``head``:
        "the war monitor" is the observatory named before, "the ministry" a ministry)."""
        key = (i, head)
        if key in self._speakers_before:
            return self._speakers_before[key]
        kinds = ROLE_NAMES.get(head, (head,)) if head else ()
        found = None
        for j in range(i - 1, max(-1, i - 8), -1):
            named = [f.who for f in self.frames(j) if not attribution.is_pronoun(f.who)
                     and (not kinds or any(k in f.who.lower() for k in kinds))]
            if named:
                found = named[-1]
                break
        self._speakers_before[key] = found
        return found

    def claimant(self, i: int, position: int) -> str | None:
        """Who makes the claim at ``position`` of sentence ``i``."""
        absolute = self.sentences[i].start + position
        who = next((q.speaker for q in self.quotes if q.start <= absolute < q.end and q.speaker), None)
        if who is None:
            who = attribution.claimant_at(self.frames(i), position)
        if who and attribution.is_pronoun(who):
            # "he said" -> the last named speaker; "the ministry said" -> the last one that is a ministry
            head = None if " " not in who else who.rsplit(" ", 1)[-1].lower()
            who = self._named_speaker_before(i, head) or who
        return who

    def stance(self, i: int, position: int) -> tuple[str, str | None]:
        """(stance, claimant) of a claim; the claimant is the denier for a denied claim."""
        scope, historical = self._sentence_stance(i)
        if scope and scope[0] <= position < scope[1]:
            return "denied", self.claimant(i, scope[0])
        if historical and attribution.recent_clause(self.sentences[i].text, position):
            historical = False  # "had seized X on Friday, crossing the line drawn in January"
        if historical and attribution.dated_only_in_relative(self.sentences[i].text, position,
                                                             lambda: self.reference_year, self._published):
            historical = False  # "the capture of X is a success for the junta, which in 2020 seized power"
        return "historical" if historical else "asserted", self.claimant(i, position)

    def _sentence_stance(self, i: int) -> tuple[tuple[int, int] | None, bool]:
        """(denial scope, background?) of sentence ``i``, computed once."""
        if i not in self._stances:
            sentence = self.sentences[i].text
            self._stances[i] = (attribution.denial_scope(sentence),
                                attribution.is_historical(sentence, lambda: self.reference_year)
                                or attribution.is_earlier_month(sentence, self._published))
        return self._stances[i]

    # ---- places ------------------------------------------------------------------------
    def resolve_name(self, name: str, place_type: str) -> Place | None:
        """The gazetteer entry of a name; a facility resolves to the town named in it
        ("Laukkai Regional Operation Command" -> Laukkai), a region never to its namesake city."""
        kind = "admin1" if place_type in {"province", "region"} else None
        words = name.split()
        widths = range(len(words), 0, -1) if place_type in {"base", "facility", "other"} else (len(words),)
        for width in widths:
            place = self.gaz.resolve(" ".join(words[:width]), self.country, kind)
            if place is not None:
                return place
        return None

    def resolve(self, mention: PlaceMention, i: int, position: int) -> tuple[ResolvedPlace, float] | None:
        """The mention with its gazetteer entry and an extraction confidence; None if unresolvable."""
        described = TRAILING_ANAPHOR.search(mention.text) if mention.anaphor else None
        if described and mention.place_type in {"base", "facility"}:  # "the barracks in the town"
            found = self._antecedent(PlaceMention(described.group().rsplit(" ", 1)[-1], "", None, True), i, position)
            if found:
                text = mention.text[:described.start()] + described.group().rsplit(" the ", 1)[0] + " " + found[0]
                return ResolvedPlace(text, mention.place_type, None), 0.6
        if mention.anaphor and mention.place_type in {"base", "facility"}:
            same = [s for _, s in self.spots if s.place_type == mention.place_type]  # "the base": the last one
            if same:
                return same[-1], 0.6
            # with none before, "the airport" is a place of its own, unnamed ("the building" is not)
            strategic = mention.text.split()[-1].lower() in STRATEGIC_FACILITIES
            return (ResolvedPlace(mention.text, mention.place_type, None), 0.4) if strategic else None
        if mention.text in {"there", "area"} and self.spots and self.spots[-1][0] >= i - 3:
            # "fighting there", "withdrew from the area": the last change (a settlement rather than a base in it)
            last = self.spots[-1]
            if mention.text == "area" and last[1].place_type in {"base", "facility"}:
                last = next((s for s in reversed(self.spots) if s[0] >= i - 3 and s[1].place_type not in {"base", "facility"}), last)
            return last[1], 0.6
        if mention.anaphor:
            found = self._antecedent(mention, i, position)
            if found is None:
                return None
            surface, place = found
            described = TRAILING_ANAPHOR.search(mention.text)
            if described:  # "areas near the city" -> "areas near Damascus"
                text = mention.text[:described.start()] + described.group().rsplit(" the ", 1)[0] + " " + surface
                return ResolvedPlace(text, mention.place_type, place), 0.6
            return ResolvedPlace(surface, classify(PlaceMention(surface, "", surface), place), place), 0.7
        if mention.name:
            place = self.resolve_name(mention.name, mention.place_type)
            return ResolvedPlace(mention.text, classify(mention, place), place), 0.9 if place else 0.6
        return ResolvedPlace(mention.text, mention.place_type or "other", None), 0.5

    def _antecedent(self, mention: PlaceMention, i: int, position: int) -> tuple[str, Place] | None:
        """The place "the capital" (the context country's, or "the Syrian capital") or "the
        city" (the story's focus, else the last city named) stands for."""
        words = mention.text.split()
        if words[-1].lower() == "capital" and len(words) > 1 and words[-2].lower() in {"state", "provincial", "regional"}:
            # "the state capital": a city of the story, never the national capital
            found = recent_place(self.text, self.sentences[i].start + position, self.gaz, self.country,
                                 frozenset(self.salient), self.focus)
            return found if found and not found[1].is_national_capital else None
        if words[-1].lower() == "capital":
            country = self.gaz.country_of_word(words[-2]) if len(words) > 1 else None
            if country is None:
                named = self.capital_named_before(i, position)
                if named:
                    return named
            capital = self.gaz.capital_of(country or self.country)
            return (capital.name, capital) if capital else None
        absolute = self.sentences[i].start + position
        small = words[-1].lower() in {"town", "village", "towns", "villages"}
        found = recent_place(self.text, absolute, self.gaz, self.country, frozenset(self.salient), self.focus, small)
        if found and found[1].geonameid in self.surface_of:  # "Shushi" is the "Shusha" reported taken
            found = self.surface_of[found[1].geonameid], found[1]
        local = self._last_unlisted_place(i, small)
        if local and (found is None or self.text.rfind(local.text, 0, absolute) > self.text.rfind(found[0], 0, absolute)):
            return local.text, None  # a village the gazetteer lacks, named after any city it knows
        return found

    def capital_named_before(self, i: int, position: int) -> tuple[str, Place] | None:
        """A national capital named in this sentence or the one before ("inching closer to Kyiv,
        encircling the capital"): what "the capital" stands for, whatever the context country.
        A capital that speaks or acts ("Moscow said", "Moscow's forces") is no candidate."""
        start = self.sentences[i - 1].start if i else self.sentences[i].start
        end = self.sentences[i].start + position
        if "capital" not in self.lowered[start:end] and not _ANY_CAPITALISED.search(self.text, start, end):
            return None
        for run in reversed(list(_CAPITALISED_RUN.finditer(self.text, start, end))):
            if _ACTS_AFTER.match(self.text, run.end()):
                continue
            name = run.group()
            if name in _NOT_NAMES:
                continue
            place = self.gaz.resolve(name, self.country)
            if place is not None and place.is_national_capital:
                return name, place
        return None

    def _last_unlisted_place(self, i: int, small: bool) -> ResolvedPlace | None:
        """The last place of a change reported in the sentences before that the gazetteer lacks
        ("Muqokori"): "the town" may stand for it."""
        for j, spot in reversed(self.spots):
            if j < i - 4:
                break
            if spot.place is None and spot.text[:1].isupper() and (
                    spot.place_type in {"town", "other"} or (not small and spot.place_type == "city")):
                return spot
        return None

    def side_of(self, claimant: str) -> str | None:
        """The country a claimant speaks for when it is named by one ("Russia", "Kyiv", "Ukraine's
        military", "the Russian defence ministry"), else None."""
        for word in re.findall(r"[A-Z][\w'’-]+", claimant):
            word = POSSESSIVE_END.sub("", word)
            country = self.gaz.country_of_word(word)
            if country:
                return country
            place = self.gaz.resolve(word)
            if place is not None and place.is_national_capital and place.population > 500_000:
                return place.country
        return None

    def span(self, i: int) -> tuple[int, int] | None:
        """Character span of sentence ``i`` in the article text as given."""
        sentence = self.sentences[i]
        if sentence.start < self._offset:
            return None
        return sentence.start - self._offset, sentence.end - self._offset

    def quote(self, i: int) -> str:
        text = self.sentences[i].text
        return text if len(text) <= MAX_QUOTE_CHARS else text[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"


def place_fields(place: Place | None) -> dict:
    if place is None:
        return {}
    return {"geonameid": place.geonameid, "lat": place.lat, "lon": place.lon,
            "country": place.country, "admin1": place.admin1}
