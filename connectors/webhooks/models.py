"""The dispatcher's records: subscriptions with their filters, deliveries, attempts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.wire import Alert, AlertKind, Severity

SEVERITY_ORDER: tuple[str, ...] = ("info", "low", "medium", "high", "critical")

# What one attempt came to; also the ``outcome`` label of the attempts metric.
Outcome = Literal["success", "http_error", "network_error", "timeout", "gone", "throttled", "refused"]


class SigningSecret(BaseModel):
    """One secret; ``expires_at`` is set on the old secret when a rotation starts."""

    model_config = ConfigDict(frozen=True)
    secret: str
    expires_at: float | None = None


class Filters(BaseModel):
    """Which alerts a subscriber wants. Empty lists mean "all"."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2, e.g. "SY"
    situations: tuple[str, ...] = ()  # e.g. "SY:Damascus"
    kinds: tuple[AlertKind, ...] = ()
    min_severity: Severity = "info"
    min_confidence: float = Field(0.0, ge=0.0, le=1.0)

    @field_validator("countries")
    @classmethod
    def _upper(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(c.strip().upper() for c in value if c.strip())

    def matches(self, alert: Alert) -> bool:
        if self.kinds and alert.kind not in self.kinds:
            return False
        if SEVERITY_ORDER.index(alert.severity) < SEVERITY_ORDER.index(self.min_severity):
            return False
        if alert.confidence < self.min_confidence:
            return False
        if not (self.countries or self.situations):
            return True
        country = (alert.country or alert.situation.split(":", 1)[0]).upper()
        return country in self.countries or alert.situation.casefold() in {
            s.casefold() for s in self.situations}


class Subscription(BaseModel):
    """A webhook subscriber. Secrets are excluded from dumps and reprs; see ``public()``."""

    model_config = ConfigDict(frozen=True)
    id: str
    url: str
    description: str = ""
    filters: Filters = Filters()
    enabled: bool = True
    disabled_reason: str | None = None
    failing_since: float | None = None
    created_at: float
    secrets: tuple[SigningSecret, ...] = Field(default=(), repr=False, exclude=True)

    def signing_secrets(self, now: float) -> list[str]:
        """The secrets to sign with now: the current one, plus the old one during a rotation."""
        return [s.secret for s in self.secrets if s.expires_at is None or s.expires_at > now]

    def public(self) -> dict:
        """Everything an operator may see (no secrets), JSON-ready, times in ISO 8601 UTC."""
        data = self.model_dump(mode="json")
        for key in ("created_at", "failing_since"):
            if data[key] is not None:
                data[key] = datetime.fromtimestamp(data[key], timezone.utc).isoformat()
        data["secret_count"] = len(self.secrets)
        return data


@dataclass(frozen=True)
class Delivery:
    """One (alert, subscriber) pair to deliver; its webhook-id is the alert id."""

    id: int
    alert_id: str
    subscriber_id: str
    attempts: int
    body: bytes
    created_at: float


@dataclass(frozen=True)
class AttemptResult:
    """What one HTTP attempt came to."""

    outcome: Outcome
    latency: float
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "success"

    def describe(self) -> str:
        detail = f"HTTP {self.status}" if self.status is not None else ""
        if self.error:
            detail = f"{detail} {self.error}".strip()
        return f"{self.outcome}" + (f" ({detail})" if detail else "")

