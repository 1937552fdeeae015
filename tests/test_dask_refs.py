"""reclean on Dask leaves documents in the archive (jobs.refs): each is classified from its head
exactly as the crawl classifies the whole body, and its size is what the local reclean counts
against the source's max_total_bytes. No Dask needed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scraper.jobs.refs import HEAD, RefArchiveFetcher
from scraper.model import ArchiveRef, Response
from scraper.sources.discover import classify
from scraper.store.archive import Archive
from scraper.store.replay import ArchiveFetcher
from scraper.store.state import StateStore

SITE = "http://127.0.0.1:9"
# a feed whose root element comes after a DOCTYPE with an internal subset of 10 KB
PROLOG = '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + '<!ENTITY e "' + "x" * 10_000 + '">\n]>\n'
FEED = (PROLOG + f"<rss><channel><item><link>{SITE}/a.md</link></item></channel></rss>").encode()
PAGE = b"# A\n\n" + b"Text of the page. " * 5000


def test_references_classify_and_count_as_the_whole_bodies(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "state.db", archive_dir=tmp_path / "archive")
    archive = Archive(tmp_path / "archive", state.start_run("run"), state)
    archive(f"{SITE}/feed", Response(f"{SITE}/feed", 200, "application/xml", None, FEED))
    archive(f"{SITE}/a.md", Response(f"{SITE}/a.md", 200, "text/markdown", "utf-8", PAGE))
    archive.close()
    whole, refs = ArchiveFetcher(state, tmp_path / "archive"), RefArchiveFetcher(state, tmp_path / "archive")

    async def both(url: str) -> tuple[Response, Response]:
        return await whole.get(url), await refs.get(url)

    feed, feed_ref = asyncio.run(both(f"{SITE}/feed"))
    assert classify(feed.url, feed.content_type, FEED[:4096]) != "feed"  # 4 KB would not do
    assert len(PROLOG) < HEAD and classify(feed.url, feed.content_type, feed.body) == "feed"
    assert feed_ref == feed  # read whole, here: the crawl reads its items

    page, page_ref = asyncio.run(both(f"{SITE}/a.md"))
    found = state.archived(f"{SITE}/a.md")
    assert found is not None
    assert page_ref.body == b"" and page_ref.ref == ArchiveRef(found[1], found[2], len(PAGE))
    assert page_ref.size == page.size == len(PAGE) > HEAD
    assert (page_ref.url, page_ref.content_type, page_ref.charset) == (
        page.url,
        page.content_type,
        page.charset,
    )
    state.close()
