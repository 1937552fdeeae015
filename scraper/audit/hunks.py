"""The view cut into hunks: each run of changes with the rows around it, as in a unified
diff. The first hunk starts at the top of the document when its first change is near the top,
so the title and the opening `---` of the front matter are always shown with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scraper.audit.rows import ADD, DEL, EDIT, FOLD, NOTE, Label, Row, View

CONTEXT = 2
NEAR_TOP = 12  # a first change within this many rows of the top: the hunk starts at the top


@dataclass
class Hunk:
    rows: list[Row]
    first: int  # index of its first row in the view

    def labels(self, view: View) -> list[Label]:
        out: list[Label] = []
        for row in self.rows:
            for c in row.changes():
                out += [lab for lab in view.changes[c].labels if lab not in out]
        return out

    def header(self, view: View) -> str:
        olds = [r.old_line for r in self.rows if r.old_line is not None]
        news = [r.new_line for r in self.rows if r.new_line is not None]
        if view.placed == "diff" and olds:
            old = f"-{olds[0]},{len(olds)}"
        else:
            old = "page" if view.placed == "page" else "as recorded"
        new = f"+{news[0]},{len(news)}" if news else "+0,0"
        return f"@@ {old} {new} @@"

    def to_json(self, view: View) -> dict[str, Any]:
        olds = [r.old_line for r in self.rows if r.old_line is not None]
        news = [r.new_line for r in self.rows if r.new_line is not None]
        lines: list[str] = []
        changes: list[dict[str, Any]] = []
        seen: set[int] = set()
        for row in self.rows:
            for c in row.changes():
                if c not in seen:
                    seen.add(c)
                    changes.append(_change_json(view, c, len(lines)))
            lines += json_lines(row)
        return {
            "old_start": olds[0] if olds else 0,
            "old_lines": len(olds),
            "new_start": news[0] if news else 0,
            "new_lines": len(news),
            "labels": [{"category": c, "rule": r} for c, r in self.labels(view)],
            "changes": changes,
            "lines": lines,
        }


def _change_json(view: View, c: int, line: int) -> dict[str, Any]:
    change = view.changes[c]
    out: dict[str, Any] = {"line": line, "labels": [{"category": a, "rule": b} for a, b in change.labels]}
    if change.removals:
        out["removals"] = change.removals
    if change.where:
        out["where"] = change.where
    return out


def json_lines(row: Row) -> list[str]:
    """ " context", "-removed", "+added"; "~" page text the extractor left out; "#" a note."""
    if row.kind == EDIT:
        return ["-" + line for line in row.old_text().split("\n")] + [
            "+" + line for line in row.new_text().split("\n")
        ]
    prefix = {DEL: "-", ADD: "+", FOLD: "~", NOTE: "#"}.get(row.kind, " ")
    return [prefix + line for line in row.text.split("\n")]


def changed(row: Row) -> bool:
    return row.kind in (DEL, ADD) or (row.kind == EDIT and any(s.op != "=" for s in row.segments))


def hunks(view: View, context: int = CONTEXT) -> list[Hunk]:
    marks = [i for i, row in enumerate(view.rows) if changed(row)]
    if not marks:
        return []
    spans: list[list[int]] = []
    for i in marks:
        start, end = max(0, i - context), min(len(view.rows), i + context + 1)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    if marks[0] <= max(NEAR_TOP, _front_matter_end(view) + context):
        spans[0][0] = 0
    return [Hunk(view.rows[a:b], a) for a, b in spans]


def _front_matter_end(view: View) -> int:
    """Index of the row closing the front matter (-1 without one)."""
    rows = view.rows
    if not rows or rows[0].old_text() != "---":
        return -1
    for i in range(1, min(len(rows), 2000)):
        if rows[i].old_text() == "---" or rows[i].new_text() == "---":
            return i
    return -1
