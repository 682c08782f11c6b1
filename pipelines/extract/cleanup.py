"""After reading: de-duplication, denials that point back at claims, derived distances."""
from __future__ import annotations

import re
from dataclasses import replace

from ..gazetteer import Place, fold_name
from . import attribution
from .article import Article, place_fields
from .model import DistanceClaim, TerritoryChange

_GENERIC_WORDS = frozenset((
    "province governorate city town village region oblast district area areas countryside capital the of "
    "suburbs outskirts southern northern eastern western central state county base").split())


def place_key(text: str) -> str:
    """Identity of a place mention for de-duplication ("Daraa" = "southern Daraa province")."""
    return " ".join(w for w in fold_name(text).split() if w not in _GENERIC_WORDS)


_CONTENT_CLAUSE = re.compile(r"\s+(?:(?:by|from|of)\s+[^,.;]{1,60}?\s+)?that\b", re.I)
_PRONOUN_DENIAL = re.compile(r"\w+\s+(?:it|this|that|them)\b", re.I)
_SUBORDINATE_BEFORE = re.compile(r"\b(?:though|although|while|whereas|but)\s+(?:\w+\s+){0,3}$", re.I)


# "says it still controls all bases and airports": the denial covers every place claimed just before
_COVERING = re.compile(r"\b(?:controls?|holds?|in\s+control\s+of)\s+all\s+(?:the\s+|its\s+|their\s+)?(?:[\w-]+\s+)?"
                       r"(?:bases|airports|towns|cities|positions|sites|facilities|areas|installations)\b", re.IGNORECASE)


def anaphoric_denials(art: Article, candidates: list[int], changes: list[TerritoryChange],
                       distances: list[DistanceClaim]) -> tuple[list, list]:
    """Denials that point back at a claim ("rejects the Dessie claim", "This is not true"):
    each denied claim becomes a ``denied`` claim of the denier, beside the asserted one."""
    denied_changes, denied_distances = [], []
    for i in candidates:
        sentence = art.sentences[i]
        m = attribution.ANAPHORIC_DENIAL.search(sentence.text)
        if not m or any(c.sentence_index == i and c.stance == "denied" for c in (*changes, *distances)):
            continue
        if _CONTENT_CLAUSE.match(sentence.text, m.end()):
            continue  # "denied claims by X that the troops were encircled": the claim is stated here
        if _PRONOUN_DENIAL.match(m.group()) and _SUBORDINATE_BEFORE.search(sentence.text, 0, m.start()) \
                and not any(c.sentence_index == i for c in (*changes, *distances)):
            continue  # "X and Y accuse each other of ..., though each denies it": "it" is in this sentence
        if m.group("agent") or m.group("denier"):  # "a claim the government dismissed", "... denied by X"
            denier = (m.group("agent") or m.group("denier")).strip()
        else:
            stance, denier = art.stance(i, m.end() - 1)
            denier = denier if stance == "denied" else art.claimant(i, m.start())
        asserted = [c for c in (*changes, *distances) if c.stance == "asserted"]
        if m.group("about") and not art.gaz.country_of_word(m.group("about")):  # "the Dessie claim"
            about = fold_name(m.group("about"))
            denied = [c for c in asserted if (c.sentence_index or 0) <= i and about in place_key(c.place).split()]
        else:  # the claims of this sentence, else the changes or distances last claimed before it
            denied = [c for c in asserted if c.sentence_index == i]
            covering = bool(_COVERING.search(sentence.text))
            for j in range(i - 1, max(-1, i - 4), -1):
                if denied and not covering:
                    break
                denied += [c for c in asserted if c.sentence_index == j and not (
                    isinstance(c, TerritoryChange) and c.event in {"contested", "encircled"})
                    and not (covering and not isinstance(c, TerritoryChange))]
        fields = dict(stance="denied", claimed_by=denier, quote=art.quote(i), sentence_index=i,
                      span=art.span(i))
        denied_changes += [replace(c, **fields) for c in denied if isinstance(c, TerritoryChange)]
        denied_distances += [replace(c, **fields) for c in denied if isinstance(c, DistanceClaim)]
    return denied_changes, denied_distances


def same_place(a: TerritoryChange, b: TerritoryChange) -> bool:
    """Two changes name the same place (see :func:`_same_place`)."""
    return _same_place(a, b)


def _same_place(a: TerritoryChange, b: TerritoryChange) -> bool:
    """Same place for de-duplication: equal keys, or one name inside the other unless one of
    them is a facility (a base in a town is not the town)."""
    ka, kb = place_key(a.place), place_key(b.place)
    if ka == kb:
        return True
    if not ka or not kb or {a.place_type, b.place_type} & {"base", "facility"}:
        return False
    return f" {ka} " in f" {kb} " or f" {kb} " in f" {ka} "  # whole words of one inside the other


_CHANGE = frozenset({"captured", "lost", "recaptured", "withdrawn_from"})


def _same_claimant(a: TerritoryChange, b: TerritoryChange) -> bool:
    x, y = (a.claimed_by or "").lower(), (b.claimed_by or "").lower()
    return x == y or bool(x and y and (x in y or y in x))


def _two_sides(a: TerritoryChange, b: TerritoryChange) -> bool:
    """One side's gain and the other's loss or withdrawal (not a capture and a later recapture)."""
    events = {a.event, b.event}
    return bool(events & {"captured", "recaptured"}) and bool(events & {"lost", "withdrawn_from"})


