"""The str.find scans that stand in for whole-body regex scans (a regex scan of a non-ASCII body
is slow) find exactly what the regexes find, on texts made of the characters that matter."""

from __future__ import annotations

import bisect
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.htmlspan import COMMENT_RE, _backtick_runs, comments
from cleaners.markdown import _LINE_ITEM, _visible
from cleaners.mdedits import _RESIDUE, _tidy, merge
from cleaners.mdhtml import _HTML_LINE, _html_line_starts
from cleaners.mdsyntax import (
    _MAX_PARENS,
    _REFDEF,
    _SIMPLE_DEST,
    _plain_end,
    _refdef_matches,
    _simple_dest_end,
)
from cleaners.records import LineIndex

_PIECES = ["<!--", "-->", "<!-->", "-", "<", "</", "<a", "<!", "[", "]", "]:", ":", "(", ")", "\\", "`", "``"]
_PIECES += ["*", "_", "\u3000", "\x1c", "\u200b", "\u2028"]
_PIECES += [
    "\n",
    " ",
    "  ",
    "\t",
    "> ",
    "- ",
    "1. ",
    "x",
    "é",
    "http://h",
    "\u00a0",
    "\x7f",
    "\x01",
    "\u200b",
    "\u2028",
]
texts = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_finds_match_the_regexes(text: str) -> None:
    assert comments(text) == [(m.start(), m.end(), m.group(1)) for m in COMMENT_RE.finditer(text)]
    assert _backtick_runs(text) == [m.span() for m in re.finditer(r"`+", text)]
    assert [m.span() for m in _refdef_matches(text)] == [m.span() for m in _REFDEF.finditer(text)]
    assert _html_line_starts(text) == [m.start() for m in _HTML_LINE.finditer(text)]
    assert _visible(text) == len(re.sub(r"[\s*_]", "", text))


def _plain_end_by_character(text: str, pos: int) -> int:
    """CommonMark's plain destination, one character at a time (the definition)."""
    depth = 0
    while pos < len(text):
        c = text[pos]
        if c == "\\" and pos + 1 < len(text) and not text[pos + 1].isspace():
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


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(0, 40), st.booleans())
def test_plain_destination_end(text: str, pos: int, deep: bool) -> None:
    text = ("(" * (_MAX_PARENS + 2) if deep else "") + text
    pos = min(pos, len(text))
    assert _plain_end(text, pos) == _plain_end_by_character(text, pos)
    simple = _SIMPLE_DEST.match(text, pos)
    assert _simple_dest_end(text, pos) == (simple.end() - 1 if simple else -1)


def test_printable_excludes_every_space_but_the_space() -> None:
    """`_simple_dest_end` leans on it: no other whitespace or control character is printable."""
    assert not [
        c for c in range(0x110000) if re.match(r"[\s\x00-\x1f]", chr(c)) and chr(c).isprintable() and c != 32
    ]


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 8)), max_size=12))
def test_merge(pairs: list[tuple[int, int]]) -> None:
    spans = [(a, a + n) for a, n in pairs]
    expected: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if expected and a <= expected[-1][1]:
            expected[-1] = (expected[-1][0], max(expected[-1][1], b))
        else:
            expected.append((a, b))
    assert merge(spans) == expected


def _tidy_by_split(text: str, marks: list[tuple[int, bool]]) -> str:
    """`_tidy` as first written, on the text split whole into lines (the definition)."""
    lines = text.split("\n")
    last = len(lines) - 1
    touched: dict[int, bool] = {}
    for off, cut in marks:
        idx = text.count("\n", 0, off)
        touched[idx] = touched.get(idx, False) or cut
    drop = {i for i in touched if i != last and _RESIDUE.match(lines[i])}
    near = drop | {i for i, cut in touched.items() if cut}

    def gap(k: int) -> bool:
        return 0 <= k < last and (k in drop or not lines[k].strip())

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
            blanks = [j for j in range(lo, hi + 1) if j not in drop]
            drop.update(blanks[0 if lo == 0 or hi == last - 1 else 1 :])
    return "\n".join(line for j, line in enumerate(lines) if j not in drop)


