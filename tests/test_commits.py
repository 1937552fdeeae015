"""The crawl's records go into one transaction per group (jobs.commits) and every outcome is
told only once the record it speaks of is committed: another program reading the state store
when an outcome is told sees that record, files on disk and all."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from conftest import FIXTURES, builtin_rules

from scraper.fetch.config import FetchConfig, HostProfile
from scraper.jobs import commits
from scraper.jobs.crawl import FetchJob
from scraper.jobs.frontier import Origin
from scraper.jobs.workers import CleanerPool
from scraper.model import CleanOptions, Outcome, Response, SourceDocument
from scraper.store.state import StateStore
from scraper.store.writer import WriteResult

DOC = (FIXTURES / "farm" / "tdy-printer-drivereasy-mp620.md").read_bytes()


class NoNetwork:
    config = FetchConfig()

    async def get(self, url: str, conditional: bool = True, profile: HostProfile | None = None) -> Response:
        raise AssertionError("no URL in this test")

    async def robots_sitemaps(self, url: str, profile: HostProfile | None = None) -> list[str]:
        raise AssertionError("no URL in this test")


def committed(db: Path) -> dict[str, tuple[str, str | None]]:
    """The records another program sees: (status, output) by name."""
    other = sqlite3.connect(db)
    try:
        rows = other.execute("SELECT url, last_status, output FROM urls").fetchall()
    finally:
        other.close()
    return {str(u): (str(s), o) for u, s, o in rows}


@pytest.mark.parametrize("group", [1, 3, 64])
def test_an_outcome_is_told_after_its_record_is_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, group: int
) -> None:
    monkeypatch.setattr(commits, "COMMIT_DOCS", group)
    db = tmp_path / "state.db"
    state = StateStore(db)
    out = tmp_path / "out"
    told: list[str] = []

    def tell(o: Outcome) -> None:
        seen = committed(db)
        assert o.status == "ok" and seen[o.url] == ("ok", o.output), (o.url, seen.get(o.url))
        assert o.output is not None and Path(o.output).read_bytes()  # its file is there
        told.append(o.url)

    async def go() -> list[Outcome]:
        pool = CleanerPool(CleanOptions(builtin_rules()), 0)
        job = FetchJob(NoNetwork(), pool, out, state, on_outcome=tell)
        job.start()
        for i in range(7):
            doc = SourceDocument(f"local/doc{i}.md", DOC + f"\nNote {i}.\n".encode())
            job.add_file(doc, f"local/doc{i}", Origin("local"))
        try:
            return await job.wait()
        finally:
            pool.close()

    state.start_run("run")
    outcomes = asyncio.run(go())
    assert sorted(told) == sorted(o.url for o in outcomes) == [f"local/doc{i}.md" for i in range(7)]
    state.close()


def test_records_read_in_a_transaction_are_those_written_in_it(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "state.db")
    state.batching = True
    assert state.get("https://a.example/x") is None
    state.record("https://a.example/x", kind="page", status="error", reason="http-500")
    first = state.get("https://a.example/x")
    assert first is not None and first.last_status == "error:http-500" and first.fail_count == 1
    assert state.get("https://a.example/x") is first  # read once in this transaction
    state.record("https://a.example/x", kind="page", status="error", reason="http-500")
    again = state.get("https://a.example/x")
    assert again is not None and again.fail_count == 2
    assert committed(tmp_path / "state.db") == {}  # nothing committed yet
    state.commit()
    assert committed(tmp_path / "state.db") == {"https://a.example/x": ("error:http-500", None)}
    state.close()


def test_a_batch_of_files_that_cannot_be_committed_fails_its_documents_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    monkeypatch.setattr(commits, "WRITE_DOCS", 2)
    monkeypatch.setattr(commits, "WRITE_S", 30.0)  # batches of two, or what is left at the end
    real_replace = os.replace

    def replace(a: str, b: str) -> None:
        if Path(b).name == "doc2.md":
            raise OSError(28, "No space left on device")
        real_replace(a, b)

    monkeypatch.setattr(os, "replace", replace)
    db = tmp_path / "state.db"
    state = StateStore(db)
    out = tmp_path / "out"

    async def go() -> list[Outcome]:
        pool = CleanerPool(CleanOptions(builtin_rules()), 0)
        job = FetchJob(NoNetwork(), pool, out, state)
        job.start()
        for i in range(4):  # two batches of two, in the order the cleaning ends
            doc = SourceDocument(f"local/doc{i}.md", DOC + f"\nNote {i}.\n".encode())
            job.add_file(doc, f"local/doc{i}", Origin("local"))
        try:
            return await job.wait()
        finally:
            pool.close()

    state.start_run("run")
    outcomes = {o.url: o for o in asyncio.run(go())}
    state.close()
    status = {u: (o.status, o.reason) for u, o in outcomes.items()}
    # the documents reach their batches in the order their cleaning ends, which threads decide:
    # the batch holding doc2 (two documents) fails with write, the other batch is written
    failed = {u for u, s in status.items() if s != ("ok", None)}
    assert "local/doc2.md" in failed and len(failed) == 2
    assert all(status[u] == ("error", "write") for u in failed)
    assert outcomes["local/doc2.md"].error == "cannot write output: No space left on device"
    assert {u: s for u, (s, _) in committed(db).items()} == {
        u: "error:write" if u in failed else "ok" for u in status
    }
    assert len(status) == 4
    assert not [p for p in out.rglob(".*")]  # no temp file left


def test_a_document_that_cannot_be_written_fails_alone_in_its_batch(tmp_path: Path) -> None:
    """Files are written and committed on the commit thread a batch at a time: a document
    whose files cannot be written fails with its own error, the others of its batch are
    written and durable, and one whose bytes are on disk already is done without writing."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "blocker").write_text("a file where a directory is needed", encoding="utf-8")
    (out / "same.md").write_bytes(b"# same\n")
    (out / "same.audit.json").write_bytes(b"{}")

    async def go() -> list[WriteResult | BaseException]:
        files = commits.FileBatches()
        try:
            return list(
                await asyncio.gather(
                    files.write(out, "a", b"# a\n", b"{}"),
                    files.write(out, "blocker/b", b"# b\n", b"{}"),
                    files.write(out, "same", b"# same\n", b"{}"),
                    return_exceptions=True,
                )
            )
        finally:
            files.close()

    a, b, same = asyncio.run(go())
    assert isinstance(a, WriteResult) and a.changed and a.created
    assert isinstance(b, OSError)
    assert isinstance(same, WriteResult) and not same.changed and not same.created
    assert (out / "a.md").read_bytes() == b"# a\n" and (out / "a.audit.json").read_bytes() == b"{}"
    assert sorted(p.name for p in out.iterdir()) == [
        "a.audit.json",
        "a.md",
        "blocker",
        "same.audit.json",
        "same.md",
    ]


