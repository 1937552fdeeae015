"""Clean a Markdown body in place.

Only junk is cut: every line that holds no junk stays byte-identical, so `diff original cleaned`
shows removals and rewritten URLs only. HTML islands are cleaned by the DOM rules through a
`SpanEditor`; Markdown links, images and related-post lists by the rules below. All decisions
become character edits of the original text, applied once at the end, then the lines they
emptied and the blank-line runs they left are tidied.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from cleaners.debris import EMPTY_LINK, goes_whole, text_around
from cleaners.dom import DomContext, run_dom_rules
from cleaners.editor import Edit, SpanEditor
from cleaners.htmlspan import COMMENT_RE, Scan, code_regions, scan
from cleaners.mdsyntax import (
    escape_url,
    find_autolinks,
    find_bare_urls,
    find_links,
    find_ref_uses,
    find_refdefs,
)
from cleaners.records import LineIndex, Removal
from cleaners.urls import UrlStep

_LIST_ITEM = re.compile(r"^[ \t]{0,3}(?:[*+-]|\d{1,9}[.)])[ \t]+", re.M)
_ITEM = r"[ \t]{0,3}(?:[*+-]|\d{1,9}[.)])[ \t]+\S.*"
# A list: items, indented continuation lines, and single blank lines between items.
_ITEM_START = re.compile(r"\n[ \t]{0,3}(?:[*+-]|\d{1,9}[.)])[ \t]+\S")
_LIST_BLOCK = re.compile(rf"^{_ITEM}(?:\n(?:{_ITEM}|[ \t]+\S.*|[ \t]*(?=\n{_ITEM})))*", re.M)
_INLINE_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]*)")
_LABEL_TRIM = re.compile(r"^[\W_]+|[\W_]+$")
_RESIDUE = re.compile(r"^[ \t]*(?:(?:[*+-]|\d{1,9}[.)]|>|#{1,6})[ \t]*)?(?:\*\*|__|\*|_|[ \t])*$")


@dataclass(frozen=True)
class MarkdownResult:
    text: str
    removals: tuple[Removal, ...]


class _Recorder:
    def __init__(self, source: str, first_line: int, allow_text: object) -> None:
        self.source = source
        self.first_line = first_line
        self.removals: list[Removal] = []
        self.edits: list[Edit] = []
        self.lines = LineIndex(source, first_line)
        self._allow = allow_text

    def line(self, offset: int) -> int:
        return self.lines.line(offset)

    def add(
        self,
        start: int,
        end: int,
        new: str,
        category: str,
        rule: str,
        reason: str,
        snippet: str | None = None,
        replacement: str | None = None,
    ) -> None:
        self.removals.append(
            Removal(
                category,
                rule,
                reason,
                self.source[start:end] if snippet is None else snippet,
                replacement,
                self.line(start),
                self.line(max(start, end - 1)),
            )
        )
        self.edits.append(Edit(start, end, new))

    def steps(self, start: int, end: int, steps: tuple[UrlStep, ...], new_url: str) -> None:
        for s in steps:
            self.removals.append(
                Removal(
                    s.category, s.rule, s.reason, s.removed, new_url, self.line(start), self.line(end - 1)
                )
            )


def clean_markdown(body: str, ctx: DomContext, first_line: int = 1) -> MarkdownResult:
    """Clean a Markdown body; `first_line` is the file line the body starts on."""
    code = code_regions(body)
    rec = _Recorder(body, first_line, ctx.rules.allow)
    blocks = _comment_blocks(body, code, ctx, rec)
    sc = scan(body, code, blocks)
    edits: list[Edit] = []
    removals: list[Removal] = []
    if sc.has_markup:
        tree = LexborHTMLParser(sc.html)
        ed = SpanEditor(tree, ctx.rules, body, sc, rec.lines)
        run_dom_rules(tree, ctx, ed)
        edits.extend(ed.edits)
        removals.extend(ed.removals)
    blocked = _blocked(sc, edits + rec.edits)
    _related_lists(body, sc, ctx, rec, blocked)
    blocked = _merge(blocked + [(e.start, e.end) for e in rec.edits])
    _links(body, ctx, rec, blocked)
    edits.extend(rec.edits)
    removals.extend(rec.removals)
    removals.sort(key=lambda r: r.line or 0)  # document order (stable: rule order within a line)
    if not edits:
        return MarkdownResult(body, tuple(removals))
    return MarkdownResult(apply_edits(body, edits), tuple(removals))


def _comment_blocks(
    body: str, code: list[tuple[int, int]], ctx: DomContext, rec: _Recorder
) -> list[tuple[int, int]]:
    """Comment-delimited blocks (`[[comment_block]]`), cut at the text level before the HTML
    islands are parsed: what they hold goes with them, so it needs no parsing."""
    rules = ctx.rules.comment_blocks
    if not rules or "<!--" not in body:
        return []
    comments = [(m.start(), m.end(), m.group(1)) for m in COMMENT_RE.finditer(body)]
    if code:
        comments = [c for c in comments if not _inside(c[0], code)]
    kinds: dict[str, list[tuple[bool, bool]]] = {}
    for _, _, text in comments:
        if text not in kinds:
            kinds[text] = [(bool(r.begin.search(text)), bool(r.end.search(text))) for r in rules]
    allow_css = ", ".join(ctx.rules.allow.selectors)
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
                snippet = body[start:e]
                protected = ctx.rules.allow.allows_text(snippet) or (
                    allow_css and LexborHTMLParser(snippet).css_first(allow_css) is not None
                )
                if not protected:
                    rec.add(start, e, "", rule.category, rule.name, rule.reason)
                    spans.append((start, e))
                    for k in range(first, ci + 1):
                        taken[k] = True
                first = -1
    return sorted(spans)


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """pos within one of the sorted, non-overlapping spans."""
    i = bisect.bisect_right(spans, (pos, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _blocked(sc: Scan, edits: list[Edit]) -> list[tuple[int, int]]:
    spans = list(sc.code)
    for el in sc.elements:
        spans.append((el.start, el.open_end))
        if el.close_start >= 0:
            spans.append((el.close_start, el.end))
    spans.extend((c.start, c.end) for c in sc.comments)
    spans.extend((e.start, e.end) for e in edits if not e.text)
    return _merge(spans)


# -- related-post lists written in Markdown -------------------------------------------------------


def _label(line: str, ctx: DomContext) -> bool:
    t = _LABEL_TRIM.sub("", re.sub(r"\s+", " ", line.lstrip("#> \t"))).strip()
    ar = ctx.rules.also_read
    return 0 < len(t) <= ar.max_label_chars and bool(ar.labels.match(t.lower()))


def _related_lists(
    body: str, sc: Scan, ctx: DomContext, rec: _Recorder, blocked: list[tuple[int, int]]
) -> None:
    ar = ctx.rules.also_read
    taken = 0
    for item in _ITEM_START.finditer("\n" + body):
        if item.start() < taken:
            continue
        m = _LIST_BLOCK.match(body, item.start())  # "\n" + body: the item starts at this index
        if m is None:
            continue
        start, end = m.start(), m.end()
        taken = end
        block = m.group(0)
        if block.count("](") - block.count("![") < ar.min_items or _inside(start, blocked):
            continue  # fewer links than items needed
        items = len(_LIST_ITEM.findall(block))
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
            and not _inside(label_start, blocked)
            and stats[1] > 0.5
        ):
            rec.add(label_start, end, "", "also_read", "related-list", "labelled related-post list")
        elif stats[2] == 1.0 and stats[3] >= 15:
            rec.add(start, end, "", "also_read", "farm-link-list", "list of links into the farm")


def _md_list_stats(block: str, ctx: DomContext) -> tuple[float, float, float, float]:
    """(link-text ratio, own/farm share, farm share, mean link text) of a Markdown list."""
    text = _LIST_ITEM.sub("", block)
    total = len(re.sub(r"[\s*_]", "", re.sub(r"\]\([^)]*\)", "]", text)).replace("[", "").replace("]", ""))
    links = _INLINE_LINK.findall(block)
    if not links or not total:
        return 0.0, 0.0, 0.0, 0.0
    chars = [len(re.sub(r"[\s*_]", "", t)) for t, _ in links]
    own = farm = 0
    for _, url in links:
        host = ctx.urls.host(url)
        if ctx.urls.farm_hosts.matches(host) or ctx.rules.farm_domains.matches(host):
            farm += 1
            own += 1
        elif not host or ctx.own_hosts.matches(host):
            own += 1
    n = len(links)
    return sum(chars) / total, own / n, farm / n, sum(chars) / n


# -- links, images, definitions, autolinks, bare URLs ---------------------------------------------


def _links(body: str, ctx: DomContext, rec: _Recorder, blocked: list[tuple[int, int]]) -> None:
    urls = ctx.urls
    links, orphans = find_links(body, blocked)
    removed: list[tuple[int, int]] = []
    for link in sorted(links, key=lambda k: (k.start, -k.end)):
        if removed and link.start < removed[-1][1]:  # inside a link already removed whole
            continue
        url = body[link.dest_start : link.dest_end]
        text = body[link.text_start : link.text_end]
        if link.image:
            media = urls.media_verdict(url)
            if media:
                rec.add(link.start, link.end, "", media[0], media[1], media[2])
                removed.append((link.start, link.end))
                continue
            if "?" not in url and "#" not in url:
                continue  # only a query or fragment can carry trackers on an image
            verdict = urls.clean(url)
            if verdict.action == "rewrite" and all(s.category == "tracking_param" for s in verdict.steps):
                _rewrite(body, rec, link.dest_start, link.dest_end, verdict.url, verdict.steps, link.angle)
            continue
        verdict = urls.clean(url)
        if not text.strip() and verdict.action != "unlink":  # it shows nothing: it goes
            step = verdict.last if verdict.steps else EMPTY_LINK
            rec.add(link.start, link.end, "", step.category, step.rule, step.reason)
            removed.append((link.start, link.end))
        elif verdict.action == "rewrite":
            _rewrite(body, rec, link.dest_start, link.dest_end, verdict.url, verdict.steps, link.angle)
        elif verdict.action == "unlink":
            last = verdict.last
            has_image = "![" in text or "<img" in text.lower()
            if verdict.affiliate and has_image:
                rec.add(link.start, link.end, "", "ad_block", "affiliate-banner", "affiliate banner link")
                removed.append((link.start, link.end))
                continue
            if goes_whole(text, text_around(body, link.start, link.end)):
                rec.add(link.start, link.end, "", last.category, last.rule, last.reason)
                removed.append((link.start, link.end))
                continue
            if ctx.rules.allow.allows_text(body[link.start : link.end]):
                continue
            rec.steps(link.start, link.end, verdict.steps[:-1], "")
            # drop "[" and "](url)" separately so edits inside the text stay valid
            rec.add(
                link.start,
                link.text_start,
                "",
                last.category,
                last.rule,
                last.reason,
                snippet=body[link.start : link.end],
                replacement=text,
            )
            rec.edits.append(Edit(link.text_end, link.end, ""))
    for o in orphans:
        verdict = urls.clean(body[o.dest_start : o.dest_end])
        if verdict.action == "unlink":
            start = o.start
            while start > 0 and body[start - 1] in " \t":
                start -= 1
            last = verdict.last
            rec.add(start, o.end, "", last.category, last.rule, "stray link residue: " + last.reason)
    for d in find_refdefs(body, blocked):
        url = body[d.dest_start : d.dest_end]
        verdict = urls.clean(url)
        if verdict.action == "rewrite":
            _rewrite(body, rec, d.dest_start, d.dest_end, verdict.url, verdict.steps, False)
        elif verdict.action == "unlink":
            last = verdict.last
            end = d.end + 1 if body[d.end : d.end + 1] == "\n" else d.end
            rec.add(d.start, end, "", last.category, last.rule, last.reason + " (link definition)")
            for s, ts, te, e in find_ref_uses(body, d.label, blocked):
                rec.add(
                    s,
                    ts,
                    "",
                    last.category,
                    last.rule,
                    last.reason,
                    snippet=body[s:e],
                    replacement=body[ts:te],
                )
                rec.edits.append(Edit(te, e, ""))
    spans = [(lk.start, lk.end) for lk in links]
    for a, b in find_autolinks(body, blocked):
        verdict = urls.clean(body[a + 1 : b - 1])
        if verdict.action == "rewrite":
            _rewrite(body, rec, a + 1, b - 1, verdict.url, verdict.steps, True)
        elif verdict.action == "unlink":
            rec.add(a, b, "", verdict.last.category, verdict.last.rule, verdict.last.reason)
        spans.append((a, b))
    taken = _merge(blocked + spans)
    for a, b in find_bare_urls(body, taken):
        raw = body[a:b]
        if raw.lower().startswith("www."):
            continue
        verdict = urls.clean(raw)
        if verdict.action == "rewrite":
            _rewrite(body, rec, a, b, verdict.url, verdict.steps, True)
        elif verdict.action == "unlink":
            rec.add(a, b, "", verdict.last.category, verdict.last.rule, verdict.last.reason)


def _rewrite(
    body: str, rec: _Recorder, start: int, end: int, url: str, steps: tuple[UrlStep, ...], angle: bool
) -> None:
    new = escape_url(url, angle)
    if rec.source[start:end] == new:
        return
    rec.steps(start, end, steps, new)
    rec.edits.append(Edit(start, end, new))


# -- applying edits ---------------------------------------------------------------------------


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (an edit inside a larger one is dropped), then tidy."""
    kept: list[Edit] = []
    for e in sorted(edits, key=lambda x: (x.start, -x.end)):
        if kept and e.start < kept[-1].end:
            continue  # inside (or overlapping) an edit already taken
        kept.append(e)
    parts: list[str] = []
    marks: list[tuple[int, bool]] = []  # (output offset, cut a line break)
    pos = out_len = 0
    for e in kept:
        parts.append(text[pos : e.start])
        out_len += e.start - pos
        marks.append((out_len, "\n" in text[e.start : e.end]))
        parts.append(e.text)
        out_len += len(e.text)
        pos = e.end
    parts.append(text[pos:])
    return _tidy("".join(parts), marks)


