"""`scraper audit` in the terminal: a unified diff per document, each hunk labelled with the
rules that made it (coloured on a terminal, plain when piped), then removals per category and
per rule over the whole set."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scraper.audit.data import ADDED, LAYOUT, DocAudit, totals

_STYLE = {"-": "red", "+": "green", " ": "dim"}


def label_text(labels: list[tuple[str, str]], removals: list[dict[str, object]]) -> str:
    """ "ad_block/affiliate-ads-comments (comment-delimited affiliate ad block); …" """
    reasons = {(str(r["category"]), str(r["rule"])): str(r["reason"]) for r in removals}
    parts = []
    for category, rule in labels:
        if category == ADDED:
            parts.append("added: original_source, retrieved_from, fingerprint, attribution line")
        elif category == LAYOUT:
            parts.append("layout: blank lines collapsed where a block was removed")
        else:
            reason = reasons.get((category, rule))
            parts.append(f"{category}/{rule}" + (f" ({reason})" if reason else ""))
    return "; ".join(parts) or "unlabelled change"


def print_document(console: Console, doc: DocAudit) -> None:
    source = doc.record.get("original_source") or {}
    header = f"{doc.output}  <-  {doc.record.get('input')}"
    console.print(Text("=== " + header, style="bold reverse"), soft_wrap=True)
    console.print(
        f"original source: {source.get('name') or '(none named)'} {source.get('url') or ''}".rstrip(),
        f"| {sum(doc.counts.values())} removals",
        highlight=False,
        markup=False,
    )
    if doc.kind == "markdown" and doc.original is None:
        console.print("(original not found: its removals are shown instead of a diff)", style="yellow")
    console.print(Text(f"--- {doc.record.get('input')}\n+++ {doc.output}", style="bold"))
    for hunk in doc.hunks:
        where = (
            f"@@ -{hunk.old_start},{hunk.old_lines} +{hunk.new_start},{hunk.new_lines} @@"
            if hunk.new_start
            else f"@@ removed from the page{' at ' + hunk.where if hunk.where else ''} @@"
        )
        console.print(Text(where, style="cyan"))
        marks = dict(hunk.changes)
        for i, text in enumerate(hunk.lines):
            if i in marks:
                console.print(Text("# " + label_text(marks[i], doc.removals), style="bold magenta"))
            console.print(Text(text, style=_STYLE.get(text[:1], "")), soft_wrap=True, highlight=False)


def print_totals(console: Console, docs: list[DocAudit]) -> None:
    t = totals(docs)
    table = Table(title=f"Removals in {t['documents']} documents, by category")
    table.add_column("category")
    table.add_column("removals", justify="right")
    for category, n in t["removed"].items():
        table.add_row(category, str(n))
    table.add_row("total", str(sum(t["removed"].values())), style="bold")
    console.print(table)
    rules = Table(title="By rule")
    rules.add_column("category/rule")
    rules.add_column("removals", justify="right")
    for rule, n in t["by_rule"].items():
        rules.add_row(rule, str(n))
    console.print(rules)
