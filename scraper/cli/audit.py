"""`scraper audit` on the command line: which documents, where their originals are, which view."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from scraper import settings
from scraper.audit.changes import changes, runs
from scraper.audit.data import OriginalFinder, find_documents, load_document, report_json
from scraper.audit.html import render
from scraper.audit.term import print_document, print_totals
from scraper.errors import DocumentError, UsageError
from scraper.model import ExitCode
from scraper.sources.config import RunConfig, load_config
from scraper.store.replay import archived_response
from scraper.store.state import StateStore
from scraper.store.writer import write_atomic

EXIT_OK, EXIT_FAILED, EXIT_USAGE = ExitCode.OK, ExitCode.FAILED, ExitCode.USAGE


def _config(path: Path | None) -> RunConfig | None:
    """The sources file given, or ./sources.toml when there is one (for out/, state, archive)."""
    if path is None:
        path = settings.SOURCES
        if not path.is_file():
            return None
    return load_config(path)


def _state(cfg: RunConfig | None, must: bool) -> StateStore | None:
    state_path = cfg.state if cfg else settings.STATE
    if not state_path.is_file():
        if must:
            raise UsageError(f"no state store at {state_path}: changes are recorded by `scraper run`")
        return None
    try:
        return StateStore(state_path, archive_dir=cfg.archive if cfg else settings.ARCHIVE)
    except sqlite3.Error as exc:
        raise UsageError(f"cannot read the state store {state_path}: {exc}") from None


def run_audit(
    paths: list[Path],
    config_path: Path | None,
    as_json: bool,
    html_path: Path | None,
    show_changes: bool,
    since: int | None,
) -> int:
    try:
        cfg = _config(config_path)
        if show_changes:
            return _changes(cfg, since, as_json)
        state = _state(cfg, must=False)
        archive = cfg.archive if cfg else settings.ARCHIVE
        finder = OriginalFinder(
            cfg.path.parent if cfg else None,
            (lambda url: archived_response(state, archive, url)) if state else None,
        )
        files, problems = find_documents(paths or [cfg.out_dir if cfg else settings.OUT_DIR])
        for problem in problems:
            click.echo(f"scraper: error: {problem}", err=True)
        if not files:
            return EXIT_USAGE
        docs = []
        for f in files:  # an unreadable document is reported; the others are audited
            try:
                docs.append(load_document(f, finder))
            except DocumentError as exc:
                problems.append(str(exc))
                click.echo(f"scraper: error: {exc}", err=True)
        if not docs:
            return EXIT_USAGE
    except UsageError as exc:
        click.echo(f"scraper: error: {exc}", err=True)
        return EXIT_USAGE
    if html_path is not None:
        write_atomic(html_path, render(docs).encode("utf-8"))
        click.echo(f"audit report: {html_path} ({len(docs)} documents)", err=True)
    if as_json:
        click.echo(json.dumps(report_json(docs), ensure_ascii=False, indent=2))
    elif html_path is None:
        console = Console(soft_wrap=True, highlight=False)
        for doc in docs:
            print_document(console, doc)
            console.print()
        print_totals(console, docs)
    return EXIT_FAILED if problems else EXIT_OK


def _changes(cfg: RunConfig | None, since: int | None, as_json: bool) -> int:
    state = _state(cfg, must=True)
    assert state is not None
    start, latest, found = changes(state, since)
    if as_json:
        data = {
            "since": start,
            "latest": latest,
            "runs": [r for r in runs(state) if r["run"] > start],
            "changes": [c.to_json() for c in found],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    console = Console(soft_wrap=True, highlight=False)
    counts = {k: sum(1 for c in found if c.change == k) for k in ("new", "updated", "vanished")}
    console.print(
        f"changes after run {start} up to run {latest}: " + ", ".join(f"{n} {k}" for k, n in counts.items()),
        style="bold",
    )
    styles = {"-": "red", "+": "green", "@": "cyan"}
    for c in found:
        detail = f" ({c.reason})" if c.reason else ""
        console.print(Text(f"{c.change:8s} {c.output or c.url}  <-  {c.url}{detail}", style="bold"))
        for line in c.diff:
            console.print(Text(line, style=styles.get(line[:1], "dim")))
    state.close()
    sys.stdout.flush()
    return EXIT_OK
