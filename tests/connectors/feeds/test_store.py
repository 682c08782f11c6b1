"""The state store's dedup rules, outbox and pruning, on a real SQLite file."""
from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.feeds.store import Candidate, FeedState, OutboxRow, StateStore

from .conftest import T0


@pytest.fixture
def store(tmp_path):
    with StateStore(tmp_path / "state.sqlite") as s:
        yield s


def _row(article_id, feed="a", digest="h1", update=False):
    return OutboxRow(article_id, feed, digest, update, f"{article_id}:{digest}".encode())


def test_judge_new_update_and_cross_feed_rules(store):
    store.save_feed_state(FeedState("a"), [_row("x"), _row("y")], now=T0)
    store.mark_published(store.pending(), T0)
    decisions = store.judge("a", [Candidate("x", "h1"), Candidate("y", "h2"), Candidate("z", "h1")])
    assert decisions == {"y": True, "z": False}  # x unchanged, y edited, z new
    assert store.judge("b", [Candidate("y", "other")]) == {}  # another feed's copy: never an update


def test_pending_edit_replaces_the_queued_row_and_keeps_the_new_flag(store):
    store.save_feed_state(FeedState("a"), [_row("x", digest="h1")], now=T0)
    assert store.judge("a", [Candidate("x", "h2")]) == {"x": False}
    store.save_feed_state(FeedState("a"), [_row("x", digest="h2")], now=T0)
    store.save_feed_state(FeedState("b"), [_row("x", feed="b", digest="h3")], now=T0)  # ignored: a's row
    [row] = store.pending()
    assert (row.feed_id, row.content_hash, row.is_update) == ("a", "h2", False)


def test_new_row_already_seen_via_another_feed_is_not_queued(store):
    store.save_feed_state(FeedState("a"), [_row("x")], now=T0)
    store.mark_published(store.pending(), T0)
    assert store.save_feed_state(FeedState("b"), [_row("x", feed="b")], now=T0) == 0
    assert store.outbox_size() == 0


def test_mark_published_counts_per_feed_and_pending_respects_watermark(store):
    store.save_feed_state(FeedState("a"), [_row("1"), _row("2"), _row("3", update=True)], now=T0)
    rows = store.pending()
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)
    assert [r.id for r in store.pending(after_seq=rows[0].seq)] == ["2", "3"]
    assert [r.id for r in store.pending(exclude={"2"})] == ["1", "3"]
    store.mark_published(rows, T0)
    state = store.feed_state("a")
    assert (state.articles_published, state.updates_published) == (2, 1)
    assert store.outbox_size() == 0 and store.seen_count() == 3


def test_feed_state_round_trips_and_prune_forgets_old_ids(store):
    state = FeedState("a", url="https://x/feed", etag='"e"', next_check=T0, consecutive_errors=2,
                      disabled_reason="http_4xx on 5 consecutive polls")
    store.save_feed_state(state, now=T0)
    assert store.feed_state("a") == state
    assert not store.feed_state("a").is_due(T0 + timedelta(days=1))  # disabled
    store.save_feed_state(FeedState("b"), [_row("old", feed="b")], now=T0)
    store.mark_published(store.pending(), T0 - timedelta(days=100))
    store.save_feed_state(FeedState("b"), [_row("recent", feed="b")], now=T0)
    store.mark_published(store.pending(), T0)
    assert store.prune_seen(T0 - timedelta(days=90)) == 1
    assert store.judge("b", [Candidate("old", "h1"), Candidate("recent", "h1")]) == {"old": False}
