"""``frontwatch dispatcher|subscribers|deliveries``: run the service, manage subscriptions,
inspect and replay deliveries. Secrets are printed only when created or rotated."""
from __future__ import annotations

import json
import logging
import signal
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone

import click
from pydantic import ValidationError

from connectors.webhooks.config import DispatcherConfig, default_db
from connectors.webhooks.policy import RetryPolicy
from connectors.webhooks.ssrf import AddressPolicy, UnsafeURLError
from connectors.webhooks.store import open_store
from connectors.webhooks.subscriptions import SubscriptionRequest, Subscriptions, UnknownSubscription

log = logging.getLogger(__name__)

db_option = click.option("--db", default=default_db, show_default="$FRONTWATCH_DISPATCHER_DB or var/dispatcher.sqlite",
                         help="Dispatcher database: a SQLite file, or postgresql://USER[:PASSWORD]@HOST[:PORT]/DB.")
loopback_option = click.option("--allow-loopback", is_flag=True,
                               help="Accept webhook URLs on loopback (local demo and tests only).")
private_option = click.option("--allow-private", is_flag=True,
                              help="Accept webhook URLs on private networks (RFC 1918, ULA, CGNAT).")
network_option = click.option("--allow-network", "allowed_networks", multiple=True, metavar="CIDR",
                              help="Accept this network explicitly (repeatable).")


def _when(ts: float | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _service(db: str, allow_loopback: bool = False, allow_private: bool = False,
             allowed_networks: tuple[str, ...] = ()) -> Subscriptions:
    return Subscriptions(open_store(db), AddressPolicy.build(allow_loopback, allow_private, allowed_networks))


# ---------------------------------------------------------------------- dispatcher


def _quiet_client_logs() -> None:
    """Per-request INFO lines of kafka-python and httpx drown ours; keep their warnings."""
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        for chatty in ("kafka", "httpx", "httpcore"):
            logging.getLogger(chatty).setLevel(logging.WARNING)


@click.group("dispatcher")
def dispatcher_group() -> None:
    """Deliver alerts from Kafka to webhook subscribers."""
    _quiet_client_logs()


@dispatcher_group.command("run")
@click.option("--bootstrap", required=True, envvar="FRONTWATCH_BOOTSTRAP", help="Kafka HOST:PORT.")
@click.option("--topic", default="alerts", show_default=True)
@click.option("--dead-letter-topic", default="dead-letter", show_default=True)
@click.option("--group", "group_id", default="frontwatch-dispatcher", show_default=True, help="Kafka consumer group.")
@db_option
@loopback_option
@private_option
@network_option
@click.option("--metrics-port", type=int, help="Serve /metrics and /healthz on this port.")
@click.option("--api-port", type=int, help="Serve the subscriptions API on this port.")
@click.option("--api-token", envvar="FRONTWATCH_API_TOKEN", help="Bearer token of the API ($FRONTWATCH_API_TOKEN).")
@click.option("--bind", default="127.0.0.1", show_default=True, help="Address for the metrics and API ports.")
@click.option("--retry-schedule", default=None, metavar="S,S,...",
              help="Delays in seconds before each attempt [default: 0,5,300,1800,7200,18000,36000,36000].")
@click.option("--timeout", "request_timeout", type=float, default=10.0, show_default=True,
              help="Seconds allowed for one attempt.")
@click.option("--concurrency", "per_subscriber_concurrency", type=int, default=4, show_default=True,
              help="Attempts in flight per subscriber.")
@click.option("--breaker-threshold", type=int, default=5, show_default=True,
              help="Consecutive failures that pause an endpoint.")
@click.option("--disable-after-days", type=float, default=5.0, show_default=True,
              help="Disable a subscription failing this long without a success.")
@click.option("--summary-interval", type=float, default=30.0, show_default=True,
              help="Seconds between summary log lines.")
def run_command(retry_schedule: str | None, disable_after_days: float, allowed_networks: tuple[str, ...],
                **options) -> None:
    """Run the dispatcher until SIGTERM or Ctrl-C."""
    from connectors.webhooks.dispatcher import Dispatcher

    try:
        config = DispatcherConfig(retry=RetryPolicy.parse(retry_schedule) if retry_schedule else RetryPolicy(),
                                  disable_after=disable_after_days * 86400,
                                  allowed_networks=allowed_networks, **options)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    Dispatcher(config).run(stop)


@dispatcher_group.command("api")
@db_option
@loopback_option
@private_option
@network_option
@click.option("--port", type=int, default=8780, show_default=True)
@click.option("--bind", default="127.0.0.1", show_default=True)
@click.option("--token", envvar="FRONTWATCH_API_TOKEN", required=True,
              help="Bearer token clients must send ($FRONTWATCH_API_TOKEN).")
def api_command(db: str, allow_loopback: bool, allow_private: bool, allowed_networks: tuple[str, ...],
                port: int, bind: str, token: str) -> None:
    """Serve only the subscriptions API (when the dispatcher runs without --api-port)."""
    from connectors.webhooks.api import api_app
    from connectors.webhooks.metrics import WsgiServer

    server = WsgiServer(api_app(_service(db, allow_loopback, allow_private, allowed_networks), token), bind, port)
    click.echo(f"subscriptions API on http://{bind}:{server.port}/v1/subscriptions (Ctrl-C to stop)")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    server.close()


@dispatcher_group.command("receiver")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8765, show_default=True)
@click.option("--secret", "secrets", multiple=True, required=True,
              help="The subscription's whsec_ secret (repeat during a rotation).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of summaries.")
