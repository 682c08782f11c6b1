"""Feed connector throughput into Kafka from pre-fetched feeds: parse + map + dedup + publish.

    python bench/bench_connector.py [--feeds 400] [--runs 5] [--parse-processes 2] [--bootstrap HOST:PORT]

Starts a real local broker (unless --bootstrap is given), generates the real-world-style
corpus of ``tests/feed_corpus.py`` (good feeds only), and per run feeds every body
through ``FeedIngester.ingest_prefetched`` with a fresh state store and topic, timing
until the last article is acknowledged by the broker. Prints one JSON line:
``{"name": "connector_ingest_articles_per_s", "value": <median>, "unit": "articles/s", ...}``.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from connectors.feeds.config import config_from_dict  # noqa: E402
from connectors.feeds.fetch import FetchResult  # noqa: E402
from connectors.feeds.ingester import FeedIngester  # noqa: E402
from connectors.kafka import ensure_topics  # noqa: E402
from connectors.localkafka import LocalKafka  # noqa: E402
from tests.feed_corpus import generate_corpus  # noqa: E402


def prefetched(feeds, config):
    by_id = {f.id: f for f in config.feeds}
    return [(by_id[f"bench-{i}"], FetchResult(status=200, url=f"http://bench.local{feed.path}", body=feed.body,
                                              content_type=feed.content_type))
            for i, feed in enumerate(feeds)]


def make_config(feeds, workers: int, parse_processes: int):
    return config_from_dict({"workers": workers, "parse_processes": parse_processes, "publish_timeout": 120,
                             "feeds": [{"id": f"bench-{i}", "url": f"http://bench.local{f.path}"}
                                       for i, f in enumerate(feeds)]}, environ={})


def process_cpu_seconds(pid: int | None) -> float:
    """CPU (user+system) a process has used so far, from /proc; 0 when unknown."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(bootstrap: str, feeds, warmup, args, state_dir: Path, broker_pid: int | None) -> dict:
    config = make_config(feeds + warmup, args.workers, args.parse_processes)
    topic = f"bench-articles-{uuid.uuid4().hex[:8]}"
    ensure_topics(bootstrap, [topic])
    ingester = FeedIngester(config, bootstrap, state_dir / f"{topic}.sqlite", topic=topic)
    try:
        items = prefetched(feeds + warmup, config)
        now = datetime.now(timezone.utc)
        ingester.ingest_prefetched(items[len(feeds):], now)  # spawn parse workers, connect, fetch metadata
        parse_before = ingester.metrics.registry.get_sample_value("frontwatch_feed_parse_cpu_seconds_sum")
        cpu_before, broker_before = time.process_time(), process_cpu_seconds(broker_pid)
        started = time.perf_counter()
        summary = ingester.ingest_prefetched(items[:len(feeds)], now)
        elapsed = time.perf_counter() - started
        main_cpu = time.process_time() - cpu_before
        broker_cpu = process_cpu_seconds(broker_pid) - broker_before
        parse_cpu = ingester.metrics.registry.get_sample_value("frontwatch_feed_parse_cpu_seconds_sum") - parse_before
        if summary.publish.pending:
            raise RuntimeError(f"{summary.publish.pending} articles not acknowledged")
        # parse CPU is inside the main process's own CPU time unless parse processes did it
        own_cpu = main_cpu + (parse_cpu if args.parse_processes else 0.0)
        return {"articles": summary.publish.acknowledged, "elapsed": elapsed, "cpu": own_cpu + broker_cpu,
                "parse_cpu": parse_cpu, "main_cpu": main_cpu, "broker_cpu": broker_cpu}
    finally:
        ingester.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=400, help="feeds per run (about 22 articles each)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=8,
                        help="fetch threads (the connector's default); here they feed the parse processes, and "
                             "more threads than processes keep them parsing while others wait on the store")
    parser.add_argument("--parse-processes", type=int, default=2)
    parser.add_argument("--bootstrap", help="use this broker instead of starting a local one")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("connectors.feeds").setLevel(logging.ERROR)  # one log line per feed would be measured too

    corpus = [f for f in generate_corpus(args.feeds * 2, seed=7) if not f.broken]
    feeds, warmup = corpus[:args.feeds], corpus[args.feeds:args.feeds + 10]
    with tempfile.TemporaryDirectory(prefix="bench-connector-") as tmp:
        broker = None
        bootstrap = args.bootstrap
        if not bootstrap:
            broker = LocalKafka(data_dir=Path(tmp) / "kafka").start()
            bootstrap = broker.bootstrap
        try:
            rates, cpu_per_article = [], []
            broker_pid = broker._proc.pid if broker is not None else None
            for run in range(args.runs):
                r = one_run(bootstrap, feeds, warmup, args, Path(tmp), broker_pid)
                articles = r["articles"]
                rates.append(articles / r["elapsed"])
                cpu_per_article.append(r["cpu"] / articles)
                print(f"run {run + 1}: {articles} articles in {r['elapsed']:.2f}s = {rates[-1]:.0f}/s; CPU per "
                      f"article {cpu_per_article[-1] * 1e6:.0f} us (parse {r['parse_cpu'] / articles * 1e6:.0f}, "
                      f"main process {r['main_cpu'] / articles * 1e6:.0f}, broker {r['broker_cpu'] / articles * 1e6:.0f})",
                      file=sys.stderr)
        finally:
            if broker is not None:
                broker.stop()
    print(json.dumps({"name": "connector_ingest_articles_per_s", "value": round(statistics.median(rates), 1),
                      "unit": "articles/s", "runs": len(rates), "median_of": len(rates),
                      "articles_per_run": articles, "parse_processes": args.parse_processes}))
    # On a shared machine the wall-clock rate depends on other load; CPU per article does not.
    cpu_us = statistics.median(cpu_per_article) * 1e6
    print(json.dumps({"name": "connector_ingest_cpu_us_per_article", "value": round(cpu_us, 1), "unit": "us",
                      "runs": len(rates), "median_of": len(rates)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
