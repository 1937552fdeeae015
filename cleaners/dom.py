"""The DOM cleaners: small named rules, run in a fixed order over a lexbor tree.

The same rules clean whole HTML pages and the HTML islands of Markdown bodies; the editor
(`cleaners.editor`) decides how a decision is applied and records it. Order matters: containers
(comment blocks, ad slots) go first, so what they hold is not reported twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.debris import drop_link_tail, goes_whole, line_around, rewrite_url_text
from cleaners.domsafe import unsafe
from cleaners.editor import DomEditor, attached, node_text, same
from cleaners.hosts import HostSet
from cleaners.htmlspan import strip_comment_mark
from cleaners.pagekeys import PageKeys, narrowed
from cleaners.ruleset import RuleSet
from cleaners.safeurl import is_safe_url
from cleaners.urls import UrlCleaner, UrlStep

_ADSENSE_WORDS = ("adsbygoogle", "googlesyndication.com", "fundingchoicesmessages")
_EMBEDDED_URL = re.compile(r"https?(?::|%3A)(?://|%2F%2F)[^'\"\s)]+", re.I)
_LINKED_MEDIA = "a[href] img, a[href] video, a[href] picture, a[href] iframe, a[href] svg, a[href] embed"
_PLAYERS = frozenset(("video", "audio", "picture"))
_CHROME_LINKS = 'nav a[href], footer a[href], [role="navigation"] a[href]'
_CHROME_LISTS = 'nav ul, nav ol, footer ul, footer ol, [role="navigation"] ul, [role="navigation"] ol'
_LABEL_TRIM = re.compile(r"^[\W_]+|[\W_]+$")
_SPACE = re.compile(r"\s+")
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-orig-file", "data-lazy")


@dataclass
class DomContext:
    """What the DOM rules of one page read: the rules, the URL cleaner and the page's hosts."""

    rules: RuleSet
    urls: UrlCleaner
    own_hosts: HostSet  # the page's own site: related-post lists point there
    page_host: str = ""
    keys: PageKeys | None = None  # what the page is made of: long selector lists narrowed to it


Rule = Callable[[LexborHTMLParser, DomContext, DomEditor], None]


def comment_blocks(tree: LexborHTMLParser, ctx: DomContext, ed: DomEditor) -> None:
    """Everything between a begin comment and its end comment (`[[comment_block]]`)."""
    if not ctx.rules.comment_blocks:
        return
    comments = [
        (n, strip_comment_mark(n.comment_content or ""))
        for n in tree.root.traverse()  # type: ignore[union-attr]  # (comments: not text nodes)
        if n.is_comment_node
    ]
    for rule in ctx.rules.comment_blocks:
        start: LexborNode | None = None
        for node, text in comments:
            if rule.begin.search(text):
                start = node
            elif start is not None and rule.end.search(text):
                ed.remove_range(start, node, rule.category, rule.name, rule.reason)
                start = None


def selectors(tree: LexborHTMLParser, ctx: DomContext, ed: DomEditor) -> None:
    """Elements matched by the CSS selectors of `[[selector]]` rules (one pass over the DOM;
    each match is credited to the first rule it matches)."""
    rules = [r for r in ctx.rules.selectors if not r.hosts or r.hosts.matches(ctx.page_host)]
    if not rules:
        return
    css = narrowed(ctx.keys, ", ".join(r.css for r in rules), stable=True)
    for node in tree.css(css) if css else ():
        if not attached(node):
            continue  # inside an element already removed
        rule = next((r for r in rules if node.css_matches(r.css)), rules[0])
        ed.remove(node, rule.category, rule.name, rule.reason)


def adsense_scripts(tree: LexborHTMLParser, ctx: DomContext, ed: DomEditor) -> None:
    """Inline scripts that load or fill AdSense slots (the `push({})` calls, Funding Choices)."""
    no_scripts = ctx.keys is not None and "script" not in ctx.keys.tags  # (rules only remove)
    if no_scripts or not any(tree.scripts_contain(w) for w in _ADSENSE_WORDS):
        return
    for node in tree.css("script"):
        text = node.text(deep=True) or ""
        if any(w in text for w in _ADSENSE_WORDS):
            ed.remove(node, "adsense", "adsense-script", "AdSense script")


