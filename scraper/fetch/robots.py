"""robots.txt as RFC 9309 reads it, one verdict per host and run.

* 2xx: the rules (protego; `Crawl-delay` honoured by the fetcher).
* 4xx (the file is unavailable), a body that is not text, or more than five redirects: every
  path is allowed.
* 5xx, or no answer (DNS, connection, TLS, timeout): the server is unreachable, so the host is
  disallowed completely — for this run. Every page of that host is then reported `failed`, with
  the reason of the robots.txt failure (`robots-unavailable` for a 5xx, `dns`, `connect`,
  `tls`, `timeout` …), never as a robots decision about the page: cron must learn that a site
  is down.
* An address the policy refuses is the page's own refusal (`blocked-address`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from protego import Protego

from scraper.fetch.errors import FetchError, Permanent, Retryable, Skipped
from scraper.model import Response

REDIRECTS = 5  # RFC 9309: follow at least five; more: unavailable
# fetch robots.txt once (a failure is retried by the next run): (response, Location of a redirect)
GetOne = Callable[[str], Awaitable[tuple[Response | None, str | None]]]


@dataclass(frozen=True)
class Verdict:
    """What a host's robots.txt says for this run: rules, allow all, or unreachable."""

    rules: Protego | None = None  # None: allow all (unless `failure`)
    failure: FetchError | None = None  # unreachable: the host is not crawled

    def allows(self, url: str, user_agent: str) -> bool:
        if self.failure is not None:
            raise _host_failure(self.failure)
        return self.rules is None or bool(self.rules.can_fetch(url, user_agent))

    @property
    def sitemaps(self) -> list[str]:
        if self.failure is not None:
            raise _host_failure(self.failure)
        return list(self.rules.sitemaps) if self.rules is not None else []


def _host_failure(failure: FetchError) -> FetchError:
    """The failure of a page whose host's robots.txt could not be read (a new exception each
    time: an exception object must not be raised in several tasks at once)."""
    return Permanent(failure.reason, failure.message)


async def load(robots_url: str, get_one: GetOne) -> tuple[Verdict, Response | None]:
    """The verdict for a host, and the robots.txt response when there was one (to archive)."""
    url = robots_url
    try:
        for _ in range(REDIRECTS + 1):
            response, location = await get_one(url)
            if location is None:
                assert response is not None
                text = response.body.decode("utf-8", "replace")
                return Verdict(Protego.parse(text)), response
            url = urljoin(url, location)
    except Skipped:  # not text: no rules
        return Verdict(), None
    except Retryable as exc:  # 5xx, or no answer
        return Verdict(failure=_unreachable(exc)), None
    except Permanent as exc:
        if exc.reason == "blocked-address":
            raise  # the page itself would be refused: say so, not "robots"
        if exc.reason.startswith("http-4") or exc.reason.startswith("redirect"):
            return Verdict(), None
        return Verdict(failure=_unreachable(exc)), None
    return Verdict(), None  # more than five redirects: unavailable


def _unreachable(exc: FetchError) -> FetchError:
    if exc.reason.startswith("http-5") or exc.reason.startswith("http-4"):
        message = f"robots.txt answered {exc.message}: the host is not crawled in this run (RFC 9309)"
        return Permanent("robots-unavailable", message)
    message = f"robots.txt unreachable ({exc.message}): the host is not crawled in this run"
    return Permanent(exc.reason, message)
