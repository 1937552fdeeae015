"""The frontier of a crawl: which URLs are taken, each once per run, within each source's bounds.

A URL is known by its normalised form (no fragment, lower-case host, no default port), so the
same article reached through a feed, a sitemap and a URL list is fetched once, by whichever
source reached it first; the others report it as a duplicate. Pages found in feeds and
sitemaps count against their source's `max_pages`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from scraper.fetch.config import HostProfile
from scraper.model import Kind, Outcome
from scraper.settings import MAX_PAGES


@dataclass(frozen=True)
class Origin:
    """The source a URL was reached from: its name, rules and limits."""

    name: str = ""
    rules: str = ""  # key of the cleaning options (CleanerPool)
    profile: HostProfile | None = None
    max_pages: int = MAX_PAGES


def normalize(url: str) -> str:
    """The URL a document is known by: no fragment, lower-case host, no default port."""
    p = urlsplit(url.strip())
    host = (p.hostname or "").lower()
    port = p.port
    netloc = host if port is None or (p.scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    if p.username:
        netloc = f"{p.username}@{netloc}"
    return urlunsplit((p.scheme.lower(), netloc, p.path or "/", p.query, ""))


def item_key(feed: str, link: str | None, content: str) -> str:
    """A feed item's name: its link, or (no link) the feed's URL and a hash of its content."""
    if link:
        return normalize(link)
    return f"{feed}#item-{hashlib.sha256(content.encode()).hexdigest()[:12]}"


@dataclass
class Frontier:
    seen: set[str] = field(default_factory=set)
    pages: dict[str, int] = field(default_factory=dict)  # pages taken per source

    def claim(self, key: str) -> bool:
        """Take a name (a feed item, a local file): False when it was taken before."""
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def admit(
        self, url: str, found_in: str | None, kind: Kind | None, origin: Origin
    ) -> str | Outcome | None:
        """The key to fetch `url` by; or, instead, the outcome to report: not an http(s) URL, a
        duplicate found in a listing, over the source's max_pages. None: a seed given twice
        (nothing to report)."""
        p = urlsplit(url.strip())
        if p.scheme not in ("http", "https") or not p.hostname:
            return Outcome(
                url, "error", kind or "page", "scheme", f"not an http(s) URL: {url}", origin=origin.name
            )
        key = normalize(url)
        if not self.claim(key):
            if found_in is None:
                return None
            return Outcome(key, "skipped", kind or "page", "duplicate", found_in=found_in, origin=origin.name)
        if kind == "page" and found_in is not None:  # pages found in feeds and sitemaps
            taken = self.pages.get(origin.name, 0)
            if taken >= origin.max_pages:
                return Outcome(
                    key,
                    "skipped",
                    "page",
                    "max-pages",
                    f"over max_pages {origin.max_pages}",
                    origin=origin.name,
                )
            self.pages[origin.name] = taken + 1
        return key
