"""Which addresses the fetcher may connect to, checked at connect time after DNS resolution.

The check sits in the network backend under httpx, so it holds for every connection: the first
request, each redirect hop, and any name that resolves to a private address (DNS rebinding
included: the socket is opened to the address that was checked, not to a fresh lookup).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from typing import Any

# isort: split
from scraper.fetch import notrio  # noqa: F401  (httpcore without trio, before httpx)

# isort: split
import anyio
import httpcore
import httpx
from httpcore import _synchronization
from httpcore._backends.anyio import AnyIOStream
from httpcore._utils import is_socket_readable

from scraper.fetch.policy import NO_SUCH_NAME, AddressPolicy, BlockedAddressError, ResolveError, TLSContext


class _Blocked(BlockedAddressError, httpcore.ConnectError):
    """The policy's refusal as httpcore's connect error (httpx maps it, keeping it as the cause)."""


class _Unresolved(ResolveError, httpcore.ConnectError):
    """A failed lookup as httpcore's connect error."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host, refuses forbidden addresses, connects to the address it checked."""

    def __init__(self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout) if timeout else _nullcontext():
                infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError as exc:
            raise _Unresolved(f"cannot resolve {host}: timed out", permanent=False) from exc
        except OSError as exc:
            code = exc.errno if isinstance(exc, socket.gaierror) else None
            raise _Unresolved(f"cannot resolve {host}: {exc.strerror or exc}", code in NO_SUCH_NAME) from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for addr in addresses:
            refusal = self.policy.refusal(ipaddress.ip_address(addr.split("%")[0]))
            if refusal:
                raise _Blocked(f"refused to connect to {host}: {refusal}")
        last: Exception | None = None
        for addr in addresses:
            try:
                stream = await self.inner.connect_tcp(addr, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
                continue
            return _Stream(stream._stream) if type(stream) is AnyIOStream else stream
        raise last or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class _Stream(AnyIOStream):
    """httpcore's anyio stream, with the same timeouts and errors for less work per request:
    each read or write is bounded by an asyncio timeout (not an anyio cancel scope), and the
    pool's check of an idle connection (is the server closing it?) polls the socket found once
    instead of building the stream's attributes (and asking the peer's address) each time."""

    def __init__(self, stream: anyio.abc.ByteStream) -> None:
        super().__init__(stream)
        self._sock = stream.extra(anyio.abc.SocketAttribute.raw_socket, None)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._stream.receive(max_bytes=max_bytes)
        except anyio.EndOfStream:
            return b""
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(exc) from exc
        except (anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
            raise httpcore.ReadError(exc) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                await self._stream.send(item=buffer)
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(exc) from exc
        except (anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
            raise httpcore.WriteError(exc) from exc

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return is_socket_readable(self._sock)
        if info == "socket":
            return self._sock
        return super().get_extra_info(info)


def _lock_setup(lock: _synchronization.AsyncLock) -> None:
    """httpcore's connection locks (taken two or three times per request, nearly always free) as
    anyio locks that take a free lock without a trip round the event loop (anyio's
    `fast_acquire`): cancellation is still checked on acquiring, a held lock still waits in
    turn; only the yield to other tasks goes, which cost each request a loop iteration per lock."""
    _setup(lock)
    if lock._backend == "asyncio":
        lock._anyio_lock = anyio.Lock(fast_acquire=True)


# httpcore 1.0's lazy lock set-up; a release without it keeps its own locks
if hasattr(_synchronization.AsyncLock, "setup"):
    _setup = _synchronization.AsyncLock.setup
    _synchronization.AsyncLock.setup = _lock_setup  # type: ignore[method-assign,assignment]


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def guarded_transport(
    policy: AddressPolicy, limits: httpx.Limits, http2: bool = True, ssl_context: ssl.SSLContext | None = None
) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections go through the address policy. Proxy settings
    from the environment are not used: a proxy would connect on our behalf, unchecked."""
    context = ssl_context or httpx.create_ssl_context(trust_env=False)
    transport = httpx.AsyncHTTPTransport(verify=context, http2=http2, limits=limits, trust_env=False)
    # httpx takes no network backend: its pool is replaced by one built with ours
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=http2,
        network_backend=GuardedBackend(policy),
    )
    return transport


class PerOriginTransport(httpx.AsyncBaseTransport):
    """One small connection pool per origin behind the one shared client. httpcore's pool
    checks every connection it holds on each request; with one pool for many hosts that
    bookkeeping outgrew the requests themselves."""

    def __init__(
        self, policy: AddressPolicy, per_origin: int, http2: bool = True, tls: TLSContext | None = None
    ) -> None:
        self.policy = policy  # the default; a request's "scraper.allow_private" extension overrides it
        self.limits = httpx.Limits(max_connections=per_origin, max_keepalive_connections=per_origin)
        self.http2 = http2
        self.tls = tls or TLSContext()
        self.pools: dict[tuple[bytes, bytes, int | None, bool], httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        allow = bool(request.extensions.get("scraper.allow_private", self.policy.allow_private))
        key = (request.url.raw_scheme, request.url.raw_host, request.url.port, allow)
        pool = self.pools.get(key)
        if pool is None:
            policy = self.policy if allow == self.policy.allow_private else AddressPolicy(allow)
            pool = self.pools[key] = guarded_transport(policy, self.limits, self.http2, self.tls.get())
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self.pools.values():
            await pool.aclose()
        self.pools.clear()
