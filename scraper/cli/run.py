"""`scraper run` / `scraper reclean` on the command line: logs, progress and exit status.

On a terminal: a progress bar, a line per new, updated or failed document, and a summary.
Otherwise (cron): JSON lines on stdout, one per document and listing, then a summary line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress

from scraper.cli.fetch import progress_bar
from scraper.errors import UsageError
from scraper.jobs.crawl import FetchOutcome
from scraper.jobs.run import DOC_KINDS, VERDICTS, RunAborted, RunSummary, run_sources, verdict
from scraper.sources.config import load_config
from scraper.store.lock import LockHeld

EXIT_OK, EXIT_FAILED, EXIT_CANNOT_START, EXIT_ABORTED, EXIT_LOCKED = 0, 1, 2, 3, 75


def outcome_json(o: FetchOutcome, run: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "event": "document" if o.kind in DOC_KINDS else "listing",
        "run": run,
        "source": o.origin,
        "kind": o.kind,
        "url": o.url,
        "status": verdict(o),
    }
    if o.reason:
        data["reason"] = o.reason
    if o.error:
        data["error"] = o.error
    if o.found_in:
        data["found_in"] = o.found_in
    if o.output:
        data["output"] = o.output
    if o.counts:
        data["removed"] = {k: v for k, v in o.counts.items() if v}
        data["original_source"] = o.source
    if o.fingerprint:
        data["fingerprint"] = o.fingerprint
    return data


class _Log:
    def __init__(self, command: str, jsonl: bool, quiet: bool, verbose: bool) -> None:
        self.jsonl, self.quiet, self.verbose = jsonl, quiet, verbose
        self.console = Console(stderr=True)
        self.progress: Progress | None = None
        if not jsonl and self.console.is_terminal and not quiet:
            self.progress = progress_bar(command, self.console)
            self.task = self.progress.add_task("", total=None)
            self.progress.start()

    def outcome(self, o: FetchOutcome, run: int) -> None:
        v = verdict(o)
        if self.progress is not None:
            self.progress.update(self.task, advance=1, description=o.url[-60:])
        if self.jsonl:
            if not self.quiet or v == "failed":
                click.echo(json.dumps(outcome_json(o, run), ensure_ascii=False, sort_keys=False))
            return
        if v == "failed" or (not self.quiet and (self.verbose or v in ("new", "updated"))):
            detail = o.output if v in ("new", "updated", "unchanged") and o.output else (o.error or o.reason)
            line = f"{v:9s} {o.url}" + (f" -> {detail}" if detail else "")
            console = self.progress.console if self.progress else self.console
            console.print(line, markup=False, highlight=False, soft_wrap=True)

    def summary(self, s: RunSummary) -> None:
        self.stop()
        if self.jsonl:
            click.echo(json.dumps(s.to_json(), ensure_ascii=False))
            return
        counts = ", ".join(f"{s.counts[v]} {v}" for v in VERDICTS)
        removed = sum(s.removed.values())
        click.echo(
            f"{s.command} {s.run}: {counts}; {removed} removals in written documents; "
            f"{s.archived} responses archived; {s.duration_s:.1f} s",
            err=True,
        )
        for problem in s.problems:
            click.echo(f"scraper: error: {problem}", err=True)

    def fatal(self, message: str, code: int) -> None:
        self.stop()
        click.echo(f"scraper: error: {message}", err=True)
        if self.jsonl:
            click.echo(json.dumps({"event": "error", "message": message, "exit": code}, ensure_ascii=False))

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def run_command(
    command: str, config_path: Path, log_format: str, workers: int | None, quiet: bool, verbose: bool
) -> int:
    jsonl = log_format == "jsonl" or (log_format == "auto" and not sys.stdout.isatty())
    log = _Log(command, jsonl, quiet, verbose)
    try:
        cfg = load_config(config_path)
        summary = run_sources(cfg, command, log.outcome, workers=workers)
    except UsageError as exc:
        log.fatal(str(exc), EXIT_CANNOT_START)
        return EXIT_CANNOT_START
    except LockHeld as exc:
        log.fatal(str(exc), EXIT_LOCKED)
        return EXIT_LOCKED
    except RunAborted as exc:
        log.fatal(f"the run stopped part-way ({exc}); files written so far are complete", EXIT_ABORTED)
        return EXIT_ABORTED
    finally:
        log.stop()
    log.summary(summary)
    return EXIT_FAILED if summary.failed else EXIT_OK
