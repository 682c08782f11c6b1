"""A local webhook receiver: the quick start's subscriber, and the tests'.

It verifies every request with ``signing.verify``, accepts each webhook-id once
(a repeat is answered 2xx, as Standard Webhooks asks, and reported as a duplicate),
and prints or logs a one-line summary of each alert.

In-process API (stable; used by the end-to-end tests)::

    from connectors.webhooks.receiver import Receiver

    with Receiver(secret="whsec_...") as rx:          # listens on 127.0.0.1, free port
        ...subscribe rx.url, publish alerts...
        alerts = rx.wait_for(lambda alerts: len(alerts) >= 2, timeout=30)
        rx.alerts        # accepted alerts (the envelope's ``data``), first-arrival order
        rx.received      # accepted deliveries: Received(webhook_id, payload, at)
        rx.duplicates    # webhook-ids delivered again after being accepted
        rx.requests      # every request: Request(webhook_id, status, verified, at)
        rx.rejected      # count of requests whose signature did not verify (answered 401)
        rx.secrets       # the secrets it accepts; a list, may be changed while it runs

``secret`` may be a list (a subscriber mid-rotation). ``reply`` scripts misbehaving
endpoints for tests: a function of the attempt number for that webhook-id (1 = first)
returning a ``Reply`` (status, headers, delay before answering, or close the connection
without answering). A request is accepted when the receiver decides to answer it 2xx.

Command line: ``frontwatch dispatcher receiver --port 8765 --secret whsec_...`` or
``python -m connectors.webhooks.receiver --port 8765 --secret whsec_...``.
"""
from __future__ import annotations

import argparse
import json
import logging
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from connectors.webhooks.signing import DEFAULT_TOLERANCE_SECONDS, VerificationError, verify

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    """How the receiver answers one request (tests use this to script failures)."""

    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (timeouts)
    close: bool = False  # drop the connection without any answer


@dataclass(frozen=True)
class Received:
    webhook_id: str
    payload: dict
    at: float


@dataclass(frozen=True)
class Request:
    webhook_id: str | None
    status: int | None  # None when the connection was dropped
    verified: bool
    at: float


def summarise(payload: dict) -> str:
    """Readable lines: severity, the alert's own summary, confidence, first evidence."""
    data = payload.get("data") or {}
    if payload.get("type") == "frontwatch.test":
        return f"test event for {data.get('subscription')}"
    first = next((e for e in data.get("evidence") or [] if e.get("quote")), None)
    line = (f"[{data.get('severity')}] {data.get('summary') or data.get('kind')}  "
            f"(confidence {float(data.get('confidence') or 0):.2f})")
    if first:
        source = first.get("claimed_by") or first.get("publisher") or "unattributed"
        line += f'\n    evidence: "{first["quote"][:200]}" ({source})'
    return line


class Receiver:
    """A threaded HTTP server on loopback that records verified webhooks (see module doc)."""

    def __init__(self, secret: str | Sequence[str], *, host: str = "127.0.0.1", port: int = 0,
                 reply: Callable[[int], Reply] | None = None, echo: Callable[[str], None] | None = None,
                 tolerance: float = DEFAULT_TOLERANCE_SECONDS):
        self.secrets = [secret] if isinstance(secret, str) else list(secret)
        self.reply = reply or (lambda attempt: Reply())
        self.echo = echo or log.info
        self.tolerance = tolerance
        self.received: list[Received] = []
        self.duplicates: list[str] = []
        self.requests: list[Request] = []
        self.rejected = 0
        self._seen: Counter[str] = Counter()
        self._accepted: set[str] = set()
        self._cond = threading.Condition()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def alerts(self) -> list[dict]:
        with self._cond:
            return [r.payload.get("data", {}) for r in self.received]

    def start(self) -> "Receiver":
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook-receiver",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() would wait forever for a loop never started
            self._server.shutdown()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> "Receiver":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_for(self, predicate: Callable[[list[dict]], bool], timeout: float = 30.0) -> list[dict]:
        """Block until ``predicate(alerts)`` holds; return the alerts, or raise TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                alerts = [r.payload.get("data", {}) for r in self.received]
                if predicate(alerts):
                    return alerts
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"receiver: condition not met within {timeout}s; "
                                       f"{len(alerts)} alerts, {len(self.requests)} requests")
                self._cond.wait(left)

    # ------------------------------------------------------------------ HTTP side

    def _handle(self, body: bytes, headers: dict[str, str]) -> Reply:
        """Verify, decide the answer, record the request (and the alert if accepted)."""
        try:
            webhook_id = verify(body, headers, self.secrets, tolerance=self.tolerance)
        except VerificationError as exc:
            log.warning("receiver: rejected a request: %s", exc)
            with self._cond:
                self.rejected += 1
                self.requests.append(Request(headers.get("webhook-id"), 401, False, time.time()))
                self._cond.notify_all()
            return Reply(status=401)
        with self._cond:
            self._seen[webhook_id] += 1
            attempt = self._seen[webhook_id]
        reply = self.reply(attempt)
        if reply.delay:
            time.sleep(reply.delay)
        accepted = not reply.close and 200 <= reply.status < 300
        line = None
        with self._cond:
            self.requests.append(Request(webhook_id, None if reply.close else reply.status, True, time.time()))
            if accepted and webhook_id in self._accepted:
                self.duplicates.append(webhook_id)
                line = f"duplicate {webhook_id} (already accepted)"
            elif accepted:
                payload = json.loads(body)
                self._accepted.add(webhook_id)
                self.received.append(Received(webhook_id, payload, time.time()))
                line = summarise(payload)
            self._cond.notify_all()
        if line:
            self.echo(line)
        return reply

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                reply = receiver._handle(body, {k.lower(): v for k, v in self.headers.items()})
                if reply.close:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args) -> None:  # noqa: A002
                log.debug("receiver: " + format, *args)

        return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors.webhooks.receiver",
                                     description="Print verified frontwatch webhooks as they arrive.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--secret", action="append", required=True,
                        help="the subscription's whsec_ secret (repeat during a rotation)")
    parser.add_argument("--json", action="store_true", help="print JSON lines instead of summaries")
    args = parser.parse_args(argv)
    serve(args.secret, args.host, args.port, as_json=args.json)
    return 0


def serve(secrets: Sequence[str], host: str, port: int, as_json: bool = False) -> None:
    """Run a receiver in the foreground until Ctrl-C, printing each accepted webhook.

    With ``as_json``, one line per webhook: ``{"webhook_id", "received_at", "payload"}``.
    """
    def echo(line: str) -> None:
        if not as_json:
            print(line, flush=True)

    receiver = Receiver(list(secrets), host=host, port=port, echo=echo)
    receiver.start()
    print(f"receiving webhooks on {receiver.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    printed = 0
    try:
        while True:
            try:
                receiver.wait_for(lambda alerts, seen=printed: len(alerts) > seen, timeout=3600)
            except TimeoutError:
                continue
            for received in receiver.received[printed:]:
                printed += 1
                if as_json:
                    print(json.dumps({"webhook_id": received.webhook_id, "received_at": received.at,
                                      "payload": received.payload}), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        receiver.stop()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sys.exit(main())
