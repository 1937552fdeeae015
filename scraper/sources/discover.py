"""What a fetched document is (article, feed, sitemap, robots.txt) and what it points to."""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from scraper.fetch.body import gunzip_bounded

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
    id: str | None = None  # its id (Atom) or guid (RSS)

    @property
    def ident(self) -> str:
        """12 hex digits naming the item in its feed: of its id, else link, title or content.
        `<feed>#item-<ident>` is the name of an item that is not its link's page (the input
        its audit record names)."""
        return item_id(self.id or self.link or self.title or self.content or "")


def item_id(item_key: str) -> str:
    """12 hex digits naming a feed item (from its id, link, title or content)."""
    return hashlib.sha256(item_key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


PROLOG_BYTES = 64 * 1024  # a root element is looked for this far
_NAME = re.compile(rb"[A-Za-z_][\w:.-]*")


def _skip_doctype(head: bytes, i: int) -> int:
    """The index after a DOCTYPE that starts at `i`, internal subset included (its quoted
    strings and comments may hold '>' and ']'); -1 when it does not end within `head`."""
    depth, quote, n = 0, 0, len(head)
    while i < n:
        c = head[i]
        if quote:
            quote = 0 if c == quote else quote
        elif head.startswith(b"<!--", i):
            end = head.find(b"-->", i + 4)
            if end < 0:
                return -1
            i = end + 2
        elif c in b"\"'":
            quote = c
        elif c == ord("["):
            depth += 1
        elif c == ord("]"):
            depth -= 1
        elif c == ord(">") and depth <= 0:
            return i + 1
        i += 1
    return -1


def root_element(body: bytes) -> bytes | None:
    """The local name (lower-case) of the first element of an XML or HTML document, whatever
    the prolog before it: XML declaration, processing instructions (xml-stylesheet), comments,
    a DOCTYPE with an internal subset. Read, never parsed: no entity is ever expanded."""
    head = body[:PROLOG_BYTES]
    i = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    n = len(head)
    while i < n:
        while i < n and head[i] in b" \t\r\n\f":
            i += 1
        if head.startswith(b"<?", i):
            end = head.find(b"?>", i + 2)
            i = end + 2 if end >= 0 else n
        elif head.startswith(b"<!--", i):
            end = head.find(b"-->", i + 4)
            i = end + 3 if end >= 0 else n
        elif head[i : i + 9].upper() == b"<!DOCTYPE":
            end = _skip_doctype(head, i + 9)
            i = end if end >= 0 else n
        elif head.startswith(b"<", i):
            m = _NAME.match(head, i + 1)
            return m.group().split(b":")[-1].lower() if m else None
        else:
            return None
    return None


def is_robots_url(url: str) -> bool:
    """Whether a URL's path is /robots.txt. Split only when it may be: urlsplit drops tabs and
    line breaks from a URL, so its path holds 'robots.txt' only when the URL holds it or one of
    them (most URLs of a crawl are split by neither)."""
    if "robots.txt" not in url and "\t" not in url and "\r" not in url and "\n" not in url:
        return False
    return urlsplit(url).path == "/robots.txt"


def classify(url: str, media_type: str, body: bytes) -> str:
    """'sitemap', 'feed', 'robots', 'markdown' or 'html' (from content first, then type)."""
    if is_robots_url(url):
        return "robots"
    head = body[:4096]
    if head.startswith(b"\x1f\x8b"):
        return "sitemap"  # only sitemaps come gzipped as files
    root = root_element(body)
    if root:
        if root in (b"urlset", b"sitemapindex"):
            return "sitemap"
        if root in (b"rss", b"feed", b"rdf", b"channel"):
            return "feed"
        if root == b"html":
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


def _join(base: str, link: Any) -> str | None:
    if not link or not isinstance(link, str):
        return None
    try:
        return urljoin(base, link.strip())
    except ValueError:  # "http://[x": kept as given, refused later as a bad URL
        return link.strip()


def feed_items(body: bytes, url: str, media_type: str) -> list[FeedItem]:
    """The items of an RSS/Atom/RDF/JSON feed; relative links resolve against the item link."""
    import feedparser  # loaded by the runs that read a feed (a crawl of sitemaps never does)

    parsed = feedparser.parse(
        body,
        response_headers={"content-location": url, "content-type": media_type or "application/xml"},
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    items: list[FeedItem] = []
    for entry in parsed.entries:
        link = _join(url, entry.get("link"))
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
                str(entry.get("id")) if entry.get("id") else None,
            )
        )
    return items
