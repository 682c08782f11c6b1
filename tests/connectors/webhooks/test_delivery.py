"""The dispatcher against a real broker and real HTTP receivers on loopback."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager

import httpx
import psycopg
import pytest
from webhook_helpers import BACKENDS, eventually, make_alert

from connectors.kafka import make_consumer
from connectors.webhooks.policy import RetryPolicy
from connectors.webhooks.receiver import Receiver, Reply
from connectors.webhooks.signing import generate_secret
from connectors.webhooks.store import is_postgres, open_store
from connectors.wire import DeadLetter


@pytest.fixture
def store(db):
    s = open_store(db)
    yield s
    s.close()


def outcomes(store, alert_id: str) -> list[str]:
    return [a.outcome for a in reversed(store.recent_attempts(alert_id=alert_id))]


@contextmanager
def table_gone(db: str, table: str):
    """The table renamed away meanwhile: every query of it fails, as in a database outage."""
    conn = psycopg.connect(db, autocommit=True) if is_postgres(db) else sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
        yield
        conn.execute(f"ALTER TABLE {table}_away RENAME TO {table}")
    finally:
        conn.close()


def test_alert_is_delivered_signed_in_an_envelope_to_matching_subscribers(
        subscribe, dispatcher_config, run_dispatcher, publish, store):
    secret = generate_secret()
    with Receiver(secret) as syria, Receiver(secret) as ukraine:
        sub, _ = subscribe(syria.url, secret=secret, countries=["SY"])
        subscribe(ukraine.url, secret=secret, countries=["UA"])
        dispatcher = run_dispatcher(dispatcher_config)
        alert = make_alert(1)
        publish(dispatcher_config.topic, alert)
        [got] = syria.wait_for(lambda alerts: len(alerts) == 1)
        assert got == json.loads(alert.to_json_bytes())
        [received] = syria.received
        assert received.webhook_id == alert.id
        assert received.payload["type"] == "alert.band_crossing"
        assert received.payload["timestamp"] == "2024-12-07T09:00:00Z"
        assert syria.rejected == 0  # every request carried a valid signature
        eventually(lambda: store.recent_attempts(alert_id=alert.id))
        assert outcomes(store, alert.id) == ["success"]
        assert ukraine.requests == []  # filtered out, never sent
        assert dispatcher.metrics.value("frontwatch_dispatcher_attempts_total", outcome="success") == 1


def test_500_is_retried_with_the_same_webhook_id_until_it_succeeds(
        subscribe, dispatcher_config, run_dispatcher, publish, store):
    secret = generate_secret()
    with Receiver(secret, reply=lambda n: Reply(500) if n <= 2 else Reply(200)) as rx:
        subscribe(rx.url, secret=secret)
        run_dispatcher(dispatcher_config)
        publish(dispatcher_config.topic, make_alert(2))
        rx.wait_for(lambda alerts: len(alerts) == 1)
        assert [(r.webhook_id, r.status) for r in rx.requests] == [
            ("alert-0002", 500), ("alert-0002", 500), ("alert-0002", 200)]
        eventually(lambda: len(outcomes(store, "alert-0002")) == 3)
        assert outcomes(store, "alert-0002") == ["http_error", "http_error", "success"]


def test_exhausted_attempts_are_dead_lettered_and_replay_resends(
        subscribe, dispatcher_config, run_dispatcher, publish, store):
    secret = generate_secret()
    healthy = threading.Event()
    with Receiver(secret, reply=lambda n: Reply(200) if healthy.is_set() else Reply(302)) as rx:
        subscribe(rx.url, secret=secret)
        dispatcher = run_dispatcher(dispatcher_config)
        publish(dispatcher_config.topic, make_alert(3))
        [dead] = eventually(lambda: store.dead_letters())
        assert dead.alert_id == "alert-0003" and dead.attempts == 4  # the whole (compressed) schedule
        assert "attempts exhausted" in dead.reason and "302" in dead.reason  # a redirect is a failure
        time.sleep(0.8)  # longer than any remaining retry delay: nothing more is sent
        assert [r.status for r in rx.requests] == [302] * 4
        assert dispatcher.metrics.value("frontwatch_dispatcher_dead_letters_total") == 1
        healthy.set()
        assert store.replay(time.time()) == 1
        rx.wait_for(lambda alerts: [a["id"] for a in alerts] == ["alert-0003"])
        assert store.dead_letters() == []


def test_timeout_is_a_failure_and_is_retried(subscribe, dispatcher_config, run_dispatcher, publish, store):
    secret = generate_secret()
    with Receiver(secret, reply=lambda n: Reply(500, delay=2.5) if n == 1 else Reply()) as rx:
        subscribe(rx.url, secret=secret)
        run_dispatcher(dispatcher_config, request_timeout=1.0)
        publish(dispatcher_config.topic, make_alert(4))
        rx.wait_for(lambda alerts: len(alerts) == 1)
        eventually(lambda: len(outcomes(store, "alert-0004")) == 2)
        assert outcomes(store, "alert-0004") == ["timeout", "success"]
        assert rx.duplicates == []


def test_connection_closed_mid_request_is_retried(subscribe, dispatcher_config, run_dispatcher, publish, store):
    secret = generate_secret()
    with Receiver(secret, reply=lambda n: Reply(close=True) if n == 1 else Reply()) as rx:
        subscribe(rx.url, secret=secret)
        run_dispatcher(dispatcher_config)
        publish(dispatcher_config.topic, make_alert(5))
        rx.wait_for(lambda alerts: len(alerts) == 1)
        eventually(lambda: len(outcomes(store, "alert-0005")) == 2)
        assert outcomes(store, "alert-0005") == ["network_error", "success"]
        assert [r.status for r in rx.requests] == [None, 204]


def test_410_gone_disables_the_subscription(subscribe, dispatcher_config, run_dispatcher, publish, store):
    secret = generate_secret()
    with Receiver(secret, reply=lambda n: Reply(410)) as rx:
        sub, _ = subscribe(rx.url, secret=secret)
        dispatcher = run_dispatcher(dispatcher_config)
        publish(dispatcher_config.topic, make_alert(6))
        eventually(lambda: not store.get_subscription(sub.id).enabled)
        assert "410" in store.get_subscription(sub.id).disabled_reason
        assert [d.alert_id for d in store.dead_letters()] == ["alert-0006"]
        publish(dispatcher_config.topic, make_alert(7))
        eventually(lambda: dispatcher.metrics.value("frontwatch_dispatcher_alerts_consumed_total") == 2)
        time.sleep(0.5)
        assert [r.webhook_id for r in rx.requests] == ["alert-0006"]  # no retry, nothing new


def test_429_retry_after_is_honoured(subscribe, dispatcher_config, run_dispatcher, publish, store):
    secret = generate_secret()
    with Receiver(secret, reply=lambda n: Reply(429, {"Retry-After": "1"}) if n == 1 else Reply()) as rx:
        subscribe(rx.url, secret=secret)
        run_dispatcher(dispatcher_config)  # the schedule alone would retry after 0.2 s
        publish(dispatcher_config.topic, make_alert(8))
        rx.wait_for(lambda alerts: len(alerts) == 1)
        first, second = rx.requests
        assert first.status == 429 and second.status == 204
        assert second.at - first.at >= 0.9
        eventually(lambda: len(outcomes(store, "alert-0008")) == 2)
        assert outcomes(store, "alert-0008") == ["throttled", "success"]


def test_reemitted_alert_is_not_delivered_again(subscribe, dispatcher_config, run_dispatcher, publish):
    secret = generate_secret()
    with Receiver(secret) as rx:
        subscribe(rx.url, secret=secret)
        run_dispatcher(dispatcher_config)
        publish(dispatcher_config.topic, make_alert(9))
        rx.wait_for(lambda alerts: len(alerts) == 1)
        publish(dispatcher_config.topic, make_alert(9), make_alert(10))  # a replayed job re-emits 9
        rx.wait_for(lambda alerts: len(alerts) == 2)
        time.sleep(0.5)
        assert [r.webhook_id for r in rx.requests] == ["alert-0009", "alert-0010"]


def test_malformed_records_go_to_dead_letter_and_the_next_alert_still_flows(
        kafka, subscribe, dispatcher_config, run_dispatcher, publish):
    secret = generate_secret()
    with Receiver(secret) as rx:
        subscribe(rx.url, secret=secret)
        dispatcher = run_dispatcher(dispatcher_config)
        publish(dispatcher_config.topic, b"{not json", b'{"schema": "frontwatch.alert/1", "id": "x"}',
                make_alert(11))
        rx.wait_for(lambda alerts: [a["id"] for a in alerts] == ["alert-0011"])
        consumer = make_consumer(kafka.bootstrap, group_id=None, consumer_timeout_ms=10000)
        consumer.subscribe([dispatcher_config.dead_letter_topic])
        dead = []
        for message in consumer:
            dead.append(DeadLetter.from_json_bytes(message.value))
            if len(dead) == 2:
                break
        consumer.close()
        assert [d.payload for d in dead] == ["{not json", '{"schema": "frontwatch.alert/1", "id": "x"}']
        assert all(d.source_topic == dispatcher_config.topic and d.error.startswith("Alert:") for d in dead)
        assert "kind" in dead[1].error  # names the missing field
        assert dispatcher.metrics.value("frontwatch_dispatcher_malformed_records_total") == 2


def test_slow_subscriber_does_not_hold_up_others_and_is_bounded(
        subscribe, dispatcher_config, run_dispatcher, publish):
    secret = generate_secret()
    lock, active, peak = threading.Lock(), [0], [0]

    def slow(attempt: int) -> Reply:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.5)
        with lock:
            active[0] -= 1
        return Reply()

    with Receiver(secret, reply=slow) as slow_rx, Receiver(secret) as fast_rx:
        subscribe(slow_rx.url, secret=secret)
        subscribe(fast_rx.url, secret=secret)
        run_dispatcher(dispatcher_config, per_subscriber_concurrency=3)
        publish(dispatcher_config.topic, *[make_alert(100 + i) for i in range(12)])
        fast_rx.wait_for(lambda alerts: len(alerts) == 12)
        assert len(slow_rx.alerts) < 12  # fast got everything while slow was still working
        slow_rx.wait_for(lambda alerts: len(alerts) == 12)
        assert peak[0] == 3  # concurrency was used, and bounded


def test_circuit_breaker_stops_hammering_a_failing_endpoint(
        subscribe, dispatcher_config, run_dispatcher, publish):
    secret = generate_secret()
    with Receiver(secret, reply=lambda n: Reply(500)) as broken, Receiver(secret) as healthy:
        subscribe(broken.url, secret=secret)
        subscribe(healthy.url, secret=secret)
        run_dispatcher(dispatcher_config, breaker_threshold=3, breaker_cooldown=60,
                       per_subscriber_concurrency=1)
        publish(dispatcher_config.topic, *[make_alert(200 + i) for i in range(10)])
        healthy.wait_for(lambda alerts: len(alerts) == 10)
        time.sleep(1.0)
        assert len(broken.requests) == 3  # then the breaker opened; 10 alerts x 4 attempts otherwise


def test_subscription_failing_too_long_is_disabled(subscribe, dispatcher_config, run_dispatcher, publish, store):
    secret = generate_secret()
    with Receiver(secret, reply=lambda n: Reply(500)) as rx:
        sub, _ = subscribe(rx.url, secret=secret)
        run_dispatcher(dispatcher_config, retry=RetryPolicy(delays=(0,) + (0.3,) * 20, jitter=0),
                       disable_after=1.0)
        publish(dispatcher_config.topic, make_alert(12))
        eventually(lambda: not store.get_subscription(sub.id).enabled)
        assert "failing without a success" in store.get_subscription(sub.id).disabled_reason
        assert 2 <= len(rx.requests) <= 6  # about 1 s of 0.3 s retries, not all 21 attempts
        assert [d.alert_id for d in store.dead_letters()] == ["alert-0012"]


def test_metrics_and_healthz(subscribe, dispatcher_config, run_dispatcher, publish):
    secret = generate_secret()
    with Receiver(secret) as rx:
        subscribe(rx.url, secret=secret)
        dispatcher = run_dispatcher(dispatcher_config, metrics_port=0)
        base = f"http://127.0.0.1:{dispatcher.metrics_port}"
        assert httpx.get(f"{base}/healthz").status_code == 200
        publish(dispatcher_config.topic, make_alert(13))
        rx.wait_for(lambda alerts: len(alerts) == 1)

        def scrape_after_success() -> str | None:
            text = httpx.get(f"{base}/metrics").text
            return text if 'attempts_total{outcome="success"} 1.0' in text else None

        text = eventually(scrape_after_success)
        assert "frontwatch_dispatcher_queue_depth 0.0" in text
        assert "frontwatch_dispatcher_attempt_seconds_bucket" in text


def test_subscriptions_api(dispatcher_config, run_dispatcher):
    dispatcher = run_dispatcher(dispatcher_config, api_port=0, api_token="t0ken")
    base = f"http://127.0.0.1:{dispatcher.api_port}/v1/subscriptions"
    auth = {"Authorization": "Bearer t0ken"}
    assert httpx.get(base).status_code == 401
    assert httpx.get(base, headers={"Authorization": "Bearer wrong"}).status_code == 401
    with Receiver(generate_secret()) as placeholder:
        created = httpx.post(base, headers=auth, json={"url": placeholder.url, "countries": ["SY"]})
        assert created.status_code == 201
        body = created.json()
        assert body["secret"].startswith("whsec_") and body["filters"]["countries"] == ["SY"]
    with Receiver(body["secret"]) as rx:
        httpx.delete(f"{base}/{body['id']}", headers=auth)
        created = httpx.post(base, headers=auth, json={"url": rx.url, "secret": body["secret"]}).json()
        listed = httpx.get(base, headers=auth).json()
        assert [s["id"] for s in listed] == [created["id"]]
        assert body["secret"] not in json.dumps(listed)
        tested = httpx.post(f"{base}/{created['id']}/test", headers=auth).json()
        assert tested["outcome"] == "success" and tested["status"] == 204
        assert rx.received[0].payload["type"] == "frontwatch.test"
    assert httpx.post(base, headers=auth, json={"url": "http://10.0.0.1/x"}).status_code == 400
    assert httpx.post(base, headers=auth, json={"nope": 1}).status_code == 400
    assert httpx.delete(f"{base}/{created['id']}", headers=auth).status_code == 204
    assert httpx.delete(f"{base}/{created['id']}", headers=auth).status_code == 404
    assert httpx.get(base, headers=auth).json() == []


@pytest.mark.parametrize("db", BACKENDS, indirect=True)
def test_database_failure_while_handling_a_batch_redoes_the_batch(
        subscribe, dispatcher_config, run_dispatcher, publish, db, caplog):
    """The first store call of a batch (the subscriptions lookup) failing, as it does on the
    first use of a PostgreSQL connection lost since the last batch, must not skip the batch."""
    secret = generate_secret()
    with Receiver(secret) as rx:
        subscribe(rx.url, secret=secret)
        run_dispatcher(dispatcher_config)
        with table_gone(db, "subscriptions"):
            publish(dispatcher_config.topic, make_alert(8))
            eventually(lambda: f"consuming {dispatcher_config.topic}: " in caplog.text)  # it failed
        got = rx.wait_for(lambda alerts: len(alerts) == 1)
        assert [a["id"] for a in got] == ["alert-0008"]
