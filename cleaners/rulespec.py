"""The schema of a rules file, written once: each key with its TOML type, its default and how
it becomes a field of the rules. `check` refuses unknown keys and wrong types; `build_fields`
turns checked data into the RuleSet's fields. Adding a key is one line here.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from cleaners.hosts import FrozenDict, HostSet, UrlPatterns
from cleaners.records import CATEGORIES
from cleaners.ruleset import RulesError


@dataclass(frozen=True)
class At:
    """Where a value sits, for error messages: the file and the key ("redirect geniuslink.path")."""

    src: str
    where: str

    def fail(self, problem: str) -> RulesError:
        sep = " " if problem.startswith("must") else ": "
        return RulesError(f"{self.src}: {self.where}{sep}{problem}")


Builder = Callable[[Any, At], Any]


@dataclass(frozen=True)
class Key:
    """One key of a table: TOML type, default when absent (a callable gets the whole table),
    builder, and the field it fills (its own name unless given)."""

    name: str
    kind: type | tuple[type, ...]
    default: Any = None
    build: Builder | None = None
    field: str = ""
    required: bool = False


@dataclass(frozen=True)
class Table:
    """A `[table]` (`array=False`) or an `[[array]]` of named tables. `into` names the RuleSet
    field the table (or the tuple of rules) fills; a plain table without `into` spreads its
    keys over the RuleSet's fields."""

    name: str
    keys: tuple[Key, ...]
    array: bool = False
    into: str = ""


# -- builders -----------------------------------------------------------------------------------


def rx(value: str | None, at: At, flags: int = re.I) -> re.Pattern[str] | None:
    if value is None:
        return None
    try:
        return re.compile(value, flags)
    except re.error as exc:
        raise at.fail(f"bad regular expression {value!r}: {exc}") from exc


def _rx_required(value: str, at: At) -> re.Pattern[str]:
    found = rx(value, at)
    assert found is not None
    return found


def css(value: str, at: At) -> str:
    try:
        LexborHTMLParser("<p></p>").css(value)
    except Exception as exc:  # lexbor raises several exception types for a bad selector
        raise at.fail(f"bad CSS selector {value!r}: {exc}") from exc
    return value


def _css_list(values: list[str], at: At) -> tuple[str, ...]:
    return tuple(css(v, at) for v in values)


def category(default: str | None) -> Builder:
    def build(value: str | None, at: At) -> str:
        cat = value if value is not None else default
        if cat not in CATEGORIES:
            raise at.fail(f"must be one of {', '.join(CATEGORIES)}")
        return cat

    return build


def _hosts(values: list[str], at: At) -> HostSet:
    return HostSet.of(values)


def _tuple(values: list[str], at: At) -> tuple[str, ...]:
    return tuple(values)


def _lower_tuple(values: list[str], at: At) -> tuple[str, ...]:
    return tuple(v.lower() for v in values)


def _globs(names: list[str], at: At) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{fnmatch.translate(n.lower())})" for n in names) or "(?!)")


def _url_patterns(patterns: list[str], at: At) -> UrlPatterns:
    """Patterns searched in the lower-cased URL: compiled case-sensitively (which keeps the
    regex engine's fast literal search) unless they hold capitals themselves; each run only
    when the URL holds one of its required literals (searching every image URL with all the
    patterns joined tried each branch at each character)."""
    checked = [rx(p, at, re.I if p != p.lower() else 0) for p in patterns]
    return UrlPatterns(tuple(_check(c) for c in checked if c is not None))


def _check(pattern: re.Pattern[str]) -> tuple[tuple[tuple[str, ...], ...], re.Pattern[str] | None]:
    """A pattern's groups of marks, and the pattern unless it is one literal (its mark)."""
    groups = required_literals(pattern)
    if groups and _parse(pattern) == [("LITERAL", ord(c)) for c in groups[0][0]]:
        return groups, None
    return groups, pattern


def _parse(pattern: re.Pattern[str]) -> list[tuple[str, Any]] | None:
    """The parsed items of a pattern as (operation name, argument); None when it fails."""
    from re import _parser  # type: ignore[attr-defined]

    try:
        return [(getattr(op, "name", ""), arg) for op, arg in _parser.parse(pattern.pattern, pattern.flags)]
    except (re.error, RecursionError):  # pragma: no cover - it compiled
        return None


def required_literals(pattern: re.Pattern[str]) -> tuple[tuple[str, ...], ...]:
    """Groups of literals, as `pattern` is written, such that every match holds one literal of
    each group (only for a case-sensitive pattern; groups of literals of at least two
    characters; () when there are none)."""
    if pattern.flags & re.I:
        return ()
    items = _parse(pattern)
    if items is None:  # pragma: no cover - it compiled
        return ()
    groups = _required(items, 0)
    kept = {g for g in groups if min(map(len, g)) >= 2}
    return tuple(sorted(kept, key=lambda g: (-min(map(len, g)), len(g), g)))


