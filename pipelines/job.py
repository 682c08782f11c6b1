"""The frontwatch stream job: articles in, signals and alerts out.

    ReadArticles ─► DecodeArticles ─► ExtractSignalsOnce ─► TrackSituations ─► alerts
                         │                   │  (keyed by story)   (keyed by country)
                         └── dead letters ◄──┘                     signals ─► topic

Each step is a small named DoFn/PTransform around pure logic: ``pipelines.extract``
reads text, ``pipelines.dedup`` decides what is a new story, ``pipelines.situation``
holds the alerting rules. This module only wires them to Beam and Kafka.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Iterable

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.typehints import KV
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Duration

from connectors.kafka import make_producer
from connectors.wire import Alert, Article, DeadLetter, Signal, WireError
from pipelines.clock import SystemClock
from pipelines.config import JobConfig
from pipelines.dedup import Sighting, StoryRecord, fingerprint
from pipelines.kafka_source import KafkaReadConfig, KafkaRecord, ReadKafkaRecords
from pipelines.signals import SignalExtractor, by_situation
from pipelines.situation import AlertPolicy, Situation

log = logging.getLogger(__name__)

DEAD = "dead_letter"


# --------------------------------------------------------------------------- reading

class ReadArticles(beam.PTransform):
    """Raw article records: unbounded from Kafka, or a JSON-lines file (replay/backfill)."""

    def __init__(self, config: JobConfig, source: str = "kafka", input_path: str | None = None):
        super().__init__()
        self.config, self.source, self.input_path = config, source, input_path

    def expand(self, pbegin):
        k = self.config.kafka
        if self.source == "file":
            return (pbegin | "ReadLines" >> beam.io.ReadFromText(self.input_path)
                    | "AsRecords" >> beam.Map(lambda line: KafkaRecord("file", 0, -1, None, line.encode(), 0)))
        if self.source == "kafka-xlang":  # Dataflow: Beam's Java KafkaIO through cross-language
            from apache_beam.io.kafka import ReadFromKafka

            return (pbegin
                    | ReadFromKafka(consumer_config={"bootstrap.servers": k.bootstrap, "group.id": k.group_id,
                                                     "auto.offset.reset": "earliest"},
                                    topics=[k.articles_topic], commit_offset_in_finalize=True,
                                    with_metadata=False)
                    | "AsRecords" >> beam.Map(lambda kv: KafkaRecord(k.articles_topic, -1, -1, kv[0], kv[1], 0)))
        return pbegin | ReadKafkaRecords(KafkaReadConfig(
            bootstrap=k.bootstrap, topic=k.articles_topic, group_id=k.group_id,
            replay_horizon_s=k.replay_hours * 3600, poll_interval_s=k.poll_interval_s,
            poll_timeout_ms=k.poll_timeout_ms, discovery_interval_s=k.discovery_interval_s))


class DecodeArticles(beam.DoFn):
    """Bytes -> ``Article``; anything that is not a valid article becomes a dead letter."""

    def __init__(self):
        self.decoded = Metrics.counter("job", "articles_decoded")
        self.malformed = Metrics.counter("job", "articles_malformed")

    def process(self, record: KafkaRecord):
        try:
            article = Article.from_json_bytes(record.value or b"")
        except WireError as exc:
            self.malformed.inc()
            log.warning("malformed article at %s[%s]@%s: %s", record.topic, record.partition, record.offset, exc)
            yield beam.pvalue.TaggedOutput(DEAD, dead_letter("decode", exc, record))
            return
        self.decoded.inc()
        yield article


def dead_letter(stage: str, error: Exception | str, record: KafkaRecord | None = None,
                payload: bytes | str | None = None) -> DeadLetter:
    return DeadLetter(
        stage=stage, error=str(error)[:2000],
        source_topic=record.topic if record else None, partition=record.partition if record else None,
        offset=record.offset if record and record.offset >= 0 else None,
        key=record.key.decode("utf-8", "replace") if record and record.key else None,
        payload=DeadLetter.encode_payload(payload if payload is not None else (record.value if record else None)))


# --------------------------------------------------------------------------- extraction

class ExtractSignalsOnce(beam.DoFn):
    """Keyed by story fingerprint: extract a story once; a copy from another publisher
    re-emits the stored signals under that publisher (corroboration), a duplicate from
    the same publisher emits nothing. Story memory expires after the dedup TTL.
    Emits one list of signals per article."""

    STORY = ReadModifyWriteStateSpec("story", PickleCoder())
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

    def __init__(self, ttl: timedelta, clock: Any = None, extractor_factory: Callable[[], Any] = SignalExtractor):
        self.ttl = ttl
        self.clock = clock or SystemClock()
        self.extractor_factory = extractor_factory
        self.counters = {s: Metrics.counter("job", f"stories_{s.value}") for s in Sighting}
        self.failures = Metrics.counter("job", "extraction_failures")

    def setup(self):
        self.extractor = self.extractor_factory()

    def process(self, keyed: tuple[str, Article], story=beam.DoFn.StateParam(STORY),
                expiry=beam.DoFn.TimerParam(EXPIRY), timestamp=beam.DoFn.TimestampParam):
        key, article = keyed
        record: StoryRecord = story.read() or StoryRecord()
        try:
            sighting, signals = record.signals_for(article, lambda: self.extractor(article, key, self.clock.now()))
            self.counters[sighting].inc()
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the job
            self.failures.inc()
            log.exception("extraction failed for article %s", article.id)
            yield beam.pvalue.TaggedOutput(DEAD, dead_letter("extract", f"{type(exc).__name__}: {exc}",
                                                             payload=article.to_json_bytes()))
            signals = []
        story.write(record)
        expiry.set(timestamp + Duration(seconds=self.ttl.total_seconds()))
        if signals:
            yield signals  # one element per article: its situations judge it as a whole

    @on_timer(EXPIRY)
    def forget(self, story=beam.DoFn.StateParam(STORY)):
        story.clear()


class KeyByStory(beam.DoFn):
    def process(self, article: Article):
        yield fingerprint(article), article


# --------------------------------------------------------------------------- situations

class TrackSituations(beam.DoFn):
    """Keyed by country: fold each article's signals into the ``Situation`` and emit
    the alerts it decides on."""

    SITUATION = ReadModifyWriteStateSpec("situation", PickleCoder())
    HOUSEKEEPING = TimerSpec("housekeeping", TimeDomain.WATERMARK)

    def __init__(self, policy: AlertPolicy, clock: Any = None):
        self.policy = policy
        self.clock = clock or SystemClock()
        self.alerts = Metrics.counter("job", "alerts")

    def process(self, keyed: tuple[str, list[Signal]], state=beam.DoFn.StateParam(SITUATION),
                housekeeping=beam.DoFn.TimerParam(HOUSEKEEPING), timestamp=beam.DoFn.TimestampParam):
        country, signals = keyed
        situation: Situation = state.read() or Situation.open(country, signals, self.policy)
        try:
            alerts = situation.observe(signals, self.clock.now())
        except Exception as exc:  # noqa: BLE001 - one bad article must not crash-loop the job
            log.exception("situation %s could not take an article's signals", country)
            yield beam.pvalue.TaggedOutput(DEAD, dead_letter(
                "situation", f"{type(exc).__name__}: {exc}",
                payload=b"[" + b",".join(s.to_json_bytes() for s in signals) + b"]"))
            return
        state.write(situation)
        housekeeping.set(timestamp + Duration(seconds=self.policy.place_ttl.total_seconds()))
        for alert in alerts:
            self.alerts.inc()
            log.info("ALERT %s %s %s", alert.kind, alert.severity, alert.summary)
            yield alert

    @on_timer(HOUSEKEEPING)
    def expire(self, state=beam.DoFn.StateParam(SITUATION)):
        situation: Situation | None = state.read()
        if situation is None:
            return
        situation.expire(self.clock.now())
        if situation.empty:
            state.clear()
        else:
            state.write(situation)


# --------------------------------------------------------------------------- writing

class WriteToKafkaTopic(beam.DoFn):
    """Publishes (key, value) pairs; one producer per DoFn instance; the bundle completes
    only when the broker acknowledged every record (so a failure retries the bundle)."""

    def __init__(self, bootstrap: str, topic: str):
        self.bootstrap, self.topic = bootstrap, topic
        self.sent = Metrics.counter("job", f"published_{topic}")

    def setup(self):
        self.producer = make_producer(self.bootstrap, client_id=f"frontwatch-job-{self.topic}")

    def start_bundle(self):
        self.pending = []

    def process(self, kv: tuple[bytes | None, bytes]):
        self.pending.append(self.producer.send(self.topic, key=kv[0], value=kv[1]))

    def finish_bundle(self):
        self.producer.flush()
        for future in self.pending:
            future.get(timeout=60)
        self.sent.inc(len(self.pending))
        self.pending = []

    def teardown(self):
        producer = getattr(self, "producer", None)
        if producer is not None:
            producer.close(timeout=10)


def alert_record(alert: Alert) -> tuple[bytes, bytes]:
    return alert.situation.encode(), alert.to_json_bytes()


def signal_record(signal: Signal) -> tuple[bytes, bytes]:
    return (signal.country or "").encode(), signal.to_json_bytes()


def dead_letter_record(letter: DeadLetter) -> tuple[bytes | None, bytes]:
    return (letter.key.encode() if letter.key else None), letter.to_json_bytes()


# --------------------------------------------------------------------------- the job

@dataclass
class JobOutputs:
    signals: beam.PCollection
    alerts: beam.PCollection
    dead_letters: beam.PCollection


class DetectEscalation(beam.PTransform):
    """Articles -> (signals, alerts, dead letters): the whole job minus I/O."""

    def __init__(self, config: JobConfig, clock: Any = None, extractor_factory: Callable[[], Any] = SignalExtractor):
        super().__init__()
        self.config, self.clock, self.extractor_factory = config, clock, extractor_factory

    def expand(self, records):
        decoded = records | "DecodeArticles" >> beam.ParDo(DecodeArticles()).with_outputs(DEAD, main="articles")
        extracted = (decoded.articles
                     | "KeyByStory" >> beam.ParDo(KeyByStory()).with_output_types(KV[str, Any])
                     | "ExtractSignalsOnce" >> beam.ParDo(ExtractSignalsOnce(
                         timedelta(hours=self.config.state.dedup_ttl_hours), self.clock,
                         self.extractor_factory)).with_outputs(DEAD, main="signals"))
        alerts = (extracted.signals
                  | "KeyBySituation" >> beam.FlatMap(by_situation).with_output_types(KV[str, Any])
                  | "TrackSituations" >> beam.ParDo(TrackSituations(
                      self.config.policy(), self.clock)).with_outputs(DEAD, main="alerts"))
        dead = (decoded[DEAD], extracted[DEAD], alerts[DEAD]) | "AllDeadLetters" >> beam.Flatten()
        signals = extracted.signals | "EachSignal" >> beam.FlatMap(lambda batch: batch)
        return JobOutputs(signals=signals, alerts=alerts.alerts, dead_letters=dead)


def build(pipeline: beam.Pipeline, config: JobConfig, source: str = "kafka", input_path: str | None = None,
          clock: Any = None) -> JobOutputs:
    """Wire the job onto ``pipeline``: read, detect, write every output to its topic."""
    k = config.kafka
    out = pipeline | "ReadArticles" >> ReadArticles(config, source, input_path) | DetectEscalation(config, clock)
    (out.signals | "SignalRecords" >> beam.Map(signal_record)
     | "WriteSignals" >> beam.ParDo(WriteToKafkaTopic(k.bootstrap, k.signals_topic)))
    (out.alerts | "AlertRecords" >> beam.Map(alert_record)
     | "WriteAlerts" >> beam.ParDo(WriteToKafkaTopic(k.bootstrap, k.alerts_topic)))
    (out.dead_letters | "DeadLetterRecords" >> beam.Map(dead_letter_record)
     | "WriteDeadLetters" >> beam.ParDo(WriteToKafkaTopic(k.bootstrap, k.dead_letter_topic)))
    return out


def records_of(lines: Iterable[bytes]) -> list[KafkaRecord]:
    """Test/backfill helper: raw JSON lines as records."""
    return [KafkaRecord("inline", 0, i, None, line, 0) for i, line in enumerate(lines)]

