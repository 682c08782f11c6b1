"""Durable dispatcher state: subscriptions, deliveries, attempts, dead letters.

``Store`` is the interface the dispatcher, the CLI and the API use; ``SqliteStore`` is the
default implementation (one file, WAL, every commit fsynced). A PostgreSQL store for
deployments would implement the same protocol and be chosen by ``open_store`` from a
``postgresql://`` URL; the SQL below is deliberately plain (``ON CONFLICT DO NOTHING``,
no SQLite-only types) to port as is.

The invariants the dispatcher relies on live here:
- ``UNIQUE(alert_id, subscriber_id)``: an alert re-emitted with the same id never creates
  a second delivery, so a delivered webhook-id is never sent again to that subscriber;
- ``enqueue`` is one transaction, committed before the caller commits Kafka offsets.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from connectors.webhooks.models import AttemptResult, Delivery, Filters, SigningSecret, Subscription

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    filters TEXT NOT NULL,
    secrets TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    failing_since REAL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY,
    body BLOB NOT NULL,
    received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    alert_id TEXT NOT NULL REFERENCES alerts(id),
    subscriber_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    state TEXT NOT NULL DEFAULT 'pending',  -- pending | delivered | dead
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    created_at REAL NOT NULL,
    delivered_at REAL,
    last_error TEXT,
    UNIQUE (alert_id, subscriber_id)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, subscriber_id, next_attempt_at);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    at REAL NOT NULL,
    outcome TEXT NOT NULL,
    status INTEGER,
    latency_ms REAL NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS attempts_by_delivery ON attempts (delivery_id);
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    at REAL NOT NULL,
    replayed_at REAL
);
"""


@dataclass(frozen=True)
class AttemptRow:
    """One line of the delivery log."""

    at: float
    alert_id: str
    subscriber_id: str
    attempt: int
    outcome: str
    status: int | None
    latency_ms: float
    error: str | None
    state: str


@dataclass(frozen=True)
class DeadLetterRow:
    at: float
    alert_id: str
    subscriber_id: str
    reason: str
    attempts: int
    replayed_at: float | None


class Store(Protocol):
    """What the dispatcher needs from its database (SQLite here; PostgreSQL would fit)."""

    def add_subscription(self, sub: Subscription) -> None: ...
    def get_subscription(self, sub_id: str) -> Subscription | None: ...
    def list_subscriptions(self, enabled_only: bool = False) -> list[Subscription]: ...
    def remove_subscription(self, sub_id: str) -> bool: ...
    def set_secrets(self, sub_id: str, secrets: Sequence[SigningSecret]) -> bool: ...
    def enable(self, sub_id: str) -> bool: ...
    def disable(self, sub_id: str, reason: str, now: float) -> int: ...
    def enqueue(self, alerts: Iterable[tuple[str, bytes, Sequence[str]]], now: float) -> int: ...
    def pending_by_subscriber(self, exclude: Iterable[int] = ()) -> dict[str, float]: ...
    def due(self, sub_id: str, now: float, limit: int, exclude: Iterable[int] = ()) -> list[Delivery]: ...
    def record_success(self, delivery: Delivery, result: AttemptResult, now: float) -> None: ...
    def record_failure(self, delivery: Delivery, result: AttemptResult, now: float,
                       next_attempt_at: float | None, dead_reason: str | None = None) -> float: ...
    def count_pending(self) -> int: ...
    def recent_attempts(self, limit: int = 50, subscriber_id: str | None = None,
                        alert_id: str | None = None) -> list[AttemptRow]: ...
    def dead_letters(self, limit: int = 50, include_replayed: bool = False) -> list[DeadLetterRow]: ...
    def replay(self, now: float, subscriber_id: str | None = None, alert_id: str | None = None) -> int: ...
    def close(self) -> None: ...


def open_store(location: str | Path) -> Store:
    """The store for a path (SQLite). PostgreSQL URLs are where a second backend plugs in."""
    text = str(location)
    if text.startswith(("postgres://", "postgresql://")):
        raise NotImplementedError("PostgreSQL store: implement connectors.webhooks.store.Store "
                                  "over psycopg and return it here")
    return SqliteStore(Path(text.removeprefix("sqlite:///")))


