"""`scraper reclean`: the archive stands in for the network.

ArchiveFetcher answers `get` with the last archived response of each URL, so the same FetchJob
that ran live walks the same feeds, sitemaps and pages, and the cleaners (with today's rules)
produce what a live run would. A URL that was never archived is skipped with that reason.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from protego import Protego

from scraper.fetch.config import FetchConfig, HostProfile
from scraper.fetch.errors import Permanent, Skipped
from scraper.model import Response
from scraper.store.archive import read_at
from scraper.store.state import StateStore


def archived_response(state: StateStore, directory: Path, url: str) -> Response | None:
    """The last archived response for a URL asked for, or None."""
    found = state.archived(url)
    if found is None:
        return None
    return read_at(directory / found[1], found[2])


class ArchiveFetcher:
    def __init__(self, state: StateStore, directory: Path, config: FetchConfig | None = None) -> None:
        self.state = state
        self.directory = directory
        self.config = config or FetchConfig()
        self.requests = 0  # never any

    async def get(self, url: str, conditional: bool = True, profile: HostProfile | None = None) -> Response:
        if self.state.archived(url) is None:
            raise Skipped("not-archived", "no archived response (no earlier run fetched it)")
        response = archived_response(self.state, self.directory, url)
        if response is None:
            raise Permanent("archive", "its archived response is missing or unreadable")
        return response

    async def robots_sitemaps(self, url: str, profile: HostProfile | None = None) -> list[str]:
        p = urlsplit(url)
        response = archived_response(
            self.state, self.directory, f"{p.scheme}://{p.netloc.lower()}/robots.txt"
        )
        if response is None:
            raise Skipped("not-archived", "no archived robots.txt")
        return list(Protego.parse(response.body.decode("utf-8", "replace")).sitemaps)
