"""`SpanEditor`: DOM decisions on a Markdown body's HTML islands, applied to the DOM (so later
rules see the result) and turned into edits of exact character spans of the original text."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.editor import DomEditor, Edit, attached
from cleaners.htmlspan import SX, Element, Scan, comment_index
from cleaners.records import LineIndex
from cleaners.ruleset import RuleSet

__all__ = ["SpanEditor"]


class SpanEditor(DomEditor):
    """Applies decisions to a Markdown body's HTML islands as edits of the original text."""

    markdown = True

    def __init__(
        self, tree: LexborHTMLParser, rules: RuleSet, source: str, scanned: Scan, lines: LineIndex
    ) -> None:
        super().__init__(tree, rules)
        self.source = source
        self.scan = scanned
        self.edits: list[Edit] = []
        self.lines = lines

    def element(self, node: LexborNode) -> Element | None:
        sx = node.attrs.get(SX) if node.is_element_node else None  # (attrs: no dict of them all)
        return self.scan.elements[int(sx)] if sx is not None else None

    def span(self, node: LexborNode) -> tuple[int, int] | None:
        if node.is_comment_node:
            idx = comment_index(node.comment_content or "")
            if idx is None:
                return None
            c = self.scan.comments[idx]
            return c.start, c.end
        el = self.element(node)
        if el is not None:
            return el.start, el.end
        if node.is_element_node:  # an element lexbor implied: cover its source descendants
            spans = [self.scan.elements[int(str(d.attributes[SX]))] for d in node.css(f"[{SX}]")]
            if spans:
                return min(e.start for e in spans), max(e.end for e in spans)
        return None

    def line(self, offset: int) -> int:
        return self.lines.line(offset)

    def _loc(self, start: int, end: int) -> dict[str, object]:
        return {"line": self.line(start), "end_line": self.line(max(start, end - 1))}

    def snippet(self, node: LexborNode) -> str:
        sp = self.span(node)
        return self.source[sp[0] : sp[1]] if sp else ""

    def location(self, node: LexborNode) -> dict[str, object]:
        sp = self.span(node)
        return self._loc(*sp) if sp else {}

    def range_location(self, first: LexborNode, last: LexborNode) -> dict[str, object]:
        a, b = self.span(first), self.span(last)
        return self._loc(a[0], b[1]) if a and b else {}

    def range_snippet(self, first: LexborNode, last: LexborNode, nodes: list[LexborNode]) -> str:
        a, b = self.span(first), self.span(last)
        return self.source[a[0] : b[1]] if a and b else ""

    def remove(self, node: LexborNode, category: str, rule: str, reason: str, climb: bool = True) -> bool:
        return self.span(node) is not None and super().remove(node, category, rule, reason, climb)

    def remove_range(
        self, first: LexborNode, last: LexborNode, category: str, rule: str, reason: str
    ) -> bool:
        if self.span(first) is None or self.span(last) is None:
            return False
        return super().remove_range(first, last, category, rule, reason)

    def remove_labelled(self, node: LexborNode, label: str, category: str, rule: str, reason: str) -> bool:
        sp = self.span(node)
        if sp is None or not attached(node) or self.protected(node):
            return False
        line_end = self.source.rfind("\n", 0, sp[0])
        while line_end > 0 and not self.source[self.source.rfind("\n", 0, line_end) + 1 : line_end].strip():
            line_end = self.source.rfind("\n", 0, line_end)
        line_start = self.source.rfind("\n", 0, max(line_end, 0)) + 1
        if line_end <= 0 or self.source[line_start:line_end].strip() != label.strip():
            return self.remove(node, category, rule, reason)
        snippet = self.source[line_start : sp[1]]
        if self._text_allowed(snippet):
            return False
        self._record(category, rule, reason, snippet, None, self._loc(line_start, sp[1]))
        self.edits.append(Edit(line_start, sp[1], ""))
        node.remove()
        return True

    def _apply_remove(self, node: LexborNode) -> None:
        sp = self.span(node)
        if sp:
            self.edits.append(Edit(sp[0], sp[1], ""))

    def _apply_range(self, first: LexborNode, last: LexborNode) -> None:
        a, b = self.span(first), self.span(last)
        if a and b:
            self.edits.append(Edit(a[0], b[1], ""))

    def _apply_replace(self, node: LexborNode, text: str) -> None:
        sp = self.span(node)
        if sp:
            self.edits.append(Edit(sp[0], sp[1], text))

    def _apply_unwrap(self, node: LexborNode) -> None:
        el = self.element(node)
        if el is None:
            return
        self.edits.append(Edit(el.start, el.open_end, ""))
        if el.close_start >= 0:
            self.edits.append(Edit(el.close_start, el.end, ""))

    def _apply_attr(self, node: LexborNode, attr: str, value: str) -> None:
        el = self.element(node)
        a = el.attr(attr) if el else None
        if a is None or a.value_start < 0:
            return
        raw = self.source[a.value_start : a.value_end]
        new = value.replace("&", "&amp;") if "&amp;" in raw else value
        if a.quote:
            new = new.replace(a.quote, "&quot;" if a.quote == '"' else "&#39;")
        elif any(c in new for c in " \t\n\"'=<>`"):
            new = '"' + new.replace('"', "&quot;") + '"'
        self.edits.append(Edit(a.value_start, a.value_end, new))

    def _apply_drop_attr(self, node: LexborNode, attr: str) -> None:
        el = self.element(node)
        a = el.attr(attr) if el else None
        if a is not None:
            self.edits.append(Edit(a.start, a.end, ""))
