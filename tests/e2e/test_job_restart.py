"""Kill the stream job mid-stream and restart it: no alert is lost, and no alert id is
delivered twice to a subscriber (real broker, Prism, dispatcher, signed webhooks)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from connectors.kafka import Topics, make_producer
from connectors.wire import Article, Source, stable_id
from pipelines.stack import LocalStack

pytestmark = pytest.mark.slow

# Our own texts, each moving the Kabul situation one step.
STORIES = [
    "Taliban fighters are now within 90 kilometres of Kabul, a spokesman for the group said.",
    "Insurgents were about 45 km from Kabul on Monday, a provincial official told reporters.",
    "Taliban units advanced to 20 kilometres from Kabul, a United Nations official said.",
    "Insurgent fighters are within 8 km of Kabul, residents and a police officer said.",
]


def publish(bootstrap: str, topic: str, texts: list[str], start: datetime) -> None:
    producer = make_producer(bootstrap)
    for i, text in enumerate(texts):
        published = start + timedelta(minutes=i)
        art = Article(id=stable_id("restart", text), url=f"https://news.example/{i}", title="", text=text,
                      published=published, fetched=published,
                      source=Source(feed_id="test", publisher=f"outlet{i}.example"))
        producer.send(topic, key=art.id.encode(), value=art.to_json_bytes()).get(timeout=30)
    producer.close()


def bands(alerts) -> set[float]:
    return {a["current"]["band_km"] for a in alerts if a["kind"] == "band_crossing"}


def test_killed_job_restarts_without_losing_or_duplicating_alerts(kafka, topic_name, tmp_path):
    topics = Topics(articles=topic_name("articles"), signals=topic_name("signals"),
                    alerts=topic_name("alerts"), dead_letter=topic_name("dead"))
    now = datetime.now(timezone.utc)
    with LocalStack(workdir=tmp_path, bootstrap=kafka.bootstrap, topics=topics, with_connector=False,
                    print_alerts=False) as stack:
        rx = stack.receiver
        publish(kafka.bootstrap, topics.articles, STORIES[:2], now - timedelta(minutes=30))
        rx.wait_for(lambda alerts: {100, 50} <= bands(alerts), timeout=240)

        stack.services["job"].kill()           # a crash, mid-stream
        publish(kafka.bootstrap, topics.articles, STORIES[2:], now - timedelta(minutes=10))
        stack.restart("job")

        rx.wait_for(lambda alerts: {100, 50, 25, 10} <= bands(alerts), timeout=240)
        assert not stack.check()
        ids = [r.webhook_id for r in rx.received]
        assert len(ids) == len(set(ids))          # each alert id delivered once
        assert not rx.duplicates
        assert bands(rx.alerts) == {100, 50, 25, 10}
