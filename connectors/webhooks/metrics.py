"""Prometheus metrics of the dispatcher, and the small WSGI servers that expose them."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app

from connectors.webhooks.models import AttemptResult

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10, 30)


class DispatcherMetrics:
    """One registry per dispatcher, so several can live in one process (tests)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.alerts = Counter("frontwatch_dispatcher_alerts_consumed", "Alerts read from Kafka.", registry=r)
        self.malformed = Counter("frontwatch_dispatcher_malformed_records",
                                 "Records on the alerts topic sent to dead-letter.", registry=r)
        self.enqueued = Counter("frontwatch_dispatcher_deliveries_enqueued",
                                "New (alert, subscriber) deliveries persisted.", registry=r)
        self.attempts = Counter("frontwatch_dispatcher_attempts", "Delivery attempts by outcome.",
                                ["outcome"], registry=r)
        self.attempt_seconds = Histogram("frontwatch_dispatcher_attempt_seconds",
                                         "Duration of one HTTP attempt.", buckets=LATENCY_BUCKETS, registry=r)
        self.delivery_seconds = Histogram("frontwatch_dispatcher_delivery_seconds",
                                          "From alert consumed to delivered, retries included.",
                                          buckets=LATENCY_BUCKETS, registry=r)
        self.dead_letters = Counter("frontwatch_dispatcher_dead_letters",
                                    "Deliveries given up on (attempts exhausted or subscription disabled).",
                                    registry=r)
        self.queue_depth = Gauge("frontwatch_dispatcher_queue_depth", "Pending deliveries.", registry=r)
        self.in_flight = Gauge("frontwatch_dispatcher_in_flight", "Attempts in progress.", registry=r)

    def record_attempt(self, result: AttemptResult) -> None:
        self.attempts.labels(result.outcome).inc()
        self.attempt_seconds.observe(result.latency)

    def value(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)


class WsgiServer:
    """A WSGI app served from a daemon thread; ``port`` is the bound port (0 picks one)."""

    def __init__(self, app: Callable, host: str, port: int):
        self._server = make_server(host, port, app, server_class=_ThreadingWSGIServer,
                                   handler_class=_QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"wsgi-{self.port}",
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def metrics_app(metrics: DispatcherMetrics, healthy: Callable[[], bool]) -> Callable:
    """``/metrics`` (and any other path) in Prometheus format; ``/healthz`` 200 or 503."""
    prometheus = make_wsgi_app(metrics.registry)

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            ok = healthy()
            start_response("200 OK" if ok else "503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"ok\n" if ok else b"unhealthy\n"]
        return prometheus(environ, start_response)

    return app