def _tidy(text: str, marks: list[tuple[int, bool]]) -> str:
    """Drop lines an edit left empty (or holding only a list marker or emphasis markers), and
    collapse each blank-line run next to a removal to one blank line (none at the start or
    end). Only lines around edits are looked at; the rest is joined back untouched."""
    lines = text.split("\n")
    last = len(lines) - 1  # the text after the final newline: never dropped
    touched: dict[int, bool] = {}  # line -> an edit there cut a line break
    idx = prev = 0
    for off, cut in marks:  # offsets ascend: count the line breaks in between
        idx += text.count("\n", prev, off)
        prev = off
        touched[idx] = touched.get(idx, False) or cut
    drop: set[int] = set()
    near: set[int] = set()  # lines where a line break was cut, or that were dropped
    for idx, cut in touched.items():
        if idx != last and _RESIDUE.match(lines[idx]):
            drop.add(idx)
            near.add(idx)
        elif cut:
            near.add(idx)

    def gap(k: int) -> bool:
        return 0 <= k < last and (k in drop or not lines[k].strip())

    done: set[int] = set()
    for idx in sorted(near):
        for k in (idx,) if gap(idx) else (idx - 1, idx + 1):
            if not gap(k) or k in done:
                continue
            lo, hi = k, k
            while gap(lo - 1):
                lo -= 1
            while gap(hi + 1):
                hi += 1
            done.update(range(lo, hi + 1))
            blanks = [j for j in range(lo, hi + 1) if j not in drop]
            keep = 0 if lo == 0 or hi == last - 1 else 1
            drop.update(blanks[keep:])
    if not drop:
        return text
    return "\n".join(line for j, line in enumerate(lines) if j not in drop)
