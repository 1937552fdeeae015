"""Debris: what a removal leaves behind is removed with it, and structure that is not
content is opened. A link that goes takes with it a text that means nothing without it (its
URL, a lone button label); a broken image-link's brackets go with its target; a link whose
text is its URL shows the cleaned URL; forms are unwrapped, their controls removed.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from cleaners.editor import DomEditor, attached, node_text, unwrap_node
from cleaners.urls import UrlStep

_FORM_CONTROLS = "input, button, select, textarea, keygen, output"
# A link with no text shows nothing (a farm's converter dropped the icon or picture it held).
EMPTY_LINK = UrlStep("layout", "empty-link", "link with no text: it shows nothing", "")

# Link texts that mean nothing without their link: the URL itself, or a button label.
_AT = r"(?: (?:it )?(?:at|on|from) [\w.&'’ -]{2,30})?"
_LABEL = (
    rf"(?:(?:download|buy|order|shop|view)(?: (?:it )?(?:now|here|today))?{_AT}"
    r"|(?:get|try|grab|claim)(?: it)? (?:now|free|today|here)"
    rf"|(?:check|view|see|compare) (?:the )?(?:latest )?(?:prices?|deals?|offers?){_AT}"
    r"|(?:see|view|shop) (?:it )?(?:at|on) [\w.&'’ -]{2,30}"
    r"|free download|learn more|read more|click here|sign up(?: now)?)"
)
_WHOLE = re.compile(rf"^(?:(?:https?://|www\.)\S+|{_LABEL})[\s!.:>»→]*$", re.I)
# Other buttons of a row of them ("[View now at Apple](…)[View now at Best Buy](…)") are not
# text the label stands in: a row of buttons is no sentence.
_BUTTON_LINK = re.compile(rf"\[{_LABEL}[\s!.:>»→]*\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)", re.I)
_BUTTON_TEXT = re.compile(rf"\b{_LABEL}[\s!.:>»→]*", re.I)


_EMPHASIS_OR_SPACE = re.compile(r"[*_`]+|\s+")
_URL_TEXT = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_LINE_RESIDUE = re.compile(r"^[\s*_>#+\-.)\d]*$")


def goes_whole(text: str, around: str = "") -> bool:
    """Whether a link that goes takes its text with it: nothing, or the link's URL, or a
    button label ("Download now", "See at Amazon") with nothing else on its line or in its
    block (`around`: the rest of it) would be debris. A label in a sentence stays."""
    t = _EMPHASIS_OR_SPACE.sub(" ", text).strip()
    if not t or _URL_TEXT.match(t):
        return True
    if not _WHOLE.match(t):
        return False
    rest = _BUTTON_TEXT.sub("", _BUTTON_LINK.sub("", around))
    return bool(_LINE_RESIDUE.match(rest))


def text_around(text: str, start: int, end: int) -> str:
    """The rest of the line a span of a text sits on."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return text[line_start:start] + text[end : len(text) if line_end < 0 else line_end]


# Inline elements a link may sit in while its line goes on around them (`<strong><a>…</a></strong> and …`).
_INLINE = frozenset(
    "abbr b bdi bdo cite code del dfn em font i ins kbd mark q s samp small span strong sub sup u var".split()
)
_MAX_INLINE_DEPTH = 8


def line_around(node: LexborNode) -> str:
    """The text beside an inline element on its line (up to a <br> or its block's edge), through
    the inline elements that wrap it."""
    parts: list[str] = []
    open_sides = {"prev", "next"}  # a side closes at a <br>
    for _ in range(_MAX_INLINE_DEPTH):
        for step in tuple(open_sides):
            cur = getattr(node, step)
            while cur is not None and cur.tag != "br":
                parts.append(node_text(cur) if cur.is_element_node else cur.text_content or "")
                cur = getattr(cur, step)
            if cur is not None:
                open_sides.discard(step)
        parent = node.parent
        if not open_sides or parent is None or parent.tag not in _INLINE:
            break
        node = parent
    return " ".join(parts)


def drop_link_tail(before: LexborNode | None, after: LexborNode | None) -> None:
    """A broken scraped image-link renders its target as text between "](" and ")": when the
    target goes, its brackets go with it (the removal's debris, not the article's text)."""
    if before is None or after is None or not (before.is_text_node and after.is_text_node):
        return
    left, right = before.text_content or "", after.text_content or ""
    if left.rstrip().endswith("](") and right.lstrip().startswith(")"):
        before.replace_with(left.rstrip()[:-2].rstrip() + " ")
        after.replace_with(right.lstrip()[1:])


def rewrite_url_text(a: LexborNode, old: str, new: str) -> None:
    """A link whose text is its own URL (a broken scraped image-link rendered as text) shows
    the cleaned URL, not the one with the trackers."""
    texts = [t for t in a.traverse(include_text=True) if t.is_text_node]
    for t in texts:
        value = t.text_content or ""
        if value.strip() == old.strip():
            t.replace_with(value.replace(old.strip(), new))


def unwrap_forms(scope: LexborNode, ed: DomEditor, forms: list[LexborNode] | None = None) -> None:
    """Forms are containers: their controls go, their content stays (ASP.NET and some CMS
    templates wrap the whole page in one form). On a page the form tag itself never reaches
    the Markdown, so it is unwrapped as layout; in a Markdown island its tag is cut.
    `forms`: the forms in `scope` in page order, when already found (detached ones skipped)."""
    for form in scope.css("form") if forms is None else forms:
        if not attached(form):
            continue
        for control in form.css(_FORM_CONTROLS):
            if attached(control):
                ed.remove(control, "unsafe", "form-control", f"<{control.tag}> form control", climb=False)
        if ed.markdown:
            why = "<form> unwrapped: its controls removed, its content kept"
            ed.unwrap(form, "unsafe", "form-element", why)
        elif not ed.protected(form):
            unwrap_node(form)