_LINE_PIECES = ["\n", "\n\n", " ", "  \t", "- ", "* ", "**", "_", "x", "word", "> ", "# ", "1. ", "\n   \n"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_LINE_PIECES), max_size=16).map("".join), st.data())
def test_tidy_looks_at_lines_as_the_split_text_does(text: str, data: st.DataObject) -> None:
    offsets = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=5)))
    marks = [(o, data.draw(st.booleans())) for o in offsets]
    assert _tidy(text, marks) == _tidy_by_split(text, marks)


def _opening_bracket_by_paragraph(text: str, close: int, bound: int) -> int:
    """The "[" of a link as found before: the paragraph's start first (its last blank line
    within the bound), then the last balanced, unescaped "[" after it."""
    blank = text.rfind("\n\n", max(close - bound - 2, 0), close)
    para = max(0 if blank < 0 else blank + 2, close - bound, 0)
    j = text.rfind("[", para, close)
    while j >= 0:
        between = text[j + 1 : close]
        if (j == 0 or text[j - 1] != "\\") and between.count("[") == between.count("]"):
            return j
        j = text.rfind("[", para, j)
    return -1


@settings(max_examples=600, deadline=None)
@given(texts, st.sampled_from([3, 8, 3000]))
def test_opening_bracket_within_the_paragraph(text: str, bound: int) -> None:
    from cleaners import mdsyntax

    saved = mdsyntax._MAX_TEXT
    mdsyntax._MAX_TEXT = bound
    try:
        for close in (i for i, c in enumerate(text) if c == "]"):
            assert mdsyntax._opening_bracket(text, close) == _opening_bracket_by_paragraph(text, close, bound)
    finally:
        mdsyntax._MAX_TEXT = saved


_TAG_PIECES = [
    "<",
    "a",
    "b-",
    "1",
    " ",
    "\n",
    "\t",
    "=",
    '"',
    "'",
    "/",
    ">",
    "`",
    "x=y",
    ' c="d"',
    "é",
    "\u3000",
]
_TAG_PIECES += ["=>", "/>", " /", "<a", "<a "]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_TAG_PIECES), max_size=16).map(lambda p: "<" + "".join(p)))
def test_start_tag_pattern_matches_as_the_backtracking_one(text: str) -> None:
    from cleaners.htmlspan import _OPEN

    backtracking = re.compile(
        r"""<([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(/?)>"""
    )
    m, ref = _OPEN.match(text), backtracking.match(text)
    assert (m and (m.span(), m.groups())) == (ref and (ref.span(), ref.groups()))


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_inline_link_pattern_finds_as_the_one_character_per_step_one(text: str) -> None:
    from cleaners.markdown import _INLINE_LINK

    stepwise = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]*)")
    assert _INLINE_LINK.findall(text) == stepwise.findall(text)
    assert [m.span() for m in _INLINE_LINK.finditer(text)] == [m.span() for m in stepwise.finditer(text)]


_ITEM_PIECES = ["\n", " ", "   ", "\t", "[a](b)", "-", "*", "+", "1", "12", ".", ")", "x", "é", "\u3000"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_ITEM_PIECES), max_size=40).map("".join))
def test_list_markers_found_after_line_breaks(text: str) -> None:
    """The list markers found after "\\n" in "\\n" + a text are the ones "^" finds line by line."""
    by_line = re.compile(r"^[ \t]{0,3}(?:[*+-]|\d{1,9}[.)])[ \t]+", re.M)
    assert len(_LINE_ITEM.findall("\n" + text)) == len(by_line.findall(text))
    assert _LINE_ITEM.sub("\n", "\n" + text)[1:] == by_line.sub("", text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["\n", "x", "é", "\u2028", "\r\n", "ab"]), max_size=30).map("".join),
    st.lists(st.integers(-3, 70), max_size=12),
    st.integers(1, 5),
)
def test_line_index_counts_as_line_starts(text: str, offsets: list[int], first: int) -> None:
    """Lines counted from offsets answered before, in any order, are those of the line starts."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    index = LineIndex(text, first)
    for off in offsets + offsets[::-1]:
        assert index.line(off) == bisect.bisect_right(starts, off) - 1 + first
