"""The cleaning pool: a stuck document costs its budget and its worker, never the batch; a dead
worker is replaced; workers hold no descriptor but their own pipes (never the run lock) and die
with their parent."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, builtin_rules

from scraper.jobs.workers import CleanerPool
from scraper.model import CleanOptions, Failed, Rendered, SourceDocument

DOC = SourceDocument("doc.md", (FIXTURES / "farm" / "tdy-printer-drivereasy-mp620.md").read_bytes())
# trafilatura needs minutes for 40,000 paragraphs (its cost grows faster than the page)
STUCK = SourceDocument(
    "stuck.html",
    (
        "<html><body><article>"
        + "".join(f"<p>Paragraph {i} with <a href='/x{i}'>a link</a> and words.</p>" for i in range(40_000))
        + "</article></body></html>"
    ).encode(),
)
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def live(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_stuck_document_fails_too_complex_and_the_batch_goes_on() -> None:
    pool = CleanerPool(CleanOptions(builtin_rules()), 2, budget=3.0)
    pool.warm()

    async def go() -> list[Rendered | Failed]:
        return await asyncio.gather(pool(STUCK, "stuck"), *(pool(DOC, f"doc{i}") for i in range(4)))

    try:
        started = time.monotonic()
        stuck, *rest = asyncio.run(go())
        elapsed = time.monotonic() - started
        assert isinstance(stuck, Failed) and stuck.reason == "too-complex"
        assert "longer than 3 s" in stuck.message
        assert all(isinstance(r, Rendered) for r in rest)
        assert pool.replaced == 1 and elapsed < 60
        again = asyncio.run(go())  # the replacement works, and the budget holds again
        assert [type(r).__name__ for r in again] == ["Failed", "Rendered", "Rendered", "Rendered", "Rendered"]
    finally:
        pool.close()


def test_a_worker_that_dies_is_replaced() -> None:
    pool = CleanerPool(CleanOptions(builtin_rules()), 1, budget=60.0)
    pool.warm()
    try:
        first = asyncio.run(pool(DOC, "a"))
        assert isinstance(first, Rendered)
        [worker] = pool._idle
        os.kill(worker.pid, signal.SIGKILL)  # the OOM killer, say
        worker.process.wait()
        lost = asyncio.run(pool(DOC, "b"))
        assert isinstance(lost, Failed) and lost.reason == "crashed" and "signal 9" in lost.message
        assert isinstance(asyncio.run(pool(DOC, "c")), Rendered)
    finally:
        pool.close()


def test_workers_that_cleaned_nothing_stop_at_once() -> None:
    """A run that finds nothing to clean (every input unchanged) does not wait on its pool."""
    pool = CleanerPool(CleanOptions(builtin_rules()), 2)
    pool.warm()
    pids = pool.pids
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 2
    assert not any(live(p) for p in pids)


def test_workers_told_to_stop_end_together_and_cleanly() -> None:
    """close tells every worker first, then waits: each ends on its own (status 0, not killed),
    its exit handlers run (test_a_worker_starts_from_its_own_snapshots_and_cleans_the_same)."""
    pool = CleanerPool(CleanOptions(builtin_rules()), 2)
    pool.warm()

    async def go() -> list[Rendered | Failed]:
        return await asyncio.gather(*(pool(DOC, f"doc{i}") for i in range(4)))

    try:
        assert all(isinstance(r, Rendered) for r in asyncio.run(go()))
        processes = [w.process for w in pool._idle]
    finally:
        pool.close()
    assert [p.returncode for p in processes] == [0, 0]
    assert not any(live(p.pid) for p in processes)


HOLDER = """
import sys, time
from pathlib import Path
from cleaners import load_rules
from scraper.jobs.workers import CleanerPool
from scraper.model import CleanOptions
from scraper.store.lock import RunLock
lock = RunLock(Path(sys.argv[1]))
lock.acquire()
pool = CleanerPool(CleanOptions(load_rules()), 2)
pool.warm()
print(" ".join(str(w.pid) for w in pool._idle), flush=True)
time.sleep(600)
"""


def _open_files(pid: int) -> set[str]:
    """What `pid` holds open; a descriptor closed between listing and reading is skipped (a
    worker still loading its modules opens and closes files while we look)."""
    targets = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            targets.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except FileNotFoundError:
            continue
    return targets


@linux_only
def test_workers_hold_no_lock_and_die_with_their_parent(tmp_path: Path) -> None:
    lock = tmp_path / "state.db.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    try:
        assert holder.stdout is not None
        pids = [int(p) for p in holder.stdout.readline().split()]
        assert len(pids) == 2 and all(live(p) for p in pids)
        for pid in pids:  # nothing inherited: their three pipes and the standard streams
            targets = _open_files(pid)
            assert str(lock) not in targets
            assert not any(t.endswith((".lock", ".db")) for t in targets), targets
        os.kill(holder.pid, signal.SIGKILL)  # only the parent
        holder.wait()
        deadline = time.monotonic() + 10
        while any(live(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(live(p) for p in pids)
    finally:
        holder.kill()
    from scraper.store.lock import RunLock

    with RunLock(lock) as taken:  # free at once
        assert taken.taken_over and f"pid {holder.pid}" in taken.taken_over


def test_a_worker_starts_from_its_own_snapshots_and_cleans_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers start as the command does (scraper.cli.worker): their regex programs and dataclass
    code kept in tables of their own, read back by the next workers; the same bytes as cleaning
    in this process, with and without the tables."""
    from scraper.jobs.workers import clean

    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(tmp_path))
    opts = CleanOptions(builtin_rules())
    here = clean(DOC, opts, "a")
    for _ in range(2):  # the first run writes the tables, the second reads them
        pool = CleanerPool(opts, 1)
        try:
            result = asyncio.run(pool(DOC, "a"))
        finally:
            pool.close()
        assert isinstance(result, Rendered) and isinstance(here, Rendered)
        assert (result.markdown, result.audit) == (here.markdown, here.audit)
        names = sorted(p.name.rsplit("-", 1)[0] for p in tmp_path.iterdir())
        assert "regexes.worker" in names and "dataclass-code.worker" in names
