"""cleaners.htmlspan, through `scan` and `code_regions`: every tag and comment of the HTML
pasted into a Markdown body is found at its exact place in the source (what the audit's line
numbers and the in-place edits rest on), nothing inside code is taken for markup, and the copy
lexbor parses maps each element back to its scan entry."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from cleaners import CleaningError
from cleaners.htmlspan import SX, Scan, code_regions, comments, scan

BODY = (
    "Para one.\n\n"
    '<div class="ad"><a href="https://x.sjv.io/c/1">buy <b>now</b></a></div>\n\n'
    "`<span>code</span>` and <!-- ad start -->\n\n"
    "```\n<script>x</script>\n```\n\n"
    "<p>unclosed para\nstill\n\n"
    'next block <img src="a.png"> <br/>\n'
    '<script>var a = "<b>";</script>\n'
)


def spans(body: str) -> list[tuple[str, str]]:
    return [(e.tag, body[e.start : e.end]) for e in scan(body).elements]


def test_every_element_is_found_at_its_exact_place() -> None:
    assert spans(BODY) == [
        ("div", '<div class="ad"><a href="https://x.sjv.io/c/1">buy <b>now</b></a></div>'),
        ("a", '<a href="https://x.sjv.io/c/1">buy <b>now</b></a>'),
        ("b", "<b>now</b>"),
        ("p", "<p>unclosed para\nstill"),  # unclosed: it ends with its Markdown block (not its newline)
        ("img", '<img src="a.png">'),
        ("br", "<br/>"),
        ("script", '<script>var a = "<b>";</script>'),  # its text is not markup
    ]


def test_comments_are_found_with_their_text() -> None:
    sc = scan(BODY)
    assert [(BODY[c.start : c.end], c.text) for c in sc.comments] == [("<!-- ad start -->", " ad start ")]


def test_markup_inside_code_is_text() -> None:
    code = [BODY[a:b] for a, b in code_regions(BODY)]
    assert code == ["`<span>code</span>`", "```\n<script>x</script>\n```"]
    assert "span" not in [e.tag for e in scan(BODY).elements]
    indented = "Text.\n\n    <div>an example</div>\n\nMore <i>text</i>.\n"
    assert spans(indented) == [("i", "<i>text</i>")]


def test_attribute_values_have_exact_positions() -> None:
    a = scan(BODY).elements[1]
    href = a.attr("href")
    assert href is not None and BODY[href.value_start : href.value_end] == "https://x.sjv.io/c/1"
    assert href.quote == '"' and a.attr("title") is None


def test_the_lexbor_copy_maps_back_to_the_scan() -> None:
    sc = scan(BODY)
    tree = LexborHTMLParser(sc.html)
    found = {int(str(n.attributes[SX])): n.tag for n in tree.css(f"[{SX}]")}
    assert found == {e.index: e.tag for e in sc.elements}
    assert tree.body is not None and "code" in (tree.body.text() or "")  # code kept as text


def test_absurd_nesting_is_refused_with_one_line() -> None:
    with pytest.raises(CleaningError, match="nested deeper"):
        scan("<div>" * 5000)


def _check(body: str, sc: Scan) -> None:
    code = code_regions(body)
    starts = [e.start for e in sc.elements]
    assert starts == sorted(starts)
    for e in sc.elements:
        assert 0 <= e.start < e.open_end <= e.end <= len(body)
        assert body[e.start] == "<" and body[e.start + 1 : e.start + 1 + len(e.tag)].lower() == e.tag
        assert not any(a <= e.start < b for a, b in code)
    for c in sc.comments:
        assert body[c.start : c.end] == f"<!--{c.text}-->"


MARKUP = st.lists(
    st.sampled_from(["<", ">", "/", "div", "a", "p", "b", "script", "<!--", "-->", " ", "\n", "\n\n", "`"])
    | st.sampled_from(['="x"', " href='y'", "```\n", "    ", "text", "&", "<br/>", "</div>", "<p>"]),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(MARKUP)
def test_any_body_scans_to_spans_within_the_source(body: str) -> None:
    try:
        sc = scan(body)
    except CleaningError:
        return
    _check(body, sc)


def test_unclosed_comments_do_not_make_the_scan_quadratic() -> None:
    # each "<!--" with no "-->" after it is text; trying each one as a comment read to the end of
    # the body every time (240 KB: 49 s); the tags after them are still found
    body = "<!-- a -->" + "text <!-- x\n" * 200_000 + "<b>bold</b> <!-- y"
    sc = scan(body)
    assert [(c.start, c.end) for c in sc.comments] == [(0, 10)]
    assert spans(body) == [("b", "<b>bold</b>")]
    assert sc.html.count("&lt;!--") == 200_001


COMMENTS = st.lists(
    st.sampled_from(["<!--", "-->", "<!-->", "--", "<", ">", "<b>", "</b>", "x", " ", "\n", "\n\n"]),
    max_size=40,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(COMMENTS)
def test_the_scan_finds_the_comments_the_comment_finder_finds(body: str) -> None:
    assert [(c.start, c.end, c.text) for c in scan(body).comments] == comments(body)
