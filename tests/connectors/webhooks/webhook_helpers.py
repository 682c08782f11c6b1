"""Shared by the dispatcher tests (imported as ``webhook_helpers``; tests dirs are not packages)."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

import pytest

from connectors.webhooks.policy import RetryPolicy
from connectors.wire import Alert, Evidence

BACKENDS = ["sqlite", "postgresql"]  # values of the ``db`` fixture (parametrize it with indirect=True)
FAST_RETRIES = RetryPolicy(delays=(0, 0.2, 0.4, 0.6), jitter=0.1)
T0 = datetime(2024, 12, 7, 9, 0, tzinfo=timezone.utc)


def make_alert(n: int = 0, **overrides) -> Alert:
    fields = dict(
        id=f"alert-{n:04d}", kind="band_crossing", severity="high", confidence=0.8,
        situation="SY:Damascus", country="SY", subject="Damascus", previous="50 km", current="25 km",
        summary="rebels within 20 km of Damascus",
        evidence=[Evidence(url="https://example.org/a", publisher="example.org",
                           quote="the rebels are now within 20 kilometres of Damascus",
                           claimed_by="Hassan Abdel Ghani", published=T0)],
        first_seen=T0, emitted_at=T0)
    fields.update(overrides)
    return Alert(**fields)


def eventually(check: Callable[[], object], timeout: float = 20.0, interval: float = 0.05):
    """Poll ``check`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s (last value {value!r})")
        time.sleep(interval)
