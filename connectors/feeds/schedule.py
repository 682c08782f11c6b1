"""When to check a feed next: pure functions of the outcome, the feed's settings and a clock.

Nothing here reads the time or does I/O, so the politeness rules (Retry-After,
Cache-Control max-age, RSS ``<ttl>``, capped exponential backoff with jitter) are tested
on an injected clock and random source.
"""
from __future__ import annotations

import random
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from connectors.feeds.config import FeedSettings

# A server may ask for a long pause; we honour it, but never for more than this.
RETRY_AFTER_CAP = 24 * 3600.0


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), RETRY_AFTER_CAP)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return min(max((when - now).total_seconds(), 0.0), RETRY_AFTER_CAP)


_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def parse_max_age(cache_control: str | None) -> float | None:
    """Freshness lifetime in seconds from ``Cache-Control``; None for no-cache/no-store or absent."""
    if not cache_control:
        return None
    lowered = cache_control.lower()
    if "no-cache" in lowered or "no-store" in lowered:
        return None
    match = _MAX_AGE.search(cache_control)
    return float(match.group(1)) if match else None


def parse_ttl_minutes(value: object) -> float | None:
    """Seconds from an RSS ``<ttl>`` (minutes); None when absent or not a number."""
    try:
        minutes = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60.0 if minutes > 0 else None


def interval_after_success(settings: FeedSettings, *, max_age: float | None = None,
                           ttl: float | None = None, retry_after: float | None = None) -> float:
    """The feed's poll interval, lengthened (up to ``max_interval``) when the server asks.

    max-age and ttl say how long the content stays fresh, so polling sooner is wasted on
    both sides; Retry-After is an explicit request and is honoured even past the cap.
    """
    interval = settings.poll_interval
    freshness = max((h for h in (max_age, ttl) if h), default=0.0)
    if freshness > interval:
        interval = min(freshness, max(settings.max_interval, settings.poll_interval))
    if retry_after:
        interval = max(interval, retry_after)
    return interval


def backoff_delay(settings: FeedSettings, consecutive_errors: int, rng: random.Random,
                  retry_after: float | None = None) -> float:
    """Capped exponential backoff with "equal jitter": uniform in [d/2, d], d = base * 2^(n-1).

    Jitter spreads the retries of feeds that failed together (one outage, many feeds);
    the lower half-bound keeps the delay growing. A Retry-After is a floor.
    """
    exponent = max(consecutive_errors, 1) - 1
    ceiling = min(settings.backoff_max, settings.backoff_base * (2.0 ** min(exponent, 32)))
    delay = rng.uniform(ceiling / 2.0, ceiling)
    if retry_after:
        delay = max(delay, retry_after)
    return delay


def next_check(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=seconds)