def receiver_command(host: str, port: int, secrets: tuple[str, ...], as_json: bool) -> None:
    """Run a local receiver that verifies and prints webhooks (quick start)."""
    from connectors.webhooks.receiver import serve

    serve(secrets, host, port, as_json)


# ---------------------------------------------------------------------- subscribers


@click.group("subscribers")
def subscribers_group() -> None:
    """Manage webhook subscriptions."""
    _quiet_client_logs()


@subscribers_group.command("add")
@click.argument("url")
@db_option
@click.option("--secret", help="Use this whsec_ secret instead of generating one.")
@click.option("--country", "countries", multiple=True, help="Only alerts about this ISO country code (repeatable).")
@click.option("--situation", "situations", multiple=True, help="Only this situation, e.g. SY:Damascus (repeatable).")
@click.option("--kind", "kinds", multiple=True,
              type=click.Choice(["band_crossing", "de_escalation", "territory_change", "loss_rate"]),
              help="Only these alert kinds (repeatable).")
@click.option("--min-severity", default="info", show_default=True,
              type=click.Choice(["info", "low", "medium", "high", "critical"]))
@click.option("--min-confidence", type=float, default=0.0, show_default=True)
@click.option("--description", default="")
@loopback_option
@private_option
@network_option
def add_command(db: str, allow_loopback: bool, allow_private: bool, allowed_networks: tuple[str, ...],
                **fields) -> None:
    """Subscribe URL to alerts; prints the signing secret once."""
    try:
        request = SubscriptionRequest(**fields)
        sub, secret = _service(db, allow_loopback, allow_private, allowed_networks).create(request)
    except (ValidationError, UnsafeURLError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"subscription {sub.id} -> {sub.url}")
    click.echo(f"secret (shown once, store it now): {secret}")


@subscribers_group.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
def list_command(db: str, as_json: bool) -> None:
    """List subscriptions (secrets are never shown)."""
    for sub in _service(db).list():
        if as_json:
            click.echo(json.dumps(sub.public()))
            continue
        f = sub.filters
        scope = ",".join(f.countries + f.situations) or "all"
        kinds = ",".join(f.kinds) or "all kinds"
        state = "enabled" if sub.enabled else f"DISABLED ({sub.disabled_reason})"
        click.echo(f"{sub.id}  {sub.url}  {scope}; {kinds}; severity>={f.min_severity}; "
                   f"confidence>={f.min_confidence:g}  {state}")


@contextmanager
def _known_subscription():
    """Turn an unknown subscription id into a CLI error."""
    try:
        yield
    except UnknownSubscription as exc:
        raise click.ClickException(f"no subscription {exc}") from exc


@subscribers_group.command("remove")
@click.argument("sub_id")
@db_option
def remove_command(db: str, sub_id: str) -> None:
    """Remove a subscription and its queued deliveries."""
    with _known_subscription():
        _service(db).remove(sub_id)
    click.echo(f"removed {sub_id}")