def media(tree: LexborHTMLParser, ctx: DomContext, ed: DomEditor) -> None:
    """Ad media, then tracking pixels among the images still in the page: the images are those
    the ad-media query found (in page order) that no ad-media removal took away."""
    found = ad_media(tree, ctx, ed)
    pixels([n for n in found if n.tag == "img" and attached(n)], ctx, ed)


def ad_media(tree: LexborHTMLParser, ctx: DomContext, ed: DomEditor) -> list[LexborNode]:
    """Affiliate banners (an affiliate click wrapping an image or video) and ad-server media.
    Returns the media elements it looked at (after the banners went)."""
    banners: dict[int, LexborNode] = {}
    linked_css = narrowed(ctx.keys, _LINKED_MEDIA, stable=True)
    for linked in tree.css(linked_css) if linked_css else ():
        a = linked.parent
        while a is not None and a.tag != "a":
            a = a.parent
        if a is not None:
            banners.setdefault(a.mem_id, a)
    for a in banners.values():
        if ctx.urls.clean(str(a.attributes.get("href") or "")).affiliate:
            ed.remove(a, "ad_block", "affiliate-banner", "affiliate banner link")
    for a in tree.css('a[href*="script:" i]'):
        href = str(a.attributes.get("href") or "")
        if is_safe_url(href):
            continue
        for m in _EMBEDDED_URL.finditer(href):
            if ctx.urls.clean(unquote(m.group(0))).affiliate:
                ed.remove(a, "ad_block", "script-ad-link", "script link to an affiliate click")
                break
    media_css = narrowed(ctx.keys, "img, video, source, iframe, embed, object, input[type=image]")
    found = tree.css(media_css) if media_css else []
    for node in found:
        attrs = node.attributes  # lexbor builds this dict anew on each access
        for attr in ("src", "poster", "data-src", "data"):
            value = attrs.get(attr)
            media = ctx.urls.media_verdict(str(value)) if value else None
            if media and media[0] == "ad_block":
                parent = node.parent
                in_player = node.tag == "source" and parent is not None and parent.tag in _PLAYERS
                target = parent if in_player and parent is not None else node
                ed.remove(target, "ad_block", "ad-media", "ad image or video from an ad server")
                break
    return found


def _size(value: object) -> int | None:
    m = re.match(r"\s*(\d+)", str(value)) if value is not None else None
    return int(m.group(1)) if m else None


def pixels(images: list[LexborNode], ctx: DomContext, ed: DomEditor) -> None:
    """Tracking pixels: 0x0/1x1 or hidden images, known pixel hosts, 1x1 placeholder GIFs."""
    for img in images:
        attrs = img.attributes
        src = str(attrs.get("src") or "")
        verdict = ctx.urls.media_verdict(src) if src else None
        real = next((str(attrs[a]) for a in _LAZY_ATTRS if attrs.get(a)), "")
        if real and (not src or (verdict and verdict[0] == "tracking_pixel")):
            if src:  # a lazy-load placeholder: the real image is in data-src
                why = "lazy-load placeholder swapped for the real image"
                step = UrlStep("layout", "lazy-placeholder", why, src)
                ed.set_url(img, "src", real, (step,))
            continue
        if verdict and verdict[0] == "tracking_pixel":
            ed.remove(img, "tracking_pixel", verdict[1], verdict[2])
            continue
        w, h = _size(attrs.get("width")), _size(attrs.get("height"))
        style = _SPACE.sub("", str(attrs.get("style") or "")).lower()
        if (w is not None and h is not None and w <= 1 and h <= 1) or w == 0 or h == 0:
            ed.remove(img, "tracking_pixel", "tiny-image", f"{w}x{h} image")
        elif "visibility:hidden" in style or "display:none" in style:
            ed.remove(img, "tracking_pixel", "hidden-image", "hidden image")
        elif re.search(r"(?:^|;)width:[01]px", style) and re.search(r"(?:^|;)height:[01]px", style):
            ed.remove(img, "tracking_pixel", "tiny-image", "1x1 image (style)")


# -- related-post lists ------------------------------------------------------------------------


def _is_label(text: str, ctx: DomContext) -> bool:
    t = _LABEL_TRIM.sub("", _SPACE.sub(" ", text)).strip()
    ar = ctx.rules.also_read
    return 0 < len(t) <= ar.max_label_chars and bool(ar.labels.match(t.lower()))


def _prev_element(node: LexborNode) -> tuple[LexborNode | None, str]:
    """Previous element sibling, or the text that stands between (labels in plain text)."""
    cur = node.prev
    while cur is not None:
        if cur.is_element_node:
            return cur, ""
        if cur.is_text_node and (cur.text_content or "").strip():
            return None, cur.text_content or ""
        cur = cur.prev
    return None, ""


