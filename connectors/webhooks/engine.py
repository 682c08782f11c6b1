"""The delivery engine: sends what the store says is due, on its own asyncio thread.

The store is the queue. Each round asks it which subscribers have deliveries due, then
starts attempts within three limits: per-subscriber concurrency, a global cap, and the
endpoint's circuit breaker. A slow or dead endpoint therefore only ever occupies its own
few slots, and everybody else's deliveries keep flowing. Outcomes are written back to
the store (attempt log, retry time, dead letter) before the slot is freed; an attempt
interrupted by a crash or shutdown is simply still pending and is sent again, with the
same webhook-id, after restart.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
import time
from collections import Counter as Tally
from collections.abc import Callable, Iterable

import httpx

from connectors.webhooks.config import DispatcherConfig
from connectors.webhooks.metrics import DispatcherMetrics
from connectors.webhooks.models import AttemptResult, Delivery, Subscription
from connectors.webhooks.policy import CircuitBreaker
from connectors.webhooks.sender import make_client, send
from connectors.webhooks.store import Store

log = logging.getLogger(__name__)

IDLE_RECHECK = 1.0  # seconds; also how soon changes made by other processes are noticed


class DeliveryEngine:
    """Runs deliveries until ``stop()``. ``wake()`` (any thread) says new work is queued."""

    def __init__(self, store: Store, config: DispatcherConfig, metrics: DispatcherMetrics,
                 clock: Callable[[], float] = time.time, rng: random.Random | None = None):
        self.store = store
        self.config = config
        self.metrics = metrics
        self.clock = clock
        self.rng = rng or random.Random()
        self._breakers: dict[str, CircuitBreaker] = {}
        self._subscriptions: dict[str, Subscription] = {}
        self._subscriptions_read_at = float("-inf")
        self._in_flight: dict[int, str] = {}  # delivery id -> subscriber id
        self._per_subscriber: Tally[str] = Tally()
        self._tasks: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake_event: asyncio.Event | None = None
        self._stopping = False
        self._started = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()),
                                        name="delivery-engine", daemon=True)
        metrics.in_flight.set_function(lambda: len(self._in_flight))

    # ------------------------------------------------------------------ thread API

    def start(self) -> None:
        self._thread.start()
        self._started.wait(10)

    def wake(self) -> None:
        if self._loop is not None and self._wake_event is not None:
            self._loop.call_soon_threadsafe(self._wake_event.set)

    def stop(self, timeout: float = 8.0) -> None:
        """Let in-flight attempts finish within the grace period, cancel the rest, join."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._request_stop)
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _request_stop(self) -> None:
        self._stopping = True
        assert self._wake_event is not None
        self._wake_event.set()

    # ------------------------------------------------------------------ loop

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake_event = asyncio.Event()
        self._started.set()
        async with make_client(self.config.address_policy, self.config.request_timeout,
                               self.config.max_concurrency) as client:
            while not self._stopping:
                self._wake_event.clear()
                try:
                    wait = self._start_due(client)
                except Exception:  # noqa: BLE001 - a database hiccup must not end deliveries
                    log.exception("scheduling deliveries failed; retrying")
                    wait = IDLE_RECHECK
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake_event.wait(), wait)
            await self._drain()

    async def _drain(self) -> None:
        if not self._tasks:
            return
        _, unfinished = await asyncio.wait(set(self._tasks), timeout=self.config.shutdown_grace)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        if unfinished:
            log.info("stopped with %d attempts unfinished; they stay pending and resume on restart",
                     len(unfinished))

    def _start_due(self, client: httpx.AsyncClient) -> float:
        """Start every attempt the limits allow; return seconds until the next one is due."""
        now = self.clock()
        pending = self.store.pending_by_subscriber(exclude=self._in_flight)
        subscriptions = self._enabled_subscriptions(now, must_include=pending)
        wait = IDLE_RECHECK
        for sub_id, next_at in pending.items():
            sub = subscriptions.get(sub_id)
            if sub is None:
                continue
            if next_at > now:
                wait = min(wait, next_at - now)
                continue
            room = min(self.config.per_subscriber_concurrency - self._per_subscriber[sub_id],
                       self.config.max_concurrency - len(self._in_flight))
            if room <= 0:
                continue  # a finishing attempt wakes the loop
            breaker = self._breaker(sub.url)
            for delivery in self.store.due(sub_id, now, room, exclude=self._in_flight):
                if not breaker.allow():
                    ready = breaker.ready_at()
                    if ready > now:  # else a half-open trial is in flight and will wake us
                        wait = min(wait, ready - now)
                    break
                self._launch(client, delivery, sub, breaker)
        return max(wait, 0.0)

    def _enabled_subscriptions(self, now: float, must_include: Iterable[str]) -> dict[str, Subscription]:
        """Enabled subscriptions, re-read once per ``IDLE_RECHECK``, after we disable one, or
        when deliveries exist for one we have not seen yet (a new subscription)."""
        stale = now - self._subscriptions_read_at >= IDLE_RECHECK
        if stale or any(sub_id not in self._subscriptions for sub_id in must_include):
            self._subscriptions = {s.id: s for s in self.store.list_subscriptions(enabled_only=True)}
            self._subscriptions_read_at = now
        return self._subscriptions

    def _breaker(self, url: str) -> CircuitBreaker:
        if url not in self._breakers:
            self._breakers[url] = CircuitBreaker(threshold=self.config.breaker_threshold,
                                                 cooldown=self.config.breaker_cooldown, clock=self.clock)
        return self._breakers[url]

    def _launch(self, client: httpx.AsyncClient, delivery: Delivery, sub: Subscription,
                breaker: CircuitBreaker) -> None:
        self._in_flight[delivery.id] = sub.id
        self._per_subscriber[sub.id] += 1
        task = asyncio.create_task(self._attempt(client, delivery, sub, breaker))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _attempt(self, client: httpx.AsyncClient, delivery: Delivery, sub: Subscription,
                       breaker: CircuitBreaker) -> None:
        try:
            result = await send(client, sub.url, delivery.alert_id, delivery.body,
                                sub.signing_secrets(self.clock()), self.config.request_timeout)
            self._record(delivery, sub, breaker, result)
        except Exception:  # noqa: BLE001 - the delivery stays pending and is retried
            log.exception("delivery %s to %s: recording the attempt failed", delivery.alert_id, sub.id)
        finally:
            del self._in_flight[delivery.id]
            self._per_subscriber[sub.id] -= 1
            assert self._wake_event is not None
            self._wake_event.set()

    # ------------------------------------------------------------------ outcomes

    def _record(self, delivery: Delivery, sub: Subscription, breaker: CircuitBreaker,
                result: AttemptResult) -> None:
        now = self.clock()
        self.metrics.record_attempt(result)
        attempt = delivery.attempts + 1
        if result.ok:
            breaker.record_success()
            self.store.record_success(delivery, result, now)
            self.metrics.delivery_seconds.observe(max(0.0, now - delivery.created_at))
            log.debug("delivered %s to %s (attempt %d, %.0f ms)", delivery.alert_id, sub.id, attempt,
                      result.latency * 1000)
            return
        if result.outcome == "gone":
            reason = "endpoint answered 410 Gone"
            self.store.record_failure(delivery, result, now, None, dead_reason=reason)
            dropped = self.store.disable(sub.id, reason, now)
            self._subscriptions_read_at = float("-inf")
            self.metrics.dead_letters.inc(1 + dropped)
            log.warning("subscription %s disabled: %s; %d pending deliveries dead-lettered",
                        sub.id, reason, 1 + dropped)
            return
        if result.outcome == "throttled" and result.retry_after:
            breaker.hold(result.retry_after)  # the whole endpoint waits, not just this delivery
        elif result.outcome != "refused":
            breaker.record_failure()
        delay = self.config.retry.next_delay(attempt, self.rng, result.retry_after)
        next_at = None if delay is None else now + delay
        failing_since = self.store.record_failure(delivery, result, now, next_at)
        if next_at is None:
            self.metrics.dead_letters.inc()
            log.warning("dead-lettered %s for %s after %d attempts; last: %s",
                        delivery.alert_id, sub.id, attempt, result.describe())
        else:
            log.info("attempt %d of %s to %s failed (%s); next in %.1fs",
                     attempt, delivery.alert_id, sub.id, result.describe(), delay)
        if now - failing_since >= self.config.disable_after:
            reason = f"failing without a success for {self.config.disable_after / 86400:g} days"
            dropped = self.store.disable(sub.id, reason, now)
            self._subscriptions_read_at = float("-inf")
            self.metrics.dead_letters.inc(dropped)
            log.warning("subscription %s disabled: %s; %d pending deliveries dead-lettered",
                        sub.id, reason, dropped)
