"""Options and helpers the commands share: the cleaning options, backends, output directory,
bounded seconds and the one-line error."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from scraper import settings
from scraper.cli.direct import clean_options as clean_options  # (no click there: see direct)
from scraper.cli.direct import err as err
from scraper.cli.direct import one_backend as one_backend

F = TypeVar("F", bound=Callable[..., Any])


class Seconds(click.FloatRange):
    """A finite number of seconds within a range (click's FloatRange lets inf and nan pass)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number of seconds", param, ctx)
        return number


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
