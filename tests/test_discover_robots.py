"""A robots.txt URL is told from its path as urlsplit gives it, whatever the URL holds (urlsplit
drops tabs and line breaks: a URL split only when it may name a robots.txt)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.sources.discover import classify, is_robots_url


@pytest.mark.parametrize(
    "url",
    ["http://a/robots.txt", "http://a/robo\tts.txt", "http://a/rob\r\nots.txt", "http://a/robots.txt?x=1"],
)
def test_robots_urls(url: str) -> None:
    assert is_robots_url(url)
    assert classify(url, "text/plain", b"User-agent: *") == "robots"


@pytest.mark.parametrize(
    "url", ["http://a/a/1", "http://a/x?robots.txt", "http://a/x/robots.txt", "http://a/robots.txt2"]
)
def test_other_urls(url: str) -> None:
    assert not is_robots_url(url)


@given(st.text(alphabet=st.sampled_from(list("robts.x/?#:\t\r\n a")), max_size=24))
def test_as_urlsplit_tells(tail: str) -> None:
    url = "http://host/" + tail
    assert is_robots_url(url) == (urlsplit(url).path == "/robots.txt")
