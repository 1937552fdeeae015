"""HTML pages: read metadata, clean the whole DOM, extract the article, render Markdown."""

from __future__ import annotations

import contextlib
import html as htmllib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import trafilatura
from selectolax.lexbor import LexborHTMLParser
from trafilatura.settings import Extractor

from cleaners.context import page_context
from cleaners.dom import run_dom_rules
from cleaners.editor import DomEditor
from cleaners.hosts import registrable_domain, url_host
from cleaners.pagekeys import PageKeys
from cleaners.records import Removal
from cleaners.ruleset import RuleSet
from cleaners.urls import UrlCleaner
from scraper.errors import DocumentError
from scraper.pipeline.metadata import PageMeta, extract_meta
from scraper.pipeline.nesting import flatten_deep
from scraper.pipeline.recover import restore
from scraper.pipeline.shape import shape_for_extraction
from scraper.pipeline.stoplist import install as _snapshot_stop_words
from scraper.pipeline.tomarkdown import xml_to_markdown

_ABSOLUTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_HTTP = re.compile(r"^https?://", re.I)
_WORD = re.compile(r"\w+")
_SCHEME = re.compile(r"^[a-z]+:", re.I)
_SHARE_CSS = (
    'a[href*="facebook.com/shar" i], a[href*="intent/tweet" i], a[href*="shareArticle" i], '
    'a[href*="reddit.com/submit" i], a[href*="pin/create" i]'
)


@dataclass(frozen=True)
class HtmlResult:
    body: str
    meta: PageMeta
    removals: tuple[Removal, ...]
    farm: bool
    own_domains: frozenset[str]
    base_url: str | None
    share_links: tuple[str, ...]  # share-button URLs: they carry the article's own URL
    image: str | None = None  # the page's own image: not an ad, a pixel or anything a rule removed


def _http(url: str | None) -> str | None:
    return url if url and _HTTP.match(url) else None


def _self_urls(base: str | None, meta: PageMeta) -> list[str | None]:
    """The addresses a page gives for itself. A canonical URL on another site than the page's
    own (a syndicated copy: MSN pointing to Business Insider) is not the page's own site."""
    own = {registrable_domain(url_host(u)) for u in (base, meta.og_url) if u}
    canonical = meta.canonical
    if canonical and own and registrable_domain(url_host(canonical)) not in own:
        canonical = None
    return [canonical, meta.og_url]


def _has_text(body: Any) -> bool:
    return body is not None and bool("".join(body.itertext()).strip())


# trafilatura parses with one module-level lxml parser, and lxml parsers must not be shared
# between threads: with thread workers (`--workers 0`) two extractions at once crashed the
# process (a double free in lxml). One extraction at a time per process; processes are apart.
_ONE_EXTRACTION = threading.Lock()
_snapshot_stop_words()  # jusText's stop words (a rare fallback) read from a snapshot, not rebuilt


def _trafilatura(html: str, recall: bool) -> Any:
    with _ONE_EXTRACTION:
        return _bare(html, recall)


def _options(recall: bool) -> Any:
    """trafilatura's options for one extraction, as bare_extraction would build them from
    its keywords. Built once per process: trafilatura only reads them (its recall retry
    works on a copy), and building them reads its configuration anew (~0.1 ms a page)."""
    return Extractor(
        output_format="xml",  # keeps .body; "python" would also render a text copy not used
        fast=False,
        precision=False,
        recall=recall,
        comments=False,
        formatting=True,
        links=True,
        images=True,
        tables=True,
        dedup=False,
        lang=None,
        url=None,  # it would resolve links against the site root, not the page: done below
        with_metadata=False,
        only_with_metadata=False,
        author_blacklist=None,
        url_blacklist=None,
        date_params=None,
    )


_OPTIONS = {False: _options(False), True: _options(True)}


def _bare(html: str, recall: bool) -> Any:
    doc = trafilatura.bare_extraction(html, options=_OPTIONS[recall])
    body = getattr(doc, "body", None)
    return body if _has_text(body) else None


def _extract(html: str, fragment: bool, unshaped: Callable[[], str]) -> Any:
    """The article as trafilatura XML. A page with text never ends without output: when the
    shaped page gives nothing, with favoured recall, then the page cleaned but not shaped,
    then trafilatura's baseline (every paragraph-like block)."""
    for recall in (True,) if fragment else (False, True):
        body = _trafilatura(html, recall)
        if body is not None:
            return body
    plain = unshaped()
    body = _trafilatura(plain, True)
    if body is None:
        with _ONE_EXTRACTION:
            body, _, _ = trafilatura.baseline(plain)
    return body if _has_text(body) else None


