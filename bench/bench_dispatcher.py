"""Benchmark of the webhook dispatcher on a real local broker and a local receiver.

    python bench/bench_dispatcher.py [--runs 3] [--alerts 2000] [--samples 200] [--bootstrap HOST:PORT]

Prints JSON lines ``{"name", "value", "unit", "runs", "median_of"}``:
- ``dispatcher_throughput``: deliveries/s from a burst of alerts on ``alerts`` to one fast
  local receiver (``connectors.webhooks.receiver`` in its own process, verifying every
  signature, so it does not share the dispatcher's interpreter);
- ``dispatcher_added_latency_p50`` / ``_p95``: ms from publishing one alert on ``alerts``
  to the receiver having it, alerts sent one at a time (goal: p95 <= 200 ms).
Each value is the median over ``--runs`` runs, each on a fresh topic, database and dispatcher.
"""
from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.kafka import ensure_topics, make_producer  # noqa: E402
from connectors.localkafka import LocalKafka, free_port  # noqa: E402
from connectors.webhooks.config import DispatcherConfig  # noqa: E402
from connectors.webhooks.dispatcher import Dispatcher  # noqa: E402
from connectors.webhooks.signing import generate_secret  # noqa: E402
from connectors.webhooks.ssrf import AddressPolicy  # noqa: E402
from connectors.webhooks.store import open_store  # noqa: E402
from connectors.webhooks.subscriptions import SubscriptionRequest, Subscriptions  # noqa: E402
from connectors.wire import Alert, Evidence  # noqa: E402

NOW = datetime.now(timezone.utc)


def alert(run: str, n: int) -> bytes:
    return Alert(id=f"{run}-{n}", kind="band_crossing", severity="high", confidence=0.8,
                 situation="SY:Damascus", country="SY", previous="50 km", current="25 km",
                 evidence=[Evidence(quote="the rebels are now within 20 kilometres of Damascus")],
                 first_seen=NOW, emitted_at=NOW).to_json_bytes()


class ReceiverProcess:
    """``python -m connectors.webhooks.receiver --json`` in a child process; collects arrivals."""

    def __init__(self, secret: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.arrivals: list[tuple[str, float]] = []  # (webhook-id, received at)
        self._cond = threading.Condition()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "connectors.webhooks.receiver", "--json", "--port", str(self.port),
             "--secret", secret], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=Path(__file__).resolve().parents[1], text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self._proc.stdout:
            record = json.loads(line)
            with self._cond:
                self.arrivals.append((record["webhook_id"], record["received_at"]))
                self._cond.notify_all()

    def wait_count(self, n: int, timeout: float) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.arrivals) >= n, timeout):
                raise TimeoutError(f"receiver got {len(self.arrivals)} of {n}")

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.wait(10)


@contextmanager
def dispatcher_with_receiver(bootstrap: str, workdir: Path):
    """A fresh topic, database, subscription, receiver process and running dispatcher."""
    run = uuid.uuid4().hex[:8]
    secret = generate_secret()
    topic = f"bench-alerts-{run}"
    ensure_topics(bootstrap, [topic])
    rx = ReceiverProcess(secret)
    db = workdir / f"{run}.sqlite"
    store = open_store(db)
    Subscriptions(store, AddressPolicy(allow_loopback=True)).create(SubscriptionRequest(url=rx.url, secret=secret))
    store.close()
    config = DispatcherConfig(bootstrap=bootstrap, db=str(db), topic=topic, group_id=f"bench-{run}",
                              dead_letter_topic=f"bench-dlq-{run}", allow_loopback=True,
                              summary_interval=3600)
    dispatcher = Dispatcher(config)
    stop = threading.Event()
    thread = threading.Thread(target=dispatcher.run, args=(stop,), daemon=True)
    thread.start()
    dispatcher.ready.wait(60)
    producer = make_producer(bootstrap, client_id="bench")
    try:
        producer.send(topic, value=alert(run, -1)).get(30)  # warm-up: group joined, connections open
        rx.wait_count(1, timeout=60)
        yield run, topic, producer, rx
    finally:
        producer.close()
        stop.set()
        thread.join(30)
        rx.stop()


def throughput(bootstrap: str, workdir: Path, alerts: int) -> float:
    with dispatcher_with_receiver(bootstrap, workdir) as (run, topic, producer, rx):
        bodies = [alert(run, n) for n in range(alerts)]
        started = time.perf_counter()
        for body in bodies:
            producer.send(topic, key=b"SY:Damascus", value=body)
        producer.flush()
        rx.wait_count(alerts + 1, timeout=600)
        return alerts / (time.perf_counter() - started)


def latencies(bootstrap: str, workdir: Path, samples: int) -> list[float]:
    with dispatcher_with_receiver(bootstrap, workdir) as (run, topic, producer, rx):
        published: dict[str, float] = {}
        for n in range(samples):
            published[f"{run}-{n}"] = time.time()
            producer.send(topic, key=b"SY:Damascus", value=alert(run, n))
            producer.flush()
            rx.wait_count(n + 2, timeout=30)
            time.sleep(0.02)
        return [(at - published[webhook_id]) * 1000 for webhook_id, at in rx.arrivals if webhook_id in published]


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def emit(name: str, values: list[float], unit: str) -> None:
    print(json.dumps({"name": name, "value": round(statistics.median(values), 2), "unit": unit,
                      "runs": len(values), "median_of": len(values)}), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--alerts", type=int, default=2000, help="alerts per throughput run")
    parser.add_argument("--samples", type=int, default=200, help="alerts per latency run")
    parser.add_argument("--bootstrap", help="use this broker instead of starting a local one")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.CRITICAL)  # the broker health check logs refusals

    with tempfile.TemporaryDirectory(prefix="bench-dispatcher-") as tmp:
        workdir = Path(tmp)
        broker = None if args.bootstrap else LocalKafka(data_dir=workdir / "kafka").start()
        bootstrap = args.bootstrap or broker.bootstrap
        try:
            rates = [throughput(bootstrap, workdir, args.alerts) for _ in range(args.runs)]
            emit("dispatcher_throughput", rates, "deliveries/s")
            runs = [latencies(bootstrap, workdir, args.samples) for _ in range(args.runs)]
            emit("dispatcher_added_latency_p50", [percentile(r, 50) for r in runs], "ms")
            emit("dispatcher_added_latency_p95", [percentile(r, 95) for r in runs], "ms")
        finally:
            if broker is not None:
                broker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
