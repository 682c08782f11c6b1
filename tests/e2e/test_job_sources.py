"""The job's sources on the real broker: partitions added while it runs are picked up, and
a JSON-lines file can be replayed through the same job (backfill)."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest
import yaml
from kafka import KafkaAdminClient
from kafka.admin import NewPartitions

from connectors.kafka import Topics, ensure_topics, make_consumer, make_producer
from connectors.wire import Article, Source, stable_id
from pipelines.stack import LocalStack

pytestmark = pytest.mark.slow


def article(text: str, publisher: str) -> Article:
    now = datetime.now(timezone.utc)
    return Article(id=stable_id(publisher, text), url=f"https://{publisher}/1", title="", text=text,
                   published=now, fetched=now, source=Source(feed_id="t", publisher=publisher))


def test_a_partition_added_while_the_job_runs_is_read(kafka, topic_name, tmp_path):
    topics = Topics(articles=topic_name("articles"), signals=topic_name("signals"),
                    alerts=topic_name("alerts"), dead_letter=topic_name("dead"))
    ensure_topics(kafka.bootstrap, [topics.articles], partitions=1)
    with LocalStack(workdir=tmp_path, bootstrap=kafka.bootstrap, topics=topics, with_connector=False,
                    print_alerts=False, job_kafka_settings={"discovery_interval_s": 2}) as stack:
        producer = make_producer(kafka.bootstrap)
        first = article("Rebel fighters captured the city of Gao on Monday, a local official said.", "a.example")
        producer.send(topics.articles, value=first.to_json_bytes(), partition=0).get(timeout=30)
        producer.close()
        stack.receiver.wait_for(lambda alerts: any("Gao" in (a.get("subject") or "") for a in alerts), timeout=240)

        admin = KafkaAdminClient(bootstrap_servers=kafka.bootstrap)
        admin.create_partitions({topics.articles: NewPartitions(total_count=2)})
        admin.close()
        second = article("Rebel fighters captured the city of Mopti on Tuesday, a local official said.", "b.example")
        producer = make_producer(kafka.bootstrap)  # fresh metadata: two partitions
        producer.send(topics.articles, value=second.to_json_bytes(), partition=1).get(timeout=30)
        producer.close()
        stack.receiver.wait_for(lambda alerts: any("Mopti" in (a.get("subject") or "") for a in alerts),
                                timeout=120)
        assert not stack.check()


def test_a_file_of_articles_replays_through_the_job(kafka, topic_name, tmp_path):
    alerts_topic = topic_name("alerts")
    config = tmp_path / "job.yaml"
    config.write_text(yaml.safe_dump({"kafka": {
        "bootstrap": kafka.bootstrap, "alerts_topic": alerts_topic, "signals_topic": topic_name("signals"),
        "dead_letter_topic": topic_name("dead")}}))
    lines = tmp_path / "articles.jsonl"
    lines.write_bytes(b"\n".join([
        article("Insurgents are now within 30 kilometres of Kabul, a spokesman for the group said.",
                "a.example").to_json_bytes(),
        b"{broken",
    ]) + b"\n")
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "job", "run", "--config", str(config),
                           "--source", "file", "--input", str(lines)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    consumer = make_consumer(kafka.bootstrap, group_id=None, consumer_timeout_ms=5000)
    consumer.subscribe([alerts_topic])
    alerts = [json.loads(m.value) for m in consumer]
    consumer.close()
    assert [(a["kind"], a["situation"], a["current"]["band_km"]) for a in alerts] == [
        ("band_crossing", "AF:Kabul", 50)]