def _required(items: list[Any], depth: int) -> list[tuple[str, ...]]:
    """What a sequence of parsed items needs, each a group of literals one of which a match
    holds: its runs of literals, what its groups and repeats of at least once need, and for an
    alternation, the best group of each branch joined (none when a branch needs nothing)."""
    found: list[tuple[str, ...]] = []
    if depth > 20:
        return found
    run: list[str] = []
    for op, arg in [*items, (None, None)]:
        name = op if isinstance(op, str) else getattr(op, "name", "")
        if name == "LITERAL":
            run.append(chr(arg))
            continue
        if run:
            found.append(("".join(run),))
            run = []
        if name == "BRANCH":
            best = [max(_required(list(alt), depth + 1), key=_score, default=None) for alt in arg[1]]
            if best and all(best):
                found.append(tuple(sorted({m for group in best if group for m in group})))
        elif name == "SUBPATTERN" and not (arg[1] & re.I):
            found += _required(list(arg[3]), depth + 1)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
            found += _required(list(arg[2]), depth + 1)
        elif name == "ATOMIC_GROUP":
            found += _required(list(arg), depth + 1)
    return found


def _score(group: tuple[str, ...]) -> tuple[int, int]:
    return min(map(len, group)), -len(group)


def _labels(values: list[str], at: At) -> re.Pattern[str]:
    labels = [re.escape(x.strip().lower()) for x in values]
    return re.compile("^(?:{})$".format("|".join(labels or ["(?!)"])), re.I)


def _rx_tuple(values: list[str], at: At) -> tuple[re.Pattern[str], ...]:
    return tuple(_rx_required(v, at) for v in values)


def _lower_keys(values: dict[str, str], at: At) -> FrozenDict[str, str]:
    return FrozenDict({k.lower(): v for k, v in values.items()})


def _lower_items(values: dict[str, str], at: At) -> FrozenDict[str, str]:
    return FrozenDict({k.lower(): v.lower() for k, v in values.items()})


def _words(values: list[str], at: At) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values)


# -- the schema ---------------------------------------------------------------------------------


def _k(name: str, kind: type | tuple[type, ...], default: Any = None, build: Builder | None = None) -> Key:
    return Key(name, kind, default, build)


_NAME = _k("name", str)
_HOSTS = _k("hosts", list, [], _hosts)
_PATH = _k("path", str, None, rx)

# fmt: off
TABLES: tuple[Table, ...] = (
    Table("farms", (Key("domains", list, [], _hosts, "farm_domains"),
                    Key("fingerprints", list, [], _tuple, "farm_fingerprints"))),
    Table("comment_block", (
        _NAME, _k("category", str, None, category("ad_block")),
        _k("begin", str, "(?!)", _rx_required), _k("end", str, "(?!)", _rx_required),
        _k("reason", str, "comment-delimited block"),
    ), array=True, into="comment_blocks"),
    Table("selector", (
        _NAME, _k("category", str, None, category(None)), Key("css", str, None, css, required=True),
        _k("reason", str, lambda t: f"matched {t['css']}"), _HOSTS,
    ), array=True, into="selectors"),
    Table("redirect", (
        _NAME, _k("category", str, None, category("affiliate_link")), _HOSTS, _PATH,
        _k("params", list, [], _tuple), _k("dest", str, None, rx), _k("default_scheme", str, ""),
        _k("reason", str, "redirect wrapper unwrapped"), _k("click", bool, False),
    ), array=True, into="redirects"),
    Table("affiliate", (
        _NAME, _k("category", str, None, category("affiliate_link")), _HOSTS, _PATH,
        _k("query", list, [], _lower_tuple), _k("fingerprint", bool, False),
        _k("reason", str, "affiliate click with no recoverable destination"),
    ), array=True, into="affiliates"),
    Table("strip", (
        _NAME, _k("category", str, None, category("tracking_param")), _HOSTS,
        _k("params", list, [], _globs), _PATH, _k("reason", str, "tracking parameter"),
    ), array=True, into="strips"),
    Table("fragment", (
        _NAME, _k("category", str, None, category("tracking_param")),
        _k("pattern", str, "(?!)", _rx_required), _k("reason", str, "tracking fragment"),
    ), array=True, into="fragments"),
    Table("pixels", (Key("hosts", list, [], _hosts, "pixel_hosts"),
                     Key("urls", list, [], _url_patterns, "pixel_urls"))),
    Table("ad_media", (Key("hosts", list, [], _hosts, "ad_media_hosts"),
                       Key("urls", list, [], _url_patterns, "ad_media_urls"))),
    Table("also_read", (
        _k("labels", list, [], _labels), _k("label_selectors", list, [], _css_list),
        _k("max_label_chars", int, 40), _k("min_items", int, 3),
        _k("min_link_ratio", (float, int), 0.8, lambda v, at: float(v)),
    ), into="also_read"),
    Table("embed", (
        _NAME, _HOSTS, _k("pattern", str, "(?!)", _rx_required), _k("link", str, ""),
    ), array=True, into="embeds"),
    Table("extraction", (Key("prune", list, [], _css_list, "prune"),)),
    Table("attribution", (
        Key("ignore_hosts", list, [], _hosts, "attribution_ignore"),
        Key("affiliate_tags", dict, {}, _lower_items, "affiliate_tags"),
        Key("groups", dict, {}, _lower_items, "publisher_groups"),
        Key("subtag_codes", dict, {}, _lower_items, "subtag_codes"),
        Key("generic_names", list, [], _words, "generic_names"),
    )),
    Table("allow", (
        _k("selectors", list, [], _css_list), _k("urls", list, [], _rx_tuple),
        _k("text", list, [], _rx_tuple),
    ), into="allow"),
)
# fmt: on
# Top-level keys that are not tables of keys.
TOP: tuple[Key, ...] = (
    Key("version", int),
    Key("publishers", dict, {}, _lower_keys, "publishers"),
    Key("publisher_aliases", dict, {}, _lower_items, "publisher_aliases"),
)
_BY_NAME = {t.name: t for t in TABLES}
_TOP = {k.name: k for k in TOP}


