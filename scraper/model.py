"""What goes into the pipeline: a document as read, and the options to clean it with.

Kept apart from scraper.pipeline.core so the processes that only fetch, schedule and write (the
`scraper run` main process) do not import the extraction stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cleaners.ruleset import RuleSet


@dataclass(frozen=True)
class SourceDocument:
    """A document as read: bytes plus where they came from."""

    name: str  # input path, URL, or "-"
    data: bytes
    url: str | None = None  # the http(s) URL it was retrieved from
    content_type: str | None = None
    charset: str | None = None
    fragment: bool = False  # an article body without page chrome (feed item content)
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. a feed item's title, date, author


@dataclass(frozen=True)
class CleanOptions:
    rules: RuleSet
    attribution_line: bool = True


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    content_type: str  # media type, lower-case, no parameters
    charset: str | None
    body: bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304
