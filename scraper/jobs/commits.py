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
from concurrent.futures import Executor
from pathlib import Path

from scraper.model import Outcome
from scraper.store.staging import CommitThreads, Listing, Staged, commit, discard
from scraper.store.state import StateStore
from scraper.store.writer import WriteResult, stage_document

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
    """Documents' files written and committed a batch at a time on one thread of their own:
    each document's files written to temp files (writer.stage_document: only those whose bytes
    differ from the disk's), then the batch committed (staging.commit: each file's data synced,
    each renamed, each directory synced once), so the disk's flushes, and the hand-offs to the
    thread, are shared. `await write(out_dir, stem, markdown, audit)` returns once that
    document's files are durable under their names (what the write did), or raises the OSError
    that stopped them (its own, or its batch's commit); only then may its record be made."""

    def __init__(self) -> None:
        self._waiting: list[tuple[_Doc, asyncio.Future[WriteResult]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._threads: CommitThreads | None = None
        self._listing = Listing()  # used on the commit thread only

    async def write(
        self, out_dir: Path, stem: str, markdown: bytes, audit: bytes, now: bool = False
    ) -> WriteResult:
        """`now`: the batch goes to the commit thread at once (the caller knows no other
        document can join it: waiting for one would only delay this one)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[WriteResult] = loop.create_future()
        self._waiting.append(((out_dir, stem, markdown, audit), done))
        if now or len(self._waiting) >= WRITE_DOCS:
            self.send()
        elif self._timer is None:
            self._timer = loop.call_later(WRITE_S, self.send)
        return await done

    def send(self) -> None:
        """The documents waiting go to the commit thread now (a full batch, its time is up, or
        no other document can join them)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._waiting = self._waiting, []
        if not batch:
            return
        if self._threads is None:
            self._threads = CommitThreads()
        running = asyncio.get_running_loop().run_in_executor(
            self._threads.thread, _write, [d for d, _ in batch], self._listing, self._threads.syncs
        )

        def settle(task: asyncio.Future[list[WriteResult | OSError]]) -> None:
            exc = asyncio.CancelledError() if task.cancelled() else task.exception()
            answers = task.result() if exc is None else [exc] * len(batch)
            for (_, done), answer in zip(batch, answers, strict=True):
                if done.done():  # its document was cancelled while it waited
                    continue
                if isinstance(answer, OSError):  # each its own error (one raised in many tasks)
                    done.set_exception(OSError(answer.errno, answer.strerror, answer.filename))
                elif isinstance(answer, BaseException):
                    done.set_exception(answer)
                else:
                    done.set_result(answer)

        running.add_done_callback(settle)

    def close(self) -> None:
        """After the last commit (every document has had its answer)."""
        if self._threads is not None:
            self._threads.shutdown()
            self._threads = None


_Doc = tuple[Path, str, bytes, bytes]  # (output directory, stem, Markdown, audit record)


def _write(docs: list[_Doc], listing: Listing, syncs: Executor | None) -> list[WriteResult | OSError]:
    """On the commit thread: each document's files staged, then all committed at once (their
    syncs together on the threads of `syncs`). A document that could not be staged fails
    alone; a failed commit fails every document that had files in it (one with nothing to
    write is done)."""
    answers: list[WriteResult | OSError] = []
    files: list[Staged] = []
    try:
        for doc in docs:
            try:
                staged, result = stage_document(*doc, listing)
            except OSError as exc:
                answers.append(exc)
                continue
            files += staged
            answers.append(result)
    except BaseException:
        discard(files)
        raise
    if files:
        try:
            commit(files, syncs=syncs)
        except OSError as exc:
            return [exc if isinstance(a, OSError) or a.changed else a for a in answers]
    return answers
