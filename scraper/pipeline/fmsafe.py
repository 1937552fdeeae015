"""Front-matter values are read by templates that do not always escape them: URLs pass the URL
rules and the gate, text is plain text.

* A URL value (`image`, `canonical_url`, `retrieved_from`, `original_source.url`, and in a
  Markdown input's own front matter every value of a URL-like key or that is an http(s) URL) goes
  through `UrlCleaner.clean` (tracking parameters stripped, redirects unwrapped) and then the
  gate (`cleaners.safeurl.is_safe_url`): a URL the gate refuses leaves its key out.
* A text value (`title`, `description`, `author`, `tags` …) loses its markup (tags, and the content
  of scripts and styles), its character references are decoded once and what they spelled is not
  markup again, control characters go and whitespace runs become one space. The writer quotes it,
  so it can never start a new key or end the document.

Each rewrite and each key left out is recorded (`tracking_param` … or `unsafe`) with the original
value. In a Markdown input's front matter only the values change, in place; every other byte stays.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import nh3
import yaml

from cleaners.records import Removal
from cleaners.safeurl import is_safe_url, normalise, scheme_of
from cleaners.urls import UrlCleaner
from scraper.pipeline.attribution import OriginalSource
from scraper.pipeline.frontmatter import FrontMatter

__all__ = ["plain_text", "safe_front_matter", "safe_generated", "safe_source"]

try:
    _Loader: type = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.BaseLoader

URL_KEYS = frozenset({"image", "canonical_url", "retrieved_from", "claimed_url"})
_PROVENANCE = frozenset({"retrieved_from", "claimed_url"})  # as fetched or claimed: not rewritten
_URL_KEY = re.compile(
    r"(?:^|_|-)(?:url|uri|link|href|src|image|img|thumbnail|thumb|cover|banner|canonical|permalink"
    r"|source|feature|avatar|logo|photo|video|audio|enclosure)s?$",
    re.I,
)
_SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "data"})
_HTTP = re.compile(r"^\s*https?://", re.I)
_MARKUP = re.compile(r"<[A-Za-z/!?]")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # Unicode Cc, and the two separators
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
_DROP = {"script", "style", "template", "noscript", "textarea", "title", "iframe", "object", "xmp"}


def plain_text(value: str) -> str:
    """Markup stripped, references decoded, control characters removed, whitespace collapsed."""
    text = value
    for _ in range(3):  # what decoded references spell is stripped again (bounded)
        if _MARKUP.search(text) is None and "&" not in text:
            break
        import html  # (here: its table of references is a large module, needed for few values)

        text = html.unescape(nh3.clean(text, tags=set(), clean_content_tags=_DROP))
    text = _MARKUP.sub(lambda m: m.group(0)[1:], text)  # still markup after three rounds: no "<"
    text = _CONTROL.sub(lambda m: " " if m.group(0) in "\t\n\r\x0b\x0c" else "", text)
    return _SPACE.sub(" ", text).strip()


def _has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None


def _needs_text_cleaning(value: str) -> bool:
    """Markup (also once references are decoded) or control characters: references alone are
    left as they are in a file's own front matter."""
    if _CONTROL.search(value) or _MARKUP.search(value):
        return True
    if "&" not in value:
        return False
    import html  # (here: its table of references is a large module, needed for few values)

    return _MARKUP.search(html.unescape(value)) is not None


def _url_value(key: str, value: str) -> bool:
    """A URL-like key, an http(s) value, or a script URL wherever it sits (`javascript:x`; a
    title such as "Data: the new oil", with a space after the colon, is text)."""
    if _URL_KEY.search(key) or _HTTP.match(value):
        return True
    scheme = scheme_of(value)
    return (
        scheme is not None
        and scheme in _SCRIPT_SCHEMES
        and not normalise(value)[len(scheme) + 1 :][:1].isspace()
    )


def _unsafe(key: str, value: str, what: str, line: int | None = None) -> Removal:
    return Removal(
        "unsafe",
        "unsafe-url",
        f"front-matter {what} '{key}': URL with a scheme other than http, https or mailto",
        value,
        None,
        line,
        line,
    )


