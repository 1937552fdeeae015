"""Article parts the extractor drops by design, put back in place after extraction.

trafilatura drops a short closing paragraph whose words are mostly short links ("Source:
Atari via The Verge"), and link-dense lists such as an article's own table of contents. A news
post's source line is article text, and what an `[allow]` entry protects must reach the
output: each such block missing from the extracted article is rebuilt as trafilatura XML and
inserted after the block that precedes it on the page (never at a guessed place).
"""

from __future__ import annotations

import re

from lxml import etree
from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.ruleset import RuleSet
from scraper.pipeline.shape import ALLOWED

_SOURCE_LINE = re.compile(
    r"^(?:sources?|via|credits?|quelle|quellen|fuente|fonte|source originale)\s*:\s*\S", re.I
)
# the first letters of _SOURCE_LINE's words as it matches them (case ignored as it ignores it)
_LEAD = re.compile(r"[svcqf]", re.I)
_SPACE = re.compile(r"\s+")
_ANCHOR_CHARS = 40
_MAX_RESTORED = 20
_HI = {"strong": "#b", "b": "#b", "em": "#i", "i": "#i"}


def _text(node: LexborNode) -> str:
    return " ".join((node.text(deep=True) or "").split())  # str.split: the same whitespace as \s


def restore(
    tree: LexborHTMLParser, body: etree._Element, rules: RuleSet, blocks: list[LexborNode] | None = None
) -> None:
    """Put the page's source lines and the protected blocks the extractor dropped back.
    `blocks`: the page's <p> and <div> elements in page order, when already found."""
    found = tree.css("p, div") if blocks is None else blocks
    wanted = [p for p in found if _is_source_line(p)]
    if rules.allow.selectors:
        wanted += tree.css(f"[{ALLOWED}]")
    if not wanted:
        return
    extracted = _SPACE.sub(" ", " ".join(body.itertext()))
    done = 0
    for node in wanted:
        text = _text(node)
        if not text or text in extracted or done >= _MAX_RESTORED:
            continue
        anchor = _anchor(node, body)
        if anchor is not None:
            anchor.addnext(_xml(node))
            done += 1


_INLINE = frozenset(("a", "span", "em", "strong", "i", "b", "u", "small", "cite", "br", "sup", "sub"))


def _is_source_line(node: LexborNode) -> bool:
    """A short paragraph (or a div holding only inline content) that reads "Source: …"."""
    child = node.child
    while child is not None:  # direct children only: cheap on deep pages
        if child.is_element_node and child.tag not in _INLINE:
            return False
        child = child.next
    first = node.child
    while first is not None and first.is_text_node and not (first.text_content or "").strip():
        first = first.next
    if first is None or not (first.is_text_node or first.tag in _INLINE):
        return False
    if first.is_text_node and not _LEAD.match((first.text_content or "").lstrip()):
        return False  # the text starts with this text's first letter: no source line starts so
    text = _text(node)
    return len(text) <= 300 and bool(_SOURCE_LINE.match(text))


def _anchor(node: LexborNode, body: etree._Element) -> etree._Element | None:
    """The extracted block holding the end of the text just before `node` on the page."""
    prev = node.prev
    while prev is not None and not (prev.is_element_node and len(_text(prev)) >= 20):
        prev = prev.prev
    if prev is None:
        parent = node.parent
        return _anchor(parent, body) if parent is not None and parent.tag not in ("body", "html") else None
    tail = _text(prev)[-_ANCHOR_CHARS:]
    for el in body:
        if tail in _SPACE.sub(" ", "".join(el.itertext())):
            return el
    return None


def _xml(node: LexborNode) -> etree._Element:
    """A page block as trafilatura XML: lists stay lists, headings headings, the rest a
    paragraph; links, emphasis and images inside are kept."""
    if node.tag in ("ul", "ol"):
        el = etree.Element("list", rend=node.tag)
        for li in node.css("li"):
            if li.parent is not None and li.parent.mem_id == node.mem_id:
                _inline(li, etree.SubElement(el, "item"))
        return el
    if node.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        el = etree.Element("head", rend=node.tag)
    else:
        inner = node.css_first("ul, ol")
        if inner is not None and not _SPACE.sub("", _text(node)).replace(_SPACE.sub("", _text(inner)), ""):
            return _xml(inner)  # a wrapper around a list
        el = etree.Element("p")
    _inline(node, el)
    return el


def _append_text(el: etree._Element, text: str) -> None:
    if len(el):
        last = el[-1]
        last.tail = (last.tail or "") + text
    else:
        el.text = (el.text or "") + text


def _inline(node: LexborNode, el: etree._Element) -> None:
    child = node.child
    while child is not None:
        if child.is_text_node:
            _append_text(el, child.text_content or "")
        elif child.is_element_node:
            tag = child.tag or ""
            if tag == "a" and child.attributes.get("href"):
                _inline(child, etree.SubElement(el, "ref", target=str(child.attributes["href"])))
            elif tag in _HI:
                _inline(child, etree.SubElement(el, "hi", rend=_HI[tag]))
            elif tag == "img" and child.attributes.get("src"):
                etree.SubElement(
                    el,
                    "graphic",
                    src=str(child.attributes["src"]),
                    alt=str(child.attributes.get("alt") or ""),
                )
            elif tag == "br":
                etree.SubElement(el, "lb")
            elif tag not in ("script", "style", "template"):
                _inline(child, el)
        child = child.next
