"""Find the raw HTML inside a Markdown body, with exact source positions.

Content farms paste HTML "islands" (ad blocks, AdSense inserts, link lists) between Markdown
paragraphs. To clean those in place, every tag and comment is located here, outside code spans
and code blocks, and a copy of the body is built for lexbor in which each start tag carries a
`data-sx="N"` attribute and each comment an index. Rules then run on the lexbor DOM (so CSS
selectors work), and every DOM decision maps back to exact character spans of the original.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cleaners.records import CleaningError

VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
RAWTEXT = frozenset(["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"])
SX = "data-sx"
MAX_DEPTH = 1000  # deeper nesting is not an article: refuse it rather than crawl through it
COMMENT_MARK = "\ue000"  # comment text is prefixed with MARK + index + MARK

# (possessive: no part of a tag's name, attributes or values, once taken, is ever given back to
# what follows — none can be "/" + ">" or spaces before them — so the regex keeps no state to
# backtrack to; the same matches)
_OPEN = re.compile(
    r"""<([A-Za-z][A-Za-z0-9-]*+)((?:\s++[^\s"'>/=]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>`]++))?+)*+)\s*+(/?)>"""
)
_CLOSE = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
COMMENT_RE = re.compile(r"<!--(.*?)-->", re.S)
_ATTR = re.compile(r"""(\s+)([^\s"'>/=]+)(?:(\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)")


@dataclass(slots=True)
class Attr:
    """One attribute of a start tag: where its name and value are in the source."""

    name: str
    start: int  # includes the whitespace before the name
    end: int
    value_start: int  # -1 when the attribute has no value
    value_end: int
    quote: str


@dataclass(slots=True)
class Element:
    """An element of raw HTML in Markdown: its tag and where it opens and ends in the source."""

    index: int
    tag: str
    start: int
    open_end: int
    close_start: int = -1  # -1: no end tag in the source
    end: int = -1
    attrs_at: int = 0  # where the attribute text starts in the source
    attrs_raw: str = ""

    def attr(self, name: str) -> Attr | None:
        """The first attribute of that name, with its exact source positions."""
        for a in _ATTR.finditer(self.attrs_raw):
            if a.group(2).lower() != name:
                continue
            base = self.attrs_at + a.start()
            for g, quote in ((4, '"'), (5, "'"), (6, "")):
                if a.group(g) is not None:
                    vs = self.attrs_at + a.start(g)
                    return Attr(name, base, base + len(a.group(0)), vs, vs + len(a.group(g)), quote)
            return Attr(name, base, base + len(a.group(0)), -1, -1, "")
        return None


@dataclass(slots=True)
class Comment:
    """An HTML comment in Markdown: where it is and its text."""

    index: int
    start: int
    end: int
    text: str


@dataclass
class Scan:
    """The raw HTML of a Markdown body: its elements, comments and code spans."""

    elements: list[Element]
    comments: list[Comment]
    html: str  # what lexbor parses
    code: list[tuple[int, int]]  # code spans and blocks: never touched

    @property
    def has_markup(self) -> bool:
        return bool(self.elements or self.comments)


_FENCE_OPEN = re.compile(r"^( *)(`{3,}|~{3,})([^\n]*)$", re.M)
_INDENT_START = re.compile(r"\n[ \t]*\n(?= {4}|\t)")
_INDENTED = re.compile(r"(?:(?: {4}|\t)[^\n]*(?:\n|\Z)|[ \t]*\n(?=(?: {4}|\t)))+")


def code_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges of fenced and indented code blocks and inline code spans."""
    regions = code_blocks(text)
    if "`" in text:
        regions.extend(code_spans(text, regions))
        regions.sort()
    return regions


def code_blocks(text: str) -> list[tuple[int, int]]:
    """Character ranges of fenced and indented code blocks."""
    regions: list[tuple[int, int]] = []
    # (a one-character search first: in a text without the character it is several times
    # cheaper than the three-character one, and most bodies hold neither "`" nor "~")
    if ("`" in text and "```" in text) or ("~" in text and "~~~" in text):
        pos = 0
        for m in _FENCE_OPEN.finditer(text):
            if m.start() < pos or (m.group(2)[0] == "`" and "`" in m.group(3)):
                continue
            fence = m.group(2)
            close = re.compile(rf"^ *{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M).search(
                text, m.end()
            )
            pos = close.end() if close else len(text)
            regions.append((m.start(), pos))
    starts = [m.end() for m in _INDENT_START.finditer(text)]
    if text.startswith(("    ", "\t")):
        starts.insert(0, 0)
    taken = 0
    for start in starts:
        block = _INDENTED.match(text, start)
        if block is None or start < taken or _inside(start, regions):
            continue
        taken = block.end()
        before = text[:start].rstrip()
        prev = before[before.rfind("\n") + 1 :]
        if prev and (_LIST_ITEM.match(prev) or prev[0] in " \t"):
            continue  # indented list content, not code
        regions.append((start, block.end()))
    regions.sort()
    return regions


def code_spans(text: str, blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Inline code: a run of N backticks up to the next run of exactly N, within a paragraph."""
    spans: list[tuple[int, int]] = []
    runs = [r for r in _backtick_runs(text) if not _inside(r[0], blocks)]
    if len(runs) < 2:
        return spans
    blanks = [m.start() for m in _BLANK_LINE.finditer(text)]
    i = 0
    while i < len(runs):
        start, end = runs[i]
        n = end - start
        limit = bisect.bisect_right(blanks, end)
        stop = blanks[limit] if limit < len(blanks) else len(text)
        for j in range(i + 1, len(runs)):
            s2, e2 = runs[j]
            if s2 > stop:
                break
            if e2 - s2 == n:
                spans.append((start, e2))
                i = j
                break
        i += 1
    return spans


def _backtick_runs(text: str) -> list[tuple[int, int]]:
    """Each run of backticks (found by str.find: a regex scan of a non-ASCII text is far slower)."""
    runs: list[tuple[int, int]] = []
    n = len(text)
    pos = text.find("`")
    while pos >= 0:
        end = pos + 1
        while end < n and text[end] == "`":
            end += 1
        runs.append((pos, end))
        pos = text.find("`", end)
    return runs


def _inside(pos: int, regions: list[tuple[int, int]]) -> bool:
    return bool(regions) and any(a <= pos < b for a, b in regions)


def _block_end(text: str, pos: int) -> int:
    """The end of the Markdown block `pos` is in: its last line, without the line break (so
    removing what runs to it never joins the block to the next one)."""
    m = _BLANK_LINE.search(text, pos)
    return m.start() if m else len(text)


# What a "<" starts, in one match: an end tag (group 1, as `_CLOSE` matches it), a comment (group
# 2, as `COMMENT_RE`), a start tag (groups 3-5, as `_OPEN`), or nothing: a "<" of text, matched
# alone (so the scan meets every "<" in one pass of the engine, as it met them one by one)
_TAG = re.compile(r"<(?:/([A-Za-z][A-Za-z0-9-]*)\s*>|!--((?s:.*?))-->|" + _OPEN.pattern[1:] + ")?")
# The same with a comment branch that never matches (group 2 kept), for the text after a "<!--"
# with no "-->" after it: no later "<!--" has one either, and trying each would read to the end
# of the text every time (quadratic in a body of unclosed comments)
_TAG_NO_COMMENT = re.compile(r"<(?:/([A-Za-z][A-Za-z0-9-]*)\s*>|(?!)(.)|" + _OPEN.pattern[1:] + ")?")
_CLOSED, _COMMENT, _OPENED = 1, 2, 5  # `lastindex` of each kind of match


class _Scanner:
    """One pass over a body: the elements and comments found, and the lexbor copy built."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.elements: list[Element] = []
        self.comments: list[Comment] = []
        self.out: list[str] = ["<!DOCTYPE html><html><head></head><body>"]
        self.stack: list[Element] = []  # open elements
        self.pos = 0  # next character of `text` not yet copied to `out`
        self.lt = False  # `text` holds a "<" between `pos` and what the scan met last
        self.tags = _TAG  # _TAG_NO_COMMENT once a "<!--" is found unclosed

    def copy_text(self, upto: int) -> None:
        if upto > self.pos:
            piece = self.text[self.pos : upto]
            self.out.append(piece.replace("<", "&lt;") if self.lt else piece)
            self.pos = upto
        self.lt = False

    def run(self, search: int, regions: list[tuple[int, int, bool]], ri: int) -> tuple[int, int]:
        """Tags from `search` on, until the scan must jump (a region, a raw-text element's end):
        returns (where it goes on, the region index), (-1, ri) at the end of the text."""
        text, out, stack, elements = self.text, self.out, self.stack, self.elements
        pos, seen_lt = self.pos, self.lt  # (kept here while the scan runs, given back after)
        region_start = regions[ri][0] if ri < len(regions) else len(text) + 1
        for m in self.tags.finditer(text, search):
            lt = m.start()
            if lt >= region_start:
                while ri < len(regions) and regions[ri][1] <= lt:
                    ri += 1
                if ri < len(regions) and regions[ri][0] <= lt:
                    start, end, skipped = regions[ri]
                    if skipped:
                        self.pos, self.lt = pos, seen_lt
                        self.copy_text(start)
                        self.pos = end
                        self.lt = pos > start  # (then what a tag ran past is copied again)
                    else:
                        self.pos, self.lt = pos, True  # (a code region's "<" are text)
                    return end, ri
                region_start = regions[ri][0] if ri < len(regions) else len(text) + 1
            kind = m.lastindex
            if kind is None:
                seen_lt = True
                if text.startswith("!--", lt + 1) and self.tags is _TAG:  # unclosed: no "-->" after
                    self.pos, self.lt, self.tags = pos, True, _TAG_NO_COMMENT
                    return lt + 1, ri
                continue
            if lt > pos:
                piece = text[pos:lt]
                out.append(piece.replace("<", "&lt;") if seen_lt else piece)
            seen_lt = False
            pos = end = m.end()
            if kind == _CLOSED:  # it closes the innermost open element of its name
                tag = m.group(1).lower()
                for k in range(len(stack) - 1, -1, -1):
                    if stack[k].tag == tag:
                        for el in stack[k + 1 :]:
                            el.end = lt
                        stack[k].close_start, stack[k].end = lt, end
                        del stack[k:]
                        break
                out.append(m.group(0))
                continue
            if kind == _COMMENT:
                c = Comment(len(self.comments), lt, end, m.group(2))
                self.comments.append(c)
                out.append(f"<!--{COMMENT_MARK}{c.index}{COMMENT_MARK}{c.text}-->")
                continue
            name, attrs, slash = m.group(3, 4, 5)  # a start tag, marked with its index for lexbor
            tag = name.lower()
            el = Element(len(elements), tag, lt, end, -1, -1, lt + 1 + len(name), attrs)
            out.append(f'<{name} {SX}="{el.index}"{attrs}{" /" if slash else ""}>')
            elements.append(el)
            if tag in VOID:
                el.end = end
            elif tag in RAWTEXT:  # the scan goes on after its end
                self._rawtext(el)
                self.pos, self.lt = el.end, False
                return el.end, ri
            else:
                stack.append(el)
                if len(stack) > MAX_DEPTH:
                    raise CleaningError(f"HTML nested deeper than {MAX_DEPTH} levels")
        self.pos, self.lt = pos, seen_lt
        return -1, ri

    def _rawtext(self, el: Element) -> None:
        """Text up to the end tag of a script, style, textarea … (or the end of its block)."""
        text, tag, start = self.text, el.tag, el.open_end
        close = re.compile(rf"</{tag}\s*>", re.I).search(text, start)
        limit = _block_end(text, start) if tag != "script" and tag != "style" else len(text)
        if close and close.start() <= max(limit, start):
            self.out.append(text[start : close.start()])
            self.out.append(close.group(0))
            el.close_start, el.end = close.start(), close.end()
        else:
            end = _block_end(text, start)
            self.out.append(text[start:end].replace("<", "&lt;") if tag == "textarea" else "")
            self.out.append(f"</{tag}>")
            el.end = end


def scan(text: str, code: list[tuple[int, int]] | None = None, skip: Sequence[tuple[int, int]] = ()) -> Scan:
    """Locate tags and comments in a Markdown body and build the lexbor copy. `code` regions
    are text; `skip` regions (already removed) are left out of the lexbor copy entirely."""
    if code is None:
        code = code_regions(text)
    regions = sorted([(a, b, False) for a, b in code] + [(a, b, True) for a, b in skip])
    sc = _Scanner(text)
    search, ri = sc.run(0, regions, 0)
    while search >= 0:  # (each jump moves on: a region or a raw-text element ends after it)
        search, ri = sc.run(search, regions, ri)
    sc.copy_text(len(text))
    for el in sc.stack:  # unclosed: it ends where its Markdown block ends
        el.end = _block_end(text, el.open_end)
    sc.out.append("</body></html>")
    return Scan(sc.elements, sc.comments, "".join(sc.out), code)


def comments(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of what `COMMENT_RE.finditer(text)` finds, by str.find."""
    out: list[tuple[int, int, str]] = []
    pos = text.find("<!--")
    while pos >= 0:
        close = text.find("-->", pos + 4)
        if close < 0:
            break
        out.append((pos, close + 3, text[pos + 4 : close]))
        pos = text.find("<!--", close + 3)
    return out


def comment_index(comment_text: str) -> int | None:
    """The scan index carried by a comment node's text (None for other comments)."""
    if comment_text.startswith(COMMENT_MARK):
        end = comment_text.find(COMMENT_MARK, 1)
        if end > 0:
            return int(comment_text[1:end])
    return None


def strip_comment_mark(comment_text: str) -> str:
    if comment_text.startswith(COMMENT_MARK):
        end = comment_text.find(COMMENT_MARK, 1)
        if end > 0:
            return comment_text[end + 1 :]
    return comment_text
