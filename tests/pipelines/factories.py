"""Small builders for signals and articles used across the pipeline tests."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from connectors.wire import Article, ArticleRef, PlaceRef, Signal, Source, stable_id

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
CAPITAL = PlaceRef(mention="Carthago", name="Carthago", geonameid=1, lat=10.0, lon=10.0, country="XX",
                   is_national_capital=True, population=2_000_000, kind="city")


def town(name: str, geonameid: int, population: int = 20_000, **kw) -> PlaceRef:
    return PlaceRef(mention=name, name=name, geonameid=geonameid, country="XX", population=population,
                    kind=kw.pop("kind", "town"), **kw)


def signal(kind: str = "distance", *, km=None, min_km=None, max_km=None, stance="asserted",
           claimed_by: str | None = "a rebel spokesman", publisher: str = "example.org",
           published: datetime = T0, place: PlaceRef = CAPITAL, event: str | None = None,
           new_controller: str | None = None, old_controller: str | None = None,
           capital_km: float | None = None, quote: str | None = None, fingerprint: str | None = None,
           derived: bool = False, count: int | None = None) -> Signal:
    quote = quote or f"{kind} {km} {event} {place.mention} {stance} {publisher}"
    article_id = stable_id(publisher, quote, published.isoformat())
    return Signal(
        id=stable_id(article_id, kind, quote), kind=kind, place=place, capital=CAPITAL, country="XX",
        actor="rebels", claimed_by=claimed_by, stance=stance, km=km, min_km=min_km, max_km=max_km,
        derived=derived, capital_km=capital_km, event=event, new_controller=new_controller,
        old_controller=old_controller, count=count, quote=quote,
        article=ArticleRef(id=article_id, url=f"https://{publisher}/{article_id}", publisher=publisher,
                           published=published, fingerprint=fingerprint or article_id))


def article(text: str, *, publisher: str = "example.org", published: datetime = T0, title: str = "",
            article_id: str | None = None) -> Article:
    return Article(id=article_id or stable_id(publisher, text), url=f"https://{publisher}/a", title=title,
                   text=text, published=published, fetched=published + timedelta(minutes=1),
                   source=Source(feed_id=f"{publisher}-feed", publisher=publisher))
