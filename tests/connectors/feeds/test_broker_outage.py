"""Broker down, then back: nothing is marked seen without an ack, and nothing is lost or doubled."""
from __future__ import annotations

from connectors.feeds.store import StateStore
from connectors.localkafka import LocalKafka, free_port

from .conftest import Clock, consume, make_config, rss, story_items


def test_articles_wait_while_the_broker_is_down_and_arrive_once_it_returns(feed_server, ingester_factory,
                                                                           tmp_path, topic_name):
    topic = topic_name("articles")
    # A fixed cluster id: LocalKafka's random ids start with "-" one time in 64, which the
    # storage tool's argument parser rejects (reported to the lead).
    broker = LocalKafka(data_dir=tmp_path / "outage-broker", port=free_port(), controller_port=free_port(),
                        cluster_id="MkU3OEVBNTcwNTJENDM2Qg")
    broker.start()
    state = tmp_path / "outage.sqlite"
    try:
        before = feed_server.route("/before.xml", rss(story_items("before", 4)))
        config = make_config([{"id": "before", "url": before}], publish_timeout=3)
        clock = Clock()
        ingester = ingester_factory(config, topic, state=state, clock=clock, bootstrap=broker.bootstrap)
        assert ingester.poll_due().publish.acknowledged == 4

        broker.stop()
        feed_server.route("/before.xml", rss(story_items("before", 4) + story_items("during", 6)))
        clock.advance(301)
        during = ingester.poll_due()
        assert during.by_outcome() == {"ok": 1}
        assert during.outcomes[0].queued_new == 6
        assert during.publish.acknowledged == 0
        assert during.publish.pending == 6
        assert ingester.store.seen_count() == 4  # nothing un-acknowledged is marked seen
        assert ingester.store.outbox_size() == 6

        clock.advance(301)  # the feed now answers the same content: the outbox still holds the six
        assert ingester.poll_due().outcomes[0].queued_new == 0

        broker = LocalKafka(data_dir=tmp_path / "outage-broker", port=broker.port,
                            controller_port=broker.controller_port)
        broker.start()
        after = ingester.publisher.drain(timeout=90)
        assert after.pending == 0
        assert ingester.store.seen_count() == 10
        assert ingester.store.outbox_size() == 0
        ingester.close()
        with StateStore(state) as store:
            assert store.feed_state("before").articles_published == 10

        records = consume(broker.bootstrap, topic, expect=10, timeout=30)
        ids = [key for key, _ in records]
        assert len(ids) == 10 == len(set(ids))  # published == acknowledged, no loss, no duplicate
        assert sum(1 for _, a in records if "/during/" in a.url) == 6
    finally:
        broker.stop()


def test_outbox_survives_a_restart_while_the_broker_is_unreachable(feed_server, ingester_factory, kafka,
                                                                   tmp_path, topic_name):
    topic = topic_name("articles")
    state = tmp_path / "offline.sqlite"
    url = feed_server.route("/offline.xml", rss(story_items("offline", 3)))
    config = make_config([{"id": "offline", "url": url}], publish_timeout=1)
    dead = f"127.0.0.1:{free_port()}"  # nothing listens here: the producer cannot even start
    offline = ingester_factory(config, topic, state=state, bootstrap=dead)
    summary = offline.poll_due()
    assert summary.outcomes[0].queued_new == 3 and summary.publish.acknowledged == 0
    offline.close()

    online = ingester_factory(config, topic, state=state, bootstrap=kafka.bootstrap)
    assert online.publisher.drain(timeout=30).acknowledged == 3
    assert len(consume(kafka.bootstrap, topic, expect=3)) == 3
