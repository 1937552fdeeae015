"""The HTTP fetcher: one shared httpx.AsyncClient, polite and impossible to wedge.

Per URL: robots.txt (protego, Crawl-delay included), global and per-host concurrency limits
with a per-host delay, conditional requests (ETag/Last-Modified), redirects followed by hand
(capped, loops detected, http/https only, every hop through the address policy), a read timeout
per read *and* a total deadline per response, bodies bounded after decoding, retries with
tenacity (Retry-After honoured up to a cap, else exponential backoff with jitter), and a
circuit breaker that gives up a host that keeps failing while the others go on.
Clock and sleep are injectable, so tests never wait out real delays.
"""

from __future__ import annotations

import asyncio
import email.utils
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpx
import sniffio
import tenacity

from scraper.fetch import robots, urls
from scraper.fetch.body import BodyTooLarge, UnsupportedEncoding, read_bounded
from scraper.fetch.config import FetchConfig, HostProfile, Validators
from scraper.fetch.errors import FetchError, Permanent, Retryable, Skipped
from scraper.fetch.policy import AddressPolicy, ResolveError, blocked_reason, cause
from scraper.model import Response, content_charset, http_reason
from scraper.settings import CRAWL_DELAY_CAP

RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
TEXT_TYPES = (  # (the types a page, feed or sitemap comes as, or an archive of one)
    *("text/", "application/xhtml", "application/xml", "application/rss", "application/atom"),
    *("application/rdf", "application/json", "application/feed+json", "application/x-gzip"),
    *("application/gzip", "application/octet-stream"),
)


@dataclass
class _Host:
    slots: asyncio.Semaphore
    pacing: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    delay: float = 0.0
    failures: int = 0
    given_up: str | None = None
    min_delay: float = 0.0  # the source's own delay
    allow_private: bool = False
    robots: robots.Verdict | None = None  # None: not read yet


Sleep = Callable[[float], Awaitable[None]]
OnResponse = Callable[[str, "Response"], None]  # (URL asked for, final response): the archive
ALLOW_PRIVATE = "scraper.allow_private"  # request extension read by PerOriginTransport
NETWORK = frozenset({"dns", "connect", "tls", "timeout", "transfer"})  # the host, not the page


