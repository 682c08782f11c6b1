"""The stream job's core transform on Apache Flink (Beam's FlinkRunner, embedded Flink).

``--flink_master=[local]`` makes the Beam Flink job server (a JVM, provisioned from Maven
Central by ``pipelines.runner.flink_job_server_jar``) run the pipeline on an embedded
Flink MiniCluster; ``--environment_type=LOOPBACK`` runs the Python SDK harness in this
process. The pipeline runs in streaming mode, as deployed: keyed state, watermark timers
and side outputs all go through Flink's streaming translation.
"""
from __future__ import annotations

import importlib.util
import json
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from connectors.wire import Article, Source, stable_id
from pipelines.config import JobConfig
from tests.pipelines.factories import T0, signal

pytestmark = pytest.mark.slow

NOW = T0 + timedelta(minutes=30)


class FixedClock:
    """The job's clock pinned to NOW (the scripted articles are from T0)."""

    def now(self) -> datetime:
        return NOW


class ScriptedExtractor:
    """Stands in for ``pipelines.signals.SignalExtractor`` where only the Beam wiring is under test:
    "within N km of Carthago" in an article becomes one distance claim of N km."""

    def __call__(self, article: Article, story: str, now: datetime):
        return [signal(km=float(km), publisher=article.publisher, published=article.published,
                       fingerprint=story, quote=f"within {km} km of Carthago")
                for km in re.findall(r"within (\d+) km of Carthago", article.text)]


def article_line(text: str, publisher: str, published: datetime, article_id: str | None = None) -> bytes:
    return Article(id=article_id or stable_id(publisher, text), url=f"https://{publisher}/{stable_id(text)}",
                   title=text[:60], text=text, published=published, fetched=published + timedelta(minutes=1),
                   source=Source(feed_id=f"{publisher}-rss", publisher=publisher), language="en").to_json_bytes()


_append_lock = threading.Lock()


class AppendJsonLines(beam.DoFn):
    """Collects a PCollection of wire records into a local JSON-lines file. With LOOPBACK the
    SDK harness is this process, so the test reads what the pipeline wrote. (WriteToText
    does not work here: on Flink's streaming translation its end-of-input write trips a
    timestamp check.)"""

    def __init__(self, path: str):
        self.path = path

    def process(self, record):
        with _append_lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(record.to_json_bytes().decode() + "\n")


def run_on_embedded_flink(lines: list[bytes], out: Path, **detect_kwargs) -> dict[str, list[dict]]:
    """Run ``DetectEscalation`` over ``lines`` on embedded Flink; return its outputs as JSON."""
    from pipelines.job import DetectEscalation, records_of
    from pipelines.runner import flink_options

    options = PipelineOptions(flink_options(streaming=True) + ["--environment_type=LOOPBACK", "--parallelism=1"])
    with beam.Pipeline(options=options) as pipeline:
        # reshuffle=False: the articles reach the keyed state in the order given
        records = pipeline | "Articles" >> beam.Create(records_of(lines), reshuffle=False)
        outputs = records | DetectEscalation(JobConfig(), **detect_kwargs)
        for name in ("alerts", "signals", "dead_letters"):
            getattr(outputs, name) | f"Collect{name}" >> beam.ParDo(AppendJsonLines(str(out / name)))
    return {name: [json.loads(line) for line in (out / name).read_text().splitlines()]
            if (out / name).exists() else [] for name in ("alerts", "signals", "dead_letters")}


def test_situation_state_dedup_and_dead_letters_on_flink(tmp_path):
    """Keyed state and side outputs on Flink, with a scripted extractor (no gazetteer)."""
    lines = [
        article_line("Rebels are within 40 km of Carthago, a spokesman said.", "a.example", T0),
        # the same story from another publisher: corroboration, not a second extraction
        article_line("Rebels are within 40 km of Carthago, a spokesman said.", "b.example", T0),
        # the same article again from the same publisher: a duplicate, nothing new
        article_line("Rebels are within 40 km of Carthago, a spokesman said.", "a.example", T0),
        article_line("Fighters are now within 8 km of Carthago, a monitor said.", "c.example",
                     T0 + timedelta(minutes=10)),
        b"{not an article",
    ]
    started = time.monotonic()
    out = run_on_embedded_flink(lines, tmp_path, clock=FixedClock(), extractor_factory=ScriptedExtractor)
    print(f"\nembedded Flink run: {time.monotonic() - started:.1f}s")

    crossings = [(a["previous"]["band_km"], a["current"]["band_km"])
                 for a in out["alerts"] if a["kind"] == "band_crossing"
                 and a["previous"]["band_km"] != a["current"]["band_km"]]
    assert crossings == [(None, 50), (50, 10)], out["alerts"]
    assert all(a["situation"] == "XX:Carthago" for a in out["alerts"])
    assert len({a["id"] for a in out["alerts"]}) == len(out["alerts"])
    ten = next(a for a in out["alerts"] if a["kind"] == "band_crossing" and a["current"]["band_km"] == 10)
    assert any(e["quote"] == "within 8 km of Carthago" and e["publisher"] == "c.example" for e in ten["evidence"])

    # extracted once per story, re-emitted under the second publisher, nothing for the duplicate
    publishers = sorted(s["article"]["publisher"] for s in out["signals"])
    assert publishers == ["a.example", "b.example", "c.example"]

    assert [(d["stage"], d["payload"]) for d in out["dead_letters"]] == [("decode", "{not an article")]


