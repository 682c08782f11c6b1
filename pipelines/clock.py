"""Time as the pure logic sees it: injected, so tests and replays control it."""
from __future__ import annotations

from datetime import datetime, timezone


class SystemClock:
    """The wall clock; tests inject a fixed or stepping clock with the same ``now()``."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)
