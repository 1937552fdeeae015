"""`scraper audit` on the command line: which documents, where their originals are, which view."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click
from rich.console import Console

from scraper import settings
from scraper.audit.data import DocAudit, find_documents, load_document, report_json
from scraper.audit.filters import Filter, narrow
from scraper.audit.html import render
from scraper.audit.originals import OriginalFinder
from scraper.audit.term import print_document, print_totals, summary_line
from scraper.errors import DocumentError, UsageError
from scraper.model import ExitCode
from scraper.sources.config import RunConfig, load_config
from scraper.store.state import StateError, StateStore
from scraper.store.writer import write_atomic

EXIT_OK, EXIT_FAILED, EXIT_USAGE = ExitCode.OK, ExitCode.FAILED, ExitCode.USAGE


def documents_text(documents: int) -> str:
    return f"{documents} document" + ("" if documents == 1 else "s")


def _err(message: str) -> None:
    click.echo(f"scraper: error: {message}", err=True)


def _config(path: Path | None) -> RunConfig | None:
    """The sources file given, or ./sources.toml when there is one (for out/, state, archive)."""
    if path is None:
        path = settings.SOURCES
        if not path.is_file():
            return None
    return load_config(path)


def state_store(cfg: RunConfig | None, must: bool) -> StateStore | None:
    state_path = cfg.state if cfg else settings.STATE
    if not state_path.is_file():
        if must:
            raise UsageError(f"no state store at {state_path}: changes are recorded by `scraper run`")
        return None
    try:
        return StateStore(state_path, archive_dir=cfg.archive if cfg else settings.ARCHIVE)
    except (sqlite3.Error, StateError) as exc:
        raise UsageError(f"cannot read the state store {state_path}: {exc}") from None


def run_audit(
    paths: list[Path],
    config_path: Path | None,
    as_json: bool,
    html_path: Path | None,
    show_changes: bool,
    since: int | None,
    keep: Filter | None = None,
    summary: bool = False,
) -> int:
    keep = keep or Filter()
    try:
        cfg = _config(config_path)
        if show_changes:
            from scraper.cli.changes import run_changes

            return run_changes(cfg, since, as_json, html_path, keep, summary)
        docs, problems = _load(cfg, paths, keep)
    except UsageError as exc:
        _err(str(exc))
        return EXIT_USAGE
    if docs is None:
        return EXIT_USAGE
    if html_path is not None:
        write_atomic(html_path, render(docs, keep, summary).encode("utf-8"))
        click.echo(f"audit report: {html_path} ({documents_text(len(docs))})", err=True)
    if as_json:
        click.echo(json.dumps(report_json(docs, keep, summary), ensure_ascii=False, indent=2))
    elif html_path is None:
        _print(docs, keep, summary)
    return EXIT_FAILED if problems else EXIT_OK


def _load(cfg: RunConfig | None, paths: list[Path], keep: Filter) -> tuple[list[DocAudit] | None, list[str]]:
    """The documents the paths and the filter select, each with its view; problems are
    printed, one line each (a document that cannot be read is left out, the others go on)."""
    out_dirs = paths or [cfg.out_dir if cfg else settings.OUT_DIR]
    files, problems = find_documents(out_dirs)
    for problem in problems:
        _err(problem)
    if not files:
        return None, problems
    state = state_store(cfg, must=False)
    finder = OriginalFinder.for_config(cfg, [p if p.is_dir() else p.parent for p in out_dirs], state)
    docs = []
    loaded = 0
    for f in files:
        if keep.docs and not keep.document(str(f), "", []) and not _input_matches(f, keep):
            continue
        try:
            doc = load_document(f, finder)
        except DocumentError as exc:
            problems.append(str(exc))
            _err(str(exc))
            continue
        loaded += 1
        if keep.document(doc.output, doc.input, doc.labels()):
            docs.append(doc)
        for problem in finder.problems:
            problems.append(problem)
            _err(problem)
        finder.problems.clear()
    if state is not None:
        state.close()
    if not loaded and not (keep.docs and not problems):
        return None, problems  # nothing could be read (a --doc matching nothing is not an error)
    return docs, problems


def _input_matches(md: Path, keep: Filter) -> bool:
    """A --doc pattern may name the input: read the record's input before the whole view."""
    try:
        record = json.loads(md.with_name(md.name[: -len(".md")] + settings.AUDIT_SUFFIX).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return True  # let load_document report it
    name = record.get("input") if isinstance(record, dict) else None
    return isinstance(name, str) and keep.document("", name, [])


def _print(docs: list[DocAudit], keep: Filter, summary: bool) -> None:
    console = Console(soft_wrap=True, highlight=False)
    if summary:
        for doc in docs:
            console.print(summary_line(doc, keep), markup=False, highlight=False, soft_wrap=True)
    else:
        for doc in docs:
            print_document(console, doc, narrow(doc.view, keep))
            console.print()
    print_totals(console, docs, keep)
