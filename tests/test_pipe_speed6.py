"""More of the pipeline's shortcuts, each against the work it stands in for."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.pipeline import clues, evidence, fingerprint
from scraper.pipeline.core import _utf8

_TEXT = st.text(st.sampled_from([*"aZ9_&+-. \n’'é\u00c9\u212a\u0130xMs*#()[]", "\ud800"]), max_size=300)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_capitalised_words_as_the_greedy_pattern_finds_them(text: str) -> None:
    greedy = re.compile(r"[A-Z0-9][\w&+-]*(?:\.[\w&+-]+)*")
    assert evidence._CAPS.findall(text) == greedy.findall(text)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_the_shared_utf8_gives_the_same_answers(text: str) -> None:
    utf8 = _utf8(text)
    body = text * 3  # long enough for the fingerprint's long-line path too
    if utf8 is None:  # a lone surrogate: no shared bytes, each reader encodes its own way
        assert "\ud800" in text
        return
    assert clues._footer_words(text, utf8) == clues._footer_words(text)
    assert fingerprint.fingerprint(body, body.encode()) == fingerprint.fingerprint(body)


def test_fingerprint_of_a_text_with_a_lone_surrogate_still_fails() -> None:
    try:
        fingerprint.fingerprint("one two three four \ud800 five")
    except UnicodeEncodeError:
        return
    raise AssertionError("the strict encoding no longer raises")
