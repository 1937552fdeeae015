"""Command line: `scraper clean`, `scraper fetch`, `scraper run`, `scraper reclean`, `scraper audit`:
the click group, every option and help text. `scraper.cli.main` runs it (and a plain `scraper clean`
or `scraper --version` without it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from scraper import __version__, settings
from scraper.cli import direct
from scraper.cli.options import (
    ATTRIBUTION,
    CLEAN_WORKERS,
    DASK,
    JSON,
    RULES,
    WORKERS,
    F,
    Seconds,
    clean_options,
    one_backend,
    out_option,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="scraper")
def main() -> None:
    """Turn syndicated web articles into clean, attributed Markdown.

    Every removal is recorded with its category and rule in an audit file next to the output.
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@out_option("Directory for the cleaned .md files and their .audit.json records.")
@JSON
@RULES
@ATTRIBUTION
@CLEAN_WORKERS
@DASK
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def clean(
    paths: tuple[str, ...],
    out_dir: Path,
    as_json: bool,
    rules: tuple[Path, ...],
    attribution_line: bool,
    workers: int | None,
    dask: str | None,
    quiet: bool,
) -> None:
    """Clean Markdown articles and HTML pages.

    PATH is a Markdown file (YAML front matter allowed), an HTML page, a directory (searched
    recursively for .md/.markdown/.txt/.html/.htm files) or - for standard input, whose
    cleaned document is printed on stdout. The kind of each file is read from its content.
    Documents are cleaned in this process; with --workers N in N processes, or on a Dask
    cluster with --dask, each within a budget of 30 s (past it: reason too-complex).

    Exit status: 0 when every input was cleaned, 1 when any failed (the others are still
    written), 2 on usage errors (and a Dask cluster that cannot be reached or runs other code).
    """
    direct.clean(paths, out_dir, as_json, rules, attribution_line, workers, dask, quiet)


@main.command()
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@out_option("Output directory; documents go to <host>/<path>.md.")
@JSON
@RULES
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=settings.STATE,
    show_default=True,
    help="SQLite file keeping ETag/Last-Modified per URL for conditional requests.",
)
@click.option("--no-state", is_flag=True, help="Keep no state (every page fetched in full).")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Allow private and loopback addresses (never link-local or cloud metadata).",
)
@click.option(
    "--user-agent", "ua", default=None, help="User-Agent header (default names the tool and --contact)."
)
@click.option("--contact", default=None, help="Contact URL put in the default User-Agent.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=settings.CONCURRENCY,
    show_default=True,
    help="Requests in flight overall.",
)
@click.option(
    "--per-host",
    type=click.IntRange(1, 64),
    default=settings.PER_HOST,
    show_default=True,
    help="Requests in flight per host.",
)
@click.option(
    "--delay",
    type=Seconds(0, 3600),
    default=settings.DELAY,
    show_default=True,
    help="Seconds between requests to one host (robots.txt Crawl-delay raises it).",
)
@click.option(
    "--timeout",
    type=Seconds(0.1, 3600),
    default=settings.TIMEOUT,
    show_default=True,
    help="Total seconds for one response, headers to last byte.",
)
@click.option(
    "--read-timeout",
    type=Seconds(0.1, 3600),
    default=settings.READ_TIMEOUT,
    show_default=True,
    help="Seconds to wait for each read.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(1024),
    default=settings.MAX_BYTES,
    show_default=True,
    help="Largest body accepted, after decompression.",
)
@click.option(
    "--max-pages",
    type=click.IntRange(1),
    default=settings.MAX_PAGES,
    show_default=True,
    help="Most pages fetched from feeds and sitemaps in one run.",
)
@click.option(
    "--attempts",
    type=click.IntRange(1, 20),
    default=settings.ATTEMPTS,
    show_default=True,
    help="Tries per URL for timeouts, connection errors and 408/429/5xx.",
)
@WORKERS
@ATTRIBUTION
@click.option("-v", "--verbose", is_flag=True, help="Report every URL, skipped and unchanged ones too.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def fetch(
    urls: tuple[str, ...],
    out_dir: Path,
    as_json: bool,
    rules: tuple[Path, ...],
    state_path: Path,
    no_state: bool,
    max_pages: int,
    workers: int | None,
    attribution_line: bool,
    verbose: bool,
    quiet: bool,
    **net: Any,  # the HTTP options, for scraper.cli.fetch.fetch_config
) -> None:
    """Fetch articles, RSS/Atom/JSON feeds, sitemaps (plain or .gz) and robots.txt Sitemap
    lines, and clean what they hold as `scraper clean` does.

    Polite by default: robots.txt honoured for every URL and redirect hop (RFC 9309; a host
    whose robots.txt answers 5xx or not at all is not crawled, and its pages fail), 2 requests
    per host, conditional requests from the state file. Private, loopback, link-local and
    cloud-metadata addresses are refused, also after redirects and DNS resolution.

    Exit status: 0 when nothing failed (skipped and unchanged pages are fine), 1 when any URL
    failed (DNS, connection, TLS, timeout … included), 2 on usage errors or a state file that is
    not one, 3 when the state file stayed busy.
    """
    from scraper.cli.fetch import fetch_config, run_fetch

    opts = clean_options(rules, attribution_line)
    code = run_fetch(
        list(urls),
        out_dir=out_dir,
        opts=opts,
        as_json=as_json,
        state_path=None if no_state else state_path,
        max_pages=max_pages,
        workers=workers,
        verbose=verbose,
        quiet=quiet,
        config=fetch_config(**net),
    )
    sys.exit(code)