class Fetcher:
    def __init__(
        self,
        config: FetchConfig | None = None,
        validators: Validators | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        transport: httpx.AsyncBaseTransport | None = None,
        on_response: OnResponse | None = None,
    ) -> None:
        self.config = config = config or FetchConfig()
        self.validators = validators
        self.on_response = on_response
        self.clock, self.sleep, self.now = clock, sleep, now
        policy = AddressPolicy(config.allow_private)
        from scraper.fetch.aio import Routed  # (aiohttp: loaded when a fetcher is made, not before)

        self.client = httpx.AsyncClient(
            transport=transport or Routed(policy, config.per_host + 1, config.http2),
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            follow_redirects=False,
            headers={"User-Agent": config.user_agent, "Accept-Encoding": "gzip, deflate, br"},
            trust_env=False,
        )
        self.client._cookies = _Cookies()  # kept as httpx keeps them, for less work per response
        self.slots = asyncio.Semaphore(config.concurrency)
        self.hosts: dict[str, _Host] = {}
        self.requests = 0
        self._timeouts = self.client.timeout.as_dict()

    async def __aenter__(self) -> Fetcher:
        # httpcore and anyio ask sniffio for the loop several times a request: answered from this
        # task's context (its tasks copy it), not from asyncio's current task (a getpid each)
        sniffio.current_async_library_cvar.set("asyncio")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    # -- public --------------------------------------------------------------------------------

    async def get(self, url: str, conditional: bool = True, profile: HostProfile | None = None) -> Response:
        """Fetch one URL, or raise Skipped / Retryable / Permanent with a reason. `profile`
        overrides the configuration's address policy, per-host limit and delay."""
        problem = urls.problem(url)
        if problem:
            raise Permanent("scheme" if "http(s)" in problem else "bad-url", f"{problem}: {url[:200]}")
        host = self._host(url, profile)
        if host.given_up:
            raise Permanent("host-given-up", host.given_up)
        if self.config.robots and not await self._robots_allow(url, host):
            raise Skipped("robots", "disallowed by robots.txt")
        headers: dict[str, str] = {}
        if conditional and self.validators is not None:
            etag, modified = self.validators.validators(url)
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        try:
            response = await self._attempts(url, host, headers, profile)
        except FetchError as exc:
            if isinstance(exc, Retryable) or exc.reason in NETWORK:
                host.failures += 1
                if host.failures >= self.config.breaker:
                    host.given_up = f"{_origin(url)} given up for this run after {host.failures} failures"
            raise
        host.failures = 0
        if self.on_response is not None and not response.not_modified:
            self.on_response(url, response)
        return response

    # -- one attempt ---------------------------------------------------------------------------

    async def _attempts(
        self, url: str, host: _Host, headers: dict[str, str], profile: HostProfile | None
    ) -> Response:
        """The first attempt made directly (most succeed); one that is to be retried is handed
        to tenacity as its own first attempt, failed, so the retries (their number, waits and
        the error raised at the end) are tenacity's, as if it had made them all."""
        try:
            return await self._attempt(url, host, headers, profile)
        except Retryable as exc:
            first: Retryable | None = exc

        async def attempt() -> Response:
            nonlocal first
            if first is not None:
                failed, first = first, None
                raise failed
            return await self._attempt(url, host, headers, profile)

        response: Response = await self._retrying()(attempt)
        return response

    def _retrying(self) -> tenacity.AsyncRetrying:
        return tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self.config.attempts),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(Retryable),
            sleep=self.sleep,
            reraise=True,
        )

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Retryable) and exc.retry_after is not None:
            return min(max(exc.retry_after, 0.0), self.config.retry_after_cap)
        jitter = tenacity.wait_exponential_jitter(self.config.backoff_initial, self.config.backoff_max)
        return float(jitter(state))

    async def _attempt(
        self, url: str, host: _Host, headers: dict[str, str], profile: HostProfile | None
    ) -> Response:
        # the host's slot first: a request waiting for a busy host must not hold a global slot
        async with host.slots, self.slots:
            if host.given_up:  # decided while this request waited for its slot
                raise Permanent("host-given-up", host.given_up)
            await self._pace(host)
            return await self._follow(url, headers, host, profile)

    async def _pace(self, host: _Host) -> None:
        async with host.pacing:
            wait = host.next_start - self.clock()
            if wait > 0:
                await self.sleep(wait)
            host.next_start = self.clock() + max(self.config.delay, host.delay, host.min_delay)

    async def _follow(
        self, url: str, headers: dict[str, str], host: _Host, profile: HostProfile | None
    ) -> Response:
        """Follow redirects by hand: every hop a valid http(s) URL, through the address policy,
        allowed by its own host's robots.txt, not seen before in this chain."""
        seen = {url}
        for _ in range(self.config.max_redirects + 1):
            response, location = await self._one(url, headers, host.allow_private)
            if location is None:
                assert response is not None
                return response
            try:
                nxt = urljoin(url, location)
            except ValueError:
                raise Permanent("bad-redirect", f"redirect to an invalid URL: {location[:200]!r}") from None
            problem = urls.problem(nxt)
            if problem:
                raise Permanent(
                    "redirect-scheme" if "http(s)" in problem else "bad-redirect",
                    f"redirect to {nxt[:200]!r}: {problem}",
                )
            if nxt in seen:
                raise Permanent("redirect-loop", f"redirect loop back to {nxt}")
            seen.add(nxt)
            host = self._host(nxt, profile)
            if host.given_up:
                raise Permanent("host-given-up", host.given_up)
            if self.config.robots and not await self._robots_allow(nxt, host):
                raise Skipped("robots", f"redirected to {nxt[:200]}, which robots.txt disallows")
            url = nxt
            headers = {}  # validators belong to the first URL
        raise Permanent("redirects", f"more than {self.config.max_redirects} redirects")

    async def _one(
        self, url: str, headers: dict[str, str], allow_private: bool
    ) -> tuple[Response | None, str | None]:
        self.requests += 1
        try:
            async with asyncio.timeout(self.config.total_timeout):
                request = self._request(url, headers, allow_private)
                resp = await self.client.send(request, stream=True)
                try:
                    return await self._handle(url, resp)
                finally:
                    await resp.aclose()
        except TimeoutError:
            raise Retryable(
                "timeout", f"no complete response within {self.config.total_timeout:g} s"
            ) from None
        except httpx.TimeoutException as exc:
            raise Retryable("timeout", f"timed out ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise _failure(exc) from None

    def _request(self, url: str, headers: dict[str, str], allow_private: bool) -> httpx.Request:
        """client.build_request's request (no base URL or parameters are set), without its
        copies of the client's headers, cookies and timeout."""
        merged = httpx.Headers(self.client.headers) if headers else self.client.headers
        merged.update(headers)
        ext = {ALLOW_PRIVATE: allow_private, "timeout": self._timeouts}
        return httpx.Request("GET", url, headers=merged, cookies=self.client.cookies or None, extensions=ext)

    async def _handle(self, url: str, resp: httpx.Response) -> tuple[Response | None, str | None]:
        status = resp.status_code
        if status in REDIRECT_STATUS:
            location = resp.headers.get("location")
            if not location:
                raise Permanent("bad-redirect", f"HTTP {status} without a Location header")
            await _drain(resp)
            return None, location.strip()
        if status == 304:
            await _drain(resp)
            return Response(url, 304, "", None, b""), None
        if status in RETRY_STATUS:
            raise Retryable(http_reason(status), f"HTTP {status}", self._retry_after(resp))
        if status >= 400:
            raise Permanent(http_reason(status), f"HTTP {status}")
        ctype = resp.headers.get("content-type", "")
        media = ctype.split(";")[0].strip().lower()
        if media and not media.startswith(TEXT_TYPES) and not media.endswith(("+xml", "+json")):
            raise Skipped("content-type", f"not a text document ({media})")
        length = resp.headers.get("content-length", "")
        if (
            length.isdigit()
            and int(length) > self.config.max_bytes
            and "content-encoding" not in resp.headers
        ):
            raise Permanent(
                "too-large", f"body of {int(length):,} bytes is over the {self.config.max_bytes:,} limit"
            )
        try:
            body = await read_bounded(
                resp.aiter_raw(), resp.headers.get("content-encoding", ""), self.config.max_bytes
            )
        except BodyTooLarge as exc:
            raise Permanent("too-large", str(exc)) from None
        except UnsupportedEncoding as exc:
            raise Permanent("encoding", str(exc)) from None
        charset = content_charset(ctype)
        return Response(
            url, status, media, charset, body, resp.headers.get("etag"), resp.headers.get("last-modified")
        ), None

    def _retry_after(self, resp: httpx.Response) -> float | None:
        value = resp.headers.get("retry-after", "").strip()
        if not value:
            return None
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - self.now()).total_seconds())

    # -- hosts and robots.txt -----------------------------------------------------------------

    def _host(self, url: str, profile: HostProfile | None = None) -> _Host:
        """A host's limits come from the first request to it (its source's profile)."""
        key = _origin(url)
        host = self.hosts.get(key)
        if host is None:
            if profile is None:
                profile = HostProfile(self.config.allow_private, self.config.per_host, self.config.delay)
            host = self.hosts[key] = _Host(
                asyncio.Semaphore(profile.per_host),
                min_delay=profile.delay,
                allow_private=profile.allow_private or self.config.allow_private,
            )
        return host

    async def _robots_allow(self, url: str, host: _Host) -> bool:
        """Whether robots.txt lets us fetch `url`; raises the host's failure when its robots.txt
        could not be read (RFC 9309: the host is not crawled in this run)."""
        if host.robots is None:
            async with host.pacing:  # one robots.txt fetch per host, even with many callers
                if host.robots is None:
                    robots_url = _origin(url) + "/robots.txt"

                    async def once(u: str) -> tuple[Response | None, str | None]:
                        return await self._one(u, {}, host.allow_private)  # one try: next run

                    verdict, response = await robots.load(robots_url, once)
                    if response is not None and self.on_response is not None:
                        self.on_response(robots_url, response)
                    if verdict.rules is not None:
                        delay = verdict.rules.crawl_delay(self.config.user_agent)
                        host.delay = min(float(delay), CRAWL_DELAY_CAP) if delay else 0.0
                    host.robots = verdict
        return host.robots.allows(url, self.config.user_agent)

    async def robots_sitemaps(self, url: str, profile: HostProfile | None = None) -> list[str]:
        """The Sitemap: lines of a site's robots.txt (a robots.txt URL used as a source)."""
        host = self._host(url, profile)
        await self._robots_allow(url, host)
        assert host.robots is not None
        return host.robots.sitemaps


