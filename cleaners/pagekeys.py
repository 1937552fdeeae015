"""What a page's elements are made of (tag names, attribute names, class and id values), read
in one walk, so that a long CSS selector list is handed to lexbor without the selectors that
cannot match anything on the page.

lexbor tries every selector of a list on every element (some 150 instructions each): the ad
selectors and the extraction prune list cost more than the rest of the DOM rules. A selector
needs every tag, attribute, class and id it names to be on the page (all its compounds must
match some element); when one is missing it matches nothing and leaving it out changes no
result: lexbor still matches the rest, in page order. The test is a superset one: classes and
ids are looked for as substrings of all values (ASCII case ignored, as quirks mode does), a
selector this reader does not fully understand (escapes, namespaces, anything unusual) is always
kept, and what may appear after the walk (links a rule makes, the URLs it rewrites) is never
taken as missing (a selector naming it is judged by the rest of what it names).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

_IDENT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_SPACE = " \t\n\r\f"
_COMBINATORS = frozenset(" \t\n\r\f>+~*")
_OPERATORS = ("=", "~=", "|=", "^=", "$=", "*=")
# What rules may add to a page after its keys are read: links (a replaced player: an <a href>
# holding text only), and the URL attributes they rewrite. Unless a list is `stable`, these are
# taken as on the page; a selector still needs every other tag, attribute, class and id it names
# (nothing adds those).
_VOLATILE_TAGS = frozenset({"a"})
_VOLATILE_ATTRS = frozenset({"href", "src", "srcset", "poster"})
_ASCII_LOWER = {c: c + 32 for c in range(65, 91)}


def _lower(text: str) -> str:
    """ASCII letters lower-cased, nothing else (lexbor ignores ASCII case only)."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


@dataclass(frozen=True)
class Needs:
    """What a selector needs on the page: tag names, attribute names, substrings of class and
    of id values, and whole class and id words (`.name`, `#name`); all ASCII lower-case."""

    tags: tuple[str, ...] = ()
    attrs: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    class_words: tuple[str, ...] = ()
    id_words: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
        """The tags and attributes as sets: all of them, then those no rule adds."""
        return (
            frozenset(self.tags),
            frozenset(self.attrs),
            frozenset(self.tags) - _VOLATILE_TAGS,
            frozenset(self.attrs) - _VOLATILE_ATTRS,
        )


class _Reader:
    """A small reader of one selector; `None` from `needs` when it meets anything else."""

    def __init__(self, text: str) -> None:
        self.s, self.i = text, 0
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.classes: list[str] = []
        self.ids: list[str] = []
        self.words: tuple[list[str], list[str]] = ([], [])  # `.name`, `#name`

    def ident(self) -> str | None:
        start = self.i
        while self.i < len(self.s) and (self.s[self.i] in _IDENT or ord(self.s[self.i]) >= 0x80):
            self.i += 1
        return self.s[start : self.i] or None

    def needs(self) -> Needs | None:
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c in _COMBINATORS:
                self.i += 1
            elif c in "#.":
                self.i += 1
                name = self.ident()
                if name is None:
                    return None
                self.words[c == "#"].append(_lower(name))
            elif c == "[":
                if not self.attribute():
                    return None
            elif c == ":":
                if not self.pseudo():
                    return None
            else:
                name = self.ident()
                if name is None:
                    return None
                self.tags.append(_lower(name))
        lists = (self.tags, self.attrs, self.classes, self.ids, *self.words)
        return Needs(*(tuple(x) for x in lists))

    def attribute(self) -> bool:
        s = self.s
        self.i += 1
        self.space()
        name = self.ident()
        if name is None:
            return False
        name = _lower(name)
        self.attrs.append(name)
        self.space()
        op = next((o for o in sorted(_OPERATORS, key=len, reverse=True) if s.startswith(o, self.i)), None)
        if op is not None:
            self.i += len(op)
            self.space()
            value = self.value()
            if value is None:
                return False
            if name == "class":
                self.classes.append(_lower(value))
            elif name == "id":
                self.ids.append(_lower(value))
            self.space()
            if self.i < len(s) and s[self.i] in "iIsS":
                self.i += 1
                self.space()
        if self.i >= len(s) or s[self.i] != "]":
            return False
        self.i += 1
        return True

    def value(self) -> str | None:
        s = self.s
        if self.i < len(s) and s[self.i] in "\"'":
            end = s.find(s[self.i], self.i + 1)
            if end < 0:
                return None
            value = s[self.i + 1 : end]
            if "\\" in value or "\n" in value:
                return None
            self.i = end + 1
            return value
        return self.ident()

    def pseudo(self) -> bool:
        """A pseudo-class (its argument skipped: `:not(x)` needs nothing on the page)."""
        s = self.s
        while self.i < len(s) and s[self.i] == ":":
            self.i += 1
        if self.ident() is None:
            return False
        if self.i < len(s) and s[self.i] == "(":
            depth = 0
            while self.i < len(s):
                c = s[self.i]
                if c in "\"'\\":
                    return False  # strings and escapes inside: not read
                depth += (c == "(") - (c == ")")
                self.i += 1
                if depth == 0:
                    return True
            return False
        return True

    def space(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in _SPACE:
            self.i += 1


def split_list(css: str) -> list[str] | None:
    """The selectors of a comma-separated list (None when it holds strings, escapes or
    brackets this split cannot follow)."""
    if "\\" in css:
        return None
    out, depth, start, quote = [], 0, 0, ""
    for i, c in enumerate(css):
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(css[start:i].strip())
            start = i + 1
    if depth or quote:
        return None
    out.append(css[start:].strip())
    return out


_NEEDS: dict[str, Needs | None] = {}


def needs(selector: str) -> Needs | None:
    """What one selector needs on the page (None: not understood, always kept); kept per
    selector text (rules are few and fixed)."""
    if selector not in _NEEDS:
        if len(_NEEDS) > 4096:
            _NEEDS.clear()
        _NEEDS[selector] = _Reader(selector).needs() if selector else None
    return _NEEDS[selector]


_Names = tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]
_LISTS: dict[str, tuple[tuple[str, Needs | None, _Names | None], ...] | None] = {}


