"""Standard Webhooks signatures: round trip, interop, rotation, replay protection."""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest
from standardwebhooks import Webhook

from connectors.webhooks.models import SigningSecret, Subscription
from connectors.webhooks.signing import VerificationError, generate_secret, sign_headers, validate_secret, verify

BODY = '{"type":"alert.band_crossing","data":{"situation":"SY:Damascus","quote":"Sa\'sa\' — 20 km"}}'.encode()


def test_signature_round_trip_and_header_shape():
    secret = generate_secret()
    headers = sign_headers("alert-1", BODY, [secret])
    assert headers["webhook-id"] == "alert-1"
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 5
    assert headers["webhook-signature"].startswith("v1,")
    assert verify(BODY, headers, secret) == "alert-1"


def test_interoperates_with_the_standardwebhooks_package():
    secret = generate_secret()
    ours = sign_headers("alert-2", BODY, [secret])
    assert Webhook(secret).verify(BODY, ours) == json.loads(BODY)
    theirs_sig = Webhook(secret).sign("alert-2", datetime.now(timezone.utc), BODY.decode())
    theirs = {"webhook-id": "alert-2", "webhook-timestamp": str(int(time.time())), "webhook-signature": theirs_sig}
    assert verify(BODY, theirs, secret) == "alert-2"


def test_tampered_body_wrong_secret_and_missing_headers_are_rejected():
    secret = generate_secret()
    headers = sign_headers("alert-3", BODY, [secret])
    with pytest.raises(VerificationError):
        verify(BODY + b" ", headers, secret)
    with pytest.raises(VerificationError):
        verify(BODY, headers, generate_secret())
    with pytest.raises(VerificationError):
        verify(BODY, {**headers, "webhook-id": "alert-4"}, secret)
    with pytest.raises(VerificationError, match="missing"):
        verify(BODY, {k: v for k, v in headers.items() if k != "webhook-signature"}, secret)


def test_replayed_old_timestamp_is_rejected_and_tolerance_is_configurable():
    secret = generate_secret()
    an_hour_ago = int(time.time()) - 3600
    old = sign_headers("alert-5", BODY, [secret], timestamp=an_hour_ago)
    with pytest.raises(VerificationError, match="tolerance"):
        verify(BODY, old, secret)
    assert verify(BODY, old, secret, tolerance=7200) == "alert-5"
    future = sign_headers("alert-5", BODY, [secret], timestamp=int(time.time()) + 3600)
    with pytest.raises(VerificationError):
        verify(BODY, future, secret)
    # the same check on an explicit clock
    assert verify(BODY, old, secret, now=an_hour_ago + 10) == "alert-5"


def test_rotation_sends_two_signatures_and_either_secret_verifies():
    old, new = generate_secret(), generate_secret()
    headers = sign_headers("alert-6", BODY, [new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert verify(BODY, headers, old) == "alert-6"  # subscriber not yet updated
    assert verify(BODY, headers, new) == "alert-6"  # subscriber already updated
    assert verify(BODY, headers, [generate_secret(), new]) == "alert-6"  # subscriber holding both
    assert Webhook(old).verify(BODY, headers) is not None  # the reference verifier agrees


def test_rotation_grace_period_decides_which_secrets_sign():
    sub = Subscription(id="sub_1", url="https://example.org/hook", created_at=0,
                       secrets=(SigningSecret(secret="whsec_new"), SigningSecret(secret="whsec_old", expires_at=100)))
    assert sub.signing_secrets(now=50) == ["whsec_new", "whsec_old"]
    assert sub.signing_secrets(now=100) == ["whsec_new"]


def test_malformed_signature_entries_are_ignored_not_fatal():
    secret = generate_secret()
    headers = sign_headers("alert-7", BODY, [secret])
    headers["webhook-signature"] = "v2,abc garbage v1,!!notbase64 " + headers["webhook-signature"]
    assert verify(BODY, headers, secret) == "alert-7"
    headers["webhook-signature"] = "v1,AAAA"
    with pytest.raises(VerificationError):
        verify(BODY, headers, secret)


def test_secrets_are_whsec_base64_and_validated():
    secret = generate_secret()
    assert secret.startswith("whsec_") and validate_secret(secret) == secret
    assert generate_secret() != secret
    for bad in ("nope", "whsec_***", "whsec_" + "QUJD"):  # not prefixed / not base64 / too short
        with pytest.raises(ValueError):
            validate_secret(bad)
