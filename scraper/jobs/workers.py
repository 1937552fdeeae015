"""Cleaning off the event loop: in worker processes (both cores), or a thread.

Cleaning is CPU work; done on the event loop it would stall downloads and make their timeouts
fire. The pipeline is pure, so documents go to worker processes (jobs.procs), which only clean:
they send back the bytes to write and a small summary (`Rendered`), never touch the output
directory, and need nothing but the document, its output stem and the key of its rules. The
crawl decides whether the output changed and writes it in the main process. The rules are sent
once, when a worker starts. Each document has a time budget (settings.CLEAN_BUDGET_S): a worker
over it is killed and replaced, and the document fails with `too-complex`.

Without worker processes, documents are cleaned in ONE thread, one at a time: trafilatura
shares lxml XPath evaluators between calls, which are not thread-safe, and two documents
extracted at once in two threads crash the process now and then ("double free or corruption").
"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from scraper.jobs.cleanone import clean, clean_source, render
from scraper.jobs.procs import Worker, WorkerLost
from scraper.model import CleanOptions, Failed, Rendered, SourceDocument
from scraper.settings import CLEAN_BUDGET_S, WORKER_START_S

__all__ = ["CleanerPool", "clean", "clean_source", "render", "worker_setup"]


Task = tuple[SourceDocument, str, str]  # (document, output stem, key of its options)


def lost(exc: WorkerLost) -> Failed:
    """A document whose cleaning process was lost: `too-complex` (killed for its budget) or
    `crashed`. Every backend with processes (this pool, a Dask worker's jobs.slot) says it so."""
    return Failed("too-complex" if exc.reason == "too-complex" else "crashed", str(exc))


def worker_setup(opts: dict[str, CleanOptions]) -> Callable[[Task], Rendered | Failed]:
    """In a worker process: load the extraction stack now (before the worker says it is ready,
    so the budget counts cleaning only), and the function that answers a task."""
    import scraper.pipeline.core  # noqa: F401

    def handle(task: Task) -> Rendered | Failed:
        doc, stem, key = task
        return clean(doc, opts[key], stem)

    return handle


class CleanerPool:
    """`opts`: one set of options, or several by key (sources with their own rules).

    Called as `await pool(doc, stem, key)`: the crawl's cleaning step (see crawl.Clean).
    With `workers` > 0, documents are cleaned in that many processes (jobs.procs), each within
    `budget` seconds (settings.CLEAN_BUDGET_S): over it, the process is killed and replaced and
    the document fails with `too-complex`. With 0, in one thread of this process, one document
    at a time and without a budget (a thread cannot be stopped): for tests and debugging.
    """

    def __init__(
        self,
        opts: CleanOptions | dict[str, CleanOptions],
        workers: int,
        budget: float = CLEAN_BUDGET_S,
        start_timeout: float = WORKER_START_S,
    ) -> None:
        self.opts = opts if isinstance(opts, dict) else {"": opts}
        self.workers = max(0, workers)
        self.budget = budget
        self.start_timeout = start_timeout
        self.replaced = 0  # workers killed or dead, and started again
        self._setup = pickle.dumps(self.opts, protocol=pickle.HIGHEST_PROTOCOL)
        self._idle: list[Worker] = []
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # the thread that cleans when there are no workers (the workers' answers are awaited on
        # the event loop: Worker.acall)
        self.threads = ThreadPoolExecutor(1, thread_name_prefix="clean")

    def warm(self) -> None:
        """Start every worker now (they load the extraction stack while the run starts)."""
        while len(self._idle) < self.workers:
            self._idle.append(Worker(self._setup))

    @property
    def pids(self) -> list[int]:
        """The worker processes' pids (the idle ones: all of them between documents)."""
        return [w.pid for w in self._idle]

    def _bind(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._slots, self._loop = asyncio.Semaphore(max(1, self.workers)), loop
        return self._slots

    async def __call__(self, doc: SourceDocument, stem: str, key: str = "") -> Rendered | Failed:
        """Clean a document in a worker (or the cleaning thread): the event loop only waits."""
        loop = asyncio.get_running_loop()
        if self.workers == 0:
            return await loop.run_in_executor(self.threads, clean, doc, self.opts[key], stem)
        async with self._bind():
            if not self._idle:
                self.warm()  # started here, on the event loop's thread, which outlives them
            worker = self._idle.pop()
            try:
                task = (doc, stem, key)
                result: Rendered | Failed = await worker.acall(task, self.budget, self.start_timeout)
            except WorkerLost as exc:
                self.replaced += 1
                worker.kill()
                self._idle.append(Worker(self._setup))
                return lost(exc)
            except BaseException:  # cancelled while it cleans: it cannot be trusted to be idle
                worker.kill()
                self._idle.append(Worker(self._setup))
                raise
            self._idle.append(worker)
            return result

    def close(self) -> None:
        for worker in self._idle:  # every worker told first: they end together
            worker.ask_stop()
        for worker in self._idle:
            worker.stop()
        self._idle.clear()
        self.threads.shutdown(wait=True, cancel_futures=True)
