"""The DOM rule for what could run: scripts, frames, plugins, SVG/MathML animation, event
handlers, and every URL attribute the gate (`cleaners.safeurl.is_safe_url`) refuses. Forms are
containers: their controls go, their content stays (`cleaners.debris.unwrap_forms`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.debris import unwrap_forms
from cleaners.editor import DomEditor, attached
from cleaners.pagekeys import narrowed
from cleaners.safeurl import is_safe_url, srcset_urls

if TYPE_CHECKING:
    from cleaners.dom import DomContext

__all__ = ["unsafe"]

_UNSAFE_TAGS = (
    "script, iframe, object, embed, applet, frame, frameset, base, style, link, meta, "
    # SVG/MathML elements that set or animate attributes (href included) or handle events
    "animate, set, animatemotion, animatetransform, animatecolor, handler, listener, maction"
)
# Attributes a browser loads or follows (HTML, SVG, MathML, legacy IE); srcset is checked per URL.
_URL_ATTRS = frozenset(
    "href src action formaction poster background xlink:href data cite longdesc lowsrc dynsrc "
    "ping codebase archive manifest icon profile usemap classid".split()
)
# On a page: links whose URL does not plainly start as a web or in-page URL (lexbor has decoded
# the references), and images.
_WEB = ':not([href^="https://" i]):not([href^="http://" i]):not([href^="/"]):not([href^="#"])'
_PAGE_CANDIDATES = f"a[href]{_WEB}, area[href]{_WEB}, img"
_CANDIDATE_TAGS = frozenset(("a", "area", "img"))
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-orig-file", "data-lazy")
_SRCSET_ATTRS = ("srcset", "data-srcset", "imagesrcset")


def _scope(tree: LexborHTMLParser) -> LexborNode:
    return tree.body if tree.body is not None else tree.root  # type: ignore[return-value]


def unsafe(tree: LexborHTMLParser, ctx: DomContext, ed: DomEditor) -> None:
    """Scripts, frames, plugins, SVG animation; event handlers and every URL attribute the gate
    (`is_safe_url`) refuses; forms unwrapped (controls removed, content kept). Known video
    embeds become plain links."""
    scope = _scope(tree)
    # One walk finds the unsafe elements, the forms and (on a page) the link and image
    # candidates: each selector matches its own tags, so split by tag each list is its query's
    # in page order. Removals only detach (`attached` is checked where it was before); the one
    # change that adds elements, an embedded player made a link, has the candidates found again.
    if ed.markdown:
        found = scope.css(_UNSAFE_TAGS)
    else:  # the unsafe tags narrowed to those on the page (lexbor tries each tag on each element)
        css = narrowed(ctx.keys, ", ".join((_UNSAFE_TAGS, "form", _PAGE_CANDIDATES)))
        found = scope.css(css) if css else []
    added = False
    for node in found:
        tag = node.tag
        if tag in _CANDIDATE_TAGS or tag == "form" or not attached(node):
            continue
        if tag == "meta" and "refresh" not in str(node.attributes.get("http-equiv") or "").lower():
            continue
        if tag == "iframe" and _embed_link(node, ctx, ed):
            added = True
            continue
        ed.remove(node, "unsafe", f"{tag}-element", f"<{tag}> element", climb=ed.markdown)
    unwrap_forms(scope, ed, None if ed.markdown else [n for n in found if n.tag == "form"])
    # On a page only links and images reach the Markdown (tomarkdown gates them again); in a
    # Markdown island every attribute does.
    if ed.markdown:
        candidates = scope.css("*")
    elif added:
        candidates = scope.css(_PAGE_CANDIDATES)
    else:
        candidates = [n for n in found if n.tag in _CANDIDATE_TAGS]
    for node in candidates:
        if attached(node):
            _unsafe_attributes(node, ed)


def _unsafe_attributes(node: LexborNode, ed: DomEditor) -> None:
    for name, value in list(node.attributes.items()):
        lname = name.lower()
        if lname.startswith("on") and ed.markdown:
            ed.drop_attr(node, name, "unsafe", "event-handler", "event-handler attribute")
            continue
        if lname == "srcdoc":
            ed.drop_attr(node, name, "unsafe", "url-scheme", "srcdoc attribute")
            continue
        if not value or (lname not in _URL_ATTRS and lname not in _SRCSET_ATTRS and lname not in _LAZY_ATTRS):
            continue
        urls = srcset_urls(str(value)) if lname in _SRCSET_ATTRS else [str(value)]
        if all(is_safe_url(u) for u in urls):
            continue
        if node.tag in ("a", "area") and lname == "href":
            ed.unwrap(node, "unsafe", "url-scheme", "link URL the gate refuses")
            return
        if node.tag == "img" and lname == "src":
            ed.remove(node, "unsafe", "url-scheme", "image URL the gate refuses", climb=False)
            return
        ed.drop_attr(node, name, "unsafe", "url-scheme", "URL attribute the gate refuses")


def _embed_link(node: LexborNode, ctx: DomContext, ed: DomEditor) -> bool:
    src = ctx.urls.resolve(str(node.attributes.get("src") or ""))
    host = ctx.urls.host(src)
    path = re.sub(r"^[a-z]+://[^/]+", "", src, flags=re.I)
    for embed in ctx.rules.embeds:
        if embed.hosts.matches(host):
            m = embed.pattern.search(path)
            if m:
                url = embed.link.format(**m.groupdict())
                title = str(node.attributes.get("title") or "").strip() or f"Video ({embed.name})"
                return ed.replace_with_link(
                    node, url, title, "unsafe", f"{embed.name}-embed", "embedded player made a link"
                )
    return False
