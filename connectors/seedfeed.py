"""A local RSS feed of the seed articles, for the quick start and the end-to-end tests.

``SeedFeed`` serves ``/feed.xml`` (RSS 2.0) over loopback from text files (first
non-empty line that is not page furniture = title, the rest = body), and can add items
while it runs, as a live newsroom feed would.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

_FURNITURE = ("last updated", "location", "(with inputs", "advertisement")


@dataclass(frozen=True)
class SeedItem:
    slug: str
    title: str
    body: str
    published: datetime


def item_from_text(slug: str, text: str, published: datetime | None = None) -> SeedItem:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    body_lines = [ln for ln in lines if not ln.lower().startswith(_FURNITURE) and not ln.startswith("- ")]
    title = body_lines[0] if body_lines else slug
    return SeedItem(slug=slug, title=title[:300], body="\n".join(body_lines),
                    published=published or datetime.now(timezone.utc))


def load_seed_dir(path: Path) -> list[SeedItem]:
    return [item_from_text(p.stem, p.read_text(encoding="utf-8")) for p in sorted(Path(path).glob("*.txt"))]


class SeedFeed:
    """A thread-backed HTTP server on 127.0.0.1 serving the items as RSS 2.0."""

    def __init__(self, items: list[SeedItem], port: int = 0, publisher: str = "seeds.frontwatch.local"):
        self._items = list(items)
        self._lock = threading.Lock()
        self.publisher = publisher
        self.requests = 0
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                feed.requests += 1
                if self.path.split("?")[0] != "/feed.xml":
                    self.send_error(404)
                    return
                body = feed.render().encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet: the stack prints its own progress
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="seed-feed", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/feed.xml"

    def add(self, item: SeedItem) -> None:
        with self._lock:
            self._items.append(item)

    def render(self) -> str:
        with self._lock:
            items = list(self._items)
        entries = "".join(
            f"<item><title>{escape(i.title)}</title>"
            f"<link>https://{self.publisher}/articles/{escape(i.slug)}</link>"
            f"<guid isPermaLink=\"false\">{escape(i.slug)}</guid>"
            f"<pubDate>{format_datetime(i.published)}</pubDate>"
            f"<description>{escape(i.body)}</description></item>"
            for i in items)
        return ("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
                "<title>frontwatch seed articles</title>"
                f"<link>https://{self.publisher}/</link><description>Local sample feed</description>"
                f"{entries}</channel></rss>")

    def start(self) -> "SeedFeed":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "SeedFeed":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
