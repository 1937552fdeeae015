"""The words of the original page, in reading order, matched with the words of the cleaned
Markdown: where each marker of `page` falls in the article, and which page text the article
extractor left out.

Words are compared case-folded, as runs of letters and digits (each CJK character a word of
its own); Markdown link targets and entities are not words. The match is made in
two steps, as a line diff then a word diff: the page's blocks (paragraphs, list items, cells …)
are matched whole with the Markdown's lines where their words are the same, then the words of
the blocks and lines left between two such matches are aligned (difflib's longest common
blocks, both times).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

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


@dataclass(slots=True)
class Item:
    """A word of the page (`kind` "w"), or a marker ("cut"/"end" with the records' ids)."""

    kind: str
    norm: str = ""
    text: str = ""  # the page text since the word before, and the word
    ids: tuple[int, ...] = ()
    brk: bool = False  # a block starts before this word


@dataclass(slots=True)
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


def _ids(node: LexborNode) -> tuple[int, ...]:
    return tuple(int(x) for x in str(node.attributes.get("data-i") or "").split() if x.isdigit())


def _words(text: str, items: list[Item], brk: bool) -> bool:
    pos, first = 0, len(items)
    for m in _WORD.finditer(text):
        items.append(Item("w", m.group().casefold(), text[pos : m.end()], (), brk))
        brk = False
        pos = m.end()
    if pos < len(text) and len(items) > first:
        items[-1].text += text[pos:]  # punctuation after the last word
    return brk


def markdown_words(lines: list[str], first: int) -> list[MdWord]:
    out: list[MdWord] = []
    for n in range(first, len(lines)):
        line = lines[n]
        masked = _MD_SKIP.sub(lambda m: " " * len(m.group()), line)
        out += [MdWord(m.group().casefold(), n, m.start(), m.end()) for m in _WORD.finditer(masked)]
        if len(out) > MAX_WORDS:
            break
    return out


def match(items: list[Item], words: list[MdWord]) -> dict[int, int]:
    """Item index (a page word) -> index of the Markdown word it is. Runs of one or two words
    matched far from any other match (a date, a stray "the" in the page chrome) are dropped."""
    pos = [k for k, it in enumerate(items) if it.kind == "w"]
    if not pos or not words or len(pos) > MAX_WORDS or len(words) > MAX_WORDS:
        return {}
    a = [items[k].norm for k in pos]
    b = [w.norm for w in words]
    pairs: list[tuple[int, int, int]] = []  # (a start, b start, size) of matched runs, in order
    blocks_a = _spans([items[k].brk for k in pos])
    blocks_b = _spans([i == 0 or words[i].line != words[i - 1].line for i in range(len(words))])
    keys_a = [" ".join(a[i:j]) for i, j in blocks_a]
    keys_b = [" ".join(b[i:j]) for i, j in blocks_b]
    lines = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    done_a = done_b = 0
    for blk in lines.get_matching_blocks():
        if not blk.size:
            continue
        a0, b0 = blocks_a[blk.a][0], blocks_b[blk.b][0]
        pairs += _words_between(a, b, done_a, a0, done_b, b0)
        a1, b1 = blocks_a[blk.a + blk.size - 1][1], blocks_b[blk.b + blk.size - 1][1]
        pairs.append((a0, b0, a1 - a0))
        done_a, done_b = a1, b1
    pairs += _words_between(a, b, done_a, len(a), done_b, len(b))
    out: dict[int, int] = {}
    for t, (i, j, size) in enumerate(pairs):
        if size < 3 and not _near(pairs, t):
            continue
        for d in range(size):
            out[pos[i + d]] = j + d
    return out


def _spans(starts: list[bool]) -> list[tuple[int, int]]:
    """[start, end) of each run that begins where `starts` is true."""
    cuts = [i for i, s in enumerate(starts) if s or i == 0]
    return [(c, cuts[n + 1] if n + 1 < len(cuts) else len(starts)) for n, c in enumerate(cuts)]


def _words_between(
    a: list[str], b: list[str], a0: int, a1: int, b0: int, b1: int
) -> list[tuple[int, int, int]]:
    if a1 <= a0 or b1 <= b0:
        return []
    m = difflib.SequenceMatcher(None, a[a0:a1], b[b0:b1], autojunk=False)
    return [(a0 + blk.a, b0 + blk.b, blk.size) for blk in m.get_matching_blocks() if blk.size]


def _near(pairs: list[tuple[int, int, int]], t: int, gap: int = 3) -> bool:
    """A matched run is next to another (within `gap` words on both sides)."""
    i, j, size = pairs[t]
    if t > 0:
        pi, pj, ps = pairs[t - 1]
        if i - (pi + ps) <= gap and j - (pj + ps) <= gap:
            return True
    if t + 1 < len(pairs):
        ni, nj, _ = pairs[t + 1]
        if ni - (i + size) <= gap and nj - (j + size) <= gap:
            return True
    return False
