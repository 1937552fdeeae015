"""Shape a cleaned page before extraction: what trafilatura would wrongly keep goes, what it
would wrongly drop is made plain.

* Page chrome (the rules' `[extraction] prune` and what is never article text) and the parts
  of news templates that are not body text: figure captions, photo credits, "more/less"
  toggles. Nothing an `[allow]` entry protects is pruned, and the containers around it are
  opened so the extractor sees it.
* Layout tables (a page laid out in cells, one column, cells holding blocks) become plain
  blocks, so they are not rendered as Markdown tables; data tables stay.
* Images without a usable source go alone; lazy images get their real source; links whose
  text is wrapped in emphasis and headings after an empty permalink anchor are made plain.
"""

from __future__ import annotations

import html as htmllib
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.editor import has_media, unwrap_node
from cleaners.pagekeys import PageKeys, narrowed
from cleaners.ruleset import RuleSet

_NOT_CONTENT = (
    "head > :not(title), script, style, svg, template, link, meta, nav, footer, aside, menu, "
    "button, input, select, textarea, label, dialog, object, embed, canvas, map"
)
# Parts of news templates that are not body text: captions and credits of pictures, toggles.
_NOT_BODY = (
    "figcaption, .caption, .wp-caption-text, .image-caption, .img-caption, .photo-caption, "
    ".media-caption, .caption-text, .credit, .image-credit, .photo-credit, .img-credit, "
    "[class*='caption__'], [class*='-caption '], [class$='-caption'], [class*='credit__'], "
    "[class$='-credit'], [itemprop='caption'], [itemprop='copyrightHolder'], "
    ".read-more-toggle, .show-more, .show-less, .more-less, .expand-toggle, [aria-expanded='false'] > .more"
)
_OPENED = ("nav", "aside", "footer", "header", "menu", "details")
ALLOWED = "data-scraper-allowed"
_EMPHASIS_IN_LINK = ", ".join(f"a[href] > {t}:only-child" for t in "strong b em i u span font".split())
_HEADING_LINKS = "h1 a, h2 a, h3 a, h4 a, h5 a, h6 a"
_LAZY = ("data-src", "data-lazy-src", "data-original", "data-orig-file", "data-lazy")
_SOURCE_ATTRS = ("src", *_LAZY, "srcset", "data-srcset")
_SPACE = re.compile(r"\s+")
_BLOCKS = "p, h1, h2, h3, h4, h5, h6, ul, ol, blockquote, pre"
_MAX_TABLES = 200


def shape_for_extraction(tree: LexborHTMLParser, rules: RuleSet, keys: PageKeys | None = None) -> None:
    """`keys`: what the page was made of before cleaning (the prune list is narrowed to it)."""
    allowed = _allowed(tree, rules)
    _prune(tree, narrowed(keys, ", ".join((*rules.prune, _NOT_CONTENT, _NOT_BODY))), allowed)
    if allowed:
        _open_containers(tree, rules)
    if keys is None or "table" in keys.tags:  # nothing before it adds a table
        _flatten_layout_tables(tree)
    _loose_text(tree)
    # narrowed to the page as it came: since then, rules made links, and shaping made headings
    # and paragraphs holding text only and re-parsed table cells (names already on the page)
    heading_links = narrowed(keys, _HEADING_LINKS)
    for anchor in tree.css(heading_links) if heading_links else ():
        if not (anchor.text(deep=True) or "").strip() and not has_media(anchor):
            anchor.remove()  # a permalink anchor: trafilatura would drop the heading text after it
    emphasis = narrowed(keys, _EMPHASIS_IN_LINK)
    for em in tree.css(emphasis) if emphasis else ():
        a = em.parent
        if a is not None and _SPACE.sub("", a.text(deep=True) or "") == _SPACE.sub(
            "", em.text(deep=True) or ""
        ):
            em.unwrap()  # trafilatura drops the URL of a link whose text is wrapped in emphasis
    _images(tree)


def _allowed(tree: LexborHTMLParser, rules: RuleSet) -> set[int]:
    """Nodes an `[allow]` selector protects, with everything inside them."""
    if not rules.allow.selectors:
        return set()
    out: set[int] = set()
    for node in tree.css(", ".join(rules.allow.selectors)):
        out.update(n.mem_id for n in node.traverse(include_text=False))
    return out


def _prune(tree: LexborHTMLParser, css: str, allowed: set[int]) -> None:
    for node in tree.css(css) if css else ():
        if allowed and (node.mem_id in allowed or any(n.mem_id in allowed for n in node.traverse())):
            continue  # protected, or holds something protected
        node.remove()  # not decompose(): a match may sit inside an earlier one


