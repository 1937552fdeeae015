"""An httpx transport on aiohttp's connection pool and C HTTP parser (llhttp).

httpx stays the client (requests, headers, cookies, errors); this transport replaces httpcore,
h11 and anyio underneath. Guarantees kept: every address checked by the address policy (all of
a name's addresses when it resolves, and again the very address each socket connects to: no
DNS-rebinding gap, IP literals included), a read timeout per read (aiohttp's sock_read), the
connect timeout, bodies handed up undecoded (auto_decompress off: fetch.body bounds decoding),
no redirects followed (the fetcher follows them by hand), no proxy from the environment, no
cookie jar of its own (httpx keeps the cookies), TLS verified with the given context, at most
`per_origin` connections per origin. Imported only on the fetch path.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx

from scraper.fetch import noctx  # noqa: F401  (aiohttp without its import-time CA loading)

# isort: split
import aiohttp
from aiohttp.abc import ResolveResult
from yarl import URL

from scraper.fetch.policy import NO_SUCH_NAME, AddressPolicy, BlockedAddressError, ResolveError, TLSContext

_Addr = tuple[Any, ...]


class _GuardedResolver(aiohttp.ThreadedResolver):
    """Resolves a name and refuses it when any of its addresses is forbidden."""

    def __init__(self, policy: AddressPolicy) -> None:
        super().__init__()
        self.policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        try:
            found = await super().resolve(host, port, family)
        except OSError as exc:
            code = exc.errno if isinstance(exc, socket.gaierror) else None
            raise ResolveError(f"cannot resolve {host}: {exc.strerror or exc}", code in NO_SUCH_NAME) from exc
        for info in found:
            refusal = self.policy.refusal(ipaddress.ip_address(info["host"].split("%")[0]))
            if refusal:
                raise BlockedAddressError(f"refused to connect to {host}: {refusal}")
        return found


def _socket_factory(policy: AddressPolicy) -> Any:
    def make(addr_info: _Addr) -> socket.socket:
        family, kind, proto, _, address = addr_info
        refusal = policy.refusal(ipaddress.ip_address(str(address[0]).split("%")[0]))
        if refusal:
            raise BlockedAddressError(f"refused to connect to {address[0]}: {refusal}")
        sock = socket.socket(family=family, type=kind, proto=proto)
        sock.setblocking(False)
        return sock

    return make


class _Body(httpx.AsyncByteStream):
    def __init__(self, resp: aiohttp.ClientResponse) -> None:
        self.resp = resp

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.resp.content.iter_any():
                yield chunk
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise _error(exc, read=True) from exc

    async def aclose(self) -> None:
        self.resp.release()  # back to the pool when read to its end, else the connection closes


def _error(exc: Exception, read: bool = False) -> httpx.TransportError:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(str(exc) or "connect timed out")
    if isinstance(exc, TimeoutError):  # aiohttp's read timeout (sock_read), a TimeoutError
        return httpx.ReadTimeout(str(exc) or "timed out")
    if isinstance(exc, aiohttp.ClientConnectorError) and not isinstance(
        exc.os_error, BlockedAddressError | ResolveError
    ):
        err = exc.os_error  # (asyncio's text repeats the address: the system's words for its errno)
        reason = os.strerror(err.errno) if err.errno else err.strerror or str(err) or type(err).__name__
        return httpx.ConnectError(f"{exc.host}:{exc.port}: {reason}")
    if isinstance(exc, BlockedAddressError | ResolveError | aiohttp.ClientConnectorError):
        return httpx.ConnectError(str(exc))
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(str(exc) or type(exc).__name__)
    if isinstance(exc, aiohttp.ClientResponseError):
        return httpx.RemoteProtocolError(str(exc))
    if isinstance(exc, aiohttp.InvalidURL | ValueError):
        return httpx.UnsupportedProtocol(str(exc))
    return (httpx.ReadError if read else httpx.ConnectError)(str(exc) or type(exc).__name__)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session per address policy (a request's "scraper.allow_private" extension
    picks it), each with its own connector. An https request is given the verifying context
    (made on first use); the connector's own default, never used, trusts nothing (fetch.noctx)."""

    def __init__(self, policy: AddressPolicy, per_origin: int, tls: TLSContext | None = None) -> None:
        self.policy = policy
        self.per_origin = per_origin
        self.tls = tls or TLSContext()
        self.sessions: dict[bool, aiohttp.ClientSession] = {}
        self.timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}

    def _session(self, allow: bool) -> aiohttp.ClientSession:
        policy = self.policy if allow == self.policy.allow_private else AddressPolicy(allow)
        connector = aiohttp.TCPConnector(
            limit=0,  # (the fetcher bounds the requests in flight)
            limit_per_host=self.per_origin,
            resolver=_GuardedResolver(policy),
            socket_factory=_socket_factory(policy),
            keepalive_timeout=5.0,  # httpx's keep-alive expiry
            happy_eyeballs_delay=None,
        )
        session = self.sessions[allow] = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
            auto_decompress=False,
            trust_env=False,
            skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent"),
            max_line_size=65536,
            max_field_size=65536,
        )
        return session

    def _timeout(self, extensions: dict[str, Any]) -> aiohttp.ClientTimeout:
        t = extensions.get("timeout", {})
        key = (t.get("connect"), t.get("read"), t.get("pool"))
        found = self.timeouts.get(key)
        if found is None:
            connect, read, _ = key
            found = self.timeouts[key] = aiohttp.ClientTimeout(
                total=None, sock_connect=connect, sock_read=read
            )
        return found

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        allow = bool(request.extensions.get("scraper.allow_private", self.policy.allow_private))
        session = self.sessions.get(allow) or self._session(allow)
        url = request.url
        data = await request.aread() if request.method not in ("GET", "HEAD") else None
        try:
            resp = await session.request(
                request.method,
                URL(str(url), encoded=True),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
                data=data or None,
                allow_redirects=False,
                timeout=self._timeout(request.extensions),
                ssl=self.tls.get() if url.scheme == "https" else True,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise _error(exc) from exc
        return httpx.Response(
            resp.status,
            headers=resp.raw_headers,
            stream=_Body(resp),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (resp.reason or "").encode()},
        )

    async def aclose(self) -> None:
        for session in self.sessions.values():
            await session.close()
        self.sessions.clear()


class Routed(httpx.AsyncBaseTransport):
    """HTTP/1.1 through aiohttp; https through httpcore when HTTP/2 is on (aiohttp speaks 1.1
    only, and httpx asks for HTTP/2 on TLS only). httpcore's transport (fetch.guard, with
    httpcore, h11 and anyio) is loaded at the first https request: a crawl of http:// sites
    never loads it."""

    def __init__(self, policy: AddressPolicy, per_origin: int, http2: bool) -> None:
        self.policy, self.per_origin, self.tls = policy, per_origin, TLSContext()
        self.http1 = AiohttpTransport(policy, per_origin, self.tls)
        self.want_http2 = http2
        self.http2: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.want_http2 and request.url.scheme == "https":
            if self.http2 is None:
                from scraper.fetch.guard import PerOriginTransport

                self.http2 = PerOriginTransport(self.policy, self.per_origin, http2=True, tls=self.tls)
            return await self.http2.handle_async_request(request)
        return await self.http1.handle_async_request(request)

    async def aclose(self) -> None:
        try:
            await self.http1.aclose()
        finally:
            if self.http2 is not None:
                await self.http2.aclose()
