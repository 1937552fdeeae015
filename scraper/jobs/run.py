"""`scraper run` and `scraper reclean`: every source of a sources.toml, once, under a lock.

A run fetches (conditionally), archives every new response body as WARC, cleans what changed
and writes it atomically; then records the run. `reclean` walks the same sources with the
archive in place of the network and today's rules. Stale temp files of a killed run are swept
first, under the lock, so nothing partial is ever left in the output directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleaners import CATEGORIES, RulesError, load_rules
from scraper.errors import DocumentError, UsageError
from scraper.fetch.client import Fetcher
from scraper.fetch.config import FetchConfig, HostProfile, user_agent
from scraper.jobs.crawl import FetchJob
from scraper.jobs.frontier import Origin
from scraper.jobs.incremental import Incremental
from scraper.jobs.workers import CleanerPool
from scraper.model import DOC_KINDS, VERDICTS, CleanOptions, Outcome, SourceDocument
from scraper.pipeline.nearcopy import copy_summary, no_copies
from scraper.settings import LOCK_SUFFIX, READ_TIMEOUT, default_workers
from scraper.sources.config import RunConfig, Source
from scraper.sources.local import expand_inputs, read_input, unread
from scraper.store.archive import Archive
from scraper.store.lock import RunLock
from scraper.store.replay import ArchiveFetcher, archived_response
from scraper.store.state import StateBusy, StateError, StateStore
from scraper.store.writer import assign_stems

if TYPE_CHECKING:
    from scraper.jobs.cluster import DaskCleaner


class RunAborted(Exception):
    """The run stopped part-way (state store or disk); what was written is complete."""


@dataclass
class RunSummary:
    run: int
    command: str
    counts: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    duration_s: float = 0.0
    archived: int = 0
    problems: list[str] = field(default_factory=list)  # run-level: archive write errors …
    written: list[str] = field(default_factory=list)  # outputs new or updated in this run
    copies: dict[str, Any] = field(default_factory=no_copies)  # clusters holding written docs

    def add(self, o: Outcome) -> None:
        v = o.verdict
        if o.kind in DOC_KINDS or v == "failed":
            self.counts[v] += 1
        if v in ("new", "updated"):
            self.removed.update(o.counts)
            if o.output:
                self.written.append(o.output)

    @property
    def failed(self) -> bool:
        return bool(self.counts["failed"] or self.problems)

    def to_json(self) -> dict[str, Any]:
        return {
            "event": "summary",
            "run": self.run,
            "command": self.command,
            **{v: self.counts[v] for v in VERDICTS},
            "removed": {c: self.removed[c] for c in CATEGORIES},
            "archived": self.archived,
            "copies": self.copies,
            "problems": self.problems,
            "duration_s": round(self.duration_s, 3),
        }


def load_options(cfg: RunConfig) -> tuple[dict[str, CleanOptions], dict[str, str]]:
    """Cleaning options per distinct rules list, and each source's key into them."""
    options: dict[str, CleanOptions] = {}
    keys: dict[str, str] = {}
    for src in cfg.sources:
        files = (*cfg.rules, *src.rules)
        key = "|".join(str(f) for f in files)
        if key not in options:
            try:
                options[key] = CleanOptions(load_rules(*files), attribution_line=cfg.attribution_line)
            except RulesError as exc:
                raise UsageError(str(exc)) from None
        keys[src.name] = key
    return options, keys


def check_writable(directory: Path, what: str) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the {what} {directory}: {exc.strerror or exc}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write to the {what} {directory}: permission denied")


def sweep_temp_files(out_dir: Path) -> int:
    """Remove temp files a killed run left (`.<name>.<pid>.tmp`, or `.<name>.<random>.tmp`
    when that name was taken; see store.staging)."""
    removed = 0
    for path in out_dir.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
    return removed


def run_sources(
    cfg: RunConfig,
    command: str,
    on_outcome: Callable[[Outcome, int], None],
    *,
    workers: int | None = None,
    notice: Callable[[str], None] = lambda _: None,
) -> RunSummary:
    """Run (command "run") or re-clean (command "reclean") every source. Raises UsageError
    when the run cannot start, LockHeld when another run holds the lock, RunAborted."""
    started = time.monotonic()
    if cfg.dask:  # a bad address, or no Dask: said before anything is touched
        from scraper.jobs.cluster import check_address

        check_address(cfg.dask)
    options, keys = load_options(cfg)
    check_writable(cfg.out_dir, "output directory")
    check_writable(cfg.state.parent, "state directory")
    if command == "run":
        check_writable(cfg.archive, "archive directory")
    with RunLock(cfg.state.with_name(cfg.state.name + LOCK_SUFFIX)) as lock:
        if lock.taken_over:
            notice(f"took over the lock of a run that ended without releasing it ({lock.taken_over})")
        sweep_temp_files(cfg.out_dir)
        state = _open_state(cfg)
        try:
            pool = _cleaner(cfg, command, options, workers)  # Dask: refused here, before any work
        except BaseException:
            state.close()
            raise
        archive: Archive | None = None
        try:
            summary = RunSummary(state.start_run(command), command)
            archive = Archive(cfg.archive, summary.run, state) if command == "run" else None

            def report(o: Outcome) -> None:
                summary.add(o)
                on_outcome(o, summary.run)

            asyncio.run(_walk(cfg, command, keys, pool, state, archive, report))
        except Exception as exc:  # sqlite3 and OS errors: the state store or the disk gave out
            state.close()
            raise RunAborted(f"{type(exc).__name__}: {exc}") from None
        finally:
            pool.close()
            if archive is not None:
                with contextlib.suppress(OSError):
                    archive.close()
        try:
            if summary.written:
                summary.copies = copy_summary(state.fingerprints(), summary.written)
            if archive is not None:
                summary.archived = archive.records
                summary.problems.extend(archive.errors)
            summary.duration_s = time.monotonic() - started
            state.finish_run(summary.to_json())
        except sqlite3.Error as exc:
            raise RunAborted(f"{type(exc).__name__}: {exc}") from None
        finally:
            state.close()
    return summary


