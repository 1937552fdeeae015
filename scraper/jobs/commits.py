"""The crawl's records committed a group at a time, and reported only once committed; the
documents' files made durable a batch at a time, before their records are made.

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
from concurrent.futures import ThreadPoolExecutor

from scraper.model import Outcome
from scraper.store.staging import Staged, commit
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


WRITE_DOCS = 32  # documents whose files are committed together at most
WRITE_S = 0.2  # how long a document's files wait for their batch at most


class FileBatches:
    """Documents' files (written to temp files: writer.stage_document) committed a batch at a
    time on one thread of their own (staging.commit: each file's data synced, each renamed,
    each directory synced once), so the disk's flushes are shared. `await commit(staged)`
    returns once that document's files are durable under their names, or raises the OSError
    that stopped its batch; only then may its record be made."""

    def __init__(self) -> None:
        self._waiting: list[tuple[list[Staged], asyncio.Future[None]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._thread: ThreadPoolExecutor | None = None

    async def commit(self, staged: list[Staged]) -> None:
        if not staged:
            return  # nothing changed: nothing to make durable
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._waiting.append((staged, done))
        if len(self._waiting) >= WRITE_DOCS:
            self._send()
        elif self._timer is None:
            self._timer = loop.call_later(WRITE_S, self._send)
        await done

    def _send(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._waiting = self._waiting, []
        if not batch:
            return
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="commit")
        files = [f for staged, _ in batch for f in staged]
        running = asyncio.get_running_loop().run_in_executor(self._thread, commit, files)

        def settle(task: asyncio.Future[None]) -> None:
            exc = asyncio.CancelledError() if task.cancelled() else task.exception()
            for _, done in batch:
                if done.done():  # its document was cancelled while it waited
                    continue
                if isinstance(exc, OSError):  # each its own error (one raised in many tasks)
                    done.set_exception(OSError(exc.errno, exc.strerror, exc.filename))
                elif exc is not None:
                    done.set_exception(exc)
                else:
                    done.set_result(None)

        running.add_done_callback(settle)

    def close(self) -> None:
        """After the last commit (every document has had its answer)."""
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None