def _clean_url(
    key: str, value: str, urls: UrlCleaner | None, line: int | None, out: list[Removal]
) -> str | None:
    """The URL after the URL rules, None when the gate refuses it or a control character is
    left in it once the ends are trimmed as a URL parser trims them (recorded in `out`)."""
    trimmed = value.strip(_C0_OR_SPACE)
    if not is_safe_url(value) or _has_control(trimmed):
        out.append(_unsafe(key, value, "value of", line))
        return None
    if urls is None or not _HTTP.match(trimmed):
        return trimmed
    verdict = urls.clean(trimmed)
    if verdict.action != "rewrite" or not is_safe_url(verdict.url):
        return trimmed
    for s in verdict.steps:
        out.append(
            Removal(
                s.category, s.rule, f"{s.reason} (front matter '{key}')", s.removed, verdict.url, line, line
            )
        )
    return verdict.url


def safe_generated(fields: dict[str, Any], urls: UrlCleaner | None) -> tuple[dict[str, Any], list[Removal]]:
    """Front matter we write for a page or feed item: URL keys through the rules and the gate, the
    other strings as plain text (lists item by item; empty items dropped)."""
    out: dict[str, Any] = {}
    removed: list[Removal] = []
    for key, value in fields.items():
        if isinstance(value, str) and key in URL_KEYS:
            # what we fetched is provenance: it goes through the gate, not the URL rules
            value = _clean_url(key, value, None if key in _PROVENANCE else urls, None, removed)
            if value is None:
                continue
        elif isinstance(value, str):
            value = plain_text(value) or None
        elif isinstance(value, (list, tuple)):
            value = [t for t in (plain_text(v) if isinstance(v, str) else v for v in value) if t]
        out[key] = value
    return out, removed


def safe_source(source: OriginalSource) -> tuple[OriginalSource, list[Removal]]:
    """The publisher's name as plain text and its URL through the gate."""
    removed: list[Removal] = []
    name = plain_text(source.name) or None if source.name else source.name
    url = source.url
    if url is not None and not is_safe_url(url):
        removed.append(_unsafe("original_source.url", url, "value of"))
        url = None
    if name == source.name and url == source.url:
        return source, removed
    return dataclasses.replace(source, name=name, url=url), removed


# -- a Markdown input's own front matter, rewritten in place ---------------------------------------


def _scalar(value: str, plain_before: bool) -> str:
    if plain_before and re.fullmatch(r"[\w/.][\w/.:?=&%~+@-]*", value) and ": " not in value:
        return value
    quoted = json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return quoted.replace("\x85", "\\x85").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _walk(node: yaml.Node, key: str, depth: int = 0) -> list[tuple[str, yaml.ScalarNode]]:
    """(key, scalar) pairs of a YAML tree; list items carry their list's key."""
    if depth > 20:
        return []
    if isinstance(node, yaml.ScalarNode):
        return [(key, node)]
    out: list[tuple[str, yaml.ScalarNode]] = []
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            out += _walk(item, key, depth + 1)
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            out += _walk(v, str(k.value) if isinstance(k, yaml.ScalarNode) else key, depth + 1)
    return out


def _changes(
    raw: str, urls: UrlCleaner | None, first: int
) -> tuple[list[tuple[int, int, str]], list[Removal]]:
    """Edits (start, end, new text) of the raw YAML: rewritten values, and the whole line of a
    top-level key whose URL the gate refuses."""
    root = yaml.compose(raw, Loader=_Loader)
    if not isinstance(root, yaml.MappingNode):
        return [], []
    edits: list[tuple[int, int, str]] = []
    removed: list[Removal] = []
    top = {id(v): k for k, v in root.value}
    for key, node in _walk(root, ""):
        value = str(node.value)
        a, b = node.start_mark.index, node.end_mark.index
        line = first + node.start_mark.line
        if _url_value(key, value):
            new = _clean_url(key, value, urls, line, removed)
            if new is None:
                k = top.get(id(node))
                if k is not None:  # a top-level key: its line goes
                    start = raw.rfind("\n", 0, k.start_mark.index) + 1
                    end = raw.find("\n", b)
                    edits.append((start, len(raw) if end < 0 else end + 1, ""))
                else:
                    edits.append((a, b, '""'))
                continue
        elif _needs_text_cleaning(value):
            new = plain_text(value)
        else:
            continue
        if new != value:
            if not _URL_KEY.search(key) and not _HTTP.match(value):
                removed.append(
                    Removal(
                        "unsafe",
                        "front-matter-text",
                        f"markup or control characters in '{key}'",
                        raw[a:b],
                        new,
                        line,
                        line,
                    )
                )
            edits.append((a, b, _scalar(new, node.style in (None, ""))))
    return edits, removed


