"""Options and helpers the commands share: the cleaning options, backends, output directory,
bounded seconds and the one-line error."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from scraper import settings
from scraper.model import CleanOptions, ExitCode

F = TypeVar("F", bound=Callable[..., Any])


def err(message: str) -> None:
    from scraper.cli.report import error

    error(message)


class Seconds(click.FloatRange):
    """A finite number of seconds within a range (click's FloatRange lets inf and nan pass)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number of seconds", param, ctx)
        return number


def clean_options(rules: tuple[Path, ...], attribution_line: bool) -> CleanOptions:
    from cleaners import RulesError, load_rules  # the rules load for commands that clean only

    try:
        return CleanOptions(load_rules(*rules), attribution_line=attribution_line)
    except RulesError as exc:
        err(str(exc))
        sys.exit(ExitCode.USAGE)


JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON report on stdout.")
RULES = click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Extra site rules (TOML), added to the built-in rules. Repeatable.",
)
ATTRIBUTION = click.option(
    "--attribution-line/--no-attribution-line",
    default=settings.ATTRIBUTION_LINE,
    show_default=True,
    help='End each body with "Originally published by [Name](url)."',
)
WORKERS = click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="Cleaning processes (0: clean in a thread, without the cleaning budget). Default: up to 2.",
)


CLEAN_WORKERS = click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="Clean in N processes, each document within the cleaning budget (30 s). "
    "Default: in this process, one document at a time, without a budget.",
)
DASK = click.option(
    "--dask",
    "dask",
    metavar="ADDRESS",
    default=None,
    help="Clean on a Dask cluster: tcp://HOST:PORT or tls://HOST:PORT of a scheduler, or local:N "
    "(N worker processes here). Needs pip install 'scraper[dask]'. Not with --workers.",
)


def one_backend(workers: int | None, dask: str | None) -> None:
    if workers is not None and dask is not None:
        err("--workers and --dask cannot be combined (the Dask workers do the cleaning)")
        sys.exit(ExitCode.USAGE)


def out_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "-o",
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=settings.OUT_DIR,
        show_default=True,
        help=help_text,
    )
