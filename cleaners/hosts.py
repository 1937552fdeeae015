"""Host-name matching and URL host helpers shared by every rule."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(dict[K, V]):
    """A dict of rule data that refuses changes (and so can be hashed, like the rest of a
    RuleSet); it pickles as a plain mapping."""

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("rule data cannot be changed")

    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = __ior__ = _refuse  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[type[FrozenDict[K, V]], tuple[dict[K, V]]]:
        return FrozenDict, (dict(self),)


@dataclass(frozen=True)
class HostSet:
    """A set of host patterns.

    A plain pattern ("example.com") matches that host and every subdomain; a pattern with glob
    characters ("*.i[0-9]*.net") is matched against the whole host name.
    """

    plain: frozenset[str] = frozenset()
    globs: re.Pattern[str] | None = None
    patterns: tuple[str, ...] = ()

    @classmethod
    def of(cls, patterns: tuple[str, ...] | list[str]) -> HostSet:
        plain = frozenset(p.lower().strip(".") for p in patterns if not _is_glob(p))
        globbed = [fnmatch.translate(p.lower()) for p in patterns if _is_glob(p)]
        rx = re.compile("|".join(f"(?:{g})" for g in globbed)) if globbed else None
        return cls(plain, rx, tuple(patterns))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __or__(self, other: HostSet) -> HostSet:
        return HostSet.of(tuple(dict.fromkeys(self.patterns + other.patterns)))

    def matches(self, host: str | None) -> bool:
        if not host:
            return False
        host = host.lower()
        if self.plain:
            h = host
            while True:
                if h in self.plain:
                    return True
                dot = h.find(".")
                if dot < 0:
                    break
                h = h[dot + 1 :]
        return bool(self.globs and self.globs.match(host))


class UrlPatterns:
    """URL regexes searched in a lower-cased URL, each after cheap tests: its groups of marks,
    literals such that every match of the pattern holds one of each group (found from the
    pattern when the rules are built, `rulespec.required_literals`); a URL that misses a group
    cannot match and the regex is not run; a pattern that is one literal is no regex at all.
    Same verdict as searching with every pattern. `marks` (`_any_marks`, computed unless given:
    pickled with the checks, a snapshot of the rules does not compute them again) are looked
    for first, all in one C loop: a URL that holds none passes no check."""

    __slots__ = ("checks", "marks")  # (a plain class: a dataclass costs more to create at start-up)

    def __init__(
        self,
        checks: tuple[tuple[tuple[tuple[str, ...], ...], re.Pattern[str] | None], ...] = (),
        marks: tuple[str, ...] | Literal[False] | None = False,
    ):
        self.checks = checks
        self.marks = _any_marks(checks) if marks is False else marks

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UrlPatterns) and self.checks == other.checks

    def __hash__(self) -> int:
        return hash(self.checks)

    def __repr__(self) -> str:
        return f"UrlPatterns({self.checks!r})"

    def __reduce__(self) -> tuple[type[UrlPatterns], tuple[object, ...]]:
        return UrlPatterns, (self.checks, self.marks)

    def search(self, low: str) -> bool:
        """Whether one of the patterns is found in `low`."""
        marks = self.marks
        if marks is not None and not any(map(low.__contains__, marks)):
            return False  # (most URLs hold none; each check's loop is Python's)
        for groups, pattern in self.checks:
            for group in groups:
                for mark in group:
                    if mark in low:
                        break
                else:  # no mark of this group: the pattern cannot match
                    break
            else:
                if pattern is None or pattern.search(low):  # None: the pattern is its one mark
                    return True
        return False


def _any_marks(
    checks: tuple[tuple[tuple[tuple[str, ...], ...], re.Pattern[str] | None], ...],
) -> tuple[str, ...] | None:
    """Marks such that a URL a check passes holds one of them: a group of each check (a check
    passes only when each of its groups has a mark in the URL), not one that every web URL
    holds ("http", "://"), the one whose shortest mark is longest. None when a check has no
    such group (then nothing can be told from marks)."""
    marks: dict[str, None] = {}
    for groups, _ in checks:
        telling = [g for g in groups if not any(m in "https://" or m in "http://" for m in g)]
        if not telling:
            return None
        marks.update(dict.fromkeys(max(telling, key=lambda g: min(map(len, g), default=0))))
    return tuple(marks)


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


_MEMO_HOSTS = 4096
_HOST = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.-]*:)?//(?:[^/?#@]*@)?(\[[^\]]*\]|[^/?#:\\]*)")


def url_host(url: str) -> str:
    """Lower-case host of an absolute or scheme-relative URL ('' when there is none)."""
    m = _HOST.match(url)
    return m.group(1).strip("[]").lower() if m else ""


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """The registrable domain ("eTLD+1") of a host: www.zdnet.com -> zdnet.com."""
    host = host.lower().strip(".")
    if not host:
        return ""
    if host.replace(".", "").isdigit() or ":" in host:
        return host
    return _psl("xn--" in host).privatesuffix(host) or host


@lru_cache(maxsize=2)
def _psl(punycode: bool) -> PublicSuffixList:
    """The public-suffix list, built on first use. Without the punycoded forms of its
    internationalised entries (their IDNA encoding is most of the build's cost) it answers
    exactly as the full list for any host with no "xn--" in it: only such a host can end in one."""
    from cleaners.psl import public_suffix_list  # parsed once, kept as a snapshot (start-up)

    return public_suffix_list(punycode)


@dataclass(frozen=True)
class HostIndex(Generic[T]):
    """Which rules apply to a host: rules with plain host patterns are found by dictionary
    lookups of the host and its parent domains, glob patterns by one regex each, and host-less
    rules always apply. Keeps per-URL work flat however many rules there are."""

    rules: tuple[T, ...]
    plain: FrozenDict[str, tuple[int, ...]]
    globbed: tuple[tuple[int, re.Pattern[str]], ...]
    anyhost: tuple[int, ...]
    always: tuple[T, ...]  # the rules of a host no rule names: the host-less ones
    # host -> its rules, across documents (bounded; not compared, hashed or pickled)
    _memo: dict[str, tuple[T, ...]] = field(default_factory=dict, init=False, compare=False, repr=False)

    @classmethod
    def build(cls, rules: tuple[T, ...], host_sets: list[HostSet]) -> HostIndex[T]:
        plain: dict[str, list[int]] = {}
        globbed: list[tuple[int, re.Pattern[str]]] = []
        anyhost: list[int] = []
        for i, hs in enumerate(host_sets):
            if not hs:
                anyhost.append(i)
                continue
            for p in hs.plain:
                plain.setdefault(p, []).append(i)
            if hs.globs is not None:
                globbed.append((i, hs.globs))
        return cls(
            rules,
            FrozenDict({k: tuple(v) for k, v in plain.items()}),
            tuple(globbed),
            tuple(anyhost),
            tuple(rules[i] for i in anyhost),
        )

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_memo"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state, _memo={})

    def matching(self, host: str) -> tuple[T, ...]:
        """The rules whose hosts match `host` (lower case), in rule order."""
        found = self._memo.get(host)
        if found is None:
            if len(self._memo) >= _MEMO_HOSTS:
                self._memo.clear()
            found = self._memo[host] = self._matching(host)
        return found

    def _matching(self, host: str) -> tuple[T, ...]:
        hits: tuple[int, ...] = ()
        h = host
        while h:
            hits += self.plain.get(h, ())
            h = h.partition(".")[2]
        for i, rx in self.globbed:
            if rx.match(host):
                hits += (i,)
        if not hits:
            return self.always  # the common case
        return tuple(self.rules[i] for i in sorted({*hits, *self.anyhost}))
