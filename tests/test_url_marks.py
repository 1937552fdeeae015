"""The marks UrlPatterns looks for before its checks: a URL any check passes holds one of them
(so a URL holding none is answered False without the checks), and none is a mark every web URL
holds; a check that holds no telling mark leaves nothing to look for first."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners import load_rules
from cleaners.hosts import UrlPatterns


def _checks_pass(p: UrlPatterns, low: str) -> bool:
    """The checks alone, as UrlPatterns runs them after its marks."""
    for groups, pattern in p.checks:
        if all(any(m in low for m in g) for g in groups) and (pattern is None or pattern.search(low)):
            return True
    return False


def test_builtin_marks() -> None:
    rules = load_rules()
    for p in (rules.pixel_urls, rules.ad_media_urls):
        assert p.marks
        assert not any(m in "https://" or m in "http://" for m in p.marks)
    assert "/i/" in (rules.pixel_urls.marks or ())  # not "http" nor "://" of the same check


def test_a_check_without_telling_marks_leaves_none() -> None:
    web_only = UrlPatterns((((("http",), ("://",)), re.compile(r"^https?://x")),))
    assert web_only.marks is None
    assert web_only.search("https://x.example/") and not web_only.search("https://y.example/")
    shortest_longest = UrlPatterns((((("ab", "abcdef"), ("abcd",)), None),))
    assert shortest_longest.marks == ("abcd",)


_PIECES = st.sampled_from(
    ["https://", "http://", "www.", "/i/", "1234", "/", ".gif", ".png", "pixel", "spacer", "lazy",
     "facebook.com/tr", "feeds.feedburner.com/~r/", "feeds.feedburner.com/~a/", "feedads.", "a",
     "/display-ad/", "/gen-ad-code/", "amazon-adsystem.com/e/ir", "?", "=", "1x1", "blank"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=10))
def test_marks_answer_as_the_checks(pieces: list[str]) -> None:
    rules = load_rules()
    low = "".join(pieces)
    for p in (rules.pixel_urls, rules.ad_media_urls):
        assert p.search(low) == _checks_pass(p, low)
