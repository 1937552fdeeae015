"""`scraper fetch` on the command line: options to objects, progress, report, exit status."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import Counter
from pathlib import Path

import click

from scraper.cli.report import Reporter, error, fetch_json
from scraper.fetch.client import Fetcher
from scraper.fetch.config import FetchConfig, user_agent
from scraper.jobs.crawl import FetchJob
from scraper.jobs.incremental import Incremental
from scraper.jobs.workers import CleanerPool
from scraper.model import CleanOptions, ExitCode, Outcome
from scraper.settings import default_workers
from scraper.store.state import StateBusy, StateError, StateStore


def fetch_config(
    *,
    allow_private: bool,
    ua: str | None,
    contact: str | None,
    concurrency: int,
    per_host: int,
    delay: float,
    timeout: float,
    read_timeout: float,
    max_bytes: int,
    attempts: int,
) -> FetchConfig:
    return FetchConfig(
        user_agent=user_agent(ua, contact),
        concurrency=concurrency,
        per_host=per_host,
        delay=delay,
        total_timeout=timeout,
        read_timeout=read_timeout,
        max_bytes=max_bytes,
        attempts=attempts,
        allow_private=allow_private,
    )


class _Progress:
    """A bar on a terminal, with failed URLs (every URL with -v) above it; otherwise a line per
    document written or kept, errors as `scraper: error:` lines."""

    def __init__(self, reporter: Reporter, quiet: bool, verbose: bool) -> None:
        self.reporter, self.quiet, self.verbose = reporter, quiet, verbose

    def __call__(self, o: Outcome) -> None:
        self.reporter.advance(o)
        if self.reporter.bar:
            if o.status == "error" or self.verbose:
                self.reporter.line(_line(o))
        elif o.status == "error":
            error(f"{o.url}: {o.error or o.reason}")
        elif not self.quiet and (self.verbose or (o.status == "ok" and o.kind in ("page", "item"))):
            self.reporter.line(_line(o))


def _line(o: Outcome) -> str:
    if o.status == "ok" and o.output:
        removed = sum(o.counts.values())
        return f"ok {o.url} -> {o.output} ({removed} removals, {'written' if o.changed else 'unchanged'})"
    if o.status == "error":
        return f"error {o.url}: {o.error or o.reason}"
    detail = f" ({o.reason})" if o.reason else ""
    return f"{o.status} {o.url}{detail}"


def run_fetch(
    urls: list[str],
    *,
    out_dir: Path,
    opts: CleanOptions,
    as_json: bool,
    state_path: Path | None,
    workers: int | None,
    verbose: bool,
    quiet: bool,
    max_pages: int,
    config: FetchConfig,
) -> ExitCode:
    try:
        state = StateStore(state_path) if state_path else None
    except StateError as exc:
        error(str(exc))
        return ExitCode.USAGE
    except StateBusy as exc:
        error(str(exc))
        return ExitCode.ABORTED
    pool = CleanerPool(opts, default_workers() if workers is None else workers)
    pool.warm()
    try:
        with Reporter("fetch", bar=not quiet) as reporter:
            job = _Progress(reporter, quiet, verbose)
            outcomes = asyncio.run(_fetch(urls, config, pool, out_dir, state, max_pages, job))
    except sqlite3.Error as exc:
        error(f"the state store gave out ({type(exc).__name__}: {exc}); files written so far are complete")
        return ExitCode.ABORTED
    finally:
        pool.close()
        if state:
            state.close()
    if as_json:
        click.echo(json.dumps({"documents": [fetch_json(o) for o in outcomes]}, ensure_ascii=False, indent=2))
    counts = Counter(o.status for o in outcomes)
    if not quiet:
        summary = ", ".join(
            f"{counts[k]} {k}" for k in ("ok", "not_modified", "skipped", "error") if counts[k]
        )
        click.echo(f"fetch: {summary or 'nothing to do'}", err=True)
    return ExitCode.FAILED if counts["error"] else ExitCode.OK


async def _fetch(
    urls: list[str],
    config: FetchConfig,
    pool: CleanerPool,
    out_dir: Path,
    state: StateStore | None,
    max_pages: int,
    progress: _Progress,
) -> list[Outcome]:
    async with Fetcher(config, validators=Incremental(state)) as fetcher:
        job = FetchJob(fetcher, pool, out_dir, state, max_pages=max_pages, on_outcome=progress)
        if state:
            state.start_run()
        outcomes = await job.run(urls)
        if state:
            state.finish_run(dict(Counter(o.status for o in outcomes)))
        return outcomes
