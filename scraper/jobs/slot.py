"""Cleaning processes (jobs.procs) for threads that are not an event loop: a Dask worker's.

A Dask worker runs tasks in threads, and lxml under trafilatura is not thread-safe, so its
threads do not clean: each takes a `Slot`, which owns one cleaning process of jobs.procs — the
local pool's, started the same way and holding nothing but its pipes — and gives it one
document at a time within the budget (settings.CLEAN_BUDGET_S, the sources file's
clean_budget). A document over it fails with `too-complex`, one whose process dies with
`crashed`, as in the local pool (jobs.workers.lost); the process is replaced and the batch
goes on.

A procs.Worker dies with the thread that started it (PR_SET_PDEATHSIG), and a Dask worker's
task threads are not ours to keep, so every process is started by one `Starter` thread that
lives as long as the slots: the processes die with it, or with the Dask worker.
"""

from __future__ import annotations

import queue
import threading

from scraper.jobs.procs import Worker, WorkerLost
from scraper.jobs.workers import lost
from scraper.model import Failed, Rendered, SourceDocument
from scraper.settings import CLEAN_BUDGET_S, WORKER_START_S

_Reply = queue.SimpleQueue[Worker | BaseException]


class Starter:
    """The thread that starts every cleaning process of its slots (see the module's docstring)."""

    def __init__(self, setup: bytes) -> None:
        self.setup = setup  # the pickled options, sent to each process once
        self._requests: queue.SimpleQueue[_Reply | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="scraper-starter", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while (reply := self._requests.get()) is not None:
            try:
                reply.put(Worker(self.setup))
            except Exception as exc:  # no process (out of memory, no pids …)
                reply.put(exc)

    def __call__(self) -> Worker:
        """A new process, started by the starter's thread. Raises WorkerLost."""
        if self._closed:
            raise WorkerLost("crashed", "the cleaning processes are shutting down")
        reply: _Reply = queue.SimpleQueue()
        self._requests.put(reply)
        got = reply.get()
        if isinstance(got, BaseException):
            raise WorkerLost("crashed", f"a cleaning process did not start ({type(got).__name__}: {got})")
        return got

    def close(self) -> None:
        """End the thread (its processes get SIGKILL from the kernel): after the slots' close."""
        self._closed = True
        self._requests.put(None)
        self._thread.join(timeout=10)


class Slot:
    """One cleaning process for one thread at a time; replaced when lost."""

    def __init__(
        self, start: Starter, budget: float = CLEAN_BUDGET_S, start_s: float = WORKER_START_S
    ) -> None:
        self.start = start
        self.budget = budget
        self.start_s = start_s
        self.worker: Worker | None = None
        self.lock = threading.Lock()  # one document at a time

    def warm(self) -> None:
        """Start the process and let it load the pipeline now, not with the first document."""
        with self.lock:
            try:
                self._worker().start(self.start_s)
            except WorkerLost:  # the first document will say so
                self._drop()

    def clean(self, doc: SourceDocument, stem: str, key: str) -> Rendered | Failed:
        """Clean in the process, within the budget; a document that costs the process fails alone."""
        with self.lock:
            try:
                result: Rendered | Failed = self._worker().call((doc, stem, key), self.budget, self.start_s)
            except WorkerLost as exc:
                self._drop()
                return lost(exc)
            return result

    def _worker(self) -> Worker:
        if self.worker is None:
            self.worker = self.start()
        return self.worker

    def _drop(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self.worker = None

    def close(self) -> None:
        with self.lock:
            if self.worker is not None:
                self.worker.stop()
                self.worker = None
