"""Word-level changes: which characters of a line were removed and which added, and which
removed lines correspond to which added ones."""

from __future__ import annotations

import difflib
import re

from scraper.audit.rows import Segment

_URL = r"(?:https?|mailto|ftp|javascript|data):[^\s()<>\[\]\"']+"
_COARSE = re.compile(_URL + r"|\w+|\s+|[^\w\s]", re.I)  # a URL is one token
_FINE = re.compile(r"\w+|\s+|[^\w\s]")
MAX_LINE_TOKENS = 5000  # longer lines are compared whole
_SIMILAR = 0.6  # a removed and an added line this alike are one line changed inside


def segments(old: str, new: str, change: int | None) -> list[Segment]:
    """`old` → `new` as kept, removed and added pieces. Tokens are words, runs of spaces and
    single punctuation characters; a change split by one short kept piece (a "/" or "." in a
    URL) is shown as one change, so a rewritten URL reads as one."""
    a, b = _COARSE.findall(old), _COARSE.findall(new)
    if len(a) > MAX_LINE_TOKENS or len(b) > MAX_LINE_TOKENS:
        return _whole(old, new, change)
    return _merge(_pieces(a, b, True), change)


def _pieces(a: list[str], b: list[str], coarse: bool) -> list[tuple[str, str]]:
    raw: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append(("=", "".join(a[i1:i2])))
            continue
        if coarse and tag == "replace" and i2 - i1 == j2 - j1 == 1 and _alike_urls(a[i1], b[j1]):
            fine = _pieces(_FINE.findall(a[i1]), _FINE.findall(b[j1]), False)
            if _runs(_merge(fine, None)) <= 2:  # a URL edited in one or two places
                raw += fine
                continue
        if i2 > i1:
            raw.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            raw.append(("+", "".join(b[j1:j2])))
    return raw


def _runs(segs: list[Segment]) -> int:
    """Changes in a line: runs of removed or added pieces."""
    return sum(1 for k, s in enumerate(segs) if s.op != "=" and (k == 0 or segs[k - 1].op == "="))


def _alike_urls(a: str, b: str) -> bool:
    """Two URLs one of which is mostly in the other (parameters taken out, a fragment cut):
    shown as the characters that changed; other URLs as a whole, old then new."""
    if ":" not in a or ":" not in b or len(a) > 4000 or len(b) > 4000:
        return False
    ta, tb = _FINE.findall(a), _FINE.findall(b)
    same = sum(m.size for m in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_matching_blocks())
    return same >= 0.6 * min(len(ta), len(tb))  # most of one is in the other


def _whole(old: str, new: str, change: int | None) -> list[Segment]:
    out = [Segment("-", old, change)] if old else []
    return out + ([Segment("+", new, change)] if new else [])


def _merge(raw: list[tuple[str, str]], change: int | None) -> list[Segment]:
    """Join changes separated by one short kept piece; removed text before added text."""
    groups: list[tuple[str, str, str] | str] = []  # ("", removed, added) or kept text
    for i, (op, text) in enumerate(raw):
        short = op == "=" and len(text) <= 2 and not text.isspace()
        inside = 0 < i < len(raw) - 1 and raw[i - 1][0] != "=" and raw[i + 1][0] != "="
        if op == "=" and not (short and inside):
            groups.append(text)
            continue
        last = groups[-1] if groups and not isinstance(groups[-1], str) else None
        removed, added = (last[1], last[2]) if last else ("", "")
        if op in "=-":
            removed += text
        if op in "=+":
            added += text
        if last:
            groups[-1] = ("", removed, added)
        else:
            groups.append(("", removed, added))
    out: list[Segment] = []
    for g in groups:
        if isinstance(g, str):
            out.append(Segment("=", g))
        else:
            out += _whole(g[1], g[2], change)
    return out


def similar(a: str, b: str) -> bool:
    """One line is mostly the other, with some words changed, taken out or put in (a URL
    counts as one word): most of the shorter line's words are in the longer, in order."""
    wa = [t for t in _COARSE.findall(a) if not t.isspace()]
    wb = [t for t in _COARSE.findall(b) if not t.isspace()]
    if not wa or not wb:
        return False
    short = min(len(wa), len(wb))
    m = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    same = sum(b.size for b in m.get_matching_blocks())
    return same >= _SIMILAR * short and same >= min(2, short)


def pair_lines(old: list[str], new: list[str], window: int = 8) -> list[tuple[int | None, int | None]]:
    """Removed lines matched with the added lines they became, in order: (old index, new
    index); a line with no counterpart is paired with None. Each line is compared with the
    next `window` lines of the other side only (bounded work on long blocks)."""
    out: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < len(old) and j < len(new):
        match = next((k for k in range(j, min(len(new), j + window)) if similar(old[i], new[k])), None)
        if match is None:
            out.append((i, None))
            i += 1
            continue
        out += [(None, k) for k in range(j, match)]
        out.append((i, match))
        i, j = i + 1, match + 1
    out += [(k, None) for k in range(i, len(old))]
    out += [(None, k) for k in range(j, len(new))]
    return out
