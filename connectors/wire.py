"""Wire contracts: the JSON that travels on Kafka topics (DESIGN.md §3).

Every record carries a ``schema`` field naming its type and version, so consumers can
refuse what they do not understand instead of guessing. Models are pydantic so a broken
record fails with an error message that names the field; those errors are what the
dead-letter records carry.
"""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

ARTICLE_SCHEMA = "frontwatch.article/1"
SIGNAL_SCHEMA = "frontwatch.signal/1"
ALERT_SCHEMA = "frontwatch.alert/1"
DEAD_LETTER_SCHEMA = "frontwatch.dead-letter/1"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


def stable_id(*parts: str | None, length: int = 24) -> str:
    """A short, stable hex id from the given parts (same parts, same id, any process)."""
    digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()
    return digest[:length]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=False).encode("utf-8")

    @classmethod
    def from_json_bytes(cls, raw: bytes | str):
        """Parse one record; raises ``WireError`` with a readable reason."""
        try:
            return cls.model_validate_json(raw)
        except ValidationError as exc:
            raise WireError(f"{cls.__name__}: {_summarise(exc)}") from exc


class WireError(ValueError):
    """A record that does not satisfy its wire contract."""


def _summarise(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ())) or "record"
        parts.append(f"{loc}: {err.get('msg')}")
    return "; ".join(parts)


# --------------------------------------------------------------------------- article

class Source(WireModel):
    feed_id: str
    publisher: str | None = None  # the publisher's domain, e.g. "reuters.com"


class Article(WireModel):
    """One news article as published by the feed connectors to topic ``articles``."""

    schema_: Literal["frontwatch.article/1"] = Field(ARTICLE_SCHEMA, alias="schema")
    id: str = Field(min_length=1)
    url: str | None = None
    title: str = ""
    text: str
    published: UtcDatetime
    fetched: UtcDatetime
    source: Source
    language: str | None = None
    content_hash: str | None = None
    update: bool = False  # True when an already published article changed content

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode("utf-8")

    @property
    def publisher(self) -> str:
        return self.source.publisher or self.source.feed_id


# --------------------------------------------------------------------------- signal

class PlaceRef(WireModel):
    """A place as mentioned in text, plus its gazetteer resolution when there is one."""

    mention: str
    geonameid: int | None = None
    name: str | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    admin1: str | None = None
    population: int | None = None
    is_national_capital: bool = False
    is_admin_capital: bool = False
    kind: str | None = None  # city/town/province/region/base/facility/other


SignalKind = Literal["distance", "territory", "casualties", "deployment"]
Stance = Literal["asserted", "denied", "historical"]


class ArticleRef(WireModel):
    id: str
    url: str | None = None
    publisher: str | None = None
    published: UtcDatetime | None = None
    fingerprint: str | None = None  # hash of the normalised text: equal for wire copies


class Signal(WireModel):
    """One extracted fact with who claims it; published to topic ``signals``."""

    schema_: Literal["frontwatch.signal/1"] = Field(SIGNAL_SCHEMA, alias="schema")
    id: str
    kind: SignalKind
    place: PlaceRef | None = None
    capital: PlaceRef | None = None  # the capital this fact bears on, when known
    country: str | None = None  # ISO2 of the situation
    actor: str | None = None
    claimed_by: str | None = None
    claimant_type: str | None = None  # party / monitor / wire / outlet / official
    stance: Stance = "asserted"
    km: float | None = None
    min_km: float | None = None
    max_km: float | None = None
    derived: bool = False
    capital_km: float | None = None  # geodesic distance from the place to the capital
    event: str | None = None
    new_controller: str | None = None
    old_controller: str | None = None
    count: int | None = None
    quote: str = ""
    article: ArticleRef
    extracted_at: UtcDatetime | None = None

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode("utf-8")


# --------------------------------------------------------------------------- alert

AlertKind = Literal["band_crossing", "de_escalation", "territory_change", "loss_rate"]
Severity = Literal["info", "low", "medium", "high", "critical"]


class Evidence(WireModel):
    url: str | None = None
    publisher: str | None = None
    quote: str
    claimed_by: str | None = None
    stance: Stance = "asserted"
    published: UtcDatetime | None = None


class Alert(WireModel):
    """A threshold change in a situation; published to topic ``alerts`` keyed by situation.

    ``id`` is deterministic - derived from the facts (situation, kind, level, the
    publication time that opened the episode, status) - so a replayed or restarted job
    re-emits the same id and subscribers are never notified twice.
    """

    schema_: Literal["frontwatch.alert/1"] = Field(ALERT_SCHEMA, alias="schema")
    id: str
    kind: AlertKind
    severity: Severity
    confidence: float = Field(ge=0.0, le=1.0)
    status: Literal["claimed", "corroborated", "disputed"] = "claimed"
    situation: str  # e.g. "SY:Damascus"
    country: str | None = None  # ISO2 of the situation
    subject: str | None = None  # the place or band the alert is about
    previous: Any = None
    current: Any = None
    summary: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    context: dict[str, Any] = Field(default_factory=dict)  # recent casualties, deployments
    first_seen: UtcDatetime
    emitted_at: UtcDatetime

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode("utf-8")


# --------------------------------------------------------------------------- dead letters

class DeadLetter(WireModel):
    """A record that could not be processed, with the reason; nothing is dropped silently."""

    schema_: Literal["frontwatch.dead-letter/1"] = Field(DEAD_LETTER_SCHEMA, alias="schema")
    stage: str  # where it failed: "decode", "extract", "deliver", ...
    error: str
    source_topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    payload: str  # the original bytes, as UTF-8 when decodable, else "base64:<...>"
    at: UtcDatetime = Field(default_factory=utc_now)

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode("utf-8")

    @staticmethod
    def encode_payload(raw: bytes | str | None, limit: int = 1_000_000) -> str:
        if raw is None:
            return ""
        if isinstance(raw, str):
            return raw[:limit]
        try:
            return raw[:limit].decode("utf-8")
        except UnicodeDecodeError:
            return "base64:" + base64.b64encode(raw[:limit]).decode("ascii")


def dumps_line(obj: Any) -> str:
    """Compact JSON for logs and JSON-lines output."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)
