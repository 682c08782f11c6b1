"""The demo/test receiver: verifies signatures, accepts each webhook-id once, summarises alerts."""
from __future__ import annotations

import httpx
import pytest
from webhook_helpers import make_alert

from connectors.webhooks.receiver import Receiver, summarise
from connectors.webhooks.sender import alert_payload
from connectors.webhooks.signing import generate_secret, sign_headers


def post(rx: Receiver, msg_id: str, body: bytes, secret: str) -> int:
    return httpx.post(rx.url, content=body, headers=sign_headers(msg_id, body, [secret])).status_code


def test_receiver_verifies_dedups_and_summarises():
    secret = generate_secret()
    lines: list[str] = []
    body = alert_payload(make_alert(1))
    with Receiver(secret, echo=lines.append) as rx:
        assert post(rx, "alert-0001", body, secret) == 204
        assert post(rx, "alert-0001", body, secret) == 204  # duplicate: acknowledged, not accepted twice
        assert post(rx, "alert-0002", body, generate_secret()) == 401  # forged
        assert [a["id"] for a in rx.alerts] == ["alert-0001"]
        assert rx.duplicates == ["alert-0001"] and rx.rejected == 1
        assert [(r.webhook_id, r.status, r.verified) for r in rx.requests] == [
            ("alert-0001", 204, True), ("alert-0001", 204, True), ("alert-0002", 401, False)]
        with pytest.raises(TimeoutError):
            rx.wait_for(lambda alerts: len(alerts) == 2, timeout=0.2)
    assert lines[0] == ('[high] rebels within 20 km of Damascus  (confidence 0.80)\n'
                        '    evidence: "the rebels are now within 20 kilometres of Damascus" (Hassan Abdel Ghani)')
    assert "duplicate alert-0001" in lines[1]


def test_summary_of_a_test_event():
    assert summarise({"type": "frontwatch.test", "data": {"subscription": "sub_1"}}) == "test event for sub_1"