# -- checking and building ----------------------------------------------------------------------


def _check_value(key: Key, value: Any, where: str, src: str) -> None:
    kind = key.kind
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RulesError(f"{src}: {where}{key.name} has the wrong type ({type(value).__name__})")
    if isinstance(value, list) and not all(isinstance(v, str) for v in value):
        raise RulesError(f"{src}: {where}{key.name} must be a list of strings")
    if isinstance(value, dict) and not all(isinstance(v, str) for v in value.values()):
        raise RulesError(f"{src}: {where}{key.name} values must be strings")


def _check_table(table: Table, data: dict[str, Any], where: str, src: str) -> None:
    keys = {k.name: k for k in table.keys}
    for name, value in data.items():
        if name not in keys:
            raise RulesError(f"{src}: unknown key {where}{name!r}")
        _check_value(keys[name], value, where, src)


def check(data: dict[str, Any], src: str) -> None:
    """Unknown keys, wrong types and nameless rules are refused, naming the file and key."""
    for name, value in data.items():
        table = _BY_NAME.get(name)
        if table is None:
            if name not in _TOP:
                raise RulesError(f"{src}: unknown key {name!r}")
            _check_value(_TOP[name], value, "", src)
        elif table.array:
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise RulesError(f"{src}: {name} must be an array of tables ([[{name}]])")
            for i, item in enumerate(value):
                _check_table(table, item, f"{name}[{i}].", src)
                if "name" not in item:
                    raise RulesError(f"{src}: {name}[{i}] needs a name")
        else:
            if not isinstance(value, dict):
                raise RulesError(f"{src}: {name} must be a table")
            _check_table(table, value, f"{name}.", src)


def _fields(table: Table, data: dict[str, Any], at: At) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in table.keys:
        value = data.get(key.name)
        if value is None:
            if key.required:
                raise RulesError(f"{at.src}: {at.where} needs {key.name}")
            value = key.default(data) if callable(key.default) else key.default
        where = At(at.src, f"{at.where}.{key.name}")
        out[key.field or key.name] = key.build(value, where) if key.build else value
    return out


def build_fields(data: dict[str, Any], src: str, classes: dict[str, type]) -> dict[str, Any]:
    """The RuleSet's fields from checked data; `classes` names the class each table becomes."""
    out: dict[str, Any] = {}
    for table in TABLES:
        value = data.get(table.name, [] if table.array else {})
        if table.array:
            out[table.into] = tuple(
                classes[table.name](**_fields(table, item, At(src, f"{table.name} {item['name']}")))
                for item in value
            )
        elif table.into:
            out[table.into] = classes[table.name](**_fields(table, value, At(src, table.name)))
        else:
            out.update(_fields(table, value, At(src, table.name)))
    for key in TOP:
        if key.field:
            value = data.get(key.name, key.default)
            out[key.field] = key.build(value, At(src, key.name)) if key.build else value
    return out
