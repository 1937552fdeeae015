"""Edits of a Markdown body: each decision recorded as a Removal and turned into a character
edit of the original text; the edits are applied once, at the end, then the lines they emptied
and the blank-line runs they left are tidied."""

from __future__ import annotations

import bisect
import re
from operator import attrgetter

from cleaners.editor import Edit
from cleaners.records import LineIndex, Removal
from cleaners.urls import UrlStep

__all__ = ["Edit", "Recorder", "apply_edits", "by_place", "inside", "merge"]

_START = attrgetter("start")
_END = attrgetter("end")

# (matched from a line's start to its end: `match(text, start, end)`)
_RESIDUE = re.compile(r"[ \t]*(?:(?:[*+-]|\d{1,9}[.)]|>|#{1,6})[ \t]*)?(?:\*\*|__|\*|_|[ \t])*$")


class Recorder:
    """Removals and edits of one body, with the file lines of their offsets."""

    def __init__(self, source: str, first_line: int) -> None:
        self.source = source
        self.first_line = first_line
        self.removals: list[Removal] = []
        self.edits: list[Edit] = []
        self.lines = LineIndex(source, first_line)

    def line(self, offset: int) -> int:
        return self.lines.line(offset)

    def add(
        self,
        start: int,
        end: int,
        new: str,
        category: str,
        rule: str,
        reason: str,
        snippet: str | None = None,
        replacement: str | None = None,
    ) -> None:
        line = self.lines.line
        self.removals.append(
            Removal(
                category,
                rule,
                reason,
                self.source[start:end] if snippet is None else snippet,
                replacement,
                line(start),
                line(max(start, end - 1)),
            )
        )
        self.edits.append(Edit(start, end, new))

    def steps(self, start: int, end: int, steps: tuple[UrlStep, ...], new_url: str) -> None:
        if not steps:
            return
        line, end_line = self.lines.line(start), self.lines.line(end - 1)  # (the same for each)
        for s in steps:
            self.removals.append(Removal(s.category, s.rule, s.reason, s.removed, new_url, line, end_line))


def inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """pos within one of the sorted, non-overlapping spans."""
    i = bisect.bisect_right(spans, (pos, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans sorted, overlapping and touching ones joined."""
    out: list[tuple[int, int]] = []
    if not spans:
        return out
    ordered = sorted(spans)
    start, end = ordered[0]
    for a, b in ordered:
        if a <= end:
            if b > end:
                end = b
        else:
            out.append((start, end))
            start, end = a, b
    out.append((start, end))
    return out


def by_place(edits: list[Edit]) -> list[Edit]:
    """The edits sorted by start, the longer first where two start together: the order of
    sorting by (start, -end), by two stable sorts in C (no Python key call per edit)."""
    out = sorted(edits, key=_END, reverse=True)
    out.sort(key=_START)
    return out


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (an edit inside a larger one is dropped), then tidy."""
    kept: list[Edit] = []
    for e in by_place(edits):
        if kept and e.start < kept[-1].end:
            continue  # inside (or overlapping) an edit already taken
        kept.append(e)
    parts: list[str] = []
    marks: list[tuple[int, bool]] = []  # (output offset, cut a line break)
    pos = out_len = 0
    for i, e in enumerate(kept):
        parts.append(text[pos : e.start])
        out_len += e.start - pos
        marks.append((out_len, text.find("\n", e.start, e.end) >= 0))
        new = e.text
        if _joins(text, e, parts, kept[i + 1] if i + 1 < len(kept) else None):
            new = " "
        parts.append(new)
        out_len += len(new)
        pos = e.end
    parts.append(text[pos:])
    return _tidy("".join(parts), marks)


def _joins(text: str, e: Edit, done: list[str], nxt: Edit | None) -> bool:
    """Whether cutting markup would glue the words on either side (`can[uninstall](…)`, a
    converter having dropped the space before the link): then a space stands in for it."""
    if e.text or not text[e.end : e.end + 1].isalnum() or (nxt is not None and nxt.start == e.end):
        return False  # (the cheap tests first: most cuts end at a line's end)
    if not _MARKUP.search(text, e.start, e.end):
        return False
    left = next((p[-1] for p in reversed(done) if p), "")
    return left.isalnum()


_MARKUP = re.compile(r"[\[\]<>]")


def _tidy(text: str, marks: list[tuple[int, bool]]) -> str:
    """Drop lines an edit left empty (or holding only a list marker or emphasis markers), and
    collapse each blank-line run next to a removal to one blank line (none at the start or
    end). Only lines around edits are looked at (found by their offsets); the rest is kept as
    it is."""
    lines = _Lines(text)
    touched: dict[int, bool] = {}  # line -> an edit there cut a line break
    idx = prev = 0
    for off, cut in marks:  # offsets ascend: count the line breaks in between
        idx += text.count("\n", prev, off)
        prev = off
        lines.locate(idx, off)
        touched[idx] = touched.get(idx, False) or cut
    last = idx + text.count("\n", prev)  # the line after the final newline: never dropped
    drop: set[int] = set()
    near: set[int] = set()  # lines where a line break was cut, or that were dropped
    for idx, cut in touched.items():
        if idx != last and _RESIDUE.match(text, *lines.span(idx)):
            drop.add(idx)
            near.add(idx)
        elif cut:
            near.add(idx)

    blank: dict[int, bool] = {}  # line -> it holds only whitespace (each looked at once)

    def gap(k: int) -> bool:
        if not 0 <= k < last:
            return False
        if k in drop:
            return True
        found = blank.get(k)
        if found is None:
            found = blank[k] = not lines.line(k).strip()
        return found

    done: set[int] = set()
    for idx in sorted(near):
        for k in (idx,) if gap(idx) else (idx - 1, idx + 1):
            if not gap(k) or k in done:
                continue
            lo, hi = k, k
            while gap(lo - 1):
                lo -= 1
            while gap(hi + 1):
                hi += 1
            done.update(range(lo, hi + 1))
            keep = 0 if lo == 0 or hi == last - 1 else 1  # the first blank line not dropped
            for j in range(lo, hi + 1):
                if j not in drop:
                    if keep:
                        keep = 0
                    else:
                        drop.add(j)
    if not drop:
        return text
    parts: list[str] = []
    pos = 0
    for j in sorted(drop):  # each before the last line: it goes with the line break after it
        start, end = lines.span(j)
        parts.append(text[pos:start])
        pos = end + 1
    parts.append(text[pos:])
    return "".join(parts)


class _Lines:
    """Lines of a text by number, each found from a located line next to it (so the text is
    not split whole to look at a few lines)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: dict[int, tuple[int, int]] = {}  # line -> (start, end before its "\n")

    def locate(self, k: int, offset: int) -> None:
        """Line k is the one holding `offset`."""
        if k not in self.spans:
            end = self.text.find("\n", offset)
            self.spans[k] = (self.text.rfind("\n", 0, offset) + 1, len(self.text) if end < 0 else end)

    def span(self, k: int) -> tuple[int, int]:
        found = self.spans.get(k)
        if found is not None:
            return found
        if k - 1 in self.spans:
            near = k - 1
        elif k + 1 in self.spans:
            near = k + 1
        else:  # (not met: the lines looked at are next to located ones)
            near = min(self.spans, key=lambda j: abs(j - k))
        start, end = self.spans[near]
        text = self.text
        while near < k:
            start = end + 1
            nl = text.find("\n", start)
            end = len(text) if nl < 0 else nl
            near += 1
            self.spans[near] = (start, end)
        while near > k:
            end = start - 1
            start = text.rfind("\n", 0, end) + 1
            near -= 1
            self.spans[near] = (start, end)
        return start, end

    def line(self, k: int) -> str:
        start, end = self.span(k)
        return self.text[start:end]
