"""Crashes and outages: the dispatcher SIGKILLed mid-delivery, stopped, and its broker restarted."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from webhook_helpers import BACKENDS, FAST_RETRIES, eventually, make_alert

from connectors.kafka import make_producer
from connectors.localkafka import LocalKafka, free_port
from connectors.webhooks.receiver import Receiver, Reply
from connectors.webhooks.signing import generate_secret
from connectors.webhooks.store import open_store, redact

REPO = Path(__file__).resolve().parents[3]


class DispatcherProcess:
    """``frontwatch dispatcher run`` as a real child process, ready once /healthz answers 200."""

    def __init__(self, config, log_path):
        self.metrics_port = free_port()
        self.args = [
            sys.executable, "-m", "pipelines.cli", "dispatcher", "run",
            "--bootstrap", config.bootstrap, "--topic", config.topic,
            "--dead-letter-topic", config.dead_letter_topic, "--group", config.group_id,
            "--db", config.db, "--allow-loopback", "--retry-schedule", ",".join(map(str, FAST_RETRIES.delays)),
            "--timeout", "10", "--metrics-port", str(self.metrics_port), "--summary-interval", "1"]
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> "DispatcherProcess":
        with open(self.log_path, "ab") as log:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(self.args, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        eventually(self._healthy, timeout=60)
        return self

    def _healthy(self) -> bool:
        assert self.proc.poll() is None, f"dispatcher exited:\n{self.log_path.read_text()[-3000:]}"
        try:
            return httpx.get(f"http://127.0.0.1:{self.metrics_port}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self) -> tuple[int, float]:
        """SIGTERM; return (exit code, seconds it took to exit)."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(30)
        return code, time.monotonic() - started


@pytest.fixture
def processes(tmp_path):
    started: list[DispatcherProcess] = []

    def make(config) -> DispatcherProcess:
        process = DispatcherProcess(config, tmp_path / "dispatcher.log")
        started.append(process)
        return process
    yield make
    for process in started:
        if process.proc is not None and process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()


@pytest.mark.parametrize("db", BACKENDS, indirect=True)
def test_sigkill_mid_delivery_then_restart_delivers_everything_once_per_subscriber(
        subscribe, dispatcher_config, publish, processes, db, tmp_path):
    secret = generate_secret()
    alerts = [make_alert(300 + i) for i in range(40)]
    expected = {a.id for a in alerts}
    slowish = lambda n: Reply(delay=0.05)  # noqa: E731 - keeps attempts in flight at the kill
    with Receiver(secret, reply=slowish) as rx_a, Receiver(secret, reply=slowish) as rx_b:
        subscribe(rx_a.url, secret=secret)
        subscribe(rx_b.url, secret=secret)
        first = processes(dispatcher_config).start()

        def publish_slowly():
            for alert in alerts:
                publish(dispatcher_config.topic, alert)
                time.sleep(0.02)
        publisher = threading.Thread(target=publish_slowly)
        publisher.start()
        rx_a.wait_for(lambda got: len(got) >= 8)
        first.kill()  # mid-stream: some alerts delivered, some in flight, some not consumed yet
        got_before_kill = len(rx_a.alerts)
        publisher.join()
        assert got_before_kill < len(alerts)

        second = processes(dispatcher_config).start()
        for rx in (rx_a, rx_b):
            got = rx.wait_for(lambda got: len(got) == len(alerts), timeout=60)
            assert {a["id"] for a in got} == expected
            # only attempts in flight at the kill may arrive twice (the receiver answers those 2xx)
            assert len(rx.duplicates) <= dispatcher_config.per_subscriber_concurrency
        code, _ = second.terminate()
        assert code == 0
    store = open_store(db)
    assert store.count_pending() == 0 and store.dead_letters() == []
    store.close()
    log = (tmp_path / "dispatcher.log").read_text()
    assert f"database {redact(db)}," in log  # both runs said where their state is...
    if password := urlsplit(db).password:
        assert password not in log  # ...without the PostgreSQL password


def test_sigterm_stops_within_10s_and_unfinished_attempts_resume(
        subscribe, dispatcher_config, publish, processes):
    secret = generate_secret()
    release = threading.Event()
    with Receiver(secret, reply=lambda n: Reply(delay=0 if release.is_set() else 8)) as rx:
        subscribe(rx.url, secret=secret)
        process = processes(dispatcher_config).start()
        publish(dispatcher_config.topic, make_alert(400), make_alert(401))
        eventually(lambda: len(rx._seen) == 2)  # both attempts are hanging in the receiver
        code, took = process.terminate()
        assert code == 0 and took < 10
        release.set()
        processes(dispatcher_config).start()
        got = rx.wait_for(lambda got: len(got) == 2, timeout=30)
        assert {a["id"] for a in got} == {"alert-0400", "alert-0401"}


def test_broker_restart_under_the_dispatcher_loses_nothing(tmp_path, subscribe, dispatcher_config, run_dispatcher):
    secret = generate_secret()
    broker = LocalKafka(data_dir=tmp_path / "kafka")
    broker.start()
    try:
        config = replace(dispatcher_config, bootstrap=broker.bootstrap)
        # every alert fails once, so some deliveries are mid-retry when the broker goes away
        with Receiver(secret, reply=lambda n: Reply(500) if n == 1 else Reply()) as rx:
            subscribe(rx.url, secret=secret)
            run_dispatcher(config, retry=replace(FAST_RETRIES, delays=(0, 2.0, 2.0)))
            producer = make_producer(broker.bootstrap)
            for alert in [make_alert(500 + i) for i in range(5)]:
                producer.send(config.topic, key=b"SY:Damascus", value=alert.to_json_bytes()).get(timeout=30)
            producer.close()
            eventually(lambda: len(rx.requests) >= 5)  # first attempts done, retries due in ~2 s
            broker.stop()
            rx.wait_for(lambda got: len(got) == 5, timeout=30)  # retries went out with the broker down

            broker = LocalKafka(data_dir=tmp_path / "kafka", port=broker.port,
                                controller_port=broker.controller_port)
            broker.start()
            producer = make_producer(broker.bootstrap)
            for alert in [make_alert(510 + i) for i in range(5)]:
                producer.send(config.topic, key=b"SY:Damascus", value=alert.to_json_bytes()).get(timeout=60)
            producer.close()
            got = rx.wait_for(lambda got: len(got) == 10, timeout=60)
            assert {a["id"] for a in got} == {f"alert-{500 + i:04d}" for i in range(5)} | {
                f"alert-{510 + i:04d}" for i in range(5)}
            assert rx.duplicates == []
    finally:
        broker.stop()
