"""Hostile input: public XSS vectors (fixtures/hostile/, see its README) in each carrier — an HTML
page, a Markdown island, a feed item fetched over HTTP — and hostile page metadata. Every output
is rendered with raw HTML on and parsed as a browser would (tests/hostile_oracle.py): nothing
executable, the front matter plain, and the article text around each vector kept."""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, builtin_rules, clean_bytes
from hostile_oracle import body_problems, output_problems, split_output
from siteserver import Site, serve

from scraper.errors import DocumentError
from scraper.fetch.client import Fetcher
from scraper.fetch.config import FetchConfig
from scraper.jobs.crawl import FetchJob
from scraper.jobs.workers import CleanerPool
from scraper.model import Outcome
from scraper.pipeline.core import CleanedDocument, CleanOptions

HOSTILE = FIXTURES / "hostile"


def _load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (HOSTILE / name).read_text().splitlines() if line.strip()]


VECTORS = _load("vectors.jsonl")
MD_VECTORS = _load("markdown-vectors.jsonl")
HTML_KEYS = {"title", "author", "date", "updated", "tags", "description", "image"} | {
    "original_source",
    "retrieved_from",
    "canonical_url",
    "fingerprint",
}
PARAGRAPH = (
    "The printer queue on this machine kept jobs waiting for hours, so we traced the spooler "
    "service, cleared its folder and restarted it; the steps below worked on every machine we tried."
)


def _ids(vs: list[dict[str, Any]]) -> list[str]:
    return [v["id"] for v in vs]


def _page(vector: str) -> bytes:
    return f"""<!doctype html><html><head><title>Fixing a stuck print queue</title></head><body>
<article><h1>Fixing a stuck print queue</h1>
<p>KEEPBEFORE {PARAGRAPH}</p>
<p>Inline KEEPINLINE text: {vector}</p>
<p>KEEPAFTER {PARAGRAPH}</p>
</article></body></html>""".encode()


def _island(vector: str) -> bytes:
    return f"""---
title: Fixing a stuck print queue
---

KEEPBEFORE {PARAGRAPH}

{vector}

Inline KEEPINLINE text: {vector} and KEEPTAIL.

KEEPAFTER {PARAGRAPH}
""".encode()


def _clean(data: bytes, name: str) -> CleanedDocument | None:
    """The cleaned document; None when the input is refused (a NUL byte makes it binary)."""
    if b"\x00" in data:
        with pytest.raises(DocumentError, match="binary"):
            clean_bytes(data, name)
        return None
    return clean_bytes(data, name)


def _kept(body: str, v: dict[str, Any], *markers: str) -> None:
    for m in markers:
        if m == "KEEPAFTER" and v["swallows"]:
            continue  # the vector swallows the rest of the document, in a browser too
        assert m in body, f"{v['id']}: lost {m}"


@pytest.mark.parametrize("v", VECTORS, ids=_ids(VECTORS))
def test_vector_in_html_page(v: dict[str, Any]) -> None:
    doc = _clean(_page(v["vector"]), "page.html")
    if doc is None:
        return
    assert output_problems(doc.markdown, HTML_KEYS) == [], v["id"]
    _kept(split_output(doc.markdown)[1], v, "KEEPBEFORE", "KEEPAFTER")


@pytest.mark.parametrize("v", VECTORS + MD_VECTORS, ids=_ids(VECTORS + MD_VECTORS))
def test_vector_in_markdown_island(v: dict[str, Any]) -> None:
    doc = _clean(_island(v["vector"]), "island.md")
    if doc is None:
        return
    keys = {"title", "original_source", "retrieved_from", "fingerprint"}
    assert output_problems(doc.markdown, keys) == [], v["id"]
    body = split_output(doc.markdown)[1]
    _kept(body, v, "KEEPBEFORE", "KEEPINLINE", "KEEPAFTER")
    if any(r.category == "unsafe" for r in doc.removals):
        assert all(r.snippet for r in doc.removals if r.category == "unsafe"), "unsafe removal without bytes"


