"""An HTML page's (or feed item's) view: the cleaned Markdown in reading order, with every
element the cleaners removed shown where it was cut, every rewritten URL as the characters
that changed, and the page text the extractor left out folded in between.

How exact the placement is (README, "How removals are placed"): an element found in the page
exactly as recorded is placed between the words of the article it stood between; inside a
line when the words on both sides are on one line of the Markdown, otherwise between the
lines. The words are matched by alignment, so the placement is exact to the word wherever the
page text reached the Markdown unchanged, and to the nearest matched word where it did not.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from scraper.audit.align import Item, MdWord, markdown_words, match, page_items
from scraper.audit.page import Marked, kind_of, mark_page
from scraper.audit.rows import ADD, ADDED, DEL, EDIT, EXTRACTION, FOLD, NOTE, SAME, Row, Segment, View
from scraper.audit.words import segments

ATTRIBUTION = "Originally published by "
ADDED_KEYS = ("original_source:", "retrieved_from:", "fingerprint:")
FOLD_CHARS = 4000  # text kept of one fold (the rest is counted)
_SPACES = re.compile(r"\s+")


@dataclass
class Placer:
    view: View
    lines: list[str]
    removals: list[dict[str, Any]]
    marked: Marked
    words: list[MdWord]
    base: str | None
    inline: dict[int, list[tuple[int, int, list[Segment]]]] = field(default_factory=dict)
    after: dict[int, list[Row]] = field(default_factory=dict)
    used: set[tuple[int, int]] = field(default_factory=set)  # (line, offset) of URLs shown

    def at(self, p: int | None, n: int | None) -> tuple[int | None, int]:
        """(line, offset) inside a line when the words on both sides share it; else (None,
        the line after which a block goes)."""
        w = self.words
        if p is not None and n is not None and w[p].line == w[n].line:
            return w[p].line, w[p].end
        if p is not None:
            return None, w[p].line
        if n is not None:
            return None, w[n].line - 1
        return None, len(self.lines) - 1

    def put(self, where: tuple[int | None, int], edit: list[Segment], rows: list[Row]) -> None:
        line, pos = where
        if line is not None and edit:
            self.inline.setdefault(line, []).append((pos, pos, edit))
        else:
            self.after.setdefault(pos, []).extend(rows)


def page_view(cleaned: str, original: str, removals: list[dict[str, Any]], base: str | None) -> View:
    lines = cleaned.splitlines()
    view = View(placed="page")
    body = front_matter_rows(view, lines)
    last = len(lines)
    if lines and lines[-1].startswith(ATTRIBUTION):
        last -= 1
    marked = mark_page(original, removals)
    items = page_items(marked.tree)
    words = markdown_words(lines[:last], body)
    placer = Placer(view, lines, removals, marked, words, base)
    _place(placer, items, match(items, words))
    for n in range(body, len(lines)):
        if n >= last:
            view.rows.append(Row(ADD, lines[n], change=view.change([(ADDED, "attribution")]), new_line=n + 1))
        else:
            view.rows.append(_line_row(placer, n))
        view.rows += placer.after.get(n, [])
    view.rows += placer.after.get(len(lines), [])
    if marked.unplaced:
        view.unplaced = len(marked.unplaced)
        view.rows.append(Row(NOTE, f"{len(marked.unplaced)} removals not found in the page, as recorded:"))
        for i in marked.unplaced:
            view.rows += cut_rows(view, removals, [i])
    return view


def front_matter_rows(view: View, lines: list[str]) -> int:
    """The whole front matter, the keys we add marked as added; returns the first body line."""
    if not lines or lines[0] != "---" or "---" not in lines[1:]:
        return 0
    close = lines.index("---", 1)
    added = None
    adding = False
    for n, line in enumerate(lines[: close + 1]):
        if line.startswith(ADDED_KEYS):
            adding = True
        elif line[:1] not in (" ", "-") or n == close:
            adding = False
        if adding:
            if added is None:
                added = view.change([(ADDED, "front-matter")])
            view.rows.append(Row(ADD, line, change=added, new_line=n + 1))
        else:
            view.rows.append(Row(SAME, line, new_line=n + 1))
    return close + 1


def _place(pl: Placer, items: list[Item], matched: dict[int, int]) -> None:
    prev: list[int | None] = []
    last: int | None = None
    for k in range(len(items)):
        last = matched.get(k, last)
        prev.append(last)
    nxt: list[int | None] = [None] * len(items)
    upcoming: int | None = None
    for k in range(len(items) - 1, -1, -1):
        upcoming = matched.get(k, upcoming)
        nxt[k] = upcoming
    run: list[int] = []
    opened: dict[int, int] = {}  # unwrap record -> item index of its start marker
    for k, item in enumerate(items):
        if item.kind == "w":
            if k in matched:
                _fold(pl, items, run, prev, nxt)
                run = []
            else:
                run.append(k)
            continue
        _fold(pl, items, run, prev, nxt)
        run = []
        if item.kind == "end":
            start = opened.pop(item.ids[0], None) if item.ids else None
            if start is not None:
                _unwrap(pl, list(items[start].ids), nxt[start], prev[k], pl.at(prev[start], nxt[start]))
        elif item.ids and kind_of(pl.removals[item.ids[-1]]) == "unwrap":
            opened[item.ids[-1]] = k
        else:
            _cut(pl, list(item.ids), prev[k], nxt[k])
    _fold(pl, items, run, prev, nxt)


def _fold(
    pl: Placer, items: list[Item], run: list[int], prev: list[int | None], nxt: list[int | None]
) -> None:
    if not run:
        return
    where = pl.at(prev[run[0]], nxt[run[-1]])
    text = "".join(
        ("\n" if items[k].brk and i else "") + _SPACES.sub(" ", items[k].text) for i, k in enumerate(run)
    )
    if where[0] is not None:
        change = pl.view.change([(EXTRACTION, "not-in-article")])
        shown = (" " if text[:1].isspace() else "") + " ".join(text.split())
        pl.put(where, [Segment("-", shown, change)], [])
        return
    text = "\n".join(t.strip() for t in text.split("\n") if t.strip())
    cut = text[:FOLD_CHARS] + (
        f" … ({len(text) - FOLD_CHARS} more characters)" if len(text) > FOLD_CHARS else ""
    )
    pl.put(where, [], [Row(FOLD, cut, words=len(run))])


def _labels(removals: list[dict[str, Any]], ids: list[int]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for i in ids:
        label = (str(removals[i]["category"]), str(removals[i]["rule"]))
        if label not in out:
            out.append(label)
    return out


def _where(removals: list[dict[str, Any]], ids: list[int]) -> str | None:
    path = removals[ids[-1]].get("path")
    return path if isinstance(path, str) and path else None


def _cut(pl: Placer, ids: list[int], p: int | None, n: int | None) -> None:
    """Removed elements (or a rewritten URL) at their place."""
    if ids and kind_of(pl.removals[ids[0]]) == "url":
        _url(pl, ids, p, n)
        return
    where = pl.at(p, n)
    rows: list[Row] = []
    edit: list[Segment] = []
    for i in ids:
        change = pl.view.change(_labels(pl.removals, [i]), [i], _where(pl.removals, [i]))
        rows.append(Row(DEL, str(pl.removals[i]["snippet"]), change=change))
        edit.append(Segment("-", str(pl.removals[i]["snippet"]), change))
    pl.put(where, edit, rows)


def _unwrap(pl: Placer, ids: list[int], n: int | None, p: int | None, where: tuple[int | None, int]) -> None:
    """A link dropped, its text kept: the link's Markdown around the text, as removed."""
    record = pl.removals[ids[-1]]
    words = pl.words
    if n is None or p is None or n > p or words[n].line != words[p].line:
        change = pl.view.change(_labels(pl.removals, ids), ids, _where(pl.removals, ids))
        pl.put(
            where,
            [Segment("-", str(record["snippet"]), change)],
            [Row(DEL, str(record["snippet"]), change=change)],
        )
        return
    change = pl.view.change(_labels(pl.removals, ids), ids, _where(pl.removals, ids))
    line, start, end = words[n].line, words[n].start, words[p].end
    href = _href(str(record["snippet"]))
    text = pl.lines[line][start:end]
    close = f"]({href})" if href else "]"
    pl.inline.setdefault(line, []).append(
        (start, end, [Segment("-", "[", change), Segment("=", text), Segment("-", close, change)])
    )


