"""The HTML path's shortcuts (round 7), each against the code it stands in for."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.pipeline import tomarkdown

# white space of every kind (the class's own and others: U+2028, NEL, ideographic space),
# markup characters and letters, in runs long enough to need several halvings
_CHARS = st.sampled_from([*" \t\r\n\f\v\u00a0\u2028\x85\u3000ab_*[]\\`&<#;x", "    ", "\u00a0 \t "])
_TEXT = st.lists(_CHARS, max_size=60).map("".join)

_OLD_ODD_SPACE = re.compile(r"[\t\r\n\f\v\u00a0][ \t\r\n\f\v\u00a0]*| [ \t\r\n\f\v\u00a0]+")
_OLD_SPECIAL = re.compile(r"[\\`*\[\]_&<]")


def _old_escape(text: str | None) -> str:
    """tomarkdown._escape as it was: the white space by regex, the markup test by regex."""
    if not text:
        return ""
    if "  " in text or not text.isprintable():
        text = _OLD_ODD_SPACE.sub(" ", text)
    if not _OLD_SPECIAL.search(text):
        return text
    text = tomarkdown._ESCAPE.sub(r"\\\1", text)
    text = tomarkdown._UNDERSCORE.sub(r"\\_", text)
    text = tomarkdown._ENTITY.sub("&amp;", text)
    return text.replace("<", "&lt;")


@settings(max_examples=800, deadline=None)
@given(_TEXT)
def test_white_space_collapsed_as_the_substitution_does(text: str) -> None:
    assert tomarkdown._collapse(text) == tomarkdown._SPACE.sub(" ", text)


@settings(max_examples=800, deadline=None)
@given(_TEXT)
def test_markup_characters_found_as_the_pattern_finds_them(text: str) -> None:
    assert tomarkdown._has_special(text) == bool(_OLD_SPECIAL.search(text))


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.none(), _TEXT))
def test_text_escaped_as_before(text: str | None) -> None:
    assert tomarkdown._escape(text) == _old_escape(text)


def test_long_runs_collapse_in_few_passes() -> None:
    assert tomarkdown._collapse("a" + " " * 100_000 + "\t\u00a0b") == "a b"
