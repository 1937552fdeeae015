"""Output files: collision-safe names, atomic writes that skip unchanged bytes, audit sidecars.

Layout of an output directory:

    out/<stem>.md           the cleaned document
    out/<stem>.audit.json   every removal: category, rule, reason, snippet, line or element path
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

import orjson

from scraper.fetch.urls import host_label
from scraper.settings import AUDIT_SUFFIX as AUDIT_SUFFIX  # (re-exported for the audit)
from scraper.settings import NAME_BYTES
from scraper.store.staging import Listing, Staged, commit, current, discard, stage, unchanged
from scraper.store.staging import fsync_dir as fsync_dir  # (re-exported)
from scraper.store.staging import write_atomic as write_atomic  # (re-exported)

_UNSAFE = re.compile(r"[^\w.-]+")
_HTTP = re.compile(r"^https?://", re.I)
_EXT = re.compile(r"\.(?:html?|php|aspx?|md|markdown|txt)$", re.I)  # dropped from a name's end
_INDEX = re.compile(r"index(?:\.(?:html?|php|md))?", re.I)  # a directory's own page


def cut_utf8(text: str, limit: int) -> str:
    """The longest prefix of `text` whose UTF-8 encoding fits in `limit` bytes."""
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")


def _clean(text: str, limit: int = NAME_BYTES) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _UNSAFE.sub("-", text).strip("-._")
    return cut_utf8(text, limit).strip("-._")


def _slug(text: str, limit: int = NAME_BYTES) -> str:
    return _clean(text, limit) or "document"


def _fits(text: str) -> bool:
    return len(text.encode("utf-8")) <= NAME_BYTES


def output_stem(name: str) -> str:
    """A file stem for an input path or URL: the input's own stem, made filesystem-safe."""
    if _HTTP.match(name):
        parts = urlsplit(name)
        segments = [s for s in unquote(parts.path).split("/") if s]
        last = segments[-1] if segments else ""
        if last.lower() in ("index.html", "index.htm", "index.php", "index.md") and len(segments) > 1:
            last = segments[-2]
        stem = _EXT.sub("", last)
        return _slug(stem or (parts.hostname or "document"))
    if name == "-":
        return "stdin"
    return _slug(Path(name).stem)


def url_stem(url: str) -> str:
    """Where a fetched URL's document goes, relative to the output directory:
    "<host>/<path-slug>" (a hash is added for a query or an over-long path), so names are
    stable across runs and never depend on the order pages arrive in."""
    parts = urlsplit(url)
    host = _slug(host_label(parts.hostname or "site") + (f"-{parts.port}" if parts.port else ""))
    segments = [_clean(s, 4 * NAME_BYTES) for s in unquote(parts.path).split("/") if s]
    if segments and _INDEX.fullmatch(segments[-1]):
        segments.pop()
    segments = [_EXT.sub("", s) for s in segments]
    slug = "-".join(s for s in segments if s) or "index"
    if parts.query or not _fits(slug):
        slug = f"{_slug(slug, NAME_BYTES - 9)}-{_sha256(url)[:8]}"
    return f"{host}/{slug}"


def _sha256(text: str) -> str:
    import hashlib  # (here: it loads OpenSSL, and few names need a hash)

    return hashlib.sha256(text.encode()).hexdigest()


def suffixed(stem: str, key: str) -> str:
    """`stem` made unique for `key`: its last part gets `~` and 12 hex digits of the key's
    hash (a character no plain name holds), still within NAME_BYTES."""
    head, _, last = stem.rpartition("/")
    last = f"{cut_utf8(last, NAME_BYTES - 13)}~{_sha256(key)[:12]}"
    return f"{head}/{last}" if head else last


def assign_stems(names: list[str]) -> dict[str, str]:
    """Stems for a batch: an input whose stem is taken by an earlier input (in sorted order)
    gets a short hash of its name appended, so names never depend on processing order."""
    taken: dict[str, str] = {}
    out: dict[str, str] = {}
    for name in sorted(set(names)):
        stem = output_stem(name)
        if stem.lower() in taken:
            stem = f"{stem}-{_sha256(name)[:8]}"
        taken[stem.lower()] = name
        out[name] = stem
    return out