def _read_list(css: str) -> tuple[tuple[str, Needs | None, _Names | None], ...] | None:
    """The selectors of a list with what each needs (None: the list cannot be split); kept
    per list text (the lists are the rules' and the code's, the same on every page)."""
    if css not in _LISTS:
        if len(_LISTS) > 256:
            _LISTS.clear()
        parts = split_list(css)
        read = [(p, needs(p)) for p in parts] if parts is not None else None
        _LISTS[css] = None if read is None else tuple((p, n, None if n is None else n.names) for p, n in read)
    return _LISTS[css]


@dataclass(frozen=True)
class PageKeys:
    """The tag names, attribute names and class and id values of a page's elements."""

    tags: frozenset[str]
    attrs: frozenset[str]
    classes: str  # every distinct class value, ASCII lower-case, one a line
    ids: str
    # their words (split at ASCII white space, where lexbor splits a class value; a value that
    # a name equals holds none); None when a value is not ASCII (the values are searched then)
    class_words: frozenset[str] | None
    id_words: frozenset[str] | None
    # the lists narrowed to these keys so far, by list and `stable` (not part of the keys)
    lists: dict[tuple[str, bool], str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, tree: LexborHTMLParser) -> PageKeys | None:
        """The page's keys (None when an attribute is named in an unexpected case)."""
        tags: set[str] = set()
        names: set[str] = set()
        classes: dict[str, None] = {}  # the distinct values, in page order
        ids: dict[str, None] = {}
        for node in tree.css("*"):
            tags.add(node.tag or "")
            attrs = node.attributes
            if attrs:
                names.update(attrs)
                value = attrs.get("class")
                if value:
                    classes[value] = None
                value = attrs.get("id")
                if value:
                    ids[value] = None
        lower_names = {_lower(n) for n in names}
        if any(n not in names for n in ("class", "id") if n in lower_names):
            return None  # a class or id attribute spelled otherwise: not read here
        class_text, id_text = _lower("\n".join(classes)), _lower("\n".join(ids))
        keys = cls(
            frozenset(_lower(t) for t in tags),
            frozenset(lower_names),
            class_text,
            id_text,
            frozenset(class_text.split()) if class_text.isascii() else None,
            frozenset(id_text.split()) if id_text.isascii() else None,
        )
        # the pages of one site are made of the same elements: the keys (and the lists
        # narrowed to them) of an earlier page made of the same are taken for this one
        if len(_KNOWN) > 256:
            _KNOWN.clear()
        return _KNOWN.setdefault(keys, keys)

    def may_match(self, selector: str, stable: bool = False) -> bool:
        return self._may(needs(selector), stable)

    def _may(self, need: Needs | None, stable: bool, names: _Names | None = None) -> bool:
        if need is None:
            return True
        tags, attrs, firm_tags, firm_attrs = need.names if names is None else names
        # unless stable, what rules may add is taken as there; the selector needs the rest too
        if not (tags if stable else firm_tags) <= self.tags:
            return False
        if not (attrs if stable else firm_attrs) <= self.attrs:
            return False
        for c in need.classes:
            if c not in self.classes:
                return False
        if need.ids and not all(i in self.ids for i in need.ids):
            return False
        return _has(need.class_words, self.class_words, self.classes) and _has(
            need.id_words, self.id_words, self.ids
        )

    def narrow(self, css: str, stable: bool = False) -> str:
        """`css` (a selector list) without the selectors that cannot match on this page ("" when
        none can); the list as it is when it cannot be split. `stable`: nothing was added to
        the page since the keys were read (only removals). Kept with the keys (the answer
        depends on nothing else); the keys are shared by the pages made of the same (`of`)."""
        memo = (css, stable)
        found = self.lists.get(memo)
        if found is None:
            if len(self.lists) > 256:
                self.lists.clear()
            found = self.lists[memo] = self._narrow(css, stable)
        return found

    def _narrow(self, css: str, stable: bool) -> str:
        parts = _read_list(css)
        if parts is None:
            return css
        return ", ".join(p for p, need, names in parts if self._may(need, stable, names))


_KNOWN: dict[PageKeys, PageKeys] = {}


def _has(words: tuple[str, ...], page_words: frozenset[str] | None, values: str) -> bool:
    """Whether every word is a word of the page's values (a substring of them when the page's
    words were not read)."""
    if not words:
        return True
    if page_words is not None:
        return page_words.issuperset(words)
    return all(w in values for w in words)


def narrowed(keys: PageKeys | None, css: str, stable: bool = False) -> str:
    """`css` narrowed to the page (as it is without keys)."""
    return css if keys is None else keys.narrow(css, stable)
