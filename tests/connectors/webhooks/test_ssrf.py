"""SSRF guard: refused at subscription time and at connection time, allowed only by config."""
from __future__ import annotations

import asyncio

import pytest

from connectors.webhooks.receiver import Receiver
from connectors.webhooks.sender import make_client, send
from connectors.webhooks.signing import generate_secret
from connectors.webhooks.ssrf import AddressPolicy, UnsafeURLError, check_url

STRICT = AddressPolicy()


@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.1:8080/hook", "loopback"),
    ("http://[::1]/hook", "loopback"),
    ("http://localhost:9000/hook", "loopback"),  # a host name that resolves to loopback
    ("http://10.1.2.3/hook", "private"),
    ("http://192.168.0.10/hook", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),  # IPv4-mapped IPv6
    ("http://0.0.0.0/hook", "unicast"),
    ("http://100.100.100.200/", "metadata"),
])
def test_internal_destinations_are_refused(url, reason):
    with pytest.raises(UnsafeURLError, match=reason):
        check_url(url, STRICT)


@pytest.mark.parametrize("url", ["ftp://8.8.8.8/x", "file:///etc/passwd", "http://user:pw@8.8.8.8/", "http:///nohost"])
def test_only_plain_http_urls_are_accepted(url):
    with pytest.raises(UnsafeURLError):
        check_url(url, STRICT)


def test_public_addresses_pass_and_config_opens_ranges_explicitly():
    check_url("https://8.8.8.8/hook", STRICT)
    check_url("http://127.0.0.1:8080/hook", AddressPolicy(allow_loopback=True))
    check_url("http://10.1.2.3/hook", AddressPolicy(allow_private=True))
    with pytest.raises(UnsafeURLError):  # allowing loopback does not allow private ranges
        check_url("http://10.1.2.3/hook", AddressPolicy(allow_loopback=True))
    with pytest.raises(UnsafeURLError):  # nor metadata; that needs an explicit network
        check_url("http://169.254.169.254/", AddressPolicy(allow_loopback=True, allow_private=True))
    check_url("http://169.254.169.254/", AddressPolicy.build(allowed_networks=["169.254.0.0/16"]))


def test_connection_time_guard_refuses_loopback_even_if_never_checked_before():
    """The transport checks what it connects to: nothing reaches the receiver."""
    secret = generate_secret()

    async def attempt(policy: AddressPolicy, url: str):
        async with make_client(policy, timeout=2) as client:
            return await send(client, url, "alert-ssrf", b"{}", [secret], timeout=2)

    with Receiver(secret) as rx:
        host_url = rx.url.replace("127.0.0.1", "localhost")
        refused = asyncio.run(attempt(STRICT, host_url))
        assert refused.outcome == "refused" and "loopback" in refused.error
        assert rx.requests == []
        allowed = asyncio.run(attempt(AddressPolicy(allow_loopback=True), host_url))
        assert allowed.outcome == "success" and allowed.status == 204
        assert [r.webhook_id for r in rx.requests] == ["alert-ssrf"]
