"""Outbox -> Kafka, marking an article seen only once the broker acknowledged it.

Rows are sent keyed by article id with the project's producer settings (acks=all,
idempotent, retries, zstd). Each send's future is kept until it resolves: acknowledged
rows move to ``seen``; failed ones stay in the outbox and are sent again by a later
drain. A row whose future is still open is never sent twice, so an outage longer than a
drain's wait produces no duplicates when the broker comes back.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError

from connectors.feeds.metrics import FeedMetrics
from connectors.feeds.store import OutboxRow, StateStore
from connectors.kafka import make_producer

log = logging.getLogger(__name__)

DRAIN_BATCH = 5000


@dataclass
class DrainReport:
    sent: int = 0
    acknowledged: int = 0
    failed: int = 0
    pending: int = 0  # still in the outbox afterwards (in flight or waiting)

    def add(self, later: "DrainReport") -> None:
        """Fold a later drain into this one (counts add up; pending is the latest)."""
        self.sent += later.sent
        self.acknowledged += later.acknowledged
        self.failed += later.failed
        self.pending = later.pending


class OutboxPublisher:
    def __init__(self, producer_or_bootstrap: KafkaProducer | str, store: StateStore, topic: str, *,
                 metrics: FeedMetrics, clock: Callable[[], datetime], max_block_ms: int = 3000):
        self.store = store
        self.topic = topic
        self.metrics = metrics
        self.clock = clock
        self._bootstrap = producer_or_bootstrap if isinstance(producer_or_bootstrap, str) else None
        self._producer = None if self._bootstrap else producer_or_bootstrap
        self._owns_producer = self._bootstrap is not None
        self._max_block_ms = max_block_ms
        self._in_flight: dict[str, tuple[OutboxRow, object]] = {}
        self._sent_up_to = 0  # outbox seq below which every row has been sent (and maybe acked)
        self._lock = threading.Lock()
        self._next_connect = 0.0

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def _producer_or_none(self) -> KafkaProducer | None:
        """The producer, created on first need; None (retried later) while no broker answers."""
        if self._producer is None and time.monotonic() >= self._next_connect:
            try:
                self._producer = make_producer(self._bootstrap, client_id="frontwatch-feeds",
                                               max_block_ms=self._max_block_ms,
                                               bootstrap_timeout_ms=self._max_block_ms, linger_ms=20,
                                               batch_size=512 * 1024)
            except KafkaError as exc:
                self._next_connect = time.monotonic() + 5.0
                log.warning("kafka unavailable bootstrap=%s error=%s; articles wait in the outbox",
                            self._bootstrap, exc)
        return self._producer

    def drain(self, timeout: float, stop: threading.Event | None = None) -> DrainReport:
        """Send everything pending and wait up to ``timeout`` s for acks (stop cuts it short)."""
        report = DrainReport()
        deadline = time.monotonic() + timeout
        with self._lock:
            report.acknowledged += self._settle(report)
            producer = self._producer_or_none()
            while producer is not None:
                rows = self.store.pending(limit=DRAIN_BATCH, after_seq=self._sent_up_to, exclude=self._in_flight)
                if not rows or not self._send(producer, rows, report):
                    break
                self._sent_up_to = max(self._sent_up_to, rows[-1].seq)
                report.acknowledged += self._wait(producer, deadline, stop, report)
                if time.monotonic() >= deadline or (stop is not None and stop.is_set()):
                    break
            if producer is not None:
                report.acknowledged += self._wait(producer, deadline, stop, report)
            report.pending = self.store.outbox_size()
            self.metrics.outbox_pending.set(report.pending)
        return report

    def _send(self, producer: KafkaProducer, rows: list[OutboxRow], report: DrainReport) -> bool:
        for row in rows:
            try:
                future = producer.send(self.topic, key=row.id.encode(), value=row.payload)
            except KafkaTimeoutError as exc:  # no metadata/buffer space: the broker is away
                log.warning("kafka send blocked (%s); %d articles wait in the outbox", exc, len(rows))
                self._sent_up_to = 0
                return False
            self._in_flight[row.id] = (row, future)
            report.sent += 1
        return True

    def _wait(self, producer: KafkaProducer, deadline: float, stop: threading.Event | None,
              report: DrainReport) -> int:
        """Flush in short slices so a stop request or the deadline is noticed promptly."""
        acknowledged = 0
        while self._in_flight:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (stop is not None and stop.is_set()):
                break
            try:
                producer.flush(timeout=min(0.5, remaining))
            except KafkaTimeoutError:
                pass
            acknowledged += self._settle(report)
        return acknowledged + self._settle(report)

    def _settle(self, report: DrainReport) -> int:
        """Resolve finished sends: acked rows become seen; failed rows go back to waiting."""
        acked: list[OutboxRow] = []
        for article_id, (row, future) in list(self._in_flight.items()):
            if not future.is_done:
                continue
            del self._in_flight[article_id]
            if future.succeeded():
                acked.append(row)
            else:
                report.failed += 1
                self._sent_up_to = 0  # rescan the outbox: this row must be sent again
                self.metrics.publish_failures.inc()
                log.warning("kafka did not acknowledge article=%s feed=%s error=%s; will resend",
                            row.id, row.feed_id, future.exception)
        if acked:
            self.store.mark_published(acked, self.clock())
            counts = Counter((row.feed_id, "update" if row.is_update else "new") for row in acked)
            for (feed_id, kind), count in counts.items():
                self.metrics.articles_published.labels(feed_id, kind).inc(count)
        return len(acked)

    def close(self, timeout: float = 5.0) -> None:
        """Give in-flight sends a last chance to be acknowledged, then close our producer."""
        if self._producer is None:
            return
        with self._lock:
            self._wait(self._producer, time.monotonic() + timeout, None, DrainReport())
        if self._owns_producer:
            self._producer.close(timeout=timeout)
