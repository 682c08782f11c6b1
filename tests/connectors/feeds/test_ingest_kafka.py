"""End to end on real parts: local HTTP feeds -> FeedIngester -> the real Kafka broker."""
from __future__ import annotations

from connectors.feeds.store import StateStore

from .conftest import Clock, consume, make_config, rss, story_items


def test_publishes_each_entry_keyed_by_id_and_304_is_no_work(feed_server, ingester_factory, kafka, topic_name):
    topic = topic_name("articles")
    url = feed_server.route("/world.xml", rss(story_items("world", 5)), etag='"v1"',
                            last_modified="Sat, 01 Mar 2025 10:00:00 GMT")
    clock = Clock()
    ingester = ingester_factory(make_config([{"id": "world", "url": url, "language": "en"}]), topic, clock=clock)

    first = ingester.poll_due()
    assert first.by_outcome() == {"ok": 1}
    assert first.publish.acknowledged == 5

    clock.advance(301)
    second = ingester.poll_due()
    assert second.by_outcome() == {"not_modified": 1}
    assert second.publish.sent == 0

    assert feed_server.statuses[("/world.xml", 200)] == 1
    assert feed_server.statuses[("/world.xml", 304)] == 1
    conditional = feed_server.request_headers["/world.xml"][1]
    assert conditional["If-None-Match"] == '"v1"'
    assert conditional["If-Modified-Since"] == "Sat, 01 Mar 2025 10:00:00 GMT"
    assert "frontwatch" in conditional["User-Agent"]

    records = consume(kafka.bootstrap, topic, expect=5)
    assert len(records) == 5
    assert all(key == article.id for key, article in records)
    assert {a.url for _, a in records} == {f"https://news.example.com/world/{i}" for i in range(5)}
    assert {a.source.feed_id for _, a in records} == {"world"}
    assert all(a.language == "en" and not a.update for _, a in records)


def test_last_modified_alone_gives_304(feed_server, ingester_factory, topic_name):
    url = feed_server.route("/lm.xml", rss(story_items("lm", 2)), last_modified="Sat, 01 Mar 2025 09:00:00 GMT")
    clock = Clock()
    ingester = ingester_factory(make_config([{"id": "lm", "url": url}]), topic_name("articles"), clock=clock)
    ingester.poll_due()
    clock.advance(301)
    assert ingester.poll_due().by_outcome() == {"not_modified": 1}
    assert feed_server.statuses[("/lm.xml", 200)] == 1 and feed_server.statuses[("/lm.xml", 304)] == 1


def test_restart_does_not_republish_and_edits_are_updates(feed_server, ingester_factory, kafka, topic_name, tmp_path):
    topic = topic_name("articles")
    state = tmp_path / "restart.sqlite"
    items = story_items("desk", 3)
    url = feed_server.route("/desk.xml", rss(items))  # no validators: every poll is a full 200
    config = make_config([{"id": "desk", "url": url}])

    clock = Clock()
    first = ingester_factory(config, topic, state=state, clock=clock)
    assert first.poll_due().publish.acknowledged == 3
    first.close()

    clock.advance(600)
    items[1]["description"] = "Corrected: the report now says government forces withdrew."
    feed_server.route("/desk.xml", rss(items + story_items("late", 1)))
    second = ingester_factory(config, topic, state=state, clock=clock)
    summary = second.poll_due()
    assert summary.outcomes[0].queued_new == 1 and summary.outcomes[0].queued_updates == 1
    assert summary.publish.acknowledged == 2

    clock.advance(600)
    assert second.poll_due().publish.sent == 0  # same content again: nothing to publish

    records = consume(kafka.bootstrap, topic, expect=5)
    assert len(records) == 5
    by_url: dict[str, list] = {}
    for _, article in records:
        by_url.setdefault(article.url, []).append(article)
    edited = by_url["https://news.example.com/desk/1"]
    assert [a.update for a in edited] == [False, True]
    assert edited[0].id == edited[1].id and edited[0].content_hash != edited[1].content_hash
    assert "Corrected" in edited[1].text
    with StateStore(state) as store:
        assert store.feed_state("desk").articles_published == 4
        assert store.feed_state("desk").updates_published == 1


def test_same_article_in_two_feeds_is_published_once(feed_server, ingester_factory, kafka, topic_name):
    topic = topic_name("articles")
    a = feed_server.route("/a.xml", rss([{"title": "Shared", "link": "https://wire.example.com/s?utm_source=a",
                                          "description": "Summary as feed A tells it."}]))
    b = feed_server.route("/b.xml", rss([{"title": "Shared", "link": "https://wire.example.com/s?utm_source=b&fbclid=1",
                                          "description": "Feed B words it differently."}]))
    clock = Clock()
    ingester = ingester_factory(make_config([{"id": "a", "url": a}, {"id": "b", "url": b}]), topic, clock=clock)
    ingester.poll_due()
    clock.advance(301)
    ingester.poll_due()  # the differing summaries must not flap into "updates"
    records = consume(kafka.bootstrap, topic, expect=1)
    assert len(records) == 1
    assert records[0][1].url == "https://wire.example.com/s"
