"""The quick keep of the URL rules reads a plain http(s) URL's host and path with one regex:
the host url_host reads and the path url_path cuts, on every URL it matches (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.hosts import url_host
from cleaners.urlparts import url_path
from cleaners.urls import _PLAIN_HOST_PATH

_PIECES = st.sampled_from(
    ["http", "https", "://", "//", "/", "Ex-1.COM", "a.b", "@", ":", "8080", "\\\\", "[", "]", " ",
     "\\n", "\\t", "é", "?", "#", "%2F", "x", "-", "."]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=12))
def test_host_and_path_as_url_host_and_url_path(pieces: list[str]) -> None:
    url = "".join(pieces).replace("\\\\n", "\n").replace("\\\\t", "\t")
    for u in (url, "https://" + url, "http://" + url):
        m = _PLAIN_HOST_PATH.match(u)
        if m is not None and "?" not in u and "#" not in u:
            assert m.group(1).lower() == url_host(u)
            assert (m.group(2) or "/") == url_path(u)


def test_examples() -> None:
    for u, host, path in [
        ("https://Example.COM", "example.com", "/"),
        ("http://a.b/c/d@e:f", "a.b", "/c/d@e:f"),
        ("https://a.b/x\ny", "a.b", "/x\ny"),
    ]:
        m = _PLAIN_HOST_PATH.match(u)
        assert m is not None and (m.group(1).lower(), m.group(2) or "/") == (host, path)
        assert (url_host(u), url_path(u)) == (host, path)
    for u in ("https://user@a.b/", "https://a.b:80/", "https:///x", "https://a.b\\x"):
        assert _PLAIN_HOST_PATH.match(u) is None
