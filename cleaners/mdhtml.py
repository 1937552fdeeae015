"""The last step of Markdown cleaning: every stretch a browser could read as markup passes the
allow-list sanitizer (`cleaners.sanitize`).

The stretches are found in the body as the rules' edits leave it (an edit could join a `<` to a
tag name), and the way a Markdown renderer with raw HTML on sees them: a line that starts with
`<` opens an HTML block that runs to the next blank line (a `<script>`, `<pre>`, `<style>` or
`<textarea>` block, a comment or a `<!…>`/`<?…?>` block to its end), and inside it nothing is
code — backticks and fences there are raw HTML too. Elsewhere code blocks and code spans are
text, and a stretch runs from the first tag start of a paragraph to its last `>` (to the end of
the paragraph when a tag is left open). A stretch the sanitizer leaves as it is keeps its bytes;
any other is replaced by the sanitizer's output, which supersedes the edits inside it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from cleaners.editor import Edit
from cleaners.htmlspan import code_blocks, code_spans
from cleaners.mdedits import by_place, merge
from cleaners.records import LineIndex, Removal
from cleaners.sanitize import sanitize_html, unchanged_by_sanitizer

TAG_START = re.compile(r"<[A-Za-z/!?]")
_HTML_LINE = re.compile(r"^ {0,3}<[A-Za-z/!?]", re.M)
_BLANK = re.compile(r"\n[ \t]*(?=\n|\Z)")
_TYPE_1_5 = (
    (
        re.compile(r" {0,3}<(?:script|pre|style|textarea)(?=[\s>]|$)", re.I),
        re.compile(r"</(?:script|pre|style|textarea)\s*>", re.I),
    ),
    (re.compile(r" {0,3}<!--"), re.compile(r"-->")),
    (re.compile(r" {0,3}<\?"), re.compile(r"\?>")),
    (re.compile(r" {0,3}<!\[CDATA\["), re.compile(r"\]\]>")),
    (re.compile(r" {0,3}<![A-Za-z]"), re.compile(r">")),
)
# CommonMark autolinks: a renderer writes a link for them, never a tag.
_AUTOLINK = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9]"
    r"(?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>"
)
_HOLE = "\ue004"  # a code span inside a stretch, kept out of the sanitizer
_MAX_STRETCHES = 10_000


@dataclass(frozen=True)
class _Mapped:
    """The body with the edits applied (raw, no tidying), and the way back to the original."""

    text: str
    segments: list[tuple[int, int, int, int]]  # (out start, out end, in start, in end)
    edits: list[Edit]  # the edits applied, in order


def _apply_raw(body: str, edits: list[Edit]) -> _Mapped:
    kept: list[Edit] = []
    for e in by_place(edits):
        if kept and e.start < kept[-1].end:
            continue
        kept.append(e)
    parts: list[str] = []
    segments: list[tuple[int, int, int, int]] = []
    pos = out = 0
    for e in kept:
        parts.append(body[pos : e.start])
        segments.append((out, out + e.start - pos, pos, e.start))
        out += e.start - pos
        parts.append(e.text)
        segments.append((out, out + len(e.text), e.start, e.end))
        out += len(e.text)
        pos = e.end
    parts.append(body[pos:])
    segments.append((out, out + len(body) - pos, pos, len(body)))
    return _Mapped("".join(parts), segments, kept)


def _to_source(mapped: _Mapped, start: int, end: int) -> tuple[int, int]:
    """The original span behind [start, end) of the edited text (edits it cuts are taken whole).
    Segments alternate: copied text, an edit's text, copied text …"""
    starts = [seg[0] for seg in mapped.segments]
    i = bisect.bisect_right(starts, start) - 1
    os_, _, is_, _ = mapped.segments[i]
    a = is_ + (start - os_) if i % 2 == 0 else is_
    j = max(bisect.bisect_left(starts, end) - 1, 0)
    os_, _, is_, ie = mapped.segments[j]
    b = is_ + (end - os_) if j % 2 == 0 else ie
    return a, max(a, b)