class SqliteStore:
    """``Store`` on one SQLite file; thread-safe (one connection behind a lock)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.row_factory = sqlite3.Row
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
            self._db.execute(f"PRAGMA {pragma}")
        self._synchronous = "FULL"
        self._db.executescript(SCHEMA)

    @contextmanager
    def _tx(self, fsync: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction. ``fsync=False`` survives a process crash but not a power cut.

        Only attempt outcomes are written without fsync: losing one in a power cut means one
        more attempt with the same webhook-id, never a lost delivery. Everything else,
        above all ``enqueue`` (which precedes the Kafka offset commit), is fsynced, and
        that fsync also makes the earlier unsynced commits in the WAL durable.
        """
        with self._lock:
            wanted = "FULL" if fsync else "NORMAL"
            if wanted != self._synchronous:
                self._db.execute(f"PRAGMA synchronous={wanted}")
                self._synchronous = wanted
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ------------------------------------------------------------------ subscriptions

    def add_subscription(self, sub: Subscription) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO subscriptions (id, url, description, filters, secrets, enabled,"
                " disabled_reason, failing_since, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (sub.id, sub.url, sub.description, sub.filters.model_dump_json(),
                 _dump_secrets(sub.secrets), int(sub.enabled), sub.disabled_reason,
                 sub.failing_since, sub.created_at))

    def get_subscription(self, sub_id: str) -> Subscription | None:
        rows = self._query("SELECT * FROM subscriptions WHERE id = ?", (sub_id,))
        return _subscription(rows[0]) if rows else None

    def list_subscriptions(self, enabled_only: bool = False) -> list[Subscription]:
        sql = "SELECT * FROM subscriptions" + (" WHERE enabled = 1" if enabled_only else "")
        return [_subscription(r) for r in self._query(sql + " ORDER BY created_at, id")]

    def remove_subscription(self, sub_id: str) -> bool:
        with self._tx() as db:
            return db.execute("DELETE FROM subscriptions WHERE id = ?", (sub_id,)).rowcount > 0

    def set_secrets(self, sub_id: str, secrets: Sequence[SigningSecret]) -> bool:
        with self._tx() as db:
            return db.execute("UPDATE subscriptions SET secrets = ? WHERE id = ?",
                              (_dump_secrets(secrets), sub_id)).rowcount > 0

    def enable(self, sub_id: str) -> bool:
        with self._tx() as db:
            return db.execute("UPDATE subscriptions SET enabled = 1, disabled_reason = NULL,"
                              " failing_since = NULL WHERE id = ?", (sub_id,)).rowcount > 0

    def disable(self, sub_id: str, reason: str, now: float) -> int:
        """Disable and dead-letter its pending deliveries (replayable once re-enabled)."""
        with self._tx() as db:
            db.execute("UPDATE subscriptions SET enabled = 0, disabled_reason = ? WHERE id = ?",
                       (reason, sub_id))
            pending = [r[0] for r in db.execute(
                "SELECT id FROM deliveries WHERE subscriber_id = ? AND state = 'pending'", (sub_id,))]
            for delivery_id in pending:
                _dead_letter(db, delivery_id, f"subscription disabled: {reason}", now)
            return len(pending)

    # ------------------------------------------------------------------ deliveries

    def enqueue(self, alerts: Iterable[tuple[str, bytes, Sequence[str]]], now: float) -> int:
        """Persist (alert id, body, subscriber ids) in one transaction; return new deliveries.

        Known (alert, subscriber) pairs are ignored: that is what makes re-emitted alerts
        and re-consumed offsets harmless.
        """
        created = 0
        with self._tx() as db:
            for alert_id, body, subscriber_ids in alerts:
                db.execute("INSERT INTO alerts (id, body, received_at) VALUES (?,?,?)"
                           " ON CONFLICT (id) DO NOTHING", (alert_id, body, now))
                for sub_id in subscriber_ids:  # skipping any disabled since the caller looked
                    created += db.execute(
                        "INSERT INTO deliveries (alert_id, subscriber_id, next_attempt_at, created_at)"
                        " SELECT ?, id, ?, ? FROM subscriptions WHERE id = ? AND enabled = 1"
                        " ON CONFLICT (alert_id, subscriber_id) DO NOTHING",
                        (alert_id, now, now, sub_id)).rowcount
        return created

    def pending_by_subscriber(self, exclude: Iterable[int] = ()) -> dict[str, float]:
        """Earliest next attempt time of each subscriber's pending deliveries, bar ``exclude``."""
        skip = list(exclude)
        rows = self._query(
            "SELECT subscriber_id, MIN(next_attempt_at) FROM deliveries WHERE state = 'pending'"
            f" AND id NOT IN ({','.join('?' * len(skip))}) GROUP BY subscriber_id", skip)
        return {r[0]: r[1] for r in rows}

    def due(self, sub_id: str, now: float, limit: int, exclude: Iterable[int] = ()) -> list[Delivery]:
        """Up to ``limit`` of a subscriber's deliveries due now, oldest first."""
        skip = list(exclude)
        rows = self._query(
            "SELECT d.id, d.alert_id, d.subscriber_id, d.attempts, a.body, d.created_at"
            " FROM deliveries d JOIN alerts a ON a.id = d.alert_id"
            " WHERE d.state = 'pending' AND d.subscriber_id = ? AND d.next_attempt_at <= ?"
            f" AND d.id NOT IN ({','.join('?' * len(skip))})"
            " ORDER BY d.next_attempt_at, d.id LIMIT ?", [sub_id, now, *skip, limit])
        return [Delivery(r[0], r[1], r[2], r[3], bytes(r[4]), r[5]) for r in rows]

    def record_success(self, delivery: Delivery, result: AttemptResult, now: float) -> None:
        with self._tx(fsync=False) as db:
            _log_attempt(db, delivery.id, result, now)
            db.execute("UPDATE deliveries SET state = 'delivered', attempts = attempts + 1,"
                       " delivered_at = ?, last_error = NULL WHERE id = ?", (now, delivery.id))
            db.execute("UPDATE subscriptions SET failing_since = NULL WHERE id = ?",
                       (delivery.subscriber_id,))

    def record_failure(self, delivery: Delivery, result: AttemptResult, now: float,
                       next_attempt_at: float | None, dead_reason: str | None = None) -> float:
        """Log a failed attempt; schedule the next one or, when None, dead-letter it.

        Returns since when the subscriber has been failing without a success.
        """
        with self._tx(fsync=False) as db:
            _log_attempt(db, delivery.id, result, now)
            db.execute("UPDATE deliveries SET attempts = attempts + 1, last_error = ?,"
                       " next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ?",
                       (result.describe(), next_attempt_at, delivery.id))
            if next_attempt_at is None:
                _dead_letter(db, delivery.id, dead_reason or f"attempts exhausted; last: {result.describe()}", now)
            db.execute("UPDATE subscriptions SET failing_since = COALESCE(failing_since, ?)"
                       " WHERE id = ?", (now, delivery.subscriber_id))
            row = db.execute("SELECT failing_since FROM subscriptions WHERE id = ?",
                             (delivery.subscriber_id,)).fetchone()
            return row[0] if row else now

    def count_pending(self) -> int:
        return self._query("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'")[0][0]

    # ------------------------------------------------------------------ operator views

    def recent_attempts(self, limit: int = 50, subscriber_id: str | None = None,
                        alert_id: str | None = None) -> list[AttemptRow]:
        where, params = _filters(subscriber_id=subscriber_id, alert_id=alert_id)
        rows = self._query(
            "SELECT t.at, d.alert_id, d.subscriber_id,"
            " (SELECT COUNT(*) FROM attempts p WHERE p.delivery_id = t.delivery_id AND p.id <= t.id),"
            " t.outcome, t.status, t.latency_ms, t.error, d.state"
            f" FROM attempts t JOIN deliveries d ON d.id = t.delivery_id {where}"
            " ORDER BY t.id DESC LIMIT ?", [*params, limit])
        return [AttemptRow(*r) for r in rows]

    def dead_letters(self, limit: int = 50, include_replayed: bool = False) -> list[DeadLetterRow]:
        where = "" if include_replayed else "WHERE x.replayed_at IS NULL"
        rows = self._query(
            "SELECT x.at, d.alert_id, d.subscriber_id, x.reason, d.attempts, x.replayed_at"
            f" FROM dead_letters x JOIN deliveries d ON d.id = x.delivery_id {where}"
            " ORDER BY x.id DESC LIMIT ?", (limit,))
        return [DeadLetterRow(*r) for r in rows]

    def replay(self, now: float, subscriber_id: str | None = None, alert_id: str | None = None) -> int:
        """Put dead-lettered deliveries of enabled subscriptions back in the queue, attempts reset."""
        where, params = _filters(subscriber_id=subscriber_id, alert_id=alert_id)
        with self._tx() as db:
            ids = [r[0] for r in db.execute(
                "SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscriber_id"
                f" {where} {'AND' if where else 'WHERE'} d.state = 'dead' AND s.enabled = 1", params)]
            for delivery_id in ids:
                db.execute("UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?"
                           " WHERE id = ?", (now, delivery_id))
                db.execute("UPDATE dead_letters SET replayed_at = ? WHERE delivery_id = ?"
                           " AND replayed_at IS NULL", (now, delivery_id))
            return len(ids)