def _href(snippet: str) -> str:
    m = re.match(r"<a\b[^>]*?\shref\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", snippet, re.I)
    return html.unescape(m.group(1).strip("\"'")) if m else ""


def _url(pl: Placer, ids: list[int], p: int | None, n: int | None) -> None:
    new = str(pl.removals[ids[0]]["replacement"])
    old = pl.marked.old_urls.get(ids[0], str(pl.removals[ids[0]]["snippet"]))
    change = pl.view.change(_labels(pl.removals, ids), ids, _where(pl.removals, ids))
    first = pl.words[p].line if p is not None else pl.words[n].line if n is not None else 0
    stop = pl.words[n].line if n is not None else len(pl.lines) - 1
    variants = [new] + ([urljoin(pl.base, new)] if pl.base else [])
    for line in range(max(first, 0), min(stop, first + 40, len(pl.lines) - 1) + 1):
        for v in variants:
            pos = pl.lines[line].find(v)
            while pos >= 0 and (line, pos) in pl.used:
                pos = pl.lines[line].find(v, pos + 1)
            if pos >= 0:
                pl.used.add((line, pos))
                pl.inline.setdefault(line, []).append((pos, pos + len(v), segments(old, v, change)))
                return
    pl.put((None, pl.at(p, n)[1]), [], [Row(EDIT, segments=segments(old, new, change))])


def _line_row(pl: Placer, n: int) -> Row:
    line = pl.lines[n]
    edits = sorted(pl.inline.get(n, []), key=lambda e: (e[0], e[1]))
    if not edits:
        return Row(SAME, line, new_line=n + 1)
    out: list[Segment] = []
    pos = 0
    for start, end, pieces in edits:
        if start < pos:  # overlapping edits: the later one goes below the line
            pl.after.setdefault(n, []).insert(0, Row(EDIT, segments=pieces))
            continue
        if start > pos:
            out.append(Segment("=", line[pos:start]))
        out += pieces
        pos = end
    if pos < len(line):
        out.append(Segment("=", line[pos:]))
    return Row(EDIT, segments=out, new_line=n + 1)


def cut_rows(view: View, removals: list[dict[str, Any]], ids: list[int]) -> list[Row]:
    """Removals listed as recorded (not placed): each its snippet, a URL its old and new value."""
    rows = []
    for i in ids:
        r = removals[i]
        change = view.change(_labels(removals, [i]), [i], _where(removals, [i]))
        if kind_of(r) == "url":
            rows.append(Row(EDIT, segments=segments(str(r["snippet"]), str(r["replacement"]), change)))
        else:
            rows.append(Row(DEL, str(r["snippet"]), change=change))
            if r.get("replacement") is not None:
                rows.append(Row(ADD, str(r["replacement"]), change=change))
    return rows
