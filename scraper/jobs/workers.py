"""Cleaning off the event loop: in worker processes (both cores), or a thread.

Cleaning is CPU work; done on the event loop it would stall downloads and make their timeouts
fire. The pipeline is pure, so documents go to worker processes, which only clean: they send
back the bytes to write and a small summary (`Rendered`), never touch the output directory,
and need nothing but the document, its output stem and the key of its rules. The crawl decides
whether the output changed and writes it in the main process. The rules are sent once, when a
worker starts. Start the pool (`warm()`) before any thread exists, so forking is safe.

Without worker processes, documents are cleaned in ONE thread, one at a time: trafilatura
shares lxml XPath evaluators between calls, which are not thread-safe, and two documents
extracted at once in two threads crash the process now and then ("double free or corruption").
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING

from scraper.errors import DocumentError
from scraper.model import CleanOptions, Failed, Rendered, SourceDocument
from scraper.store.writer import audit_json

if TYPE_CHECKING:
    from scraper.pipeline.core import CleanedDocument


def clean_source(doc: SourceDocument, opts: CleanOptions) -> CleanedDocument:
    """The pipeline, with any unexpected failure turned into a one-line DocumentError."""
    from scraper.pipeline.core import clean_document  # the extraction stack loads where it is used

    try:
        return clean_document(doc, opts)
    except DocumentError:
        raise
    except RecursionError:
        raise DocumentError("document is nested too deeply to process") from None
    except MemoryError:
        raise DocumentError("document is too large to process in memory") from None
    except Exception as exc:  # one broken page must not stop a run of a thousand
        raise DocumentError(f"internal error while cleaning ({type(exc).__name__}: {exc})") from None


def render(cleaned: CleanedDocument, stem: str) -> Rendered:
    """The bytes of `<stem>.md` and `<stem>.audit.json`, their hashes, and the summary."""
    markdown = cleaned.markdown.encode("utf-8")
    audit = audit_json(cleaned.audit(f"{stem}.md"))  # the output relative to the output directory
    return Rendered(
        markdown,
        audit,
        hashlib.sha256(markdown).hexdigest(),
        hashlib.sha256(audit).hexdigest(),
        cleaned.fingerprint,
        cleaned.counts,
        cleaned.source.to_json(),
    )


def clean(doc: SourceDocument, opts: CleanOptions, stem: str) -> Rendered | Failed:
    """Clean one document for `<stem>.md`: what to write, or why it cannot be cleaned."""
    try:
        return render(clean_source(doc, opts), stem)
    except DocumentError as exc:
        return Failed("clean", str(exc))


_WORKER_OPTS: dict[str, CleanOptions] = {}  # set once per worker process by _init


def _init(opts: dict[str, CleanOptions]) -> None:
    _WORKER_OPTS.update(opts)


def _work(doc: SourceDocument, stem: str, key: str) -> Rendered | Failed:
    return clean(doc, _WORKER_OPTS[key], stem)


def _ping() -> int:
    return os.getpid()


class CleanerPool:
    """`opts`: one set of options, or several by key (sources with their own rules).

    Called as `await pool(doc, stem, key)`: the crawl's cleaning step (see crawl.Clean)."""

    def __init__(self, opts: CleanOptions | dict[str, CleanOptions], workers: int) -> None:
        self.opts = opts if isinstance(opts, dict) else {"": opts}
        self.pool: ProcessPoolExecutor | None = None
        self.thread: ThreadPoolExecutor | None = None
        self.workers = max(0, workers)
        if self.workers > 0:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context(method),
                initializer=_init,
                initargs=(self.opts,),
            )
        else:
            self.thread = ThreadPoolExecutor(1, thread_name_prefix="clean")  # one: see above

    def warm(self) -> None:
        """Start every worker now (before the event loop and its threads exist)."""
        if self.pool is not None:
            for f in [self.pool.submit(_ping) for _ in range(self.workers)]:
                f.result()

    async def __call__(self, doc: SourceDocument, stem: str, key: str = "") -> Rendered | Failed:
        """Clean a document in a worker (or the cleaning thread): the event loop only waits."""
        loop = asyncio.get_running_loop()
        if self.pool is None:
            assert self.thread is not None
            return await loop.run_in_executor(self.thread, clean, doc, self.opts[key], stem)
        return await loop.run_in_executor(self.pool, _work, doc, stem, key)

    def close(self) -> None:
        executor: Executor | None = self.pool or self.thread
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
