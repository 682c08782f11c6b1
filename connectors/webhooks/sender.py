"""One signed HTTP attempt, classified; and the bodies subscribers receive."""
from __future__ import annotations

import asyncio
import json
import secrets as _secrets
import time
from collections.abc import Sequence

import httpx

from connectors.webhooks.models import AttemptResult
from connectors.webhooks.policy import is_success, parse_retry_after
from connectors.webhooks.signing import sign_headers
from connectors.webhooks.ssrf import AddressPolicy, GuardedTransport, UnsafeURLError
from connectors.wire import Alert, utc_now

USER_AGENT = "frontwatch-webhooks/0.1"
MAX_RESPONSE_BYTES = 64 * 1024  # read at most this much of a reply; a subscriber cannot flood us
THROTTLING_STATUSES = (429, 503)


def _json_bytes(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def alert_payload(alert: Alert) -> bytes:
    """The body for an alert: the Standard Webhooks envelope ``{type, timestamp, data}``."""
    data = alert.model_dump(mode="json", by_alias=True)
    return _json_bytes({"type": f"alert.{alert.kind}", "timestamp": data["emitted_at"], "data": data})


def test_payload(subscription_id: str) -> tuple[str, bytes]:
    """A (webhook-id, body) pair for ``subscribers test``: a fresh id each time."""
    msg_id = "test_" + _secrets.token_hex(8)
    body = _json_bytes({"type": "frontwatch.test", "timestamp": utc_now().isoformat(),
                        "data": {"subscription": subscription_id,
                                 "message": "frontwatch webhook test; no action needed"}})
    return msg_id, body


def make_client(policy: AddressPolicy, timeout: float, max_connections: int = 100) -> httpx.AsyncClient:
    """An HTTP client that never follows redirects, ignores proxy env vars and obeys ``policy``."""
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    return httpx.AsyncClient(transport=GuardedTransport(policy, limits), timeout=timeout,
                             follow_redirects=False, trust_env=False,
                             headers={"user-agent": USER_AGENT, "content-type": "application/json"})


async def send(client: httpx.AsyncClient, url: str, msg_id: str, body: bytes,
               secrets: Sequence[str], timeout: float) -> AttemptResult:
    """POST ``body`` signed with ``secrets``; never raises for what the endpoint does.

    ``timeout`` bounds the whole attempt (connect, send, reply), not each phase.
    """
    headers = sign_headers(msg_id, body, secrets)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            async with client.stream("POST", url, content=body, headers=headers) as response:
                received = 0
                async for chunk in response.aiter_raw():
                    received += len(chunk)
                    if received > MAX_RESPONSE_BYTES:
                        break
    except UnsafeURLError as exc:
        return AttemptResult("refused", time.perf_counter() - started, error=str(exc))
    except (TimeoutError, httpx.TimeoutException):
        return AttemptResult("timeout", time.perf_counter() - started, error=f"no answer within {timeout:g}s")
    except httpx.HTTPError as exc:
        return AttemptResult("network_error", time.perf_counter() - started,
                             error=f"{type(exc).__name__}: {exc}"[:300])
    latency = time.perf_counter() - started
    status = response.status_code
    if is_success(status):
        return AttemptResult("success", latency, status)
    if status == 410:
        return AttemptResult("gone", latency, status)
    if status in THROTTLING_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after"), time.time())
        return AttemptResult("throttled", latency, status, retry_after=retry_after)
    return AttemptResult("http_error", latency, status)