def _reversal(a: TerritoryChange, b: TerritoryChange) -> bool:
    """The side that took a place is the one said to leave it ("took over X before withdrawing"):
    two events, not one change of hands seen from both sides."""
    taker = next((x.new_controller for x in (a, b) if x.event in {"captured", "recaptured"}), None)
    leaver = next((x.old_controller for x in (a, b) if x.event == "withdrawn_from"), None)
    return bool(taker and leaver and (taker.lower() in leaver.lower() or leaver.lower() in taker.lower()))


def _event_group(c: TerritoryChange) -> str:
    """"lost" and "captured" are one change seen from two sides; contested/encircled one state."""
    return {"lost": "captured", "encircled": "contested"}.get(c.event, c.event)


def _other_sides(a: TerritoryChange, b: TerritoryChange, side_of) -> bool:
    """Claims of two sides ("Russia said ...", "Kyiv says ...")."""
    if side_of is None or not (a.claimed_by and b.claimed_by):
        return False
    x, y = side_of(a.claimed_by), side_of(b.claimed_by)
    return bool(x and y and x != y)


def dedupe_territory(changes: list[TerritoryChange], entries: set[int] = frozenset(),
                     side_of=None) -> list[TerritoryChange]:
    """One entry per place, event group and stance; fighting in a place whose capture, loss,
    recapture or abandonment the same source reports, undisputed, is part of that change, not a
    separate state (an entry, ``id`` in ``entries``, stays an event of its own)."""
    kept: list[TerritoryChange] = []
    for c in sorted(changes, key=lambda c: (c.event == "contested", -c.confidence, c.sentence_index or 0)):
        if not any(k.stance == c.stance and _same_place(k, c) and (
                (_event_group(k) == _event_group(c) and (
                    # fighting reported by two sides ("Russia says X is encircled", "Kyiv says it fights on in X")
                    _event_group(c) != "contested" or not _other_sides(k, c, side_of)))
                # one claimant's "X fell ... troops pulled out of X" is one change of hands
                or (_two_sides(k, c) and _same_claimant(k, c) and not _reversal(k, c)))
                for k in kept):
            kept.append(c)

    def capture_reported(c: TerritoryChange, stance: str, events=frozenset({"captured"}), by_claimant: bool = False) -> bool:
        return any(_event_group(k) in events and k.stance == stance and _same_place(k, c)
                   and (not by_claimant or _same_claimant(k, c)) for k in kept)
    changed = frozenset({"captured", "withdrawn_from"})
    # fighting is folded into a change reported by the same source; another source's report of
    # fighting ("activists said clashes continue") is a claim of its own
    result = [c for c in kept if not (
        c.event == "contested" and c.stance == "asserted"
        and (capture_reported(c, "asserted", by_claimant=True)
             or (id(c) not in entries and capture_reported(c, "asserted", changed, by_claimant=True)))
        # a side that denies the change and says the fighting goes on makes a claim of its own
        and not (c.claimed_by and capture_reported(c, "denied", changed)))]
    return sorted(result, key=lambda c: (c.sentence_index or 0, _position(c)))


def _position(c: TerritoryChange) -> int:
    """Where the change's place is named in its quote (text order within a sentence)."""
    at = c.quote.find(c.place.split(" ")[0]) if c.place else -1
    return at if at >= 0 else len(c.quote)


def dedupe_distances(claims: list[DistanceClaim]) -> list[DistanceClaim]:
    """Repeated statements of the same distance (within 10 %) to the same place count once."""
    kept: list[DistanceClaim] = []
    for c in sorted(claims, key=lambda c: -c.confidence):
        value = c.km if c.km is not None else ((c.min_km or 0) + (c.max_km or 0)) / 2
        if any(place_key(k.place) == place_key(c.place) and k.stance == c.stance
               and abs(value - (k.km if k.km is not None else ((k.min_km or 0) + (k.max_km or 0)) / 2))
               <= max(1.0, 0.1 * value) for k in kept):
            continue
        kept.append(c)
    return sorted(kept, key=lambda c: (c.sentence_index or 0))


def derived_distances(art: Article, changes: list[TerritoryChange], radius_km: float) -> list[DistanceClaim]:
    """Geodesic distance to the national capital for each change near it."""
    derived: dict[tuple, DistanceClaim] = {}
    for c in changes:
        if c.lat is None or not c.country or c.stance == "historical":
            continue
        capital = art.gaz.capital_of(c.country)
        if capital is None or capital.lat is None:
            continue
        km = round(art.gaz.distance_km(capital, Place(c.geonameid, c.place, c.lat, c.lon, c.country,
                                                      c.admin1 or "", 0, "city", False, False)), 1)
        if km > radius_km:
            continue
        key = (capital.geonameid, c.geonameid, c.admin1, c.stance)
        derived.setdefault(key, DistanceClaim(
            actor=c.new_controller or c.old_controller, place=capital.name, is_capital=True, km=km,
            min_km=None, max_km=None, claimed_by=c.claimed_by, stance=c.stance, quote=c.quote,
            derived=True, via_place=c.place, confidence=round(c.confidence * 0.8, 2),
            sentence_index=c.sentence_index, span=c.span, **place_fields(capital)))
    return list(derived.values())
