"""One precedence whatever the timing (issue 9): an article listed by a feed (with its full text)
and by a sitemap is written from the page on every run, whichever listing answers first, so an
unchanged site is never rewritten."""

from __future__ import annotations

import time
from pathlib import Path

import frontmatter
from siteserver import Handler, Site, serve
from test_run import PAGES, events, scraper, site_port, snapshot


def precedence_site() -> Site:
    """A feed carrying the full article (its own text) and a sitemap, both listing /a.html and
    /b.html; /c.html only in the feed. Which listing answers first alternates from run to run."""
    site = Site()
    site.turn = 0  # type: ignore[attr-defined]
    for path in ("/a.html", "/b.html"):
        site.static(path, PAGES[path].read_bytes(), "text/html; charset=utf-8")
    body = "".join(
        f"<p>Paragraph {i} of the feed's own copy, which differs from the page.</p>" for i in range(30)
    )

    def late(first: bool) -> None:
        if (site.turn % 2 == 0) == first:  # type: ignore[attr-defined]
            time.sleep(0.4)

    @site.route("/feed.xml")
    def feed(h: Handler) -> None:
        late(True)
        entries = "".join(
            f"<entry><title>{p}</title><link href='{site.base}{p}'/><id>{p}</id>"
            f"<updated>2024-10-01T00:00:00Z</updated>"
            f"<content type='html'><![CDATA[{body}]]></content></entry>"
            for p in ("/a.html", "/b.html", "/c.html")
        )
        xml = (
            f"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>{entries}</feed>"
        )
        h.send(200, xml.encode(), "application/atom+xml", {"ETag": '"feed"'})

    @site.route("/sitemap.xml")
    def sitemap(h: Handler) -> None:
        late(False)
        locs = "".join(
            f"<url><loc>{site.base}{p}</loc><lastmod>2024-10-01</lastmod></url>"
            for p in ("/a.html", "/b.html")
        )
        h.send(
            200,
            f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{locs}</urlset>".encode(),
            "application/xml",
        )

    return site


def test_feed_and_sitemap_five_runs_the_last_four_write_nothing(tmp_path: Path) -> None:
    """One precedence, whatever answers first: the page fetched over HTTP wins over the feed
    item's copy of it; an item no listing names as a page is written from the feed."""
    with serve(precedence_site()) as site:
        (tmp_path / "sources.toml").write_text(
            'out_dir = "out"\nallow_private = true\n'
            f'[[sources]]\nname = "feed"\nfeed = "{site.base}/feed.xml"\n'
            f'[[sources]]\nname = "map"\nsitemap = "{site.base}/sitemap.xml"\n'
        )
        before: dict[str, tuple[int, bytes]] = {}
        for turn in range(5):
            site.turn = turn  # type: ignore[attr-defined]
            proc = scraper("run", tmp_path)
            assert proc.returncode == 0, proc.stderr
            docs, summary = events(proc)
            now = snapshot(tmp_path / "out")
            if turn == 0:
                assert summary["new"] == 3
                skipped = {
                    d["url"].rsplit("/", 1)[-1]: d
                    for d in docs
                    if d["kind"] == "item" and d["status"] == "skipped"
                }
                assert sorted(skipped) == ["a.html", "b.html"]
                assert skipped["a.html"]["error"] == "the page itself is fetched"
            else:
                assert (summary["new"], summary["updated"]) == (0, 0), (turn, summary)
                assert now == before, turn  # not a byte, not an mtime
            before = now
    host = f"127.0.0.1-{site_port(site)}"
    a = frontmatter.loads((tmp_path / "out" / host / "a.md").read_text("utf-8"))
    c = frontmatter.loads((tmp_path / "out" / host / "c.md").read_text("utf-8"))
    assert a["retrieved_from"] == f"{site.base}/a.html" and "feed's own copy" not in a.content
    assert c["retrieved_from"] == f"{site.base}/c.html" and "feed's own copy" in c.content
