"""The whole job (decode -> extract once per story -> situations -> alerts) in streaming
mode on Beam's Prism runner, fed by TestStream, with the real extractor and gazetteer.

The texts are our own; the clock is injected so the alerting windows are deterministic.
"""
from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_stream import TestStream

from connectors.wire import Alert, Article, DeadLetter, Source, stable_id
from pipelines.config import load_config
from pipelines.job import DetectEscalation, records_of
from pipelines.runner import prism_options

STREAMING_RUNNER = "PrismRunner"  # what prism_options() selects, in --streaming mode
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


class FixedClock:
    """The job's clock in these tests: 'now' is a fixed instant after the last article."""

    def __init__(self, now: datetime):
        self.at = now

    def now(self) -> datetime:
        return self.at


def article(text: str, publisher: str, published: datetime, article_id: str | None = None) -> Article:
    return Article(id=article_id or stable_id(publisher, text), url=f"https://{publisher}/story", title="",
                   text=text, published=published, fetched=published,
                   source=Source(feed_id=f"{publisher}-rss", publisher=publisher))


def run_stream(articles: list[Article | bytes], now: datetime, dead_letters: list | None = None) -> list[Alert]:
    """Feed the articles one by one (watermark advancing between them) and collect alerts
    (and, if asked, the dead letters)."""
    stream = TestStream()
    for i, item in enumerate(articles):
        raw = item if isinstance(item, bytes) else item.to_json_bytes()
        stream = stream.add_elements(records_of([raw])).advance_watermark_to(1000 + 10 * i)
    stream = stream.advance_watermark_to_infinity()
    options = PipelineOptions(prism_options(streaming=True))
    assert options.get_all_options()["runner"] == STREAMING_RUNNER
    with tempfile.TemporaryDirectory() as tmp:
        sink, dead = Path(tmp) / "alerts.jsonl", Path(tmp) / "dead.jsonl"
        with beam.Pipeline(options=options) as pipeline:
            out = pipeline | stream | DetectEscalation(load_config(environ={}), FixedClock(now))
            out.alerts | "Alerts" >> beam.Map(_append_line, str(sink))
            out.dead_letters | "DeadLetters" >> beam.Map(_append_line, str(dead))
        if dead_letters is not None and dead.exists():
            dead_letters.extend(DeadLetter.from_json_bytes(line) for line in dead.read_bytes().splitlines() if line)
        return [Alert.from_json_bytes(line) for line in sink.read_bytes().splitlines() if line] if sink.exists() else []


def _append_line(record, path: str) -> None:
    """Hands each output back to the test through a file (the runner's workers may be
    separate from the test's objects)."""
    with open(path, "ab") as out:
        out.write(record.to_json_bytes() + b"\n")


def kinds(alerts):
    return sorted((a.kind, a.current.get("band_km") if a.kind != "territory_change" else a.subject)
                  for a in alerts)


def test_band_crossings_as_forces_close_in():
    alerts = run_stream([
        article("Rebel fighters are now within 40 kilometres of Bamako, a spokesman for the group said.",
                "one.example", T0),
        article("Rebel fighters have advanced to just 15 km from Bamako, a United Nations official said.",
                "two.example", T0 + timedelta(hours=1)),
    ], now=T0 + timedelta(hours=2))
    crossings = sorted((a for a in alerts if a.kind == "band_crossing"), key=lambda a: a.current["band_km"],
                       reverse=True)
    assert [a.current["band_km"] for a in crossings] == [50, 25]
    assert crossings[1].previous["band_km"] == 50 and crossings[1].current["km"] == 15
    assert crossings[1].situation == "ML:Bamako"
    assert crossings[1].evidence[0].publisher in ("one.example", "two.example")


def test_a_denial_after_the_claim_disputes_it_without_erasing_it():
    alerts = run_stream([
        article("Rebel fighters are now within 40 kilometres of Bamako, a spokesman for the group said.",
                "one.example", T0),
        article("The Malian army flatly denied that rebel fighters were within 40 kilometres of the capital, "
                "Bamako, calling the report false.", "two.example", T0 + timedelta(hours=1)),
    ], now=T0 + timedelta(hours=2))
    bands = [a for a in alerts if a.kind == "band_crossing"]
    assert {a.status for a in bands} == {"claimed", "disputed"}
    claimed = next(a for a in bands if a.status == "claimed")
    disputed = next(a for a in bands if a.status == "disputed")
    assert disputed.current["band_km"] == 50  # the claim still stands
    assert disputed.confidence < claimed.confidence
    assert any(e.stance == "denied" and e.claimed_by == "The Malian army" for e in disputed.evidence)


