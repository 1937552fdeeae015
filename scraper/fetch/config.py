"""How the fetcher behaves: one FetchConfig per run, a HostProfile per source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from scraper import __version__

DEFAULT_CONTACT = "https://github.com/scraper-project/scraper"


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = f"scraper/{__version__} (+{DEFAULT_CONTACT})"
    concurrency: int = 16
    per_host: int = 2
    delay: float = 0.0  # seconds between request starts on one host
    connect_timeout: float = 10.0
    read_timeout: float = 15.0  # per read
    total_timeout: float = 60.0  # per response: headers to last byte
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 10
    attempts: int = 4
    retry_after_cap: float = 120.0
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    breaker: int = 5  # consecutive failed URLs after which a host is given up for the run
    allow_private: bool = False
    robots: bool = True
    http2: bool = True


def user_agent(explicit: str | None = None, contact: str | None = None) -> str:
    """The User-Agent: as given, or the tool's own naming `contact` (default: the project)."""
    if explicit:
        return explicit
    default = FetchConfig.user_agent
    return default.replace(DEFAULT_CONTACT, contact) if contact else default


@dataclass(frozen=True)
class HostProfile:
    """Per-source settings for the hosts a source's requests go to (`scraper run`)."""

    allow_private: bool = False
    per_host: int = 2
    delay: float = 0.0


class Validators(Protocol):
    def validators(self, url: str) -> tuple[str | None, str | None]: ...
