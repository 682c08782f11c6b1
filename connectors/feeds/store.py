"""Durable connector state in SQLite: per-feed state, the outbox, and the seen-ids store.

The flow that gives "exactly one publish per article across restarts":

1. a fetch's new/changed articles go into ``outbox`` in the same transaction that saves
   the feed's new validators (ETag/Last-Modified), so a 304 later can never hide an
   article that was not yet sent;
2. the publisher sends outbox rows and, only for those the broker acknowledged, moves
   them to ``seen`` (id -> content hash) in one transaction.

A crash between the broker's ack and step 2 re-sends those few rows on restart (the one
unavoidable at-least-once window; the stream job dedups by id). Writes use WAL with
``synchronous=NORMAL``: no fsync per entry, and a power cut can only lose the latest
transactions, which re-sends rather than loses.
"""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Container, Iterable, Sequence

SCHEMA = """
CREATE TABLE IF NOT EXISTS feed_state (
    feed_id TEXT PRIMARY KEY,
    url TEXT,
    etag TEXT,
    last_modified TEXT,
    next_check REAL,
    last_attempt REAL,
    last_success REAL,
    last_outcome TEXT,
    last_error TEXT,
    last_error_at REAL,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    permanent_errors INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    articles_published INTEGER NOT NULL DEFAULT 0,
    updates_published INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS seen (
    id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    feed_id TEXT NOT NULL,
    published_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_by_age ON seen (published_at);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    feed_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    is_update INTEGER NOT NULL,
    payload BLOB NOT NULL,
    queued_at REAL NOT NULL
);
"""
_IN_CHUNK = 500  # ids per "IN (...)" query, under SQLite's variable limit


def _ts(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def _dt(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, timezone.utc) if value is not None else None


_TIME_FIELDS = {"next_check", "last_attempt", "last_success", "last_error_at"}


@dataclass
class FeedState:
    """What the connector remembers about one feed between polls and restarts."""

    feed_id: str
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    next_check: datetime | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_outcome: str | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_errors: int = 0
    permanent_errors: int = 0
    disabled_reason: str | None = None
    articles_published: int = 0
    updates_published: int = 0

    def is_due(self, now: datetime) -> bool:
        return self.disabled_reason is None and (self.next_check is None or self.next_check <= now)

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(self).items()}


_STATE_COLUMNS = [f.name for f in fields(FeedState)]


@dataclass(frozen=True)
class OutboxRow:
    """An article accepted for publishing and not yet acknowledged by the broker."""

    id: str
    feed_id: str
    content_hash: str
    is_update: bool
    payload: bytes
    seq: int = 0  # queue position, assigned by the store


@dataclass(frozen=True)
class Candidate:
    """A freshly parsed article as the store judges it: new, an update, or already known."""

    id: str
    content_hash: str


