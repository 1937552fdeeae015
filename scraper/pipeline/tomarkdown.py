"""trafilatura's XML (head, p, list/item, hi, ref, graphic, quote, code, table …) to Markdown.

trafilatura's own Markdown output drops heading text that follows an empty anchor and turns
plain URLs into links; rendering its XML ourselves keeps every heading, list, table, image and
link, escapes text so it cannot become markup (or raw HTML) by accident, writes only URLs the gate
(`cleaners.safeurl.is_safe_url`) lets through, and is deterministic.
"""

from __future__ import annotations

import re

from lxml import etree

from cleaners.mdsyntax import escape_url
from cleaners.safeurl import is_safe_url

_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_ESCAPE = re.compile(r"([\\`*\[\]])")
_UNDERSCORE = re.compile(r"(?<![\w])_|_(?![\w])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_ODD_CHARS = ("\t", "\r", "\n", "\f", "\v", "\u00a0")  # _SPACE's characters but the space
_HEAD_LEVEL = re.compile(r"h(\d)")
_LINE_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|>|[+-](?=\s)|\d+(?=[.)]\s)|={3,}|-{3,})", re.M)
_BLOCK = frozenset(
    ["p", "head", "list", "quote", "code", "table", "div", "main", "doc", "body", "item", "fw", "note"]
)
_EMPHASIS = {"#b": "**", "#bold": "**", "#strong": "**", "#i": "_", "#em": "_", "#italic": "_"}


