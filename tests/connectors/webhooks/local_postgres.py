"""A throwaway PostgreSQL server for the tests: ``initdb`` + ``postgres`` on a free loopback port.

Imported as ``local_postgres`` (like ``webhook_helpers``). PostgreSQL refuses to run as root,
so under root the server runs as the ``postgres`` user (``nobody`` when there is none) from a
temporary directory that user owns. Authentication is scram-sha-256 with a random password,
so the URLs the tests use carry a real secret (which must never reach a log).
"""
from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from connectors.localkafka import free_port

DEBIAN_PACKAGE = "postgresql"
SUPERUSER = "frontwatch"


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the server would not start."""


def server_binaries() -> Path:
    """The directory with ``initdb`` and ``postgres``: from PATH, else the newest /usr/lib/postgresql/N/bin."""
    candidates = [Path(p).resolve().parent for p in filter(None, [shutil.which("initdb")])]
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True,
                         key=lambda d: [int(n) for n in re.findall(r"\d+", d.parent.name)] or [0])
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "postgres").is_file():
            return directory
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, postgres) are not on PATH or in /usr/lib/postgresql/*/bin: "
        f"install the Debian package `{DEBIAN_PACKAGE}` "
        f"(apt-get install --no-install-recommends {DEBIAN_PACKAGE}; .ci/run does it when run as root)")


class LocalPostgres:
    """One PostgreSQL server on 127.0.0.1 with its data in a temporary directory.

    ``start()`` runs initdb and the server and waits until it accepts connections;
    ``stop()`` shuts it down (fast mode, then SIGKILL) and deletes the directory.
    ``create_database()`` gives each test a database of its own.
    """

    def __init__(self, startup_timeout: float = 60.0):
        self.startup_timeout = startup_timeout
        self.password = secrets.token_urlsafe(18)
        self.port = 0
        self.root: Path | None = None
        self._proc: subprocess.Popen | None = None
        self._log = None
        self._account = _unprivileged_account() if os.geteuid() == 0 else None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def start(self) -> "LocalPostgres":
        bindir = server_binaries()
        self.root = Path(tempfile.mkdtemp(prefix="frontwatch-pg-"))
        try:
            self._start(bindir)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, bindir: Path) -> None:
        assert self.root is not None
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self._account:
            for path in (self.root, pwfile):
                os.chown(path, self._account.pw_uid, self._account.pw_gid)
        data = self.root / "data"
        init = subprocess.run(
            [bindir / "initdb", "-D", data, "-U", SUPERUSER, "--auth=scram-sha-256", f"--pwfile={pwfile}",
             "--no-locale", "--encoding=UTF8", "--no-sync", "--no-instructions"],
            capture_output=True, text=True, cwd=self.root, **self._as_account())
        pwfile.unlink()
        if init.returncode != 0:
            raise PostgresUnavailable(f"initdb failed ({init.returncode}):\n{init.stdout}{init.stderr}")
        self.port = free_port()
        self._log = open(self.root / "postgres.log", "ab")
        self._proc = subprocess.Popen(
            [bindir / "postgres", "-D", data, "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
             "-c", f"unix_socket_directories={self.root}"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, cwd=self.root,
            start_new_session=True, **self._as_account())
        self._wait_ready()

    def _as_account(self) -> dict:
        if self._account is None:
            return {}
        return {"user": self._account.pw_uid, "group": self._account.pw_gid, "extra_groups": []}

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._proc.poll() is not None:
                raise PostgresUnavailable(f"postgres exited with {self._proc.returncode}:\n{self.log_tail()}")
            try:
                psycopg.connect(self.url(), connect_timeout=2).close()
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PostgresUnavailable(f"postgres not ready after {self.startup_timeout}s ({exc}):\n"
                                              f"{self.log_tail()}") from exc
                time.sleep(0.1)

    def create_database(self) -> str:
        """A new empty database; returns its name (``url(name)`` connects to it)."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join((self.root / "postgres.log").read_text(errors="replace").splitlines()[-lines:])
        except (OSError, TypeError):
            return ""

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown (SIGINT: clients disconnected, no waiting), SIGKILL if that hangs."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # its backends are in its session
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None


def _unprivileged_account() -> pwd.struct_passwd:
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable("running as root and no unprivileged account (postgres, nobody) to run "
                              f"PostgreSQL as; the Debian package `{DEBIAN_PACKAGE}` creates `postgres`")
