"""What a fetched document is (article, feed, sitemap, robots.txt) and what it points to."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree

from scraper.fetch.body import gunzip_bounded

_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<([\w:.-]+)", re.S
)
_FRONT_MATTER = re.compile(rb"^(?:\xef\xbb\xbf)?(?:---|\+\+\+)[ \t]*\r?\n")
_TAGS = re.compile(r"<[^>]+>")
FULL_CONTENT_CHARS = 200


@dataclass(frozen=True)
class FeedItem:
    link: str | None
    title: str | None
    content: str | None  # HTML of the full article, when the feed carries it
    meta: dict[str, Any] = field(default_factory=dict)
    updated: str | None = None  # the item's updated (or published) date, as the feed gives it


def classify(url: str, media_type: str, body: bytes) -> str:
    """'sitemap', 'feed', 'robots', 'markdown' or 'html' (from content first, then type)."""
    if urlsplit(url).path == "/robots.txt":
        return "robots"
    head = body[:4096]
    if head.startswith(b"\x1f\x8b"):
        return "sitemap"  # only sitemaps come gzipped as files
    m = _ROOT.match(head)
    if m:
        root = m.group(1).split(b":")[-1].lower()
        if root in (b"urlset", b"sitemapindex"):
            return "sitemap"
        if root in (b"rss", b"feed", b"rdf", b"channel"):
            return "feed"
        if root in (b"html",):
            return "html"
    stripped = head.lstrip()
    if stripped.startswith(b"{") and b"jsonfeed.org" in head:
        return "feed"
    if _FRONT_MATTER.match(head) or media_type in ("text/markdown", "text/x-markdown"):
        return "markdown"
    if media_type in ("application/rss+xml", "application/atom+xml", "application/feed+json"):
        return "feed"
    if media_type == "text/plain" and not stripped.startswith(b"<"):
        return "markdown"
    return "html"


def sitemap_links(body: bytes, limit: int) -> tuple[list[tuple[str, str | None]], list[str]]:
    """([(page URL, its <lastmod>)], child sitemap URLs) of a sitemap or sitemap index (gzip
    inflated, bounded)."""
    if body.startswith(b"\x1f\x8b"):
        body = gunzip_bounded(body, limit)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return [], []
    if root is None:
        return [], []
    pages: list[tuple[str, str | None]] = []
    children: list[str] = []
    index = etree.QName(root).localname.lower() == "sitemapindex"
    for loc in root.iter("{*}loc", "loc"):
        text = (loc.text or "").strip()
        if not text:
            continue
        if index:
            children.append(text)
            continue
        lastmod = None
        parent = loc.getparent()
        if parent is not None:
            for sibling in parent:
                if isinstance(sibling.tag, str) and etree.QName(sibling).localname.lower() == "lastmod":
                    lastmod = (sibling.text or "").strip() or None
        pages.append((text, lastmod))
    return pages, children


def _iso(parsed: Any, raw: Any) -> str | None:
    if parsed:
        try:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
        except (OverflowError, ValueError, TypeError):
            pass
    return str(raw) if raw else None


def feed_items(body: bytes, url: str, media_type: str) -> list[FeedItem]:
    """The items of an RSS/Atom/RDF/JSON feed; relative links resolve against the item link."""
    parsed = feedparser.parse(
        body,
        response_headers={"content-location": url, "content-type": media_type or "application/xml"},
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    items: list[FeedItem] = []
    for entry in parsed.entries:
        link = entry.get("link")
        link = urljoin(url, link) if link else None
        content = None
        for c in entry.get("content", []) or []:
            if c.get("value") and len(_TAGS.sub("", c["value"]).strip()) >= FULL_CONTENT_CHARS:
                content = c["value"]
                break
        if content is None:
            summary = entry.get("summary") or ""
            if len(_TAGS.sub("", summary).strip()) >= 5 * FULL_CONTENT_CHARS:
                content = summary
        tags = [t.get("term") for t in entry.get("tags", []) or [] if t.get("term")]
        meta = {
            "title": entry.get("title"),
            "author": entry.get("author"),
            "date": _iso(entry.get("published_parsed"), entry.get("published"))
            or _iso(entry.get("updated_parsed"), entry.get("updated")),
            "tags": tags,
            "description": None,
        }
        updated = entry.get("updated") or entry.get("published")
        items.append(
            FeedItem(
                link,
                entry.get("title"),
                content,
                {k: v for k, v in meta.items() if v},
                str(updated) if updated else None,
            )
        )
    return items
