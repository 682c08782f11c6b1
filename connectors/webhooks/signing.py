"""Standard Webhooks signatures: what the dispatcher sends and what subscribers check.

The HMAC itself is the ``standardwebhooks`` package's (so our signatures are exactly what
its verifier and other Standard Webhooks libraries accept); this module adds what that
package lacks for us: several secrets at once (rotation), an explicit clock and timestamp
tolerance, and headers built from the exact body bytes that go on the wire.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import secrets as _secrets
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone

from standardwebhooks import Webhook, WebhookVerificationError

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_SECONDS = 300.0


class VerificationError(WebhookVerificationError):
    """The request is not a genuine, fresh webhook from the holder of the secret."""


def generate_secret(nbytes: int = 32) -> str:
    """A new signing secret, ``whsec_`` + base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(nbytes)).decode("ascii")


def validate_secret(secret: str) -> str:
    """Return the secret if it is ``whsec_`` + non-empty base64 of at least 16 bytes."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("secret must start with 'whsec_'")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("secret must be 'whsec_' followed by base64") from exc
    if len(key) < 16:
        raise ValueError("secret must hold at least 16 bytes of key material")
    return secret


def _signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, computed by ``standardwebhooks``."""
    when = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return Webhook(secret).sign(msg_id=msg_id, timestamp=when, data=body.decode("utf-8"))


def sign_headers(msg_id: str, body: bytes, secrets: Iterable[str], timestamp: int | None = None) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body``; one signature per active secret."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    signatures = [_signature(s, msg_id, ts, body) for s in secrets]
    if not signatures:
        raise ValueError("at least one secret is needed to sign")
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": " ".join(signatures),
    }


def verify(body: bytes, headers: Mapping[str, str], secrets: str | Iterable[str], *,
           tolerance: float = DEFAULT_TOLERANCE_SECONDS, now: float | None = None) -> str:
    """Check a received webhook; return its ``webhook-id`` or raise ``VerificationError``.

    ``secrets`` may hold several secrets (the subscriber's side of a rotation): any one
    matching any ``v1`` signature in the header is enough. Timestamps further than
    ``tolerance`` seconds from ``now`` are refused, so a captured request cannot be
    replayed later. Comparisons are constant-time.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id = lower.get("webhook-id")
    raw_ts = lower.get("webhook-timestamp")
    raw_sigs = lower.get("webhook-signature")
    if not (msg_id and raw_ts and raw_sigs):
        raise VerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        ts = int(raw_ts)
    except ValueError as exc:
        raise VerificationError("webhook-timestamp is not an integer") from exc
    try:
        body.decode("utf-8")  # what we sign is always UTF-8 JSON; standardwebhooks signs text
    except UnicodeDecodeError as exc:
        raise VerificationError("body is not UTF-8") from exc
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance:
        raise VerificationError("webhook-timestamp outside the tolerance (replayed or clock skew)")
    offered = []
    for entry in raw_sigs.split():
        version, _, sig = entry.partition(",")
        if version != "v1":
            continue
        try:
            offered.append(base64.b64decode(sig, validate=True))
        except (binascii.Error, ValueError):
            continue
    for secret in [secrets] if isinstance(secrets, str) else list(secrets):
        expected = base64.b64decode(_signature(secret, msg_id, ts, body).partition(",")[2])
        # compare against every offered signature, so timing does not reveal which matched
        if sum(hmac.compare_digest(expected, sig) for sig in offered):
            return msg_id
    raise VerificationError("no matching signature")
