"""`scraper audit --changes`: what changed in the output between runs, in the terminal (the
diff of each updated document with its changed words marked), as JSON, or as an HTML report;
narrowed like the audit (`--doc`; `--category`/`--rule` keep the documents whose current
audit record has such removals; `--summary` one line per document)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from scraper.audit.changes import Change, changes, runs
from scraper.audit.filters import Filter
from scraper.audit.html import Report, page
from scraper.audit.hunks import hunks
from scraper.audit.payload import link, view_payload
from scraper.audit.term import label_text, row_text
from scraper.cli.audit import documents_text, state_store
from scraper.settings import AUDIT_SUFFIX
from scraper.sources.config import RunConfig
from scraper.store.writer import write_atomic

KINDS = ("new", "updated", "vanished")


def run_changes(
    cfg: RunConfig | None,
    since: int | None,
    as_json: bool,
    html_path: Path | None,
    keep: Filter,
    summary: bool,
) -> int:
    state = state_store(cfg, must=True)
    assert state is not None
    try:
        start, latest, found = changes(state, since)
        found = [c for c in found if _kept(c, keep)]
        if html_path is not None:
            write_atomic(html_path, _report(start, latest, found, keep, summary).encode("utf-8"))
            click.echo(f"changes report: {html_path} ({documents_text(len(found))})", err=True)
        if as_json:
            data = {
                "since": start,
                "latest": latest,
                "runs": [r for r in runs(state) if r["run"] > start],
                "changes": [c.to_json() for c in found],
            }
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        elif html_path is None:
            _print(start, latest, found, summary)
    finally:
        state.close()
    sys.stdout.flush()
    return 0


def _kept(c: Change, keep: Filter) -> bool:
    if not keep.named(c.output or "", c.url):
        return False
    if not keep.narrows:
        return True
    if c.output is None:
        return False
    sidecar = Path(c.output[: -len(".md")] + AUDIT_SUFFIX) if c.output.endswith(".md") else None
    try:
        record = json.loads(sidecar.read_text("utf-8")) if sidecar else {}
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    removals = record.get("removals") if isinstance(record, dict) else None
    return isinstance(removals, list) and any(
        isinstance(r, dict) and keep.label((str(r.get("category")), str(r.get("rule")))) for r in removals
    )


def _counts(c: Change) -> tuple[int, int]:
    body = [line for line in c.diff if not line.startswith(("---", "+++"))]
    return sum(1 for line in body if line.startswith("-")), sum(1 for line in body if line.startswith("+"))


def _print(start: int, latest: int, found: list[Change], summary: bool) -> None:
    console = Console(soft_wrap=True, highlight=False)
    colour = console.is_terminal and console.color_system is not None
    counts = {k: sum(1 for c in found if c.change == k) for k in KINDS}
    console.print(
        f"changes after run {start} up to run {latest}: " + ", ".join(f"{n} {k}" for k, n in counts.items()),
        style="bold",
    )
    for c in found:
        detail = f" ({c.reason})" if c.reason else ""
        removed, added = _counts(c)
        lines = f"  (-{removed} +{added} lines)" if c.change == "updated" else ""
        console.print(Text(f"{c.change:8s} {c.output or c.url}  <-  {c.url}{detail}{lines}", style="bold"))
        if summary or c.change != "updated":
            continue
        view = c.view()
        console.print(
            Text(f"--- {c.output} (before run {c.run})\n+++ {c.output} (run {c.run})", style="bold")
        )
        for hunk in hunks(view):
            console.print(Text(hunk.header(view), style="cyan"))
            for row in hunk.rows:
                console.print(row_text(row, colour), soft_wrap=True, highlight=False)


def _report(start: int, latest: int, found: list[Change], keep: Filter, summary: bool) -> str:
    entries: list[dict[str, Any]] = []
    payloads: list[dict[str, Any]] = []
    for i, c in enumerate(found):
        view = c.view()
        removed, added = _counts(c)
        payload = view_payload(view, [])
        payload["texts"] = [label_text([(c.change, f"run-{c.run}")], {})]
        for change in payload["changes"]:
            change["t"] = 0
        if c.change != "updated":
            payload["rows"] = [["n", f"{c.change} in run {c.run}" + (f" ({c.reason})" if c.reason else "")]]
        entries.append(_entry(i, c, removed + added, len(payload["rows"])))
        payloads.append(payload)
    by_kind = {k: sum(1 for c in found if c.change == k) for k in KINDS}
    report = Report(
        f"scraper audit --changes (after run {start} up to run {latest})",
        "changed documents",
        list(KINDS),
        by_kind,
        dict(Counter(f"{c.change}/run-{c.run}" for c in found)),
        0,
        entries,
        payloads,
        {**keep.to_json(), "category": [], "rule": [], "summary": summary},
        other=(),
        names=("document", "URL or input", "reason"),
    )
    return page(report)


def _entry(i: int, c: Change, lines: int, size: int) -> dict[str, Any]:
    label = [c.change, f"run-{c.run}"]
    return {
        "i": i,
        "output": c.output or c.url,
        "input": c.url,
        "input_url": link(c.url),
        "kind": c.change,
        "publisher": c.reason or "",
        "publisher_url": None,
        "counts": {c.change: 1},
        "rules": [[*label, 1]],
        "layout": 0,
        "total": lines,
        "placed": "diff",
        "unplaced": 0,
        "labels": [label],
        "size": size,
    }