def _run_options(fn: F) -> F:
    """The options `run` and `reclean` share."""
    for option in reversed(
        (
            click.option(
                "-c",
                "--config",
                "config_path",
                type=click.Path(dir_okay=False, path_type=Path),
                default=settings.SOURCES,
                show_default=True,
                help="Sources file (TOML); paths in it are relative to its directory.",
            ),
            click.option(
                "--log",
                "log_format",
                type=click.Choice(["auto", "text", "jsonl"]),
                default="auto",
                show_default=True,
                help="auto: progress and text on a terminal, JSON lines on stdout otherwise.",
            ),
            WORKERS,
            DASK,
            click.option("-v", "--verbose", is_flag=True, help="Report unchanged and skipped documents too."),
            click.option("-q", "--quiet", is_flag=True, help="Report failures and the summary only."),
        )
    ):
        fn = option(fn)
    return fn


@main.command()
@_run_options
def run(
    config_path: Path, log_format: str, workers: int | None, dask: str | None, verbose: bool, quiet: bool
) -> None:
    """Fetch and clean every source of a sources file: the cron job.

    Incremental: conditional requests, and input identical to last time is not cleaned again,
    so an unchanged run writes nothing; a page wins over a feed item's copy of it, on every
    run. Every walk is bounded per source, every document by a cleaning budget. Every new
    response body is archived as WARC. One run at a time (a lock next to the state store, held
    by the main process only); outputs are written atomically, and a killed run is finished by
    the next one.

    Exit status: 0 all well; 1 some documents failed (the rest are written); 2 the run could
    not start (bad sources file or rules, unwritable directories, a foreign or newer state
    store, a Dask cluster that cannot be reached or runs other code); 3 the run stopped
    part-way (state store busy, or disk failure); 75 another run holds the lock.
    """
    one_backend(workers, dask)
    from scraper.cli.run import run_command

    sys.exit(run_command("run", config_path, log_format, workers, quiet, verbose, dask))


@main.command()
@_run_options
def reclean(
    config_path: Path, log_format: str, workers: int | None, dask: str | None, verbose: bool, quiet: bool
) -> None:
    """Clean every source again from the archive, with today's rules, without the network.

    Gives the output a live run would give on the same responses; only files whose cleaned
    text changes are rewritten. Local path and feed-file sources are read again from disk.
    Exit status as for `run`.
    """
    one_backend(workers, dask)
    from scraper.cli.run import run_command

    sys.exit(run_command("reclean", config_path, log_format, workers, quiet, verbose, dask))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Sources file, for the output directory, state and archive [default: ./sources.toml if any].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the data as JSON (schema in the README).")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a self-contained HTML report to this file.",
)
@click.option("--changes", "show_changes", is_flag=True, help="Show what changed in the output between runs.")
@click.option(
    "--since",
    type=click.IntRange(0),
    default=None,
    help="With --changes: changes made after this run [default: those of the latest run].",
)
@click.option("--category", "categories", multiple=True, metavar="C", help="Only removals of this category.")
@click.option("--rule", "rules", multiple=True, metavar="R", help="Only removals by this rule (or C/R).")
@click.option("--doc", "docs", multiple=True, metavar="PATTERN", help="Only documents whose path matches.")
@click.option("--summary", is_flag=True, help="One line per document: input, publisher, counts.")
def audit(
    paths: tuple[Path, ...],
    config_path: Path | None,
    as_json: bool,
    html_path: Path | None,
    show_changes: bool,
    since: int | None,
    categories: tuple[str, ...],
    rules: tuple[str, ...],
    docs: tuple[str, ...],
    summary: bool,
) -> None:
    """Review what the cleaners removed, and what changed between runs.

    PATH is an output directory or cleaned .md files (default: the sources file's out_dir, or
    out/). For each document: the diff from its original (the input file, the archived
    response, the feed item) to the cleaned Markdown — an HTML page's removals shown where they
    were cut — each change labelled with its category and rule, changed words marked inside
    the line; then removals per category and per rule. Coloured on a terminal; piped, words as
    [-old-]{+new+}.

    Exit status: 0; 1 when a PATH or a document could not be read, or an audit record names
    an input outside the known directories (the others are still shown); 2 when there is
    nothing to audit (no cleaned documents, no readable state store).
    """
    from scraper.audit.filters import Filter
    from scraper.cli.audit import run_audit

    keep = Filter(categories, rules, docs)
    sys.exit(run_audit(list(paths), config_path, as_json, html_path, show_changes, since, keep, summary))