class _Cookies(httpx.Cookies):
    """The client's cookie jar, as httpx keeps it (cookies set by a response are sent back);
    a response without a Set-Cookie (or Set-Cookie2) header is not handed to the standard
    library's jar, which would build a request and a response adapter only to find nothing."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers or "set-cookie2" in response.headers:
            super().extract_cookies(response)


def _failure(exc: httpx.HTTPError) -> FetchError:
    """A transport error as a fetch failure with its own reason: blocked-address, dns, tls,
    connect, timeout, bad-url, transfer. Retried: connect, timeout, transfer and a name that
    may resolve later."""
    refused = blocked_reason(exc)
    if refused:
        return Permanent("blocked-address", refused)
    resolve = cause(exc, ResolveError)
    if isinstance(resolve, ResolveError):
        return (Permanent if resolve.permanent else Retryable)("dns", str(resolve))
    if isinstance(exc, httpx.TimeoutException):
        return Retryable("timeout", f"timed out ({type(exc).__name__})")
    tls = cause(exc, (ssl.SSLError, ssl.CertificateError))
    if tls is not None:
        return Permanent("tls", f"TLS failed: {tls}")
    if isinstance(exc, httpx.ConnectError):
        return Retryable("connect", f"cannot connect: {exc or type(exc).__name__}")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Permanent("bad-url", str(exc))
    return Retryable("transfer", f"{type(exc).__name__}: {exc}")


async def _drain(resp: httpx.Response, limit: int = 64 * 1024) -> None:
    """Read a small body to its end, so the connection goes back to the pool (a response
    closed unread closes its connection: a 304 would cost a new connection each)."""
    read = 0
    try:
        async for chunk in resp.aiter_raw():
            read += len(chunk)
            if read > limit:
                return  # not worth it: let the connection close
    except httpx.HTTPError:
        return


def _origin(url: str) -> str:
    return urls.origin(url)
