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

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.pagekeys import PageKeys, narrowed

_ARTICLE_TYPES = re.compile(r"Article|BlogPosting|Report|Posting|NewsArticle|WebPage|Review", re.I)
_SPACE = re.compile(r"\s+")
_OFFSET = re.compile(r"([+-]\d\d)(\d\d)$")
_DAY = re.compile(r"^(\d{4}-\d\d-\d\d)")


@dataclass(frozen=True)
class PageMeta:
    """What a page says about itself: title, author, dates, tags, description."""

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
    candidate = _OFFSET.sub(r"\1:\2", candidate)
    try:
        return datetime.fromisoformat(candidate).isoformat()
    except ValueError:
        pass
    m = _DAY.match(s)
    return m.group(1) if m else None


def _json_ld(scripts: list[LexborNode]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for node in scripts:
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


_DATE_KEYS = (
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
_AUTHOR_KEYS = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")


class _Metas:
    """The page's <meta> values by lower-case name/property/itemprop, in page order."""

    def __init__(self, metas: list[LexborNode]) -> None:
        self.values: dict[str, list[str]] = {}
        for node in metas:
            attrs = node.attributes
            key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
            content = _clean(attrs.get("content"))
            if key and content:
                self.values.setdefault(str(key).strip().lower(), []).append(content)

    def first(self, *keys: str) -> str | None:
        return next((self.values[k][0] for k in keys if self.values.get(k)), None)

    def all(self, *keys: str) -> list[str]:
        return [v for k in keys for v in self.values.get(k, [])]


def _title(
    tree: LexborHTMLParser,
    metas: _Metas,
    art: dict[str, Any],
    keys: PageKeys | None,
    titles: list[LexborNode],
) -> str | None:
    """`titles`: the page's <title> elements in page order."""
    title = metas.first("og:title", "twitter:title") or _clean(art.get("headline"))
    if title is None and titles:
        title = _clean(titles[0].text())
    css = narrowed(keys, "h1", stable=True)  # not on the page: nothing to walk it for
    node = tree.css_first(css) if title is None and css else None
    return title or (_clean(node.text()) if node else None)


def _author(metas: _Metas, art: dict[str, Any]) -> str | None:
    author = metas.first(*_AUTHOR_KEYS)
    if author and author.startswith("http"):
        author = None
    return author or _name(art.get("author"))


def _dates(
    tree: LexborHTMLParser, metas: _Metas, art: dict[str, Any], keys: PageKeys | None
) -> tuple[str | None, str | None]:
    """(published, updated) from the page's own declarations only."""
    date = normalize_date(metas.first(*_DATE_KEYS) or art.get("datePublished"))
    css = narrowed(keys, _TIME_CSS, stable=True)
    if date is None and css:
        time = tree.css_first(css)
        date = normalize_date(time.attributes.get("datetime")) if time else None
    modified = metas.first("article:modified_time", "datemodified", "og:updated_time")
    return date, normalize_date(modified or art.get("dateModified"))


def _tags(metas: _Metas, art: dict[str, Any]) -> tuple[str, ...]:
    tags = metas.all("article:tag")
    keywords = metas.first("keywords", "news_keywords") or (
        ", ".join(art["keywords"]) if isinstance(art.get("keywords"), list) else art.get("keywords")
    )
    if not tags and isinstance(keywords, str):
        tags = [t.strip() for t in keywords.split(",") if t.strip()]
    return tuple(dict.fromkeys(tags))


def _based_on(ld: list[dict[str, Any]]) -> str | None:
    return next((u for d in ld if (u := _url(d.get("isBasedOn")) or _url(d.get("isBasedOnUrl")))), None)


# One walk of the page for what four queries would each walk it for: every match of each
# selector is of its own tag, so the matches split by tag are each query's, in page order.
_HEAD_CSS = 'meta[content], script[type="application/ld+json"], link[rel="canonical"][href], title'


_TIME_CSS = "article time[datetime], time[itemprop=datePublished], time[pubdate]"


def extract_meta(tree: LexborHTMLParser, keys: PageKeys | None = None) -> PageMeta:
    """The page's metadata; `keys`: the page's keys (`PageKeys.of`), read before any change."""
    by_tag: dict[str, list[LexborNode]] = {"meta": [], "script": [], "link": [], "title": []}
    for node in tree.css(_HEAD_CSS):
        by_tag.setdefault(node.tag or "", []).append(node)
    metas = _Metas(by_tag["meta"])
    ld = [d for d in _json_ld(by_tag["script"]) if _ARTICLE_TYPES.search(str(d.get("@type", "")))]
    art = ld[0] if ld else {}
    images = metas.all("og:image", "og:image:url", "twitter:image")
    ld_image = _url(art.get("image"))
    if ld_image:
        images.append(ld_image)
    canonical = by_tag["link"][0] if by_tag["link"] else None
    html = tree.root  # the document's element: <html> (the first match of "html", as it is first)
    if html is None or html.tag != "html":
        html = tree.css_first("html")
    date, updated = _dates(tree, metas, art, keys)
    return PageMeta(
        title=_title(tree, metas, art, keys, by_tag["title"]),
        author=_author(metas, art),
        date=date,
        updated=updated,
        tags=_tags(metas, art),
        description=metas.first("og:description", "description", "twitter:description")
        or _clean(art.get("description")),
        images=tuple(dict.fromkeys(images)),
        canonical=_clean(canonical.attributes.get("href")) if canonical else None,
        og_url=metas.first("og:url"),
        site_name=metas.first("og:site_name", "application-name") or _name(art.get("publisher")),
        lang=_clean(html.attributes.get("lang")) if html else None,
        publisher=_name(art.get("publisher")),
        based_on=_based_on(ld),
        original_source=metas.first("original-source", "syndication-source"),
    )