def test_independent_publishers_corroborate_and_raise_confidence():
    alerts = run_stream([
        article("Rebel fighters are now within 40 kilometres of Bamako, a spokesman for the group said.",
                "one.example", T0),
        article("A rebel commander told our reporter his men were 38 km from Bamako on Tuesday night.",
                "two.example", T0 + timedelta(hours=1)),
    ], now=T0 + timedelta(hours=2))
    bands = sorted((a for a in alerts if a.kind == "band_crossing"), key=lambda a: a.confidence)
    assert [a.status for a in bands] == ["claimed", "corroborated"]
    assert bands[1].confidence > bands[0].confidence
    assert {e.publisher for e in bands[1].evidence} == {"one.example", "two.example"}


def test_de_escalation_needs_a_later_report_beyond_the_margin():
    alerts = run_stream([
        article("Rebel fighters have advanced to just 15 km from Bamako, a United Nations official said.",
                "one.example", T0),
        article("Rebel units were about 17 kilometres from Bamako on Wednesday, a resident said.",
                "two.example", T0 + timedelta(hours=12)),   # inside the hysteresis margin: nothing
        article("Malian troops pushed the rebels back to 60 kilometres from Bamako after two days of fighting, "
                "the army said.", "three.example", T0 + timedelta(hours=24)),
    ], now=T0 + timedelta(hours=25))
    assert kinds(alerts) == [("band_crossing", 25), ("de_escalation", 100)]
    down = next(a for a in alerts if a.kind == "de_escalation")
    assert down.previous["band_km"] == 25 and down.current["km"] == 60


def test_out_of_order_and_late_articles():
    alerts = run_stream([
        article("Rebel fighters have advanced to just 15 km from Bamako, a United Nations official said.",
                "one.example", T0),
        article("Malian troops pushed the rebels back to 60 kilometres from Bamako after two days of fighting, "
                "the army said.", "two.example", T0 + timedelta(hours=24)),
        # arrives last, published between the two: older than the pushback, must not re-escalate
        article("Witnesses said insurgent columns were seen about 12 km from Bamako.", "three.example",
                T0 + timedelta(hours=3)),
        # ten days old: recorded, never alerts
        article("Rebel fighters were within 5 kilometres of Bamako, a spokesman said.", "four.example",
                T0 - timedelta(days=10)),
    ], now=T0 + timedelta(hours=25))
    assert kinds(alerts) == [("band_crossing", 25), ("de_escalation", 100)]


def test_duplicates_count_once_and_broken_records_do_not_stop_the_stream():
    text = "Rebel fighters are now within 40 kilometres of Bamako, a spokesman for the group said."
    same = article(text, "one.example", T0)
    dead: list[DeadLetter] = []
    alerts = run_stream([
        same,
        same,                                        # the same story again from the same feed
        b"{not an article",                          # dead-lettered, the stream goes on
        article(text, "copy.example", T0 + timedelta(minutes=5)),  # a wire copy elsewhere
        article("Rebel fighters have advanced to just 15 km from Bamako, a United Nations official said.",
                "two.example", T0 + timedelta(hours=1)),
    ], now=T0 + timedelta(hours=2), dead_letters=dead)
    assert kinds(alerts) == [("band_crossing", 25), ("band_crossing", 50)]
    assert [(d.stage, d.payload) for d in dead] == [("decode", "{not an article")]
    first = next(a for a in alerts if a.current["band_km"] == 50)
    assert first.status == "claimed"  # a copy of the same text is not independent corroboration


def test_a_replay_of_the_same_stream_yields_the_same_alert_ids():
    stream = [
        article("Rebel fighters are now within 40 kilometres of Bamako, a spokesman for the group said.",
                "one.example", T0),
        article("The Malian army flatly denied that rebel fighters were within 40 kilometres of the capital, "
                "Bamako, calling the report false.", "two.example", T0 + timedelta(hours=1)),
        article("Rebel fighters have advanced to just 15 km from Bamako, a United Nations official said.",
                "three.example", T0 + timedelta(hours=2)),
    ]
    first = run_stream(stream, now=T0 + timedelta(hours=3))
    replay = run_stream(stream, now=T0 + timedelta(hours=30))  # later, as after a restart
    assert len(first) >= 3
    assert sorted(a.id for a in first) == sorted(a.id for a in replay)
