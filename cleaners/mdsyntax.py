"""Locate Markdown links, images, reference definitions, autolinks and bare URLs with exact
positions, so cleaners can rewrite just a URL or drop just the link syntax around a text."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

_BLANK = re.compile(r"\n[ \t]*\n")
# a definition may sit in a blockquote or a list item, and its URL on the next line
_CONTAINER = r"(?:[ \t]*(?:>|[*+-]|\d{1,9}[.)])[ \t]?)*"
_REFDEF = re.compile(
    rf"^{_CONTAINER}[ \t]{{0,3}}\[((?:[^\]\\\n]|\\.){{1,999}})\]:"
    rf"[ \t]*(?:\n{_CONTAINER})?[ \t]*(<[^>\n]*>|\S+)",
    re.M,
)
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*)>")
_BARE = re.compile(r"(?:https?://|www\.)[^\s<>\"'`\[\]]+")
_NOT_BEFORE = frozenset("/(<[\"'=:.") | frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
)
_MAX_TEXT = 3000
# A named tuple made by tuple.__new__ itself: its class's __new__ is a Python function, a frame
# per tuple (a few thousand instructions; links are made by the dozen per document)
_new = tuple.__new__


class Link(NamedTuple):
    start: int  # "!" or "["
    text_start: int
    text_end: int  # the "]"
    dest_start: int
    dest_end: int
    end: int  # after ")"
    image: bool
    angle: bool  # destination written as <...>

    @property
    def dest_span(self) -> tuple[int, int]:
        return self.dest_start, self.dest_end


class Orphan(NamedTuple):
    """A stray "](url)" with no opening bracket (scrape residue around a broken link)."""

    start: int
    dest_start: int
    dest_end: int
    end: int


@dataclass(frozen=True)
class RefDef:
    """A link reference definition: its label, its line and its destination's place."""

    label: str
    start: int  # line start
    end: int  # line end (before newline)
    dest_start: int
    dest_end: int


def _opening_bracket(text: str, close: int) -> int:
    """The "[" matching the "]" at `close`, within the same paragraph (-1 when none)."""
    # Looked for back from `close` within the text's bound; a blank line between a "[" and
    # `close` puts it (and every "[" before it) in an earlier paragraph.
    lo = max(close - _MAX_TEXT, 0)
    j = text.rfind("[", lo, close)
    while j >= 0:
        between = text[j + 1 : close]
        if "\n\n" in between:
            return -1
        if (j == 0 or text[j - 1] != "\\") and between.count("[") == between.count("]"):
            return j
        j = text.rfind("[", lo, j)
    return -1


_LEAD = re.compile(r"[ \t]*\n?[ \t]*")
_ANGLE = re.compile(r"<((?:[^<>\n\\]|\\.)*)>")
_TAIL = re.compile(
    r"(?:[ \t]*\n?[ \t]+(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?[ \t\n]*\)"
)
_SIMPLE_DEST = re.compile(r"[^\s()<>\\\x00-\x1f]*\)")
_PLAIN_RUN = re.compile(r"[^\\()\x00-\x20\x7f]*")  # what _plain_end takes as it is
_QUICK_DEST = 4096
_MAX_PARENS = 32  # markdown-it's limit on nested parentheses in a destination


def _plain_end(text: str, pos: int) -> int:
    """The end of a plain destination (CommonMark): no space or control character, backslash
    escapes, parentheses balanced (nested at most 32 deep)."""
    depth = 0
    n = len(text)
    while pos < n:
        run = _PLAIN_RUN.match(text, pos)
        pos = run.end() if run else pos
        if pos >= n:
            break
        c = text[pos]
        if c == "\\" and pos + 1 < n and not text[pos + 1].isspace():
            pos += 2
            continue
        if c <= " " or c == "\x7f":
            break
        if c == "(":
            depth += 1
            if depth > _MAX_PARENS:
                break
        elif c == ")":
            if depth == 0:
                break
            depth -= 1
        pos += 1
    return pos


