"""The words of the original page, in reading order, matched with the words of the cleaned
Markdown: where each marker of `page` falls in the article, and which page text the article
extractor left out.

Words are compared case-folded, as runs of letters and digits (each CJK character a word of
its own); Markdown link targets, image syntax and entities are not words. The match is
difflib's longest-common-blocks alignment of the two word sequences.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.audit.page import CUT, END

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
# in a Markdown line: link and image targets, entities (not words of the text)
_MD_SKIP = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)|&#?[a-zA-Z0-9]+;")
_QUIET_TAGS = frozenset(["script", "style", "template", "head", "title", "textarea", "select"])
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table td th tr ul".split()
)
MAX_NODES = 300_000
MAX_WORDS = 150_000  # per side: a page beyond this is placed by its markers' order only


@dataclass
class Item:
    """A word of the page (`kind` "w"), or a marker ("cut"/"end" with the records' ids)."""

    kind: str
    norm: str = ""
    text: str = ""  # the page text up to and including the word (spaces collapsed)
    ids: list[int] = field(default_factory=list)
    brk: bool = False  # a block starts before this word


@dataclass
class MdWord:
    norm: str
    line: int  # index into the Markdown lines
    start: int
    end: int


def page_items(tree: LexborHTMLParser) -> list[Item]:
    """The page's words and markers in document order. The head's text is not page text, but
    its markers (a script removed from the head) are kept, in place."""
    items: list[Item] = []
    root = tree.root
    if root is None:
        return items
    brk = True
    stack: list[tuple[LexborNode, bool, bool]] = [(root, False, False)]  # node, leaving, quiet
    for _ in range(MAX_NODES):
        if not stack or len(items) > MAX_WORDS:
            break
        node, leaving, quiet = stack.pop()
        tag = node.tag or ""
        if leaving:
            brk = brk or tag in _BLOCK_TAGS
        elif node.is_text_node:
            brk = brk if quiet else _words(node.text_content or "", items, brk)
        elif tag in (CUT, END):
            items.append(Item("cut" if tag == CUT else "end", ids=_ids(node)))
        elif node.is_element_node:
            quiet = quiet or tag in _QUIET_TAGS
            brk = brk or tag in _BLOCK_TAGS
            stack.append((node, True, quiet))
            children = list(node.iter(include_text=True))
            stack += [(c, False, quiet) for c in reversed(children)]
    return items


def _ids(node: LexborNode) -> list[int]:
    return [int(x) for x in str(node.attributes.get("data-i") or "").split() if x.isdigit()]


def _words(text: str, items: list[Item], brk: bool) -> bool:
    pos, first = 0, len(items)
    for m in _WORD.finditer(text):
        items.append(Item("w", m.group().casefold(), _gap(text[pos : m.start()]) + m.group(), brk=brk))
        brk = False
        pos = m.end()
    if pos < len(text) and len(items) > first:
        items[-1].text += _gap(text[pos:])  # punctuation after the last word
    return brk


def _gap(text: str) -> str:
    """Text between words, spaces collapsed to one."""
    if not text:
        return ""
    core = " ".join(text.split())
    if not core:
        return " "
    return (" " if text[0].isspace() else "") + core + (" " if text[-1].isspace() else "")


def markdown_words(lines: list[str], first: int) -> list[MdWord]:
    out: list[MdWord] = []
    for n in range(first, len(lines)):
        line = lines[n]
        masked = _MD_SKIP.sub(lambda m: " " * len(m.group()), line) if "](" in line or "&" in line else line
        out += [MdWord(m.group().casefold(), n, m.start(), m.end()) for m in _WORD.finditer(masked)]
        if len(out) > MAX_WORDS:
            break
    return out


def match(items: list[Item], words: list[MdWord]) -> dict[int, int]:
    """Item index (a page word) -> index of the Markdown word it is. Runs of one or two words
    matched far from any other match (a date, a stray "the" in the page chrome) are dropped."""
    pos = [k for k, it in enumerate(items) if it.kind == "w"]
    a = [items[k].norm for k in pos]
    b = [w.norm for w in words]
    if not a or not b or len(a) > MAX_WORDS or len(b) > MAX_WORDS:
        return {}
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=len(b) > 20_000)
    blocks = [blk for blk in matcher.get_matching_blocks() if blk.size]
    out: dict[int, int] = {}
    for t, blk in enumerate(blocks):
        if blk.size < 3 and not _near(blocks, t):
            continue
        for d in range(blk.size):
            out[pos[blk.a + d]] = blk.b + d
    return out


def _near(blocks: list[difflib.Match], t: int, gap: int = 3) -> bool:
    """A matched run is next to another (within `gap` words on both sides)."""
    blk = blocks[t]
    if t > 0:
        p = blocks[t - 1]
        if blk.a - (p.a + p.size) <= gap and blk.b - (p.b + p.size) <= gap:
            return True
    if t + 1 < len(blocks):
        n = blocks[t + 1]
        if n.a - (blk.a + blk.size) <= gap and n.b - (blk.b + blk.size) <= gap:
            return True
    return False
