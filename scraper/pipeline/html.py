"""HTML pages: read metadata, clean the whole DOM, extract the article, render Markdown."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import trafilatura
from selectolax.lexbor import LexborHTMLParser

from cleaners.context import page_context
from cleaners.dom import run_dom_rules
from cleaners.editor import DomEditor, has_media
from cleaners.records import Removal
from cleaners.ruleset import RuleSet
from scraper.errors import DocumentError
from scraper.pipeline.metadata import PageMeta, extract_meta
from scraper.pipeline.nesting import flatten_deep
from scraper.pipeline.tomarkdown import xml_to_markdown

_EMPHASIS_IN_LINK = ", ".join(f"a[href] > {t}:only-child" for t in "strong b em i u span font".split())
_NOT_CONTENT = (
    "head > :not(title), script, style, svg, template, link, meta, nav, footer, aside, menu, "
    "button, input, select, textarea, label, fieldset, dialog, object, embed, canvas, map"
)
_HEADING_LINKS = "h1 a, h2 a, h3 a, h4 a, h5 a, h6 a"
_SPACE = re.compile(r"\s+")
_ABSOLUTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_SHARE_CSS = (
    'a[href*="facebook.com/shar" i], a[href*="intent/tweet" i], a[href*="shareArticle" i], '
    'a[href*="reddit.com/submit" i], a[href*="pin/create" i]'
)
_LAZY = ("data-src", "data-lazy-src", "data-original", "data-orig-file")
_LAZY_IMAGES = ", ".join(f"img[{k}]" for k in _LAZY)


@dataclass(frozen=True)
class HtmlResult:
    body: str
    meta: PageMeta
    removals: tuple[Removal, ...]
    farm: bool
    own_domains: frozenset[str]
    base_url: str | None
    share_links: tuple[str, ...]  # share-button URLs: they carry the article's own URL


def _http(url: str | None) -> str | None:
    return url if url and re.match(r"^https?://", url, re.I) else None


def _prepare_for_extraction(tree: LexborHTMLParser, rules: RuleSet) -> None:
    """Shape the cleaned DOM so trafilatura keeps what it would otherwise drop: links whose
    text is wrapped in emphasis, heading text after an empty permalink anchor, lazy images;
    and drop page chrome listed in the rules' `[extraction] prune`."""
    # page chrome (rules' [extraction] prune) and what is never article text: less to parse
    for node in tree.css(", ".join((*rules.prune, _NOT_CONTENT))):
        node.remove()  # not decompose(): a match may sit inside an earlier one
    for anchor in tree.css(_HEADING_LINKS):
        if not (anchor.text(deep=True) or "").strip() and not has_media(anchor):
            anchor.remove()  # a permalink anchor: trafilatura would drop the heading text after it
    for em in tree.css(_EMPHASIS_IN_LINK):
        a = em.parent
        if a is not None and _SPACE.sub("", a.text(deep=True) or "") == _SPACE.sub(
            "", em.text(deep=True) or ""
        ):
            em.unwrap()  # trafilatura drops the URL of a link whose text is wrapped in emphasis
    for img in tree.css(_LAZY_IMAGES):
        if not img.attributes.get("src") or str(img.attributes.get("src")).startswith("data:"):
            real = next((img.attributes[k] for k in _LAZY if img.attributes.get(k)), None)
            if real:
                img.attrs["src"] = str(real)


def _resolve_links(body: Any, base: str) -> None:
    """Make the article's relative link and image URLs absolute (in-page anchors stay)."""
    for el in body.iter("ref", "graphic"):
        attr = "target" if el.tag == "ref" else "src"
        value = (el.get(attr) or "").strip()
        if value and not value.startswith("#") and not _ABSOLUTE.match(value):
            with contextlib.suppress(ValueError):
                el.set(attr, urljoin(base, value))


def clean_html(
    text: str, rules: RuleSet, page_url: str | None, fragment: bool = False, raw: bytes | None = None
) -> HtmlResult:
    """Clean an HTML page (or, with `fragment`, an article body such as a feed item's content)."""
    text, flattened = flatten_deep(text)  # parsing stays linear however deep the page nests
    tree = LexborHTMLParser(text)
    meta = extract_meta(tree) if not fragment else PageMeta()
    base = _http(page_url) or _http(meta.canonical) or _http(meta.og_url)
    ctx, farm, own = page_context(rules, raw or text, base, [meta.canonical, meta.og_url])
    editor = DomEditor(tree, rules)
    editor.removals.extend(flattened)
    run_dom_rules(tree, ctx, editor)
    _prepare_for_extraction(tree, rules)
    html = tree.html or ""
    if fragment:
        body_html = tree.body.inner_html if tree.body is not None else html
        html = f"<html><body><article>{body_html}</article></body></html>"
    doc = trafilatura.bare_extraction(
        html,
        url=None,  # it would resolve links against the site root, not the page: done below
        include_links=True,
        include_images=True,
        include_formatting=True,
        include_tables=True,
        include_comments=False,
        with_metadata=False,
        output_format="xml",  # keeps .body; "python" would also render a text copy we do not use
        favor_recall=fragment,
        deduplicate=False,
    )
    body_el = getattr(doc, "body", None)
    if body_el is None or not "".join(body_el.itertext()).strip():
        raise DocumentError("no article text could be extracted from the page")
    shares = tuple(str(a.attributes.get("href") or "") for a in tree.css(_SHARE_CSS))
    if base:
        _resolve_links(body_el, base)
    return HtmlResult(xml_to_markdown(body_el), meta, tuple(editor.removals), farm, own, base, shares)
