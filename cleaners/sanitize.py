"""The allow-list sanitizer for raw HTML that stays in Markdown output.

Hand-written rules cannot follow every turn of the HTML parser (attributes without separating
whitespace, `<img/src/onerror=…>`, markup hidden in an attribute that a browser re-parses after
`</noscript>`, `<!-->`, SVG animation elements that set `href` …). So after the rules have run,
every stretch of a Markdown body that a browser could read as markup is handed to `nh3` — the
Python binding of the Rust `ammonia` sanitizer, which parses with html5ever as a browser does —
with the tags and attributes article Markdown needs, and every URL attribute through the one gate
(`cleaners.safeurl.is_safe_url`). A stretch nh3 would leave as it is (same elements, attributes
and text when both are parsed by lexbor, and it swallows nothing that follows it) keeps its bytes;
any other is replaced by nh3's output, and the replacement is recorded as `unsafe`.

Allow-list decisions: no `style` element or attribute (CSS can cover a page or load remote
resources; article Markdown does not need it), no forms, frames, plugins, SVG or MathML (their
animation and `xlink:href` vectors), no `data-*` attributes (script gadgets of page frameworks);
`id` and `class` stay (an article's table of contents links to its own `#ids`).
"""

from __future__ import annotations

import nh3
from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.safeurl import is_safe_url, srcset_urls

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "URL_ATTRIBUTES", "sanitize_html", "unchanged_by_sanitizer"]

ALLOWED_TAGS = frozenset(
    (nh3.ALLOWED_TAGS - {"area", "map", "nav", "header", "footer", "aside", "article", "hgroup", "data"})
    | {"picture", "source", "video", "audio", "track", "font", "section", "main"}
)
_GENERIC = {"title", "lang", "dir", "id", "class"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": _GENERIC,
    "a": {"href", "hreflang", "rel", "target", "name"},
    "img": {"align", "width", "height", "src", "alt", "srcset", "sizes", "loading", "decoding"},
    "source": {"src", "srcset", "type", "media", "sizes", "width", "height"},
    "video": {"src", "poster", "controls", "width", "height", "preload", "muted", "loop", "playsinline"},
    "audio": {"src", "controls", "preload", "muted", "loop"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "font": {"color", "size", "face"},
    "time": {"datetime"},
    "li": {"value"},
    "ol": {"start", "type", "reversed"},
    "details": {"open"},
}
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "poster", "action", "formaction", "background", "data"})
# Removed with everything inside: scripts, styles, templates and what holds no article text.
_DROP_CONTENT = frozenset(
    {"script", "style", "template", "noscript", "textarea", "title", "xmp", "noembed", "noframes"}
    | {"iframe", "object", "embed", "applet", "frame", "frameset", "select", "option", "button"}
)


def _attribute(tag: str, attr: str, value: str) -> str | None:
    """nh3's attribute filter: URL attributes through the gate (each candidate of a srcset)."""
    if attr in URL_ATTRIBUTES:
        return value if is_safe_url(value) else None
    if attr == "srcset":
        return value if all(is_safe_url(u) for u in srcset_urls(value)) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(_DROP_CONTENT),
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_attribute,
    strip_comments=True,
    link_rel=None,
    url_schemes={"http", "https", "mailto"},
)


def sanitize_html(markup: str) -> str:
    """The markup with everything outside the allow-list gone (nh3)."""
    return _CLEANER.clean(markup)


# What follows a stretch when it is checked: a stretch that leaves an attribute, a comment or a
# raw-text element open would swallow the rest of the document, and this element with it.
_PROBE = "<b data-sx-probe>\ue003</b>"


def _signature(markup: str) -> list[tuple[str, ...]]:
    """Elements (tag, attributes) and text of markup as a browser parses it; comments left out."""
    tree = LexborHTMLParser("<!DOCTYPE html><html><head></head><body>" + markup + _PROBE)
    body = tree.body
    out: list[tuple[str, ...]] = []
    if body is None:
        return out
    node: LexborNode
    for node in body.traverse(include_text=True):
        if node.is_element_node:
            attrs = node.attributes
            out.append((str(node.tag), *(f"{k}={v}" for k, v in attrs.items())))
        elif node.is_text_node:
            out.append(("#text", node.text_content or ""))
    return out


def unchanged_by_sanitizer(markup: str, clean: str) -> bool:
    """The sanitizer's output parses to what the markup parses to (and the markup closes)."""
    return _signature(markup) == _signature(clean)