_ORJSON = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


def audit_json(record: dict[str, Any]) -> bytes:
    """An audit record as it is written (UTF-8 JSON, indented by two spaces, one trailing
    newline): the bytes of `json.dumps(record, ensure_ascii=False, indent=2) + "\n"`, made by
    orjson (the standard encoder cannot indent in C). Floats, integers beyond 64 bits and keys
    that are not strings are left to the standard encoder, whose spelling of them orjson does
    not share; so are strings orjson refuses (lone surrogates: the standard path raises too)."""
    if not _plain(record, 0):
        return _std_json(record)
    try:
        return orjson.dumps(record, option=_ORJSON)
    except TypeError:  # orjson.JSONEncodeError
        return _std_json(record)


def _std_json(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_INT64 = 1 << 63


def _plain(value: object, depth: int) -> bool:
    """Whether both encoders spell `value` alike: str keys, no float, int within 64 bits, only
    dicts, lists and tuples around them (nested at most 200 deep). Plain dicts and lists are
    walked here with their scalars checked inline (a record holds hundreds of them); anything
    else, subclasses included, goes to `_plain_any`."""
    t = type(value)
    if t is dict:
        if depth > 200:
            return False
        for k, v in value.items():  # type: ignore[attr-defined]
            tv = type(v)
            if type(k) is not str:
                return False
            if tv is str or v is None or tv is bool:
                continue
            if not (-_INT64 <= v < _INT64 if tv is int else _plain(v, depth + 1)):
                return False
        return True
    if t is list or t is tuple:
        if depth > 200:
            return False
        for v in value:  # type: ignore[attr-defined]
            tv = type(v)
            if tv is str or v is None or tv is bool:
                continue
            if not (-_INT64 <= v < _INT64 if tv is int else _plain(v, depth + 1)):
                return False
        return True
    return _plain_any(value, depth)


def _plain_any(value: object, depth: int) -> bool:
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -_INT64 <= value < _INT64
    if depth > 200:
        return False
    if isinstance(value, dict):
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_plain(v, depth + 1) for v in value)
    return False


class WriteResult(NamedTuple):
    path: Path  # the .md
    changed: bool  # either file's bytes changed
    created: bool  # the .md did not exist before


def stage_document(
    out_dir: Path, stem: str, markdown: bytes, audit: bytes, listing: Listing | None = None
) -> tuple[list[Staged], WriteResult]:
    """A document and its audit sidecar written to temp files (staging.stage), each only when
    its bytes differ from what is on disk: the files to commit (the audit record first, so a
    document on disk always has its record next to it) and what the write will have done.
    Raises OSError (disk full, permissions …), leaving no temp file. `listing`: the run's
    (staging.Listing), which knows what is not on disk without opening it."""
    md_path = out_dir / f"{stem}.md"
    old = current(md_path, listing)
    staged: list[Staged] = []
    try:
        audit_path = out_dir / f"{stem}{AUDIT_SUFFIX}"
        if not unchanged(audit_path, audit, listing):
            staged.append(stage(audit_path, audit))
        if old != markdown:
            staged.append(stage(md_path, markdown))
    except BaseException:
        discard(staged)
        raise
    if listing is not None:
        for item in staged:
            listing.add(item.path)
    return staged, WriteResult(md_path, bool(staged), old is None)


def write_document(
    out_dir: Path, stem: str, markdown: bytes, audit: bytes, sync_dir: bool = True
) -> WriteResult:
    """Write a document and its audit sidecar, atomically, each only when its bytes differ
    from what is on disk. Raises OSError (disk full, permissions …). `sync_dir=False`: the
    caller makes the renames durable, once per batch (`sync_dirs` of the directories of the
    results that changed) before it reports them written."""
    staged, result = stage_document(out_dir, stem, markdown, audit)
    commit(staged, sync_dirs=sync_dir)
    return result


def sync_dirs(results: list[WriteResult]) -> None:
    """Make a batch's renames durable: one fsync per directory that a changed file is in."""
    for directory in dict.fromkeys(r.path.parent for r in results if r.changed):
        fsync_dir(directory)