def _html_blocks(
    text: str, blocks: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(HTML blocks, trusted code blocks): a code block that starts inside an HTML block is no
    code block to a renderer, and lines starting with `<` inside a trusted one are code."""
    html: list[tuple[int, int]] = []
    trusted: list[tuple[int, int]] = []
    bi = 0
    for s in _html_line_starts(text):
        while bi < len(blocks) and blocks[bi][0] <= s:
            a, b = blocks[bi]
            if not (html and a < html[-1][1]):
                trusted.append((a, b))
            bi += 1
        if (html and s < html[-1][1]) or (trusted and s < trusted[-1][1]):
            continue
        html.append((s, _block_end(text, s)))
    trusted.extend(b for b in blocks[bi:] if not (html and b[0] < html[-1][1]))
    return html, trusted


def _html_line_starts(text: str) -> list[int]:
    """Where `_HTML_LINE` matches: each line that starts with a tag start after at most three
    spaces (found from the tag starts: a multi-line regex scan of a non-ASCII text is slow)."""
    out: list[int] = []
    for m in TAG_START.finditer(text):
        p = m.start()
        line_start = text.rfind("\n", 0, p) + 1
        if p - line_start <= 3 and text.startswith(" " * (p - line_start), line_start):
            out.append(line_start)
    return out


def _block_end(text: str, start: int) -> int:
    line_end = text.find("\n", start)
    for opener, closer in _TYPE_1_5:
        if opener.match(text, start):
            close = closer.search(text, start + 2)
            if close is not None:
                nl = text.find("\n", close.end())
                return len(text) if nl < 0 else nl
            # Never closed: a renderer passes the rest of the document raw. The paragraph is
            # enough: what the sanitizer writes for it is closed, so the rest is Markdown again.
            break
    if line_end < 0:
        return len(text)
    blank = _BLANK.search(text, line_end)
    return blank.start() if blank else len(text)


def _paragraph_end(text: str, pos: int) -> int:
    after = _BLANK.search(text, pos)
    return after.start() if after else len(text)


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    i = bisect.bisect_right(spans, (pos, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def stretches(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that a browser could read as markup, as a Markdown renderer passes them."""
    blocks = code_blocks(text)
    html, trusted = _html_blocks(text, blocks)
    spans = [s for s in code_spans(text, trusted) if not _inside(s[0], html)] if "`" in text else []
    autolinks = [(m.start(), m.end()) for m in _AUTOLINK.finditer(text) if not _inside(m.start(), html)]
    code = merge(sorted(trusted + spans + autolinks))
    out: list[tuple[int, int]] = []
    hi = 0
    for m in TAG_START.finditer(text):
        s = m.start()
        if (out and s < out[-1][1]) or _inside(s, code):
            continue
        while hi < len(html) and html[hi][1] <= s:
            hi += 1
        if hi < len(html) and html[hi][0] <= s and len(out) < _MAX_STRETCHES:
            out.append(html[hi])
            continue
        para_end = _paragraph_end(text, s)
        if hi < len(html):
            para_end = min(para_end, html[hi][0])  # an HTML block interrupts the paragraph
        if len(out) >= _MAX_STRETCHES:  # bounded: the rest of the body is one stretch
            out.append((html[hi][0] if hi < len(html) and html[hi][0] <= s else s, len(text)))
            break
        out.append((s, _stretch_end(text, s, para_end, code)))
    return out


def _stretch_end(text: str, start: int, end: int, code: list[tuple[int, int]]) -> int:
    """After the last `>` outside code, or the paragraph's end when a tag start follows it."""
    last_gt = last_lt = -1
    for m in re.finditer(r"[<>]", text[start:end]):
        p = start + m.start()
        if _inside(p, code):
            continue
        if m.group(0) == ">":
            last_gt = p
        elif TAG_START.match(text, p):
            last_lt = p
    return end if last_lt > last_gt else last_gt + 1


def _sanitize_stretch(text: str, a: int, b: int) -> str | None:
    """The sanitized stretch, or None when the sanitizer leaves it as it is. Code spans in it
    (outside HTML blocks) are kept out of the sanitizer and put back as they were."""
    piece = text[a:b]
    holes: list[str] = []
    if not _HTML_LINE.match(text, text.rfind("\n", 0, a) + 1):
        kept = code_spans(piece, []) if "`" in piece else []
        kept = merge(sorted(kept + [(m.start(), m.end()) for m in _AUTOLINK.finditer(piece)]))
        for s, e in reversed(kept):
            holes.append(piece[s:e])
            piece = piece[:s] + f"{_HOLE}{len(holes) - 1}{_HOLE}" + piece[e:]
    clean = sanitize_html(piece)
    if unchanged_by_sanitizer(piece, clean):
        return None
    for i, hole in enumerate(holes):
        clean = clean.replace(f"{_HOLE}{i}{_HOLE}", hole)
    return clean.replace(_HOLE, "")


def sanitize_body(body: str, edits: list[Edit], lines: LineIndex) -> tuple[list[Edit], list[Removal]]:
    """The edits with each unsafe stretch replaced by the sanitizer's output, and the removals."""
    mapped = _apply_raw(body, edits)
    if not TAG_START.search(mapped.text):
        return edits, []
    replaced: list[tuple[int, int, str]] = []
    for a, b in stretches(mapped.text):
        clean = _sanitize_stretch(mapped.text, a, b)
        if clean is None:
            continue
        src_a, src_b = _to_source(mapped, a, b)
        replaced.append((src_a, src_b, clean))
    if not replaced:
        return edits, []
    out = [e for e in edits if not any(a <= e.start and e.end <= b for a, b, _ in replaced)]
    removals: list[Removal] = []
    for a, b, clean in replaced:
        out.append(Edit(a, b, clean))
        removals.append(
            Removal(
                "unsafe",
                "html-sanitizer",
                "raw HTML outside the allow-list (what a browser could run, or markup it re-parses)",
                body[a:b],
                clean,
                lines.line(a),
                lines.line(max(a, b - 1)),
            )
        )
    return out, removals
