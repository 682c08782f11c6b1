"""What only the PostgreSQL store has: a network connection to lose, and a password in its URL."""
from __future__ import annotations

import psycopg
import pytest

from connectors.webhooks.config import DispatcherConfig
from connectors.webhooks.ssrf import AddressPolicy
from connectors.webhooks.store import open_store, redact
from connectors.webhooks.subscriptions import SubscriptionRequest, Subscriptions

pytestmark = pytest.mark.parametrize("db", ["postgresql"], indirect=True)


@pytest.fixture
def store(db):
    s = open_store(db)
    yield s
    s.close()


def test_connection_lost_fails_one_call_then_reconnects(db, postgres, store):
    """A server restart or failover fails the call in progress (the dispatcher retries it)
    and the next call gets a new connection instead of failing forever."""
    sub, _ = Subscriptions(store, AddressPolicy(allow_loopback=True)).create(
        SubscriptionRequest(url="http://127.0.0.1:1/a"))
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        killed = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                               " WHERE datname = %s AND pid <> pg_backend_pid()", (db.rsplit("/", 1)[1],)).fetchall()
    assert killed == [(True,)]
    with pytest.raises(psycopg.OperationalError):
        store.enqueue([("alert-1", b"{}", [sub.id])], now=1)
    assert store.enqueue([("alert-1", b"{}", [sub.id])], now=1) == 1
    assert store.count_pending() == 1


def test_the_password_stays_out_of_what_is_shown(db, postgres, store):
    assert postgres.password in db
    assert postgres.password not in store.location and ":***@" in store.location
    assert postgres.password not in repr(store)
    assert redact("postgresql://u@h/d?password=pw&sslmode=require") == "postgresql://u@h/d?password=***&sslmode=require"
    # the Kafka static-membership id names the database (host, name), not the password
    other_password = db.replace(postgres.password, "something-else")
    assert (DispatcherConfig(bootstrap="b:1", db=db).consumer_instance_id
            == DispatcherConfig(bootstrap="b:1", db=other_password).consumer_instance_id
            != DispatcherConfig(bootstrap="b:1", db=db + "x").consumer_instance_id)
    with pytest.raises(psycopg.OperationalError) as failed:
        open_store(db.replace(postgres.password, postgres.password[::-1]))
    assert postgres.password[::-1] not in str(failed.value)
