"""store.archive (and replay), through Archive, read_at, read_all and archived_response: every
new body kept as WARC with the URL asked for, a body already kept not stored again, a file cut
short by a kill still readable up to the cut, and a disk error reported, not raised."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from scraper.fetch.errors import Skipped
from scraper.model import Response
from scraper.store.archive import Archive, read_all, read_at
from scraper.store.replay import ArchiveFetcher, archived_response
from scraper.store.state import StateStore

PAGE = Response(
    "https://www.example.org/story",  # after a redirect
    200,
    "text/html",
    "utf-8",
    "<html><body><p>Grüße aus Köln</p></body></html>".encode(),
    '"abc"',
    "Mon, 07 Oct 2024 10:00:00 GMT",
)
FEED = Response("https://www.example.org/feed.xml", 200, "application/atom+xml", None, b"<feed/>")


def archive(tmp_path: Path, run: int = 1) -> tuple[Archive, StateStore]:
    state = StateStore(tmp_path / "state.db")
    return Archive(tmp_path / "archive", run, state), state


def test_a_response_reads_back_as_it_was_received(tmp_path: Path) -> None:
    arc, state = archive(tmp_path)
    arc("http://example.org/story", PAGE)  # the URL asked for, before the redirect
    arc("https://www.example.org/feed.xml", FEED)
    arc.close()
    assert arc.records == 2 and not arc.errors
    assert archived_response(state, tmp_path / "archive", "http://example.org/story") == PAGE
    sha, name, offset = state.archived("https://www.example.org/feed.xml") or ("", "", 0)
    assert sha == hashlib.sha256(FEED.body).hexdigest()
    assert name == "run-000001.warc.gz" and read_at(tmp_path / "archive" / name, offset) == FEED
    assert list(read_all(tmp_path / "archive" / name)) == [
        ("http://example.org/story", PAGE),
        (FEED.url, FEED),
    ]


def test_a_body_already_archived_is_not_stored_again(tmp_path: Path) -> None:
    arc, state = archive(tmp_path)
    arc(PAGE.url, PAGE)
    arc.close()
    again = Archive(tmp_path / "archive", 2, state)
    again(PAGE.url, PAGE)
    again.close()
    assert again.records == 0 and not (tmp_path / "archive" / "run-000002.warc.gz").exists()
    changed = Response(PAGE.url, 200, "text/html", "utf-8", b"<p>a correction</p>")
    again = Archive(tmp_path / "archive", 3, state)
    again(PAGE.url, changed)
    again.close()
    assert again.records == 1 and archived_response(state, tmp_path / "archive", PAGE.url) == changed


def test_a_file_cut_short_by_a_kill_reads_up_to_the_cut(tmp_path: Path) -> None:
    arc, _ = archive(tmp_path)
    arc("https://a.example/1", PAGE)
    arc("https://a.example/2", FEED)
    arc.close()
    path = tmp_path / "archive" / "run-000001.warc.gz"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])  # the last record loses its end
    assert [url for url, _ in read_all(path)] == ["https://a.example/1"]
    assert read_at(path, 10_000_000) is None and read_at(tmp_path / "missing.warc.gz", 0) is None


def test_a_disk_error_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    arc, state = archive(tmp_path)
    (tmp_path / "archive").write_text("a file where the directory should be")
    arc(PAGE.url, PAGE)
    arc(FEED.url, FEED)
    assert arc.records == 0 and len(arc.errors) == 1 and "cannot write" in arc.errors[0]
    assert state.archived(PAGE.url) is None


def test_the_archive_replays_as_a_fetcher(tmp_path: Path) -> None:
    arc, state = archive(tmp_path)
    arc(PAGE.url, PAGE)
    arc(
        "https://www.example.org/robots.txt",
        Response(
            "https://www.example.org/robots.txt",
            200,
            "text/plain",
            None,
            b"Sitemap: https://www.example.org/s.xml\n",
        ),
    )
    arc.close()
    replay = ArchiveFetcher(state, tmp_path / "archive")

    async def go() -> None:
        assert await replay.get(PAGE.url) == PAGE
        assert await replay.robots_sitemaps("https://www.example.org/robots.txt") == [
            "https://www.example.org/s.xml"
        ]
        with pytest.raises(Skipped) as never:
            await replay.get("https://www.example.org/never-fetched")
        assert never.value.reason == "not-archived"

    asyncio.run(go())
    assert replay.requests == 0


@pytest.mark.parametrize(
    ("header", "charset"),
    [
        ("text/html; charset=utf-8", "utf-8"),
        ('text/html; Charset="ISO-8859-1"', "ISO-8859-1"),
        ("text/html;charset='windows-1252' ; q=1", "windows-1252"),
        ("text/html; charset=", None),
        ("text/html", None),
    ],
)
def test_charset_read_alike_live_and_archived(tmp_path: Path, header: str, charset: str | None) -> None:
    from scraper.model import content_charset

    assert content_charset(header) == charset
    page = Response(PAGE.url, 200, "text/html", content_charset(header), PAGE.body)
    arc, state = archive(tmp_path)
    arc(page.url, page)
    arc.close()
    assert archived_response(state, tmp_path / "archive", page.url) == page
