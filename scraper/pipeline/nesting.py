"""Deep nesting flattened before an HTML page is parsed, so cleaning it stays linear.

An HTML parser checks the stack of open elements at every block start tag ("is a <p> open in
button scope?"), so N nested <div>s cost N² steps: 100,000 of them took lexbor 14 s, 200,000
took 101 s. No article nests that deep (trafilatura's lxml stops at 255 levels anyway). One
linear pass over the tags here keeps at most MAX_NESTING elements open: a start tag deeper
than that is dropped with its end tag, and the text inside is kept where it was. The pass
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

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)([^<>]*)>|<!--|<!|<\?")
VOID = frozenset(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param source"
    " track wbr".split()
)
RAWTEXT = frozenset(["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"])
# a start tag of these ends an open element of the same name (a new <li> ends the last one)
SELF_ENDING = frozenset("p li dt dd option optgroup tr td th tbody thead tfoot rb rt rp".split())
# a start tag of these ends an open <p>
ENDS_P = frozenset(
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer form"
    " h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul".split()
)
_END = {name: re.compile(rf"</{name}", re.I) for name in RAWTEXT}
LOOKBACK = 8  # how far up the stack an implied end looks (kept constant: the pass stays linear)


class _Stack:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.dropped: list[bool] = []
        self.count: dict[str, int] = {}
        self.foreign = 0  # open <svg>/<math>: there, <x/> closes itself

    def push(self, name: str, dropped: bool) -> None:
        self.names.append(name)
        self.dropped.append(dropped)
        self.count[name] = self.count.get(name, 0) + 1
        self.foreign += name in ("svg", "math")

    def pop(self) -> bool:
        name = self.names.pop()
        self.count[name] -= 1
        self.foreign -= name in ("svg", "math")
        return self.dropped.pop()

    def close(self, name: str) -> bool | None:
        """Pop up to the innermost open `name`; whether that element was dropped (None: not open)."""
        if not self.count.get(name):
            return None
        while True:
            top = self.names[-1]
            dropped = self.pop()
            if top == name:
                return dropped

    def implied_end(self, name: str) -> None:
        if name in SELF_ENDING:
            for i in range(len(self.names) - 1, max(-1, len(self.names) - 1 - LOOKBACK), -1):
                if self.names[i] == name:
                    while len(self.names) > i:
                        self.pop()
                    return
        if name in ENDS_P and self.names and self.names[-1] == "p":
            self.pop()


def flatten_deep(html: str, limit: int = MAX_NESTING) -> tuple[str, list[Removal]]:
    """`html` with no element nested deeper than `limit` (the same string when none is), and
    the removal that records what was dropped."""
    if html.count("<") <= limit:  # fewer tags than the limit: nothing can be that deep
        return html, []
    stack = _Stack()
    cut: list[tuple[int, int]] = []  # spans of dropped tags
    pos, n = 0, len(html)
    while pos < n:
        m = _TAG.search(html, pos)
        if m is None:
            break
        pos = m.end()
        if m.group(2) is None:  # <!-- …, <!DOCTYPE …, <? …: skipped whole
            end = html.find("-->", pos) if m.group() == "<!--" else html.find(">", pos)
            pos = n if end < 0 else end + (3 if m.group() == "<!--" else 1)
            continue
        name = m.group(2).lower()
        if m.group(1):  # an end tag
            if stack.close(name):
                cut.append(m.span())
            continue
        if name in VOID:
            continue
        if name in RAWTEXT:
            close = _END[name].search(html, pos)
            pos = n if close is None else close.start()
        if m.group(3).rstrip().endswith("/") and stack.foreign:
            continue  # <path/> in SVG closes itself
        stack.implied_end(name)
        deep = len(stack.names) >= limit
        stack.push(name, deep)
        if deep:
            cut.append(m.span())
    if not cut:
        return html, []
    return _without(html, cut), [_record(html, cut, limit)]


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
