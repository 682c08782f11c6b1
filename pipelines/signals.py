"""From one article's extraction to ``Signal`` records on the wire.

The extractor (``pipelines.extract``) reads text; this module gives each extracted fact
its situation: the resolved place, the national capital it bears on, who claims it and
what kind of claimant that is, and the article it came from.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from connectors.wire import Article, ArticleRef, PlaceRef, Signal, stable_id
from pipelines.claims import classify_claimant

KIND_OF_LIST = {
    "distance_claims": "distance",
    "derived_distances": "distance",
    "territory_changes": "territory",
    "casualties": "casualties",
    "deployments": "deployment",
}


def place_ref(mention: str | None, item: dict[str, Any], gazetteer, country_hint: str | None) -> PlaceRef | None:
    """The place of an extracted item: the extractor's own resolution when it gave one,
    else a gazetteer lookup in the article's country context."""
    if not mention:
        return None
    place = None
    if gazetteer is not None:
        place = gazetteer.resolve(mention, country_hint=item.get("country") or country_hint)
    if place is None:
        return PlaceRef(mention=mention, kind=item.get("place_type"), country=item.get("country"))
    return PlaceRef(
        mention=mention, geonameid=place.geonameid, name=place.name, lat=place.lat, lon=place.lon,
        country=place.country, admin1=place.admin1, population=place.population,
        is_national_capital=place.is_national_capital, is_admin_capital=place.is_admin1_capital,
        kind=item.get("place_type") or ("province" if place.kind == "admin1" else "city"))


def capital_ref(country: str | None, gazetteer) -> PlaceRef | None:
    if not country or gazetteer is None:
        return None
    capital = gazetteer.capital_of(country)
    if capital is None:
        return None
    return PlaceRef(mention=capital.name, geonameid=capital.geonameid, name=capital.name, lat=capital.lat,
                    lon=capital.lon, country=capital.country, admin1=capital.admin1,
                    population=capital.population, is_national_capital=True, kind="city")


def signals_of(article: Article, extraction: dict[str, Any], gazetteer, fingerprint: str,
               extracted_at: datetime) -> list[Signal]:
    """Every fact of ``extraction`` (the dict form of ``pipelines.extract.Extraction``)
    as a ``Signal`` tied to ``article``."""
    country_hint = extraction.get("country")
    ref = ArticleRef(id=article.id, url=article.url, publisher=article.publisher,
                     published=article.published, fingerprint=fingerprint)
    out: list[Signal] = []
    for list_name, kind in KIND_OF_LIST.items():
        for item in extraction.get(list_name) or ():
            out.append(_signal(kind, item, list_name == "derived_distances", ref, gazetteer,
                               country_hint, extracted_at))
    return out


def _signal(kind: str, item: dict[str, Any], derived: bool, ref: ArticleRef, gazetteer,
            country_hint: str | None, extracted_at: datetime) -> Signal:
    place = place_ref(item.get("place"), item, gazetteer, country_hint)
    country = (place.country if place and place.country else None) or country_hint
    capital = capital_ref(country, gazetteer)
    capital_km = None
    if place is not None and capital is not None and place.lat is not None and capital.lat is not None:
        from pipelines.gazetteer import haversine_km

        capital_km = round(haversine_km(place.lat, place.lon, capital.lat, capital.lon), 1)
    claimed_by = item.get("claimed_by")
    quote = item.get("quote") or ""
    stance = item.get("stance") or "asserted"
    return Signal(
        id=stable_id(ref.id, kind, item.get("place") or "", quote, stance, claimed_by or "",
                     str(item.get("event") or ""), "derived" if derived or item.get("derived") else ""),
        kind=kind, place=place, capital=capital, country=country, actor=item.get("actor") or item.get("who"),
        claimed_by=claimed_by, claimant_type=classify_claimant(claimed_by).value, stance=stance,
        km=item.get("km"), min_km=item.get("min_km"), max_km=item.get("max_km"),
        derived=bool(derived or item.get("derived")), capital_km=capital_km, event=item.get("event"),
        new_controller=item.get("new_controller"), old_controller=item.get("old_controller"),
        count=item.get("count"), quote=quote, article=ref, extracted_at=extracted_at)


def situation_label(country: str, capital: PlaceRef | None) -> str:
    """How alerts name a situation: ``"SY:Damascus"``."""
    return f"{country}:{capital.name}" if capital and capital.name else country


def by_situation(signals: Iterable[Signal]) -> Iterable[tuple[str, list[Signal]]]:
    """One article's signals grouped by situation (the country); signals without a
    country are context only and go nowhere."""
    groups: dict[str, list[Signal]] = {}
    for signal in signals:
        if signal.country:
            groups.setdefault(signal.country, []).append(signal)
    yield from groups.items()
