"""SSRF guard: webhook URLs must not reach the dispatcher's own network.

A subscriber chooses the URL, so without a guard anyone who can add a subscription can
make the dispatcher POST to ``http://169.254.169.254/`` (cloud metadata), to loopback
admin ports or into the private network. Addresses are checked twice: when a
subscription is created (``check_url``, a clear error for the operator) and on every
connection (``GuardedBackend``), which resolves the host itself, checks every address
and connects to the checked address, so a DNS answer that changes between check and
use (DNS rebinding) cannot slip through. Redirects are never followed.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata endpoints outside the link-local range (AWS IPv6, Alibaba).
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200"))


class UnsafeURLError(ValueError):
    """A webhook URL that is malformed or points at an address the policy refuses."""


@dataclass(frozen=True)
class AddressPolicy:
    """Which destination addresses are acceptable.

    By default only public unicast addresses are. ``allow_loopback`` (tests, the local
    demo) and ``allow_private`` (RFC 1918, unique-local, carrier-grade NAT) open those
    ranges; ``allowed_networks`` opens specific CIDRs, and is the only way to reach
    link-local or metadata addresses.
    """

    allow_loopback: bool = False
    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = field(default=())

    @classmethod
    def build(cls, allow_loopback: bool = False, allow_private: bool = False,
              allowed_networks: Iterable[str] = ()) -> "AddressPolicy":
        return cls(allow_loopback, allow_private,
                   tuple(ipaddress.ip_network(n, strict=False) for n in allowed_networks))

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` is refused, or None when it is acceptable."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if any(address in net for net in self.allowed_networks):
            return None
        if address in METADATA_ADDRESSES:
            return "a cloud metadata address"
        if address.is_loopback:
            return None if self.allow_loopback else "a loopback address"
        if address.is_link_local:
            return "a link-local address (incl. cloud metadata 169.254.169.254)"
        if address.is_unspecified or address.is_multicast or address.is_reserved:
            return "not a unicast address"
        if address.is_private or address in _SHARED_ADDRESS_SPACE:
            return None if self.allow_private else "a private address"
        if not address.is_global:
            return "not a globally routable address"
        return None

    def check_addresses(self, host: str, addresses: Iterable[str]) -> list[str]:
        """Return the addresses if all are acceptable, else raise ``UnsafeURLError``."""
        checked = []
        for raw in addresses:
            reason = self.refusal(ipaddress.ip_address(raw.split("%", 1)[0]))
            if reason:
                raise UnsafeURLError(f"{host} resolves to {raw}, {reason}; refused by the SSRF guard")
            checked.append(raw)
        if not checked:
            raise UnsafeURLError(f"{host} does not resolve")
        return checked


_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def split_url(url: str) -> tuple[str, int]:
    """Host and port of an http(s) URL; raise ``UnsafeURLError`` for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURLError(f"{url!r}: only http and https URLs are accepted")
    if not parts.hostname:
        raise UnsafeURLError(f"{url!r}: no host")
    if parts.username or parts.password:
        raise UnsafeURLError(f"{url!r}: credentials in the URL are not accepted")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURLError(f"{url!r}: bad port") from exc
    return parts.hostname, port


def check_url(url: str, policy: AddressPolicy) -> None:
    """Refuse (``UnsafeURLError``) a URL whose host resolves to any refused address."""
    host, port = split_url(url)
    try:
        addresses = _resolve(host, port)
    except socket.gaierror as exc:
        raise UnsafeURLError(f"{host} does not resolve ({exc.strerror})") from exc
    policy.check_addresses(host, addresses)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that resolves, checks, then connects to a checked address.

    TLS still verifies the certificate against the URL's host name: httpcore passes the
    origin host as SNI/server_hostname, not the address we connect to.
    """

    def __init__(self, policy: AddressPolicy):
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = await asyncio.get_running_loop().run_in_executor(None, _resolve, host, port)
        except socket.gaierror as exc:  # a network failure, retried like any other
            raise httpcore.ConnectError(f"{host} does not resolve ({exc.strerror})") from exc
        last_error: Exception | None = None
        for address in self._policy.check_addresses(host, addresses):
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout,
                                                     local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error  # type: ignore[misc]  # check_addresses never returns an empty list

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise UnsafeURLError("unix sockets are not webhook destinations")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, with its connection pool built on ``GuardedBackend``.

    httpx does not take a network backend as an argument, so the pool is rebuilt here
    with the same limits; requests and error mapping stay httpx's.
    """

    def __init__(self, policy: AddressPolicy, limits: httpx.Limits):
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )
