"""`scraper clean`: the pipeline over many local inputs; one failure never stops the others.

Each input is cleaned (jobs.cleanone.clean, in this process) and written by the writer;
standard input ('-') is written to the given stream instead.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from scraper.errors import DocumentError
from scraper.jobs.cleanone import clean
from scraper.model import CleanOptions, Failed, Outcome, SourceDocument
from scraper.sources.local import expand_inputs, read_input, unread
from scraper.store.writer import WriteResult, assign_stems, sync_dirs, write_document


def run_clean(paths: list[str], out_dir: Path, opts: CleanOptions, stdout: BinaryIO) -> list[Outcome]:
    """Clean every input; files go to `out_dir`, standard input ('-') to `stdout`. Each file
    is written atomically (file fsync, rename); the directories are synced once, at the end,
    before any outcome is reported."""
    inputs = list(expand_inputs(paths))
    stems = assign_stems([n for n, problem in inputs if problem is None and n != "-"])
    outcomes: list[Outcome] = []
    written: list[WriteResult] = []
    for name, problem in inputs:
        if problem:
            outcomes.append(Outcome(name, "error", "file", "input", problem))
            continue
        try:
            data = read_input(name)
        except DocumentError as exc:
            outcomes.append(unread(name, exc))
            continue
        stem = "stdin" if name == "-" else stems[name]
        result = clean(SourceDocument(name, data), opts, stem)
        if isinstance(result, Failed):
            outcomes.append(Outcome(name, "error", "file", result.reason, result.message))
            continue
        done = Outcome(
            name, "ok", "file", counts=result.counts, source=result.source, fingerprint=result.fingerprint
        )
        if name == "-":
            stdout.write(result.markdown)
            stdout.flush()
            outcomes.append(replace(done, output="-"))
            continue
        try:
            w = write_document(out_dir, stem, result.markdown, result.audit, sync_dir=False)
            written.append(w)
        except OSError as exc:
            outcomes.append(
                Outcome(name, "error", "file", "write", f"cannot write output: {exc.strerror or exc}")
            )
            continue
        outcomes.append(replace(done, output=str(w.path), changed=w.changed, created=w.created))
    sync_dirs(written)
    return outcomes
