"""Front matter read with python-frontmatter, written back as text: new keys are inserted
without touching a byte of the rest.

python-frontmatter's handlers split a document and load its front matter: YAML (`---`) with
PyYAML's base loader, so every value stays the text it is (no dates, numbers or booleans
resolved), and TOML (Hugo's `+++`) with tomllib. Their boundary patterns are narrowed here to a
delimiter line and its line ending, so the split gives back the exact delimiters and raw text.
Its dumps() sorts keys and rewrites values (dates, `NO`, `1.10` …), so it cannot write a farm's
front matter back byte for byte: new keys are appended as text before the closing delimiter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from scraper.errors import DocumentError

# Values are read as text, never rewritten, so no dates or numbers are resolved: the base loader
# checks the syntax as strictly and reads a front matter in two thirds of the time.
try:
    _Loader: Any = yaml.CBaseLoader  # a loader class: CParser or the Python parser, the base constructor
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.BaseLoader

_OPEN = re.compile(r"\A(---|\+\+\+)[ \t]*(\r?\n)")  # the first line, exactly
_ANY_SPACE = r"[^\S\n]*(?:\n|\Z)"  # a delimiter line ends in spaces (\r included), then its newline


class YamlFrontMatter(YAMLHandler):
    """`---` … `---` (or `...`): a delimiter is its whole line, ending included."""

    FM_BOUNDARY = re.compile(rf"^(?:---|\.\.\.){_ANY_SPACE}", re.M)

    def load(self, fm: str, **kwargs: object) -> Any:
        return _load_yaml(fm) if fm.strip() else {}


class _Unplain(Exception):
    """A node tree `_value` leaves to PyYAML's constructor."""


def _load_yaml(text: str) -> Any:
    """`yaml.load(text, Loader=_Loader)`: the same parser's nodes, made into values here when
    they are plain (each node met once, keys scalar, nested at most 32 deep), a few times faster
    than the base constructor, which makes them the same values (the text of each scalar, lists,
    dicts; no tag is resolved); any other tree, or a loader given constructors, goes to it."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()  # what yaml.load does first: its parse errors, raised
    finally:
        loader.dispose()
    if node is None:
        return None
    if not (_Loader.yaml_constructors or _Loader.yaml_multi_constructors):
        try:
            return _value(node, set(), 0)
        except _Unplain:
            pass
    return yaml.load(text, Loader=_Loader)


def _value(node: yaml.Node, seen: set[int], depth: int) -> Any:
    if id(node) in seen or depth > 32:  # an alias (the constructor shares its value), or deep
        raise _Unplain
    seen.add(id(node))
    kind = type(node)
    if kind is yaml.ScalarNode:
        return node.value
    if kind is yaml.SequenceNode:
        return [_value(child, seen, depth + 1) for child in node.value]
    if kind is not yaml.MappingNode:
        raise _Unplain
    out: dict[str, Any] = {}
    for key, value in node.value:
        if type(key) is not yaml.ScalarNode:  # a list or mapping as a key: the constructor's error
            raise _Unplain
        out[_value(key, seen, depth + 1)] = _value(value, seen, depth + 1)
    return out


class TomlFrontMatter(BaseHandler):
    """Hugo's `+++` … `+++`, read with tomllib."""

    FM_BOUNDARY = re.compile(rf"^\+\+\+{_ANY_SPACE}", re.M)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        import tomllib  # (TOML front matter only: a start without it is shorter)

        try:
            return tomllib.loads(fm)
        except tomllib.TOMLDecodeError as exc:
            raise DocumentError(f"front matter is not valid TOML: {exc}") from None


HANDLERS: dict[str, BaseHandler] = {"---": YamlFrontMatter(), "+++": TomlFrontMatter()}


