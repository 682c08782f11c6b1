"""Stream job benchmarks on the local stack (real Kafka broker, Prism, dispatcher).

Prints one JSON line per figure:
  job_publish_to_alert_ms_p50/p95      Kafka publish of an article -> its alert on topic "alerts"
  job_publish_to_webhook_ms_p50/p95    Kafka publish -> the signed webhook at a local receiver
  job_throughput_articles_per_s        articles/s through decode, dedup, extraction, state
  job_idle_cpu_percent                 CPU of the running job (SDK + Prism) with no traffic

Latency is measured one article at a time (each article captures a different city, so
each produces exactly one new territory alert); figures are medians over ``--runs``.
Usage: python bench/bench_job.py [--runs 3] [--samples 15] [--articles 1000]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.kafka import Topics, make_consumer, make_producer  # noqa: E402
from connectors.localkafka import LocalKafka  # noqa: E402
from connectors.wire import Article, Source, stable_id  # noqa: E402
from pipelines.stack import LocalStack  # noqa: E402

CITIES = ["Kharkiv", "Odesa", "Lviv", "Dnipro", "Mosul", "Basra", "Erbil", "Kirkuk", "Homs", "Hama", "Latakia",
          "Benghazi", "Misrata", "Port Sudan", "Kassala", "Kandahar", "Herat", "Jalalabad", "Goma", "Bukavu",
          "Kisangani", "Lubumbashi", "Mandalay", "Lashio", "Taunggyi", "Aden", "Taiz", "Hodeidah", "Mekelle",
          "Gondar", "Bahir Dar", "Dessie", "Gao", "Mopti", "Maiduguri", "Kano", "Kismayo", "Malakal", "Wau",
          "Zaporizhzhia", "Kherson", "Mykolaiv", "Sumy", "Poltava", "Deir ez-Zor", "Raqqa", "Idlib", "Sirte"]


def article(text: str, n: int, publisher: str = "bench.example") -> Article:
    now = datetime.now(timezone.utc)
    return Article(id=stable_id("bench", text, str(n)), url=f"https://{publisher}/{n}", title="", text=text,
                   published=now, fetched=now, source=Source(feed_id="bench", publisher=publisher))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def emit(name: str, value: float, unit: str, runs: int, median_of: int) -> None:
    print(json.dumps({"name": name, "value": round(value, 2), "unit": unit, "runs": runs,
                      "median_of": median_of}), flush=True)


def consumer_at_end(bootstrap: str, topic: str, fetch_max_wait_ms: int):
    """A consumer positioned at the topic's current end, resolved before returning:
    kafka-python's seek_to_end is lazy, and a record written before the next poll would
    otherwise be skipped as "before the end"."""
    consumer = make_consumer(bootstrap, group_id=None, fetch_max_wait_ms=fetch_max_wait_ms,
                             auto_offset_reset="latest")
    consumer.subscribe([topic])
    while not consumer.assignment():
        consumer.poll(timeout_ms=100)
    consumer.seek_to_end()
    for tp in consumer.assignment():
        consumer.position(tp)
    return consumer


class AlertWatcher:
    """Reads the alerts topic from its end, returning when an alert about ``subject`` arrives."""

    def __init__(self, bootstrap: str, topic: str):
        self.consumer = consumer_at_end(bootstrap, topic, fetch_max_wait_ms=10)

    def wait_for(self, subject: str, timeout: float = 60) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for records in self.consumer.poll(timeout_ms=50).values():
                for record in records:
                    if subject in json.loads(record.value).get("subject", ""):
                        return time.monotonic()
        raise TimeoutError(f"no alert about {subject} within {timeout}s")


def latency_run(stack: LocalStack, bootstrap: str, samples: int, offset: int) -> tuple[list[float], list[float]]:
    topic_ms, webhook_ms = [], []
    watcher = AlertWatcher(bootstrap, stack.topics.alerts)
    producer = make_producer(bootstrap, linger_ms=0)
    for i in range(samples):
        city = CITIES[(offset + i) % len(CITIES)]
        art = article(f"Rebel fighters captured the city of {city} on Monday, a local official said.", offset + i,
                      publisher=f"p{offset + i}.example")
        before = len(stack.receiver.alerts)
        sent = time.monotonic()
        producer.send(stack.topics.articles, key=art.id.encode(), value=art.to_json_bytes()).get(timeout=30)
        on_topic = watcher.wait_for(city)
        topic_ms.append((on_topic - sent) * 1000)
        stack.receiver.wait_for(lambda alerts, b=before: len(alerts) > b and any(
            city in (a.get("subject") or "") for a in alerts[b:]), timeout=60)
        webhook_ms.append((time.monotonic() - sent) * 1000)
    producer.close()
    watcher.consumer.close()
    return topic_ms, webhook_ms


def throughput_run(stack: LocalStack, bootstrap: str, n: int, run: int) -> float:
    """Publish n distinct articles (each with one casualty report), time until all their
    signals are on the signals topic."""
    consumer = consumer_at_end(bootstrap, stack.topics.signals, fetch_max_wait_ms=50)
    producer = make_producer(bootstrap)
    filler = " ".join(["Aid agencies said food prices had risen sharply in the region this month."] * 6)
    marker = f"run{run}-"
    start = time.monotonic()
    for i in range(n):
        text = (f"At least {i % 50 + 2} civilians were killed in shelling near the town of Izium on Sunday, "
                f"officials said. {filler} Reference {marker}{i}.")
        art = article(text, i, publisher=f"{marker}{i % 7}.example")
        producer.send(stack.topics.articles, key=art.id.encode(), value=art.to_json_bytes())
    producer.flush()
    seen: set[str] = set()
    deadline = time.monotonic() + 600
    while len(seen) < n and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=200).values():
            for record in records:
                signal = json.loads(record.value)
                if signal["article"]["url"].startswith(f"https://{marker}"):
                    seen.add(signal["article"]["id"])
    elapsed = time.monotonic() - start
    producer.close()
    consumer.close()
    if len(seen) < n:
        raise TimeoutError(f"only {len(seen)}/{n} articles came through")
    return n / elapsed


def process_cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError):
            pass
    return total


def job_pids(stack: LocalStack) -> list[int]:
    root = stack.services["job"].proc.pid
    pids, frontier = [root], [root]
    while frontier:  # the job and its children (Prism)
        pid = frontier.pop()
        for child in Path(f"/proc/{pid}/task").glob("*/children"):
            kids = [int(k) for k in child.read_text().split()]
            pids += kids
            frontier += kids
    return pids


def idle_cpu(stack: LocalStack, seconds: float) -> float:
    pids = job_pids(stack)
    before, t0 = process_cpu_seconds(pids), time.monotonic()
    time.sleep(seconds)
    return 100 * (process_cpu_seconds(pids) - before) / (time.monotonic() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--idle-seconds", type=float, default=30)
    args = parser.parse_args()
    if args.runs * args.samples > len(CITIES):
        parser.error(f"--runs x --samples must stay within the {len(CITIES)} distinct cities")
    with tempfile.TemporaryDirectory() as tmp, LocalKafka(data_dir=Path(tmp) / "kafka") as broker:
        topics = Topics(articles="bench-articles", signals="bench-signals", alerts="bench-alerts",
                        dead_letter="bench-dead")
        with LocalStack(workdir=Path(tmp) / "stack", bootstrap=broker.bootstrap, topics=topics,
                        with_connector=False, print_alerts=False) as stack:
            warm = article("Rebel fighters captured the city of Chernihiv on Monday, a local official said.", -1)
            producer = make_producer(broker.bootstrap)
            producer.send(topics.articles, value=warm.to_json_bytes()).get(timeout=30)
            producer.close()
            stack.receiver.wait_for(lambda alerts: alerts, timeout=300)  # the job is up and warm
            p50s, p95s, w50s, w95s = [], [], [], []
            for run in range(args.runs):
                topic_ms, webhook_ms = latency_run(stack, broker.bootstrap, args.samples, run * args.samples)
                p50s.append(percentile(topic_ms, 0.5))
                p95s.append(percentile(topic_ms, 0.95))
                w50s.append(percentile(webhook_ms, 0.5))
                w95s.append(percentile(webhook_ms, 0.95))
            emit("job_publish_to_alert_ms_p50", statistics.median(p50s), "ms", args.runs, args.samples)
            emit("job_publish_to_alert_ms_p95", statistics.median(p95s), "ms", args.runs, args.samples)
            emit("job_publish_to_webhook_ms_p50", statistics.median(w50s), "ms", args.runs, args.samples)
            emit("job_publish_to_webhook_ms_p95", statistics.median(w95s), "ms", args.runs, args.samples)
            emit("job_idle_cpu_percent", idle_cpu(stack, args.idle_seconds), "% of one core", 1, 1)
            rates = [throughput_run(stack, broker.bootstrap, args.articles, run) for run in range(args.runs)]
            emit("job_throughput_articles_per_s", statistics.median(rates), "articles/s", args.runs, args.articles)


if __name__ == "__main__":
    main()
