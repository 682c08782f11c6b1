"""The store's invariants: one delivery per (alert, subscriber), dead letters, replay, no secrets out.

Every test runs on both backends: SQLite and a real PostgreSQL server (``postgres`` fixture).
"""
from __future__ import annotations

import json
import threading

import pytest

from connectors.webhooks.models import AttemptResult
from connectors.webhooks.ssrf import AddressPolicy, UnsafeURLError
from connectors.webhooks.store import PostgresStore, SqliteStore, open_store
from connectors.webhooks.subscriptions import SubscriptionRequest, Subscriptions

from webhook_helpers import BACKENDS, make_alert

pytestmark = pytest.mark.parametrize("db", BACKENDS, indirect=True)

FAIL = AttemptResult("http_error", 0.01, 500)
OK = AttemptResult("success", 0.01, 200)


@pytest.fixture
def store(db):
    s = open_store(db)
    yield s
    s.close()


def test_open_store_picks_the_backend_from_the_location(store, db):
    assert isinstance(store, PostgresStore if db.startswith("postgresql://") else SqliteStore)


@pytest.fixture
def service(store):
    return Subscriptions(store, AddressPolicy(allow_loopback=True), clock=lambda: 1000.0)


def test_same_alert_enqueued_twice_creates_one_delivery_per_subscriber(store, service):
    a, _ = service.create(SubscriptionRequest(url="http://127.0.0.1:1/a"))
    b, _ = service.create(SubscriptionRequest(url="http://127.0.0.1:1/b"))
    rows = [("alert-1", b"{}", [a.id, b.id])]
    assert store.enqueue(rows, now=1) == 2
    assert store.enqueue(rows, now=2) == 0  # re-emitted alert / re-read offsets
    assert store.count_pending() == 2
    delivered = store.due(a.id, now=5, limit=10)[0]
    store.record_success(delivered, OK, now=5)
    assert store.enqueue(rows, now=6) == 0  # a delivered id is never queued again
    assert store.due(a.id, now=10, limit=10) == []


def test_failures_schedule_retries_then_dead_letter_and_replay(store, service):
    sub, _ = service.create(SubscriptionRequest(url="http://127.0.0.1:1/a"))
    store.enqueue([("alert-1", b"{}", [sub.id])], now=0)
    d = store.due(sub.id, now=0, limit=1)[0]
    assert store.record_failure(d, FAIL, now=1, next_attempt_at=10) == 1  # failing since t=1
    assert store.due(sub.id, now=5, limit=1) == []  # not due before its retry time
    d = store.due(sub.id, now=10, limit=1)[0]
    assert d.attempts == 1
    assert store.record_failure(d, FAIL, now=11, next_attempt_at=None) == 1
    assert store.count_pending() == 0
    [dead] = store.dead_letters()
    assert dead.alert_id == "alert-1" and dead.attempts == 2 and "attempts exhausted" in dead.reason
    assert [a.outcome for a in store.recent_attempts()] == ["http_error", "http_error"]
    assert store.replay(now=20) == 1
    d = store.due(sub.id, now=20, limit=1)[0]
    assert d.attempts == 0
    assert store.dead_letters() == [] and len(store.dead_letters(include_replayed=True)) == 1


def test_disabling_dead_letters_pending_and_replay_waits_for_enable(store, service):
    sub, _ = service.create(SubscriptionRequest(url="http://127.0.0.1:1/a"))
    store.enqueue([(f"alert-{i}", b"{}", [sub.id]) for i in range(3)], now=0)
    assert service.disable(sub.id, "410") == 3
    assert store.count_pending() == 0 and len(store.dead_letters()) == 3
    assert store.enqueue([("alert-9", b"{}", [sub.id])], now=0) == 0  # matched before it was disabled
    assert store.replay(now=1) == 0  # disabled subscriptions are not replayed into
    service.enable(sub.id)
    assert store.replay(now=2, alert_id="alert-1") == 1
    assert [d.alert_id for d in store.due(sub.id, now=3, limit=10)] == ["alert-1"]


def test_secrets_never_leave_through_list_repr_or_public(store, service):
    sub, secret = service.create(SubscriptionRequest(url="http://127.0.0.1:1/a"))
    listed = service.list()[0]
    assert secret in listed.signing_secrets(now=1000)
    for text in (repr(listed), str(listed), json.dumps(listed.public()), listed.model_dump_json()):
        assert secret not in text and secret.removeprefix("whsec_") not in text


