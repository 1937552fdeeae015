"""The data the HTML report's script renders: one index entry per document, and per document
its view as compact rows. Only data: the script puts every string in the page as text
(`textContent`), and a URL becomes a link only when the one URL gate lets it through as
http(s) (here, and again in the script)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from cleaners.safeurl import is_safe_url, scheme_of
from scraper.audit.data import DocAudit
from scraper.audit.rows import ADD, DEL, EDIT, FOLD, NOTE, Row, View, is_removal
from scraper.audit.term import label_text, reasons_of

MAX_TEXT = 3000  # characters of one line shown (the JSON report has them all)
MAX_SNIPPET = 1000  # characters of one element cut from a page shown
_KIND = {DEL: "d", ADD: "a", EDIT: "e", FOLD: "f", NOTE: "n"}


def link(url: object) -> str | None:
    """The URL, when the gate lets it through and it leads to a web page; else None."""
    if not isinstance(url, str) or not url or len(url) > 4000:
        return None
    return url if is_safe_url(url) and scheme_of(url) in ("http", "https") else None


def cut(text: str, limit: int = MAX_TEXT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f" … ({len(text) - limit} more characters; the --json report has them all)"


def entry(i: int, doc: DocAudit) -> dict[str, Any]:
    """The document's line in the index (and what its filters need)."""
    rules: Counter[tuple[str, str]] = Counter((str(r["category"]), str(r["rule"])) for r in doc.removals)
    counts = {c: n for c, n in doc.counts.items() if n}
    source = doc.source
    return {
        "i": i,
        "output": doc.output,
        "input": doc.input,
        "input_url": link(doc.input),
        "kind": doc.kind,
        "publisher": source.get("name") or "",
        "publisher_url": link(source.get("url")),
        "counts": counts,
        "rules": [[c, r, n] for (c, r), n in sorted(rules.items())],
        "layout": doc.layout,
        "total": sum(counts.values()),
        "placed": doc.view.placed,
        "unplaced": doc.view.unplaced,
        "labels": [list(lab) for lab in sorted(set(doc.labels()))],
        "size": len(doc.view.rows),
    }


def view_payload(view: View, removals: list[dict[str, Any]]) -> dict[str, Any]:
    """{"rows", "changes": [{"l": labels, "t": index of its label's text, "r": removes}], "texts"}"""
    changes = []
    texts: dict[str, int] = {}
    reasons = reasons_of(removals)
    for change in view.changes:
        removal = any(is_removal(removals[i]) for i in change.removals)
        text = label_text(change.labels, reasons, change.where)
        changes.append(
            {"l": [[c, r] for c, r in change.labels], "t": texts.setdefault(text, len(texts)), "r": removal}
        )
    page = view.placed != "diff"
    rows = [_row(r, page) for r in view.rows]
    return {"rows": rows, "changes": changes, "texts": list(texts), "placed": view.placed}


def _row(row: Row, page: bool) -> list[Any]:
    if row.kind == EDIT:
        segs = [[s.op, cut(s.text)] + ([s.change] if s.change is not None else []) for s in row.segments]
        return ["e", segs, 0 if row.new_line is None else 1]
    if row.kind == FOLD:
        return ["f", row.text, row.words]
    code = _KIND.get(row.kind, "s")
    text = cut(row.text)
    if page and row.kind == DEL:  # an element cut from a page: its markup, spaces collapsed
        text = cut(" ".join(row.text.split()), MAX_SNIPPET)
    return [code, text] if row.change is None else [code, text, row.change]
