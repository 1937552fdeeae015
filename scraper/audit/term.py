"""`scraper audit` in the terminal: per document, the hunks of its view, each change labelled
with the rules that made it; a line changed inside shows the words that changed (coloured on a
terminal; piped, git's `--word-diff=plain` markers `[-old-]{+new+}`). Then the removals per
category and per rule over the set. `--summary`: one line per document."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scraper.audit.data import DocAudit, totals
from scraper.audit.filters import Filter
from scraper.audit.hunks import hunks
from scraper.audit.rows import ADD, ADDED, DEL, EDIT, EXTRACTION, FOLD, LAYOUT, NOTE, Label, Row, View

_STYLE = {DEL: "red", ADD: "green", NOTE: "yellow", FOLD: "dim italic"}
_PREFIX = {DEL: "-", ADD: "+", EDIT: "~", FOLD: "⋯", NOTE: "#"}
MAX_ROW_CHARS = 4000  # a longer removed element is cut (the JSON report has it whole)
FOLD_SHOWN = 160


def reasons_of(removals: list[dict[str, Any]]) -> dict[Label, str]:
    return {(str(r["category"]), str(r["rule"])): str(r["reason"]) for r in removals}


def label_text(labels: list[Label], reasons: dict[Label, str], where: str | None = None) -> str:
    """ "ad_block/affiliate-ads-comments (comment-delimited affiliate ad block); …" """
    parts = []
    for category, rule in labels:
        if category == ADDED:
            what = (
                "the attribution line"
                if rule == "attribution"
                else "original_source, retrieved_from, fingerprint"
            )
            parts.append(f"added: {what}")
        elif category == LAYOUT and rule == "blank-lines":
            parts.append("layout: blank lines collapsed where a block was removed")
        elif category == EXTRACTION:
            parts.append("extraction: page text not in the article")
        else:
            reason = reasons.get((category, rule))
            parts.append(f"{category}/{rule}" + (f" ({reason})" if reason else ""))
    text = "; ".join(parts) or "unlabelled change"
    return text + (f" at {where}" if where else "")


def _cut(text: str) -> str:
    if len(text) <= MAX_ROW_CHARS:
        return text
    return text[:MAX_ROW_CHARS] + f" … ({len(text) - MAX_ROW_CHARS} more characters; --json has them all)"


def row_text(row: Row, colour: bool, page: bool = False) -> Text:
    """One row: a prefix column, then the text; a line changed inside with its word marks.
    An element cut from a page (`page`) is shown with its runs of spaces collapsed."""
    out = Text(_PREFIX.get(row.kind, " "), style=_STYLE.get(row.kind, ""))
    if row.kind == FOLD:
        shown = " ".join(row.text.split())
        shown = shown[:FOLD_SHOWN] + ("…" if len(shown) > FOLD_SHOWN else "")
        words = f"{row.words} word" + ("s" if row.words != 1 else "")
        out.append(f" [{words} of the page not in the article] {shown}", style="dim")
        return out
    if row.kind != EDIT:
        text = " ".join(row.text.split()) if page and row.kind == DEL else row.text
        out.append(_cut(text), style=_STYLE.get(row.kind, "dim" if colour else ""))
        return out
    for s in row.segments:
        text = _cut(s.text)
        if s.op == "=":
            out.append(text)
        elif colour:
            out.append(text, style="bold red strike" if s.op == "-" else "bold green")
        else:
            out.append(f"[-{text}-]" if s.op == "-" else f"{{+{text}+}}")
    return out


def print_document(console: Console, doc: DocAudit, view: View) -> None:
    colour = console.is_terminal and console.color_system is not None
    console.print(Text(f"=== {doc.output}  <-  {doc.input}", style="bold reverse"), soft_wrap=True)
    source = doc.source
    layout = f", {doc.layout} layout changes" if doc.layout else ""
    console.print(
        f"original source: {source.get('name') or '(none named)'} {source.get('url') or ''}".rstrip(),
        f"| {sum(doc.counts.values())} removals{layout}",
        highlight=False,
        markup=False,
    )
    if view.placed == "list":
        console.print(
            "(original not found: its removals are listed as recorded)", style="yellow", markup=False
        )
    console.print(Text(f"--- {doc.input}\n+++ {doc.output}", style="bold"))
    reasons = reasons_of(doc.removals)
    for hunk in hunks(view):
        console.print(Text(hunk.header(view), style="cyan"))
        seen: set[int] = set()
        for row in hunk.rows:
            new = [c for c in row.changes() if c not in seen]
            if new:
                seen.update(new)
                labels = list(dict.fromkeys(lab for c in new for lab in view.changes[c].labels))
                where = view.changes[new[0]].where if len(new) == 1 else None
                console.print(Text("# " + label_text(labels, reasons, where), style="bold magenta"))
            console.print(row_text(row, colour, view.placed != "diff"), soft_wrap=True, highlight=False)


def summary_line(doc: DocAudit, keep: Filter | None = None) -> str:
    counted, layout = doc.counted(keep)
    counts = {c: n for c, n in counted.items() if n}
    removed = ", ".join(f"{c} {n}" for c, n in counts.items())
    publisher = doc.source.get("name") or "(no publisher named)"
    line = f"{doc.output}  <-  {doc.input} | {publisher} | {sum(counts.values())} removals"
    line += f": {removed}" if removed else ""
    return line + (f" | {layout} layout" if layout else "")


def print_totals(console: Console, docs: list[DocAudit], keep: Filter | None = None) -> None:
    t = totals(docs, keep)
    table = Table(title=f"Removals in {t['documents']} documents, by category")
    table.add_column("category")
    table.add_column("removals", justify="right")
    for category, n in t["removed"].items():
        table.add_row(category, str(n))
    table.add_row("total", str(sum(t["removed"].values())), style="bold")
    if t[LAYOUT]:
        table.add_row("layout (not removals)", str(t[LAYOUT]), style="dim")
    console.print(table)
    rules = Table(title="By rule")
    rules.add_column("category/rule")
    rules.add_column("removals", justify="right")
    for rule, n in t["by_rule"].items():
        rules.add_row(rule, str(n))
    console.print(rules)
