"""More of the pipeline's shortcuts, each against the work it stands in for."""

from __future__ import annotations

import re

from conftest import builtin_rules
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.pipeline import attribution, clues, evidence, fingerprint, textcase
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


_PIECES = [*"aAkKiI ’\n./é", "\u212a", "\u0130", "credit", "Credit: ", "COURTESY of ", "Tom", "Hardware"]
_PIECES += ["The Verge", "ZDNET", "MSN", "iMore", "Kotaku", "Tom’s Guide", "Image credit: ", "Lifewire / "]
_PROSE = st.lists(st.sampled_from(_PIECES), max_size=120).map("".join)


def test_only_ascii_words_without_k_or_a_final_i_are_safe() -> None:
    assert textcase.ascii_safe("credit") == b"credit"
    assert textcase.ascii_safe("tom's hardware") == b"tom's hardware"
    assert textcase.ascii_safe("kotaku") is None
    assert textcase.ascii_safe("tom’s guide") is None
    assert textcase.ascii_safe("hifi") is None


@settings(max_examples=400, deadline=None)
@given(
    _PROSE, st.sampled_from(["credit", "courtesy", "the verge", "msn", "imore", "tom's hardware", "i", "ti"])
)
def test_a_safe_word_is_found_in_the_ascii_lowered_bytes_as_in_the_lower_case(text: str, word: str) -> None:
    safe = textcase.ascii_safe(word)
    if safe is not None:
        assert (textcase.ascii_lowered(text).find(safe) >= 0) == (word in text.lower())
    assert textcase.lower(text) == text.lower()
    assert textcase.lower(text, textcase.ascii_lowered(text)) == text.lower()


class _Eager(evidence.Scorer):
    """The scorer as it was: the prose lower-cased as a whole for every look-up."""

    def lowered_holds(self, text: str, word: str, safe: bytes | None) -> bool:
        return word in text.lower()


@settings(max_examples=200, deadline=None)
@given(_PROSE)
def test_names_mentions_and_credits_as_with_the_whole_text_lower_cased(text: str) -> None:
    rules = builtin_rules()
    prose = text * 3  # past the short-text path too
    fast, eager = evidence.Scorer(rules, evidence.Signals()), _Eager(rules, evidence.Signals())
    assert fast.names_in(prose) == eager.names_in(prose)
    assert fast.mentions(prose) == eager.mentions(prose)
    assert clues._credits(prose, fast) == clues._credits(prose, eager)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["#", "##", " ", "\n", "a", "Title", "\t", "###### x", "\r"]), max_size=60).map(
        "".join
    )
)
def test_headings_as_the_pattern_finds_them_everywhere(body: str) -> None:
    whole = [(m.start(), m.end(), m.group(1)) for m in attribution._HEADING.finditer(body)]
    assert [(m.start() - 1, m.end() - 1, m.group(1)) for m in attribution._headings(body)] == whole
