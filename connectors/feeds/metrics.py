"""Prometheus metrics for the connector and the small HTTP endpoint that serves them.

Each ingester has its own registry, so several ingesters (tests, the embedded stack) do
not share counters; ``/metrics`` serves it and ``/healthz`` says whether the scheduler
loop is alive.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class FeedMetrics:
    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.fetches = Counter("frontwatch_feed_fetches", "Feed fetches by outcome (ok, not_modified, errors)",
                               ["feed", "outcome"], registry=r)
        self.fetch_seconds = Histogram("frontwatch_feed_fetch_seconds", "HTTP time to fetch a feed",
                                       buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60), registry=r)
        self.parse_cpu_seconds = Histogram("frontwatch_feed_parse_cpu_seconds", "CPU time to parse and map one feed",
                                           buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1), registry=r)
        self.parse_warnings = Counter("frontwatch_feed_parse_warnings", "Ill-formed feeds whose entries were usable",
                                      ["feed"], registry=r)
        self.articles_queued = Counter("frontwatch_feed_articles_queued", "Articles accepted for publishing",
                                       ["feed", "kind"], registry=r)
        self.articles_published = Counter("frontwatch_feed_articles_published",
                                          "Articles acknowledged by Kafka (kind: new or update)",
                                          ["feed", "kind"], registry=r)
        self.publish_failures = Counter("frontwatch_feed_publish_failures",
                                        "Sends the broker rejected or did not acknowledge in time (retried)",
                                        registry=r)
        self.outbox_pending = Gauge("frontwatch_feed_outbox_pending", "Articles waiting for a broker ack",
                                    registry=r)
        self.feeds_disabled = Gauge("frontwatch_feeds_disabled", "Feeds disabled after permanent failures",
                                    registry=r)
        self.loop_heartbeat = Gauge("frontwatch_feed_loop_heartbeat_seconds",
                                    "Unix time of the scheduler's last pass", registry=r)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def serve_metrics(metrics: FeedMetrics, port: int, health: Callable[[], tuple[bool, dict]],
                  host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Serve ``/metrics`` and ``/healthz`` on a daemon thread; call ``.shutdown()`` to stop."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path.startswith("/healthz"):
                healthy, detail = health()
                self._send(200 if healthy else 503, "application/json",
                           json.dumps({"status": "ok" if healthy else "unhealthy", **detail}).encode())
            elif self.path.startswith("/metrics") or self.path == "/":
                self._send(200, CONTENT_TYPE_LATEST, metrics.render())
            else:
                self._send(404, "text/plain", b"not found\n")

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # scrapes every few seconds would flood the log
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="feeds-metrics", daemon=True).start()
    return server
