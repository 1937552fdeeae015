"""What `scraper audit` shows: every cleaned document with its removals and its view (`rows`),
the hunks of the view, and the counts over the set.

The original of a Markdown document is its input file, or its archived response when it was
fetched; its view is the line diff from that text to the cleaned Markdown. An HTML page's (or
feed item's) view is its cleaned Markdown with every removal put back where it was cut in the
original page (`pageview`). Without an original, the removals are listed as recorded.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaners import CATEGORIES
from scraper.audit.filters import Filter, narrow
from scraper.audit.hunks import hunks
from scraper.audit.mdview import LineDiff, markdown_view, unplaced_view
from scraper.audit.originals import Original, OriginalFinder
from scraper.audit.pageview import page_view
from scraper.audit.rows import LAYOUT, View, is_removal
from scraper.errors import DocumentError
from scraper.settings import AUDIT_SUFFIX

_TEXT_KEYS = ("category", "rule", "reason", "snippet")
_OPTIONAL_TEXT = ("replacement", "path")
MAX_RECORD_BYTES = 64 * 1024 * 1024


@dataclass
class DocAudit:
    output: str  # the cleaned .md
    record: dict[str, Any]  # its .audit.json
    original: Original | None
    cleaned: str
    view: View = field(default_factory=View)

    @property
    def kind(self) -> str:
        return str(self.record.get("kind", ""))

    @property
    def input(self) -> str:
        return str(self.record.get("input") or "")

    @property
    def source(self) -> dict[str, str]:
        src = self.record.get("original_source") or {}
        return {k: str(src[k]) for k in ("name", "url") if src.get(k)}

    @property
    def removals(self) -> list[dict[str, Any]]:
        return list(self.record.get("removals", []))

    @property
    def counts(self) -> dict[str, int]:
        """Removals per category (every built-in category present; layout is not a removal)."""
        return self.counted(None)[0]

    @property
    def layout(self) -> int:
        return self.counted(None)[1]

    def counted(self, keep: Filter | None) -> tuple[dict[str, int], int]:
        """(removals per category, layout changes) among the records the filter keeps."""
        counts = dict.fromkeys(CATEGORIES, 0)
        layout = 0
        for r in self.removals:
            if keep is not None and not keep.keeps(r):
                continue
            if is_removal(r):
                counts[r["category"]] = counts.get(r["category"], 0) + 1
            else:
                layout += 1
        return counts, layout

    def labels(self) -> list[tuple[str, str]]:
        return [lab for c in self.view.changes for lab in c.labels]

    def to_json(self, keep: Filter, summary: bool = False) -> dict[str, Any]:
        counts, layout = self.counted(keep)
        out: dict[str, Any] = {
            "output": self.output,
            "input": self.record.get("input"),
            "kind": self.kind,
            "retrieved_from": self.record.get("retrieved_from"),
            "original_source": self.record.get("original_source"),
            "fingerprint": self.record.get("fingerprint"),
            "original_found": self.original is not None,
            "removed": counts,
            LAYOUT: layout,
        }
        if summary:
            return out
        view = narrow(self.view, keep)
        out["placed"] = view.placed
        out["unplaced"] = view.unplaced
        out["removals"] = [r for r in self.removals if keep.keeps(r)]
        out["hunks"] = [h.to_json(view) for h in hunks(view)]
        return out


def find_documents(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Cleaned .md files that have an audit record, under the paths; and problems."""
    found: list[Path] = []
    problems: list[str] = []
    for p in paths:
        if p.is_dir():
            docs = [m for m in sorted(p.rglob("*.md")) if _sidecar(m).exists()]
            if not docs:
                problems.append(f"{p}: no cleaned documents (no .md with an {AUDIT_SUFFIX} record)")
            found.extend(docs)
        elif p.is_file() and p.suffix == ".md" and _sidecar(p).exists():
            found.append(p)
        elif p.is_file():
            problems.append(f"{p}: not a cleaned document (no {_sidecar(p).name} next to it)")
        else:
            problems.append(f"{p}: no such file or directory")
    return sorted(set(found)), problems


