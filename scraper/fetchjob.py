"""`scraper fetch`: URLs, feeds, sitemaps and robots.txt in; clean Markdown files out.

Every URL is fetched once per run (duplicates are reported as skipped). Feeds that carry the
full article are cleaned from the item content; other items, and sitemap entries, are fetched.
A document's state (validators, content hash, output path) is recorded only after its file is
written, so an interrupted run leaves the rest to the next one.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cleaners.records import count_by_category
from scraper.net.client import Fetcher
from scraper.net.discover import classify, feed_items, sitemap_links
from scraper.net.errors import FetchError, Skipped
from scraper.pipeline import SourceDocument
from scraper.state import StateStore
from scraper.workers import Written
from scraper.writer import url_stem

CleanWrite = Callable[[SourceDocument, Path, str], Awaitable[Written]]


@dataclass
class FetchOutcome:
    url: str
    status: str  # ok | not_modified | skipped | error
    kind: str = "page"  # page | item | feed | sitemap | robots
    reason: str | None = None
    error: str | None = None
    output: str | None = None
    changed: bool = False
    found_in: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)

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


@dataclass
class FetchJob:
    fetcher: Fetcher
    clean: CleanWrite  # cleans and writes one document (see scraper.workers.CleanerPool)
    out_dir: Path
    state: StateStore | None = None
    max_pages: int = 1000
    on_outcome: Callable[[FetchOutcome], None] | None = None
    outcomes: list[FetchOutcome] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _pages: int = 0
    _idle: asyncio.Event = field(default_factory=asyncio.Event)
    _failure: BaseException | None = None

    async def run(self, seeds: list[str]) -> list[FetchOutcome]:
        self._idle = asyncio.Event()
        self._idle.set()
        for url in seeds:
            self._schedule(url, None, None)
        await self._idle.wait()
        if self._failure is not None:
            raise self._failure  # _process never raises; a bug must not pass silently
        return sorted(self.outcomes, key=lambda o: (o.url, o.kind))

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None and self._failure is None:
            self._failure = task.exception()
        if not self._tasks:
            self._idle.set()

    # -- scheduling ------------------------------------------------------------------------------

    def _report(self, outcome: FetchOutcome) -> None:
        self.outcomes.append(outcome)
        if self.on_outcome:
            self.on_outcome(outcome)

    def _schedule(self, url: str, found_in: str | None, kind: str | None) -> None:
        p = urlsplit(url.strip())
        if p.scheme not in ("http", "https") or not p.hostname:
            self._report(FetchOutcome(url, "error", kind or "page", "scheme", f"not an http(s) URL: {url}"))
            return
        key = normalize(url)
        if key in self._seen:
            if found_in is not None:
                self._report(FetchOutcome(key, "skipped", kind or "page", "duplicate", found_in=found_in))
            return
        self._seen.add(key)
        if kind == "page" and found_in is not None:  # pages found in feeds and sitemaps
            if self._pages >= self.max_pages:
                self._report(
                    FetchOutcome(key, "skipped", "page", "max-pages", f"over --max-pages {self.max_pages}")
                )
                return
            self._pages += 1
        task = asyncio.get_running_loop().create_task(self._process(key, found_in, kind))
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._done)

    # -- one URL ---------------------------------------------------------------------------------

    async def _process(self, url: str, found_in: str | None, kind: str | None) -> None:
        if urlsplit(url).path == "/robots.txt":  # a robots.txt as a source: its Sitemap lines
            try:
                sitemaps = await self.fetcher.robots_sitemaps(url)
            except FetchError as exc:
                self._report(FetchOutcome(url, "error", "robots", exc.reason, exc.message, found_in=found_in))
                return
            for sitemap in sitemaps:
                self._schedule(sitemap, url, "sitemap")
            reason = None if sitemaps else "no-sitemaps"
            self._report(FetchOutcome(url, "ok", "robots", reason, found_in=found_in))
            return
        known = self.state.get(url) if self.state else None
        conditional = known is not None and known.kind in ("page", None) and kind in (None, "page")
        try:
            resp = await self.fetcher.get(url, conditional=conditional)
        except Skipped as exc:
            self._report(
                FetchOutcome(url, "skipped", kind or "page", exc.reason, exc.message, found_in=found_in)
            )
            return
        except FetchError as exc:
            if self.state:
                self.state.record(url, kind=kind or "page", status=f"error:{exc.reason}", failed=True)
            self._report(
                FetchOutcome(url, "error", kind or "page", exc.reason, exc.message, found_in=found_in)
            )
            return
        if resp.not_modified:
            if self.state:
                self.state.record(url, kind="page", status="not_modified")
            output = known.output if known else None
            self._report(FetchOutcome(url, "not_modified", "page", output=output, found_in=found_in))
            return
        what = classify(resp.url, resp.content_type, resp.body)
        if what == "sitemap":
            await self._sitemap(url, resp.body, found_in)
        elif what == "feed":
            await self._feed(url, resp.body, resp.content_type, found_in)
        else:
            doc = SourceDocument(
                url, resp.body, url=resp.url, content_type=resp.content_type, charset=resp.charset
            )
            await self._document(url, doc, "page", found_in, resp.etag, resp.last_modified)

    async def _sitemap(self, url: str, body: bytes, found_in: str | None) -> None:
        try:
            pages, children = sitemap_links(body, self.fetcher.config.max_bytes)
        except Exception as exc:  # a broken sitemap is reported, the run goes on
            self._report(FetchOutcome(url, "error", "sitemap", "sitemap", f"unreadable sitemap: {exc}"))
            return
        for child in children:
            self._schedule(child, url, "sitemap")
        for page in pages:
            self._schedule(page, url, "page")
        if self.state:
            self.state.record(url, kind="sitemap", status="ok")
        self._report(FetchOutcome(url, "ok", "sitemap", found_in=found_in))

    async def _feed(self, url: str, body: bytes, media_type: str, found_in: str | None) -> None:
        items = feed_items(body, url, media_type)
        for item in items:
            if item.content is None:
                if item.link:
                    self._schedule(item.link, url, "page")
                continue
            key = (
                normalize(item.link)
                if item.link
                else f"{url}#item-{hashlib.sha256(item.content.encode()).hexdigest()[:12]}"
            )
            if key in self._seen:
                self._report(FetchOutcome(key, "skipped", "item", "duplicate", found_in=url))
                continue
            self._seen.add(key)
            doc = SourceDocument(
                key, item.content.encode("utf-8"), url=item.link or url, fragment=True, meta=item.meta
            )
            await self._document(key, doc, "item", url, None, None)
        if self.state:
            self.state.record(url, kind="feed", status="ok")
        self._report(FetchOutcome(url, "ok", "feed", found_in=found_in))

    async def _document(
        self,
        url: str,
        doc: SourceDocument,
        kind: str,
        found_in: str | None,
        etag: str | None,
        modified: str | None,
    ) -> None:
        done = await self.clean(doc, self.out_dir, url_stem(url))
        if done.error is not None:
            reason, _, message = done.error.partition(": ")
            if self.state:
                self.state.record(url, kind=kind, status=f"error:{reason}", failed=True)
            self._report(FetchOutcome(url, "error", kind, reason, message, found_in=found_in))
            return
        if self.state:
            self.state.record(
                url,
                kind=kind,
                status="ok",
                etag=etag,
                last_modified=modified,
                content_sha256=done.sha256,
                output=done.output,
                markdown=done.markdown,
            )
        self._report(
            FetchOutcome(
                url,
                "ok",
                kind,
                output=done.output,
                changed=done.changed,
                found_in=found_in,
                counts=done.counts,
                source=done.source,
            )
        )
