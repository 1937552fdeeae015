"""The shortcuts of the URL gate and of host reading answer as the general path does: the
scheme of a URL starting "http:", "https:", "mailto:", "/" or "#" is read before normalising,
and a plain http(s) host and URL's parts by one regex instead of urlsplit (hypothesis, on URLs
made of the characters that matter to either)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners import load_rules
from cleaners.hosts import HostSet
from cleaners.safeurl import _scheme, scheme_of
from cleaners.urls import UrlCleaner

_STARTS = ["http:", "https:", "mailto:", "/", "#", "http://", "https://", "HTTP://", "//", "", "java"]
_PIECES = ["a", "B", "-", ".", ":", "/", "?", "#", "@", "[", "]", "%", "&", "&amp;", "&#10;", "\\", "\\:"]
_PIECES += ["\t", "\n", "\r", " ", "\x01", "\x00", "é", "\u3000", "script:", "javascript:", "x.com", "1"]

_urls = st.builds(
    lambda a, b: a + "".join(b), st.sampled_from(_STARTS), st.lists(st.sampled_from(_PIECES), max_size=12)
)


@settings(max_examples=800, deadline=None)
@given(_urls, st.booleans())
def test_scheme_shortcut_gives_the_normalised_scheme(url: str, markdown: bool) -> None:
    assert scheme_of(url, markdown=markdown) == _scheme(url, markdown)


_CLEANERS = [
    UrlCleaner(load_rules(), HostSet.of(())),
    UrlCleaner(load_rules(), HostSet.of(()), base_url="https://Example.com/a/b"),
]


def _general(cleaner: UrlCleaner, url: str) -> tuple[str, str]:
    full = cleaner.resolve(url)
    try:
        return full, (urlsplit(full).hostname or "").lower()
    except ValueError:
        return full, ""


@settings(max_examples=800, deadline=None)
@given(_urls, st.sampled_from([0, 1]))
def test_host_shortcut_gives_urlsplits_host(url: str, which: int) -> None:
    cleaner = _CLEANERS[which]
    assert cleaner._full_host(url) == _general(cleaner, url)


@settings(max_examples=1500, deadline=None)
@given(_urls)
def test_split_shortcut_gives_urlsplits_parts(url: str) -> None:
    from cleaners.urlparts import split_url

    want: tuple[object, str]
    try:
        ref = urlsplit(url)
        want = (ref, (ref.hostname or "").lower())
    except ValueError:
        want = (None, "")
    assert split_url(url) == want


def test_media_host_memo_is_shared_by_documents_with_the_same_rules() -> None:
    """Whether an image's host is a pixel or an ad-media host is remembered across documents
    cleaned with the same rules (their pages differ: farm hosts, page URL), and answers as a
    document of its own does; other rules get a memo of their own."""
    from cleaners.context import page_context

    rules = load_rules()
    srcs = ["https://www.facebook.com/tr?id=1", "https://pixel.wp.com/g.gif", "https://example.com/a.jpg"]
    a, _, _ = page_context(rules, "text", "https://one.example/p", [])
    b, _, _ = page_context(rules, "other text", "https://two.example/q", [])
    assert a.urls._media_hosts is b.urls._media_hosts
    fresh = [UrlCleaner(rules, HostSet.of(())).media_verdict(s) for s in srcs]
    assert [a.urls.media_verdict(s) for s in srcs] == fresh == [b.urls.media_verdict(s) for s in srcs]
    assert fresh[0] is not None and fresh[2] is None
    c, _, _ = page_context(replace(rules), "text", "https://one.example/p", [])
    assert c.urls._media_hosts is not a.urls._media_hosts