def _cleaner(
    cfg: RunConfig, command: str, options: dict[str, CleanOptions], workers: int | None
) -> CleanerPool | DaskCleaner:
    """The local pool, or a Dask cluster (`dask`: imported only then, it is optional); both
    hold each document to the same budget (clean_budget) and fail it with the same reasons."""
    if cfg.dask:
        from scraper.jobs.cluster import DaskCleaner

        archive = cfg.archive if command == "reclean" else None
        return DaskCleaner(
            cfg.dask, options, archive=archive, archive_url=cfg.dask_archive, budget=cfg.clean_budget
        )
    pool = CleanerPool(options, _workers(cfg, workers), budget=cfg.clean_budget)
    pool.warm()  # the workers load the extraction stack while the run starts
    return pool


def _workers(cfg: RunConfig, workers: int | None) -> int:
    if workers is not None:
        return workers
    return default_workers() if cfg.workers is None else cfg.workers


def _open_state(cfg: RunConfig) -> StateStore:
    try:
        return StateStore(cfg.state, archive_dir=cfg.archive)
    except StateError as exc:
        raise UsageError(str(exc)) from None
    except StateBusy as exc:
        raise RunAborted(str(exc)) from None


async def _walk(
    cfg: RunConfig,
    command: str,
    keys: dict[str, str],
    pool: CleanerPool | DaskCleaner,
    state: StateStore,
    archive: Archive | None,
    report: Callable[[Outcome], None],
) -> None:
    config = FetchConfig(
        user_agent=user_agent(cfg.user_agent, cfg.contact),
        concurrency=cfg.concurrency,
        per_host=max(s.per_host for s in cfg.sources),  # sizes the connection pools
        total_timeout=cfg.timeout,
        read_timeout=min(READ_TIMEOUT, cfg.timeout),
    )
    if command == "run":
        async with Fetcher(config, validators=Incremental(state), on_response=archive) as fetcher:
            job = FetchJob(
                fetcher,
                pool,
                cfg.out_dir,
                state,
                on_outcome=report,
                replay=lambda url: archived_response(state, cfg.archive, url),
                revalidate=cfg.revalidate_hours * 3600,
            )
            await _sources(job, cfg, keys)
    else:
        if isinstance(pool, CleanerPool):
            replayer = ArchiveFetcher(state, cfg.archive, config)
        else:  # documents stay in the archive as references
            replayer = pool.archive_fetcher(state, cfg.archive, config)
        job = FetchJob(replayer, pool, cfg.out_dir, state, on_outcome=report, force=True)
        await _sources(job, cfg, keys)


async def _sources(job: FetchJob, cfg: RunConfig, keys: dict[str, str]) -> None:
    job.start()
    base = cfg.path.parent
    for src in cfg.sources:
        origin = Origin(
            src.name,
            keys[src.name],
            HostProfile(src.allow_private, src.per_host, src.delay),
            src.max_pages,
            src.max_listings,
            src.max_depth,
            src.max_total_bytes,
            src.rank,
        )
        if src.kind == "path":
            _local_documents(job, src, origin, base)
        elif src.kind == "feed" and not src.targets[0].startswith(("http://", "https://")):
            name = _display(Path(src.targets[0]), base)
            try:
                job.add_feed_file(name, read_input(src.targets[0]), origin)
            except DocumentError as exc:
                job.report(unread(name, exc, "feed", src.name))
        else:
            for url in src.targets:
                job.add_url(url, origin)
    await job.wait()


def _vanished(job: FetchJob, src: Source, root: str, present: set[str]) -> None:
    """Inputs written by earlier runs that are gone now: reported, their outputs kept."""
    for name in job.policy.vanished(root, present):
        job.report(
            Outcome(
                name, "skipped", "file", "vanished", "input no longer exists; output kept", origin=src.name
            )
        )


def _display(path: Path, base: Path) -> str:
    """How a local input is named in reports and `retrieved_from`: relative to the sources
    file's directory, so outputs do not depend on where the checkout lives or the cwd."""
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _local_documents(job: FetchJob, src: Source, origin: Origin, base: Path) -> None:
    root = Path(src.targets[0])
    inputs = list(expand_inputs([str(root)]))
    stems = assign_stems([n for n, problem in inputs if problem is None])
    _vanished(job, src, _display(root, base), {_display(Path(n), base) for n, _ in inputs})
    for name, problem in inputs:
        display = _display(Path(name), base)
        if problem:
            job.report(Outcome(display, "error", "file", "input", problem, origin=src.name))
            continue
        try:
            data = read_input(name)
        except DocumentError as exc:
            job.report(unread(display, exc, "file", src.name))
            continue
        job.add_file(SourceDocument(display, data), f"{src.name}/{stems[name]}", origin)