def safe_front_matter(fm: FrontMatter, urls: UrlCleaner | None) -> tuple[FrontMatter, list[Removal]]:
    """A Markdown input's front matter with its URL values cleaned and its text values plain."""
    if not fm.raw.strip() or not _worth_a_look(fm.data, urls):
        return fm, []
    first = fm.open_line.count("\n") + 1
    changes = _changes if fm.fmt == "yaml" else _toml_changes
    edits, removed = changes(fm.raw, urls, first)
    if not edits:
        return fm, removed
    raw = fm.raw
    for a, b, new in sorted(edits, reverse=True):
        raw = raw[:a] + new + raw[b:]
    if fm.fmt == "yaml":
        data = yaml.load(raw, Loader=_Loader) if raw.strip() else {}
    else:
        import tomllib  # (TOML front matter only: a start without it is shorter)

        data = tomllib.loads(raw)
    return dataclasses.replace(fm, raw=raw, data=dict(data or {})), removed


# Hugo's TOML: top-level `key = "string"` and `key = ["string", …]` lines (what tomllib read).
_TOML_LINE = re.compile(r"^[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*([\"'\[].*?)[ \t]*(?:#[^\"'\]]*)?$", re.M)


def _toml_changes(
    raw: str, urls: UrlCleaner | None, first: int
) -> tuple[list[tuple[int, int, str]], list[Removal]]:
    import tomllib  # (TOML front matter only: a start without it is shorter)

    data = tomllib.loads(raw)
    edits: list[tuple[int, int, str]] = []
    removed: list[Removal] = []
    for m in _TOML_LINE.finditer(raw):
        key, value = m.group(1), data.get(m.group(1))
        items: list[str] = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
        if m.group(2).startswith(('"""', "'''")) or len(items) != (
            len(value) if isinstance(value, list) else 1
        ):
            continue  # a multi-line string, or not all strings
        line = first + raw.count("\n", 0, m.start())
        new = _toml_values(key, items, urls, line, removed)
        if new is not None:
            if new != items:
                quoted = [json.dumps(v, ensure_ascii=False) for v in new]
                text = "[" + ", ".join(quoted) + "]" if isinstance(value, list) else quoted[0]
                if any(not _url_value(key, v) for v in items):
                    reason = f"markup or control characters in '{key}'"
                    removed.append(
                        Removal("unsafe", "front-matter-text", reason, m.group(2), text, line, line)
                    )
                edits.append((m.start(2), m.end(2), text))
            continue
        end = raw.find("\n", m.end())
        edits.append((m.start(), len(raw) if end < 0 else end + 1, ""))  # a refused URL: its line goes
    return edits, removed


def _toml_values(
    key: str, items: list[str], urls: UrlCleaner | None, line: int, removed: list[Removal]
) -> list[str] | None:
    """The values cleaned; None when the gate refuses one of them (its key goes)."""
    new: list[str] = []
    for v in items:
        if _url_value(key, v):
            url = _clean_url(key, v, urls, line, removed)
            if url is None:
                return None
            new.append(url)
        else:
            new.append(plain_text(v) if _needs_text_cleaning(v) else v)
    return new


def _worth_a_look(data: Any, urls: UrlCleaner | None, key: str = "", depth: int = 0) -> bool:
    """Whether any value would change (a cheap look at the parsed data before the YAML is
    composed to find where the values are)."""
    if depth > 20:
        return False
    if isinstance(data, str):
        if _url_value(key, data):
            return _clean_url(key, data, urls, None, []) != data
        return _needs_text_cleaning(data)
    if isinstance(data, dict):
        return any(_worth_a_look(v, urls, str(k), depth + 1) for k, v in data.items())
    if isinstance(data, list):
        return any(_worth_a_look(v, urls, key, depth + 1) for v in data)
    return False
