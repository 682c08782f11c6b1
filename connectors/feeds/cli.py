"""``frontwatch connectors``: run the feed ingester, show per-feed status, re-enable a feed."""
from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from datetime import datetime, timezone

import click

from connectors.feeds.config import ConfigError, load_config

log = logging.getLogger("connectors.feeds")

DEFAULT_STATE = "var/feeds.sqlite"
STOP_GRACE = 5.0  # seconds given to in-flight sends on shutdown (the whole stop stays under 10 s)


@click.group("connectors")
def connectors_group() -> None:
    """Poll news feeds and publish articles to Kafka."""


@connectors_group.command("run")
@click.option("--config", "config_path", required=True, type=click.Path(exists=True, dir_okay=False),
              envvar="FRONTWATCH_FEEDS_CONFIG", help="Feed list (e.g. seeds/feeds.yaml).")
@click.option("--bootstrap", default="127.0.0.1:9092", show_default=True, envvar="FRONTWATCH_BOOTSTRAP",
              help="Kafka bootstrap servers.")
@click.option("--topic", default=None, help="Topic for articles [default: the config's topic, 'articles'].")
@click.option("--state", "state_path", default=DEFAULT_STATE, show_default=True, envvar="FRONTWATCH_FEEDS_STATE",
              type=click.Path(dir_okay=False), help="SQLite file with feed state and published ids.")
@click.option("--once", is_flag=True, help="Poll every due feed once, publish, and exit.")
@click.option("--metrics-port", type=int, default=None, envvar="FRONTWATCH_FEEDS_METRICS_PORT",
              help="Serve Prometheus /metrics and /healthz on this port.")
@click.option("--metrics-host", default="127.0.0.1", show_default=True, help="Address for the metrics endpoint.")
@click.option("--workers", type=click.IntRange(1, 256), default=None, help="Feeds fetched at the same time.")
@click.option("--summary-every", type=float, default=60.0, show_default=True, help="Seconds between summary logs.")
def run_command(config_path, bootstrap, topic, state_path, once, metrics_port, metrics_host, workers,
                summary_every) -> None:
    """Poll all feeds concurrently and publish new articles to Kafka.

    Runs until SIGTERM/Ctrl-C (then stops within 10 s), or with --once polls each due
    feed once and exits with status 1 if any feed failed.
    """
    from connectors.feeds.ingester import FeedIngester
    from connectors.feeds.metrics import serve_metrics
    from connectors.kafka import ensure_topics

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if workers:
        config = config.model_copy(update={"workers": workers})
    topic = topic or config.topic
    try:
        ensure_topics(bootstrap, [topic])
    except Exception as exc:  # noqa: BLE001 - broker down: articles wait in the outbox
        log.warning("cannot check topic %s on %s (%s); continuing, articles wait until the broker answers",
                    topic, bootstrap, exc)

    ingester = FeedIngester(config, bootstrap, state_path, topic=topic)
    stop = threading.Event()
    server = None
    if metrics_port is not None:
        server = serve_metrics(ingester.metrics, metrics_port, _health(ingester, once), host=metrics_host)
        log.info("metrics on http://%s:%d/metrics and /healthz", metrics_host, server.server_address[1])
    failed = False
    try:
        if once:
            summary = ingester.poll_due()
            log.info("poll done %s", summary.describe())
            failed = any(o.failed for o in summary.outcomes) or summary.publish.pending > 0
        else:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            ingester.run(stop, summary_every=summary_every)
            log.info("stopping: flushing the producer and closing the state store")
    finally:
        started = time.monotonic()
        abandoned = ingester.close(grace=STOP_GRACE)
        if server is not None:
            server.shutdown()
        log.info("stopped in %.1fs", time.monotonic() - started)
    if abandoned:
        # Python would join the blocked fetch threads at exit (up to read_timeout); they hold
        # no unsaved state, so leave without them to keep the stop under 10 s.
        log.warning("abandoning %d fetches still waiting on slow servers", abandoned)
        logging.shutdown()
        os._exit(1 if failed else 0)
    if failed:
        sys.exit(1)


def _health(ingester, once: bool):
    """Healthy while the scheduler loop ticks (a stalled loop for 60 s is unhealthy)."""
    def check() -> tuple[bool, dict]:
        age = time.time() - ingester.heartbeat if ingester.heartbeat else None
        healthy = once or (age is not None and age < 60)
        return healthy, {"loop_age_s": round(age, 1) if age is not None else None,
                         "outbox": ingester.store.outbox_size()}
    return check


@connectors_group.command("status")
@click.option("--state", "state_path", default=DEFAULT_STATE, show_default=True, envvar="FRONTWATCH_FEEDS_STATE",
              type=click.Path(exists=True, dir_okay=False), help="The connector's SQLite state file.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed, one per line.")
def status_command(state_path, as_json) -> None:
    """Per-feed last success, last error, next check, errors, disabled reason, articles published."""
    from connectors.feeds.store import StateStore

    with StateStore(state_path) as store:
        states = store.feed_states()
        outbox, seen = store.outbox_size(), store.seen_count()
    if as_json:
        for state in states:
            click.echo(json.dumps(state.as_dict()))
        return
    now = datetime.now(timezone.utc)
    rows = [("FEED", "LAST SUCCESS", "NEXT CHECK", "ERRORS", "PUBLISHED", "UPDATES", "LAST ERROR / DISABLED")]
    for s in states:
        problem = f"DISABLED: {s.disabled_reason}" if s.disabled_reason else (s.last_error or "")
        if s.last_error and not s.disabled_reason and s.consecutive_errors == 0:
            problem = f"(earlier) {s.last_error}"
        rows.append((s.feed_id, _ago(s.last_success, now), _until(s.next_check, now), str(s.consecutive_errors),
                     str(s.articles_published), str(s.updates_published), problem[:100]))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
    disabled = sum(1 for s in states if s.disabled_reason)
    click.echo(f"\n{len(states)} feeds, {disabled} disabled, {seen} article ids remembered, "
               f"{outbox} articles waiting for the broker")


@connectors_group.command("enable")
@click.argument("feed_id")
@click.option("--state", "state_path", default=DEFAULT_STATE, show_default=True, envvar="FRONTWATCH_FEEDS_STATE",
              type=click.Path(exists=True, dir_okay=False))
def enable_command(feed_id, state_path) -> None:
    """Re-enable a disabled feed and check it at the next pass."""
    from connectors.feeds.store import StateStore

    with StateStore(state_path) as store:
        state = store.feed_state(feed_id)
        state.disabled_reason = None
        state.consecutive_errors = state.permanent_errors = 0
        state.next_check = None
        store.save_feed_state(state)
    click.echo(f"{feed_id}: enabled")


def _ago(when: datetime | None, now: datetime) -> str:
    return "never" if when is None else f"{_span((now - when).total_seconds())} ago"


def _until(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "now"
    seconds = (when - now).total_seconds()
    return "now" if seconds <= 0 else f"in {_span(seconds)}"


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"
