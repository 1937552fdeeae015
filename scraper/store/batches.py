"""Commits of many documents' files, a batch at a time, on a thread of their own.

The caller stages each document's files as its result comes (writer.stage_document: the bytes
go to temp files at once, and the memory is free); every `size` documents the batch is handed
to one committing thread, which syncs each file's data, renames each into place and syncs the
directories (staging.commit), while the caller goes on cleaning the next batch. Batches are
committed one after the other, in the order they were handed over (a batch's syncs together,
on threads of their own: staging.commit). `close` waits for every
commit and tells which documents' commits failed: nothing may be reported written before it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scraper.store.staging import CommitThreads, Listing, Staged, commit, discard

if TYPE_CHECKING:  # the thread starts with a second batch: one batch is committed by the caller
    from concurrent.futures import Future

BATCH_DOCS = 32  # documents per batch (two files each: 64 open temp files at most per batch)


class Committer:
    """`add(key, staged)` for each document (its key: the number the caller reports it under);
    `close()` once, which returns the keys whose files could not be committed, with the error.
    `background=False` commits on the caller's thread, at each full batch."""

    def __init__(self, size: int | None = None, background: bool = True) -> None:
        self.size = max(1, size or BATCH_DOCS)
        self._keys: list[int] = []
        self._files: list[Staged] = []
        self._background = background
        self._threads: CommitThreads | None = None
        self._sent: list[tuple[list[int], Future[None]]] = []
        self._failed: dict[int, OSError] = {}
        self.listing = Listing()  # the output directories' names, for the caller's staging

    def add(self, key: int, staged: list[Staged]) -> None:
        if not staged:
            return  # nothing changed: nothing to commit
        self._keys.append(key)
        self._files.extend(staged)
        if len(self._keys) >= self.size:
            self._send()

    def _send(self, last: bool = False) -> None:
        keys, files, self._keys, self._files = self._keys, self._files, [], []
        if not keys:
            return
        if not self._background or (last and self._threads is None):  # (the caller waits anyway)
            self._commit(keys, files)
            return
        if self._threads is None:
            self._threads = CommitThreads()
        self._sent.append((keys, self._threads.thread.submit(commit, files, True, self._threads.syncs)))

    def _commit(self, keys: list[int], files: list[Staged]) -> None:
        try:
            commit(files)
        except OSError as exc:
            self._failed.update(dict.fromkeys(keys, exc))

    def close(self) -> dict[int, OSError]:
        """Commit what is left and wait for every batch: the keys that failed, with the error."""
        self._send(last=True)
        try:
            for keys, done in self._sent:
                exc = done.exception()
                if isinstance(exc, OSError):
                    self._failed.update(dict.fromkeys(keys, exc))
                elif exc is not None:
                    raise exc
        finally:
            self._sent.clear()
            self._shutdown()
        return self._failed

    def _shutdown(self) -> None:
        if self._threads is not None:
            self._threads.shutdown()

    def abort(self) -> None:
        """Give up what was not handed over yet (its targets keep their old bytes); wait for
        the batches already handed over."""
        discard(self._files)
        self._keys, self._files = [], []
        self._shutdown()
