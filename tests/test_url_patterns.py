"""The pixel and ad-media URL patterns are run only on URLs holding the literals their matches
need (`rulespec.required_literals`), and a pattern that is one literal is only that literal:
the verdict is the one every pattern searched gives, on the fixtures' image URLs, on URLs made
to match each built-in pattern, and on URLs made of the pieces that matter to them (hypothesis)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners import load_rules
from cleaners.rulesnap import RULES_FILE
from cleaners.rulespec import At, _url_patterns, required_literals

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
_DATA = tomllib.loads(RULES_FILE.read_text("utf-8"))
_SOURCES = [*_DATA["pixels"]["urls"], *_DATA["ad_media"]["urls"]]
_AT = At("test", "urls")


def _plain(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.I if p != p.lower() else 0) for p in patterns]


def _agrees(patterns: list[str], low: str) -> bool:
    return _url_patterns(patterns, _AT).search(low) == any(p.search(low) for p in _plain(patterns))


def test_required_literals_of_written_patterns() -> None:
    def req(p: str) -> tuple[tuple[str, ...], ...]:
        return required_literals(re.compile(p))

    assert req(r"^https?://[^/?#]+\.[^/?#]+/i/\d{4,9}\b") == (("http",), ("/i/",), ("://",))
    assert req(r"facebook\.com/tr[/?]") == (("facebook.com/tr",),)
    assert req(r"/(?:pixel|1x1)\.gif\b") == ((".gif",), ("1x1", "pixel"))
    assert req(r"x(?:ab|cd)yy") == (("yy",), ("ab", "cd"))
    assert req(r"(?:ab(?:cd|ef)|gh)") == (("ab", "gh"),)
    assert req(r"(abc)+d") == (("abc",),)
    # what a match need not hold is no requirement: optional parts, a branch needing nothing,
    # single characters, lookarounds and anything matched ignoring case
    assert req(r"ab?c") == req(r"(ab|)x") == req(r"a|bc") == req(r"(?=abcd)x") == ()
    assert req(r"(?i:abc)de") == (("de",),)
    assert required_literals(re.compile("abc", re.I)) == req("(?i)abc") == ()


def test_literal_patterns_need_no_regex() -> None:
    written = [r"feeds\.feedburner\.com/~r/", r"feedads\.", r"facebook\.com/tr[/?]", "ab"]
    checks = _url_patterns(written, _AT).checks
    assert [pattern is None for _, pattern in checks] == [True, True, False, True]


def test_builtin_patterns_are_kept_with_their_literals() -> None:
    rules = load_rules()
    assert len(rules.pixel_urls.checks) == len(_DATA["pixels"]["urls"])
    assert len(rules.ad_media_urls.checks) == len(_DATA["ad_media"]["urls"])
    assert all(groups for groups, _ in (*rules.pixel_urls.checks, *rules.ad_media_urls.checks))


_MADE = [
    "https://a.b.example.com/i/12345/678/910",
    "https://ir-na.amazon-adsystem.com/e/ir?t=x",
    "http://feeds.feedburner.com/~r/site/~4/abc",
    "http://feedproxy.google.com/~r/a/b",
    "https://feeds.feedblitz.com/~/i/1/x",
    "https://medium.com/_/stat?event=post",
    "https://www.facebook.com/tr?id=1",
    "https://mc.yandex.ru/watch/123",
    "https://x.example/wf/open?upn=abc",
    "https://example.org/img/pixel.gif?x=1",
    "https://example.org/lazy-load.svg",
    "https://example.org/placeholder.png#x",
    "https://example.org/spacer.gif",
    "https://a.example/display-ad/1",
    "https://a.example/gen-ad-code/1",
    "https://feeds.feedburner.com/~a/x",
    "https://feedads.g.doubleclick.net/x",
    "https://example.org/pixel.gifs",
    "https://example.org/placeholder.pngx",
    "https://a.example/i/12345/678/910",
]


def test_builtin_verdicts_on_fixture_and_made_urls() -> None:
    found = set(_MADE)
    for path in FIXTURES.rglob("*"):
        if path.suffix in (".md", ".html") and path.stat().st_size < 2_000_000:
            text = path.read_text("utf-8", "replace")
            found.update(re.findall(r"""(?:https?:)?//[^\s"'<>()]+""", text)[:400])
    assert len(found) > 500
    hits = 0
    for url in sorted(found):
        low = url.lower()
        assert _agrees(_SOURCES, low), url
        hits += any(p.search(low) for p in _plain(_SOURCES))
    assert hits >= len(_MADE) - 3


_PIECES = ["/", ".", "?", "#", "-", "a", "1", "12345", "678", "http", "https", "://", "/i/", ".gif", ".png"]
_PIECES += ["pixel", "spacer", "lazy", "load", "placeholder", "feeds.feedburner.com", "/~r/", "/~a/", "com"]
_PIECES += ["facebook.com/tr", "medium.com/_/stat", "feedads", "display-ad", "amazon-adsystem.com/e/ir", "\n"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_builtin_verdicts_on_made_up_urls(pieces: list[str]) -> None:
    assert _agrees(_SOURCES, "".join(pieces))


_WRITTEN = [r"ab(?:cd|e)+f", r"(?:x|yz)q", r"a(bc)?d", r"(ab|cd){2}", r"(?i:AB)c", r"b[ac]+d"]
_WRITTEN += [r"^ab$", r"ab\b"]


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet="abcdefqxyzAB ", max_size=14))
def test_verdicts_of_written_patterns(text: str) -> None:
    assert _agrees(_WRITTEN, text)
