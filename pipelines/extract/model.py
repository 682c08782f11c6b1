"""The extraction result: frozen dataclasses whose field names are the eval schema's.

Every claim carries its verbatim ``quote`` (its sentence), the ``sentence_index`` it came from
(counting a title read as the first line) and the character ``span`` (start, end) of that
sentence in the article text as given (None for a claim found in the title). Resolved places add
``geonameid``, ``lat``, ``lon``, ``country`` (ISO 3166-1 alpha-2) and ``admin1`` (ISO
3166-2 code where known). ``confidence`` is a 0..1 heuristic score of the extraction itself
(not of the claim's truth).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

STANCES = ("asserted", "denied", "historical")
EVENTS = ("captured", "lost", "withdrawn_from", "contested", "recaptured", "encircled")
PLACE_TYPES = ("city", "town", "province", "region", "base", "facility", "other")


@dataclass(frozen=True, slots=True)
class DistanceClaim:
    """An armed actor's distance from a place it threatens.

    ``km`` is the point value (None for a pure range); ``min_km``/``max_km`` bound it
    ("within 20 km": max_km=20; "15 to 20 km": min 15, max 20). ``is_capital`` is true for
    national capitals. ``derived`` claims are computed from a territory change's coordinates
    rather than stated; ``via_place`` names the place whose distance was given or computed.
    """

    actor: str | None
    place: str
    is_capital: bool
    km: float | None
    min_km: float | None
    max_km: float | None
    claimed_by: str | None
    stance: str
    quote: str
    derived: bool = False
    via_place: str | None = None
    confidence: float = 0.5
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    admin1: str | None = None
    sentence_index: int | None = None
    span: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class TerritoryChange:
    """A place changing hands (``event`` is one of :data:`EVENTS`)."""

    place: str
    place_type: str
    new_controller: str | None
    old_controller: str | None
    event: str
    claimed_by: str | None
    stance: str
    quote: str
    confidence: float = 0.5
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    admin1: str | None = None
    population: int | None = None
    is_national_capital: bool = False
    is_admin1_capital: bool = False
    sentence_index: int | None = None
    span: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Casualty:
    """People reported killed (a lower bound for "at least N")."""

    count: int
    who: str | None
    place: str | None
    quote: str
    claimed_by: str | None = None
    sentence_index: int | None = None
    span: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Deployment:
    """Forces positioned or moved to a place (``count`` = personnel when stated)."""

    actor: str | None
    count: int | None
    place: str | None
    quote: str
    claimed_by: str | None = None
    sentence_index: int | None = None
    span: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one article.

    ``country`` is the article's country context (ISO2) used to resolve places.
    ``derived_distances`` are kept apart from ``distance_claims`` because they are computed,
    not reported.
    """

    country: str | None
    distance_claims: tuple[DistanceClaim, ...] = field(default_factory=tuple)
    territory_changes: tuple[TerritoryChange, ...] = field(default_factory=tuple)
    casualties: tuple[Casualty, ...] = field(default_factory=tuple)
    deployments: tuple[Deployment, ...] = field(default_factory=tuple)
    derived_distances: tuple[DistanceClaim, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        """JSON-ready dict in the eval schema (plus the extra fields)."""
        return {
            "country": self.country,
            "distance_claims": [asdict(c) for c in self.distance_claims],
            "territory_changes": [asdict(c) for c in self.territory_changes],
            "casualties": [asdict(c) for c in self.casualties],
            "deployments": [asdict(c) for c in self.deployments],
            "derived_distances": [asdict(c) for c in self.derived_distances],
        }
