"""How the fetcher behaves: one FetchConfig per run, a HostProfile per source (defaults: settings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from scraper import settings


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = settings.USER_AGENT
    concurrency: int = settings.CONCURRENCY
    per_host: int = settings.PER_HOST
    delay: float = settings.DELAY  # seconds between request starts on one host
    connect_timeout: float = settings.CONNECT_TIMEOUT
    read_timeout: float = settings.READ_TIMEOUT  # per read
    total_timeout: float = settings.TIMEOUT  # per response: headers to last byte
    max_bytes: int = settings.MAX_BYTES
    max_redirects: int = settings.MAX_REDIRECTS
    attempts: int = settings.ATTEMPTS
    retry_after_cap: float = settings.RETRY_AFTER_CAP
    backoff_initial: float = settings.BACKOFF_INITIAL
    backoff_max: float = settings.BACKOFF_MAX
    breaker: int = settings.BREAKER  # consecutive failed URLs after which a host is given up
    allow_private: bool = False
    robots: bool = True
    http2: bool = False  # True: https through httpcore with HTTP/2 when offered (else aiohttp, HTTP/1.1)


def user_agent(explicit: str | None = None, contact: str | None = None) -> str:
    """The User-Agent: as given, or the tool's own naming `contact` (default: the project)."""
    if explicit:
        return explicit
    return settings.USER_AGENT.replace(settings.CONTACT, contact) if contact else settings.USER_AGENT


@dataclass(frozen=True)
class HostProfile:
    """Per-source settings for the hosts a source's requests go to (`scraper run`)."""

    allow_private: bool = False
    per_host: int = settings.PER_HOST
    delay: float = settings.DELAY


class Validators(Protocol):
    """Where conditional requests get their ETag and Last-Modified (jobs.incremental)."""

    def validators(self, url: str) -> tuple[str | None, str | None]: ...
