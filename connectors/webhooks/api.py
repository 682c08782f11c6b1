"""The subscriptions HTTP API: JSON over WSGI, bearer-token auth.

    GET    /v1/subscriptions            list (never secrets)
    POST   /v1/subscriptions            create; the response holds the secret, once
    GET    /v1/subscriptions/{id}       one subscription
    DELETE /v1/subscriptions/{id}       remove it and its queued deliveries
    POST   /v1/subscriptions/{id}/test  send a signed test event now, report the outcome
"""
from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable

from pydantic import ValidationError

from connectors.webhooks.ssrf import UnsafeURLError
from connectors.webhooks.subscriptions import SubscriptionRequest, Subscriptions, UnknownSubscription

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
PREFIX = "/v1/subscriptions"


class HttpError(Exception):
    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status


def api_app(subscriptions: Subscriptions, token: str) -> Callable:
    """A WSGI app over ``subscriptions``; every request needs ``Authorization: Bearer <token>``."""
    if not token:
        raise ValueError("the API needs a non-empty bearer token")
    expected = f"Bearer {token}".encode()

    def app(environ, start_response):
        try:
            offered = environ.get("HTTP_AUTHORIZATION", "").encode()
            if not hmac.compare_digest(offered, expected):
                raise HttpError("401 Unauthorized", "missing or wrong bearer token")
            status, payload = _route(subscriptions, environ)
        except HttpError as exc:
            status, payload = exc.status, {"error": str(exc)}
        body = b"" if payload is None else json.dumps(payload).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        if status.startswith("401"):
            headers.append(("WWW-Authenticate", "Bearer"))
        start_response(status, headers)
        return [body]

    return app


def _route(subs: Subscriptions, environ) -> tuple[str, object]:
    method = environ["REQUEST_METHOD"]
    path = environ.get("PATH_INFO", "").rstrip("/")
    if not path.startswith(PREFIX):
        raise HttpError("404 Not Found", "no such resource")
    parts = [p for p in path[len(PREFIX):].split("/") if p]
    try:
        if not parts and method == "GET":
            return "200 OK", [s.public() for s in subs.list()]
        if not parts and method == "POST":
            request = SubscriptionRequest.model_validate_json(_read_body(environ))
            sub, secret = subs.create(request)
            log.info("subscription %s created via API", sub.id)
            return "201 Created", {**sub.public(), "secret": secret}
        if len(parts) == 1 and method == "GET":
            return "200 OK", subs.get(parts[0]).public()
        if len(parts) == 1 and method == "DELETE":
            subs.remove(parts[0])
            log.info("subscription %s removed via API", parts[0])
            return "204 No Content", None
        if len(parts) == 2 and parts[1] == "test" and method == "POST":
            result = subs.test(parts[0])
            return "200 OK", {"outcome": result.outcome, "status": result.status, "error": result.error,
                              "latency_ms": round(result.latency * 1000, 1)}
    except UnknownSubscription as exc:
        raise HttpError("404 Not Found", f"no subscription {exc}") from exc
    except ValidationError as exc:
        raise HttpError("400 Bad Request", "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors())) from exc
    except UnsafeURLError as exc:
        raise HttpError("400 Bad Request", str(exc)) from exc
    raise HttpError("405 Method Not Allowed", f"{method} not allowed on {path}")


def _read_body(environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise HttpError("400 Bad Request", "bad Content-Length") from exc
    if length > MAX_BODY:
        raise HttpError("413 Content Too Large", f"body over {MAX_BODY} bytes")
    return environ["wsgi.input"].read(length)