def test_rotation_keeps_old_secret_for_the_grace_period(store, service):
    sub, old = service.create(SubscriptionRequest(url="http://127.0.0.1:1/a"))
    new = service.rotate_secret(sub.id, grace=60)
    rotated = service.get(sub.id)
    assert rotated.signing_secrets(now=1000) == [new, old]
    assert rotated.signing_secrets(now=1061) == [new]


def test_filters_select_alerts(service):
    sub, _ = service.create(SubscriptionRequest(url="http://127.0.0.1:1/a", countries=["sy"],
                                                kinds=["band_crossing"], min_severity="medium",
                                                min_confidence=0.5))
    f = sub.filters
    assert f.matches(make_alert())
    assert not f.matches(make_alert(country="UA", situation="UA/Kyiv"))
    assert not f.matches(make_alert(kind="territory_change"))
    assert not f.matches(make_alert(severity="low"))
    assert not f.matches(make_alert(confidence=0.4))
    by_situation = SubscriptionRequest(url="http://x/", situations=["ua/kyiv"]).filters()
    assert by_situation.matches(make_alert(country="UA", situation="UA/Kyiv"))
    assert not by_situation.matches(make_alert())


def test_creation_refuses_unsafe_urls_and_bad_secrets(store):
    strict = Subscriptions(store, AddressPolicy())
    with pytest.raises(UnsafeURLError):
        strict.create(SubscriptionRequest(url="http://127.0.0.1:8080/hook"))
    with pytest.raises(ValueError):
        SubscriptionRequest(url="https://8.8.8.8/", secret="not-a-secret")
    assert store.list_subscriptions() == []


def test_bodies_and_times_round_trip_exactly(store, service):
    """Bodies are bytes (not text) and times full doubles: PostgreSQL's REAL would round
    1733562000.123 to the nearest 128 s."""
    sub, _ = service.create(SubscriptionRequest(url="http://127.0.0.1:1/a"))
    body = bytes(range(256)) + "é ∆ 😀".encode()  # NUL and bytes that are not UTF-8
    now = 1733562000.123456
    store.enqueue([("alert-1", body, [sub.id])], now=now)
    [delivery] = store.due(sub.id, now=now, limit=1)
    assert delivery.body == body and delivery.created_at == now
    assert store.pending_by_subscriber() == {sub.id: now}
    store.record_failure(delivery, FAIL, now=now + 0.001, next_attempt_at=now + 0.5)
    assert store.due(sub.id, now=now + 0.499, limit=1) == []
    [attempt] = store.recent_attempts()
    assert attempt.at == now + 0.001 and attempt.latency_ms == 10.0 and attempt.status == 500


def test_in_flight_deliveries_are_excluded(store, service):
    sub, _ = service.create(SubscriptionRequest(url="http://127.0.0.1:1/a"))
    store.enqueue([(f"alert-{i}", b"{}", [sub.id]) for i in range(3)], now=0)
    ids = [d.id for d in store.due(sub.id, now=0, limit=10)]
    assert [d.id for d in store.due(sub.id, now=0, limit=10, exclude=ids[:2])] == ids[2:]
    assert store.pending_by_subscriber(exclude=ids) == {}


def test_a_writer_waits_for_another_connections_transaction(db, store, service):
    """Writers take turns across connections (processes), as the read-then-write methods
    assume: an ``enqueue`` racing a half-done ``disable`` elsewhere must wait for it and
    then see the subscription disabled, not slip a pending delivery in under it."""
    sub, _ = service.create(SubscriptionRequest(url="http://127.0.0.1:1/a"))
    other = open_store(db)  # another process's connection
    created: list[int] = []
    enqueuer = threading.Thread(target=lambda: created.append(other.enqueue([("alert-1", b"{}", [sub.id])], 1)))
    try:
        with store._tx() as tx:  # a disable() in progress: subscription updated, not yet committed
            tx.execute("UPDATE subscriptions SET enabled = 0 WHERE id = ?", (sub.id,))
            enqueuer.start()
            enqueuer.join(0.5)
            assert enqueuer.is_alive(), "enqueue did not wait for the other transaction"
        enqueuer.join(10)
        assert created == [0] and store.count_pending() == 0
    finally:
        enqueuer.join(10)
        other.close()


def test_stores_opened_at_once_on_a_new_database_all_start(db):
    """Several processes starting on an empty database create the schema once, without racing."""
    errors: list[BaseException] = []
    stores = []

    def start():
        try:
            stores.append(open_store(db))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for s in stores:
        s.close()
    assert errors == [] and len(stores) == 8

