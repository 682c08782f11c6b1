"""The thin path, end to end, on real parts: a local RSS feed -> feed connector -> Kafka
(real KRaft broker) -> the Beam job on Prism (streaming) -> Kafka "alerts" -> webhook
dispatcher -> a receiver that verifies Standard Webhooks signatures."""
from __future__ import annotations

import json
import time

import pytest

from connectors.kafka import Topics, make_consumer, make_producer
from connectors.seedfeed import item_from_text
from pipelines.stack import LocalStack

pytestmark = pytest.mark.slow

# Our own follow-up report (not from any real article): fighters inside the capital.
FOLLOW_UP = ("Opposition fighters entered the Syrian capital Damascus on Sunday, the Syrian Observatory "
             "for Human Rights said, as government troops withdrew from the northern districts of the city.")


def _band_alert(alerts):
    return next((a for a in alerts if a["kind"] == "band_crossing" and a["situation"] == "SY:Damascus"), None)


def _territory_alert(alerts, place):
    return next((a for a in alerts if a["kind"] == "territory_change" and place in (a.get("subject") or "")), None)


def _dead_letters(bootstrap: str, topic: str) -> list[dict]:
    consumer = make_consumer(bootstrap, group_id=None, consumer_timeout_ms=3000)
    consumer.subscribe([topic])
    try:
        return [json.loads(m.value) for m in consumer]
    finally:
        consumer.close()


def test_seed_alerts_arrive_signed_and_the_running_job_keeps_streaming(kafka, topic_name, tmp_path):
    topics = Topics(articles=topic_name("articles"), signals=topic_name("signals"),
                    alerts=topic_name("alerts"), dead_letter=topic_name("dead"))
    started = time.monotonic()
    with LocalStack(workdir=tmp_path, bootstrap=kafka.bootstrap, topics=topics, feed_poll_seconds=2,
                    print_alerts=False) as stack:
        rx = stack.receiver
        rx.wait_for(lambda alerts: _band_alert(alerts) and _territory_alert(alerts, "Daraa"), timeout=300)
        first_alert_s = time.monotonic() - started
        assert not stack.check(), "a service died"

        band = _band_alert(rx.alerts)
        # one alert for the article: the closest claim (10 km, the war monitor) sets the band
        assert (band["current"]["band_km"], band["current"]["km"], band["previous"]["band_km"]) == (10, 10, None)
        assert band["severity"] == "critical" and band["status"] == "corroborated"
        assert band["country"] == "SY"
        assert "10 kilometres (six miles) from Damascus" in band["evidence"][0]["quote"]
        assert all(e["publisher"] == stack.feed.publisher for e in band["evidence"])
        daraa = _territory_alert(rx.alerts, "Daraa")
        assert daraa["current"]["side"] == "hostile" and daraa["previous"]["side"] == "government"
        assert any("Daraa" in e["quote"] for e in daraa["evidence"])
        assert rx.rejected == 0 and not rx.duplicates  # every request carried a valid signature, once
        assert all(r.verified for r in rx.requests)

        # While the job keeps running: a malformed record, then a later article.
        producer = make_producer(kafka.bootstrap)
        producer.send(topics.articles, key=b"broken", value=b"{this is not an article").get(timeout=30)
        producer.close()
        stack.feed.add(item_from_text("follow-up", FOLLOW_UP))
        published = time.monotonic()
        rx.wait_for(lambda alerts: any(a["kind"] == "band_crossing" and a["current"]["band_km"] == 0
                                       for a in alerts), timeout=180)
        follow_up_s = time.monotonic() - published
        inside = [a for a in rx.alerts if a["kind"] == "band_crossing" and a["current"]["band_km"] == 0][0]
        assert inside["previous"]["band_km"] == 10
        assert "entered the Syrian capital Damascus" in inside["evidence"][0]["quote"]

        letters = _dead_letters(kafka.bootstrap, topics.dead_letter)
        assert any(d["stage"] == "decode" and d["payload"] == "{this is not an article" for d in letters)
        assert not stack.check(), "the job stopped after the malformed record"
        print(f"\nfirst alert {first_alert_s:.1f}s after start; follow-up alert {follow_up_s:.1f}s after the feed "
              f"published it")
