"""A Markdown document's view: its original, line by line, with every change where it
happened — a line changed inside shown with the words that changed, each change labelled with
the rules whose removal records cover its lines."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from scraper.audit.pageview import ADDED_KEYS, cut_rows
from scraper.audit.rows import ADD, ADDED, DEL, EDIT, LAYOUT, NOTE, SAME, Label, Row, View
from scraper.audit.words import pair_lines, segments


@dataclass
class LineDiff:
    old: list[str]
    new: list[str]
    matcher: difflib.SequenceMatcher[str]

    @classmethod
    def of(cls, original: str, cleaned: str) -> LineDiff:
        old, new = original.splitlines(), cleaned.splitlines()
        return cls(old, new, difflib.SequenceMatcher(None, old, new, autojunk=False))


def change_labels(changed: set[int], old: list[str], removals: list[dict[str, Any]]) -> list[Label]:
    """(category, rule) of the removals behind a change to these original lines (1-based);
    a change that removes nothing only adds (the attribution); removed blank lines are layout."""
    if not changed:
        return [(ADDED, "attribution")]
    labels: list[Label] = []
    for r in removals:
        if _covers(r, changed):
            label = (str(r["category"]), str(r["rule"]))
            if label not in labels:
                labels.append(label)
    if any(not old[n - 1].strip() for n in changed):
        labels.append((LAYOUT, "blank-lines"))
    return labels


def markdown_view(diff: LineDiff, removals: list[dict[str, Any]], label: Label | None = None) -> View:
    """The original with every change in place; each change labelled with the removals
    behind it (or with `label`, for changes between two versions of an output)."""
    view = View(placed="diff")
    old, new = diff.old, diff.new
    for tag, i1, i2, j1, j2 in diff.matcher.get_opcodes():
        if tag == "equal":
            view.rows += [Row(SAME, old[i], old_line=i + 1, new_line=j1 + i - i1 + 1) for i in range(i1, i2)]
            continue
        changed = set(range(i1 + 1, i2 + 1))
        if label is not None:
            change = view.change([label])
        else:
            records = [n for n, r in enumerate(removals) if _covers(r, changed)]
            labels = change_labels(changed, old, removals)
            if labels == [(ADDED, "attribution")] and any(line.startswith(ADDED_KEYS) for line in new[j1:j2]):
                labels = [(ADDED, "front-matter")]
            change = view.change(labels, records)
        for a, b in pair_lines(old[i1:i2], new[j1:j2]):
            at_old = i1 + a + 1 if a is not None else None
            at_new = j1 + b + 1 if b is not None else None
            if a is not None and b is not None:
                row = Row(EDIT, segments=segments(old[i1 + a], new[j1 + b], change))
            elif a is not None:
                row = Row(DEL, old[i1 + a], change=change)
            else:
                assert b is not None
                row = Row(ADD, new[j1 + b], change=change)
            row.old_line, row.new_line = at_old, at_new
            view.rows.append(row)
    return view


def _covers(record: dict[str, Any], changed: set[int]) -> bool:
    """The record's lines meet the changed lines (a run of consecutive lines)."""
    line = record.get("line")
    if line is None or not changed:
        return False
    end = int(record.get("end_line", line))
    return max(int(line), min(changed)) <= min(end, max(changed))


def unplaced_view(cleaned: str, removals: list[dict[str, Any]], note: str) -> View:
    """No original to compare with: the cleaned document, then its removals as recorded."""
    view = View(placed="list", unplaced=len(removals))
    view.rows = [Row(SAME, line, new_line=n) for n, line in enumerate(cleaned.splitlines(), 1)]
    view.rows.append(Row(NOTE, f"{note}: its removals follow, as recorded"))
    for i in range(len(removals)):
        view.rows += cut_rows(view, removals, [i])
    return view
