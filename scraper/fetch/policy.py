"""Which addresses the fetcher may connect to, and the TLS context it verifies with: shared by
its transports (fetch.aio for HTTP/1.1, fetch.guard for httpcore's HTTP/2), loading neither.

Each transport checks the policy where it connects (after DNS resolution, on the address the
socket is opened to: DNS rebinding included) and raises these errors, found again by `cause`
in the chain of the httpx error the fetcher sees.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from dataclasses import dataclass

import httpx

# Cloud metadata endpoints: never contacted, whatever the options.
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254", "192.0.0.192")
)


class BlockedAddressError(Exception):
    """A connection refused by the address policy (not retried)."""


class ResolveError(Exception):
    """The host name did not resolve; `permanent`: the name does not exist (no point retrying)."""

    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


# getaddrinfo answers that mean the name does not exist (EAI_NODATA is not defined everywhere)
NO_SUCH_NAME = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME), socket.EAI_FAIL}


@dataclass(frozen=True)
class AddressPolicy:
    """allow_private: private and loopback networks may be contacted (tests, intranets).
    Link-local, multicast, reserved and metadata addresses are refused regardless."""

    allow_private: bool = False

    def refusal(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip in METADATA:
            return f"{ip} is a cloud metadata address"
        if ip.is_unspecified or ip.is_multicast or ip.is_link_local:
            return f"{ip} is a link-local, multicast or unspecified address"
        if ip.is_global:
            return None
        if self.allow_private and (ip.is_private or ip.is_loopback):
            return None
        return f"{ip} is a private, loopback or reserved address (see --allow-private)"


def cause(
    exc: BaseException, kind: type[BaseException] | tuple[type[BaseException], ...]
) -> BaseException | None:
    """The first exception of `kind` in the chain of causes of `exc`."""
    cur: BaseException | None = exc
    for _ in range(32):  # chains are short; a cycle must not loop
        if cur is None:
            return None
        if isinstance(cur, kind):
            return cur
        cur = cur.__cause__ or cur.__context__
    return None


def blocked_reason(exc: BaseException) -> str | None:
    """The refusal message when an httpx error was caused by the address policy."""
    found = cause(exc, BlockedAddressError)
    return str(found) if found is not None else None


class TLSContext:
    """httpx's TLS context (certifi's roots, certificates and host names verified), made once on
    first use and shared: loading the roots takes ms, and a crawl of http:// sites needs none."""

    def __init__(self) -> None:
        self._context: ssl.SSLContext | None = None

    def get(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = httpx.create_ssl_context(trust_env=False)
        return self._context
