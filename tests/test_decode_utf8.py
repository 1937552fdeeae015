"""The UTF-8 bytes of a decoded page handed to the HTML parser (`decode.utf8_of`): only the very
bytes a text was read from as UTF-8, and the page cleans the same from them."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaners.ruleset import load_rules
from scraper.errors import DocumentError
from scraper.pipeline.decode import decode, utf8_of
from scraper.pipeline.html import clean_html

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_only_the_bytes_a_text_was_read_from() -> None:
    data = "<p>Grüße – 東京</p>".encode()
    text = decode(data)
    assert utf8_of(text, data) is data
    assert utf8_of(text, bytes(bytearray(data))) is None  # equal bytes, another object
    assert utf8_of("".join([text[:3], text[3:]]), data) is None  # equal text, another object
    assert utf8_of(text, None) is None
    plain = b"<p>x</p>"
    other = decode(plain)
    assert utf8_of(text, data) is None  # a later decode replaced the record
    assert utf8_of(other, plain) is plain
    with pytest.raises(DocumentError):
        decode(b"   ")
    assert utf8_of(other, plain) is None  # a decode, even one that fails, drops the record


def test_other_encodings_give_no_bytes() -> None:
    latin = "<p>café</p>".encode("cp1252")
    assert utf8_of(decode(latin), latin) is None
    bom = codecs.BOM_UTF8 + "<p>café</p>".encode()
    assert utf8_of(decode(bom), bom) is None
    declared = '<meta charset="utf-8"><p>café</p>'.encode()
    assert utf8_of(text := decode(declared, "latin-1"), declared) == text.encode()


@given(st.binary(min_size=1, max_size=40), st.sampled_from([None, "utf-8", "latin-1", "cp1252"]))
def test_the_bytes_are_the_texts_utf8(data: bytes, declared: str | None) -> None:
    try:
        text = decode(data, declared)
    except DocumentError:
        return
    got = utf8_of(text, data)
    assert got is None or got == text.encode("utf-8")


def test_a_page_cleans_the_same_from_its_bytes() -> None:
    rules = load_rules()
    pages = [p for p in sorted(FIXTURES.rglob("*.htm*")) if not p.read_bytes().isascii()][:6]
    checked = 0
    for page in pages:
        data = page.read_bytes()
        text = decode(data)
        if utf8_of(text, data) is None:
            continue
        try:
            from_bytes = clean_html(text, rules, None, raw=data)
        except DocumentError:
            continue
        decode(b"<p>other</p>")  # the record is another page's: the text is parsed
        assert utf8_of(text, data) is None
        assert clean_html(text, rules, None, raw=data) == from_bytes
        checked += 1
    assert checked >= 3
