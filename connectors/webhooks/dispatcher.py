"""The dispatcher service: Kafka ``alerts`` in, signed webhooks out.

The consumer thread turns each polled batch into delivery rows and commits them to the
store *before* committing the batch's Kafka offsets; the delivery engine sends them.
A crash between the two re-reads the batch, and the store's unique (alert, subscriber)
key makes that harmless. Malformed records go to the dead-letter topic (acknowledged
before the offset moves) and are counted; the batch around them keeps flowing.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import get_args

from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from connectors.kafka import ensure_topics, make_consumer, make_producer
from connectors.webhooks.api import api_app
from connectors.webhooks.config import DispatcherConfig
from connectors.webhooks.engine import DeliveryEngine
from connectors.webhooks.metrics import DispatcherMetrics, WsgiServer, metrics_app
from connectors.webhooks.models import Outcome
from connectors.webhooks.sender import alert_payload
from connectors.webhooks.store import Store, open_store, redact
from connectors.webhooks.subscriptions import Subscriptions
from connectors.wire import Alert, DeadLetter, WireError

log = logging.getLogger(__name__)

RECONNECT_DELAY = 2.0
TOPIC_WAIT = 30.0
HEALTHY_POLL_AGE = 30.0  # /healthz fails when the consumer has not polled for this long


class Dispatcher:
    """``Dispatcher(config).run(stop_event)`` blocks until ``stop_event`` is set.

    ``ready`` is set once the consumer has polled (or the run ended); by then
    ``metrics_port`` and ``api_port`` hold the bound ports (useful with port 0).
    """

    def __init__(self, config: DispatcherConfig):
        self.config = config
        self.metrics = DispatcherMetrics()
        self.ready = threading.Event()
        self.metrics_port: int | None = None
        self.api_port: int | None = None
        self._last_poll: float | None = None  # monotonic time of the last successful poll
        self._engine: DeliveryEngine | None = None

    def run(self, stop: threading.Event) -> None:
        store = open_store(self.config.db)
        self.metrics.queue_depth.set_function(store.count_pending)
        self._engine = DeliveryEngine(store, self.config, self.metrics)
        self._engine.start()
        servers: list[WsgiServer] = []
        try:
            servers = self._start_servers(store)
            log.info("dispatcher: topic %s on %s, database %s, %d pending deliveries",
                     self.config.topic, self.config.bootstrap, redact(self.config.db), store.count_pending())
            self._consume(store, stop)
        finally:
            self._engine.stop()
            for server in servers:
                server.close()
            log.info("dispatcher stopped; %s", self._summary(store))
            store.close()

    def healthy(self) -> bool:
        return (self._engine is not None and self._engine.alive and self._last_poll is not None
                and time.monotonic() - self._last_poll < HEALTHY_POLL_AGE)

    def _start_servers(self, store: Store) -> list[WsgiServer]:
        servers = []
        if self.config.metrics_port is not None:
            server = WsgiServer(metrics_app(self.metrics, self.healthy), self.config.bind,
                                self.config.metrics_port)
            self.metrics_port = server.port
            servers.append(server)
            log.info("metrics on http://%s:%d/metrics (and /healthz)", self.config.bind, server.port)
        if self.config.api_port is not None:
            app = api_app(Subscriptions(store, self.config.address_policy), self.config.api_token or "")
            server = WsgiServer(app, self.config.bind, self.config.api_port)
            self.api_port = server.port
            servers.append(server)
            log.info("subscriptions API on http://%s:%d/v1/subscriptions", self.config.bind, server.port)
        return servers

    # ------------------------------------------------------------------ consuming

    def _consume(self, store: Store, stop: threading.Event) -> None:
        consumer = producer = None
        next_summary = time.monotonic() + self.config.summary_interval
        try:
            while not stop.is_set():
                if time.monotonic() >= next_summary:
                    log.info("dispatcher: %s", self._summary(store))
                    next_summary = time.monotonic() + self.config.summary_interval
                try:
                    if consumer is None:
                        consumer, producer = self._connect()
                    batch = consumer.poll(timeout_ms=int(self.config.poll_timeout * 1000))
                    self._last_poll = time.monotonic()
                    self.ready.set()
                    if batch:
                        self._handle(batch, store, consumer, producer)
                except Exception as exc:  # noqa: BLE001 - broker down, DB busy: wait and go on
                    log.warning("consuming %s: %s: %s; retrying in %.0fs", self.config.topic,
                                type(exc).__name__, exc, RECONNECT_DELAY)
                    stop.wait(RECONNECT_DELAY)
        finally:
            self.ready.set()
            if consumer is not None:  # bounded, so a dead broker cannot stall shutdown
                consumer.close(autocommit=False, timeout_ms=2000)
            if producer is not None:
                producer.close(timeout=2)

    def _connect(self):
        # A consumer that joins its group before its metadata shows the topic is assigned
        # nothing until a later metadata refresh (minutes): create missing topics, and wait
        # until this consumer's own metadata lists the topic before subscribing.
        ensure_topics(self.config.bootstrap, [self.config.topic, self.config.dead_letter_topic])
        consumer = make_consumer(
            self.config.bootstrap, self.config.group_id, client_id="frontwatch-dispatcher",
            group_instance_id=self.config.consumer_instance_id,
            fetch_max_wait_ms=100, session_timeout_ms=30_000, max_poll_records=500)
        try:
            deadline = time.monotonic() + TOPIC_WAIT
            while self.config.topic not in consumer.topics():
                if time.monotonic() > deadline:
                    raise KafkaError(f"topic {self.config.topic} not in the cluster metadata")
                time.sleep(0.1)
            consumer.subscribe([self.config.topic])
            producer = make_producer(self.config.bootstrap, client_id="frontwatch-dispatcher")
        except BaseException:
            consumer.close(autocommit=False)
            raise
        return consumer, producer

    def _handle(self, batch, store: Store, consumer, producer) -> None:
        """Persist the batch's deliveries, dead-letter its malformed records, then commit.

        Any failure before the commit, the subscriptions lookup included (a database
        connection lost since the last batch fails there first), rewinds to the batch's
        start: the consumer's position has already moved past it.
        """
        try:
            self._persist(batch, store, producer)
        except Exception:
            for tp, records in batch.items():  # redo the whole batch; enqueue is idempotent
                consumer.seek(tp, records[0].offset)
            raise
        offsets = {tp: OffsetAndMetadata(records[-1].offset + 1, "", -1) for tp, records in batch.items()}
        try:
            consumer.commit(offsets)
        except KafkaError as exc:  # the next commit covers these; re-reading them is harmless
            log.warning("committing offsets failed (%s); will be covered by the next commit", exc)

    def _persist(self, batch, store: Store, producer) -> None:
        """The batch's store writes and dead-letter sends: all done, or the batch is redone."""
        subscriptions = store.list_subscriptions(enabled_only=True)
        deliveries, dead = [], []
        for records in batch.values():
            for record in records:
                try:
                    alert = Alert.from_json_bytes(record.value or b"")
                except WireError as exc:
                    dead.append(DeadLetter(
                        stage="decode", error=str(exc), source_topic=record.topic,
                        partition=record.partition, offset=record.offset,
                        key=record.key.decode("utf-8", "replace") if record.key else None,
                        payload=DeadLetter.encode_payload(record.value)))
                    continue
                self.metrics.alerts.inc()
                matched = [s.id for s in subscriptions if s.filters.matches(alert)]
                if matched:
                    deliveries.append((alert.id, alert_payload(alert), matched))
        created = store.enqueue(deliveries, time.time())
        if created:
            self.metrics.enqueued.inc(created)
            self._engine.wake()
        if dead:
            futures = [producer.send(self.config.dead_letter_topic, key=(d.key or "").encode(),
                                     value=d.to_json_bytes()) for d in dead]
            for future in futures:
                future.get(timeout=30)
            self.metrics.malformed.inc(len(dead))
            for d in dead:
                log.warning("malformed record %s[%s]@%s dead-lettered: %s",
                            d.source_topic, d.partition, d.offset, d.error)

    def _summary(self, store: Store) -> str:
        m = self.metrics
        attempts = " ".join(f"{o}={m.value('frontwatch_dispatcher_attempts_total', outcome=o):.0f}"
                            for o in get_args(Outcome) if m.value('frontwatch_dispatcher_attempts_total', outcome=o))
        return (f"alerts={m.value('frontwatch_dispatcher_alerts_consumed_total'):.0f} "
                f"malformed={m.value('frontwatch_dispatcher_malformed_records_total'):.0f} "
                f"enqueued={m.value('frontwatch_dispatcher_deliveries_enqueued_total'):.0f} "
                f"attempts[{attempts or 'none'}] "
                f"dead_letters={m.value('frontwatch_dispatcher_dead_letters_total'):.0f} "
                f"pending={store.count_pending()}")
