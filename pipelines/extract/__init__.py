"""Signal extraction: distance claims, territory changes, casualties and deployments.

Pure Python (no Beam, no Kafka), deterministic. The stream job calls :func:`extract` once per
article and maps the returned dataclasses to its wire format; field names follow the eval
schema (``../shared/eval/README.md``) plus the documented extras.
"""
from __future__ import annotations

from .model import (Casualty, Deployment, DistanceClaim, Extraction, TerritoryChange, EVENTS,
                    PLACE_TYPES, STANCES)
from .pipeline import NEAR_CAPITAL_KM, extract_article

__all__ = ["extract", "Extraction", "DistanceClaim", "TerritoryChange", "Casualty", "Deployment",
           "EVENTS", "STANCES", "PLACE_TYPES", "NEAR_CAPITAL_KM"]


def extract(text: str, *, title: str | None = None, published: str | None = None,
            url: str | None = None, near_capital_km: float = NEAR_CAPITAL_KM) -> Extraction:
    """Extract escalation signals from one article.

    ``title`` is read as the article's first sentence when the text does not already start
    with it; ``published`` (ISO-8601) dates the report, so that earlier years read as
    historical background; ``url`` is accepted for the caller's convenience and not used.
    ``near_capital_km`` bounds the derived distances to national capitals.
    Never raises on odd text; returns empty lists when nothing is found.
    """
    del url  # identification only; extraction depends on the text alone
    return extract_article(text, title=title, published=published, near_capital_km=near_capital_km)
