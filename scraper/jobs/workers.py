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

from scraper.errors import DocumentError
from scraper.model import CleanOptions, SourceDocument
from scraper.store.writer import write_document


@dataclass(frozen=True)
class Written:
    """What the main process needs to know about a document a worker cleaned and wrote."""

    output: str | None = None
    changed: bool = False
    created: bool = False  # no output file existed before
    sha256: str | None = None
    fingerprint: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    markdown: str | None = None  # only when the file changed (kept as a version in the state)
    error: str | None = None  # "clean: …" or "write: …"


def clean_and_write(doc: SourceDocument, opts: CleanOptions, out_dir: Path, stem: str) -> Written:
    """Clean one document and write it with its audit record (atomically)."""
    from scraper.jobs.batch import clean_source  # here: the extraction stack loads where it is used

    try:
        cleaned = clean_source(doc, opts)
    except DocumentError as exc:
        return Written(error=f"clean: {exc}")
    try:
        existed = (out_dir / f"{stem}.md").exists()
        path, changed = write_document(out_dir, stem, cleaned.markdown, cleaned.audit(None))
    except OSError as exc:
        return Written(error=f"write: cannot write output: {exc.strerror or exc}")
    return Written(
        str(path),
        changed,
        not existed,
        hashlib.sha256(cleaned.markdown.encode()).hexdigest(),
        cleaned.fingerprint,
        cleaned.counts,
        cleaned.source.to_json(),
        cleaned.markdown if changed else None,
    )


_WORKER_OPTS: dict[str, CleanOptions] = {}  # set once per worker process by _init


def _init(opts: dict[str, CleanOptions]) -> None:
    _WORKER_OPTS.update(opts)


def _work(doc: SourceDocument, out_dir: Path, stem: str, key: str) -> Written:
    return clean_and_write(doc, _WORKER_OPTS[key], out_dir, stem)


def _ping() -> int:
    return os.getpid()


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


class CleanerPool:
    """`opts`: one set of options, or several by key (sources with their own rules)."""

    def __init__(self, opts: CleanOptions | dict[str, CleanOptions], workers: int) -> None:
        self.opts = opts if isinstance(opts, dict) else {"": opts}
        opts = self.opts
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

    async def __call__(self, doc: SourceDocument, out_dir: Path, stem: str, key: str = "") -> Written:
        """Clean and write a document in a worker (or a thread): the event loop only waits."""
        if self.pool is None:
            return await asyncio.to_thread(clean_and_write, doc, self.opts[key], out_dir, stem)
        return await asyncio.get_running_loop().run_in_executor(self.pool, _work, doc, out_dir, stem, key)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
