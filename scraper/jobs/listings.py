"""What a listing leads to: robots.txt Sitemap lines, sitemap entries, feed items.

Each listing schedules what it names one level deeper (`depth + 1`), at most MAX_ENTRIES of
them, and its own outcome says how many entries the source's bounds left out. A feed item that
carries the article is held back (`Held`) until the crawl has read every listing (see
frontier: the page wins over an item's copy).

Where a feed item's output goes, and what it is credited to, comes from where its bytes were
served. An item whose link is on the feed's own site is that page's copy: it is known by the
link, written where the page would be, `retrieved_from` its link. An item linking to another
site only claims that URL (`claimed_url` in the front matter and the audit record): it is
written under the feed (`<feed-host>/<feed>/<slug of the link>`), `retrieved_from` the feed,
cleaned with the feed as its page — the link never decides the path or, alone, the publisher.
A feed read from a local file is served by nobody: its items go to `<source name>/…`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scraper.fetch.errors import FetchError
from scraper.jobs.frontier import Bound, Frontier, Origin, left_out, normalize, same_site
from scraper.model import Kind, Outcome, Reason, Response, SourceDocument
from scraper.settings import MAX_ENTRIES
from scraper.sources.discover import FeedItem, feed_items, item_id, sitemap_links
from scraper.store.writer import url_stem


@dataclass(frozen=True)
class Held:
    """A feed item with the article, waiting until every listing is read."""

    order: tuple[int, str, int]  # (source rank, feed, position): the order items are taken in
    key: str  # what it is known by: its link (same site) or <feed>#item-<id>
    doc: SourceDocument
    stem: str  # its output name, before collisions are resolved
    found_in: str
    origin: Origin


def _item_slug(item: FeedItem) -> str:
    """A name for an item under its feed: the slug of its link, else its id."""
    if item.link and urlsplit(item.link).scheme in ("http", "https"):
        return url_stem(item.link).replace("/", "-")
    return f"item-{item_id(item.id or item.title or item.content or '')}"


def place_item(
    feed: str, served: str | None, item: FeedItem, origin: Origin
) -> tuple[str, SourceDocument, str]:
    """(key, document, output stem) of an item with content from the feed `feed` (an URL or
    a local file's name), whose bytes came from `served` (the feed's final URL; None: a file)."""
    assert item.content is not None
    meta = dict(item.meta)
    link = item.link if item.link and urlsplit(item.link).scheme in ("http", "https") else None
    if served is not None and link is not None and same_site(link, served):
        key = normalize(link)
        return (
            key,
            SourceDocument(key, item.content.encode(), url=link, fragment=True, meta=meta),
            url_stem(key),
        )
    ident = item.ident
    key = f"{normalize(feed) if served else feed}#item-{ident}"
    if link is not None:
        meta["claimed_url"] = link
    where = url_stem(served) if served else origin.name
    doc = SourceDocument(key, item.content.encode(), url=served, fragment=True, meta=meta)
    return key, doc, f"{where}/{_item_slug(item)}"


class ListingSteps:
    """The listing steps of a FetchJob (which provides these attributes)."""

    frontier: Frontier
    _held: list[Held]
    fetcher: Any

    def report(self, outcome: Outcome) -> None: ...

    def _schedule(
        self,
        url: str,
        found_in: str | None,
        kind: Kind | None,
        origin: Origin,
        listed: str | None = None,
        depth: int = 0,
    ) -> Bound | None: ...

    def _listing_done(self, url: str, kind: Kind, etag: str | None, modified: str | None) -> None: ...

    def _spawn(self, step: Coroutine[Any, Any, None]) -> None: ...

    def _listed(self, url: str, kind: Kind, found_in: str | None, origin: Origin, hits: Counter[str]) -> None:
        """The outcome of a listing read, with what its entries left out."""
        reason, note = left_out(dict(hits), origin)
        self.report(Outcome(url, "ok", kind, reason, note, found_in=found_in, origin=origin.name))

    def _entries(
        self,
        url: str,
        entries: list[tuple[str, Kind, str | None]],
        origin: Origin,
        depth: int,
        hits: Counter[str],
    ) -> None:
        """Schedule a listing's entries (URL, kind, listing date), at most MAX_ENTRIES."""
        if len(entries) > MAX_ENTRIES:
            hits["max-entries"] += len(entries) - MAX_ENTRIES
        for entry, kind, listed in entries[:MAX_ENTRIES]:
            bound = self._schedule(entry, url, kind, origin, listed, depth + 1)
            if bound is not None:
                hits[bound] += 1

    async def _robots(self, url: str, found_in: str | None, origin: Origin, depth: int) -> None:
        try:
            sitemaps = await self.fetcher.robots_sitemaps(url, origin.profile)
        except FetchError as exc:
            self.report(
                Outcome(
                    url, "error", "robots", exc.reason, exc.message, found_in=found_in, origin=origin.name
                )
            )
            return
        hits: Counter[str] = Counter()
        self._entries(url, [(s, "sitemap", None) for s in sitemaps], origin, depth, hits)
        if not sitemaps:
            hits.clear()
            self.report(Outcome(url, "ok", "robots", "no-sitemaps", found_in=found_in, origin=origin.name))
            return
        self._listed(url, "robots", found_in, origin, hits)

    async def _sitemap(
        self, url: str, resp: Response, found_in: str | None, origin: Origin, depth: int
    ) -> None:
        try:
            pages, children = sitemap_links(resp.body, self.fetcher.config.max_bytes)
        except Exception as exc:  # a broken sitemap is reported, the run goes on
            message = f"unreadable sitemap: {type(exc).__name__}: {exc}"[:500]
            self.report(Outcome(url, "error", "sitemap", "sitemap", message, origin=origin.name))
            return
        entries: list[tuple[str, Kind, str | None]] = [(c, "sitemap", None) for c in children]
        entries += [(page, "page", lastmod) for page, lastmod in pages]
        hits: Counter[str] = Counter()
        self._entries(url, entries, origin, depth, hits)
        self._listing_done(url, "sitemap", resp.etag, resp.last_modified)
        self._listed(url, "sitemap", found_in, origin, hits)

    async def _feed(
        self,
        url: str,
        body: bytes,
        media_type: str,
        found_in: str | None,
        origin: Origin,
        depth: int,
        served: Response | None = None,
    ) -> None:
        """A feed's items: links to fetch, and items with the article (held back)."""
        hits: Counter[str] = Counter()
        items = feed_items(body, served.url if served else url, media_type)
        if len(items) > MAX_ENTRIES:
            hits["max-entries"] += len(items) - MAX_ENTRIES
        links: list[tuple[str, Kind, str | None]] = []
        for position, item in enumerate(items[:MAX_ENTRIES]):
            if item.content is None:
                if item.link:
                    links.append((item.link, "page", item.updated))
                continue
            if depth + 1 > origin.max_depth:
                hits["max-depth"] += 1
                continue
            key, doc, stem = place_item(url, served.url if served else None, item, origin)
            self._held.append(Held((origin.rank, url, position), key, doc, stem, url, origin))
        self._entries(url, links, origin, depth, hits)
        if served is not None:
            self._listing_done(url, "feed", served.etag, served.last_modified)
        self._listed(url, "feed", found_in, origin, hits)

    def _release(self, held: Held, run: Callable[[Held], Coroutine[Any, Any, None]]) -> None:
        """An item taken once every listing is read: unless the page itself was fetched (or
        an earlier feed gave the same item), it is cleaned."""
        if self.frontier.claim(held.key, "item"):
            self._spawn(run(held))
            return
        why: Reason = "duplicate"
        taken = self.frontier.seen.get(held.key)
        note = "the page itself is fetched" if taken != "item" else "an earlier feed gave this item"
        self.report(
            Outcome(held.key, "skipped", "item", why, note, found_in=held.found_in, origin=held.origin.name)
        )
