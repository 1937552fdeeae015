"""Narrowing the audit: `--category`, `--rule` and `--doc`, the same in the terminal, the JSON
and the HTML report (whose filters start from these)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scraper.audit.rows import ADD, DEL, EDIT, NOT_REMOVALS, SAME, Label, Row, Segment, View

_WILDCARDS = frozenset("*?")


@dataclass(frozen=True)
class Filter:
    categories: tuple[str, ...] = ()  # removal categories, or added/layout/extraction
    rules: tuple[str, ...] = ()  # "rule" or "category/rule"
    docs: tuple[str, ...] = ()  # patterns on the output path or the input

    @property
    def narrows(self) -> bool:
        return bool(self.categories or self.rules)

    def label(self, label: Label) -> bool:
        category, rule = label
        if self.categories and category not in self.categories:
            return False
        if self.rules and rule not in self.rules and f"{category}/{rule}" not in self.rules:
            return False
        if not self.narrows:
            return True
        # changes that are not removals are shown only when asked for by name
        return category not in NOT_REMOVALS or category in self.categories

    def change(self, labels: list[Label]) -> bool:
        """A change is shown for its removals (blank lines collapsed with an ad block follow
        the ad block); a change that removes nothing, for what it is."""
        removals = [lab for lab in labels if lab[0] not in NOT_REMOVALS]
        return any(self.label(lab) for lab in (removals or labels))

    def keeps(self, record: dict[str, Any]) -> bool:
        return self.label((str(record["category"]), str(record["rule"])))

    def named(self, output: str, input_name: str) -> bool:
        """The document's output path or input matches a --doc pattern (or there is none)."""
        return not self.docs or any(_matches(p, output) or _matches(p, input_name) for p in self.docs)

    def document(self, output: str, input_name: str, labels: list[Label]) -> bool:
        if not self.named(output, input_name):
            return False
        return not self.narrows or any(self.change([lab]) for lab in labels)

    def to_json(self) -> dict[str, list[str]]:
        return {"category": list(self.categories), "rule": list(self.rules), "doc": list(self.docs)}


def _matches(pattern: str, name: str) -> bool:
    """`*` and `?` match the whole name (or its file name); a pattern without them, any part
    of it. (The HTML report's filter does the same.)"""
    if not _WILDCARDS & set(pattern):
        return pattern in name
    rx = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.S)
    return rx.fullmatch(name) is not None or rx.fullmatch(name.rsplit("/", 1)[-1]) is not None


def narrow(view: View, keep: Filter) -> View:
    """The view with only the changes the filter keeps; the others as if accepted (a removed
    line or element gone, an added line or word kept as text)."""
    if not keep.narrows:
        return view
    active = {i for i, c in enumerate(view.changes) if keep.change(c.labels)}
    out = View(changes=view.changes, placed=view.placed, unplaced=view.unplaced)
    for row in view.rows:
        if row.kind in (DEL, ADD) and row.change not in active:
            if row.kind == ADD:
                out.rows.append(Row(SAME, row.text, new_line=row.new_line, old_line=row.old_line))
            continue
        if row.kind == EDIT and not set(row.changes()) <= active:
            segs = [
                _accept(s) if s.change is not None and s.change not in active else s for s in row.segments
            ]
            segs = [s for s in segs if s.text]
            changed = any(s.op != "=" for s in segs)
            text = "".join(s.text for s in segs)
            if not changed and row.new_line is None:
                continue  # a rewrite shown apart from the article, not asked for
            out.rows.append(
                Row(EDIT, segments=segs, new_line=row.new_line, old_line=row.old_line)
                if changed
                else Row(SAME, text, new_line=row.new_line, old_line=row.old_line)
            )
            continue
        out.rows.append(row)
    return out


def _accept(s: Segment) -> Segment:
    return Segment("=", s.text) if s.op == "+" else Segment("=", "")
