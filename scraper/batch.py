"""Run the pipeline over many inputs: one failure never stops the others."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaners.records import count_by_category
from scraper.errors import DocumentError
from scraper.pipeline import CleanedDocument, CleanOptions, SourceDocument, clean_document
from scraper.writer import assign_stems, write_document

INPUT_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".txt", ".html", ".htm", ".xhtml")


@dataclass
class Outcome:
    input: str
    status: str  # "ok" or "error"
    output: str | None = None
    error: str | None = None
    doc: CleanedDocument | None = None
    changed: bool = False

    def to_json(self) -> dict[str, Any]:
        removed = count_by_category(self.doc.removals) if self.doc else count_by_category([])
        source = self.doc.source.to_json() if self.doc else {"name": None, "url": None}
        return {
            "input": self.input,
            "output": self.output,
            "status": self.status,
            "error": self.error,
            "removed": removed,
            "original_source": source,
        }


def expand_inputs(paths: list[str]) -> Iterator[tuple[str, str | None]]:
    """(input name, problem) for every input; directories recurse in sorted order, taking
    text and HTML files and skipping hidden entries and audit sidecars."""
    for p in paths:
        if p == "-":
            yield p, None
            continue
        path = Path(p)
        if path.is_dir():
            found = False
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if f.startswith(".") or f.endswith(".audit.json"):
                        continue
                    if f.lower().endswith(INPUT_SUFFIXES):
                        found = True
                        yield str(Path(root) / f), None
            if not found:
                yield p, "directory holds no Markdown, text or HTML files"
        elif path.exists():
            yield p, None
        else:
            yield p, "no such file or directory"


def read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except IsADirectoryError:
        raise DocumentError("is a directory") from None
    except PermissionError:
        raise DocumentError("permission denied") from None
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror or exc}") from None


def clean_one(name: str, data: bytes, opts: CleanOptions) -> CleanedDocument:
    return clean_source(SourceDocument(name, data), opts)


def clean_source(doc: SourceDocument, opts: CleanOptions) -> CleanedDocument:
    """The pipeline, with any unexpected failure turned into a one-line DocumentError."""
    try:
        return clean_document(doc, opts)
    except DocumentError:
        raise
    except RecursionError:
        raise DocumentError("document is nested too deeply to process") from None
    except MemoryError:
        raise DocumentError("document is too large to process in memory") from None
    except Exception as exc:  # one broken page must not stop a run of a thousand
        raise DocumentError(f"internal error while cleaning ({type(exc).__name__}: {exc})") from None


def run_clean(paths: list[str], out_dir: Path, opts: CleanOptions) -> list[Outcome]:
    """Clean every input; files go to `out_dir`, stdin ('-') is returned for printing."""
    inputs = list(expand_inputs(paths))
    stems = assign_stems([n for n, problem in inputs if problem is None and n != "-"])
    outcomes: list[Outcome] = []
    for name, problem in inputs:
        if problem:
            outcomes.append(Outcome(name, "error", error=problem))
            continue
        try:
            doc = clean_one(name, read_input(name), opts)
        except DocumentError as exc:
            outcomes.append(Outcome(name, "error", error=str(exc)))
            continue
        if name == "-":
            outcomes.append(Outcome(name, "ok", output="-", doc=doc))
            continue
        try:
            path, changed = write_document(out_dir, stems[name], doc.markdown, doc.audit(None))
        except OSError as exc:
            outcomes.append(Outcome(name, "error", error=f"cannot write output: {exc.strerror or exc}"))
            continue
        outcomes.append(Outcome(name, "ok", output=str(path), doc=doc, changed=changed))
    return outcomes
