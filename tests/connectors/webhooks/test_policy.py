"""Retry schedule, jitter, Retry-After and the circuit breaker, on an injected clock."""
from __future__ import annotations

import random
from email.utils import format_datetime
from datetime import datetime, timezone

import pytest

from connectors.webhooks.policy import STANDARD_SCHEDULE, CircuitBreaker, RetryPolicy, parse_retry_after


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_default_schedule_is_the_standard_webhooks_one():
    policy = RetryPolicy(jitter=0)
    delays = [policy.next_delay(n) for n in range(policy.max_attempts)]
    assert delays == [0, 5, 300, 1800, 7200, 18000, 36000, 36000]
    assert policy.next_delay(policy.max_attempts) is None
    assert STANDARD_SCHEDULE[:5] == (0, 5, 300, 1800, 7200)


def test_jitter_stays_within_bounds_and_actually_varies():
    policy = RetryPolicy(jitter=0.2)
    rng = random.Random(7)
    samples = [policy.next_delay(2, rng) for _ in range(500)]  # base 300 s
    assert min(samples) >= 240 and max(samples) <= 360
    assert max(samples) - min(samples) > 60  # spread, not a constant
    assert policy.next_delay(0, rng) == 0  # the first attempt is immediate, never jittered


def test_compressed_schedule_from_text():
    policy = RetryPolicy.parse("0, 0.1,0.5")
    assert policy.delays == (0.0, 0.1, 0.5) and policy.max_attempts == 3
    with pytest.raises(ValueError):
        RetryPolicy.parse("")


def test_retry_after_is_a_lower_bound_with_a_cap():
    policy = RetryPolicy(delays=(0, 5, 300), jitter=0, max_retry_after=600)
    assert policy.next_delay(1, retry_after=60) == 60  # server asks for longer than the schedule
    assert policy.next_delay(2, retry_after=60) == 300  # schedule already waits longer
    assert policy.next_delay(1, retry_after=10**6) == 600  # capped
    assert policy.next_delay(3, retry_after=1) is None  # exhausted regardless


def test_parse_retry_after_seconds_and_http_date():
    now = datetime(2024, 12, 7, 9, 0, tzinfo=timezone.utc).timestamp()
    assert parse_retry_after("120", now) == 120
    later = format_datetime(datetime(2024, 12, 7, 9, 2, 30, tzinfo=timezone.utc), usegmt=True)
    assert parse_retry_after(later, now) == pytest.approx(150)
    earlier = format_datetime(datetime(2024, 12, 7, 8, 0, tzinfo=timezone.utc), usegmt=True)
    assert parse_retry_after(earlier, now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_breaker_opens_after_threshold_and_admits_one_trial():
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=3, cooldown=10, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.state == "closed"
    breaker.record_failure()
    assert breaker.state == "open" and not breaker.allow()
    assert breaker.ready_at() == clock.now + 10
    clock.advance(10)
    assert breaker.state == "half-open"
    assert breaker.allow()  # the trial
    assert not breaker.allow()  # only one at a time
    breaker.record_success()
    assert breaker.state == "closed" and breaker.allow() and breaker.allow()


def test_failed_trial_doubles_cooldown_up_to_the_cap():
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=1, cooldown=10, max_cooldown=25, clock=clock)
    breaker.record_failure()
    openings = []
    for _ in range(3):
        openings.append(breaker.ready_at() - clock.now)
        clock.advance(breaker.ready_at() - clock.now)
        assert breaker.allow()
        breaker.record_failure()
    openings.append(breaker.ready_at() - clock.now)
    assert openings == [10, 20, 25, 25]


def test_success_resets_the_consecutive_failure_count():
    breaker = CircuitBreaker(threshold=3, clock=FakeClock())
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state == "closed"


def test_hold_pauses_without_counting_a_failure():
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=1, clock=clock)
    breaker.hold(30)
    assert not breaker.allow() and breaker.state == "closed"
    assert breaker.ready_at() == clock.now + 30
    clock.advance(30)
    assert breaker.allow()
