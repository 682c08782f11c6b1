"""The feed ingester: schedule feeds, fetch them politely, queue their new articles, publish.

``FeedIngester.poll_due(now)`` polls every due feed once (concurrently, ``workers``
threads) and publishes; ``run(stop)`` repeats that until ``stop`` is set. The clock and
random source are injected, so scheduling is testable without sleeping. A feed's failure
is recorded on that feed (error, counter, backoff) and never stops the others.
"""
from __future__ import annotations

import logging
import multiprocessing
import random
import threading
import time
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Callable, Iterable

from kafka import KafkaProducer

from connectors.feeds.articles import FeedParseError, ParsedFeed, parse_feed
from connectors.feeds.config import ConnectorConfig, FeedConfig
from connectors.feeds.fetch import CANCELLED, FetchError, Fetcher, FetchResult
from connectors.feeds.fulltext import fetch_full_text
from connectors.feeds.metrics import FeedMetrics
from connectors.feeds.publisher import DrainReport, OutboxPublisher
from connectors.feeds.schedule import backoff_delay, interval_after_success, next_check
from connectors.feeds.store import Candidate, FeedState, OutboxRow, StateStore
from connectors.wire import Article, utc_now

log = logging.getLogger(__name__)

SEND_EVERY = 500  # queued articles that trigger a send during a poll pass (bigger batches, fewer flushes)


@dataclass
class FeedOutcome:
    """What one poll of one feed did."""

    feed_id: str
    outcome: str  # ok, not_modified, disabled, or an error label (timeout, http_4xx, not_a_feed, ...)
    entries: int = 0
    queued_new: int = 0
    queued_updates: int = 0
    error: str | None = None
    warning: str | None = None

    @property
    def failed(self) -> bool:
        return self.outcome not in ("ok", "not_modified", "disabled", CANCELLED)


@dataclass
class PollSummary:
    outcomes: list[FeedOutcome] = field(default_factory=list)
    publish: DrainReport = field(default_factory=DrainReport)

    def by_outcome(self) -> dict[str, int]:
        return dict(Counter(o.outcome for o in self.outcomes))

    @property
    def queued(self) -> int:
        return sum(o.queued_new + o.queued_updates for o in self.outcomes)

    def describe(self) -> str:
        counts = " ".join(f"{k}={v}" for k, v in sorted(self.by_outcome().items()))
        return (f"feeds={len(self.outcomes)} {counts} queued={self.queued} "
                f"published={self.publish.acknowledged} pending={self.publish.pending}")