@pytest.mark.skipif(importlib.util.find_spec("pipelines.extract") is None,
                    reason="pipelines.extract (the extraction library) is not in this tree yet")
def test_the_stream_job_on_flink_reads_kafka_and_publishes_alerts(kafka, topic_name, tmp_path):
    """``frontwatch job run --runner flink`` as an operator runs it: the Kafka source, the
    real extractor and gazetteer, alerts to Kafka; a later article alerts while the job
    keeps running; SIGTERM cancels the job."""
    import yaml

    from connectors.kafka import Topics, ensure_topics, make_consumer, make_producer
    from pipelines.stack import Service, frontwatch

    topics = Topics(articles=topic_name("articles"), signals=topic_name("signals"),
                    alerts=topic_name("alerts"), dead_letter=topic_name("dead"))
    ensure_topics(kafka.bootstrap, topics.all())
    config = tmp_path / "job.yaml"
    config.write_text(yaml.safe_dump({"kafka": {
        "bootstrap": kafka.bootstrap, "articles_topic": topics.articles, "signals_topic": topics.signals,
        "alerts_topic": topics.alerts, "dead_letter_topic": topics.dead_letter,
        "group_id": f"frontwatch-job-{topics.articles}"}}))
    now = datetime.now(timezone.utc)
    producer = make_producer(kafka.bootstrap)
    for line in (article_line("Syrian rebels said on Saturday they were now within 20 kilometres of Damascus.",
                              "wire.example", now - timedelta(hours=2)),
                 b"{not an article"):
        producer.send(topics.articles, value=line).get(timeout=30)

    job = Service("job", frontwatch("job", "run", "--runner", "flink", "--config", str(config)),
                  tmp_path / "job.log").start()
    consumer = make_consumer(kafka.bootstrap, group_id=None, consumer_timeout_ms=500)
    consumer.subscribe([topics.alerts, topics.dead_letter])
    received: dict[str, list[dict]] = {topics.alerts: [], topics.dead_letter: []}

    def wait_for(predicate, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and job.running:
            for message in consumer:
                received[message.topic].append(json.loads(message.value))
            if predicate(received[topics.alerts]):
                return True
        return False

    try:
        started = time.monotonic()
        assert wait_for(lambda alerts: any(a["kind"] == "band_crossing" for a in alerts), 240), job.tail(60)
        first_alert_s = time.monotonic() - started
        band = next(a for a in received[topics.alerts] if a["kind"] == "band_crossing")
        assert band["situation"] == "SY:Damascus"
        assert band["current"]["band_km"] == 25 and band["current"]["km"] <= 20
        assert any("20 kilometres" in e["quote"] for e in band["evidence"])

        producer.send(topics.articles, value=article_line(
            "Opposition fighters entered the Syrian capital Damascus on Sunday, the Syrian Observatory for "
            "Human Rights said.", "monitor.example", now - timedelta(minutes=5))).get(timeout=30)
        published = time.monotonic()
        assert wait_for(lambda alerts: any(a["kind"] == "band_crossing" and a["current"]["band_km"] == 0
                                           for a in alerts), 120), job.tail(60)
        follow_up_s = time.monotonic() - published
        assert [d["stage"] for d in received[topics.dead_letter]] == ["decode"]
        ids = [a["id"] for a in received[topics.alerts]]
        assert len(ids) == len(set(ids))
    finally:
        producer.close()
        consumer.close()
        stopping = time.monotonic()
        job.stop(timeout=30)
    assert job.proc.returncode == 0, job.tail(60)
    print(f"\nFlink: first alert {first_alert_s:.1f}s after start, follow-up alert {follow_up_s:.1f}s after "
          f"publish, stopped in {time.monotonic() - stopping:.1f}s")
