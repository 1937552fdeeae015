"""`scraper clean` on the command line: lines or a JSON report, and the exit status."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from scraper.cli.report import clean_json, echo, error, one_line
from scraper.errors import UsageError
from scraper.jobs.batch import run_clean
from scraper.model import CleanOptions, ExitCode


def clean_command(
    paths: list[str],
    out_dir: Path,
    opts: CleanOptions,
    as_json: bool,
    quiet: bool,
    dask: str | None = None,
    workers: int | None = None,
) -> ExitCode:
    try:
        outcomes = run_clean(paths, out_dir, opts, sys.stdout.buffer, dask=dask, workers=workers)
    except UsageError as exc:  # --dask: no scheduler, no workers, other code on the workers
        error(str(exc))
        return ExitCode.USAGE
    failed = 0
    for o in outcomes:
        if o.status == "error":
            failed += 1
            error(f"{o.url}: {o.error}")
        elif o.status == "skipped":
            if not quiet and not as_json:
                echo(one_line(f"{o.url}: skipped ({o.error or o.reason})"), err=True)
        elif o.output != "-" and not quiet and not as_json:
            state = "written" if o.changed else "unchanged"
            line = f"{o.url} -> {o.output} ({sum(o.counts.values())} removals, {state})"
            echo(one_line(line), err=True)
    if as_json:
        echo(json.dumps({"documents": [clean_json(o) for o in outcomes]}, ensure_ascii=False, indent=2))
    elif not quiet and len(outcomes) > 1:
        echo(f"{len(outcomes) - failed} cleaned, {failed} failed", err=True)
    return ExitCode.FAILED if failed else ExitCode.OK
