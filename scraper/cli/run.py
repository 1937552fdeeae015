"""`scraper run` / `scraper reclean` on the command line: logs, progress and exit status.

On a terminal: a progress bar, a line per new, updated or failed document, and a summary.
Otherwise (cron): JSON lines on stdout, one per document and listing, then a summary line.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from scraper.cli.report import Reporter, error, notice, run_json
from scraper.errors import UsageError
from scraper.jobs.run import RunAborted, RunSummary, run_sources
from scraper.model import VERDICTS, ExitCode, Outcome
from scraper.sources.config import load_config
from scraper.store.lock import LockHeld


class _Log:
    def __init__(self, command: str, jsonl: bool, quiet: bool, verbose: bool) -> None:
        self.jsonl, self.quiet, self.verbose = jsonl, quiet, verbose
        self.reporter = Reporter(command, bar=not jsonl and not quiet)

    def outcome(self, o: Outcome, run: int) -> None:
        v = o.verdict
        self.reporter.advance(o)
        if self.jsonl:
            if not self.quiet or v == "failed":
                click.echo(json.dumps(run_json(o, run), ensure_ascii=False, sort_keys=False))
            return
        if v == "failed" or (not self.quiet and (self.verbose or v in ("new", "updated"))):
            detail = o.output if v in ("new", "updated", "unchanged") and o.output else (o.error or o.reason)
            self.reporter.line(f"{v:9s} {o.url}" + (f" -> {detail}" if detail else ""))

    def summary(self, s: RunSummary) -> None:
        self.reporter.stop()
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
            error(problem)

    def fatal(self, message: str, code: ExitCode) -> ExitCode:
        self.reporter.stop()
        error(message)
        if self.jsonl:
            click.echo(
                json.dumps({"event": "error", "message": message, "exit": int(code)}, ensure_ascii=False)
            )
        return code


def run_command(
    command: str,
    config_path: Path,
    log_format: str,
    workers: int | None,
    quiet: bool,
    verbose: bool,
    dask: str | None = None,
) -> ExitCode:
    jsonl = log_format == "jsonl" or (log_format == "auto" and not sys.stdout.isatty())
    log = _Log(command, jsonl, quiet, verbose)
    try:
        cfg = load_config(config_path)
        if dask:  # the command line over the sources file: --dask, or --workers (local)
            cfg = replace(cfg, dask=dask)
        elif workers is not None:
            cfg = replace(cfg, dask=None)
        summary = run_sources(cfg, command, log.outcome, workers=workers, notice=notice)
    except UsageError as exc:
        return log.fatal(str(exc), ExitCode.USAGE)
    except LockHeld as exc:
        return log.fatal(str(exc), ExitCode.LOCKED)
    except RunAborted as exc:
        return log.fatal(
            f"the run stopped part-way ({exc}); files written so far are complete", ExitCode.ABORTED
        )
    finally:
        log.reporter.stop()
    log.summary(summary)
    return ExitCode.FAILED if summary.failed else ExitCode.OK
