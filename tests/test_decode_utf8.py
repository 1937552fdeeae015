"""The UTF-8 bytes of a decoded page handed to the HTML parser: `decode_page` says when its text
was read as UTF-8 (its encoding is then the bytes exactly), and the page cleans the same from
those bytes as from the text."""

from __future__ import annotations

import codecs
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cleaners.ruleset import load_rules
from scraper.errors import DocumentError
from scraper.pipeline.decode import decode, decode_page
from scraper.pipeline.html import clean_html

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_utf8_pages_say_so() -> None:
    data = "<p>Grüße – 東京</p>".encode()
    assert decode_page(data) == (decode(data), True)
    assert decode_page(b"<p>x</p>") == ("<p>x</p>", True)
    declared = '<meta charset="utf-8"><p>café</p>'.encode()
    assert decode_page(declared, "latin-1") == (declared.decode(), True)  # the bytes believed


def test_other_encodings_do_not() -> None:
    latin = "<p>café</p>".encode("cp1252")
    assert decode_page(latin) == ("<p>café</p>", False)
    bom = codecs.BOM_UTF8 + "<p>café</p>".encode()
    assert decode_page(bom) == ("<p>café</p>", False)  # the text lacks the mark the bytes hold
    utf16 = "<p>café</p>".encode("utf-16")
    assert decode_page(utf16)[1] is False


@given(st.binary(min_size=1, max_size=40), st.sampled_from([None, "utf-8", "latin-1", "cp1252"]))
def test_the_bytes_are_the_texts_utf8(data: bytes, declared: str | None) -> None:
    try:
        text, as_utf8 = decode_page(data, declared)
    except DocumentError:
        return
    assert text == decode(data, declared)
    if as_utf8:
        assert text.encode("utf-8") == data


def test_a_page_cleans_the_same_from_its_bytes() -> None:
    rules = load_rules()
    pages = [p for p in sorted(FIXTURES.rglob("*.htm*")) if not p.read_bytes().isascii()][:6]
    checked = 0
    for page in pages:
        data = page.read_bytes()
        text, as_utf8 = decode_page(data)
        if not as_utf8:
            continue
        try:
            from_bytes = clean_html(text, rules, None, raw=data, raw_is_utf8=True)
        except DocumentError:
            continue
        assert clean_html(text, rules, None, raw=data) == from_bytes
        checked += 1
    assert checked >= 3