def _open_containers(tree: LexborHTMLParser, rules: RuleSet) -> None:
    """Containers the extractor discards whole (nav, aside …) around protected content are
    unwrapped, and the protected nodes lose the class and id words it discards by."""
    for node in tree.css(", ".join(rules.allow.selectors)):
        for attr in ("class", "id", "hidden", "aria-hidden", "style"):
            if node.attributes.get(attr) is not None:
                del node.attrs[attr]
        node.attrs[ALLOWED] = "1"  # found again after extraction (see recover.py)
        parent = node.parent
        while parent is not None and parent.tag not in ("body", "html"):
            up = parent.parent
            if parent.tag in _OPENED:
                parent.unwrap()
            parent = up


_CONTAINERS = "body, div, section, article, main"
_BLOCK_TAGS = frozenset(
    ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre")
)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(\S.*)$")


def _loose_text(tree: LexborHTMLParser) -> None:
    """Text standing between blocks (a farm's template leaves unrendered Markdown there:
    "### Method 1: …" after an ad block) becomes a block of its own, a heading when it is a
    Markdown heading; the extractor drops loose text."""
    loose: list[LexborNode] = []
    for container in tree.css(_CONTAINERS):
        if len((container.text(deep=False) or "").split()) < 3:
            continue  # its own text nodes joined hold under three words: none of them has three
        child = container.child
        blocks = False
        texts: list[LexborNode] = []
        while child is not None:
            if child.is_element_node and child.tag in _BLOCK_TAGS:
                blocks = True
            elif child.is_text_node and len((child.text_content or "").strip().split()) >= 3:
                texts.append(child)  # words, not a lone label ("More", "Advertisement")
            child = child.next
        if blocks:
            loose += texts
    for node in loose[:500]:
        text = _SPACE.sub(" ", node.text_content or "").strip()
        m = _MD_HEADING.match(text)
        tag = f"h{len(m.group(1))}" if m else "p"
        new = LexborHTMLParser(f"<{tag}>{htmllib.escape(m.group(2) if m else text)}</{tag}>").css_first(tag)
        if new is not None:
            node.insert_before(new)
            node.remove()


def _images(tree: LexborHTMLParser) -> None:
    found = tree.css("img, picture")  # one walk: the images go alone, never a picture
    for img in (n for n in found if n.tag == "img"):
        attrs = img.attributes
        src = str(attrs.get("src") or "").strip()
        if not src or src.startswith("data:"):
            real = next((str(attrs[k]) for k in _LAZY if attrs.get(k)), "")
            if real and not real.lstrip().startswith("{"):
                img.attrs["src"] = real
            elif not any(attrs.get(k) for k in _SOURCE_ATTRS[1:]):
                img.remove()  # no usable source: the image goes alone, never its paragraph
    for picture in (n for n in found if n.tag == "picture"):
        if picture.css_first("img[src], source[srcset]") is None:
            unwrap_node(picture)


def _is_layout(table: LexborNode) -> bool:
    """A table used to lay a page out, not to hold data: declared so, or holding another
    table, or a cell holding paragraphs or headings of real length, or one column of prose."""
    if str(table.attributes.get("role") or "").lower() in ("presentation", "none"):
        return True
    if any(_owned(c, table) for c in table.css("th, thead, caption")):
        return False
    rows = [r for r in table.css("tr") if _owned(r, table)]
    if not rows:
        return False
    cells = [c for c in table.css("td") if _owned(c, table)]
    if any(t.mem_id != table.mem_id for t in table.css("table")):  # css() holds the node itself
        return True
    if any(c.css_first(_BLOCKS) is not None and len(_SPACE.sub(" ", c.text() or "")) > 200 for c in cells):
        return True
    widths = {len([c for c in r.iter() if c.tag in ("td", "th")]) for r in rows}
    text = [len(_SPACE.sub(" ", c.text() or "").strip()) for c in cells]
    return widths == {1} and bool(text) and sum(text) / len(text) > 200


def _owned(node: LexborNode, table: LexborNode) -> bool:
    """Whether `node` belongs to `table` itself, not to a table nested in it."""
    parent = node.parent
    while parent is not None and parent.tag != "table":
        parent = parent.parent
    return parent is not None and parent.mem_id == table.mem_id


def _flatten_layout_tables(tree: LexborHTMLParser) -> None:
    """Layout tables become one block per cell, outermost first (a nested data table stays)."""
    for _ in range(_MAX_TABLES):
        table = next((t for t in tree.css("table") if _is_layout(t)), None)
        if table is None:
            return
        cells = [c for c in table.css("td, th") if _owned(c, table)]
        html = "".join(f"<div>{c.inner_html or ''}</div>" for c in cells)
        fragment = LexborHTMLParser(f"<div>{html}</div>").css_first("body > div")
        if fragment is None:
            table.remove()
            continue
        table.insert_before(fragment)
        table.remove()
