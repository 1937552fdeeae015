"""Bare URLs of a Markdown body: the one-regex finder of cleaners.mdurls finds what mdsyntax's
bare-URL finder finds (its "www." URLs, which url_sites leaves out, aside)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.mdedits import merge
from cleaners.mdsyntax import find_bare_urls
from cleaners.mdurls import UrlSite, _bare, url_sites

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


def _old(body: str, blocked: list[tuple[int, int]], sites: list[UrlSite]) -> list[tuple[int, int]]:
    taken = merge(
        blocked
        + [(s.url_start, s.url_end) for s in sites]
        + [(s.start, s.end) for s in sites if s.kind == "autolink"]
    )
    return [(a, b) for a, b in find_bare_urls(body, taken) if not body.startswith("www.", a)]


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.lists(st.integers(0, 60), max_size=6))
def test_bare_urls_as_mdsyntax_finds_them(body: str, cuts: list[int]) -> None:
    points = sorted(cuts)
    blocked = merge(
        [(points[i], points[i + 1]) for i in range(0, len(points) - 1, 2) if points[i] < points[i + 1]]
    )
    sites = [s for s in url_sites(body, blocked) if s.kind != "bare"]
    assert [(s.start, s.end) for s in _bare(body, blocked, sites)] == _old(body, blocked, sites)


def test_bare_urls_on_a_page() -> None:
    body = "See https://a.example/x). And (https://b.example/y) or www.c.example, [t](http://d.example/z)\n"
    found = [body[s.start : s.end] for s in url_sites(body, []) if s.kind == "bare"]
    assert found == ["https://a.example/x"]
