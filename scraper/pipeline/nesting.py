"""Deep nesting flattened before an HTML page is parsed, so cleaning it stays linear.

An HTML parser checks the stack of open elements at every block start tag ("is a <p> open in
button scope?"), so N nested <div>s cost N² steps: 100,000 of them took lexbor 14 s, 200,000
took 101 s. No article nests that deep (real pages stay within 40; trafilatura loses text past
about 195). One linear pass over the tags here keeps at most MAX_NESTING elements open: a start
tag deeper than that is dropped with its end tag, and the text inside is kept where it was
(paragraphs keep their tags: a paragraph cannot hold another). The pass
follows the HTML rules that matter for depth — void elements, raw-text elements (script,
style …), comments, and the end tags an open <p>, <li>, <td> … gets implicitly — closely
enough that real pages, sloppy ones included, are left byte for byte as they are.

What it did is recorded as one removal (category `unsafe`, rule `deep-nesting`): how many tags
were dropped beyond which depth, and the first of them.
"""

from __future__ import annotations

import re

from cleaners import Removal
from scraper.settings import MAX_NESTING

# a tag, or what is skipped whole: a comment (to its end), <!DOCTYPE …> or <? …> (to the next >);
# a tag's attributes run from the end of its name to its `>` (not captured: rarely looked at) and
# hold no `<`. That is `[^<>]*+>`, written as a look-ahead for a `<` before the first `>` and then
# `[^>]*+>`: the same matches, but the regex engine runs through the text at C speed for a single
# excluded character, and tests each character against a set for two (a third of the pass's time)
_TOKEN = re.compile(
    r"<(?:(/?)([A-Za-z][A-Za-z0-9:-]*+)(?![^>]*<)[^>]*+>|!--(?:.*?-->|.*)|[!?][^>]*+>?)", re.S
)
VOID = frozenset(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param source"
    " track wbr".split()
)
RAWTEXT = frozenset(["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"])
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# the HTML standard's "special" elements: an implied end does not reach past them
SPECIAL = frozenset(
    "address applet area article aside base basefont bgsound blockquote body br button caption"
    " center col colgroup dd details dir div dl dt embed fieldset figcaption figure footer form"
    " frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe img input keygen li link"
    " listing main marquee menu meta nav noembed noframes noscript object ol p param plaintext pre"
    " script search section select source style summary table tbody td template textarea tfoot th"
    " thead title tr track ul wbr xmp svg math".split()
)
BUTTON_SCOPE = frozenset("applet caption html table td th marquee object template button svg math".split())
# a start tag of these ends an open <p> in button scope
ENDS_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure"
    " footer form h1 h2 h3 h4 h5 h6 header hgroup hr li dd dt listing main menu nav ol p pre search"
    " section summary table ul xmp plaintext".split()
)
# start tag -> the open elements it ends (popping to the nearest one), and what stops the search
ENDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), SPECIAL - {"address", "div", "p"}),
    "dd": (frozenset({"dd", "dt"}), SPECIAL - {"address", "div", "p"}),
    "dt": (frozenset({"dd", "dt"}), SPECIAL - {"address", "div", "p"}),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table", "tbody", "thead", "tfoot", "html"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table", "tbody", "thead", "tfoot", "html"})),
    "tr": (frozenset({"tr"}), frozenset({"table", "tbody", "thead", "tfoot", "html"})),
    "tbody": (frozenset({"tbody", "thead", "tfoot"}), frozenset({"table", "html"})),
    "thead": (frozenset({"tbody", "thead", "tfoot"}), frozenset({"table", "html"})),
    "tfoot": (frozenset({"tbody", "thead", "tfoot"}), frozenset({"table", "html"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist", "html"})),
    "optgroup": (frozenset({"option", "optgroup"}), frozenset({"select", "html"})),
}
_P = frozenset({"p"})
_FOREIGN = frozenset({"svg", "math"})
# start tags that may end open elements other than a <p> (ENDS_P end only an open <p>)
_ENDS_MORE = frozenset(ENDS) | HEADINGS
_END = {name: re.compile(rf"</{name}", re.I) for name in RAWTEXT}
# how far down the stack an implied end looks: a constant, so the pass stays linear; past it the
# element is taken as nested (more depth counted, never less)
LOOKBACK = 12
# kept even past the limit, so text there stays in paragraphs: a <p> ends the open <p> (past the
# limit no element that stops that is kept), so paragraphs add one level at most (SPARE)
KEEP_DEEP = frozenset({"p"})
SPARE = 2


class _Stack:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.dropped: list[bool] = []
        self.count: dict[str, int] = {}
        self.foreign = 0  # open <svg>/<math>: there, <x/> closes itself
        self.kept = 0  # open elements whose tags are kept: the depth the parser will see

    def push(self, name: str, dropped: bool) -> None:
        self.names.append(name)
        self.dropped.append(dropped)
        self.count[name] = self.count.get(name, 0) + 1
        self.foreign += name in ("svg", "math")
        self.kept += not dropped

    def pop(self) -> bool:
        name = self.names.pop()
        self.count[name] -= 1
        self.foreign -= name in ("svg", "math")
        dropped = self.dropped.pop()
        self.kept -= not dropped
        return dropped

    def _end_to(self, targets: frozenset[str], stops: frozenset[str]) -> None:
        """Pop to the nearest open element in `targets`, unless an element in `stops` (or the
        lookback) comes first."""
        for i in range(len(self.names) - 1, max(-1, len(self.names) - 1 - LOOKBACK), -1):
            node = self.names[i]
            if node in targets:
                while len(self.names) > i:
                    self.pop()
                return
            if node in stops:
                return

    def implied_end(self, name: str) -> None:
        """The open elements a start tag ends, as an HTML parser would (within the lookback)."""
        if name in ENDS_P and self.count.get("p"):
            self._end_to(_P, BUTTON_SCOPE)
        if name in ENDS:
            targets, stops = ENDS[name]
            if any(self.count.get(t) for t in targets):
                self._end_to(targets, stops)
        if name in HEADINGS and self.names and self.names[-1] in HEADINGS:
            self.pop()
        if name in ("option", "optgroup") and self.names and self.names[-1] == "option":
            self.pop()


def flatten_deep(html: str, limit: int = MAX_NESTING) -> tuple[str, list[Removal]]:
    """`html` with no element nested deeper than `limit` (the same string when none is), and
    the removal that records what was dropped."""
    if not _more_than(html, "<", limit):  # fewer tags than the limit: nothing can be that deep
        return html, []
    if _within(html, limit):  # the open elements never reach the limit: nothing is dropped
        return html, []
    cut = _cuts(html, limit)
    if not cut:
        return html, []
    return _without(html, cut), [_record(html, cut, limit)]


def _cuts(html: str, limit: int) -> list[tuple[int, int]]:
    """The spans of the tags the pass drops."""
    stack = _Stack()
    cut: list[tuple[int, int]] = []
    pos, n = 0, len(html)
    while pos < n:
        pos = _scan(html, pos, stack, cut, limit)
    return cut


def _more_than(text: str, char: str, n: int) -> bool:
    """Whether `text` holds `char` more than `n` times (looks no further than the n+1st)."""
    pos = -1
    for _ in range(n + 1):
        pos = text.find(char, pos + 1)
        if pos < 0:
            return False
    return True


def _scan(html: str, pos: int, stack: _Stack, cut: list[tuple[int, int]], limit: int) -> int:
    """Tags from `pos` on, until the text of a raw-text element (script, style …) starts:
    where the scan goes on (the length of `html` at its end). The hot loop of the pass: the
    stack is kept in locals; `_Stack` does the rarer steps (implied ends)."""
    names, dropped, count = stack.names, stack.dropped, stack.count
    kept, foreign = stack.kept, stack.foreign
    for m in _TOKEN.finditer(html, pos):
        slash, raw = m.groups()
        if raw is None:  # a comment, <!DOCTYPE …>, <? …>: skipped whole (by the pattern)
            continue
        name = raw.lower()
        if slash:  # an end tag: pop up to the innermost open element of that name
            if count.get(name):
                while True:
                    top = names.pop()
                    count[top] -= 1
                    if top in _FOREIGN:
                        foreign -= 1
                    was_dropped = dropped.pop()
                    kept -= not was_dropped
                    if top == name:
                        if was_dropped:
                            cut.append(m.span())
                        break
            continue
        if name in VOID:
            continue
        if foreign and html[m.end(2) : m.end() - 1].rstrip().endswith("/"):
            if name in RAWTEXT:
                stack.kept, stack.foreign = kept, foreign
                return _raw_end(html, name, m.end())
            continue  # <path/> in SVG closes itself
        if name in _ENDS_MORE or (name in ENDS_P and count.get("p")):
            stack.kept, stack.foreign = kept, foreign
            stack.implied_end(name)
            kept, foreign = stack.kept, stack.foreign
        deep = kept >= limit and not (name in KEEP_DEEP and kept < limit + SPARE)
        names.append(name)
        dropped.append(deep)
        count[name] = count.get(name, 0) + 1
        if name in _FOREIGN:
            foreign += 1
        if deep:
            cut.append(m.span())
        else:
            kept += 1
        if name in RAWTEXT:
            stack.kept, stack.foreign = kept, foreign
            return _raw_end(html, name, m.end())
    stack.kept, stack.foreign = kept, foreign
    return len(html)


# The same tags as _TOKEN, an end tag's slash and the name in one group: one look-up in _KINDS
_TOKEN1 = re.compile(r"<(?:(/?[A-Za-z][A-Za-z0-9:-]*+)(?![^>]*<)[^>]*+>|!--(?:.*?-->|.*)|[!?][^>]*+>?)", re.S)
_END_TAG, _VOID, _OPEN, _IMPLY_P, _IMPLY, _RAW, _FOREIGN_TAG = 0, 1, 2, 4, 8, 16, 32
_KINDS: dict[str, tuple[str, int]] = {}  # a tag as written ("/DIV") -> its name and kind


def _kind(raw: str) -> tuple[str, int]:
    """A tag's name (lower case) and what it does to the open elements (a pure function of the
    tag; kept per tag as written, bounded)."""
    found = _KINDS.get(raw)
    if found is None:
        if raw[0] == "/":
            found = (raw[1:].lower(), _END_TAG)
        else:
            name = raw.lower()
            kind = _VOID if name in VOID else _OPEN
            kind |= _IMPLY_P if name in ENDS_P else 0
            kind |= _IMPLY if name in _ENDS_MORE else 0
            kind |= _RAW if name in RAWTEXT else 0
            found = (name, kind | (_FOREIGN_TAG if name in _FOREIGN else 0))
        if len(_KINDS) >= 4096:
            _KINDS.clear()
        _KINDS[raw] = found
    return found


class _Open(_Stack):
    """The open elements while none is dropped (the depth is the stack's length)."""

    def pop(self) -> bool:
        name = self.names.pop()
        self.count[name] -= 1
        self.foreign -= name in ("svg", "math")
        return False


def _within(html: str, limit: int) -> bool:
    """Whether the open elements stay under `limit` while the pass reads `html`, so that it
    drops nothing: the pass's own steps, without the bookkeeping of what is dropped (none is,
    until a start tag meets `limit` open elements: then False, and the pass runs in full)."""
    stack = _Open()
    names, count = stack.names, stack.count
    foreign, pos, n = 0, 0, len(html)
    while pos < n:
        for m in _TOKEN1.finditer(html, pos):
            raw = m[1]
            if raw is None:  # a comment, <!DOCTYPE …>, <? …>
                continue
            name, kind = _KINDS.get(raw) or _kind(raw)
            if kind == _END_TAG:
                if count.get(name):
                    while True:
                        top = names.pop()
                        count[top] -= 1
                        if top in _FOREIGN:
                            foreign -= 1
                        if top == name:
                            break
                continue
            if kind == _VOID:
                continue
            if foreign and html[m.end(1) : m.end() - 1].rstrip().endswith("/"):
                if kind & _RAW:
                    pos = _raw_end(html, name, m.end())
                    break
                continue
            if kind & _IMPLY or (kind & _IMPLY_P and count.get("p")):
                stack.foreign = foreign
                stack.implied_end(name)
                foreign = stack.foreign
            if len(names) >= limit:
                return False
            names.append(name)
            count[name] = count.get(name, 0) + 1
            if kind & _FOREIGN_TAG:
                foreign += 1
            if kind & _RAW:
                pos = _raw_end(html, name, m.end())
                break
        else:
            return True
    return True


def _raw_end(html: str, name: str, pos: int) -> int:
    """Where the end tag of a raw-text element starts (its text holds no tags)."""
    close = _END[name].search(html, pos)
    return len(html) if close is None else close.start()


def _without(html: str, cut: list[tuple[int, int]]) -> str:
    parts, last = [], 0
    for start, end in cut:
        parts.append(html[last:start])
        last = end
    parts.append(html[last:])
    return "".join(parts)


def _record(html: str, cut: list[tuple[int, int]], limit: int) -> Removal:
    first = html[cut[0][0] : cut[0][1]][:200]
    return Removal(
        "unsafe",
        "deep-nesting",
        f"{len(cut):,} tags nested deeper than {limit} levels dropped, their text kept",
        first,
    )