def test_the_last_documents_files_are_not_held_for_a_batch_no_one_can_join(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch waits for more documents (WRITE_DOCS) or its time (WRITE_S); once every task of
    the crawl waits for its files, no document can join it and it goes at once: a crawl whose
    batches would wait an hour ends as soon as its files are written."""
    monkeypatch.setattr(commits, "WRITE_DOCS", 64)
    monkeypatch.setattr(commits, "WRITE_S", 3600.0)
    state = StateStore(tmp_path / "state.db")
    out = tmp_path / "out"

    async def go() -> list[Outcome]:
        pool = CleanerPool(CleanOptions(builtin_rules()), 0)
        job = FetchJob(NoNetwork(), pool, out, state)
        job.start()
        for i in range(5):
            doc = SourceDocument(f"local/doc{i}.md", DOC + f"\nNote {i}.\n".encode())
            job.add_file(doc, f"local/doc{i}", Origin("local"))
        try:
            return await asyncio.wait_for(job.wait(), 120)
        finally:
            pool.close()

    state.start_run("run")
    outcomes = asyncio.run(go())
    state.close()
    assert [(o.status, o.changed) for o in outcomes] == [("ok", True)] * 5
    assert sorted(p.name for p in (out / "local").iterdir() if p.suffix == ".md") == [
        f"doc{i}.md" for i in range(5)
    ]


def test_a_batch_sent_now_is_written_without_waiting_for_its_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commits, "WRITE_S", 3600.0)

    async def go() -> tuple[WriteResult, WriteResult]:
        files = commits.FileBatches()
        try:
            first = asyncio.ensure_future(files.write(tmp_path, "a", b"# a\n", b"{}"))
            second = files.write(tmp_path, "b", b"# b\n", b"{}", now=True)  # takes "a" along
            return await asyncio.wait_for(asyncio.gather(first, second), 60)
        finally:
            files.close()

    a, b = asyncio.run(go())
    assert a.changed and b.changed
    assert (tmp_path / "a.md").read_bytes() == b"# a\n" and (tmp_path / "b.md").read_bytes() == b"# b\n"
