"""Put an HTML page's removals back where they were cut: each record of the audit sidecar is
found again in the original page and replaced there by a marker element.

The records are replayed in the order the cleaner made them, on the page parsed by the same
parser (lexbor), so each recorded `snippet` is the serialisation of the element as it was
when it was removed; the element is the one whose `path` (tag#id or tag.class of its last five
ancestors) and serialisation are those recorded. A removed element becomes
`<scraper-cut data-i="N">`; a link dropped with its text kept gets a `<scraper-end>` after the
text; a rewritten URL gets a marker before its element and takes its new value, so later
snippets (a container removed after a URL in it was cleaned) still compare equal.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.editor import element_path, unwrap_node

CUT = "scraper-cut"
END = "scraper-end"
_MARKERS = re.compile(r'<scraper-(?:cut|end) data-i="[\d ]*"></scraper-(?:cut|end)>')
_OPEN_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]{0,40})[\s/>]")
_PATH_TAG = re.compile(r"[a-zA-Z][a-zA-Z0-9-]{0,40}")
_URL_ATTRS = ("href", "src", "poster", "data", "srcset")
_ATTR = re.compile(r'([A-Za-z_:][-\w:.]{0,60})="(.*)"\Z', re.S)  # an attribute dropped: name="value"
MAX_RANGE_NODES = 5000
MAX_CANDIDATES = 20000
_NEAR = 0.8  # serialisations this alike (same path) are taken as the element, placed "near"


@dataclass
class Marked:
    tree: LexborHTMLParser
    exact: set[int] = field(default_factory=set)  # records found as recorded
    near: set[int] = field(default_factory=set)  # found by path, with a differing serialisation
    unplaced: list[int] = field(default_factory=list)
    old_urls: dict[int, str] = field(default_factory=dict)  # URL rewrite record -> value before
    paths: dict[int, str] = field(default_factory=dict)  # element (mem_id) -> its path
    tags: dict[str, list[LexborNode]] = field(default_factory=dict)  # tag -> its elements
    gone: set[int] = field(default_factory=set)  # nodes (mem_id) out of the page by now


def kind_of(record: dict[str, Any]) -> str:
    """remove | unwrap | url | attr | step, from the record's fields (the cleaner's actions)."""
    snippet, replacement = str(record.get("snippet", "")), record.get("replacement")
    if snippet.startswith("<"):
        if replacement is None or str(record.get("rule", "")).endswith("-embed"):
            return "remove"
        return "unwrap"
    if replacement is not None:
        return "url"
    return "attr" if _ATTR.match(snippet) else "step"


def mark_page(text: str, removals: list[dict[str, Any]]) -> Marked:
    tree = LexborHTMLParser(text)
    marked = Marked(tree)
    pending: list[int] = []  # URL steps recorded before the link they belong to
    i = 0
    while i < len(removals):
        record = removals[i]
        kind = kind_of(record)
        if kind == "step":
            pending.append(i)
            i += 1
            continue
        if kind == "url":
            group = _url_group(removals, i)
            _rewrite(marked, removals, group)
            i = group[-1] + 1
        elif kind == "attr":
            _drop_attr(marked, record, [*pending, i])
            i += 1
        else:
            _element(marked, record, [*pending, i], kind)
            i += 1
        pending = []
    marked.unplaced += pending
    return marked


def _url_group(removals: list[dict[str, Any]], i: int) -> list[int]:
    """One URL's steps: consecutive records of the same element with the same new value."""
    first = removals[i]
    j = i + 1
    while (
        j < len(removals)
        and kind_of(removals[j]) == "url"
        and removals[j].get("path") == first.get("path")
        and removals[j].get("replacement") == first.get("replacement")
    ):
        j += 1
    return list(range(i, j))


def html_of(node: LexborNode) -> str:
    h = node.html or node.text_content or ""
    return _MARKERS.sub("", h) if "<scraper-" in h else h


def _candidates(marked: Marked, tag: str, path: str | None) -> list[LexborNode]:
    """Elements of the tag at the path, still in the page. (Found once per tag: replaying the
    records removes and unwraps elements, and adds only markers.)"""
    paths = marked.paths
    out = []
    if tag not in marked.tags:
        marked.tags[tag] = marked.tree.css(tag)[:MAX_CANDIDATES]
    for n in marked.tags[tag]:
        if path:
            if n.mem_id not in paths:
                paths[n.mem_id] = element_path(n)  # as the cleaner recorded it
            if paths[n.mem_id] != path:
                continue
        if n.mem_id not in marked.gone:
            out.append(n)
    return out


def _element(marked: Marked, record: dict[str, Any], ids: list[int], kind: str) -> None:
    snippet, path = str(record["snippet"]), record.get("path")
    nodes, exact = _find(marked, snippet, path if isinstance(path, str) else None)
    if nodes is None:
        marked.unplaced += ids
        return
    (marked.exact if exact else marked.near).update(ids)
    if kind == "unwrap" and len(nodes) == 1 and nodes[0].is_element_node:
        node = nodes[0]
        node.insert_before(_marker(marked.tree, CUT, ids))
        node.insert_after(_marker(marked.tree, END, ids[-1:]))
        marked.gone.add(node.mem_id)
        unwrap_node(node)  # an empty element goes, as the cleaner removed it
        return
    inner = [int(x) for n in nodes if n.is_element_node for m in n.css(CUT) for x in _ids(m)]
    nodes[0].insert_before(_marker(marked.tree, CUT, ids + inner))
    for n in nodes:
        marked.gone.update(d.mem_id for d in n.traverse(include_text=True))
        n.remove()


