"""A real single-node Apache Kafka broker (KRaft) for the local stack and the tests.

No Docker here: the broker's jars come from Maven Central (``pom.xml`` beside this file,
pinned), are cached outside the repository, and run in one JVM on loopback as broker and
controller. ``LocalKafka`` provisions, formats, starts, health-checks and stops it.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from connectors.cache import ProvisioningError, cache_root

log = logging.getLogger(__name__)

KAFKA_VERSION = "4.1.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def provision_kafka(root: Path | None = None) -> Path:
    """Fetch the broker's jars with Maven once; return the directory holding them."""
    libs = (root or cache_root()) / f"kafka-{KAFKA_VERSION}" / "libs"
    marker = libs / ".complete"
    if marker.exists():
        return libs
    mvn = shutil.which("mvn")
    if not mvn:
        raise ProvisioningError("Maven ('mvn') is required to fetch the Kafka broker jars")
    libs.mkdir(parents=True, exist_ok=True)
    pom = resources.files(__package__).joinpath("pom.xml")
    log.info("fetching Apache Kafka %s jars from Maven Central into %s", KAFKA_VERSION, libs)
    with resources.as_file(pom) as pom_path:
        cmd = [mvn, "-q", "-B", "-f", str(pom_path), "dependency:copy-dependencies",
               f"-DoutputDirectory={libs}", "-DincludeScope=runtime"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ProvisioningError(f"maven failed ({proc.returncode}): {proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    if not any(libs.glob("kafka_2.13-*.jar")):
        raise ProvisioningError(f"maven finished but no kafka jar is in {libs}")
    marker.write_text(KAFKA_VERSION)
    return libs


@dataclass
class LocalKafka:
    """One KRaft broker+controller JVM on loopback.

    Use as a context manager, or call ``start()``/``stop()``. ``data_dir`` keeps the log
    segments; reuse it to restart a broker with its data (``port`` must then be kept too).
    """

    data_dir: Path
    port: int = 0
    controller_port: int = 0
    heap: str = "512m"
    partitions: int = 1
    startup_timeout: float = 90.0
    cluster_id: str = ""
    _proc: subprocess.Popen | None = field(default=None, init=False, repr=False)
    _log_file: object = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.port = self.port or free_port()
        self.controller_port = self.controller_port or free_port()

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "broker.log"

    def _write_config(self) -> Path:
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.data_dir / "logs"),
            "num.partitions": str(self.partitions),
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "4",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true",
            "log.retention.hours": "168",
        }
        path = self.data_dir / "server.properties"
        path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        return path

    def _java(self, libs: Path, *args: str, **kw) -> list[str]:
        java = shutil.which("java") or "java"
        with resources.as_file(resources.files(__package__).joinpath("log4j2.properties")) as log4j:
            return [java, f"-Xmx{self.heap}", f"-Xms{min(256, int(self.heap.rstrip('m')))}m",
                    "-XX:+UseG1GC", "-Djava.awt.headless=true",
                    f"-Dlog4j2.configurationFile={log4j}",
                    "-cp", str(libs / "*"), *args]

    def start(self) -> "LocalKafka":
        libs = provision_kafka()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        if not (self.data_dir / "logs" / "meta.properties").exists():
            self.cluster_id = self.cluster_id or _kafka_cluster_id()
            fmt = subprocess.run(
                self._java(libs, "kafka.tools.StorageTool", "format", "-t", self.cluster_id,
                           "-c", str(config), "--ignore-formatted"),
                capture_output=True, text=True)
            if fmt.returncode != 0:
                raise ProvisioningError(f"formatting Kafka storage failed: {fmt.stdout}{fmt.stderr}")
        self._log_file = open(self.log_path, "ab")
        log.info("starting Kafka %s on %s (data %s)", KAFKA_VERSION, self.bootstrap, self.data_dir)
        self._proc = subprocess.Popen(
            self._java(libs, "kafka.Kafka", str(config)), stdout=self._log_file,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        """Block until the broker answers a metadata request (or fail with its log tail)."""
        from kafka import KafkaAdminClient  # local import: kafka-python is heavy-ish

        deadline = time.monotonic() + self.startup_timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise ProvisioningError(f"Kafka exited with {self._proc.returncode}:\n{self.log_tail()}")
            try:  # the port first: kafka-python logs every refused connection as an ERROR
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            except OSError as exc:
                last_error = exc
                time.sleep(0.2)
                continue
            try:
                admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=3000,
                                         client_id="frontwatch-healthcheck")
                try:
                    admin.describe_cluster()
                finally:
                    admin.close()
                log.info("Kafka ready on %s", self.bootstrap)
                return
            except Exception as exc:  # noqa: BLE001 - any failure means "not ready yet"
                last_error = exc
                time.sleep(0.5)
        raise ProvisioningError(f"Kafka not ready after {self.startup_timeout}s ({last_error}):\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (a controlled shutdown), then SIGKILL if it does not exit in time."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log.warning("Kafka did not stop within %ss; killing it", timeout)
                proc.kill()
                proc.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), as a crash would."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def __enter__(self) -> "LocalKafka":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _kafka_cluster_id() -> str:
    """Kafka cluster ids are 16 random bytes, URL-safe base64 without padding; like
    Kafka's own generator we avoid a leading '-', which the format tool reads as an option."""
    import base64

    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - thin manual entry
    """``python -m connectors.localkafka [DATA_DIR]``: run a broker until Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    data = Path((argv or sys.argv[1:] or [str(cache_root() / "broker-data")])[0])
    broker = LocalKafka(data_dir=data, port=int(os.environ.get("FRONTWATCH_KAFKA_PORT", "0")))
    broker.start()
    print(f"Kafka {KAFKA_VERSION} ready: bootstrap {broker.bootstrap}", flush=True)
    try:
        while broker.running:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        broker.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
