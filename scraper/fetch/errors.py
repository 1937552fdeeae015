"""What can go wrong with one URL; the type decides whether it is retried.

FetchProblem            (reason: a short code for reports, message: one line)
├── Skipped             not an error: robots.txt, content type, duplicate …
└── FetchError
    ├── Retryable       connect errors, timeouts, truncated bodies, 408/429/5xx
    └── Permanent       other 4xx, refused address, too large, redirect loop …
"""

from __future__ import annotations

from scraper.model import Reason


class FetchProblem(Exception):
    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class Skipped(FetchProblem):
    pass


class FetchError(FetchProblem):
    pass


class Retryable(FetchError):
    def __init__(self, reason: Reason, message: str, retry_after: float | None = None) -> None:
        super().__init__(reason, message)
        self.retry_after = retry_after


class Permanent(FetchError):
    pass
