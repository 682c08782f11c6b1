"""Reading Kafka in the Beam job, with kafka-python, as a splittable DoFn.

One restriction per partition (``assign``, never ``subscribe``: Beam, not the consumer
group, decides who reads what). Each call polls once, claims offsets with ``try_claim``,
advances the watermark from record timestamps (and to "now" when the partition is caught
up, so idle partitions do not hold the pipeline back), then ``defer_remainder`` hands
control back to the runner for ``poll_interval``: no endless loop, no busy spin.
Offsets are committed to the consumer group in a bundle finalizer, i.e. only after the
runner has durably accepted the bundle's output. A periodic partition discovery picks up
partitions added while the job runs.

On start each partition is read from ``min(committed offset, offset at now - replay
horizon)``: the job's situation state lives in the runner, and re-reading a short horizon
rebuilds it after a restart; deterministic alert ids make the re-emitted alerts harmless.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import NamedTuple

import apache_beam as beam
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.io.watermark_estimators import ManualWatermarkEstimator
from apache_beam.metrics import Metrics
from apache_beam.transforms.core import RestrictionProvider
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.utils.timestamp import Duration, Timestamp

from connectors.kafka import make_consumer

log = logging.getLogger(__name__)

END_OF_TIME = 2**63 - 1


class KafkaRecord(NamedTuple):
    """One consumed record, with where it came from (kept for dead letters)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int


@dataclass(frozen=True)
class KafkaReadConfig:
    bootstrap: str
    topic: str
    group_id: str = "frontwatch-job"
    replay_horizon_s: float = 72 * 3600  # 0: resume exactly at the committed offsets
    poll_timeout_ms: int = 200
    poll_interval_s: float = 0.3
    max_records: int = 500
    discovery_interval_s: float = 30.0
    idle_watermark_lag_s: float = 1.0


class UnsplittableOffsetTracker(OffsetRestrictionTracker):
    """An offset tracker that only allows checkpoints (splits at fraction 0).

    A Kafka partition is consumed in order by one reader; a runner splitting [n, inf) at
    its midpoint would hand half of the offset space to a second reader for nothing.
    """

    def try_split(self, fraction_of_remainder):
        if fraction_of_remainder != 0:
            return None
        return super().try_split(0)

    def is_bounded(self):
        return False


def start_offset(config: KafkaReadConfig, topic: str, partition: int) -> int:
    """Where a partition's read begins: see the module docstring."""
    from kafka import TopicPartition

    consumer = make_consumer(config.bootstrap, group_id=config.group_id, client_id="frontwatch-job-init")
    try:
        tp = TopicPartition(topic, partition)
        beginning = consumer.beginning_offsets([tp])[tp]
        end = consumer.end_offsets([tp])[tp]
        committed = consumer.committed(tp)
        candidates = [committed if committed is not None else beginning]
        if config.replay_horizon_s > 0:
            since_ms = int((time.time() - config.replay_horizon_s) * 1000)
            found = consumer.offsets_for_times({tp: since_ms}).get(tp)
            candidates.append(found.offset if found is not None else end)
        start = max(beginning, min(candidates))
        log.info("reading %s[%d] from offset %d (committed %s, end %d)", topic, partition, start, committed, end)
        return start
    finally:
        consumer.close()


