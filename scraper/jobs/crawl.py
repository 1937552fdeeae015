"""Fetch and clean: URLs, feeds, sitemaps, robots.txt (and, for `scraper run`, local files)
in; clean Markdown files out.

Every URL is fetched once per run, within its source's bounds (the frontier). Feeds that carry
the full article are cleaned from the item content once every listing is read (the page wins
over an item's copy: see frontier and listings); other items, and sitemap entries, are fetched.
What need not be asked for, cleaned or written again is decided by the incremental policy, from
the state store; every output gets a name no other URL holds (store.names). Cleaning happens
off the event loop (`clean`: the worker pool); writing happens here, in the main process, off
the event loop too; a document's state is recorded only after its files are written, so an
interrupted run leaves the rest to the next. Records are committed a group at a time, and each
outcome is reported only once its record is committed (jobs.commits).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from scraper.fetch.config import FetchConfig, HostProfile
from scraper.fetch.errors import FetchProblem, Skipped
from scraper.jobs.commits import Commits, FileBatches
from scraper.jobs.frontier import LISTING_KINDS, Bound, Frontier, Origin
from scraper.jobs.incremental import UNREAD, Incremental, Unread, input_digest
from scraper.jobs.listings import Held, ListingSteps
from scraper.model import DocKind, Failed, Kind, Outcome, Rendered, Response, SourceDocument, Status
from scraper.settings import MAX_PAGES, REVALIDATE_HOURS
from scraper.sources.discover import classify, is_robots_url
from scraper.store.names import Names, NameTaken
from scraper.store.state import StateStore, UrlRecord, Written
from scraper.store.writer import WriteResult, url_stem

# cleans one document for <stem>.md with the options of a rules key (jobs.workers.CleanerPool)
Clean = Callable[[SourceDocument, str, str], Awaitable[Rendered | Failed]]


class PageSource(Protocol):
    """The network (scraper.fetch.client.Fetcher) or the archive (scraper.store.replay.ArchiveFetcher)."""

    config: FetchConfig

    async def get(
        self, url: str, conditional: bool = True, profile: HostProfile | None = None
    ) -> Response: ...

    async def robots_sitemaps(self, url: str, profile: HostProfile | None = None) -> list[str]: ...


@dataclass
class FetchJob(ListingSteps):
    fetcher: PageSource
    clean: Clean
    out_dir: Path
    state: StateStore | None = None
    max_pages: int = MAX_PAGES
    on_outcome: Callable[[Outcome], None] | None = None
    force: bool = False  # clean every input again, ask nothing conditionally (reclean)
    # a page whose sitemap <lastmod> (or feed date) has not changed since it was last checked is
    # not asked for again until this many seconds have passed (then conditionally)
    revalidate: float = REVALIDATE_HOURS * 3600
    replay: Callable[[str], Response | None] | None = None  # last archived body, for a 304
    outcomes: list[Outcome] = field(default_factory=list)
    frontier: Frontier = field(default_factory=Frontier)
    policy: Incremental = field(init=False)
    names: Names = field(init=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _idle: asyncio.Event = field(default_factory=asyncio.Event)
    _failure: BaseException | None = None
    _held: list[Held] = field(default_factory=list)
    _commits: Commits | None = None
    _files: FileBatches = field(default_factory=FileBatches)
    _writing: int = 0  # tasks waiting for their document's files (jobs.commits.FileBatches)

    def __post_init__(self) -> None:
        self.policy = Incremental(self.state, self.force, self.revalidate)
        self.names = Names(self.out_dir, self.state)
        if self.state is not None:
            self._commits = Commits(self.state, self._tell, self._fail)

    async def run(self, seeds: list[str], origin: Origin | None = None) -> list[Outcome]:
        """Fetch the seeds (and what they lead to) until nothing is left."""
        self.start()
        for url in seeds:
            self.add_url(url, origin or Origin(max_pages=self.max_pages))
        return await self.wait()

    def start(self) -> None:
        self._idle = asyncio.Event()
        self._idle.set()

    async def wait(self) -> list[Outcome]:
        """Until nothing is left: every listing read, then the feed items held back (in source
        order), then what they lead to."""
        while True:
            await self._idle.wait()
            if self._failure is not None:
                raise self._failure  # the steps never raise; a bug must not pass silently
            if not self._held:
                self._files.close()
                if self._commits is not None:
                    self._commits.flush()
                return sorted(self.outcomes, key=lambda o: (o.url, o.kind))
            held, self._held = sorted(self._held, key=lambda h: h.order), []
            for item in held:
                self._release(item, self._item)

    async def _item(self, held: Held) -> None:
        await self._document(held.key, held.doc, "item", held.found_in, held.origin, stem=held.stem)

    def add_url(self, url: str, origin: Origin) -> None:
        self._schedule(url, None, None, origin)

    def add_feed_file(self, name: str, body: bytes, origin: Origin) -> None:
        """A feed read from a local file: its items, as if it had been fetched."""
        self._spawn(self._feed(name, body, "", None, origin, 0))

    def add_file(self, doc: SourceDocument, stem: str, origin: Origin) -> None:
        """A local document (known by its name), written to `stem`."""
        if not self.frontier.claim(doc.name, "file"):
            self.report(Outcome(doc.name, "skipped", "file", "duplicate", origin=origin.name))
            return
        self._spawn(self._document(doc.name, doc, "file", None, origin, stem=stem))

    def report(self, outcome: Outcome) -> None:
        """An outcome, told once the records made so far are committed (jobs.commits)."""
        self.outcomes.append(outcome)
        if self._commits is not None:
            self._commits.add(outcome)
        else:
            self._tell(outcome)

    def _tell(self, outcome: Outcome) -> None:
        if self.on_outcome:
            self.on_outcome(outcome)

    def _fail(self, exc: BaseException) -> None:
        if self._failure is None:
            self._failure = exc

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
        elif len(self._tasks) == self._writing:  # no other document can join their batch
            self._files.send()

    def _schedule(
        self,
        url: str,
        found_in: str | None,
        kind: Kind | None,
        origin: Origin,
        listed: str | None = None,
        depth: int = 0,
    ) -> Bound | None:
        """Fetch `url` unless the frontier says otherwise; the bound it is over, if any."""
        admitted = self.frontier.admit(url, found_in, kind, origin, depth)
        if isinstance(admitted, Outcome):
            self.report(admitted)
        elif admitted in ("max-pages", "max-listings", "max-depth", "max-bytes"):
            return admitted  # type: ignore[return-value]
        elif admitted is not None:
            self._spawn(self._process(admitted, found_in, kind, origin, listed, depth))
        return None

    def _listing_done(self, url: str, kind: Kind, etag: str | None, modified: str | None) -> None:
        if urlsplit(url).scheme in ("http", "https"):
            self.policy.listing(url, kind, etag, modified)

    def _problem(
        self,
        url: str,
        kind: Kind,
        exc: FetchProblem,
        found_in: str | None,
        origin: Origin,
        record: bool = True,
    ) -> None:
        """A URL that could not be fetched: skipped (robots, content type …) or failed."""
        failed = not isinstance(exc, Skipped)
        if failed and record:
            self.policy.failed(url, kind, exc.reason)
        status: Status = "error" if failed else "skipped"
        self.report(
            Outcome(url, status, kind, exc.reason, exc.message, found_in=found_in, origin=origin.name)
        )

    # -- one URL ---------------------------------------------------------------------------------

    async def _process(
        self,
        url: str,
        found_in: str | None,
        kind: Kind | None,
        origin: Origin,
        listed: str | None,
        depth: int,
    ) -> None:
        if is_robots_url(url):  # a robots.txt as a source: its Sitemap lines
            await self._robots(url, found_in, origin, depth)
            return
        known = self.policy.known(url)
        if known is not None and self.policy.listed_unchanged(known, listed):
            self.policy.still_listed(url, known)
            self.report(
                Outcome(
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
        resp = await self._get(url, known, found_in, kind, origin)
        if resp is None:
            return
        if resp.not_modified:
            self.policy.not_modified(url, listed)
            output = known.output if known else None
            self.report(
                Outcome(url, "not_modified", "page", output=output, found_in=found_in, origin=origin.name)
            )
            return
        # a document left in the archive (reclean on Dask, jobs.refs) was classified there
        what = classify(resp.url, resp.content_type, resp.body) if resp.ref is None else "page"
        if what in ("sitemap", "feed") and kind not in LISTING_KINDS and not self.frontier.listing(origin):
            note = f"a {what} over max_listings {origin.max_listings}: not read"
            listing: Kind = "sitemap" if what == "sitemap" else "feed"
            self.report(
                Outcome(url, "skipped", listing, "max-listings", note, found_in=found_in, origin=origin.name)
            )
        elif what == "sitemap":
            await self._sitemap(url, resp, found_in, origin, depth)
        elif what == "feed":
            await self._feed(url, resp.body, resp.content_type, found_in, origin, depth, resp)
        else:
            doc = SourceDocument(
                url,
                resp.body,
                url=resp.url,
                content_type=resp.content_type,
                charset=resp.charset,
                ref=resp.ref,
            )
            await self._document(
                url, doc, "page", found_in, origin, resp.etag, resp.last_modified, listed=listed, known=known
            )

    async def _get(
        self, url: str, known: UrlRecord | None, found_in: str | None, kind: Kind | None, origin: Origin
    ) -> Response | None:
        """The response (conditional when the URL is known), or None when a problem was reported.
        A 304 on a feed or sitemap is answered from the archive: the pages it lists may have
        changed even when it did not."""
        conditional = self.policy.conditional(known)
        try:
            resp = await self.fetcher.get(url, conditional=conditional, profile=origin.profile)
        except FetchProblem as exc:
            self._problem(url, kind or "page", exc, found_in, origin)
            return None
        self.frontier.fetched(origin, resp.size)
        if not (resp.not_modified and known is not None and known.kind in ("feed", "sitemap")):
            return resp
        again = self.replay(url) if self.replay else None
        if again is not None:
            return again
        try:
            return await self.fetcher.get(url, conditional=False, profile=origin.profile)
        except FetchProblem as exc:
            self._problem(url, kind or "feed", exc, found_in, origin, record=False)
            return None

    # -- one document ----------------------------------------------------------------------------

    async def _document(
        self,
        url: str,
        doc: SourceDocument,
        kind: DocKind,
        found_in: str | None,
        origin: Origin,
        etag: str | None = None,
        modified: str | None = None,
        stem: str | None = None,
        listed: str | None = None,
        known: UrlRecord | Unread | None = UNREAD,
    ) -> None:
        """Clean a document (unless its input is the one its output was cleaned from) and write
        it (unless the output on record is these very bytes); then record it. `known`: its record,
        when the caller read it (no one else records this URL in the run: the frontier)."""
        if known is UNREAD:
            known = self.policy.known(url)
        digest = input_digest(doc)
        same = self.policy.same_input(known, digest)
        if same is not None:
            self.policy.done(url, kind, etag=etag, modified=modified, listed=listed)
            self.report(
                Outcome(
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
        try:
            stem = self.names.assign_known(url, stem or url_stem(url), known)
        except NameTaken as exc:
            self._failed(url, kind, Failed("name", str(exc)), found_in, origin)
            return
        result = await self.clean(doc, stem, origin.rules)
        if isinstance(result, Failed):
            self._failed(url, kind, result, found_in, origin)
            return
        output = self.names.output(stem)
        changed = created = False
        if not self.policy.unchanged_output(known, output, result):
            try:
                w = await self._write(stem, result)
            except OSError as exc:
                self._failed(
                    url,
                    kind,
                    Failed("write", f"cannot write output: {exc.strerror or exc}"),
                    found_in,
                    origin,
                )
                return
            changed, created = w.changed, w.created
        markdown = result.markdown.decode("utf-8") if changed else None  # a version, for audit --changes
        digest = result.input_sha256 or digest  # the cleaner read the body (a reference into the archive)
        written = Written(output, result.sha256, result.audit_sha256, result.fingerprint, digest, markdown)
        self.policy.done(url, kind, etag=etag, modified=modified, written=written, listed=listed)
        self.report(
            Outcome(
                url,
                "ok",
                kind,
                output=output,
                changed=changed,
                created=created,
                found_in=found_in,
                origin=origin.name,
                counts=result.counts,
                source=result.source,
                fingerprint=result.fingerprint,
            )
        )

    async def _write(self, stem: str, result: Rendered) -> WriteResult:
        """A document's files written and durable (in a batch with others: jobs.commits; at
        once when every other task waits for its files too: none of them makes a document)."""
        self._writing += 1
        try:
            last = self._writing == len(self._tasks)
            return await self._files.write(self.out_dir, stem, result.markdown, result.audit, last)
        finally:
            self._writing -= 1

    def _failed(self, url: str, kind: DocKind, failure: Failed, found_in: str | None, origin: Origin) -> None:
        self.policy.failed(url, kind, failure.reason, checked=kind == "page")
        self.report(
            Outcome(
                url, "error", kind, failure.reason, failure.message, found_in=found_in, origin=origin.name
            )
        )
