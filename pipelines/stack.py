"""The local stack: every frontwatch service on loopback, on real parts.

``frontwatch run`` (what ``make run`` starts) brings up, in order: a single-node Kafka
broker (KRaft, Maven Central jars), the topics, a local RSS feed of ``seeds/``, a webhook
receiver that verifies signatures and prints alerts, the webhook dispatcher with that
receiver subscribed, the Beam stream job on Prism, and the feed connector. Ctrl-C stops
them in reverse order. The end-to-end tests drive the same ``LocalStack``.
"""
from __future__ import annotations

import logging
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import click
import yaml

from connectors.kafka import Topics, ensure_topics
from connectors.cache import cache_root
from connectors.localkafka import LocalKafka, provision_kafka

log = logging.getLogger(__name__)

REPO_SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@dataclass
class Service:
    """One frontwatch service as a child process, with its output in a log file."""

    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    def start(self) -> "Service":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.log_path, "ab")
        log.info("starting %s (log: %s)", self.name, self.log_path)
        self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env={**os.environ, **self.env}, start_new_session=True)
        out.close()
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds."""
        if not self.running:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %ss; killing it", self.name, timeout)
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def kill(self) -> None:
        """As a crash would: SIGKILL the whole process group."""
        if self.running:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def frontwatch(*args: str) -> list[str]:
    """The argv that runs a ``frontwatch`` subcommand with this interpreter."""
    return [sys.executable, "-m", "pipelines.cli", *args]


@dataclass
class LocalStack:
    """All services of the local stack. ``bootstrap`` reuses a running broker."""

    workdir: Path
    seeds_dir: Path = REPO_SEEDS
    bootstrap: str | None = None
    topics: Topics = field(default_factory=Topics)
    feed_poll_seconds: float = 5.0
    with_connector: bool = True  # False: tests publish articles to Kafka themselves
    job_args: list[str] = field(default_factory=list)
    job_kafka_settings: dict = field(default_factory=dict)  # extra kafka: keys of the job config
    print_alerts: bool = True
    broker: LocalKafka | None = None
    feed: object = None
    receiver: object = None
    services: dict[str, Service] = field(default_factory=dict)
    secret: str = field(default_factory=lambda: "whsec_" + __import__("base64").b64encode(
        secrets.token_bytes(24)).decode())

    def start(self) -> "LocalStack":
        from connectors.seedfeed import SeedFeed, load_seed_dir
        from connectors.webhooks.receiver import Receiver

        self.workdir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        if self.bootstrap is None:
            self.broker = LocalKafka(data_dir=self.workdir / "kafka")
            self.broker.start()
            self.bootstrap = self.broker.bootstrap
        ensure_topics(self.bootstrap, self.topics.all())
        self.feed = SeedFeed(load_seed_dir(self.seeds_dir)).start()
        self.receiver = Receiver(secret=self.secret, echo=click.echo if self.print_alerts else log.info).start()
        db = self.workdir / "dispatcher.sqlite"
        db.unlink(missing_ok=True)  # a reused workdir: the previous run's receiver is gone
        subscribe = subprocess.run(
            frontwatch("subscribers", "add", self.receiver.url, "--db", str(db), "--secret", self.secret,
                       "--allow-loopback", "--description", "local demo receiver"),
            capture_output=True, text=True)
        if subscribe.returncode != 0:
            raise RuntimeError(f"could not subscribe the local receiver: {subscribe.stderr}")
        self._service("dispatcher", "dispatcher", "run", "--bootstrap", self.bootstrap, "--db", str(db),
                      "--topic", self.topics.alerts, "--dead-letter-topic", self.topics.dead_letter,
                      "--allow-loopback", "--retry-schedule", "0,1,2,5,10")
        job_config = self.workdir / "job.yaml"
        job_config.write_text(yaml.safe_dump({"kafka": {
            "bootstrap": self.bootstrap, "articles_topic": self.topics.articles,
            "signals_topic": self.topics.signals, "alerts_topic": self.topics.alerts,
            "dead_letter_topic": self.topics.dead_letter, "group_id": f"frontwatch-job-{self.topics.articles}",
            **self.job_kafka_settings}}))
        self._service("job", "job", "run", "--config", str(job_config), *self.job_args)
        if self.with_connector:
            self._start_connector()
        log.info("local stack up in %.1fs: broker %s, feed %s, receiver %s", time.monotonic() - started,
                 self.bootstrap, self.feed.url, self.receiver.url)
        return self

    def _start_connector(self) -> None:
        feeds = self.workdir / "feeds.yaml"
        feeds.write_text(yaml.safe_dump({
            "defaults": {"poll_interval": self.feed_poll_seconds},
            "feeds": [{"id": "seeds", "url": self.feed.url, "language": "en", "tags": ["seed"]}]}))
        self._service("connector", "connectors", "run", "--config", str(feeds), "--bootstrap", self.bootstrap,
                      "--topic", self.topics.articles, "--state", str(self.workdir / "connector.sqlite"))

    def _service(self, name: str, *args: str) -> Service:
        service = Service(name, frontwatch(*args), self.workdir / "logs" / f"{name}.log").start()
        self.services[name] = service
        return service

    def restart(self, name: str) -> Service:
        """Start a service again with the same arguments (after a stop or a kill)."""
        old = self.services[name]
        old.stop()
        self.services[name] = Service(name, old.argv, old.log_path).start()
        return self.services[name]

    def check(self) -> list[str]:
        """Names of services that died (with the tail of their logs logged)."""
        dead = [name for name, s in self.services.items() if not s.running]
        for name in dead:
            log.error("%s exited (%s):\n%s", name, self.services[name].proc.returncode, self.services[name].tail())
        return dead

    def stop(self) -> None:
        for name in ("connector", "job", "dispatcher"):
            if name in self.services:
                log.info("stopping %s", name)
                self.services[name].stop()
        for part in (self.receiver, self.feed):
            if part is not None:
                part.stop()
        if self.broker is not None:
            log.info("stopping Kafka")
            self.broker.stop()

    def __enter__(self) -> "LocalStack":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def provision_all() -> dict[str, float]:
    """Fetch/build everything once (cached under ``$FRONTWATCH_CACHE``); seconds per part."""
    from pipelines.gazetteer import Gazetteer
    from pipelines.runner import prism_binary

    timings = {}
    for name, step in (("kafka", provision_kafka), ("prism", prism_binary), ("gazetteer", Gazetteer.load)):
        t = time.monotonic()
        step()
        timings[name] = round(time.monotonic() - t, 2)
        log.info("provisioned %s in %.1fs", name, timings[name])
    return timings


@click.command("provision")
def provision_command() -> None:
    """Fetch Kafka jars (Maven), build Prism (from the Beam Go module) and the gazetteer index, once.

    Everything is cached under $FRONTWATCH_CACHE (default ~/.cache/frontwatch).
    """
    timings = provision_all()
    click.echo(f"provisioned into {cache_root()}: " + ", ".join(f"{k} {v}s" for k, v in timings.items()))


@click.command("broker")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Broker data (default: a cache dir).")
@click.option("--port", type=int, default=9092, show_default=True, help="Broker port on 127.0.0.1.")
def broker_command(data_dir: str | None, port: int) -> None:
    """Run the local single-node Kafka broker (KRaft) until Ctrl-C."""
    broker = LocalKafka(data_dir=Path(data_dir or cache_root() / "broker-data"), port=port)
    broker.start()
    ensure_topics(broker.bootstrap, Topics().all())
    click.echo(f"Kafka ready on {broker.bootstrap} (Ctrl-C stops it)")
    _wait_for_signal(lambda: broker.running)
    broker.stop()


def _wait_for_signal(alive) -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.is_set() and alive():
        stop.wait(1)


@click.command("run")
@click.option("--seeds", "seeds_dir", type=click.Path(exists=True, file_okay=False), default=str(REPO_SEEDS),
              show_default=True, help="Directory of seed articles (*.txt) served as a local RSS feed.")
@click.option("--workdir", type=click.Path(file_okay=False),
              help="Where broker data, service state and logs go (default: a fresh temporary directory).")
def run_command(seeds_dir: str, workdir: str | None) -> None:
    """Run the whole local stack on the seeds and print alerts as the receiver gets them.

    Kafka (KRaft) -> feed connector -> Beam stream job on Prism -> alerts topic ->
    webhook dispatcher -> a local receiver that verifies signatures. Ctrl-C stops all.
    """
    provision_all()
    work = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="frontwatch-run-"))
    started = time.monotonic()
    with LocalStack(workdir=work, seeds_dir=Path(seeds_dir)) as stack:
        click.echo(f"frontwatch local stack is up (logs in {work / 'logs'}); waiting for alerts, Ctrl-C stops.")
        first_seen = False

        def alive() -> bool:
            nonlocal first_seen
            if not first_seen and stack.receiver.alerts:
                first_seen = True
                click.echo(f"first alert {time.monotonic() - started:.1f}s after start")
            return not stack.check()

        _wait_for_signal(alive)
        click.echo(f"stopping; {len(stack.receiver.alerts)} alerts received")