def test_clean_islands_keep_their_bytes() -> None:
    """The sanitizer only replaces what it must: an island of allowed markup stays as it was."""
    island = (
        '<div class="note"><p>Allowed <b>bold</b>, <a href="https://example.com/a?b=1&amp;c=2" '
        'title="t">a link</a> and <img src="https://example.com/a.png" alt="a" width="10"></p></div>'
    )
    doc = clean_bytes(_island(island), "island.md")
    assert doc.markdown.count(island) == 2 and doc.counts["unsafe"] == 0


def test_unsafe_removals_carry_the_original_bytes() -> None:
    doc = clean_bytes(_island('<img src="x"onerror=alert(1)>'), "island.md")
    rec = [r for r in doc.removals if r.rule == "html-sanitizer"]
    assert rec and all("onerror=alert(1)" in r.snippet for r in rec)
    assert all(r.replacement == '<img src="x">' for r in rec)


# -- metadata -----------------------------------------------------------------------------------


def _meta_page(head: str) -> bytes:
    return f"""<!doctype html><html><head>{head}</head><body><article><h1>Headline</h1>
<p>KEEPBEFORE {PARAGRAPH}</p><p>KEEPAFTER {PARAGRAPH}</p></article></body></html>""".encode()


META = {
    "og-image-js": '<meta property="og:image" content="javascript:alert(1)">',
    "og-image-obfuscated": '<meta property="og:image" content="java&#10;script:alert(1)">',
    "canonical-js": '<link rel="canonical" href="javascript:alert(1)">',
    "canonical-entity": '<link rel="canonical" href="&#x6A;avascript:alert(1)">',
    "description-breakout": (
        '<meta property="og:description" content="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">'
    ),
    "description-entity-twice": (
        '<meta name="description" content="&amp;lt;img src=x onerror=alert(1)&amp;gt;">'
    ),
    "title-markup": "<title>&lt;img src=x onerror=alert(1)&gt; Headline</title>",
    "author-markup": '<meta name="author" content="&lt;b onmouseover=alert(1)&gt;Jane&lt;/b&gt;">',
    "keywords-markup": '<meta property="article:tag" content="&lt;svg onload=alert(1)&gt;printing">',
    "title-newline-key": "<title>Headline&#10;image: javascript:alert(1)&#10;---</title>",
    "site-name-markup": '<meta property="og:site_name" content="&lt;script&gt;alert(1)&lt;/script&gt;Site">',
}


@pytest.mark.parametrize("name", sorted(META))
def test_hostile_page_metadata(name: str) -> None:
    doc = clean_bytes(_meta_page(META[name]), "page.html")
    assert output_problems(doc.markdown, HTML_KEYS) == [], name
    data, body = split_output(doc.markdown)
    assert "KEEPBEFORE" in body and "KEEPAFTER" in body
    if name in ("og-image-js", "canonical-js", "canonical-entity"):
        assert "image" not in data and "canonical_url" not in data
        assert any(r.category == "unsafe" and "javascript" in html.unescape(r.snippet) for r in doc.removals)


def test_markdown_front_matter_is_cleaned_in_place() -> None:
    src = (
        b"---\n"
        b'title: "<script>alert(1)</script>Queue fixes"\n'
        b"date: 2024-01-02\n"
        b"external_url: https://example.com/post/?utm_source=rss&utm_medium=rss&id=7\n"
        b"thumbnail: javascript:alert(1)\n"
        b'tags:\n  - printing\n  - "<img src=x onerror=alert(1)>"\n'
        b'description: "line one\\x1b[31m\\nimage: javascript:alert(1)"\n'
        b"---\n\nKEEPBEFORE body text.\n"
    )
    doc = clean_bytes(src, "fm.md")
    keys = {"title", "date", "external_url", "tags", "description", "original_source", "retrieved_from"}
    assert output_problems(doc.markdown, keys | {"fingerprint"}) == []
    head = doc.markdown.split("\n---\n", 1)[0]
    assert "date: 2024-01-02\n" in head and "  - printing\n" in head  # untouched lines stay
    assert "external_url: https://example.com/post/?id=7\n" in head
    assert "thumbnail" not in head
    data, _ = split_output(doc.markdown)
    assert data["title"] == "Queue fixes" and data["description"] == "line one[31m image: javascript:alert(1)"
    rules = {(r.category, r.rule) for r in doc.removals}
    assert ("unsafe", "unsafe-url") in rules and ("tracking_param", "utm") in rules