def _ids(node: LexborNode) -> list[str]:
    return str(node.attributes.get("data-i") or "").split()


def _marker(tree: LexborHTMLParser, tag: str, ids: list[int]) -> LexborNode:
    node = tree.create_node(tag)
    node.attrs["data-i"] = " ".join(map(str, ids))
    return node


def _find(marked: Marked, snippet: str, path: str | None) -> tuple[list[LexborNode] | None, bool]:
    """The node (or run of nodes, for a comment-delimited block) the snippet was, and whether
    it was found exactly as recorded."""
    if snippet.startswith("<!--"):
        if "#comment" not in marked.tags:
            marked.tags["#comment"] = _comments(marked.tree)
        fresh = [n for n in marked.tags["#comment"] if n.mem_id not in marked.gone]
        starts = [n for n in fresh if snippet.startswith(html_of(n))]
    else:
        m = _OPEN_TAG.match(snippet)
        if m is None:
            return None, False
        starts = _candidates(marked, m.group(1).lower(), path)
    for n in starts:
        h = html_of(n)
        if h == snippet:
            return [n], True
        if snippet.startswith(h):
            run = _run(n, snippet)
            if run is not None:
                return run, True
    if not path or snippet.startswith("<!--"):
        return None, False
    return _nearest(starts, snippet), False


def _comments(tree: LexborHTMLParser) -> list[LexborNode]:
    root = tree.root
    if root is None:
        return []
    return [
        n for n, _ in zip(root.traverse(include_text=True), range(500_000), strict=False) if n.is_comment_node
    ]


def _nearest(nodes: list[LexborNode], snippet: str) -> list[LexborNode] | None:
    best, score = None, _NEAR
    for n in nodes[:200]:
        m = difflib.SequenceMatcher(None, html_of(n)[:3000], snippet[:3000], autojunk=False)
        if m.quick_ratio() >= score and (r := m.ratio()) >= score:
            best, score = n, r
    return [best] if best is not None else None


def _next_in_order(node: LexborNode) -> LexborNode | None:
    cur: LexborNode | None = node
    while cur is not None:
        if cur.next is not None:
            return cur.next
        cur = cur.parent
        if cur is None or cur.is_document_node:
            return None
    return None


def _run(first: LexborNode, snippet: str) -> list[LexborNode] | None:
    """The nodes from `first` on, in document order, whose serialisations make the snippet
    (what the cleaner records for a range it removed)."""
    nodes, done = [first], len(html_of(first))
    cur: LexborNode | None = first
    for _ in range(MAX_RANGE_NODES):
        if done == len(snippet):
            return nodes
        nxt = _next_in_order(cur) if cur is not None else None
        while nxt is not None and not snippet.startswith(html_of(nxt), done):
            nxt = nxt.first_child
        if nxt is None:
            return None
        nodes.append(nxt)
        done += len(html_of(nxt))
        cur = nxt
    return None


def _rewrite(marked: Marked, removals: list[dict[str, Any]], group: list[int]) -> None:
    first = removals[group[0]]
    path = first.get("path")
    m = _PATH_TAG.match(path.rsplit(">", 1)[-1].strip()) if isinstance(path, str) and path else None
    if m is None:
        marked.unplaced += group
        return
    new = str(first["replacement"])
    pieces = [str(removals[g]["snippet"]) for g in group]
    best: tuple[LexborNode, str, str] | None = None
    for node in _candidates(marked, m.group().lower(), path):
        for attr in _URL_ATTRS:
            value = node.attributes.get(attr)
            if value is None:
                continue
            value = str(value)
            if value == pieces[0]:
                best = (node, attr, value)
                break
            if best is None and all(part in value for p in pieces for part in p.split("&")):
                best = (node, attr, value)
        if best is not None and best[2] == pieces[0]:
            break
    if best is None:
        marked.unplaced += group
        return
    node, attr, value = best
    marked.exact.update(group)
    for g in group:
        marked.old_urls[g] = value
    node.insert_before(_marker(marked.tree, CUT, group))
    node.attrs[attr] = new


def _drop_attr(marked: Marked, record: dict[str, Any], ids: list[int]) -> None:
    """An attribute the cleaner dropped (a `srcdoc`, a URL the gate refuses): marked before its
    element, and dropped here too."""
    m = _ATTR.match(str(record["snippet"]))
    path = record.get("path")
    tag = _PATH_TAG.match(path.rsplit(">", 1)[-1].strip()) if isinstance(path, str) and path else None
    if m is None or tag is None:
        marked.unplaced += ids
        return
    name, value = m.group(1), m.group(2)
    for node in _candidates(marked, tag.group().lower(), path):
        if node.attributes.get(name) == value:
            marked.exact.update(ids)
            node.insert_before(_marker(marked.tree, CUT, ids))
            del node.attrs[name]
            return
    marked.unplaced += ids
