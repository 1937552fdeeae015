"""Edits of a Markdown body: each decision recorded as a Removal and turned into a character
edit of the original text; the edits are applied once, at the end, then the lines they emptied
and the blank-line runs they left are tidied."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
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
    end). Only lines around edits are looked at, each named by the offset it starts at and
    found from its neighbour by one str.find/rfind (the text is never split or counted)."""
    final = text.rfind("\n") + 1  # where the last line starts: it is never dropped
    lines = _Lines(text, final)
    touched: dict[int, bool] = {}  # line start -> an edit there cut a line break
    line_start, line_end = -1, -2
    for off, cut in marks:  # offsets ascend: a mark on the line before needs no look-up
        if not line_start <= off <= line_end:
            line_start = text.rfind("\n", 0, off) + 1
            line_end = lines.end(line_start)
        touched[line_start] = touched.get(line_start, False) or cut
    drop: set[int] = set()
    near: list[int] = []  # lines where a line break was cut, or that were dropped
    for s, cut in touched.items():
        if s != final and _RESIDUE.match(text, s, lines.end(s)):
            drop.add(s)
            near.append(s)
        elif cut:
            near.append(s)
    if not near:
        return text
    gap = lines.gap_test(drop)
    done: set[int] = set()
    for s in near:  # (in text order: touched lines were met in order)
        for k in (s,) if gap(s) else (lines.prev(s), lines.next(s)):
            if not gap(k) or k in done:
                continue
            lo = hi = k
            while gap(p := lines.prev(lo)):
                lo = p
            while gap(q := lines.next(hi)):
                hi = q
            keep = 0 if lo == 0 or lines.end(hi) == final - 1 else 1  # the first blank not dropped
            j = lo
            while True:
                done.add(j)
                if j not in drop:
                    if keep:
                        keep = 0
                    else:
                        drop.add(j)
                if j == hi:
                    break
                j = lines.next(j)
    if not drop:
        return text
    parts: list[str] = []
    pos = 0
    for j in sorted(drop):  # each before the last line: it goes with the line break after it
        parts.append(text[pos:j])
        pos = lines.end(j) + 1
    parts.append(text[pos:])
    return "".join(parts)


class _Lines:
    """Lines of a text named by their start offsets; each end found once (str.find)."""

    def __init__(self, text: str, final: int) -> None:
        self.text = text
        self.final = final
        self.ends: dict[int, int] = {}  # line start -> where it ends (its "\n", or the text's end)

    def end(self, start: int) -> int:
        found = self.ends.get(start)
        if found is None:
            nl = self.text.find("\n", start)
            found = self.ends[start] = len(self.text) if nl < 0 else nl
        return found

    def prev(self, start: int) -> int:
        """The line before (-1: none)."""
        if start <= 0:
            return -1
        self.ends[prev := self.text.rfind("\n", 0, start - 1) + 1] = start - 1
        return prev

    def next(self, start: int) -> int:
        """The line after (-1: none; the last line has none)."""
        return -1 if start < 0 or start >= self.final else self.end(start) + 1

    def gap_test(self, drop: set[int]) -> Callable[[int], bool]:
        """Whether a line is dropped or blank (the last line never is; -1 never is)."""
        blank: dict[int, bool] = {}
        text, final = self.text, self.final

        def gap(k: int) -> bool:
            if not 0 <= k < final:
                return False
            if k in drop:
                return True
            found = blank.get(k)
            if found is None:
                found = blank[k] = not text[k : self.end(k)].strip()
            return found

        return gap
