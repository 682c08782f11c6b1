"""Fixtures for the dispatcher tests: a publisher, subscriptions, an in-process dispatcher, and the
dispatcher database on either backend (a real PostgreSQL server the session starts itself)."""
from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from local_postgres import LocalPostgres, PostgresUnavailable
from webhook_helpers import FAST_RETRIES

from connectors.kafka import make_producer
from connectors.webhooks.config import DispatcherConfig
from connectors.webhooks.dispatcher import Dispatcher
from connectors.webhooks.ssrf import AddressPolicy
from connectors.webhooks.store import open_store
from connectors.webhooks.subscriptions import SubscriptionRequest, Subscriptions
from connectors.wire import Alert


@pytest.fixture
def producer(kafka):
    p = make_producer(kafka.bootstrap, client_id="test-publisher")
    yield p
    p.close()


@pytest.fixture
def publish(producer):
    """publish(topic, alert_or_bytes, ...): send and wait for the broker's ack."""
    def send(topic: str, *records: Alert | bytes) -> None:
        for record in records:
            value = record.to_json_bytes() if isinstance(record, Alert) else record
            key = record.situation.encode() if isinstance(record, Alert) else b"raw"
            producer.send(topic, key=key, value=value).get(timeout=30)
    return send


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server on loopback for the whole session (``local_postgres``).

    Missing server binaries fail the tests that need it, naming the Debian package: a
    silently skipped backend would look like a passing one.
    """
    try:
        server = LocalPostgres().start()
    except PostgresUnavailable as exc:
        server, unavailable = None, str(exc)
    if server is None:  # failed outside the except block: the message alone, no chained traceback
        pytest.fail(unavailable, pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def db(request, tmp_path):
    """The dispatcher database: a SQLite file, or a fresh PostgreSQL database (URL with its
    password) for tests parametrized with ``db`` = "postgresql" (``indirect=True``)."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield str(tmp_path / "dispatcher.sqlite")
        return
    assert backend == "postgresql", backend
    server = request.getfixturevalue("postgres")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def subscribe(db):
    """subscribe(url, **filters) -> (subscription, secret), loopback allowed."""
    store = open_store(db)
    service = Subscriptions(store, AddressPolicy(allow_loopback=True))

    def add(url: str, **fields):
        return service.create(SubscriptionRequest(url=url, **fields))
    yield add
    store.close()


@pytest.fixture
def dispatcher_config(kafka, db, topic_name):
    return DispatcherConfig(bootstrap=kafka.bootstrap, db=db, topic=topic_name("alerts"),
                            dead_letter_topic=topic_name("dlq"), group_id=topic_name("group"),
                            retry=FAST_RETRIES, request_timeout=2.0, allow_loopback=True,
                            breaker_cooldown=0.5, summary_interval=5.0)


@pytest.fixture
def run_dispatcher():
    """run_dispatcher(config, **overrides) -> Dispatcher running in a thread until the test ends."""
    running: list[tuple[threading.Event, threading.Thread]] = []

    def start(config: DispatcherConfig, **overrides) -> Dispatcher:
        dispatcher = Dispatcher(replace(config, **overrides))
        stop = threading.Event()
        thread = threading.Thread(target=dispatcher.run, args=(stop,), daemon=True)
        thread.start()
        assert dispatcher.ready.wait(30), "dispatcher did not connect"
        running.append((stop, thread))
        return dispatcher

    yield start
    for stop, thread in running:
        stop.set()
        thread.join(15)
        assert not thread.is_alive(), "dispatcher did not stop within 15 s"