class StateStore:
    """Thread-safe (one connection behind a lock); every method is one transaction."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "StateStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ feed state

    def feed_state(self, feed_id: str) -> FeedState:
        with self._lock:
            row = self._db.execute(f"SELECT {', '.join(_STATE_COLUMNS)} FROM feed_state WHERE feed_id = ?",
                                   (feed_id,)).fetchone()
        return self._state_from_row(row) if row else FeedState(feed_id=feed_id)

    def feed_states(self) -> list[FeedState]:
        with self._lock:
            rows = self._db.execute(f"SELECT {', '.join(_STATE_COLUMNS)} FROM feed_state ORDER BY feed_id").fetchall()
        return [self._state_from_row(r) for r in rows]

    @staticmethod
    def _state_from_row(row: Sequence) -> FeedState:
        values = dict(zip(_STATE_COLUMNS, row))
        for name in _TIME_FIELDS:
            values[name] = _dt(values[name])
        return FeedState(**values)

    def save_feed_state(self, state: FeedState, queue: Iterable[OutboxRow] = (), *, now: datetime | None = None) -> int:
        """Save a feed's state and queue its articles atomically; returns rows queued.

        A queued "new" article that another feed got into ``seen`` meanwhile is skipped;
        a pending row is replaced only by the feed that queued it (an edit before send),
        and one pending from another feed is left alone.
        """
        queued_at = _ts(now) or datetime.now(timezone.utc).timestamp()
        # the columns read straight off the state (dataclasses.asdict would deep-copy it)
        values = [_ts(getattr(state, k)) if k in _TIME_FIELDS else getattr(state, k) for k in _STATE_COLUMNS]
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                f"INSERT OR REPLACE INTO feed_state ({', '.join(_STATE_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_STATE_COLUMNS))})", values)
            rows = list(queue)
            # an edit of a still-pending article replaces it, at the back of the queue
            self._db.executemany("DELETE FROM outbox WHERE id = ? AND feed_id = ?", [(r.id, r.feed_id) for r in rows])
            before = self._db.total_changes
            self._db.executemany(
                "INSERT INTO outbox (id, feed_id, content_hash, is_update, payload, queued_at) "
                "SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE ?4 OR NOT EXISTS (SELECT 1 FROM seen WHERE id = ?1) "
                "ON CONFLICT (id) DO NOTHING",
                [(r.id, r.feed_id, r.content_hash, int(r.is_update), r.payload, queued_at) for r in rows])
            return self._db.total_changes - before

    # ------------------------------------------------------------------ dedup

    def judge(self, feed_id: str, candidates: Sequence[Candidate]) -> dict[str, bool]:
        """Which candidates to publish: id -> is_update. Absent ids are already known.

        Unknown id: new. Known with a different content hash from the same feed: an
        update. A feed repeating another feed's article (same URL) publishes nothing, so
        two feeds with different summaries of one story cannot make it flap.
        """
        known: dict[str, tuple[str, str, bool]] = {}  # id -> (hash, feed, is_update if resent)
        ids = [c.id for c in candidates]
        with self._lock:
            for start in range(0, len(ids), _IN_CHUNK):
                chunk = ids[start:start + _IN_CHUNK]
                marks = ", ".join("?" * len(chunk))
                for row in self._db.execute(f"SELECT id, content_hash, feed_id FROM seen WHERE id IN ({marks})", chunk):
                    known[row[0]] = (row[1], row[2], True)
                for row in self._db.execute(
                        f"SELECT id, content_hash, feed_id, is_update FROM outbox WHERE id IN ({marks})", chunk):
                    known[row[0]] = (row[1], row[2], bool(row[3]))
        decisions: dict[str, bool] = {}
        for candidate in candidates:
            previous = known.get(candidate.id)
            if previous is None:
                decisions[candidate.id] = False
            elif previous[1] == feed_id and previous[0] != candidate.content_hash:
                decisions[candidate.id] = previous[2]
        return decisions

    # ------------------------------------------------------------------ outbox

    def pending(self, limit: int = 5000, after_seq: int = 0, exclude: Container[str] = ()) -> list[OutboxRow]:
        """Unacknowledged rows in queue order after ``after_seq``, skipping ids in ``exclude``."""
        rows: list[OutboxRow] = []
        with self._lock:
            for r in self._db.execute("SELECT id, feed_id, content_hash, is_update, payload, seq FROM outbox "
                                      "WHERE seq > ? ORDER BY seq", (after_seq,)):
                if r[0] in exclude:
                    continue
                rows.append(OutboxRow(r[0], r[1], r[2], bool(r[3]), r[4], r[5]))
                if len(rows) >= limit:
                    break
        return rows

    def outbox_size(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    def mark_published(self, rows: Sequence[OutboxRow], now: datetime) -> None:
        """Acknowledged rows: remember id -> hash, leave the outbox, count per feed."""
        if not rows:
            return
        at = _ts(now)
        per_feed: dict[str, list[int]] = {}
        for r in rows:
            counts = per_feed.setdefault(r.feed_id, [0, 0])
            counts[1 if r.is_update else 0] += 1
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO seen (id, content_hash, feed_id, published_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET content_hash = excluded.content_hash, "
                "published_at = excluded.published_at",
                [(r.id, r.content_hash, r.feed_id, at) for r in rows])
            self._db.executemany("DELETE FROM outbox WHERE id = ? AND content_hash = ?",
                                 [(r.id, r.content_hash) for r in rows])
            self._db.executemany(
                "INSERT INTO feed_state (feed_id, articles_published, updates_published) VALUES (?, ?, ?) "
                "ON CONFLICT (feed_id) DO UPDATE SET articles_published = articles_published + excluded.articles_published, "
                "updates_published = updates_published + excluded.updates_published",
                [(feed, new, updated) for feed, (new, updated) in per_feed.items()])

    # ------------------------------------------------------------------ seen

    def seen_count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM seen").fetchone()[0]

    def prune_seen(self, before: datetime) -> int:
        """Forget ids published before ``before`` (the store must not grow for ever)."""
        with self._lock, self._db:
            return self._db.execute("DELETE FROM seen WHERE published_at < ?", (_ts(before),)).rowcount
