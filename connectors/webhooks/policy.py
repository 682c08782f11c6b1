"""When to retry and when to leave an endpoint alone: pure logic on an injected clock.

Nothing here does I/O or reads the time by itself, so the schedule, the jitter,
``Retry-After`` and the circuit breaker are unit-tested exactly.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

# Standard Webhooks' suggested schedule: the delay before attempt n+1 after attempt n fails.
# Immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about 28 h.
STANDARD_SCHEDULE: tuple[float, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)


@dataclass(frozen=True)
class RetryPolicy:
    """``delays[i]`` is the wait before attempt ``i + 1``; ``len(delays)`` attempts in all.

    Each wait is scaled by a random factor in ``[1 - jitter, 1 + jitter]`` so that many
    deliveries failing together do not retry together. Tests compress the schedule by
    passing short delays.
    """

    delays: tuple[float, ...] = STANDARD_SCHEDULE
    jitter: float = 0.2
    max_retry_after: float = 36000.0  # never wait longer than this because a server asked

    def __post_init__(self) -> None:
        if not self.delays:
            raise ValueError("a retry schedule needs at least one attempt")
        if any(d < 0 for d in self.delays) or not 0 <= self.jitter < 1:
            raise ValueError("delays must be >= 0 and jitter in [0, 1)")

    @classmethod
    def parse(cls, text: str, jitter: float = 0.2) -> "RetryPolicy":
        """From a comma-separated list of seconds, e.g. ``"0,5,300,1800"``."""
        return cls(delays=tuple(float(x) for x in text.split(",") if x.strip()), jitter=jitter)

    @property
    def max_attempts(self) -> int:
        return len(self.delays)

    def next_delay(self, attempts_made: int, rng: random.Random | None = None,
                   retry_after: float | None = None) -> float | None:
        """Seconds to wait before the next attempt, or None when the schedule is exhausted.

        A server's ``Retry-After`` is honoured as a lower bound (capped at
        ``max_retry_after``): we never come back sooner than it asked.
        """
        if attempts_made >= self.max_attempts:
            return None
        base = self.delays[attempts_made]
        factor = 1.0 + (rng or random).uniform(-self.jitter, self.jitter) if base else 1.0
        delay = base * factor
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_retry_after))
        return delay


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds from ``now`` that a ``Retry-After`` header asks for (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


@dataclass
class CircuitBreaker:
    """Per-endpoint breaker: stop hammering an endpoint that keeps failing.

    Closed: requests flow. After ``threshold`` consecutive failures it opens for
    ``cooldown`` seconds (doubling on each failed trial, up to ``max_cooldown``). Then it is
    half-open: exactly one trial request may go; success closes it, failure re-opens it.
    ``hold(seconds)`` pauses the endpoint without counting a failure (a server's
    ``Retry-After`` on 429/503).
    """

    threshold: int = 5
    cooldown: float = 30.0
    max_cooldown: float = 600.0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    failures: int = 0
    open_until: float = 0.0
    held_until: float = 0.0
    trial_in_flight: bool = False
    _current_cooldown: float = 0.0

    @property
    def state(self) -> str:
        if self.failures < self.threshold:
            return "closed"
        return "open" if self.clock() < self.open_until else "half-open"

    def ready_at(self) -> float:
        """The clock time from which ``allow()`` may say yes again."""
        return max(self.held_until, self.open_until if self.failures >= self.threshold else 0.0)

    def allow(self) -> bool:
        """May a request go now? In half-open state this admits one trial at a time."""
        if self.clock() < self.held_until:
            return False
        state = self.state
        if state == "closed":
            return True
        if state == "open" or self.trial_in_flight:
            return False
        self.trial_in_flight = True
        return True

    def record_success(self) -> None:
        self.failures = 0
        self.trial_in_flight = False
        self._current_cooldown = 0.0

    def record_failure(self) -> None:
        was_trial = self.trial_in_flight
        self.trial_in_flight = False
        self.failures += 1
        if self.failures >= self.threshold:
            if was_trial and self._current_cooldown:
                self._current_cooldown = min(self._current_cooldown * 2, self.max_cooldown)
            elif not self._current_cooldown:
                self._current_cooldown = self.cooldown
            self.open_until = self.clock() + self._current_cooldown

    def hold(self, seconds: float) -> None:
        self.held_until = max(self.held_until, self.clock() + seconds)


def is_success(status: int) -> bool:
    """Only 2xx counts; redirects are not followed and count as failures."""
    return 200 <= status < 300

