"""Fetch and clean: URLs, feeds, sitemaps, robots.txt (and, for `scraper run`, local files)
in; clean Markdown files out.

Every URL is fetched once per run (duplicates are reported as skipped), whichever source
reached it first. Feeds that carry the full article are cleaned from the item content; other
items, and sitemap entries, are fetched. An input identical to the one the current output was
cleaned from is not cleaned again. A document's state (validators, hashes, output path) is
recorded only after its file is written, so an interrupted run leaves the rest to the next.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from cleaners.records import count_by_category
from scraper.fetch.config import FetchConfig, HostProfile
from scraper.fetch.errors import FetchError, FetchProblem, Skipped
from scraper.jobs.workers import Written
from scraper.model import Response, SourceDocument
from scraper.sources.discover import classify, feed_items, sitemap_links
from scraper.store.state import StateStore, UrlRecord
from scraper.store.writer import url_stem

CleanWrite = Callable[[SourceDocument, Path, str, str], Awaitable[Written]]


class PageSource(Protocol):
    """The network (scraper.fetch.client.Fetcher) or the archive (scraper.store.replay.ArchiveFetcher)."""

    config: FetchConfig

    async def get(
        self, url: str, conditional: bool = True, profile: HostProfile | None = None
    ) -> Response: ...

    async def robots_sitemaps(self, url: str, profile: HostProfile | None = None) -> list[str]: ...


@dataclass(frozen=True)
class Origin:
    """The source a URL was reached from: its name, rules and limits."""

    name: str = ""
    rules: str = ""  # key of the cleaning options (CleanerPool)
    profile: HostProfile | None = None
    max_pages: int = 1000


@dataclass
class FetchOutcome:
    url: str
    status: str  # ok | not_modified | skipped | error
    kind: str = "page"  # page | item | file | feed | sitemap | robots
    reason: str | None = None
    error: str | None = None
    output: str | None = None
    changed: bool = False
    created: bool = False  # the output file did not exist before
    found_in: str | None = None
    origin: str = ""  # the source's name (scraper run)
    counts: dict[str, int] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    fingerprint: str | None = None

    def to_json(self) -> dict[str, Any]:
        removed = count_by_category(()) | self.counts
        return {
            "url": self.url,
            "input": self.url,
            "kind": self.kind,
            "output": self.output,
            "status": self.status,
            "reason": self.reason,
            "error": self.error,
            "removed": removed,
            "original_source": self.source or {"name": None, "url": None},
        }


def normalize(url: str) -> str:
    """The URL a document is known by: no fragment, lower-case host, no default port."""
    p = urlsplit(url.strip())
    host = (p.hostname or "").lower()
    port = p.port
    netloc = host if port is None or (p.scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    if p.username:
        netloc = f"{p.username}@{netloc}"
    return urlunsplit((p.scheme.lower(), netloc, p.path or "/", p.query, ""))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class FetchJob:
    fetcher: PageSource
    clean: CleanWrite  # cleans and writes one document (see scraper.jobs.workers.CleanerPool)
    out_dir: Path
    state: StateStore | None = None
    max_pages: int = 1000
    on_outcome: Callable[[FetchOutcome], None] | None = None
    force: bool = False  # clean every input again, ask nothing conditionally (reclean)
    # a page whose sitemap <lastmod> (or feed date) has not changed since it was last checked is
    # not asked for again until this many seconds have passed (then conditionally)
    revalidate: float = 24 * 3600.0
    replay: Callable[[str], Response | None] | None = None  # last archived body, for a 304
    outcomes: list[FetchOutcome] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _pages: dict[str, int] = field(default_factory=dict)
    _idle: asyncio.Event = field(default_factory=asyncio.Event)
    _failure: BaseException | None = None

    async def run(self, seeds: list[str], origin: Origin | None = None) -> list[FetchOutcome]:
        """Fetch the seeds (and what they lead to) until nothing is left."""
        self.start()
        for url in seeds:
            self.add_url(url, origin or Origin(max_pages=self.max_pages))
        return await self.wait()

    def start(self) -> None:
        self._idle = asyncio.Event()
        self._idle.set()

    async def wait(self) -> list[FetchOutcome]:
        await self._idle.wait()
        if self._failure is not None:
            raise self._failure  # the steps never raise; a bug must not pass silently
        return sorted(self.outcomes, key=lambda o: (o.url, o.kind))

    def add_url(self, url: str, origin: Origin) -> None:
        self._schedule(url, None, None, origin)

    def add_feed_file(self, name: str, body: bytes, origin: Origin) -> None:
        """A feed read from a local file: its items, as if it had been fetched."""
        self._spawn(self._feed(name, body, "", None, origin, None, None))

    def add_file(self, doc: SourceDocument, stem: str, origin: Origin) -> None:
        """A local document (known by its name), written to `stem`."""
        if doc.name in self._seen:
            self.report(FetchOutcome(doc.name, "skipped", "file", "duplicate", origin=origin.name))
            return
        self._seen.add(doc.name)
        self._spawn(self._document(doc.name, doc, "file", None, origin, stem=stem))

    # -- scheduling ------------------------------------------------------------------------------

    def _spawn(self, step: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(step)
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None and self._failure is None:
            self._failure = task.exception()
        if not self._tasks:
            self._idle.set()

    def report(self, outcome: FetchOutcome) -> None:
        self.outcomes.append(outcome)
        if self.on_outcome:
            self.on_outcome(outcome)

    def _schedule(
        self, url: str, found_in: str | None, kind: str | None, origin: Origin, listed: str | None = None
    ) -> None:
        p = urlsplit(url.strip())
        if p.scheme not in ("http", "https") or not p.hostname:
            self.report(
                FetchOutcome(
                    url, "error", kind or "page", "scheme", f"not an http(s) URL: {url}", origin=origin.name
                )
            )
            return
        key = normalize(url)
        if key in self._seen:
            if found_in is not None:
                self.report(
                    FetchOutcome(
                        key, "skipped", kind or "page", "duplicate", found_in=found_in, origin=origin.name
                    )
                )
            return
        self._seen.add(key)
        if kind == "page" and found_in is not None:  # pages found in feeds and sitemaps
            taken = self._pages.get(origin.name, 0)
            if taken >= origin.max_pages:
                self.report(
                    FetchOutcome(
                        key,
                        "skipped",
                        "page",
                        "max-pages",
                        f"over max_pages {origin.max_pages}",
                        origin=origin.name,
                    )
                )
                return
            self._pages[origin.name] = taken + 1
        self._spawn(self._process(key, found_in, kind, origin, listed))

    # -- one URL ---------------------------------------------------------------------------------

    async def _process(
        self, url: str, found_in: str | None, kind: str | None, origin: Origin, listed: str | None = None
    ) -> None:
        if urlsplit(url).path == "/robots.txt":  # a robots.txt as a source: its Sitemap lines
            try:
                sitemaps = await self.fetcher.robots_sitemaps(url, origin.profile)
            except FetchError as exc:
                self.report(
                    FetchOutcome(
                        url, "error", "robots", exc.reason, exc.message, found_in=found_in, origin=origin.name
                    )
                )
                return
            for sitemap in sitemaps:
                self._schedule(sitemap, url, "sitemap", origin)
            reason = None if sitemaps else "no-sitemaps"
            self.report(FetchOutcome(url, "ok", "robots", reason, found_in=found_in, origin=origin.name))
            return
        known = self.state.get(url) if self.state else None
        if self._listed_unchanged(known, listed):
            assert known is not None and self.state is not None
            self.state.record(url, kind="page", status=known.last_status or "ok")
            self.report(
                FetchOutcome(
                    url,
                    "not_modified",
                    "page",
                    "listed-unchanged",
                    output=known.output,
                    found_in=found_in,
                    origin=origin.name,
                )
            )
            return
        conditional = not self.force and known is not None and known.kind in ("page", "feed", "sitemap")
        try:
            resp = await self.fetcher.get(url, conditional=conditional, profile=origin.profile)
        except FetchProblem as exc:
            failed = not isinstance(exc, Skipped)
            if self.state and failed:
                self.state.record(
                    url, kind=kind or "page", status=f"error:{exc.reason}", failed=True, checked=True
                )
            self.report(
                FetchOutcome(
                    url,
                    "error" if failed else "skipped",
                    kind or "page",
                    exc.reason,
                    exc.message,
                    found_in=found_in,
                    origin=origin.name,
                )
            )
            return
        if resp.not_modified and known is not None and known.kind in ("feed", "sitemap"):
            # the feed did not change, but the pages it lists may have: read it from the archive
            again = self.replay(url) if self.replay else None
            if again is None:
                again = await self._refetch(url, found_in, kind, origin)
                if again is None:
                    return
            resp = again
        if resp.not_modified:
            if self.state:
                self.state.record(url, kind="page", status="not_modified", checked=True, listed=listed)
            output = known.output if known else None
            self.report(
                FetchOutcome(
                    url, "not_modified", "page", output=output, found_in=found_in, origin=origin.name
                )
            )
            return
        what = classify(resp.url, resp.content_type, resp.body)
        if what == "sitemap":
            await self._sitemap(url, resp, found_in, origin)
        elif what == "feed":
            await self._feed(
                url, resp.body, resp.content_type, found_in, origin, resp.etag, resp.last_modified
            )
        else:
            doc = SourceDocument(
                url, resp.body, url=resp.url, content_type=resp.content_type, charset=resp.charset
            )
            await self._document(
                url, doc, "page", found_in, origin, resp.etag, resp.last_modified, listed=listed
            )

    def _listed_unchanged(self, known: UrlRecord | None, listed: str | None) -> bool:
        """Its listing date is the one it had when last checked, recently, and its output is
        on disk: no need to ask."""
        return (
            not self.force
            and listed is not None
            and known is not None
            and self.state is not None
            and known.kind == "page"
            and known.listed == listed
            and known.checked is not None
            and self.state.clock() - known.checked < self.revalidate
            and known.last_status in ("ok", "not_modified")
            and bool(known.output)
            and Path(known.output or "").exists()
        )

    async def _refetch(
        self, url: str, found_in: str | None, kind: str | None, origin: Origin
    ) -> Response | None:
        try:
            return await self.fetcher.get(url, conditional=False, profile=origin.profile)
        except FetchProblem as exc:
            self.report(
                FetchOutcome(
                    url,
                    "error",
                    kind or "feed",
                    exc.reason,
                    exc.message,
                    found_in=found_in,
                    origin=origin.name,
                )
            )
            return None

    async def _sitemap(self, url: str, resp: Response, found_in: str | None, origin: Origin) -> None:
        try:
            pages, children = sitemap_links(resp.body, self.fetcher.config.max_bytes)
        except Exception as exc:  # a broken sitemap is reported, the run goes on
            self.report(
                FetchOutcome(
                    url, "error", "sitemap", "sitemap", f"unreadable sitemap: {exc}", origin=origin.name
                )
            )
            return
        for child in children:
            self._schedule(child, url, "sitemap", origin)
        for page, lastmod in pages:
            self._schedule(page, url, "page", origin, lastmod)
        if self.state:
            self.state.record(
                url, kind="sitemap", status="ok", etag=resp.etag, last_modified=resp.last_modified
            )
        self.report(FetchOutcome(url, "ok", "sitemap", found_in=found_in, origin=origin.name))

    async def _feed(
        self,
        url: str,
        body: bytes,
        media_type: str,
        found_in: str | None,
        origin: Origin,
        etag: str | None,
        modified: str | None,
    ) -> None:
        items = feed_items(body, url, media_type)
        for item in items:
            if item.content is None:
                if item.link:
                    self._schedule(item.link, url, "page", origin, item.updated)
                continue
            key = normalize(item.link) if item.link else f"{url}#item-{sha256(item.content.encode())[:12]}"
            if key in self._seen:
                self.report(
                    FetchOutcome(key, "skipped", "item", "duplicate", found_in=url, origin=origin.name)
                )
                continue
            self._seen.add(key)
            doc = SourceDocument(
                key,
                item.content.encode("utf-8"),
                url=item.link or (url if url.startswith(("http://", "https://")) else None),
                fragment=True,
                meta=item.meta,
            )
            await self._document(key, doc, "item", url, origin)
        if self.state and urlsplit(url).scheme in ("http", "https"):
            self.state.record(url, kind="feed", status="ok", etag=etag, last_modified=modified)
        self.report(FetchOutcome(url, "ok", "feed", found_in=found_in, origin=origin.name))

    async def _document(
        self,
        url: str,
        doc: SourceDocument,
        kind: str,
        found_in: str | None,
        origin: Origin,
        etag: str | None = None,
        modified: str | None = None,
        stem: str | None = None,
        listed: str | None = None,
    ) -> None:
        checked = kind == "page"  # asked for over HTTP just now
        # what the output depends on besides the rules: the bytes, where they came from, metadata
        body_sha = sha256(doc.data + f"\n{doc.url}\n{sorted((doc.meta or {}).items())!r}".encode())
        same = None if self.force or self.state is None else self.state.same_input(url, body_sha)
        if same is not None:  # cleaned from this very input last time, and still on disk
            assert self.state is not None
            self.state.record(
                url, kind=kind, status="ok", etag=etag, last_modified=modified, checked=checked, listed=listed
            )
            self.report(
                FetchOutcome(
                    url,
                    "ok",
                    kind,
                    "unchanged-input",
                    output=same.output,
                    found_in=found_in,
                    origin=origin.name,
                )
            )
            return
        done = await self.clean(doc, self.out_dir, stem or url_stem(url), origin.rules)
        if done.error is not None:
            reason, _, message = done.error.partition(": ")
            if self.state:
                self.state.record(
                    url, kind=kind, status=f"error:{reason}", failed=True, checked=checked, listed=None
                )
            self.report(
                FetchOutcome(url, "error", kind, reason, message, found_in=found_in, origin=origin.name)
            )
            return
        if self.state:
            self.state.record(
                url,
                kind=kind,
                status="ok",
                etag=etag,
                last_modified=modified,
                content_sha256=done.sha256,
                body_sha256=body_sha,
                fingerprint=done.fingerprint,
                output=done.output,
                markdown=done.markdown,
                checked=checked,
                listed=listed,
            )
        self.report(
            FetchOutcome(
                url,
                "ok",
                kind,
                output=done.output,
                changed=done.changed,
                created=done.created,
                found_in=found_in,
                origin=origin.name,
                counts=done.counts,
                source=done.source,
                fingerprint=done.fingerprint,
            )
        )