def _wrap_fragment(tree: LexborHTMLParser, fragment: bool) -> str:
    html = tree.html or ""
    if fragment:
        body_html = tree.body.inner_html if tree.body is not None else html
        html = f"<html><body><article>{body_html}</article></body></html>"
    return html


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _drop_title_heading(body: Any, title: str | None) -> None:
    """The page's title heading opening the article is the front matter's `title`, not body
    text (the title may carry the site's name: "Headline - Site")."""
    first = next(iter(body), None)
    if first is None or first.tag != "head" or not title:
        return
    heading, name = _words("".join(first.itertext())), _words(title)
    if heading and (heading == name or (len(heading) >= 20 and name.startswith(heading))):
        body.remove(first)


def _resolve_links(body: Any, base: str) -> None:
    """Make the article's relative link and image URLs absolute (in-page anchors stay)."""
    for el in body.iter("ref", "graphic"):
        attr = "target" if el.tag == "ref" else "src"
        value = (el.get(attr) or "").strip()
        if value and not value.startswith("#") and not _ABSOLUTE.match(value):
            with contextlib.suppress(ValueError):
                el.set(attr, urljoin(base, value))


def clean_html(
    text: str,
    rules: RuleSet,
    page_url: str | None,
    fragment: bool = False,
    raw: bytes | None = None,
    raw_is_utf8: bool = False,
) -> HtmlResult:
    """Clean an HTML page (or, with `fragment`, an article body such as a feed item's content).
    `raw_is_utf8`: `text` is `raw` read as UTF-8 (`decode_page`), so `raw` is its UTF-8 encoding."""
    flat, flattened = flatten_deep(text)  # parsing stays linear however deep the page nests
    # the same page as UTF-8 bytes, when the nesting pass left it as it was
    source: str | bytes = raw if raw is not None and raw_is_utf8 and flat is text else flat
    text = flat
    tree = LexborHTMLParser(source)
    keys = PageKeys.of(tree)
    meta = extract_meta(tree, keys) if not fragment else PageMeta()
    base = _http(page_url) or _http(meta.og_url) or _http(meta.canonical)
    ctx, farm, own = page_context(rules, raw or text, base, _self_urls(base, meta))
    ctx.keys = keys
    editor = DomEditor(tree, rules)
    editor.removals.extend(flattened)
    run_dom_rules(tree, ctx, editor)
    shape_for_extraction(tree, rules, ctx.keys)

    def unshaped() -> str:  # the rare fallback: clean again, do not shape
        again = LexborHTMLParser(source)
        run_dom_rules(again, ctx, DomEditor(again, rules))
        return _wrap_fragment(again, fragment)

    body_el = _extract(_wrap_fragment(tree, fragment), fragment, unshaped)
    if body_el is None:
        raise DocumentError("no article text could be extracted from the page")
    # one walk for the blocks restore looks at and the share links (every share selector is
    # an a[…]): split by tag, each in page order; neither step changes the page
    found = tree.css(f"p, div, {_SHARE_CSS}")
    restore(tree, body_el, rules, [n for n in found if n.tag != "a"])
    _drop_title_heading(body_el, meta.title)
    shares = tuple(str(a.attributes.get("href") or "") for a in found if a.tag == "a")
    if base:
        _resolve_links(body_el, base)
    image = _page_image(meta, ctx.urls, editor.removals)
    return HtmlResult(xml_to_markdown(body_el), meta, tuple(editor.removals), farm, own, base, shares, image)


def _page_image(meta: PageMeta, urls: UrlCleaner, removals: list[Removal]) -> str | None:
    """The first declared page image that is not an ad or a pixel and that no rule removed
    from the page (a farm's og:image list names its ad banners)."""
    removed = "\n".join(r.snippet for r in removals if r.category in ("ad_block", "tracking_pixel"))
    for url in meta.images:
        if urls.media_verdict(url) is not None:
            continue
        tail = _SCHEME.sub("", url.strip())  # //host/path matches either scheme
        if tail and (tail in removed or htmllib.escape(tail) in removed):
            continue
        return url
    return None
