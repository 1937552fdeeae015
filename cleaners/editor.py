"""Editors apply rule decisions to a lexbor DOM and record each one as a Removal.

`DomEditor` is used for HTML pages: it changes the DOM, nothing else. `SpanEditor`
(`cleaners.spaneditor`) is used for Markdown bodies: it changes the DOM too (so later rules see
the result) and also turns each decision into an edit of exact character spans of the original
text (see `cleaners.htmlspan`).
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.htmlspan import SX
from cleaners.records import Removal
from cleaners.ruleset import RuleSet
from cleaners.safeurl import is_safe_url
from cleaners.urls import UrlStep

MEDIA = frozenset(
    ["img", "video", "audio", "iframe", "picture", "source", "svg", "embed", "object", "canvas"]
)
# Containers that are removed with their last child when that removal leaves them empty.
_CONTAINERS = frozenset(
    "span div p center figure figcaption a li ul ol font small strong b em i u section aside "
    "h1 h2 h3 h4 h5 h6 ins".split()
)


def same(a: LexborNode | None, b: LexborNode | None) -> bool:
    return a is not None and b is not None and a.mem_id == b.mem_id


def attached(node: LexborNode) -> bool:
    """Still in the document (not inside a subtree an earlier rule removed)."""
    cur: LexborNode | None = node
    while cur is not None:
        if cur.is_document_node:
            return True
        cur = cur.parent
    return False


def contains(outer: LexborNode, inner: LexborNode) -> bool:
    cur: LexborNode | None = inner
    while cur is not None:
        if same(cur, outer):
            return True
        cur = cur.parent
    return False


_MEDIA_CSS = ",".join(sorted(MEDIA))


def has_media(node: LexborNode) -> bool:
    if node.tag in MEDIA:
        return True
    return node.is_element_node and node.css_first(_MEDIA_CSS) is not None


def count_media(node: LexborNode) -> int:
    """Media elements in a subtree (lexbor's css() includes the node itself)."""
    if not node.is_element_node:
        return 0
    return len(node.css(_MEDIA_CSS))


def node_text(node: LexborNode) -> str:
    if node.is_text_node:
        return node.text_content or ""
    if node.is_element_node:
        return node.text(deep=True) or ""
    return ""


def _edge_char(node: LexborNode | None, last: bool) -> str:
    """The last (or first) character of a sibling's text, "" when there is none."""
    if node is None:
        return ""
    text = node_text(node)
    return (text[-1:] if last else text[:1]) if text else ""


def glued(left: str, right: str) -> bool:
    """Two word characters that would touch once what stood between them goes."""
    return left.isalnum() and right.isalnum()


def glue_sides(node: LexborNode, keep_content: bool) -> tuple[bool, bool]:
    """Where a space must stand in for the node so the words on either side stay apart: for an
    unwrap, between each neighbour and the content's edge; for a removal, between the
    neighbours (a converter dropped the space at the link's edge: `can<a>uninstall</a>`)."""
    before, after = _edge_char(node.prev, True), _edge_char(node.next, False)
    if not keep_content:
        return glued(before, after), False
    text = node_text(node)
    if not text:
        return glued(before, after), False
    return glued(before, text[0]), glued(text[-1], after)


def unwrap_node(node: LexborNode) -> None:
    """Drop an element and keep its content. lexbor's unwrap leaves an element without
    children in place: such an element is removed."""
    if node.first_child is None:
        node.remove()
    else:
        node.unwrap()


def range_nodes(first: LexborNode, last: LexborNode) -> list[LexborNode] | None:
    """The maximal subtrees from `first` to `last` in document order (both included)."""
    out = [first]
    cur: LexborNode | None = first
    while True:
        assert cur is not None
        nxt = cur.next
        while nxt is None:
            cur = cur.parent
            if cur is None or cur.is_document_node:
                return None
            nxt = cur.next
        cur = nxt
        while contains(cur, last) and not same(cur, last):
            cur = cur.first_child
            if cur is None:
                return None
        out.append(cur)
        if same(cur, last):
            return out


@dataclass
class Edit:
    """Replace the source between start and end with text."""

    start: int
    end: int
    text: str


class DomEditor:
    """Applies decisions to the DOM of an HTML page."""

    markdown = False

    def __init__(self, tree: LexborHTMLParser, rules: RuleSet) -> None:
        self.tree = tree
        self.rules = rules
        self.removals: list[Removal] = []
        allow = ", ".join(rules.allow.selectors)
        self._allow_css = allow or None
        self._protected: set[int] = set()
        if allow:
            for node in tree.css(allow):
                self._protected.add(node.mem_id)
                for d in node.traverse(include_text=False):
                    self._protected.add(d.mem_id)

    # -- protection --------------------------------------------------------------------------------

    def protected(self, node: LexborNode) -> bool:
        if not self._protected:
            return False
        if node.mem_id in self._protected:
            return True
        return bool(node.is_element_node and self._allow_css and node.css_first(self._allow_css))

    def _text_allowed(self, snippet: str) -> bool:
        return self.rules.allow.allows_text(snippet)

    # -- recording ----------------------------------------------------------------------------------

    def snippet(self, node: LexborNode) -> str:
        return node.html or ""

    def location(self, node: LexborNode) -> dict[str, object]:
        return {"path": element_path(node)}

    def _record(
        self,
        category: str,
        rule: str,
        reason: str,
        snippet: str,
        replacement: str | None,
        loc: dict[str, object],
    ) -> None:
        self.removals.append(
            Removal(category, rule, reason, snippet, replacement, **loc)  # type: ignore[arg-type]
        )

    # -- decisions ----------------------------------------------------------------------------------

    def _climb(self, node: LexborNode) -> LexborNode:
        """The node itself, or the outermost container that only holds it."""
        target = node
        text = node_text(node).strip()
        media = count_media(node)
        while True:
            parent = target.parent
            if parent is None or not parent.is_element_node or parent.tag not in _CONTAINERS:
                return target
            if self.markdown and SX not in parent.attrs:
                return target
            if self.protected(parent):
                return target
            if node_text(parent).strip() != text:
                return target
            if count_media(parent) != media:
                return target
            target = parent

    def remove(self, node: LexborNode, category: str, rule: str, reason: str, climb: bool = True) -> bool:
        """Remove an element (with the containers it leaves empty, when `climb`)."""
        if not attached(node) or self.protected(node):
            return False
        target = self._climb(node) if climb else node
        snippet = self.snippet(target)
        if self._text_allowed(snippet):
            return False
        self._record(category, rule, reason, snippet, None, self.location(target))
        self._apply_remove(target)
        if not self.markdown and glue_sides(target, False)[0]:
            target.insert_before(" ")
        target.remove()
        return True

    def remove_range(
        self, first: LexborNode, last: LexborNode, category: str, rule: str, reason: str
    ) -> bool:
        if not (attached(first) and attached(last)):
            return False
        nodes = range_nodes(first, last)
        if nodes is None or any(n.is_element_node and self.protected(n) for n in nodes):
            return False
        snippet = self.range_snippet(first, last, nodes)
        if self._text_allowed(snippet):
            return False
        self._record(category, rule, reason, snippet, None, self.range_location(first, last))
        self._apply_range(first, last)
        for n in nodes:
            n.remove()
        return True

    def range_location(self, first: LexborNode, last: LexborNode) -> dict[str, object]:
        return self.location(first)

    def range_snippet(self, first: LexborNode, last: LexborNode, nodes: list[LexborNode]) -> str:
        return "".join(n.html or n.text_content or "" for n in nodes)

    def unwrap(
        self, node: LexborNode, category: str, rule: str, reason: str, steps: tuple[UrlStep, ...] = ()
    ) -> bool:
        """Drop the element, keep its content (a link that goes, its text that stays)."""
        if not attached(node) or self.protected(node):
            return False
        snippet = self.snippet(node)
        if self._text_allowed(snippet):
            return False
        loc = self.location(node)
        for step in steps:
            self._record(step.category, step.rule, step.reason, step.removed, None, loc)
        self._record(category, rule, reason, snippet, node_text(node), loc)
        self._apply_unwrap(node)
        if not self.markdown:  # a Markdown body's edits are spaced where they are applied
            left, right = glue_sides(node, True)
            if left:
                node.insert_before(" ")
            if right:
                node.insert_after(" ")
        unwrap_node(node)
        return True

    def set_url(self, node: LexborNode, attr: str, value: str, steps: tuple[UrlStep, ...]) -> bool:
        """Write a rule's URL; one the gate refuses is not written (the `unsafe` rule judges
        the attribute as it was)."""
        if not attached(node) or self.protected(node) or not is_safe_url(value):
            return False
        old = str(node.attributes.get(attr) or "")
        if self._text_allowed(old):
            return False
        loc = self.location(node)
        for step in steps:
            self._record(step.category, step.rule, step.reason, step.removed, value, loc)
        self._apply_attr(node, attr, value)
        node.attrs[attr] = value
        return True

    def drop_attr(self, node: LexborNode, attr: str, category: str, rule: str, reason: str) -> bool:
        if not attached(node) or self.protected(node):
            return False
        value = str(node.attributes.get(attr) or "")
        self._record(category, rule, reason, f'{attr}="{value}"', None, self.location(node))
        self._apply_drop_attr(node, attr)
        del node.attrs[attr]
        return True

    def replace_with_link(
        self, node: LexborNode, url: str, text: str, category: str, rule: str, reason: str
    ) -> bool:
        if not attached(node) or self.protected(node):
            return False
        snippet = self.snippet(node)
        markdown = f"[{text}]({url})"
        self._record(category, rule, reason, snippet, markdown, self.location(node))
        self._apply_replace(node, markdown)
        import html as htmllib  # (here: its table of references is a large module)

        new = LexborHTMLParser(f'<a href="{htmllib.escape(url)}">{htmllib.escape(text)}</a>')
        link = new.css_first("a")
        if link is not None:
            node.insert_before(link)
        node.remove()
        return True

    def remove_labelled(self, node: LexborNode, label: str, category: str, rule: str, reason: str) -> bool:
        """Remove a list whose label is plain text just before it (only Markdown has those)."""
        return self.remove(node, category, rule, reason)

    # -- hooks for SpanEditor -------------------------------------------------------------------

    def _apply_remove(self, node: LexborNode) -> None:
        pass

    def _apply_range(self, first: LexborNode, last: LexborNode) -> None:
        pass

    def _apply_unwrap(self, node: LexborNode) -> None:
        pass

    def _apply_attr(self, node: LexborNode, attr: str, value: str) -> None:
        pass

    def _apply_drop_attr(self, node: LexborNode, attr: str) -> None:
        pass

    def _apply_replace(self, node: LexborNode, text: str) -> None:
        pass


def element_path(node: LexborNode) -> str:
    """Where an element is, as a removal records it: its five innermost elements below <body>, each
    named by its tag and its first id word, else its first class word (an id or class that is only
    whitespace names nothing)."""
    parts: list[str] = []
    cur: LexborNode | None = node
    while cur is not None and len(parts) < 5 and cur.is_element_node and cur.tag not in ("html", "body"):
        attrs = cur.attributes
        label = cur.tag or "?"
        ident = str(attrs.get("id") or "").split()
        classes = str(attrs.get("class") or "").split()
        if ident:
            label += "#" + ident[0]
        elif classes:
            label += "." + classes[0]
        parts.append(label)
        cur = cur.parent
    return " > ".join(reversed(parts))
