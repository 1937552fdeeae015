"""The crawl's records committed a group at a time, and reported only once committed.

Each state write committed alone costs more than the statement itself; the crawl's records go
into one transaction instead (StateStore.batching), committed every COMMIT_DOCS outcomes or
COMMIT_S seconds after the first one waiting, whichever comes first, and at the end. An outcome
is handed to the caller (progress, JSON events, the run's summary) only after the commit that
holds its record: nothing is reported that a killed run would not have kept. Each record is
made only after its document's files are durable (written, synced, renamed, directory synced),
so a committed record never speaks of a file the disk may lose.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from scraper.model import Outcome
from scraper.store.state import StateStore

COMMIT_DOCS = 64  # outcomes per commit at most
COMMIT_S = 0.25  # how long an outcome waits for its commit at most


class Commits:
    def __init__(
        self,
        state: StateStore,
        report: Callable[[Outcome], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.state = state
        self.report = report
        self.on_error = on_error  # a commit that failed on the timer (the crawl stops with it)
        self.waiting: list[Outcome] = []
        self._timer: asyncio.TimerHandle | None = None
        state.batching = True

    def add(self, outcome: Outcome) -> None:
        self.waiting.append(outcome)
        if len(self.waiting) >= COMMIT_DOCS:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(COMMIT_S, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        try:
            self.flush()
        except BaseException as exc:  # handed to the crawl, which raises it
            self.on_error(exc)

    def flush(self) -> None:
        """Commit every record made so far, then report the outcomes waiting, in order.
        Raises sqlite3.Error (nothing waiting is reported then)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.state.commit()
        waiting, self.waiting = self.waiting, []
        for outcome in waiting:
            self.report(outcome)
