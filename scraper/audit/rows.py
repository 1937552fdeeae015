"""The one view of a document that every output of `scraper audit` is drawn from: rows in
reading order, each either text of the article or a change, with the labels of the change.

Markdown documents get their rows from the line diff original → cleaned (`mdview`); HTML pages
and feed items from their original page with every removal put back where it was cut
(`pageview`). The terminal, the JSON hunks and the HTML report all render these rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# labels of changes that are not removals (never counted as removals)
ADDED = "added"  # the keys and the attribution line we add
LAYOUT = "layout"  # blank lines collapsed, lazy-load placeholders swapped for the real image
EXTRACTION = "extraction"  # page text the article extractor left out (boilerplate)
NOT_REMOVALS = (ADDED, LAYOUT, EXTRACTION)

# row kinds
SAME = "same"  # a line of the article, unchanged
DEL = "del"  # a line removed whole (Markdown) or an element cut from the page (`text` its snippet)
ADD = "add"  # a line added whole
EDIT = "edit"  # a line changed inside: `segments`
FOLD = "fold"  # page text the extractor dropped, folded: `text` (`words` words)
NOTE = "note"  # a line of the report itself (what follows, why the original is missing)

Label = tuple[str, str]  # (category, rule)


def is_removal(record: dict[str, Any]) -> bool:
    """A removal record counts as a removal unless it is layout (a lazy-load swap)."""
    return str(record.get("category")) != LAYOUT


@dataclass
class Change:
    """One decision shown in the view: the labels of the records behind it, and which."""

    labels: list[Label]
    removals: list[int] = field(default_factory=list)  # indexes into the document's removals
    where: str | None = None  # an HTML page's element path, when the change is one element

    @property
    def categories(self) -> list[str]:
        return sorted({c for c, _ in self.labels}) or ["unlabelled"]


@dataclass
class Segment:
    op: str  # "=" kept, "-" removed, "+" added
    text: str
    change: int | None = None  # index into the view's changes (None for "=")


@dataclass
class Row:
    kind: str
    text: str = ""
    segments: list[Segment] = field(default_factory=list)
    change: int | None = None  # DEL/ADD: index into the view's changes
    words: int = 0  # FOLD: words folded
    new_line: int | None = None  # 1-based line of the cleaned document this row shows (or follows)
    old_line: int | None = None  # 1-based line of the original (Markdown documents)

    def changes(self) -> list[int]:
        if self.change is not None:
            return [self.change]
        return sorted({s.change for s in self.segments if s.change is not None})

    def old_text(self) -> str:
        if self.kind == EDIT:
            return "".join(s.text for s in self.segments if s.op != "+")
        return self.text

    def new_text(self) -> str:
        if self.kind == EDIT:
            return "".join(s.text for s in self.segments if s.op != "-")
        return self.text


@dataclass
class View:
    rows: list[Row] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    placed: str = "diff"  # diff | page | list (how the changes were placed; see the README)
    unplaced: int = 0  # page removals that could not be put back in the page

    def change(self, labels: list[Label], removals: list[int] | None = None, where: str | None = None) -> int:
        self.changes.append(Change(labels, removals or [], where))
        return len(self.changes) - 1
