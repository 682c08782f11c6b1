"""``frontwatch status``: where each capital stands, read back from the ``alerts`` topic.

The alerts topic is the job's durable output, so a summary of it needs no access to the
runner's state: the last band announcement per situation, its recent territory changes
and alerts. ``summarise`` is pure; the command only reads the topic.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable

import click

from connectors.wire import Alert, WireError


@dataclass
class SituationSummary:
    situation: str
    band_km: float | None = None
    closest_km: float | None = None
    band_status: str | None = None
    confidence: float | None = None
    territory: list[str] = field(default_factory=list)
    last_alerts: list[Alert] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"situation": self.situation, "band_km": self.band_km, "closest_km": self.closest_km,
                "status": self.band_status, "confidence": self.confidence, "territory": self.territory,
                "last_alerts": [{"kind": a.kind, "severity": a.severity, "summary": a.summary,
                                 "emitted_at": a.emitted_at.isoformat()} for a in self.last_alerts]}


def summarise(alerts: Iterable[Alert], recent: int = 5) -> list[SituationSummary]:
    """Fold alerts (in topic order; re-emitted ids counted once) into one summary per situation."""
    seen: set[str] = set()
    by_situation: dict[str, SituationSummary] = {}
    for alert in alerts:
        if alert.id in seen:
            continue
        seen.add(alert.id)
        summary = by_situation.setdefault(alert.situation, SituationSummary(alert.situation))
        if alert.kind in ("band_crossing", "de_escalation"):
            summary.band_km = alert.current.get("band_km")
            summary.closest_km = alert.current.get("km")
            summary.band_status, summary.confidence = alert.status, alert.confidence
        elif alert.kind == "territory_change":
            entry = f"{alert.subject}: {alert.current.get('event')} -> {alert.current.get('side')} ({alert.status})"
            summary.territory = (summary.territory + [entry])[-recent:]
        summary.last_alerts = (summary.last_alerts + [alert])[-recent:]
    return sorted(by_situation.values(), key=lambda s: (s.band_km is None, s.band_km or 0, s.situation))


def read_alerts(bootstrap: str, topic: str, timeout_s: float) -> tuple[list[Alert], int]:
    """Every alert on the topic, from the beginning; (alerts, unreadable records)."""
    from connectors.kafka import make_consumer

    consumer = make_consumer(bootstrap, group_id=None, client_id="frontwatch-status",
                             consumer_timeout_ms=int(timeout_s * 1000))
    consumer.subscribe([topic])
    alerts, bad = [], 0
    try:
        for record in consumer:
            try:
                alerts.append(Alert.from_json_bytes(record.value))
            except WireError:
                bad += 1
    finally:
        consumer.close()
    return alerts, bad


@click.command("status")
@click.option("--bootstrap", envvar="FRONTWATCH_KAFKA__BOOTSTRAP", default="127.0.0.1:9092", show_default=True,
              help="Kafka bootstrap servers.")
@click.option("--topic", default="alerts", show_default=True, help="The job's alerts topic.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per situation.")
@click.option("--timeout", type=float, default=3.0, show_default=True,
              help="Stop reading after this many seconds without a new record.")
def status_command(bootstrap: str, topic: str, as_json: bool, timeout: float) -> None:
    """Per-capital situations: band, closest distance, territory changes, last alerts."""
    alerts, bad = read_alerts(bootstrap, topic, timeout)
    summaries = summarise(alerts)
    if as_json:
        for summary in summaries:
            click.echo(json.dumps(summary.as_dict()))
        return
    if not summaries:
        click.echo(f"no alerts on {topic} at {bootstrap}")
    for s in summaries:
        band = "no band" if s.band_km is None else f"within {s.band_km:g} km (closest {s.closest_km:g} km)"
        click.echo(f"{s.situation}: {band}; {s.band_status or '-'}"
                   + (f", confidence {s.confidence:.2f}" if s.confidence is not None else ""))
        for entry in s.territory:
            click.echo(f"    territory  {entry}")
        for alert in s.last_alerts:
            click.echo(f"    {alert.emitted_at:%Y-%m-%d %H:%M} [{alert.severity}] {alert.summary}")
    if bad:
        click.echo(f"({bad} unreadable records skipped)")
