"""Bare URLs of a Markdown body: url_sites finds, through mdsyntax.find_bare_urls, what the plain
finder below finds (its "www." URLs, which have no scheme and are not cleaned, aside), and a run
of ")" costs linear time."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.mdedits import inside, merge
from cleaners.mdsyntax import find_bare_urls
from cleaners.mdurls import url_sites

_PIECES = st.sampled_from(
    [
        "http",
        "https",
        "://",
        "www.",
        "a.b",
        "/",
        "(",
        ")",
        "[",
        "]",
        " ",
        "\n",
        ".",
        ",",
        "<",
        ">",
        "'",
        "=",
        "x",
        "é",
        "`",
        "](",
        "!",
        "?",
        "_",
    ]
)
_BARE = re.compile(r"https?://[^\s<>\"'`\[\]]+")


def _plain(body: str, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The finder as first written: every "http" not inside a word, a URL or an attribute."""
    out: list[tuple[int, int]] = []
    for m in re.finditer("http", body):
        pos = m.start()
        before = body[pos - 1] if pos else ""
        if before and (before in "/(<[\"'=:._" or (before.isascii() and before.isalnum())):
            continue
        if inside(pos, taken) or any(a < pos < b for a, b in out):
            continue
        found = _BARE.match(body, pos)
        if found is None:
            continue
        url = found.group()
        cut = len(url)
        while cut and url[cut - 1] in ".,;:!?*_~":
            cut -= 1
        while cut and url[cut - 1] == ")" and url[:cut].count("(") < url[:cut].count(")"):
            cut -= 1
        out.append((pos, pos + cut))
    return out


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.lists(st.integers(0, 60), max_size=6))
def test_bare_urls_as_the_plain_finder_finds_them(body: str, cuts: list[int]) -> None:
    points = sorted(cuts)
    blocked = merge(
        [(points[i], points[i + 1]) for i in range(0, len(points) - 1, 2) if points[i] < points[i + 1]]
    )
    sites = url_sites(body, blocked)
    others = [s for s in sites if s.kind != "bare"]
    taken = merge(
        blocked
        + [(s.url_start, s.url_end) for s in others]
        + [(s.start, s.end) for s in others if s.kind == "autolink"]
    )
    assert [(s.start, s.end) for s in sites if s.kind == "bare"] == _plain(body, taken)


def test_bare_urls_on_a_page() -> None:
    body = "See https://a.example/x). And (https://b.example/y) or www.c.example, [t](http://d.example/z)\n"
    found = [body[s.start : s.end] for s in url_sites(body, []) if s.kind == "bare"]
    assert found == ["https://a.example/x"]


def test_a_long_run_of_closing_parentheses() -> None:
    # each ")" without its "(" is left out; counted once (the first finder counted the URL's
    # parentheses again for each ")": minutes for a run this long, hours for a 10 MB body)
    body = "see http://a.example/(x)" + ")" * 500_000 + ". end"
    assert [(s.start, s.end) for s in url_sites(body, []) if s.kind == "bare"] == [(4, 24)]


def test_the_spans_to_skip_are_asked_for_only_when_needed() -> None:
    asked: list[int] = []

    def taken() -> list[tuple[int, int]]:
        asked.append(1)
        return [(0, 3)]

    assert find_bare_urls("[a](http://x.example) shttp://y", taken) == []
    assert asked == []
    assert find_bare_urls("see http://x.example/", taken) == [(4, 21)]
    assert asked == [1]
