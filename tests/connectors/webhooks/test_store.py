"""The store's invariants: one delivery per (alert, subscriber), dead letters, replay, no secrets out."""
from __future__ import annotations

import json

import pytest

from connectors.webhooks.models import AttemptResult
from connectors.webhooks.ssrf import AddressPolicy, UnsafeURLError
from connectors.webhooks.store import open_store
from connectors.webhooks.subscriptions import SubscriptionRequest, Subscriptions

from webhook_helpers import make_alert

FAIL = AttemptResult("http_error", 0.01, 500)
OK = AttemptResult("success", 0.01, 200)


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "d.sqlite")
    yield s
    s.close()


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
