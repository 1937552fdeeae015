"""`scraper clean`: the pipeline over many local inputs; one failure never stops the others.

By default each input is cleaned in this process, one at a time (jobs.cleanone.clean: the
fastest start, nothing to ship; no time budget). With `workers` > 0 or `dask`, inputs go
behind the crawl's seam (crawl.Clean): the local pool (jobs.workers: cleaning processes, each
document within CLEAN_BUDGET_S) or a Dask cluster (jobs.cluster), with the same budget and
the same reasons (too-complex, crashed); inputs are then read only as there is room in
flight. Either way results are written here, by the writer, as they come; standard input
('-') is written to the given stream instead. Outcomes come in input order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from scraper import settings
from scraper.errors import DocumentError
from scraper.jobs.cleanone import clean
from scraper.model import CleanOptions, Failed, Outcome, Rendered, SourceDocument
from scraper.sources.local import expand_inputs, read_input, unread
from scraper.store.batches import Committer
from scraper.store.writer import assign_stems, stage_document

if TYPE_CHECKING:  # the pool and Dask are imported only when asked for (start-up)
    from scraper.jobs.cluster import DaskCleaner
    from scraper.jobs.workers import CleanerPool

Job = tuple[int, SourceDocument, str]  # (the input's place, the document, its output stem)


def run_clean(
    paths: list[str],
    out_dir: Path,
    opts: CleanOptions,
    stdout: BinaryIO,
    dask: str | None = None,
    workers: int | None = None,
) -> list[Outcome]:
    """Clean every input; files go to `out_dir`, standard input ('-') to `stdout`. Each file
    is written atomically: to a temp file as its result comes, then committed in batches on a
    thread of their own (store.batches: data sync, rename, directory sync) while the next ones
    clean; every batch is committed before any outcome is reported. Raises UsageError when the
    Dask cluster cannot be used (before any input is read)."""
    inputs = list(expand_inputs(paths))
    readable = [n for n, problem in inputs if problem is None]
    stems = assign_stems([n for n in readable if n != "-"])
    outcomes: dict[int, Outcome] = {}
    committer = Committer()

    def finish(i: int, result: Rendered | Failed) -> None:
        name = inputs[i][0]
        stem = "stdin" if name == "-" else stems[name]
        outcomes[i] = _finish(i, name, stem, result, out_dir, stdout, committer)

    try:
        workers = min(workers or 0, len(readable))  # no more processes than inputs
        _run(inputs, stems, outcomes, opts, finish, dask, workers)
    except BaseException:
        committer.abort()
        raise
    for i, exc in committer.close().items():
        outcomes[i] = _unwritten(inputs[i][0], exc)
    return [outcomes[i] for i in sorted(outcomes)]


def _run(
    inputs: list[tuple[str, str | None]],
    stems: dict[str, str],
    outcomes: dict[int, Outcome],
    opts: CleanOptions,
    finish: Callable[[int, Rendered | Failed], None],
    dask: str | None,
    workers: int,
) -> None:
    jobs = _documents(inputs, stems, outcomes)
    if dask is None and not workers:
        for i, doc, stem in jobs:
            finish(i, clean(doc, opts, stem, digests=False))  # written by bytes: no hashes needed
        return
    import asyncio  # only for the pool or Dask: `scraper clean` alone starts without it

    cleaner = _cleaner(opts, dask, workers)
    try:
        asyncio.run(_clean_all(cleaner, jobs, finish))
    finally:
        cleaner.close()


def _cleaner(opts: CleanOptions, dask: str | None, workers: int) -> CleanerPool | DaskCleaner:
    if dask is not None:
        from scraper.jobs.cluster import DaskCleaner  # Dask is optional: imported only here

        return DaskCleaner(dask, opts, budget=settings.CLEAN_BUDGET_S)
    from scraper.jobs.workers import CleanerPool

    pool = CleanerPool(opts, workers, budget=settings.CLEAN_BUDGET_S)
    pool.warm()  # on this thread, which outlives them (jobs.procs)
    return pool


def _room(cleaner: CleanerPool | DaskCleaner) -> int:
    """Documents given to the cleaner at once: each process busy, and one more ready for each."""
    from scraper.jobs.workers import CleanerPool

    if isinstance(cleaner, CleanerPool):
        return 2 * max(1, cleaner.workers)
    return cleaner.capacity()


async def _clean_all(
    cleaner: CleanerPool | DaskCleaner, jobs: Iterator[Job], finish: Callable[[int, Rendered | Failed], None]
) -> None:
    """Every job through the cleaner, at most `_room` at once; each result finished as it comes."""
    import asyncio

    async def one(i: int, doc: SourceDocument, stem: str) -> tuple[int, Rendered | Failed]:
        return i, await cleaner(doc, stem, "")

    running: set[asyncio.Task[tuple[int, Rendered | Failed]]] = set()
    for job in jobs:
        running.add(asyncio.create_task(one(*job)))
        while len(running) >= _room(cleaner):
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                finish(*task.result())
    for left in asyncio.as_completed(running):
        finish(*await left)


def _documents(
    inputs: list[tuple[str, str | None]], stems: dict[str, str], outcomes: dict[int, Outcome]
) -> Iterator[Job]:
    """The readable inputs (read one by one, as they are asked for); the others' outcomes."""
    for i, (name, problem) in enumerate(inputs):
        if problem:
            outcomes[i] = Outcome(name, "error", "file", "input", problem)
            continue
        try:
            data = read_input(name)
        except DocumentError as exc:
            outcomes[i] = unread(name, exc)
            continue
        yield i, SourceDocument(name, data), "stdin" if name == "-" else stems[name]


def _unwritten(name: str, exc: OSError) -> Outcome:
    return Outcome(name, "error", "file", "write", f"cannot write output: {exc.strerror or exc}")


def _finish(
    i: int,
    name: str,
    stem: str,
    result: Rendered | Failed,
    out_dir: Path,
    stdout: BinaryIO,
    committer: Committer,
) -> Outcome:
    """Write a cleaned input to temp files (or say why not); they are committed later
    (`committer`), and the outcome replaced by an error when that fails."""
    if isinstance(result, Failed):
        return Outcome(name, "error", "file", result.reason, result.message)
    done = Outcome(
        name, "ok", "file", counts=result.counts, source=result.source, fingerprint=result.fingerprint
    )
    if name == "-":
        stdout.write(result.markdown)
        stdout.flush()
        return replace(done, output="-")
    try:
        staged, w = stage_document(out_dir, stem, result.markdown, result.audit, committer.listing)
    except OSError as exc:
        return _unwritten(name, exc)
    committer.add(i, staged)
    return replace(done, output=str(w.path), changed=w.changed, created=w.created)
