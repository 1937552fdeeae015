"""Run the pipeline over many inputs: one failure never stops the others."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaners.records import count_by_category
from scraper.errors import DocumentError
from scraper.pipeline.core import CleanedDocument, CleanOptions, SourceDocument, clean_document
from scraper.sources.local import expand_inputs, read_input
from scraper.store.writer import assign_stems, write_document


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
