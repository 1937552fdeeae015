"""The deep-nesting pass (`scraper.pipeline.nesting`): what counts as open, on small pages with a
small limit."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.pipeline.nesting import _TOKEN, _cuts, _more_than, _within, flatten_deep


def test_self_closing_tags_in_svg_do_not_nest() -> None:
    page = "<div><svg>" + '<path d="M0 0" />' * 20 + "<circle r='1'/></svg></div><p>text</p>"
    assert flatten_deep(page, limit=4) == (page, [])


def test_unclosed_tags_in_svg_nest_and_are_dropped() -> None:
    page = "<div><svg>" + '<g class="a/b">' * 6 + "</svg></div>"
    out, [removal] = flatten_deep(page, limit=4)
    assert out == "<div><svg>" + '<g class="a/b">' * 2 + "</svg></div>"
    assert removal.rule == "deep-nesting"
    assert removal.snippet == '<g class="a/b">'


def test_a_slash_inside_an_attribute_value_does_not_close_a_tag_outside_svg() -> None:
    page = '<div title="x/">' * 6 + "text"
    out, removals = flatten_deep(page, limit=4)
    assert out == '<div title="x/">' * 4 + "text"
    assert len(removals) == 1


def test_a_self_closing_script_in_svg_still_starts_raw_text() -> None:
    page = "<svg><script/>" + "<div>" * 10 + "</script><p>after</p></svg>"
    assert flatten_deep(page, limit=4) == (page, [])


_PIECES = ["<", ">", "</", "<!--", "-->", "<!", "<?", "/", "a", "B:", "-", "=", '"', " ", "\n", "é", "<p"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join), st.integers(0, 40))
def test_the_token_pattern_finds_what_the_plain_one_finds(text: str, start: int) -> None:
    """The look-ahead form of the tag pattern matches exactly what `[^<>]*+>` matched."""
    plain = re.compile(r"<(?:(/?)([A-Za-z][A-Za-z0-9:-]*+)[^<>]*+>|!--(?:.*?-->|.*)|[!?][^>]*+>?)", re.S)
    want = [(m.span(), m.groups()) for m in plain.finditer(text, start)]
    assert [(m.span(), m.groups()) for m in _TOKEN.finditer(text, start)] == want


@given(st.text(alphabet="<a", max_size=12), st.integers(0, 12))
def test_more_than_counts_like_str_count(text: str, n: int) -> None:
    assert _more_than(text, "<", n) == (text.count("<") > n)


_TAGS = ["<div>", "</div>", "<p>", "</p>", "<li>", "</li>", "<ul>", "<td>", "<tr>", "<table>", "<h2>"]
_TAGS += ["</h2>", "<h3>", "<option>", "<select>", "<svg>", "</svg>", "<g/>", "<g>", "<br>", "<DIV>"]
_TAGS += ["</Div>", "<script>", "</script>", "<style/>", "<math>", "<b>", "</b>", "<!-- x -->", "text"]
_TAGS += ["<dd>", "<dt>", "<tbody>", "<optgroup>", "<title>", "</title>", "<x-y>", "</x-y>", "<img/>"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_TAGS + _PIECES), max_size=60).map("".join), st.integers(1, 12))
def test_the_quick_pass_says_within_only_when_the_full_pass_drops_nothing(text: str, limit: int) -> None:
    """`_within` runs the pass's own steps without its bookkeeping of dropped tags: when it says
    the page stays under the limit, the full pass drops nothing; when it does not, a start tag
    met `limit` open elements (the full pass then decides)."""
    if _within(text, limit):
        assert _cuts(text, limit) == []
    assert _within(text, 10_000)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TAGS), min_size=50, max_size=400).map("".join))
def test_deep_pages_are_flattened_as_by_the_full_pass(text: str) -> None:
    """On pages past the limit the result is the full pass's, as before the quick pass."""
    cut = _cuts(text, 5)
    out, removals = flatten_deep(text, limit=5)
    assert (out == text) == (not cut)
    assert len(removals) == (1 if cut else 0)
