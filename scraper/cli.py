"""Command line: `scraper clean`, `scraper fetch`, `scraper run`, `scraper reclean`, `scraper audit`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cleaners.ruleset import RulesError, load_rules
from scraper import __version__
from scraper.batch import run_clean
from scraper.pipeline import CleanOptions

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _err(message: str) -> None:
    click.echo(f"scraper: error: {message}", err=True)


def _options(rules: tuple[Path, ...], attribution_line: bool) -> CleanOptions:
    try:
        return CleanOptions(load_rules(*rules), attribution_line=attribution_line)
    except RulesError as exc:
        _err(str(exc))
        sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="scraper")
def main() -> None:
    """Turn syndicated web articles into clean, attributed Markdown.

    Every removal is recorded with its category and rule in an audit file next to the output.
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Directory for the cleaned .md files and their .audit.json records.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report on stdout.")
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Extra site rules (TOML), added to the built-in rules. Repeatable.",
)
@click.option(
    "--attribution-line/--no-attribution-line",
    default=True,
    show_default=True,
    help='End each body with "Originally published by [Name](url)."',
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def clean(
    paths: tuple[str, ...],
    out_dir: Path,
    as_json: bool,
    rules: tuple[Path, ...],
    attribution_line: bool,
    quiet: bool,
) -> None:
    """Clean Markdown articles and HTML pages.

    PATH is a Markdown file (YAML front matter allowed), an HTML page, a directory (searched
    recursively for .md/.markdown/.txt/.html/.htm files) or - for standard input, whose
    cleaned document is printed on stdout. The kind of each file is read from its content.

    Exit status: 0 when every input was cleaned, 1 when any failed (the others are still
    written), 2 on usage errors.
    """
    if "-" in paths and as_json:
        _err("--json cannot be combined with '-' (the cleaned document goes to stdout)")
        sys.exit(EXIT_USAGE)
    if paths.count("-") > 1:
        _err("standard input ('-') can be given once")
        sys.exit(EXIT_USAGE)
    opts = _options(rules, attribution_line)
    outcomes = run_clean(list(paths), out_dir, opts)
    failed = 0
    for o in outcomes:
        if o.status == "error":
            failed += 1
            _err(f"{o.input}: {o.error}")
        elif o.output == "-" and o.doc is not None:
            sys.stdout.write(o.doc.markdown)
        elif not quiet and not as_json:
            removed = sum(o.doc.counts.values()) if o.doc else 0
            state = "written" if o.changed else "unchanged"
            click.echo(f"{o.input} -> {o.output} ({removed} removals, {state})", err=True)
    if as_json:
        click.echo(json.dumps({"documents": [o.to_json() for o in outcomes]}, ensure_ascii=False, indent=2))
    elif not quiet and len(outcomes) > 1:
        click.echo(f"{len(outcomes) - failed} cleaned, {failed} failed", err=True)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)