def _filters(**conditions: str | None) -> tuple[str, list]:
    clauses = [(f"d.{column} = ?", value) for column, value in conditions.items() if value]
    if not clauses:
        return "", []
    return "WHERE " + " AND ".join(c for c, _ in clauses), [v for _, v in clauses]


def _log_attempt(db: sqlite3.Connection, delivery_id: int, result: AttemptResult, now: float) -> None:
    db.execute("INSERT INTO attempts (delivery_id, at, outcome, status, latency_ms, error)"
               " VALUES (?,?,?,?,?,?)",
               (delivery_id, now, result.outcome, result.status, result.latency * 1000, result.error))


def _dead_letter(db: sqlite3.Connection, delivery_id: int, reason: str, now: float) -> None:
    if db.execute("UPDATE deliveries SET state = 'dead' WHERE id = ? AND state = 'pending'",
                  (delivery_id,)).rowcount:
        db.execute("INSERT INTO dead_letters (delivery_id, reason, at) VALUES (?,?,?)",
                   (delivery_id, reason, now))


def _dump_secrets(secrets: Sequence[SigningSecret]) -> str:
    return json.dumps([s.model_dump() for s in secrets])


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(
        id=row["id"], url=row["url"], description=row["description"],
        filters=Filters.model_validate_json(row["filters"]), enabled=bool(row["enabled"]),
        disabled_reason=row["disabled_reason"], failing_since=row["failing_since"],
        created_at=row["created_at"],
        secrets=tuple(SigningSecret(**s) for s in json.loads(row["secrets"])))