@subscribers_group.command("rotate-secret")
@click.argument("sub_id")
@db_option
@click.option("--secret", help="Use this whsec_ secret instead of generating one.")
@click.option("--grace-hours", type=float, default=24.0, show_default=True,
              help="How long the old secret keeps signing alongside the new one.")
def rotate_command(db: str, sub_id: str, secret: str | None, grace_hours: float) -> None:
    """Start using a new secret; both sign until the grace period ends."""
    with _known_subscription():
        try:
            new = _service(db).rotate_secret(sub_id, secret, grace_hours * 3600)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"new secret (shown once, store it now): {new}")
    click.echo(f"the old secret keeps signing for {grace_hours:g} h")


@subscribers_group.command("enable")
@click.argument("sub_id")
@db_option
def enable_command(db: str, sub_id: str) -> None:
    """Re-enable a subscription (after 410 Gone or long failure); then `deliveries replay`."""
    with _known_subscription():
        _service(db).enable(sub_id)
    click.echo(f"enabled {sub_id}")


@subscribers_group.command("disable")
@click.argument("sub_id")
@db_option
def disable_command(db: str, sub_id: str) -> None:
    """Stop deliveries to a subscription; its queued deliveries are dead-lettered."""
    with _known_subscription():
        dropped = _service(db).disable(sub_id)
    click.echo(f"disabled {sub_id}; {dropped} queued deliveries dead-lettered")


@subscribers_group.command("test")
@click.argument("sub_id")
@db_option
@loopback_option
@private_option
@network_option
@click.option("--timeout", type=float, default=10.0, show_default=True)
def test_command(db: str, sub_id: str, timeout: float, allow_loopback: bool, allow_private: bool,
                 allowed_networks: tuple[str, ...]) -> None:
    """Send a signed test event to a subscription now and show the outcome."""
    with _known_subscription():
        result = _service(db, allow_loopback, allow_private, allowed_networks).test(sub_id, timeout)
    click.echo(f"{sub_id}: {result.describe()} in {result.latency * 1000:.0f} ms")
    if not result.ok:
        raise SystemExit(1)


# ---------------------------------------------------------------------- deliveries


@click.group("deliveries")
def deliveries_group() -> None:
    """Inspect and replay webhook deliveries."""
    _quiet_client_logs()


@deliveries_group.command("list")
@db_option
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--subscriber", help="Only this subscription.")
@click.option("--alert", help="Only this alert id.")
@click.option("--dead", is_flag=True, help="Show the dead-letter table instead of attempts.")
@click.option("--json", "as_json", is_flag=True)
def deliveries_list_command(db: str, limit: int, subscriber: str | None, alert: str | None,
                            dead: bool, as_json: bool) -> None:
    """Show recent delivery attempts (newest first), or dead letters with --dead."""
    store = open_store(db)
    if dead:
        for row in store.dead_letters(limit):
            if as_json:
                click.echo(json.dumps(row.__dict__))
            else:
                click.echo(f"{_when(row.at)}  {row.alert_id}  {row.subscriber_id}  "
                           f"attempts={row.attempts}  {row.reason}")
        return
    for row in store.recent_attempts(limit, subscriber_id=subscriber, alert_id=alert):
        if as_json:
            click.echo(json.dumps(row.__dict__))
        else:
            status = row.status if row.status is not None else "---"
            click.echo(f"{_when(row.at)}  {row.alert_id}  {row.subscriber_id}  #{row.attempt}  "
                       f"{row.outcome:<13} {status}  {row.latency_ms:7.1f} ms  {row.state}"
                       + (f"  {row.error}" if row.error else ""))


@deliveries_group.command("replay")
@db_option
@click.option("--subscriber", help="Only this subscription's dead letters.")
@click.option("--alert", help="Only this alert's dead letters.")
def replay_command(db: str, subscriber: str | None, alert: str | None) -> None:
    """Queue dead-lettered deliveries again (attempts reset); a running dispatcher sends them."""
    count = open_store(db).replay(time.time(), subscriber_id=subscriber, alert_id=alert)
    click.echo(f"{count} dead-lettered deliveries queued again")
