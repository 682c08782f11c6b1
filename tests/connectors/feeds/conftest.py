"""Fixtures for the feed connector tests: a real HTTP server on loopback, ingesters wired to
the session's real Kafka broker, and a consumer that reads back what was published."""
from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import pytest

from connectors.feeds.config import config_from_dict
from connectors.feeds.ingester import FeedIngester
from connectors.kafka import make_consumer
from connectors.wire import Article

FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


@dataclass
class Route:
    """How the server answers one path. ``etag``/``last_modified`` enable 304 answers."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = "application/rss+xml; charset=utf-8"
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None  # full control (streams, loops)


class FeedServer:
    """A threaded HTTP server whose answers are set per path; it counts what it served."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.hits: Counter = Counter()  # path -> requests
        self.statuses: Counter = Counter()  # (path, status) -> responses
        self.request_headers: dict[str, list[dict]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                path = self.path
                server.hits[path] += 1
                server.request_headers.setdefault(path, []).append(dict(self.headers))
                route = server.routes.get(path)
                if route is None:
                    return self._answer(path, 404, b"not found", {"Content-Type": "text/plain"})
                if route.handler is not None:
                    server.statuses[(path, "custom")] += 1
                    return route.handler(self)
                validators = {}
                if route.etag:
                    validators["ETag"] = route.etag
                if route.last_modified:
                    validators["Last-Modified"] = route.last_modified
                if ((route.etag and self.headers.get("If-None-Match") == route.etag)
                        or (route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified)):
                    return self._answer(path, 304, b"", {**validators, **route.headers})
                headers = {**validators, **route.headers}
                if route.content_type:
                    headers.setdefault("Content-Type", route.content_type)
                self._answer(path, route.status, route.body, headers)

            def _answer(self, path, status, body, headers):
                server.statuses[(path, status)] += 1
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, body: bytes | str = b"", **kwargs) -> str:
        self.routes[path] = Route(body=body.encode() if isinstance(body, str) else body, **kwargs)
        return self.url(path)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server():
    server = FeedServer()
    yield server
    server.close()


def rss(items: list[dict], *, title: str = "Test feed", ttl: int | None = None, link: str = "https://news.example.com/") -> str:
    """A small RSS 2.0 document; each item dict may hold title, link, guid, description, pubDate."""
    parts = [f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
             f'<link>{link}</link><description>test</description>']
    if ttl is not None:
        parts.append(f"<ttl>{ttl}</ttl>")
    for item in items:
        parts.append("<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in item.items()) + "</item>")
    parts.append("</channel></rss>")
    return "".join(parts)


def story_items(prefix: str, count: int, host: str = "news.example.com") -> list[dict]:
    return [{"title": f"{prefix} story {i}", "link": f"https://{host}/{prefix}/{i}",
             "description": f"Report number {i} from the {prefix} desk about fighting near the capital.",
             "pubDate": "Sat, 01 Mar 2025 10:00:00 GMT"} for i in range(count)]


class Clock:
    """An injected clock the tests move by hand."""

    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)
        return self.now


def make_config(feeds: list[dict], **settings):
    """A connector config for tests: quick timeouts, deterministic defaults."""
    defaults = {"poll_interval": 300, "connect_timeout": 2, "read_timeout": 2, "total_timeout": 5,
                "backoff_base": 60, "backoff_max": 3600, "language": None}
    defaults.update(settings.pop("defaults", {}))
    return config_from_dict({"workers": 4, "publish_timeout": 30, **settings, "defaults": defaults, "feeds": feeds},
                            environ={})


@pytest.fixture
def ingester_factory(kafka, tmp_path):
    """Build ingesters on the real broker; each one is closed at the end of the test."""
    made: list[FeedIngester] = []

    def make(config, topic: str, state: Path | None = None, clock: Clock | None = None, bootstrap: str | None = None,
             **kwargs) -> FeedIngester:
        import random

        ingester = FeedIngester(config, bootstrap or kafka.bootstrap, state or tmp_path / "feeds.sqlite", topic=topic,
                                clock=clock or Clock(), rng=random.Random(7), **kwargs)
        made.append(ingester)
        return ingester

    yield make
    for ingester in made:
        ingester.close(grace=2)


def consume(bootstrap: str, topic: str, expect: int | None = None, timeout: float = 20.0) -> list[tuple[str, Article]]:
    """Everything on ``topic`` as (key, Article); waits until ``expect`` records or quiet."""
    consumer = make_consumer(bootstrap, group_id=None, consumer_timeout_ms=1500)
    consumer.subscribe([topic])
    records: list[tuple[str, Article]] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=500)
            for messages in batch.values():
                records.extend((m.key.decode(), Article.from_json_bytes(m.value)) for m in messages)
            if expect is not None and len(records) >= expect:
                # a little longer, so that duplicates beyond ``expect`` would show up
                extra = consumer.poll(timeout_ms=1000)
                for messages in extra.values():
                    records.extend((m.key.decode(), Article.from_json_bytes(m.value)) for m in messages)
                break
            if expect is None and not batch and records:
                break
    finally:
        consumer.close()
    return records
