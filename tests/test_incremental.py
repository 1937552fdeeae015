"""The crawl's incremental policy on local documents: an unchanged input is not cleaned again;
a document cleaned again to the same bytes is not written again (decided from the hashes in
the state store, not by reading the output); a missing output file is written again; the state
is recorded only once the files are on disk."""

from __future__ import annotations

import asyncio
import hashlib
import pickle
from pathlib import Path

from conftest import FIXTURES, builtin_rules

from scraper.fetch.config import FetchConfig, HostProfile
from scraper.jobs.crawl import FetchJob
from scraper.jobs.frontier import Origin
from scraper.jobs.workers import CleanerPool, clean
from scraper.model import CleanOptions, Outcome, Rendered, Response, SourceDocument
from scraper.store.state import StateStore

DOC = FIXTURES / "farm" / "tdy-printer-drivereasy-mp620.md"


class NoNetwork:
    config = FetchConfig()

    async def get(self, url: str, conditional: bool = True, profile: HostProfile | None = None) -> Response:
        raise AssertionError("no URL in this test")

    async def robots_sitemaps(self, url: str, profile: HostProfile | None = None) -> list[str]:
        raise AssertionError("no URL in this test")


def run(out: Path, state: StateStore, data: bytes, force: bool = False) -> Outcome:
    async def go() -> list[Outcome]:
        job = FetchJob(NoNetwork(), CleanerPool(CleanOptions(builtin_rules()), 0), out, state, force=force)
        job.start()
        job.add_file(SourceDocument("local/doc.md", data), "local/doc", Origin("local"))
        return await job.wait()

    state.start_run("run")
    [outcome] = asyncio.run(go())
    return outcome


def mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in sorted(out.rglob("*")) if p.is_file()}


def test_nothing_is_cleaned_or_written_again_that_did_not_change(tmp_path: Path) -> None:
    out, state = tmp_path / "out", StateStore(tmp_path / "state.db")
    data = DOC.read_bytes()
    first = run(out, state, data)
    assert (first.verdict, first.output) == ("new", str(out / "local" / "doc.md"))
    before = mtimes(out)
    assert sorted(before) == ["doc.audit.json", "doc.md"]

    again = run(out, state, data)  # the same input: not even cleaned
    assert (again.verdict, again.reason) == ("unchanged", "unchanged-input")
    forced = run(out, state, data, force=True)  # cleaned (reclean), the same bytes: not written
    assert (forced.verdict, forced.reason, forced.changed) == ("unchanged", None, False)
    assert mtimes(out) == before

    (out / "local" / "doc.audit.json").unlink()  # an output file lost: written again
    restored = run(out, state, data, force=True)
    assert restored.changed and not restored.created
    assert sorted(mtimes(out)) == ["doc.audit.json", "doc.md"]

    edited = run(out, state, data.replace(b"Driver Easy", b"Driver Easy Pro", 1))
    assert edited.verdict == "updated"
    rec = state.get("local/doc.md")
    assert rec is not None and rec.content_sha256 is not None
    assert rec.content_sha256 == hashlib.sha256((out / "local" / "doc.md").read_bytes()).hexdigest()


def test_a_write_error_fails_the_document_and_records_nothing_written(tmp_path: Path) -> None:
    out, state = tmp_path / "out", StateStore(tmp_path / "state.db")
    (out / "local" / "doc.md").mkdir(parents=True)  # a directory where the file must go
    failed = run(out, state, DOC.read_bytes())
    assert (failed.verdict, failed.reason) == ("failed", "write")
    assert "cannot write output" in (failed.error or "")
    rec = state.get("local/doc.md")
    assert rec is not None and rec.last_status == "error:write" and rec.content_sha256 is None


def test_what_a_worker_sends_back_is_small_and_picklable() -> None:
    data = DOC.read_bytes()
    result = clean(SourceDocument("local/doc.md", data), CleanOptions(builtin_rules()), "local/doc")
    assert isinstance(result, Rendered)
    assert pickle.loads(pickle.dumps(result)) == result
    assert len(pickle.dumps(result)) < 3 * len(data) + 10_000  # the two files and a summary
    assert b'"output": "local/doc.md"' in result.audit  # relative to the output directory