def _simple_dest_end(text: str, pos: int) -> int:
    """Where the ")" after a destination with nothing to parse in it is (what `_SIMPLE_DEST`
    matches), or -1. str methods answer most cases: they run in C where the regex takes a
    step per character; what they cannot clear goes to the regex."""
    close = text.find(")", pos, pos + _QUICK_DEST)
    if close >= 0:
        dest = text[pos:close]
        # isprintable() is False for every whitespace but " " and for every control character
        if (
            dest.isprintable()
            and " " not in dest
            and "(" not in dest
            and "<" not in dest
            and ">" not in dest
            and "\\" not in dest
        ):
            return close
    m = _SIMPLE_DEST.match(text, pos)
    return m.end() - 1 if m is not None else -1


def _parsed_destination(text: str, pos: int) -> tuple[int, int, int, bool] | None:
    """Parse `(dest "title")` starting after "(" where `_simple_dest_end` found no plain
    destination: (dest_start, dest_end, end, angle)."""
    lead = _LEAD.match(text, pos)
    start = lead.end() if lead else pos
    angle = _ANGLE.match(text, start)
    if angle is not None:
        ds, de, after = start + 1, angle.end() - 1, angle.end()
    else:
        ds = start
        de = after = _plain_end(text, start)
    tail = _TAIL.match(text, after)
    if tail is None:
        return None
    return ds, de, tail.end(), angle is not None


def find_links(text: str, blocked: list[tuple[int, int]]) -> tuple[list[Link], list[Orphan]]:
    """Inline links and images (outermost and nested), and orphan "](url)" fragments."""
    links, orphans, _ = find_links_and_rest(text, blocked)
    return links, orphans


def find_links_and_rest(
    text: str, blocked: list[tuple[int, int]]
) -> tuple[list[Link], list[Orphan], list[int]]:
    """`find_links`, and where the other "](" outside the blocked spans are (no link or
    orphan to CommonMark, but maybe one to a laxer renderer)."""
    links: list[Link] = []
    orphans: list[Orphan] = []
    rest: list[int] = []
    starts = [a for a, _ in blocked]  # (bisected as ints: cheaper than the span tuples)
    pos = 0
    while True:
        close = text.find("](", pos)
        if close < 0:
            break
        pos = close + 1
        i = bisect.bisect_right(starts, close) - 1
        if i >= 0 and close < blocked[i][1]:
            continue
        ds = close + 2
        de = _simple_dest_end(text, ds)  # the usual case (`_destination`, without its frame)
        if de >= 0:
            end, angle = de + 1, False
        else:
            parsed = _parsed_destination(text, ds)
            if parsed is None:
                rest.append(close)
                continue
            ds, de, end, angle = parsed
        opening = _opening_bracket(text, close)
        if opening < 0:
            orphans.append(_new(Orphan, (close, ds, de, end)))
            continue
        if _blocked(opening, blocked):
            rest.append(close)
            continue
        image = opening > 0 and text[opening - 1] == "!" and (opening < 2 or text[opening - 2] != "\\")
        start = opening - 1 if image else opening
        links.append(_new(Link, (start, opening + 1, close, ds, de, end, image, angle)))
    return links, orphans, rest


def find_refdefs(text: str, blocked: list[tuple[int, int]]) -> list[RefDef]:
    out: list[RefDef] = []
    if "]:" not in text:
        return out
    for m in _refdef_matches(text):
        if _blocked(m.start(), blocked):
            continue
        ds, de = m.start(2), m.end(2)
        if text[ds] == "<":
            ds, de = ds + 1, de - 1
        line_end = text.find("\n", m.end())
        out.append(RefDef(m.group(1), m.start(), len(text) if line_end < 0 else line_end, ds, de))
    return out


