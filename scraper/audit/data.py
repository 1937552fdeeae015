"""What `scraper audit` shows: every cleaned document with its removals, and the diff from
its original, each hunk labelled with the rules that made it.

The original of a Markdown document is its input file, or its archived response when it was
fetched; the diff runs from that text to the cleaned Markdown, so every removed line and every
rewritten URL is a hunk. An HTML page's original is a different language from its Markdown, so
its hunks are its removals: the element removed, as it was in the page.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaners.records import CATEGORIES
from scraper.errors import DocumentError
from scraper.store.writer import AUDIT_SUFFIX

_REMOVAL_KEYS = ("category", "rule", "reason", "snippet")
ADDED = "added"  # label of hunks that only add lines: the attribution keys and line
LAYOUT = "layout"  # blank lines collapsed where a block was removed


@dataclass
class Hunk:
    old_start: int  # 1-based line of the original (for a page's removal: 0)
    old_lines: int
    new_start: int
    new_lines: int
    lines: list[str]  # "-removed", "+added", " context"
    labels: list[tuple[str, str]] = field(default_factory=list)  # (category, rule), all changes
    # each change in the hunk: (index of its first line in `lines`, its labels)
    changes: list[tuple[int, list[tuple[str, str]]]] = field(default_factory=list)
    where: str | None = None  # a page's removal: the element's path in the page

    def to_json(self) -> dict[str, Any]:
        return {
            "old_start": self.old_start,
            "old_lines": self.old_lines,
            "new_start": self.new_start,
            "new_lines": self.new_lines,
            "labels": [{"category": c, "rule": r} for c, r in self.labels],
            "changes": [
                {"line": at, "labels": [{"category": c, "rule": r} for c, r in labels]}
                for at, labels in self.changes
            ],
            "lines": self.lines,
            **({"where": self.where} if self.where else {}),
        }


@dataclass
class LineDiff:
    old: list[str]
    new: list[str]
    matcher: difflib.SequenceMatcher[str]

    @classmethod
    def of(cls, original: str, cleaned: str) -> LineDiff:
        old, new = original.splitlines(), cleaned.splitlines()
        return cls(old, new, difflib.SequenceMatcher(None, old, new, autojunk=False))


@dataclass
class DocAudit:
    output: str  # the cleaned .md
    record: dict[str, Any]  # its .audit.json
    original: str | None  # the input text, for Markdown documents when it can be found
    cleaned: str
    hunks: list[Hunk] = field(default_factory=list)
    # the line diff original -> cleaned (Markdown documents whose original was found), computed
    # once for the terminal, JSON and HTML views
    diff: LineDiff | None = None

    @property
    def kind(self) -> str:
        return str(self.record.get("kind", ""))

    @property
    def removals(self) -> list[dict[str, Any]]:
        return list(self.record.get("removals", []))

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(CATEGORIES, 0)
        for r in self.removals:
            if r["category"] in counts:  # notes such as "layout" are not removals
                counts[r["category"]] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "input": self.record.get("input"),
            "kind": self.kind,
            "retrieved_from": self.record.get("retrieved_from"),
            "original_source": self.record.get("original_source"),
            "fingerprint": self.record.get("fingerprint"),
            "original_found": self.original is not None,
            "removed": self.counts,
            "removals": self.removals,
            "hunks": [h.to_json() for h in self.hunks],
        }


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
        record = json.loads(_sidecar(md).read_text("utf-8"))
        _check_record(record)
        cleaned = md.read_text("utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise DocumentError(f"{md}: cannot read it or its audit record ({exc})") from None
    original = originals(record) if record.get("kind") == "markdown" else None
    doc = DocAudit(str(md), record, original, cleaned)
    if original is None:
        doc.hunks = removal_hunks(doc)
    else:
        doc.diff = LineDiff.of(original, cleaned)
        doc.hunks = diff_hunks(doc.diff, doc.removals)
    return doc


def _check_record(record: Any) -> None:
    if not isinstance(record, dict) or not isinstance(record.get("removals", []), list):
        raise ValueError("not an audit record")
    for r in record.get("removals", []):
        if not isinstance(r, dict) or not all(isinstance(r.get(k), str) for k in _REMOVAL_KEYS):
            raise ValueError(f"a removal without {', '.join(_REMOVAL_KEYS)}")
        line, end = r.get("line"), r.get("end_line", r.get("line"))
        if line is not None and not (isinstance(line, int) and isinstance(end, int)):
            raise ValueError("a removal whose line is not a number")


class OriginalFinder:
    """The original text of a Markdown document: its input file (as named, or relative to the
    sources file's directory), or the archived response for a URL."""

    def __init__(self, base: Path | None = None, replay: Any = None) -> None:
        self.base = base
        self.replay = replay  # url -> Response | None (scraper.store.replay.archived_response)

    def __call__(self, record: dict[str, Any]) -> str | None:
        name = str(record.get("input") or "")
        if name.startswith(("http://", "https://")):
            response = self.replay(name) if self.replay else None
            return _text(response.body) if response is not None else None
        for candidate in (Path(name), (self.base / name) if self.base else None):
            if candidate is not None and candidate.is_file():
                return _text(candidate.read_bytes())
        return None


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        return None


def diff_hunks(diff: LineDiff, removals: list[dict[str, Any]], context: int = 2) -> list[Hunk]:
    old, new = diff.old, diff.new
    hunks = []
    for group in diff.matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        hunk = Hunk(first[1] + 1, last[2] - first[1], first[3] + 1, last[4] - first[3], [])
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk.lines += [" " + line for line in old[i1:i2]]
                continue
            labels = change_labels(set(range(i1 + 1, i2 + 1)), old, removals)
            hunk.changes.append((len(hunk.lines), labels))
            hunk.labels += [label for label in labels if label not in hunk.labels]
            hunk.lines += ["-" + line for line in old[i1:i2]]
            hunk.lines += ["+" + line for line in new[j1:j2]]
        hunks.append(hunk)
    return hunks


def change_labels(changed: set[int], old: list[str], removals: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(category, rule) of the removals behind a change to these original lines (1-based);
    a change that removes nothing only adds (the attribution); removed blank lines are layout."""
    if not changed:
        return [(ADDED, "attribution")]
    labels: list[tuple[str, str]] = []
    for r in removals:
        line = r.get("line")
        if line is None:
            continue
        if any(n in changed for n in range(line, r.get("end_line", line) + 1)):
            label = (r["category"], r["rule"])
            if label not in labels:
                labels.append(label)
    if any(not old[n - 1].strip() for n in changed):
        labels.append((LAYOUT, "blank-lines"))
    return labels


def removal_hunks(doc: DocAudit) -> list[Hunk]:
    """A page's removals as hunks: each removed element or rewritten URL, labelled."""
    hunks = []
    for r in doc.removals:
        lines = ["-" + line for line in str(r["snippet"]).splitlines() or [""]]
        if r.get("replacement") is not None:
            lines += ["+" + line for line in str(r["replacement"]).splitlines() or [""]]
        label = (str(r["category"]), str(r["rule"]))
        hunks.append(Hunk(r.get("line") or 0, 0, 0, 0, lines, [label], [(0, [label])], r.get("path")))
    return hunks


def totals(docs: list[DocAudit]) -> dict[str, Any]:
    by_category: Counter[str] = Counter(dict.fromkeys(CATEGORIES, 0))
    by_rule: Counter[str] = Counter()
    for d in docs:
        for r in d.removals:
            if r["category"] in by_category:  # notes such as "layout" are not removals
                by_category[r["category"]] += 1
            by_rule[f"{r['category']}/{r['rule']}"] += 1
    return {
        "documents": len(docs),
        "removed": dict(by_category),
        "by_rule": dict(sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def report_json(docs: list[DocAudit]) -> dict[str, Any]:
    return {"documents": [d.to_json() for d in docs], "totals": totals(docs)}