class ReadPartition(beam.DoFn, RestrictionProvider):
    """Reads one Kafka partition per element, as an unbounded splittable DoFn.

    It is its own restriction provider: restrictions are offset ranges
    [start, END_OF_TIME) of the element's partition.
    """

    def __init__(self, config: KafkaReadConfig):
        self.config = config
        self.records = Metrics.counter("kafka_source", "records")
        self.polls = Metrics.counter("kafka_source", "polls")

    def initial_restriction(self, element: tuple[str, int]) -> OffsetRange:
        return OffsetRange(start_offset(self.config, element[0], element[1]), END_OF_TIME)

    def create_tracker(self, restriction: OffsetRange) -> UnsplittableOffsetTracker:
        return UnsplittableOffsetTracker(restriction)

    def split(self, element, restriction):
        yield restriction

    def restriction_size(self, element, restriction) -> float:
        return 1.0

    def truncate(self, element, restriction):
        return None  # on drain, an unbounded partition read simply stops

    def setup(self):
        self._consumer = make_consumer(self.config.bootstrap, group_id=self.config.group_id,
                                       client_id="frontwatch-job", max_poll_records=self.config.max_records)
        self._lock = threading.Lock()

    def teardown(self):
        consumer = getattr(self, "_consumer", None)
        if consumer is not None:
            with self._lock:  # not while a poll or a commit is using it
                consumer.close()

    @beam.DoFn.unbounded_per_element()
    def process(self, element: tuple[str, int],
                finalizer=beam.DoFn.BundleFinalizerParam,  # must precede the SDF params
                tracker=beam.DoFn.RestrictionParam(),
                watermark=beam.DoFn.WatermarkEstimatorParam(ManualWatermarkEstimator.default_provider())):
        from kafka import OffsetAndMetadata, TopicPartition

        topic, partition = element
        tp = TopicPartition(topic, partition)
        start = tracker.current_restriction().start
        with self._lock:  # one consumer per DoFn instance; partitions take turns on it
            self._consumer.assign([tp])
            self._consumer.seek(tp, start)
            batch = self._consumer.poll(timeout_ms=self.config.poll_timeout_ms,
                                        max_records=self.config.max_records).get(tp, [])
            caught_up = not batch and self._consumer.end_offsets([tp])[tp] <= start
        self.polls.inc()
        last_claimed = None
        for record in batch:
            if not tracker.try_claim(record.offset):
                break  # the runner took the rest (a checkpoint); still commit what was claimed
            last_claimed = record.offset
            ts = Timestamp(micros=max(0, record.timestamp) * 1000)
            current = watermark.current_watermark()
            if current is None or ts > current:
                watermark.set_watermark(ts)
            self.records.inc()
            yield beam.window.TimestampedValue(
                KafkaRecord(topic, partition, record.offset, record.key, record.value, record.timestamp), ts)
        if caught_up:
            idle = Timestamp.now() - Duration(seconds=self.config.idle_watermark_lag_s)
            current = watermark.current_watermark()
            if current is None or idle > current:
                watermark.set_watermark(idle)
        # Always register, even with nothing to commit: Prism asks every bundle of this
        # stage to finalize, and the SDK rejects that for bundles that registered nothing.
        commit = {tp: OffsetAndMetadata(last_claimed + 1, "", -1)} if last_claimed is not None else None
        finalizer.register(lambda: self._commit(commit))
        claimed_to = last_claimed + 1 if last_claimed is not None else start
        if tracker.current_restriction().stop <= claimed_to:
            return  # the runner checkpointed the rest itself: nothing left to defer
        # A full batch means a backlog (a replay): come back at once; otherwise wait a little.
        full = len(batch) >= self.config.max_records
        tracker.defer_remainder(Duration(seconds=0 if full else self.config.poll_interval_s))

    def _commit(self, offsets) -> None:
        if not offsets:
            return
        try:
            with self._lock:
                self._consumer.commit(offsets)
        except Exception as exc:  # noqa: BLE001 - a failed commit only means a longer replay
            log.warning("offset commit failed (the next start replays a little more): %s", exc)


class DiscoverPartitions(beam.DoFn):
    """Lists the partitions of the topic each time it is triggered."""

    def __init__(self, config: KafkaReadConfig):
        self.config = config

    def process(self, _):
        consumer = make_consumer(self.config.bootstrap, group_id=None, client_id="frontwatch-discovery")
        try:
            partitions = consumer.partitions_for_topic(self.config.topic) or set()
        finally:
            consumer.close()
        for partition in sorted(partitions):
            yield (f"{self.config.topic}/{partition}", (self.config.topic, partition))


class FirstSighting(beam.DoFn):
    """Passes each key's value through the first time only (new partitions start a read)."""

    SEEN = ReadModifyWriteStateSpec("seen", beam.coders.BooleanCoder())

    def process(self, keyed, seen=beam.DoFn.StateParam(SEEN)):
        if not seen.read():
            seen.write(True)
            log.info("new partition %s", keyed[0])
            yield keyed[1]


class ReadKafkaRecords(beam.PTransform):
    """Unbounded read of one topic: partition discovery, then one reader per partition."""

    def __init__(self, config: KafkaReadConfig):
        super().__init__()
        self.config = config

    def expand(self, pbegin):
        return (pbegin
                | "EveryDiscoveryInterval" >> PeriodicImpulse(
                    fire_interval=self.config.discovery_interval_s, apply_windowing=False)
                | "DiscoverPartitions" >> beam.ParDo(DiscoverPartitions(self.config))
                | "NewPartitionsOnly" >> beam.ParDo(FirstSighting())
                | "ReadPartitions" >> beam.ParDo(ReadPartition(self.config)).with_input_types(tuple[str, int]))
