"""Polite, bounded HTTP for feeds and article pages (httpx).

Every request is conditional when we hold validators (ETag / Last-Modified), carries a
clear User-Agent, follows at most ``max_redirects`` redirects, has connect/read timeouts
and an overall deadline, and streams the body so that one past ``max_bytes`` is abandoned
rather than buffered. Failures are ``FetchError`` with a short ``outcome`` label that is
used as-is in logs and metrics, and a ``permanent`` flag for 404/410/DNS.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import httpx

from connectors.feeds.schedule import parse_max_age, parse_retry_after

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
CHUNK = 64 * 1024
CANCELLED = "cancelled"  # the outcome of a fetch abandoned because the connector is stopping


@dataclass(frozen=True)
class FetchResult:
    """A 200 (with body) or a 304 (no body: nothing changed since our validators)."""

    status: int
    url: str  # after redirects
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    max_age: float | None = None
    retry_after: float | None = None
    elapsed: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(Exception):
    """A fetch that produced nothing usable; ``outcome`` is a metric/log label."""

    def __init__(self, outcome: str, message: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.outcome = outcome
        self.permanent = permanent
        self.retry_after = retry_after


PERMANENT_STATUS = {404, 410}


class Fetcher:
    """One shared httpx client (connection pooling across feeds; thread-safe)."""

    def __init__(self, user_agent: str, max_redirects: int = 5, stop: threading.Event | None = None):
        self.stop = stop or threading.Event()
        self.client = httpx.Client(
            follow_redirects=True, max_redirects=max_redirects,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))

    def close(self) -> None:
        self.client.close()

    def fetch(self, url: str, *, now: datetime, etag: str | None = None, last_modified: str | None = None,
              connect_timeout: float = 10.0, read_timeout: float = 30.0, total_timeout: float = 60.0,
              max_bytes: int = 10 * 1024**2, accept: str = FEED_ACCEPT) -> FetchResult:
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout,
                                pool=connect_timeout)
        started = time.monotonic()
        try:
            with self.client.stream("GET", url, headers=headers, timeout=timeout) as response:
                status = response.status_code
                retry_after = parse_retry_after(response.headers.get("retry-after"), now)
                if status == 304:
                    return self._result(response, b"", retry_after, started)
                if not 200 <= status < 300:
                    raise FetchError(_status_outcome(status), f"HTTP {status} {response.reason_phrase}".strip(),
                                     permanent=status in PERMANENT_STATUS, retry_after=retry_after)
                body = self._read_body(response, max_bytes, started + total_timeout)
                return self._result(response, body, retry_after, started)
        except FetchError:
            raise
        except httpx.TooManyRedirects as exc:
            raise FetchError("too_many_redirects", f"more than {self.client.max_redirects} redirects") from exc
        except httpx.TimeoutException as exc:
            raise FetchError("timeout", f"timed out ({type(exc).__name__})") from exc
        except httpx.ConnectError as exc:
            if _is_dns_failure(exc):
                raise FetchError("dns", f"host not found: {exc}", permanent=True) from exc
            raise FetchError("connect", f"cannot connect: {exc}") from exc
        except (httpx.DecodingError, httpx.RemoteProtocolError) as exc:
            raise FetchError("protocol", f"bad HTTP response: {exc}") from exc
        except httpx.HTTPError as exc:
            raise FetchError("http", f"{type(exc).__name__}: {exc}") from exc
        except httpx.InvalidURL as exc:
            raise FetchError("bad_url", f"invalid URL: {exc}", permanent=True) from exc

    def _read_body(self, response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError("too_large", f"body of {int(declared)} bytes exceeds the limit of {max_bytes}")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes(CHUNK):  # decoded: a gzip bomb hits the limit too
            size += len(chunk)
            if size > max_bytes:
                raise FetchError("too_large", f"body exceeds the limit of {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchError("timeout", "body not received within the total timeout")
            if self.stop.is_set():
                raise FetchError(CANCELLED, "shutting down")
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _result(response: httpx.Response, body: bytes, retry_after: float | None, started: float) -> FetchResult:
        headers = response.headers
        return FetchResult(
            status=response.status_code, url=str(response.url), body=body,
            content_type=headers.get("content-type"), etag=headers.get("etag"),
            last_modified=headers.get("last-modified"), max_age=parse_max_age(headers.get("cache-control")),
            retry_after=retry_after, elapsed=time.monotonic() - started)


def _status_outcome(status: int) -> str:
    if status == 429:
        return "rate_limited"
    return f"http_{status // 100}xx"


def _is_dns_failure(exc: BaseException) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return True
        cause = cause.__cause__ or cause.__context__
    return False