def _visible_len(text: str) -> int:
    """Characters that are not whitespace (str.split and the regex `\\s` agree on what is)."""
    return sum(map(len, text.split()))


def _list_shape(node: LexborNode) -> tuple[int, float, float, list[LexborNode]]:
    """(items, link-text ratio, mean link text, links) of a list or the div around one."""
    lists = [node] if node.tag in ("ul", "ol") else node.css("ul, ol")[:1]
    if not lists:
        return 0, 0.0, 0.0, []
    items = len(lists[0].css("li"))
    links = node.css("a[href]")
    total = _visible_len(node_text(node))
    if not links or not total:
        return items, 0.0, 0.0, links
    chars = sum(_visible_len(node_text(a)) for a in links)
    return items, chars / total, chars / len(links), links


def _link_shares(links: list[LexborNode], ctx: DomContext) -> tuple[float, float]:
    """(share of links into the page's own site or a farm, share of links into a farm)."""
    own = farm = 0
    for a in links:
        host = ctx.urls.host(str(a.attributes.get("href") or ""))
        if ctx.urls.into_farm(host):
            farm += 1
            own += 1
        elif not host or ctx.own_hosts.matches(host):
            own += 1
    n = len(links) or 1
    return own / n, farm / n


def _same_text(a: LexborNode, b: LexborNode) -> bool:
    ta, tb = node_text(a), node_text(b)
    if abs(len(ta) - len(tb)) > 200:  # whitespace alone cannot make up the difference
        return False
    return "".join(ta.split()) == "".join(tb.split())


def _outer(node: LexborNode) -> LexborNode:
    """A list, or the div that wraps nothing but it."""
    parent = node.parent
    while (
        parent is not None
        and parent.tag in ("div", "section", "nav", "aside")
        and _same_text(parent, node)
        and len(parent.css("ul, ol")) == len(node.css("ul, ol"))  # css() counts the node itself
    ):
        node, parent = parent, parent.parent
    return node


def _label_outer(label: LexborNode) -> LexborNode:
    parent = label.parent
    while parent is not None and parent.tag in ("p", "div", "strong", "b", "em", "span", "center"):
        if not _same_text(parent, label):
            break
        label, parent = parent, parent.parent
    return label


def also_read(tree: LexborHTMLParser, ctx: DomContext, ed: DomEditor) -> None:
    """A short "Also read"/"Related" label with its list of links into the site or the farm."""
    ar = ctx.rules.also_read
    seen: set[int] = set()
    labels = narrowed(ctx.keys, ", ".join(ar.label_selectors)) if ar.label_selectors else ""
    if labels:
        for label in tree.css(labels):
            label = _label_outer(label)
            nxt = label.next
            while nxt is not None and not nxt.is_element_node:
                if (nxt.text_content or "").strip():
                    break
                nxt = nxt.next
            if nxt is not None and nxt.is_element_node and nxt.css_first("a[href]") is not None:
                seen.add(nxt.mem_id)
                ed.remove_range(label, nxt, "also_read", "also-read-label", "labelled related-post list")
            else:
                ed.remove(label, "also_read", "also-read-label", "related-posts label")
    chrome = set() if ed.markdown else _mem_ids(tree, narrowed(ctx.keys, _CHROME_LISTS))
    for lst in tree.css("ul, ol"):
        if lst.mem_id in chrome or not attached(lst) or len(lst.css("li")) < ar.min_items:
            continue
        items, ratio, mean, links = _list_shape(lst)
        if items < ar.min_items or ratio < ar.min_link_ratio:
            continue
        block = _outer(lst)
        if block.mem_id in seen:
            continue
        if block is not lst:
            items, ratio, mean, links = _list_shape(block)
            if ratio < ar.min_link_ratio:
                continue
        prev, text_label = _prev_element(block)
        labelled = prev is not None and _is_label(node_text(prev), ctx)
        line = text_label.strip().splitlines()[-1] if text_label.strip() else ""
        text_labelled = not labelled and bool(line) and _is_label(line, ctx)
        if not (labelled or text_labelled or mean >= 15):
            continue
        own, farm = _link_shares(links, ctx)
        if labelled and own > 0.5 and prev is not None:
            ed.remove_range(
                _label_outer(prev), block, "also_read", "related-list", "labelled related-post list"
            )
        elif text_labelled and own > 0.5:
            ed.remove_labelled(block, line, "also_read", "related-list", "labelled related-post list")
        elif farm == 1.0 and mean >= 15:
            ed.remove(block, "also_read", "farm-link-list", "list of links into the farm")


