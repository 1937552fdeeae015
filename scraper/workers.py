"""Cleaning and writing off the event loop: in worker processes (both cores), or a thread.

Cleaning is CPU work and writing waits on fsync; done on the event loop either would stall
downloads and make their timeouts fire. The pipeline is pure, so documents go to worker
processes, which also write them (atomically; each URL has its own path) and send back a small
summary. The rules are sent once, when a worker starts. Start the pool (`warm()`) before any
thread exists, so forking is safe.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.batch import clean_source
from scraper.errors import DocumentError
from scraper.pipeline import CleanOptions, SourceDocument
from scraper.writer import write_document


@dataclass(frozen=True)
class Written:
    """What the main process needs to know about a document a worker cleaned and wrote."""

    output: str | None = None
    changed: bool = False
    sha256: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    markdown: str | None = None  # only when the file changed (kept as a version in the state)
    error: str | None = None  # "clean: …" or "write: …"


def clean_and_write(doc: SourceDocument, opts: CleanOptions, out_dir: Path, stem: str) -> Written:
    """Clean one document and write it with its audit record (atomically)."""
    try:
        cleaned = clean_source(doc, opts)
    except DocumentError as exc:
        return Written(error=f"clean: {exc}")
    try:
        path, changed = write_document(out_dir, stem, cleaned.markdown, cleaned.audit(None))
    except OSError as exc:
        return Written(error=f"write: cannot write output: {exc.strerror or exc}")
    return Written(
        str(path),
        changed,
        hashlib.sha256(cleaned.markdown.encode()).hexdigest(),
        cleaned.counts,
        cleaned.source.to_json(),
        cleaned.markdown if changed else None,
    )


_WORKER_OPTS: CleanOptions | None = None  # set once per worker process by _init


def _init(opts: CleanOptions) -> None:
    global _WORKER_OPTS
    _WORKER_OPTS = opts


def _work(doc: SourceDocument, out_dir: Path, stem: str) -> Written:
    assert _WORKER_OPTS is not None
    return clean_and_write(doc, _WORKER_OPTS, out_dir, stem)


def _ping() -> int:
    return os.getpid()


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


class CleanerPool:
    def __init__(self, opts: CleanOptions, workers: int) -> None:
        self.opts = opts
        self.pool: ProcessPoolExecutor | None = None
        if workers > 0:
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self.pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context(method), initializer=_init, initargs=(opts,)
            )
            self.workers = workers
        else:
            self.workers = 0

    def warm(self) -> None:
        """Start every worker now (before the event loop and its threads exist)."""
        if self.pool is not None:
            for f in [self.pool.submit(_ping) for _ in range(self.workers)]:
                f.result()

    async def __call__(self, doc: SourceDocument, out_dir: Path, stem: str) -> Written:
        """Clean and write a document in a worker (or a thread): the event loop only waits."""
        if self.pool is None:
            return await asyncio.to_thread(clean_and_write, doc, self.opts, out_dir, stem)
        return await asyncio.get_running_loop().run_in_executor(self.pool, _work, doc, out_dir, stem)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
