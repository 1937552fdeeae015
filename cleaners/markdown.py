"""Clean a Markdown body in place.

Only junk is cut: every line that holds no junk stays byte-identical, so `diff original cleaned`
shows removals and rewritten URLs only. HTML islands are cleaned by the DOM rules through a
`SpanEditor`; Markdown links, images and related-post lists by the rules below. All decisions
become character edits of the original text, applied once at the end, then the lines they
emptied and the blank-line runs they left are tidied.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from operator import attrgetter

from selectolax.lexbor import LexborHTMLParser

from cleaners.dom import DomContext, run_dom_rules
from cleaners.editor import Edit
from cleaners.htmlspan import Scan, code_regions, scan
from cleaners.htmlspan import comments as html_comments
from cleaners.mdedits import Recorder, apply_edits, inside, merge
from cleaners.mdhtml import sanitize_body
from cleaners.mdurls import clean_urls
from cleaners.pagekeys import PageKeys
from cleaners.records import Removal
from cleaners.spaneditor import SpanEditor

# A list item's marker, with the line break before its line: run over "\n" + a text, it finds
# what `^[ \t]{0,3}(?:[*+-]|\d{1,9}[.)])[ \t]+` finds line by line (re.M; a marker never runs
# past its line's end), by the engine's search for the literal "\n", not "^" tried at every
# character
_LINE_ITEM = re.compile(r"\n[ \t]{0,3}(?:[*+-]|\d{1,9}[.)])[ \t]+")
_ITEM = r"[ \t]{0,3}(?:[*+-]|\d{1,9}[.)])[ \t]+\S.*"
# A list: items, indented continuation lines, and single blank lines between items.
_ITEM_START = re.compile(r"\n[ \t]{0,3}(?:[*+-]|\d{1,9}[.)])[ \t]+\S")
_LIST_BLOCK = re.compile(rf"^{_ITEM}(?:\n(?:{_ITEM}|[ \t]+\S.*|[ \t]*(?=\n{_ITEM})))*", re.M)
# (the text: runs without brackets and bracketed runs, taken whole and never given back — a
# "]" can only close it; the same matches as one character per step)
_INLINE_LINK = re.compile(r"\[((?:[^\[\]]++|\[[^\[\]]*+\])*+)\]\(\s*<?([^)\s>]*)")
_LABEL_TRIM = re.compile(r"^[\W_]+|[\W_]+$")
_DESTINATION = re.compile(r"\]\([^)]*\)")
_LINE = attrgetter("line")


@dataclass(frozen=True)
class MarkdownResult:
    """A cleaned Markdown body and what was removed from it."""

    text: str
    removals: tuple[Removal, ...]


def clean_markdown(body: str, ctx: DomContext, first_line: int = 1) -> MarkdownResult:
    """Clean a Markdown body; `first_line` is the file line the body starts on."""
    code = code_regions(body)
    rec = Recorder(body, first_line)
    blocks = _comment_blocks(body, code, ctx, rec)
    sc = scan(body, code, blocks)
    edits: list[Edit] = []
    removals: list[Removal] = []
    if sc.has_markup:
        tree = LexborHTMLParser(sc.html)
        ed = SpanEditor(tree, ctx.rules, body, sc, rec.lines)
        # the islands' keys, read before any rule changes them, narrow the rules' selector lists
        # as on an HTML page (the ad-selector list is tried on every element otherwise)
        run_dom_rules(tree, replace(ctx, keys=PageKeys.of(tree)), ed)
        edits.extend(ed.edits)
        removals.extend(ed.removals)
    blocked = _blocked(sc, edits + rec.edits)
    _related_lists(body, sc, ctx, rec, blocked)
    blocked = merge(blocked + [(e.start, e.end) for e in rec.edits])
    clean_urls(body, ctx, rec, blocked)
    edits.extend(rec.edits)
    removals.extend(rec.removals)
    edits, unsafe = sanitize_body(body, edits, rec.lines)
    removals.extend(unsafe)
    # document order (stable: rule order within a line), the lines read in C when all are known
    if None in map(_LINE, removals):
        removals.sort(key=lambda r: r.line or 0)
    else:
        removals.sort(key=_LINE)
    if not edits:
        return MarkdownResult(body, tuple(removals))
    return MarkdownResult(apply_edits(body, edits), tuple(removals))


def _comment_blocks(
    body: str, code: list[tuple[int, int]], ctx: DomContext, rec: Recorder
) -> list[tuple[int, int]]:
    """Comment-delimited blocks (`[[comment_block]]`), cut at the text level before the HTML
    islands are parsed: what they hold goes with them, so it needs no parsing."""
    rules = ctx.rules.comment_blocks
    if not rules or "<!--" not in body:
        return []
    comments = html_comments(body)
    if code:
        comments = [c for c in comments if not inside(c[0], code)]
    kinds: dict[str, list[tuple[bool, bool]]] = {}
    for _, _, text in comments:
        if text not in kinds:
            kinds[text] = [(bool(r.begin.search(text)), bool(r.end.search(text))) for r in rules]
    allow = ctx.rules.allow
    allow_css = ", ".join(allow.selectors)
    taken = [False] * len(comments)
    spans: list[tuple[int, int]] = []
    for ri, rule in enumerate(rules):
        first = -1
        for ci, (_, e, text) in enumerate(comments):
            if taken[ci]:
                continue
            is_begin, is_end = kinds[text][ri]
            if is_begin:
                first = ci
            elif first >= 0 and is_end:
                start = comments[first][0]
                protected = (allow.text and allow.allows_text(body[start:e])) or (
                    allow_css and LexborHTMLParser(body[start:e]).css_first(allow_css) is not None
                )
                if not protected:
                    rec.add(start, e, "", rule.category, rule.name, rule.reason)
                    spans.append((start, e))
                    for k in range(first, ci + 1):
                        taken[k] = True
                first = -1
    return sorted(spans)


def _blocked(sc: Scan, edits: list[Edit]) -> list[tuple[int, int]]:
    spans = list(sc.code)
    for el in sc.elements:
        spans.append((el.start, el.open_end))
        if el.close_start >= 0:
            spans.append((el.close_start, el.end))
    spans.extend((c.start, c.end) for c in sc.comments)
    spans.extend((e.start, e.end) for e in edits if not e.text)
    return merge(spans)


# -- related-post lists written in Markdown -------------------------------------------------------


def _label(line: str, ctx: DomContext) -> bool:
    t = _LABEL_TRIM.sub("", re.sub(r"\s+", " ", line.lstrip("#> \t"))).strip()
    ar = ctx.rules.also_read
    return 0 < len(t) <= ar.max_label_chars and bool(ar.labels.match(t.lower()))


def _related_lists(
    body: str, sc: Scan, ctx: DomContext, rec: Recorder, blocked: list[tuple[int, int]]
) -> None:
    ar = ctx.rules.also_read
    for m in _list_blocks(body):
        start, end = m.start(), m.end()
        block = m.group(0)
        if block.count("](") - block.count("![") < ar.min_items or inside(start, blocked):
            continue  # fewer links than items needed
        items = len(_LINE_ITEM.findall("\n" + block))
        if items < ar.min_items:
            continue
        stats = _md_list_stats(block, ctx)
        if stats[0] < ar.min_link_ratio:
            continue
        # the label: the last non-blank line before the list, at most one blank line above it
        before = body[:start].rstrip("\n")
        label_start = before.rfind("\n") + 1
        gap = body.count("\n", len(before), start)
        label = before[label_start:]
        if (
            gap <= 2
            and label.strip()
            and _label(label, ctx)
            and not inside(label_start, blocked)
            and stats[1] > 0.5
        ):
            rec.add(label_start, end, "", "also_read", "related-list", "labelled related-post list")
        elif stats[2] == 1.0 and stats[3] >= 15:
            rec.add(start, end, "", "also_read", "farm-link-list", "list of links into the farm")


def _list_blocks(body: str) -> Iterator[re.Match[str]]:
    """The list blocks of a body: at each item start after the last block found (searched from
    that block's end, so the engine does not run through the items inside it again: the same
    blocks as taking every item start and skipping those inside a block)."""
    lined = "\n" + body
    pos = 0
    while (item := _ITEM_START.search(lined, pos)) is not None:
        pos = item.end()
        m = _LIST_BLOCK.match(body, item.start())  # "\n" + body: the item starts at this index
        if m is not None:
            pos = max(pos, m.end())
            yield m


def _visible(text: str) -> int:
    """The length of the text without whitespace, "*" and "_" (what `re.sub(r"[\\s*_]", "", text)`
    leaves), by str methods: split() drops what the regex class \\s matches."""
    solid = "".join(text.split())
    return len(solid) - solid.count("*") - solid.count("_")


def _md_list_stats(block: str, ctx: DomContext) -> tuple[float, float, float, float]:
    """(link-text ratio, own/farm share, farm share, mean link text) of a Markdown list."""
    text = _LINE_ITEM.sub("\n", "\n" + block)[1:]  # the markers cut
    texts = _DESTINATION.sub("]", text)  # the links' texts, without their destinations
    total = _visible(texts) - texts.count("[") - texts.count("]")
    links = _INLINE_LINK.findall(block)
    if not links or not total:
        return 0.0, 0.0, 0.0, 0.0
    chars = [_visible(t) for t, _ in links]
    own = farm = 0
    for _, url in links:
        host = ctx.urls.host(url)
        if ctx.urls.into_farm(host):
            farm += 1
            own += 1
        elif not host or ctx.own_hosts.matches(host):
            own += 1
    n = len(links)
    return sum(chars) / total, own / n, farm / n, sum(chars) / n
