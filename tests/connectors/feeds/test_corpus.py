"""The bar: two thousand real-world-style feeds over local HTTP into the real broker.

No crash, every entry with an id published exactly once (counted by consuming the topic),
broken feeds isolated with the right outcome, and a second pass publishes nothing.
"""
from __future__ import annotations

import pytest

from tests.feed_corpus import expected_ids, generate_corpus

from .conftest import Clock, consume, make_config
from .test_failures import _redirect_to_self, _stream_huge

HTTP_SIDE = {
    "http_404": dict(body="not found", status=404, content_type="text/plain"),
    "http_500": dict(body="error", status=500, content_type="text/plain"),
    "empty": dict(body=b""),
    "huge": dict(handler=lambda h: _stream_huge(h, declare_length=False)),
    "redirect_loop": dict(handler=_redirect_to_self),
}


@pytest.mark.slow
def test_two_thousand_feeds_every_entry_published_exactly_once(feed_server, ingester_factory, kafka, topic_name):
    topic = topic_name("corpus")
    corpus = generate_corpus(2000)
    for feed in corpus:
        feed_server.route(feed.path, **HTTP_SIDE.get(feed.kind, dict(body=feed.body, content_type=feed.content_type)))
    config = make_config([{"id": f"corpus-{i}", "url": feed_server.url(f.path)} for i, f in enumerate(corpus)],
                         workers=8, parse_processes=2, publish_timeout=120)
    clock = Clock()
    ingester = ingester_factory(config, topic, clock=clock)

    summary = ingester.poll_due()

    outcomes = {o.feed_id: o for o in summary.outcomes}
    assert len(outcomes) == 2000
    wrong = {f"corpus-{i}": (f.kind, outcomes[f"corpus-{i}"].outcome, outcomes[f"corpus-{i}"].error)
             for i, f in enumerate(corpus) if outcomes[f"corpus-{i}"].outcome != f.expected_outcome}
    assert wrong == {}
    broken = sum(1 for f in corpus if f.broken)
    assert 100 <= broken <= 250  # a real share of the corpus is broken, and isolated
    urls, linkless = expected_ids(corpus)
    expected = len(urls) + linkless
    assert summary.publish.acknowledged == expected
    assert summary.publish.pending == 0

    records = consume(kafka.bootstrap, topic, expect=expected, timeout=120)
    ids = [key for key, _ in records]
    assert len(ids) == expected  # nothing lost, nothing doubled
    assert len(set(ids)) == expected
    assert {a.url for _, a in records if a.url} == urls
    assert sum(1 for _, a in records if a.url is None) == linkless

    clock.advance(3600)
    again = ingester.poll_due()
    assert again.queued == 0 and again.publish.sent == 0  # a second pass republishes nothing
