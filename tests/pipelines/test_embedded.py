"""The embedded quick look: the job's logic in one process, with the real extractor."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from connectors.wire import Article, Source, stable_id
from pipelines.cli import main
from pipelines.embedded import EmbeddedMonitor

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=timezone.utc)


class Clock:
    def now(self):
        return T0 + timedelta(hours=1)


def art(text: str, publisher: str, minutes: int = 0) -> Article:
    published = T0 + timedelta(minutes=minutes)
    return Article(id=stable_id(publisher, text), url=f"https://{publisher}/x", title="", text=text,
                   published=published, fetched=published, source=Source(feed_id="t", publisher=publisher))


def test_monitor_turns_articles_into_alerts_with_the_same_rules_as_the_job():
    monitor = EmbeddedMonitor(clock=Clock())
    first = monitor.process(art("Paramilitary fighters are within 30 kilometres of Khartoum, a commander said.",
                                "a.example"))
    assert [(a.kind, a.current["band_km"], a.status) for a in first] == [("band_crossing", 50, "claimed")]
    assert first[0].situation == "SD:Khartoum"
    again = monitor.process(art("Paramilitary fighters are within 30 kilometres of Khartoum, a commander said.",
                                "a.example", minutes=5))
    assert again == []  # the same story from the same publisher
    closer = monitor.process(art("Witnesses said fighters of the paramilitary group were seen 9 km from "
                                 "Khartoum on Monday.", "b.example", minutes=30))
    assert [(a.kind, a.current["band_km"]) for a in closer] == [("band_crossing", 10)]
    assert closer[0].previous["band_km"] == 50
    assert closer[0].evidence[0].quote.startswith("Witnesses said")


def test_demo_command_prints_seed_alerts_and_the_receiver_verifies_them():
    result = CliRunner().invoke(main, ["demo", "--embedded"])
    assert result.exit_code == 0, result.output
    assert "SY:Damascus: hostile forces within 10 km of the capital" in result.output
    assert "Daraa province lost by the government" in result.output
    line = next(ln for ln in result.output.splitlines() if ln.startswith("local receiver"))
    accepted = int(line.split(": ")[1].split()[0])
    assert accepted >= 2 and "0 rejected" in line