class FeedIngester:
    def __init__(self, config: ConnectorConfig, producer_or_bootstrap: KafkaProducer | str,
                 store: StateStore | str | Path, *, topic: str | None = None,
                 clock: Callable[[], datetime] = utc_now, rng: random.Random | None = None,
                 metrics: FeedMetrics | None = None):
        self.config = config
        self.clock = clock
        self.rng = rng or random.Random()
        self.metrics = metrics or FeedMetrics()
        self.stop = threading.Event()
        self._owns_store = not isinstance(store, StateStore)
        self.store = StateStore(store) if self._owns_store else store
        self.fetcher = Fetcher(config.user_agent, config.max_redirects, stop=self.stop)
        self.publisher = OutboxPublisher(producer_or_bootstrap, self.store, topic or config.topic,
                                         metrics=self.metrics, clock=clock)
        self._pool = ThreadPoolExecutor(config.workers, thread_name_prefix="feed")
        self._running: set[Future] = set()  # polls submitted and not finished
        self._parse_pool_lock = threading.Lock()
        self._parse_pool = self._new_parse_pool() if config.parse_processes else None
        self._last_prune: datetime | None = None
        self.heartbeat: float | None = None  # wall time of the run loop's last pass
        self._forget_moved_feeds()

    def _submit(self, job: Callable[[FeedConfig, datetime], FeedOutcome], feed: FeedConfig, now: datetime) -> Future:
        future = self._pool.submit(job, feed, now)
        self._running.add(future)
        future.add_done_callback(self._running.discard)
        return future

    def _new_parse_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: forking a process that runs Kafka and HTTP threads can deadlock
        return ProcessPoolExecutor(self.config.parse_processes, mp_context=multiprocessing.get_context("spawn"))

    # ------------------------------------------------------------------ scheduling

    def _forget_moved_feeds(self) -> None:
        """A feed whose URL changed in the config starts afresh (validators, errors, disabled)."""
        states = {s.feed_id: s for s in self.store.feed_states()}
        for feed in self.config.feeds:
            state = states.get(feed.id)
            if state is not None and state.url and state.url != feed.url:
                log.info("feed url changed feed=%s old=%s new=%s; state reset", feed.id, state.url, feed.url)
                self.store.save_feed_state(FeedState(feed_id=feed.id, url=feed.url,
                                                     articles_published=state.articles_published,
                                                     updates_published=state.updates_published))

    def due_feeds(self, now: datetime) -> list[FeedConfig]:
        states = {s.feed_id: s for s in self.store.feed_states()}
        return [f for f in self.config.feeds
                if f.enabled and (f.id not in states or states[f.id].is_due(now))]

    def poll_due(self, now: datetime | None = None) -> PollSummary:
        """Poll every due feed once, concurrently, then wait for the broker's acks."""
        now = now or self.clock()
        return self._run_jobs([(self.poll_feed, feed) for feed in self.due_feeds(now)], now)

    def ingest_prefetched(self, fetched: Iterable[tuple[FeedConfig, FetchResult]], now: datetime | None = None) -> PollSummary:
        """Parse, map, dedup and publish bodies fetched elsewhere (benchmarks, replays)."""
        now = now or self.clock()
        return self._run_jobs([(partial(self._ingest_fetched, result), feed) for feed, result in fetched], now)

    def _ingest_fetched(self, result: FetchResult, feed: FeedConfig, now: datetime) -> FeedOutcome:
        return self.ingest(feed, result, self.store.feed_state(feed.id), now)

    def _run_jobs(self, jobs: list[tuple[Callable[[FeedConfig, datetime], FeedOutcome], FeedConfig]],
                  now: datetime) -> PollSummary:
        summary = PollSummary()
        futures = [self._submit(job, feed, now) for job, feed in jobs]
        unsent = 0
        for future in as_completed(futures):
            outcome = future.result()
            summary.outcomes.append(outcome)
            unsent += outcome.queued_new + outcome.queued_updates
            if unsent >= SEND_EVERY:  # send while other feeds are still being parsed
                summary.publish.add(self.publisher.drain(timeout=0))
                unsent = 0
        summary.publish.add(self.publisher.drain(timeout=self.config.publish_timeout, stop=self.stop))
        self._report_disabled()
        return summary

    def run(self, stop: threading.Event, summary_every: float = 60.0, tick: float = 1.0) -> None:
        """Poll feeds as they come due until ``stop`` is set; logs a summary periodically."""
        in_progress: dict[str, Future] = {}
        window: list[FeedOutcome] = []
        last_summary = time.monotonic()
        log.info("feeds connector running feeds=%d workers=%d topic=%s", len(self.config.feeds),
                 self.config.workers, self.publisher.topic)
        while not stop.is_set():
            now = self.clock()
            for feed_id, future in list(in_progress.items()):
                if future.done():
                    del in_progress[feed_id]
                    window.append(future.result())
            for feed in self.due_feeds(now):
                if feed.id not in in_progress:
                    in_progress[feed.id] = self._submit(self.poll_feed, feed, now)
            self.publisher.drain(timeout=min(tick, self.config.publish_timeout), stop=stop)
            self.heartbeat = time.time()
            self.metrics.loop_heartbeat.set(self.heartbeat)
            if time.monotonic() - last_summary >= summary_every:
                self._log_summary(window, len(in_progress))
                window, last_summary = [], time.monotonic()
            if self._prune_is_due(now):
                pruned = self.store.prune_seen(now - timedelta(seconds=self.config.seen_retention))
                log.info("pruned seen ids older than %.0f days count=%d", self.config.seen_retention / 86400, pruned)
            stop.wait(tick)
        self.stop.set()

    def _prune_is_due(self, now: datetime) -> bool:
        """Hourly: forgetting old ids is housekeeping, not something to do every tick."""
        if self._last_prune is None or (now - self._last_prune).total_seconds() >= 3600:
            self._last_prune = now
            return True
        return False

    def _log_summary(self, window: list[FeedOutcome], active: int) -> None:
        counts = Counter(o.outcome for o in window)
        queued = sum(o.queued_new + o.queued_updates for o in window)
        disabled = self._report_disabled()
        log.info("summary polls=%d %s queued=%d outbox=%d in_flight=%d polling=%d disabled=%d",
                 len(window), " ".join(f"{k}={v}" for k, v in sorted(counts.items())), queued,
                 self.store.outbox_size(), self.publisher.in_flight, active, disabled)

    def _report_disabled(self) -> int:
        disabled = sum(1 for s in self.store.feed_states() if s.disabled_reason)
        self.metrics.feeds_disabled.set(disabled)
        return disabled

    # ------------------------------------------------------------------ one feed

    def poll_feed(self, feed: FeedConfig, now: datetime) -> FeedOutcome:
        """Fetch one feed (conditionally), queue its new/changed articles, reschedule it."""
        state = self.store.feed_state(feed.id)
        if state.disabled_reason:
            return FeedOutcome(feed.id, "disabled", error=state.disabled_reason)
        state.url = feed.url
        state.last_attempt = now
        try:
            result = self.fetcher.fetch(feed.url, now=now, etag=state.etag, last_modified=state.last_modified,
                                        connect_timeout=feed.connect_timeout, read_timeout=feed.read_timeout,
                                        total_timeout=feed.total_timeout, max_bytes=feed.max_bytes)
            self.metrics.fetch_seconds.observe(result.elapsed)
            if result.not_modified:
                self._schedule_success(feed, state, now, result, ttl=None, outcome="not_modified")
                self.store.save_feed_state(state, now=now)
                self.metrics.fetches.labels(feed.id, "not_modified").inc()
                log.debug("feed not modified feed=%s", feed.id)
                return FeedOutcome(feed.id, "not_modified")
            return self.ingest(feed, result, state, now)
        except FetchError as exc:
            if exc.outcome == CANCELLED:  # shutting down: not the feed's fault, nothing to record
                return FeedOutcome(feed.id, CANCELLED)
            return self._failed(feed, state, now, exc.outcome, str(exc), permanent=exc.permanent,
                                retry_after=exc.retry_after)
        except FeedParseError as exc:
            return self._failed(feed, state, now, exc.outcome, str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug on one feed must not stop the others
            log.exception("feed poll crashed feed=%s", feed.id)
            return self._failed(feed, state, now, "internal_error", f"{type(exc).__name__}: {exc}")

    def ingest(self, feed: FeedConfig, result: FetchResult, state: FeedState, now: datetime) -> FeedOutcome:
        """Parse a fetched body and queue what is new or changed, with the feed's new state."""
        parsed = self._parse(feed, result, now)
        self.metrics.parse_cpu_seconds.observe(parsed.cpu_seconds)
        if parsed.warning:
            self.metrics.parse_warnings.labels(feed.id).inc()
            log.warning("feed ill-formed but usable feed=%s entries=%d warning=%s", feed.id,
                        len(parsed.articles), parsed.warning)
        for error in parsed.errors:
            log.warning("feed entry skipped feed=%s reason=%s", feed.id, error)
        decisions = self.store.judge(feed.id, [Candidate(a.id, a.content_hash) for a in parsed.articles])
        rows = []
        for article in parsed.articles:
            if article.id not in decisions:
                continue
            is_update = decisions[article.id]
            changes: dict = {"update": True} if is_update else {}
            if feed.full_text and article.url:
                text = fetch_full_text(self.fetcher, article.url, feed, now)
                if text:
                    changes["text"] = text
            payload = article.payload
            if changes:
                payload = Article.model_validate_json(payload).model_copy(update=changes).to_json_bytes()
            rows.append(OutboxRow(article.id, feed.id, article.content_hash, is_update, payload))
        state.etag, state.last_modified = result.etag, result.last_modified
        self._schedule_success(feed, state, now, result, ttl=parsed.ttl, outcome="ok")
        self.store.save_feed_state(state, rows, now=now)
        updates = sum(1 for r in rows if r.is_update)
        outcome = FeedOutcome(feed.id, "ok", entries=len(parsed.articles), queued_new=len(rows) - updates,
                              queued_updates=updates, warning=parsed.warning)
        self.metrics.fetches.labels(feed.id, "ok").inc()
        if rows:
            self.metrics.articles_queued.labels(feed.id, "new").inc(outcome.queued_new)
            self.metrics.articles_queued.labels(feed.id, "update").inc(updates)
        log.info("feed fetched feed=%s version=%s entries=%d new=%d updated=%d next_in=%.0fs", feed.id,
                 parsed.version, len(parsed.articles), outcome.queued_new, updates,
                 (state.next_check - now).total_seconds())
        return outcome

    def _parse(self, feed: FeedConfig, result: FetchResult, now: datetime) -> ParsedFeed:
        kwargs = dict(feed_id=feed.id, language=feed.language, url=result.url,
                      content_type=result.content_type, fetched=now, encode=True)
        if self._parse_pool is None:
            return parse_feed(result.body, **kwargs)
        pool = self._parse_pool
        try:
            return pool.submit(parse_feed, result.body, **kwargs).result()
        except BrokenProcessPool:  # a parse process died (killed, out of memory): replace the pool
            with self._parse_pool_lock:
                if self._parse_pool is pool:
                    log.error("parse process died; starting a new parse pool")
                    self._parse_pool = self._new_parse_pool()
            raise

    def _schedule_success(self, feed: FeedConfig, state: FeedState, now: datetime, result: FetchResult,
                          ttl: float | None, outcome: str) -> None:
        if result.not_modified and result.etag:
            state.etag = result.etag
        interval = interval_after_success(feed, max_age=result.max_age, ttl=ttl, retry_after=result.retry_after)
        state.next_check = next_check(now, interval)
        state.last_success = now
        state.last_outcome = outcome
        state.consecutive_errors = 0
        state.permanent_errors = 0

    def _failed(self, feed: FeedConfig, state: FeedState, now: datetime, outcome: str, message: str, *,
                permanent: bool = False, retry_after: float | None = None) -> FeedOutcome:
        """Record the error on this feed, back off (or disable after N permanent failures)."""
        state.consecutive_errors += 1
        state.permanent_errors = state.permanent_errors + 1 if permanent else 0
        state.last_outcome = outcome
        state.last_error = f"{outcome}: {message}"
        state.last_error_at = now
        delay = backoff_delay(feed, state.consecutive_errors, self.rng, retry_after)
        state.next_check = next_check(now, delay)
        if permanent and state.permanent_errors >= feed.disable_after:
            state.disabled_reason = f"{outcome} on {state.permanent_errors} consecutive polls: {message}"
            log.error("feed disabled feed=%s reason=%s", feed.id, state.disabled_reason)
        else:
            log.warning("feed failed feed=%s outcome=%s error=%s consecutive=%d retry_in=%.0fs",
                        feed.id, outcome, message, state.consecutive_errors, delay)
        self.store.save_feed_state(state, now=now)
        self.metrics.fetches.labels(feed.id, outcome).inc()
        return FeedOutcome(feed.id, outcome, error=message)

    # ------------------------------------------------------------------ shutdown

    def close(self, grace: float = 5.0) -> int:
        """Stop fetching, give in-flight sends ``grace`` seconds to be acknowledged, close all.

        Returns how many polls were still running: a fetch blocked on a slow server cannot
        be interrupted, but it has saved nothing yet, so a process may exit without it.
        """
        self.stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.fetcher.close()
        self.publisher.close(timeout=grace)
        if self._parse_pool is not None:
            self._parse_pool.shutdown(wait=True, cancel_futures=True)
        if self._owns_store:
            self.store.close()
        return sum(1 for future in list(self._running) if not future.done())

    def __enter__(self) -> "FeedIngester":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
