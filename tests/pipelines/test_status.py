"""``frontwatch status``: the alerts topic folded into per-capital summaries."""
from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner

from connectors.kafka import make_producer
from pipelines.cli import main
from pipelines.situation import AlertPolicy, Situation
from pipelines.status import summarise
from tests.pipelines.factories import T0, signal, town


def alerts_of_a_story():
    situation = Situation(key="XX:Carthago", country="XX", capital="Carthago",
                          policy=AlertPolicy(loss_population_levels=(10**9,)))
    out = situation.observe(signal(km=40), T0)
    out += situation.observe(signal(km=9, publisher="b.org", published=T0 + timedelta(hours=1)),
                             T0 + timedelta(hours=1))
    out += situation.observe(signal("territory", event="captured", place=town("Bigtown", 5, population=300_000),
                                    new_controller="rebels", capital_km=120), T0 + timedelta(hours=2))
    return out


def test_summary_keeps_the_latest_band_and_counts_replayed_ids_once():
    alerts = alerts_of_a_story()
    [summary] = summarise(alerts + alerts)  # a replayed job re-emits the same ids
    assert summary.situation == "XX:Carthago"
    assert summary.band_km == 10 and summary.closest_km == 9
    assert summary.territory == ["Bigtown: captured -> hostile (claimed)"]
    assert len(summary.last_alerts) == len(alerts) == 3


def test_status_command_reads_the_topic(kafka, topic_name):
    topic = topic_name("alerts")
    producer = make_producer(kafka.bootstrap)
    for alert in alerts_of_a_story():
        producer.send(topic, key=alert.situation.encode(), value=alert.to_json_bytes())
    producer.send(topic, value=b"not an alert")
    producer.flush()
    producer.close()
    result = CliRunner().invoke(main, ["status", "--bootstrap", kafka.bootstrap, "--topic", topic])
    assert result.exit_code == 0, result.output
    assert "XX:Carthago: within 10 km (closest 9 km)" in result.output
    assert "territory  Bigtown: captured -> hostile" in result.output
    assert "(1 unreadable records skipped)" in result.output