# -- links ------------------------------------------------------------------------------------


def _mem_ids(tree: LexborHTMLParser, css: str) -> set[int]:
    """The nodes a (narrowed) list finds ("": none)."""
    return {n.mem_id for n in tree.css(css)} if css else set()


def links(tree: LexborHTMLParser, ctx: DomContext, ed: DomEditor) -> None:
    """Affiliate redirects unwrapped, affiliate and hijacked links unlinked, trackers stripped."""
    # On a page, links in navigation and footers never reach the article: not worth a look.
    chrome = set() if ed.markdown else _mem_ids(tree, narrowed(ctx.keys, _CHROME_LINKS))
    for a in tree.css("a[href]"):
        if a.mem_id in chrome:
            continue
        href = str(a.attributes.get("href") or "")
        verdict = ctx.urls.clean(href)
        if verdict.action == "keep":
            continue
        if verdict.action == "rewrite":
            if ed.set_url(a, "href", verdict.url, verdict.steps) and not ed.markdown:
                rewrite_url_text(a, href, verdict.url)
        elif verdict.action == "unlink":
            last = verdict.last
            if goes_whole(node_text(a), line_around(a)):  # its URL, a lone button label
                before, after = a.prev, a.next
                if ed.remove(a, last.category, last.rule, last.reason, climb=False) and not ed.markdown:
                    drop_link_tail(before, after)
            else:
                ed.unwrap(a, last.category, last.rule, last.reason, verdict.steps[:-1])
    media = narrowed(ctx.keys, "img[src], source[src], video[src], audio[src]")
    for node in tree.css(media) if media else ():
        src = str(node.attributes.get("src") or "")
        tracked = _media_rewrite(src, ctx)
        if tracked is not None:
            ed.set_url(node, "src", *tracked)
    if ed.markdown:  # in a Markdown island the other media URLs are written too
        _media_attributes(tree, ctx, ed)


def _media_rewrite(url: str, ctx: DomContext) -> tuple[str, tuple[UrlStep, ...]] | None:
    """A media URL without its tracking parameters (only those: media is never unwrapped)."""
    if "?" not in url and "#" not in url:
        return None  # only a query or fragment can carry trackers on media
    verdict = ctx.urls.clean(url)
    if verdict.action != "rewrite" or any(s.category != "tracking_param" for s in verdict.steps):
        return None
    return verdict.url, verdict.steps


_SRCSET_URL = re.compile(r"(^|,)(\s*)([^\s,][^\s]*?)(?=,|\s|$)")


def _media_attributes(tree: LexborHTMLParser, ctx: DomContext, ed: DomEditor) -> None:
    """Posters and each URL of a srcset through the URL rules."""
    for node in tree.css("video[poster]"):
        tracked = _media_rewrite(str(node.attributes.get("poster") or ""), ctx)
        if tracked is not None:
            ed.set_url(node, "poster", *tracked)
    for node in tree.css("img[srcset], source[srcset]"):
        rewritten = _srcset_rewrite(str(node.attributes.get("srcset") or ""), ctx)
        if rewritten is not None:
            ed.set_url(node, "srcset", *rewritten)


def _srcset_rewrite(value: str, ctx: DomContext) -> tuple[str, tuple[UrlStep, ...]] | None:
    steps: list[UrlStep] = []
    parts: list[str] = []
    pos = 0
    for m in _SRCSET_URL.finditer(value):
        tracked = _media_rewrite(m.group(3), ctx)
        if tracked is not None:
            parts.append(value[pos : m.start(3)] + tracked[0])
            pos = m.end(3)
            steps.extend(tracked[1])
    if not steps:
        return None
    return "".join(parts) + value[pos:], tuple(steps)


DOM_RULES: tuple[Rule, ...] = (
    comment_blocks,
    selectors,
    adsense_scripts,
    media,
    also_read,
    links,
    unsafe,
)


def run_dom_rules(tree: LexborHTMLParser, ctx: DomContext, ed: DomEditor) -> None:
    for rule in DOM_RULES:
        rule(tree, ctx, ed)


__all__ = ["DOM_RULES", "DomContext", "run_dom_rules", "same"]
