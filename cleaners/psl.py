"""The public-suffix list, parsed once and kept as a snapshot (`cleaners.snapshot`): parsing the
list's text costs more than the rest of cleaning a short document, and its result only changes
when the list does.

The snapshot holds the parsed list's state (its rules, and two numbers), written with `marshal`
(plain data: reading it runs no code), keyed by the list's data file as found on disk (path,
inode, size, modification and change times: hashing its 338 KB cost more than reading the
snapshot), the library's version and the build options. The rules are kept by their last label,
each label's rules as one text: reading back the ten thousand rules one by one into a set was a
twentieth of the start-up of `scraper clean` on one document, which asks about a few hosts under
a few labels (com, org, uk …); a label's rules become a set when a host under it is first asked
about, so the list answers as the set of all its rules (`_Rules`). What is read back is checked
for shape and must answer a few known hosts exactly as a freshly parsed list; otherwise the list
is parsed as before.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator, Set
from typing import Any

from publicsuffixlist import PSLFILE, PublicSuffixList
from publicsuffixlist import __version__ as _PSL_VERSION

from cleaners import snapshot

_FORMAT = "psl-2"  # (2: the rules by last label)
# (host, registrable domain): a wildcard, an exception, a private suffix and a plain one
_PROBES = (
    ("www.example.co.uk", "example.co.uk"),
    ("a.b.github.io", "b.github.io"),
    ("www.city.kobe.jp", "city.kobe.jp"),
    ("x.y.example.com", "example.com"),
)


def public_suffix_list(punycode: bool) -> PublicSuffixList:
    """The list as `PublicSuffixList(accept_encoded_idn=punycode)` builds it, from the snapshot
    when a valid one exists (made now when none does)."""
    try:
        digest = snapshot.key(_FORMAT, _PSL_VERSION, str(punycode), *snapshot.stamp(PSLFILE))
    except OSError:
        return PublicSuffixList(accept_encoded_idn=punycode)
    name = "psl-idn" if punycode else "psl"
    restored = _restore(snapshot.load(name, digest))
    if restored is not None:
        return restored
    psl = PublicSuffixList(accept_encoded_idn=punycode)
    state = _state(psl)
    if state is not None:
        snapshot.store(name, digest, marshal.dumps(state))
    return psl


def _label(rule: str) -> str:
    return rule[rule.rfind(".") + 1 :]


class _Rules(Set[str]):
    """The list's rules (the set `PublicSuffixList` asks with `in`), held by their last label: each
    label's rules as one text, a line each, made a set when a rule under the label is first asked
    for. A rule is in it exactly when it is in its label's set (rules hold no line break)."""

    __slots__ = ("_sets", "_texts")

    def __init__(self, texts: dict[str, str]) -> None:
        self._texts = texts
        self._sets: dict[str, frozenset[str]] = {}

    def __contains__(self, rule: object) -> bool:
        if type(rule) is not str:
            hash(rule)  # (as a set answers: unhashable raises, anything else is not in it)
            return False
        label = _label(rule)
        found = self._sets.get(label)
        if found is None:
            text = self._texts.get(label)
            if text is None:
                return False
            found = self._sets[label] = frozenset(text.split("\n"))
        return rule in found

    def __iter__(self) -> Iterator[str]:
        for text in self._texts.values():
            yield from text.split("\n")

    def __len__(self) -> int:
        return sum(text.count("\n") + 1 for text in self._texts.values())


def _state(psl: PublicSuffixList) -> dict[str, Any] | None:
    """The list's state as the snapshot keeps it: its rules as texts by last label."""
    state = dict(vars(psl))
    rules = state.get("_publicsuffix")
    if not isinstance(rules, frozenset) or not all(type(r) is str and r and "\n" not in r for r in rules):
        return None
    texts: dict[str, list[str]] = {}
    for rule in sorted(rules):
        texts.setdefault(_label(rule), []).append(rule)
    state["_publicsuffix"] = {label: "\n".join(group) for label, group in texts.items()}
    return state if _plain(state) else None


def _plain(state: object) -> bool:
    """A mapping of attribute names to booleans or integers, and the rules' texts by label."""
    if not isinstance(state, dict) or not state:
        return False
    for name, value in state.items():
        if not isinstance(name, str) or not name.isidentifier():
            return False
        if name == "_publicsuffix":
            if type(value) is not dict or not all(
                type(k) is str and type(t) is str for k, t in value.items()
            ):
                return False
        elif type(value) not in (bool, int):
            return False
    return "_publicsuffix" in state


def _restore(payload: bytes | None) -> PublicSuffixList | None:
    if payload is None:
        return None
    try:
        state = marshal.loads(payload)
        if not _plain(state):
            return None
        state["_publicsuffix"] = _Rules(state["_publicsuffix"])
        psl = PublicSuffixList.__new__(PublicSuffixList)
        psl.__dict__.update(state)
        if all(psl.privatesuffix(host) == want for host, want in _PROBES):
            return psl
    except Exception:  # a snapshot that does not decode or answer is rebuilt, never fatal
        return None
    return None
