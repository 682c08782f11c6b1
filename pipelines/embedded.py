"""The stream job's logic in one Python process: no broker, no JVM, no runner.

``EmbeddedMonitor`` runs the same pure pieces the Beam job wraps (story dedup, signal
extraction, per-country ``Situation``) over articles handed to it in order. It backs
``frontwatch demo --embedded`` (seeds in, alerts out, also POSTed signed to a local
receiver) for a user with only Python, and it is a convenient harness for exploring rules.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import click
import httpx

from connectors.seedfeed import SeedItem, load_seed_dir
from connectors.wire import Alert, Article, Source, stable_id
from pipelines.clock import SystemClock
from pipelines.config import JobConfig, load_config
from pipelines.dedup import StoryRecord, fingerprint
from pipelines.signals import SignalExtractor, by_situation
from pipelines.situation import Situation

log = logging.getLogger(__name__)


class EmbeddedMonitor:
    """Articles in (in arrival order), alerts out; state kept in plain dicts."""

    def __init__(self, config: JobConfig | None = None, clock: Any = None,
                 extractor: Callable[[Article, str, datetime], list] | None = None):
        self.config = config or JobConfig()
        self.policy = self.config.policy()
        self.clock = clock or SystemClock()
        self.extractor = extractor or SignalExtractor()
        self.stories: dict[str, StoryRecord] = {}
        self.situations: dict[str, Situation] = {}

    def process(self, article: Article) -> list[Alert]:
        now = self.clock.now()
        story = fingerprint(article)
        record = self.stories.setdefault(story, StoryRecord())
        _, signals = record.signals_for(article, lambda: self.extractor(article, story, now))
        alerts: list[Alert] = []
        for country, batch in by_situation(signals):
            situation = self.situations.get(country) or Situation.open(country, batch, self.policy)
            self.situations[country] = situation
            alerts += situation.observe(batch, now)
        return alerts


def seed_articles(items: list[SeedItem], publisher: str = "seeds.frontwatch.local") -> list[Article]:
    return [Article(id=stable_id(publisher, item.slug), url=f"https://{publisher}/articles/{item.slug}",
                    title=item.title, text=item.body, published=item.published, fetched=item.published,
                    source=Source(feed_id="seeds", publisher=publisher)) for item in items]


def post_signed(alert: Alert, url: str, secret: str, timeout: float = 10.0) -> int:
    """One Standard Webhooks delivery (no retries: the dispatcher is the place for those)."""
    from connectors.webhooks.sender import alert_payload
    from connectors.webhooks.signing import sign_headers

    body = alert_payload(alert)
    headers = {"content-type": "application/json", **sign_headers(alert.id, body, [secret])}
    return httpx.post(url, content=body, headers=headers, timeout=timeout).status_code


@click.command("demo")
@click.option("--embedded", is_flag=True, default=True,
              help="Run everything in this process (no Kafka, no Java, no Beam runner); the only demo "
                   "mode here - `frontwatch run` starts the full local stack.")
@click.option("--seeds", "seeds_dir", type=click.Path(exists=True, file_okay=False),
              default=str(Path(__file__).resolve().parents[1] / "seeds"), show_default=True,
              help="Directory of seed articles (*.txt).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Job YAML (thresholds, bands); see pipelines/job.example.yaml.")
@click.option("--receiver/--no-receiver", default=True, show_default=True,
              help="Also POST each alert, signed, to a local receiver that verifies it.")
def demo_command(embedded: bool, seeds_dir: str, config_path: str | None, receiver: bool) -> None:
    """Seeds -> extraction -> situation state -> alerts, in one process."""
    from connectors.webhooks.receiver import Receiver
    from connectors.webhooks.signing import generate_secret

    started = time.monotonic()
    monitor = EmbeddedMonitor(load_config(config_path))
    click.echo(f"gazetteer and extractor ready in {time.monotonic() - started:.1f}s")
    articles = seed_articles(load_seed_dir(Path(seeds_dir)))
    secret = generate_secret()
    rx = Receiver(secret, echo=lambda line: None).start() if receiver else None
    try:
        total = 0
        for article in articles:
            try:
                alerts = monitor.process(article)
            except Exception as exc:  # noqa: BLE001 - as the job dead-letters it, skip and go on
                click.echo(f"\n{article.title[:90]!r}: could not be processed ({type(exc).__name__}: {exc})")
                continue
            total += len(alerts)
            click.echo(f"\n{article.title[:90]!r}: {len(alerts)} alert(s)")
            for alert in alerts:
                click.echo(f"  [{alert.severity:>8}] {alert.summary}")
                if alert.evidence:
                    first = alert.evidence[0]
                    click.echo(f"             evidence: \"{first.quote[:150]}\" ({first.claimed_by or first.publisher})")
                if rx is not None:
                    post_signed(alert, rx.url, secret)
        if rx is not None:
            verified = sum(1 for r in rx.requests if r.verified)
            click.echo(f"\nlocal receiver {rx.url}: {len(rx.alerts)} alerts accepted, "
                       f"{verified} signatures verified, {rx.rejected} rejected")
        click.echo(f"{len(articles)} articles, {total} alerts in {time.monotonic() - started:.1f}s "
                   f"({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)")
    finally:
        if rx is not None:
            rx.stop()
