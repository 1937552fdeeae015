"""`scraper clean`: the pipeline over many local inputs; one failure never stops the others.

Each input is cleaned (jobs.workers.clean, in this process; or on a Dask cluster with `dask`,
jobs.cluster, inputs read only as there is room in flight) and written here by the writer;
standard input ('-') is written to the given stream instead. Outcomes come in input order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from scraper.errors import DocumentError
from scraper.jobs.workers import clean
from scraper.model import CleanOptions, Failed, Outcome, Rendered, SourceDocument
from scraper.sources.local import expand_inputs, read_input, unread
from scraper.store.writer import assign_stems, write_document


def run_clean(
    paths: list[str], out_dir: Path, opts: CleanOptions, stdout: BinaryIO, dask: str | None = None
) -> list[Outcome]:
    """Clean every input; files go to `out_dir`, standard input ('-') to `stdout`. Raises
    UsageError when the Dask cluster cannot be used (before any input is read)."""
    inputs = list(expand_inputs(paths))
    stems = assign_stems([n for n, problem in inputs if problem is None and n != "-"])
    outcomes: dict[int, Outcome] = {}
    jobs = _documents(inputs, stems, outcomes)
    if dask is None:
        results: Iterator[tuple[int, Rendered | Failed]] = (
            (i, clean(doc, opts, stem)) for i, doc, stem in jobs
        )
        _finish_all(results, inputs, stems, out_dir, stdout, outcomes)
    else:
        from scraper.jobs.cluster import DaskCleaner  # Dask is optional: imported only here

        cluster = DaskCleaner(dask, opts)
        try:
            _finish_all(cluster.clean_all(jobs), inputs, stems, out_dir, stdout, outcomes)
        finally:
            cluster.close()
    return [outcomes[i] for i in sorted(outcomes)]


def _documents(
    inputs: list[tuple[str, str | None]], stems: dict[str, str], outcomes: dict[int, Outcome]
) -> Iterator[tuple[int, SourceDocument, str]]:
    """The readable inputs (read one by one, as they are asked for); the others' outcomes."""
    for i, (name, problem) in enumerate(inputs):
        if problem:
            outcomes[i] = Outcome(name, "error", "file", "input", problem)
            continue
        try:
            data = read_input(name)
        except DocumentError as exc:
            outcomes[i] = unread(name, exc)
            continue
        yield i, SourceDocument(name, data), "stdin" if name == "-" else stems[name]


def _finish_all(
    results: Iterator[tuple[int, Rendered | Failed]],
    inputs: list[tuple[str, str | None]],
    stems: dict[str, str],
    out_dir: Path,
    stdout: BinaryIO,
    outcomes: dict[int, Outcome],
) -> None:
    for i, result in results:
        name = inputs[i][0]
        outcomes[i] = _finish(name, "stdin" if name == "-" else stems[name], result, out_dir, stdout)


def _finish(name: str, stem: str, result: Rendered | Failed, out_dir: Path, stdout: BinaryIO) -> Outcome:
    """Write a cleaned input (or say why not)."""
    if isinstance(result, Failed):
        return Outcome(name, "error", "file", result.reason, result.message)
    done = Outcome(
        name, "ok", "file", counts=result.counts, source=result.source, fingerprint=result.fingerprint
    )
    if name == "-":
        stdout.write(result.markdown)
        stdout.flush()
        return replace(done, output="-")
    try:
        w = write_document(out_dir, stem, result.markdown, result.audit)
    except OSError as exc:
        return Outcome(name, "error", "file", "write", f"cannot write output: {exc.strerror or exc}")
    return replace(done, output=str(w.path), changed=w.changed, created=w.created)
