"""Page metadata from an HTML document: head tags, Open Graph, JSON-LD.

Read before cleaning (JSON-LD lives in scripts). Dates come from the page's own declarations
only, never from URLs or body text (trafilatura's date search picks dates out of links).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser

_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report|Posting|NewsArticle|WebPage|Review", re.I)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PageMeta:
    title: str | None = None
    author: str | None = None
    date: str | None = None
    updated: str | None = None
    tags: tuple[str, ...] = ()
    description: str | None = None
    images: tuple[str, ...] = ()
    canonical: str | None = None
    og_url: str | None = None
    site_name: str | None = None
    lang: str | None = None
    publisher: str | None = None
    based_on: str | None = None  # JSON-LD isBasedOn / isBasedOnUrl
    original_source: str | None = None  # meta name=original-source / syndication-source
    extra: dict[str, str] = field(default_factory=dict)


def _clean(text: object) -> str | None:
    if text is None:
        return None
    s = _SPACE.sub(" ", str(text)).strip()
    return s or None


def normalize_date(value: object) -> str | None:
    """An ISO 8601 date or date-time string, or None when the value is not a date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    s = str(value).strip()
    if not s:
        return None
    candidate = s.replace("Z", "+00:00")
    candidate = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", candidate)
    try:
        return datetime.fromisoformat(candidate).isoformat()
    except ValueError:
        pass
    m = re.match(r"^(\d{4}-\d\d-\d\d)", s)
    return m.group(1) if m else None


def _json_ld(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text(deep=True) or "")
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
                out.append(item)
    return out


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names) or None
    if isinstance(value, dict):
        return _clean(value.get("name"))
    return _clean(value) if isinstance(value, str) and not value.startswith("http") else None


def _url(value: Any) -> str | None:
    if isinstance(value, list):
        return next((u for u in (_url(v) for v in value) if u), None)
    if isinstance(value, dict):
        return _url(value.get("url") or value.get("@id"))
    return value.strip() if isinstance(value, str) and value.strip().startswith("http") else None


def extract_meta(tree: LexborHTMLParser) -> PageMeta:
    metas: dict[str, list[str]] = {}
    for node in tree.css("meta[content]"):
        key = (
            node.attributes.get("property") or node.attributes.get("name") or node.attributes.get("itemprop")
        )
        content = _clean(node.attributes.get("content"))
        if key and content:
            metas.setdefault(str(key).strip().lower(), []).append(content)

    def first(*keys: str) -> str | None:
        for k in keys:
            if metas.get(k):
                return metas[k][0]
        return None

    ld = [d for d in _json_ld(tree) if _ARTICLE_TYPES.search(str(d.get("@type", "")))]
    art = ld[0] if ld else {}
    title_node = tree.css_first("title")
    h1 = tree.css_first("h1")
    title = first("og:title", "twitter:title") or _clean(art.get("headline"))
    title = (
        title or (_clean(title_node.text()) if title_node else None) or (_clean(h1.text()) if h1 else None)
    )
    author = first("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")
    if author and author.startswith("http"):
        author = None
    author = author or _name(art.get("author"))
    date = normalize_date(
        first(
            "article:published_time",
            "datepublished",
            "date",
            "pubdate",
            "publishdate",
            "dc.date.issued",
            "dc.date",
            "parsely-pub-date",
            "sailthru.date",
            "og:published_time",
        )
        or art.get("datePublished")
    )
    if date is None:
        time = tree.css_first("article time[datetime], time[itemprop=datePublished], time[pubdate]")
        date = normalize_date(time.attributes.get("datetime")) if time else None
    updated = normalize_date(
        first("article:modified_time", "datemodified", "og:updated_time") or art.get("dateModified")
    )
    tags = list(metas.get("article:tag", []))
    keywords = first("keywords", "news_keywords") or (
        ", ".join(art["keywords"]) if isinstance(art.get("keywords"), list) else art.get("keywords")
    )
    if not tags and isinstance(keywords, str):
        tags = [t.strip() for t in keywords.split(",") if t.strip()]
    images = list(metas.get("og:image", []) + metas.get("og:image:url", []) + metas.get("twitter:image", []))
    ld_image = _url(art.get("image"))
    if ld_image:
        images.append(ld_image)
    canonical = tree.css_first('link[rel="canonical"][href]')
    html = tree.css_first("html")
    based_on = None
    for d in ld:
        based_on = _url(d.get("isBasedOn")) or _url(d.get("isBasedOnUrl"))
        if based_on:
            break
    return PageMeta(
        title=title,
        author=author,
        date=date,
        updated=updated,
        tags=tuple(dict.fromkeys(tags)),
        description=first("og:description", "description", "twitter:description")
        or _clean(art.get("description")),
        images=tuple(dict.fromkeys(images)),
        canonical=_clean(canonical.attributes.get("href")) if canonical else None,
        og_url=first("og:url"),
        site_name=first("og:site_name", "application-name") or _name(art.get("publisher")),
        lang=_clean(html.attributes.get("lang")) if html else None,
        publisher=_name(art.get("publisher")),
        based_on=based_on,
        original_source=first("original-source", "syndication-source"),
    )