def test_toml_front_matter_is_cleaned_in_place() -> None:
    src = (
        b"+++\n"
        b'title = "<b>Bold</b> title"\n'
        b"date = 2024-01-02\n"
        b'external_url = "https://ex.example/a?utm_source=rss&id=1"  # where it came from\n'
        b'thumbnail = "javascript:alert(1)"\n'
        b'tags = ["printing", "<img src=x onerror=alert(1)>"]\n'
        b"+++\n\nKEEPBEFORE body.\n"
    )
    doc = clean_bytes(src, "hugo.md")
    head = doc.markdown.split("\n+++\n", 1)[0]
    assert 'title = "Bold title"\ndate = 2024-01-02\n' in head
    assert 'external_url = "https://ex.example/a?id=1"  # where it came from\n' in head
    assert "thumbnail" not in head and 'tags = ["printing", ""]' in head
    assert any(r.rule == "unsafe-url" and r.line == 5 for r in doc.removals)


# -- feed items, fetched over HTTP ------------------------------------------------------------------


def _feed(base: str) -> bytes:
    items = []
    for i, v in enumerate(VECTORS):
        content = (
            f"<p>KEEPBEFORE {PARAGRAPH}</p><p>Inline KEEPINLINE text: {v['vector']}</p>"
            f"<p>KEEPAFTER {PARAGRAPH}</p>"
        ).replace("]]>", "]]]]><![CDATA[>")
        items.append(
            f"<item><title>Item {i} &lt;b onclick=alert(1)&gt;bold&lt;/b&gt;</title>"
            f"<link>{base}/post/{i}?utm_source=rss&amp;utm_medium=rss</link>"
            f"<guid>{base}/post/{i}</guid><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate>"
            f"<category>&lt;script&gt;alert(1)&lt;/script&gt;printing</category>"
            f"<content:encoded><![CDATA[{content}]]></content:encoded></item>"
        )
    items.append(
        "<item><title>Script link</title><link>javascript:alert(1)</link>"
        f"<content:encoded><![CDATA[<p>KEEPBEFORE {PARAGRAPH}</p>]]></content:encoded></item>"
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Hostile feed</title>'
        f"<link>{base}/</link><description>x</description>{''.join(items)}</channel></rss>"
    ).encode()


@pytest.fixture(scope="module")
def feed_outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Outcome]]:
    site = Site()
    with serve(site):
        site.static("/feed.xml", _feed(site.base), "application/rss+xml")
        out = tmp_path_factory.mktemp("hostile-feed")
        config = FetchConfig(allow_private=True, total_timeout=10.0, http2=False)

        async def go() -> list[Outcome]:
            async with Fetcher(config) as fetcher:
                job = FetchJob(fetcher, CleanerPool(CleanOptions(builtin_rules()), 0), out, None)
                return await job.run([f"{site.base}/feed.xml"])

        yield asyncio.run(go())


def test_vectors_in_feed_items(feed_outcomes: list[Outcome]) -> None:
    items = [o for o in feed_outcomes if o.kind == "item" and o.output]
    refused = {o.url.split("/")[-1].split("?")[0]: o.reason for o in feed_outcomes if not o.output}
    refused.pop("feed.xml")
    nul = str(next(i for i, v in enumerate(VECTORS) if "\x00" in v["vector"]))
    assert refused == {nul: "clean", "javascript:alert(1)": "scheme"}  # NUL: binary; a script link
    assert len(items) == len(VECTORS) - 1
    for o in items:
        text = Path(o.output or "").read_text()
        assert output_problems(text, HTML_KEYS) == [], o.url
        data, body = split_output(text)
        assert "KEEPBEFORE" in body, o.url
        assert data.get("title", "").startswith(("Item ", "Script link")), o.url
    assert not any("javascript" in Path(o.output or "").read_text() for o in items)


def test_oracle_sees_what_it_must() -> None:
    """The oracle itself: it flags what a browser would run."""
    assert body_problems('<div>\n<img src="x"onerror=alert(1)>\n</div>')
    assert body_problems("[x](javascript&colon;alert(1))")
    assert body_problems("<svg><animate attributeName=href values=javascript:alert(1) /></svg>")
    assert body_problems('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>')
    assert not body_problems("[x](https://example.com/) <b>bold</b> `<script>`")
