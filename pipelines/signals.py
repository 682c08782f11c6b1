"""From one article's extraction to ``Signal`` records on the wire.

The extractor (``pipelines.extract``) reads text and resolves places; this module gives
each extracted fact its situation: the country and national capital it bears on, the
place's distance to that capital, what kind of claimant makes it, and the article it
came from.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from connectors.wire import Article, ArticleRef, PlaceRef, Signal, stable_id
from pipelines.claims import classify_claimant, hostile_gain
from pipelines.gazetteer import haversine_km

KIND_OF_LIST = {
    "distance_claims": "distance",
    "derived_distances": "distance",
    "territory_changes": "territory",
    "casualties": "casualties",
    "deployments": "deployment",
}

def place_ref(item: dict[str, Any]) -> PlaceRef | None:
    """The place of an extracted item, with the extractor's gazetteer resolution."""
    mention = item.get("place")
    if not mention:
        return None
    place_type = item.get("place_type")
    return PlaceRef(
        mention=mention, geonameid=item.get("geonameid"), name=mention, lat=item.get("lat"),
        lon=item.get("lon"), country=item.get("country"), admin1=item.get("admin1"),
        population=item.get("population"),
        is_national_capital=bool(item.get("is_national_capital") or item.get("is_capital")),
        is_admin_capital=bool(item.get("is_admin1_capital")), kind=place_type)


def capital_ref(country: str | None, gazetteer) -> PlaceRef | None:
    capital = gazetteer.capital_of(country) if country else None
    if capital is None:
        return None
    return PlaceRef(mention=capital.name, geonameid=capital.geonameid, name=capital.name, lat=capital.lat,
                    lon=capital.lon, country=capital.country, admin1=capital.admin1,
                    population=capital.population, is_national_capital=True, kind="city")


def signals_of(article: Article, extraction: dict[str, Any], gazetteer, fingerprint: str,
               extracted_at: datetime) -> list[Signal]:
    """Every fact of ``extraction`` (``pipelines.extract.Extraction.to_dict()``) as a
    ``Signal`` tied to ``article``. Derived distances are kept only where they come from a
    hostile gain away from the capital itself (a government recapture near the capital is
    not an approaching enemy; events at the capital are judged by the situation)."""
    country_hint = extraction.get("country")
    ref = ArticleRef(id=article.id, url=article.url, publisher=article.publisher,
                     published=min(article.published, extracted_at), fingerprint=fingerprint)
    changes_by_place = {c.get("place"): c for c in extraction.get("territory_changes") or ()}
    out: list[Signal] = []
    for list_name, kind in KIND_OF_LIST.items():
        for item in extraction.get(list_name) or ():
            derived = list_name == "derived_distances"
            if derived:
                change = changes_by_place.get(item.get("via_place"))
                if change is None or change.get("is_national_capital") or not hostile_gain(
                        change.get("event"), change.get("new_controller"), change.get("old_controller"),
                        change.get("country") or country_hint):
                    continue
            out.append(_signal(kind, item, derived, ref, gazetteer, country_hint, extracted_at))
    return out


def _signal(kind: str, item: dict[str, Any], derived: bool, ref: ArticleRef, gazetteer,
            country_hint: str | None, extracted_at: datetime) -> Signal:
    place = place_ref(item)
    country = (place.country if place and place.country else None) or country_hint
    capital = capital_ref(country, gazetteer)
    capital_km = None
    if place is not None and capital is not None and place.lat is not None and capital.lat is not None:
        capital_km = round(haversine_km(place.lat, place.lon, capital.lat, capital.lon), 1)
    claimed_by = item.get("claimed_by")
    quote = item.get("quote") or ""
    stance = item.get("stance") or "asserted"
    return Signal(
        id=stable_id(ref.id, kind, item.get("place") or "", quote, stance, claimed_by or "",
                     str(item.get("event") or ""), "derived" if derived else ""),
        kind=kind, place=place, capital=capital, country=country, actor=item.get("actor") or item.get("who"),
        claimed_by=claimed_by, claimant_type=classify_claimant(claimed_by).value, stance=stance,
        km=item.get("km"), min_km=item.get("min_km"), max_km=item.get("max_km"), derived=derived,
        capital_km=capital_km, event=item.get("event"), new_controller=item.get("new_controller"),
        old_controller=item.get("old_controller"), count=item.get("count"), quote=quote, article=ref,
        extracted_at=extracted_at)


def by_situation(signals: Iterable[Signal]) -> Iterable[tuple[str, list[Signal]]]:
    """One article's signals grouped by situation (the country); signals without a
    country are context only and go nowhere."""
    groups: dict[str, list[Signal]] = {}
    for signal in signals:
        if signal.country:
            groups.setdefault(signal.country, []).append(signal)
    yield from groups.items()


class SignalExtractor:
    """Article -> signals: extraction plus situation context. Build one per worker (it
    loads the gazetteer once) and call it for every new story."""

    def __init__(self):
        from pipelines.extract import extract
        from pipelines.gazetteer import Gazetteer

        self._extract = extract
        self.gazetteer = Gazetteer.load()

    def __call__(self, article: Article, story: str, now: datetime) -> list[Signal]:
        extraction = self._extract(article.text, title=article.title or None,
                                   published=article.published.isoformat(), url=article.url)
        return signals_of(article, extraction.to_dict(), self.gazetteer, story, now)
