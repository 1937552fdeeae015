"""The frontier of a crawl: which URLs are taken, each once per run, within each source's bounds.

A URL is known by its normalised form (no fragment, lower-case host, no default port), so the
same article reached through a feed, a sitemap and a URL list is fetched once; the others report
it as a duplicate (once per URL, however often it is listed). Every walk is bounded per source
and run (`Origin`): listings followed (`max-listings`: a sitemap index that breeds new children
stops there), how deep they nest (`max-depth`), pages taken from listings (`max-pages`) and
bytes fetched (`max-bytes`). A URL over a bound is not fetched; the listing that named it says
how many it left out and why.

Precedence (the same on every run, whatever the timing): the page fetched over HTTP wins over a
feed item's copy of it. A URL listed as a page by any source (a sitemap, a URL list, a feed item
without content) is fetched; a feed item carrying the same URL's article is then not cleaned
(`duplicate`). Feed items are taken only once the crawl has read every listing (`FetchJob`
holds them back), in source order, so this never depends on which answer arrives first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from publicsuffixlist import PublicSuffixList

from scraper.fetch import urls
from scraper.fetch.config import HostProfile
from scraper.model import Kind, Outcome, Reason
from scraper.settings import MAX_DEPTH, MAX_LISTINGS, MAX_PAGES, MAX_TOTAL_BYTES

Bound = Literal["max-pages", "max-listings", "max-depth", "max-bytes"]
LISTING_KINDS: tuple[Kind, ...] = ("feed", "sitemap", "robots")
normalize = urls.normalize


@dataclass(frozen=True)
class Origin:
    """The source a URL was reached from: its name, rules, limits and place in the file."""

    name: str = ""
    rules: str = ""  # key of the cleaning options (CleanerPool)
    profile: HostProfile | None = None
    max_pages: int = MAX_PAGES
    max_listings: int = MAX_LISTINGS
    max_depth: int = MAX_DEPTH
    max_bytes: int = MAX_TOTAL_BYTES
    rank: int = 0  # the source's place in the sources file (earlier sources come first)


@dataclass
class Tally:
    """What a source has used in this run."""

    pages: int = 0
    listings: int = 0
    bytes: int = 0


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def same_site(a: str, b: str) -> bool:
    """Two http(s) URLs on one site: the same registrable domain (www.x.com and feeds.x.com)."""
    ha, hb = (urls.parse(u) for u in (a, b))
    if isinstance(ha, str) or isinstance(hb, str):
        return False
    host_a, host_b = (ha.hostname or "").lower(), (hb.hostname or "").lower()
    if host_a == host_b:
        return True
    site_a, site_b = (_psl().privatesuffix(h) or h for h in (host_a, host_b))
    return site_a == site_b


@dataclass
class Frontier:
    seen: dict[str, Kind] = field(default_factory=dict)  # key -> what claimed it
    duplicates: set[str] = field(default_factory=set)  # keys already reported as duplicates
    tallies: dict[str, Tally] = field(default_factory=dict)

    def tally(self, origin: Origin) -> Tally:
        return self.tallies.setdefault(origin.name, Tally())

    def claim(self, key: str, kind: Kind = "item") -> bool:
        """Take a name (a feed item, a local file): False when it was taken before."""
        if key in self.seen:
            return False
        self.seen[key] = kind
        return True

    def fetched(self, origin: Origin, size: int) -> None:
        self.tally(origin).bytes += size

    def listing(self, origin: Origin) -> bool:
        """Count a listing read (one not admitted as a listing); False when over the bound."""
        tally = self.tally(origin)
        if tally.listings >= origin.max_listings:
            return False
        tally.listings += 1
        return True

    def admit(
        self, url: str, found_in: str | None, kind: Kind | None, origin: Origin, depth: int = 0
    ) -> str | Outcome | Bound | None:
        """The key to fetch `url` by; or instead: the outcome to report (not a usable URL; a
        duplicate, reported once), the bound it is over (found in a listing), or None (nothing
        to report: a seed given twice, a duplicate reported before)."""
        problem = urls.problem(url)
        if problem:
            reason: Reason = "scheme" if "http(s)" in problem else "bad-url"
            text = f"{problem}: {url[:200]}"
            return Outcome(
                url[:2000], "error", kind or "page", reason, text, found_in=found_in, origin=origin.name
            )
        key = normalize(url)
        if key in self.seen:
            if found_in is None or key in self.duplicates:
                return None
            self.duplicates.add(key)
            return Outcome(key, "skipped", kind or "page", "duplicate", found_in=found_in, origin=origin.name)
        bound = self._bound(found_in, kind, origin, depth)
        if bound is not None:
            if found_in is not None:
                return bound
            message = f"over {bound.replace('-', '_')} of the source {origin.name!r}"
            return Outcome(key, "skipped", kind or "page", bound, message, origin=origin.name)
        self.seen[key] = kind or "page"
        return key

    def _bound(self, found_in: str | None, kind: Kind | None, origin: Origin, depth: int) -> Bound | None:
        tally = self.tally(origin)
        if tally.bytes >= origin.max_bytes:
            return "max-bytes"
        if found_in is None:
            return None
        if depth > origin.max_depth:
            return "max-depth"
        if kind in LISTING_KINDS:
            if tally.listings >= origin.max_listings:
                return "max-listings"
            tally.listings += 1
        elif tally.pages >= origin.max_pages:
            return "max-pages"
        else:
            tally.pages += 1
        return None


def left_out(hits: dict[str, int], origin: Origin) -> tuple[Reason | None, str | None]:
    """A listing's note on the entries it named that were not taken: (first reason, message)."""
    if not hits:
        return None, None
    limits = {
        "max-pages": f"max_pages {origin.max_pages}",
        "max-listings": f"max_listings {origin.max_listings}",
        "max-depth": f"max_depth {origin.max_depth}",
        "max-bytes": f"max_total_bytes {origin.max_bytes:,}",
        "max-entries": "the first entries read",
    }
    parts = [f"{n:,} over {limits.get(r, r)}" for r, n in sorted(hits.items())]
    bounds: tuple[Reason, ...] = ("max-bytes", "max-depth", "max-listings", "max-pages", "max-entries")
    first = next(r for r in bounds if r in hits)
    return first, "entries not taken: " + ", ".join(parts)