def _sidecar(md: Path) -> Path:
    return md.with_name(md.name[: -len(".md")] + AUDIT_SUFFIX)


def load_document(md: Path, originals: OriginalFinder) -> DocAudit:
    """Raises DocumentError, one line, when the document or its audit record cannot be read."""
    try:
        with open(_sidecar(md), "rb") as fh:
            raw = fh.read(MAX_RECORD_BYTES + 1)
        if len(raw) > MAX_RECORD_BYTES:
            raise ValueError(f"larger than {MAX_RECORD_BYTES // 2**20} MB")
        record = json.loads(raw.decode("utf-8"))
        _check_record(record)
        cleaned = md.read_text("utf-8").removeprefix("\ufeff")  # as the original is read
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise DocumentError(f"{md}: cannot read it or its audit record ({exc})") from None
    doc = DocAudit(str(md), record, originals.find(record, str(md)), cleaned)
    doc.view = document_view(doc, originals.problems)
    return doc


def document_view(doc: DocAudit, problems: list[str]) -> View:
    removals = doc.removals
    if doc.original is None:
        note = "original not found" if doc.kind == "markdown" else "original page not found"
        return unplaced_view(doc.cleaned, removals, note)
    if doc.kind == "markdown":
        return markdown_view(LineDiff.of(doc.original.text, doc.cleaned), removals)
    base = doc.record.get("retrieved_from")
    try:
        return page_view(doc.cleaned, doc.original.text, removals, base if isinstance(base, str) else None)
    except (ValueError, RecursionError, MemoryError) as exc:  # a page lexbor or difflib cannot take
        problems.append(f"{doc.output}: its removals could not be placed in the page ({exc})")
        return unplaced_view(doc.cleaned, removals, "removals not placed")


def _check_record(record: Any) -> None:
    """A record every view can rely on: the types of every field they read."""
    if not isinstance(record, dict) or not isinstance(record.get("removals", []), list):
        raise ValueError("not an audit record")
    for key in ("input", "kind", "retrieved_from", "fingerprint", "output"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise ValueError(f"{key} is not text")
    source = record.get("original_source")
    if source is not None and (
        not isinstance(source, dict)
        or any(not isinstance(source.get(k), (str, type(None))) for k in ("name", "url"))
    ):
        raise ValueError("original_source is not a name and a URL")
    for r in record.get("removals", []):
        if not isinstance(r, dict) or not all(isinstance(r.get(k), str) for k in _TEXT_KEYS):
            raise ValueError(f"a removal without {', '.join(_TEXT_KEYS)}")
        if any(r.get(k) is not None and not isinstance(r[k], str) for k in _OPTIONAL_TEXT):
            raise ValueError("a removal whose replacement or path is not text")
        line, end = r.get("line"), r.get("end_line", r.get("line"))
        if line is not None and not (type(line) is int and type(end) is int and 0 < line <= end):
            raise ValueError("a removal whose line is not a number")


def totals(docs: list[DocAudit], keep: Filter | None = None) -> dict[str, Any]:
    """Removals per category and per rule over the documents (those the filter keeps)."""
    by_category: Counter[str] = Counter(dict.fromkeys(CATEGORIES, 0))
    by_rule: Counter[str] = Counter()
    layout = 0
    for d in docs:
        for r in d.removals:
            if keep is not None and not keep.keeps(r):
                continue
            if not is_removal(r):
                layout += 1
                continue
            by_category[r["category"]] += 1
            by_rule[f"{r['category']}/{r['rule']}"] += 1
    return {
        "documents": len(docs),
        "removed": dict(by_category),
        LAYOUT: layout,
        "by_rule": dict(sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def report_json(docs: list[DocAudit], keep: Filter, summary: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "documents": [d.to_json(keep, summary) for d in docs],
        "totals": totals(docs, keep),
    }
    if keep.narrows or keep.docs:
        out["filter"] = keep.to_json()
    return out