def _collapse(text: str) -> str:
    """`_SPACE.sub(" ", text)`: each white-space run one space. Each white-space character other
    than a space made a space (a str.replace for each one the text holds), then each run of
    spaces halved until none is left (a run of n spaces takes about log2(n) passes): a lone
    space stays a space either way. str.replace scans at C speed; the regex tried each space."""
    for char in _ODD_CHARS:
        if char in text:
            text = text.replace(char, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _has_special(text: str) -> bool:
    """Whether the text holds a character _escape changes (\\ ` * [ ] _ & <): one scan at C
    speed for each (a regex character class tested the set at every character)."""
    return (
        "\\" in text
        or "`" in text
        or "*" in text
        or "[" in text
        or "]" in text
        or "_" in text
        or "&" in text
        or "<" in text
    )


def _escape(text: str | None) -> str:
    """Text made literal in Markdown: whitespace runs collapsed, markup characters escaped."""
    if not text:
        return ""
    text = _collapse(text)
    if not _has_special(text):
        return text  # most text: nothing to escape
    text = _ESCAPE.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _ENTITY.sub("&amp;", text)
    return text.replace("<", "&lt;")


def _wrap(marker: str, inner: str) -> str:
    core = inner.strip()
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{trail}"


_MARKUP_OPEN = "*_~[!`"
_MARKUP_CLOSE = "*_~`"


def _edge(piece: str, first: bool) -> str:
    """The first (or last) visible character of rendered Markdown (markup skipped)."""
    if first:
        s = piece.lstrip(_MARKUP_OPEN)
        return s[:1]
    s = piece.rstrip(_MARKUP_CLOSE)
    if s.endswith(")") and "](" in s:
        s = s[: s.rfind("](")]
    return s[-1:]


def _join(buf: list[str], piece: str, element: bool) -> None:
    """Append a piece of inline Markdown. trafilatura drops the space between a word and an
    element that follows it ("the book<hi>Beautiful Code</hi>"): it is mended here. A space
    the source has before punctuation ("<b>Note</b> :") is the article's and stays."""
    if not piece:
        return
    prev = buf[-1] if buf else ""
    if element and prev and not prev[-1].isspace():
        left, right = _edge(prev, False), _edge(piece, True)
        if left.isalnum() and right.isalnum():
            buf.append(" ")
    elif prev and prev[-1] == " " and piece[0] == " ":
        piece = piece[1:]  # HTML collapses the space a link's edge and the text after it share
    buf.append(piece)


def _inline(el: etree._Element) -> str:
    parts: list[str] = []
    _join(parts, _escape(el.text), False)
    for child in el:
        _join(parts, _inline_child(child), True)
        _join(parts, _escape(child.tail), False)
    return "".join(parts)


def _code_span(text: str) -> str:
    text = _SPACE.sub(" ", text)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _inline_child(c: etree._Element) -> str:
    tag = c.tag if isinstance(c.tag, str) else ""
    if tag == "hi":
        rend = c.get("rend", "")
        if rend in ("#t", "#code"):
            return _code_span("".join(c.itertext()))
        marker = _EMPHASIS.get(rend)
        inner = _inline(c)
        return _wrap(marker, inner) if marker else inner
    if tag == "del":
        return _wrap("~~", _inline(c))
    if tag == "ref":
        text = _inline(c)
        target = (c.get("target") or "").strip()
        if not text.strip():
            return ""
        if not target or not is_safe_url(target):
            return text  # the DOM rules recorded the link they unwrapped; this is the last gate
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        return f"{lead}[{text.strip()}]({escape_url(target, False)}){trail}"
    if tag == "graphic":  # an image without a usable source goes alone, not the text it holds
        return _image(c) + _inline(c)
    if tag == "lb":
        return "  \n"
    if tag == "code":
        return _code_span("".join(c.itertext()))
    return _inline(c) + (" " if tag in _BLOCK else "")


def _image(c: etree._Element) -> str:
    src = (c.get("src") or "").strip()
    if not src or not is_safe_url(src):
        return ""
    alt = _escape(c.get("alt") or c.get("title") or "").strip()
    return f"![{alt}]({escape_url(src, False)})"


def _paragraph(text: str) -> str:
    """Lines stripped, blank ones dropped, and a backslash before a line start that Markdown
    would read as markup. The pattern is tried at each line's start only (where its `^` can
    match), not at every character; a line starts with no white space, so its group is empty."""
    lines = [ln for ln in (ln.strip() for ln in text.split("\n")) if ln]
    text = "\n".join(lines)
    pos = 0
    for i, ln in enumerate(lines):
        if _LINE_START.match(text, pos):
            lines[i] = "\\" + ln
        pos += len(ln) + 1
    return "\n".join(lines).strip()


def _blocks(el: etree._Element, out: list[str]) -> None:
    buf: list[str] = []
    _join(buf, _escape(el.text), False)

    def flush() -> None:
        para = _paragraph("".join(buf).replace("  \n", "\x00")).replace("\x00", "  \n")
        if para:
            out.append(para)
        buf.clear()

    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _BLOCK and not (tag == "code" and "\n" not in "".join(child.itertext())):
            flush()
            _block(child, out)
        else:
            _join(buf, _inline_child(child), True)
        _join(buf, _escape(child.tail), False)
    flush()


def _block(el: etree._Element, out: list[str]) -> None:
    tag = el.tag
    if tag == "head":
        m = _HEAD_LEVEL.match(el.get("rend", "h2"))
        level = min(max(int(m.group(1)) if m else 2, 1), 6)
        text = _paragraph(_inline(el)).replace("\n", " ").lstrip("\\")
        if text:
            out.append("#" * level + " " + text)
    elif tag == "p":
        _blocks(el, out)
    elif tag == "list":
        out.append(_list(el))
    elif tag == "quote":
        inner: list[str] = []
        _blocks(el, inner)
        if inner:
            out.append("\n".join("> " + ln if ln else ">" for ln in "\n\n".join(inner).split("\n")))
    elif tag == "code":
        text = "".join(el.itertext()).strip("\n")
        longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
        fence = "`" * (longest + 1)
        out.append(f"{fence}\n{text}\n{fence}")
    elif tag == "table":
        table = _table(el)
        if table:
            out.append(table)
    else:
        _blocks(el, out)


def _list(el: etree._Element) -> str:
    ordered = el.get("rend", "ul") == "ol"
    items: list[str] = []
    n = 0
    for item in el:
        if item.tag != "item":
            continue
        n += 1
        marker = f"{n}. " if ordered else "* "
        parts: list[str] = []
        _blocks(item, parts)
        body = "\n\n".join(parts)
        if not body.strip():
            continue
        pad = " " * len(marker)
        lines = body.split("\n")
        items.append(marker + lines[0] + "".join("\n" + (pad + ln if ln else "") for ln in lines[1:]))
    return "\n".join(items)


def _table(el: etree._Element) -> str:
    rows: list[list[str]] = []
    head = False
    for i, row in enumerate(el.iter("row")):
        cells = [
            _SPACE.sub(" ", _inline(c)).strip().replace("|", "\\|") or " " for c in row if c.tag == "cell"
        ]
        if cells:
            rows.append(cells)
            if i == 0 and any(c.get("role") == "head" for c in row):
                head = True
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [" "] * (width - len(r)) for r in rows]
    if not head:
        rows.insert(0, [" "] * width)
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join(["---"] * width) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def xml_to_markdown(body: etree._Element) -> str:
    out: list[str] = []
    _blocks(body, out)
    return "\n\n".join(b for b in out if b.strip()) + "\n"
