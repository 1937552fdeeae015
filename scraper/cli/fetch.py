"""Running a fetch from the command line: options to objects, progress, report, exit status."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scraper.fetch.client import Fetcher
from scraper.fetch.config import FetchConfig, user_agent
from scraper.jobs.crawl import FetchJob, FetchOutcome
from scraper.jobs.workers import CleanerPool, default_workers
from scraper.model import CleanOptions
from scraper.store.state import StateStore

EXIT_OK, EXIT_FAILED = 0, 1


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


def progress_bar(label: str, console: Console) -> Progress:
    """A bar of documents done (the total is unknown: feeds and sitemaps add to it)."""
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
    )


class _Reporter:
    """A progress bar on a terminal; plain lines otherwise."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.console = Console(stderr=True)
        self.tty = self.console.is_terminal and not quiet
        self.progress: Progress | None = None
        self.task: Any = None

    def __enter__(self) -> _Reporter:
        if self.tty:
            self.progress = progress_bar("fetch", self.console)
            self.progress.start()
            self.task = self.progress.add_task("", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, o: FetchOutcome) -> None:
        line = _line(o)
        if self.progress is not None:
            self.progress.update(self.task, advance=1, description=o.url[-60:])
            if o.status == "error" or self.verbose:
                self.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        elif o.status == "error":
            click.echo(f"scraper: error: {o.url}: {o.error or o.reason}", err=True)
        elif not self.quiet and (self.verbose or (o.status == "ok" and o.kind in ("page", "item"))):
            click.echo(line, err=True)


def _line(o: FetchOutcome) -> str:
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
    **net: Any,
) -> int:
    config = fetch_config(**net)
    pool = CleanerPool(opts, default_workers() if workers is None else workers)
    pool.warm()
    state = StateStore(state_path) if state_path else None
    try:
        with _Reporter(quiet, verbose) as reporter:
            outcomes = asyncio.run(_fetch(urls, config, pool, out_dir, state, max_pages, reporter))
    finally:
        pool.close()
        if state:
            state.close()
    if as_json:
        click.echo(json.dumps({"documents": [o.to_json() for o in outcomes]}, ensure_ascii=False, indent=2))
    counts = Counter(o.status for o in outcomes)
    if not quiet:
        summary = ", ".join(
            f"{counts[k]} {k}" for k in ("ok", "not_modified", "skipped", "error") if counts[k]
        )
        click.echo(f"fetch: {summary or 'nothing to do'}", err=True)
    return EXIT_FAILED if counts["error"] else EXIT_OK


async def _fetch(
    urls: list[str],
    config: FetchConfig,
    pool: CleanerPool,
    out_dir: Path,
    state: StateStore | None,
    max_pages: int,
    reporter: _Reporter,
) -> list[FetchOutcome]:
    async with Fetcher(config, validators=state) as fetcher:
        job = FetchJob(fetcher, pool, out_dir, state, max_pages=max_pages, on_outcome=reporter)
        if state:
            state.start_run()
        outcomes = await job.run(urls)
        if state:
            state.finish_run(dict(Counter(o.status for o in outcomes)))
        return outcomes
