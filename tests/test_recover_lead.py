"""Source lines (`scraper.pipeline.recover`): a paragraph whose text starts with a letter no
source-line word starts with is not read in full, and is judged as when it was."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

import scraper.pipeline.recover as recover

_PIECES = ["Source", "source", "ſource", "SOURCES", "Via", "vıa", "Credit", "Quelle", "Fuente", "Fonte"]
_PIECES += [" ", "\u00a0", "\u2003", "\n", ":", " : ", "x", "é", "<b>", "</b>", "<em>S</em>", "<!-- c -->"]
_PIECES += ["<div>", "</div>", "&nbsp;", "&#83;", "K", "\u212a", "ource", "ia", "redit", "<br>"]


def _judged(html: str) -> list[bool]:
    return [recover._is_source_line(n) for n in LexborHTMLParser(html).css("p, div")]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_the_first_letter_test_judges_as_the_full_text(text: str) -> None:
    html = f"<p>{text}</p><div>{text} more</div>"
    quick = _judged(html)
    lead = recover._LEAD
    try:
        recover._LEAD = re.compile("")  # every text read in full, as before the test
        assert _judged(html) == quick
    finally:
        recover._LEAD = lead


def test_source_lines_found() -> None:
    assert _judged("<p>Source: Atari</p><p> ſource : x</p><p>  Via <b>The Verge</b>: y</p>") == [
        True,
        True,
        False,
    ]
    assert _judged("<p>The source: x</p><div><b>Source</b>: x</div>") == [False, True]