@dataclass(frozen=True)
class FrontMatter:
    """A document's front matter: its delimiters and text exactly as in the file, and its values."""

    open_line: str  # "---\n", exactly as in the file
    raw: str  # the text between the delimiters, exactly
    close_line: str  # "---\n" (or "...\n"), exactly
    fmt: str  # "yaml" or "toml"
    newline: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def line_count(self) -> int:
        """Lines taken by the whole block, delimiters included."""
        return (self.open_line + self.raw + self.close_line).count("\n")

    def text(self) -> str:
        return self.open_line + self.raw + self.close_line

    def with_keys(self, new: dict[str, Any]) -> str:
        """The block with `new` keys appended (keys already present are left alone)."""
        add = {k: v for k, v in new.items() if k not in self.data and v is not None}
        if not add:
            return self.text()
        extra = _toml(add) if self.fmt == "toml" else _yaml(add)
        raw = self.raw
        if raw and not raw.endswith("\n"):
            raw += self.newline
        if self.newline != "\n":
            extra = extra.replace("\n", self.newline)
        return self.open_line + raw + extra + self.close_line


def split(text: str) -> tuple[FrontMatter | None, str]:
    """(front matter, body). Raises DocumentError when the front matter is broken."""
    m = _OPEN.match(text)
    if not m:
        return None, text
    delim, newline = m.group(1), m.group(2)
    handler = HANDLERS[delim]
    try:
        raw, body = handler.split(text)
    except ValueError:  # no closing delimiter
        raise DocumentError(f"front matter opened with '{delim}' is never closed") from None
    close = text[m.end() + len(raw) : len(text) - len(body)]
    fmt = "toml" if delim == "+++" else "yaml"
    data = _load(handler, raw, fmt, m.group(0).count("\n"))
    return FrontMatter(m.group(0), raw, close, fmt, newline, data), body


def _load(handler: BaseHandler, raw: str, fmt: str, first: int) -> dict[str, Any]:
    try:
        data = handler.load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1 + first}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DocumentError(f"front matter is not valid YAML ({where}{problem})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DocumentError(f"front matter is not a mapping of keys (it is a {type(data).__name__})")
    return {str(k): v for k, v in data.items()}


# Strings YAML reads back as the same string when written plain (no quotes).
_PLAIN = re.compile(
    r"[\w/][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff#:]*"
    r"(?:(?<=\S):(?=\S)[^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff#:]*)*(?<=\S)"
)
_SPECIAL = re.compile(
    r"(?i:y|n|yes|no|true|false|on|off|null|~|[-+]?(?:\.inf|\.nan)|[-+]?[0-9_.:]+(?:e[-+]?[0-9]+)?"
    r"|0x[0-9a-f_]+|0o?[0-7_]+|0b[01_]+|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?)"
)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    s = str(value)
    if _PLAIN.fullmatch(s) and not _SPECIAL.fullmatch(s) and not s.startswith(("- ", "? ")):
        return s
    quoted = json.dumps(s, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return quoted.replace("\x85", "\\x85").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _yaml(data: dict[str, Any], indent: str = "") -> str:
    """Block-style YAML for str/number/bool/None scalars, lists of them and nested mappings;
    deterministic and a few times faster than PyYAML's emitter (which matters per document)."""
    out: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict):
            out.append(
                f"{indent}{_scalar(key)}:\n" + _yaml(value, indent + "  ")
                if value
                else f"{indent}{key}: {{}}\n"
            )
        elif isinstance(value, (list, tuple)):
            items = "".join(f"{indent}- {_scalar(v)}\n" for v in value)
            out.append(f"{indent}{_scalar(key)}:\n{items}" if value else f"{indent}{key}: []\n")
        else:
            out.append(f"{indent}{_scalar(key)}: {_scalar(value)}\n")
    return "".join(out)


def _toml_value(v: Any) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items() if x is not None) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(str(v), ensure_ascii=False)


def _toml(data: dict[str, Any]) -> str:
    return "".join(f"{k} = {_toml_value(v)}\n" for k, v in data.items())


def render_yaml(data: dict[str, Any]) -> str:
    """A complete YAML front matter block for a generated document."""
    return "---\n" + _yaml({k: v for k, v in data.items() if v not in (None, "", [], {})}) + "---\n"