def _refdef_matches(text: str) -> list[re.Match[str]]:
    """What `_REFDEF.finditer(text)` finds, tried only at the start of lines holding "]:" (a
    definition's label and colon are on its first line): a multi-line regex scan of a whole
    non-ASCII text is slow."""
    out: list[re.Match[str]] = []
    last_end = 0
    pos = text.find("]:")
    while pos >= 0:
        line_start = text.rfind("\n", 0, pos) + 1
        m = _REFDEF.match(text, line_start) if line_start >= last_end else None
        if m is not None:
            out.append(m)
            last_end = m.end()
        line_end = text.find("\n", pos)
        if line_end < 0:
            break
        pos = text.find("]:", line_end)
    return out


def find_ref_uses(text: str, label: str, blocked: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Uses of a reference label: (start, text_start, text_end, end) for [text][label],
    [label][] and [label]."""
    lab = re.escape(label).replace(r"\ ", r"\s+")
    rx = re.compile(
        rf"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\[\s*{lab}\s*\]|\[({lab})\](?:\[\])?(?![(\[:])", re.I
    )
    out = []
    for m in rx.finditer(text):
        if _blocked(m.start(), blocked):
            continue
        if m.start() > 0 and text[m.start() - 1] == "!":
            continue
        g = 1 if m.group(1) is not None else 2
        out.append((m.start(), m.start(g), m.end(g), m.end()))
    return out


def find_autolinks(text: str, blocked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _AUTOLINK.finditer(text) if not _blocked(m.start(), blocked)]


def find_bare_urls(
    text: str, taken: Callable[[], list[tuple[int, int]]], needles: tuple[str, ...] = ("http", "www.")
) -> list[tuple[int, int]]:
    """Bare URLs starting with one of the needles ("http", "www."), outside the sorted, merged
    spans `taken` gives, their trailing punctuation and unbalanced ")" left out. `taken` is
    called once, and only if some candidate is not after a character that rules it out (most
    "http" of a body follow the "(" of a link destination)."""
    out = []
    spans: list[tuple[int, int]] | None = None
    for needle in needles:
        pos = text.find(needle)
        while pos >= 0:
            if pos and text[pos - 1] in _NOT_BEFORE:
                pos = text.find(needle, pos + 1)
                continue
            if spans is None:
                spans = taken()
            m = None if _blocked(pos, spans) else _BARE.match(text, pos)
            if m is None:
                pos = text.find(needle, pos + 1)
                continue
            out.append((pos, pos + _bare_length(m.group(0))))
            pos = text.find(needle, m.end())
    return sorted(out)


def _bare_length(url: str) -> int:
    """The URL's length without its trailing ".,;:!?*_~", then without each trailing ")" that
    has no "(" to close (counted once: linear in the URL, whatever its run of ")")."""
    cut = len(url.rstrip(".,;:!?*_~"))
    if not cut or url[cut - 1] != ")":
        return cut
    opens = url.count("(", 0, cut)
    closes = url.count(")", 0, cut)
    while cut and url[cut - 1] == ")" and opens < closes:
        cut -= 1
        closes -= 1
    return cut


def _blocked(pos: int, blocked: list[tuple[int, int]]) -> bool:
    """pos inside one of the sorted, merged spans."""
    i = bisect.bisect_right(blocked, (pos, 1 << 62)) - 1
    return i >= 0 and blocked[i][0] <= pos < blocked[i][1]


def escape_url(url: str, angle: bool) -> str:
    """A URL made safe to sit in a Markdown link destination."""
    url = url.replace(" ", "%20").replace("\n", "")
    if angle:
        return url.replace("<", "%3C").replace(">", "%3E")
    if "(" not in url and ")" not in url:
        return url  # nothing to balance (the usual case)
    depth = 0
    for c in url:
        depth += c == "("
        depth -= c == ")"
        if depth < 0:
            break
    if depth != 0:
        url = url.replace("(", "%28").replace(")", "%29")
    return url
