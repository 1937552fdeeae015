"""The footer look-up's shortcut against the pattern searched over the whole body."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.pipeline import clues

_PIECES = [
    "Appeared first on ",
    "originally published on ",
    "First appeared in ",
    "REPUBLISHED with permission from ",
    "reprinted from ",
    "originally posted by ",
    "firſt published on ",  # a long s: the case-blind pattern reads it as an s
    "orıginally published at ",  # a dotless i
    "\u212aotaku",  # the Kelvin sign, a k to the pattern
    "\u0130",
    "[ZDNet](https://www.zdnet.com/article/x/)",
    '"The Verge"',
    "“Tom’s Hardware”",
    "Tom's Hardware",
    "Σ",
    "ß",
    "ﬁrst ",
    "first first ",
    *". ,:\n x",
    "é",
    " and [more](https://example.com/a)",
]
_BODY = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


def _spans(matches: list[re.Match[str]]) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in matches]


@settings(max_examples=1500, deadline=None)
@given(_BODY)
def test_footers_are_the_matches_of_the_whole_search(body: str) -> None:
    assert _spans(clues._footers(body)) == _spans(list(clues._FOOTER.finditer(body)))


def test_footers_of_an_article() -> None:
    body = (
        "A long article about phones.\n\nIt goes on. " * 40
        + "The post [Best phones](https://www.zdnet.com/a/) appeared first on [ZDNET](https://www.zdnet.com/)."
        + "\nOriginally published by Tom’s Guide.\n"
    )
    found = clues._footers(body)
    assert _spans(found) == _spans(list(clues._FOOTER.finditer(body)))
    assert [m.group(2) or m.group(4) for m in found] == ["https://www.zdnet.com/", "Tom’s Guide"]


def test_only_the_odd_letters_match_ascii_letters_case_blind() -> None:
    """Every character the case-blind pattern takes for an ASCII letter is that letter in either
    case or one of `clues._CASE_ODD` (the shortcut's premise)."""
    letter = re.compile("[a-z]", re.I)
    odd = [chr(c) for c in range(128, sys.maxunicode + 1) if letter.match(chr(c))]
    assert sorted(odd) == sorted(clues._CASE_ODD)
