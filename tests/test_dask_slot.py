"""A Dask worker's cleaning processes (jobs.slot: the local pool's jobs.procs processes, one per
worker thread), without Dask: a document past its budget fails alone with `too-complex`, a
crash fails only the document being cleaned with `crashed` — the local pool's reasons and
messages — and the next document gets a new process and the local pool's bytes; the processes
die with the thread that started them. And the base install never imports Dask."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, builtin_rules
from test_workers import linux_only, live

from scraper.jobs.slot import Slot, Starter
from scraper.jobs.workers import clean
from scraper.model import CleanOptions, Failed, Rendered, SourceDocument

DOC = SourceDocument(
    "fixtures/farm/tdy-printer-drivereasy-mp620.md",
    (FIXTURES / "farm" / "tdy-printer-drivereasy-mp620.md").read_bytes(),
)
OPTIONS = {"": CleanOptions(builtin_rules())}


@pytest.fixture()
def slot() -> Iterator[Slot]:
    starter = Starter(pickle.dumps(OPTIONS))
    s = Slot(starter, budget=5.0)
    s.warm()
    yield s
    s.close()
    starter.close()


def pid(slot: Slot) -> int:
    assert slot.worker is not None and slot.worker.ready
    return slot.worker.pid


def test_a_document_cleans_to_the_local_pools_bytes(slot: Slot) -> None:
    assert slot.clean(DOC, "doc", "") == clean(DOC, OPTIONS[""], "doc")


def test_past_its_budget_a_document_fails_alone_and_the_next_gets_a_new_process(slot: Slot) -> None:
    first = pid(slot)
    slot.budget = 0.5
    os.kill(first, signal.SIGSTOP)  # a document that never ends, as far as the worker can tell
    started = time.monotonic()
    result = slot.clean(DOC, "doc", "")
    assert result == Failed("too-complex", "cleaning took longer than 0.5 s: stopped")
    assert 0.5 <= time.monotonic() - started < 5
    assert not live(first)  # killed and reaped
    slot.budget = 60.0
    assert slot.clean(DOC, "doc", "") == clean(DOC, OPTIONS[""], "doc")
    assert pid(slot) != first


def test_a_crash_fails_only_the_document_being_cleaned(slot: Slot) -> None:
    victim = pid(slot)
    os.kill(victim, signal.SIGSTOP)  # hold it while the document is in its hands …

    def crash() -> None:  # … and crash it there (a stopped process takes the signal when continued)
        os.kill(victim, signal.SIGSEGV)
        os.kill(victim, signal.SIGCONT)

    threading.Timer(0.3, crash).start()
    result = slot.clean(DOC, "doc", "")
    assert result == Failed("crashed", "the cleaning process died (killed by signal 11)")
    assert isinstance(slot.clean(DOC, "doc", ""), Rendered)


def test_a_process_lost_between_documents_is_replaced_as_in_the_local_pool(slot: Slot) -> None:
    """As jobs.workers.CleanerPool (tests/test_workers.py): the next document learns of it."""
    worker = slot.worker
    assert worker is not None
    os.kill(worker.pid, signal.SIGKILL)  # the OOM killer, say
    worker.process.wait()
    lost = slot.clean(DOC, "doc", "")
    assert isinstance(lost, Failed) and lost.reason == "crashed" and "signal 9" in lost.message
    assert isinstance(slot.clean(DOC, "doc", ""), Rendered)


@linux_only
def test_the_processes_die_with_the_thread_that_started_them() -> None:
    """The starter's thread ends (the Dask worker's plugin torn down, or the worker gone):
    every process it started is killed by the kernel, idle or not."""
    starter = Starter(pickle.dumps(OPTIONS))
    slots = [Slot(starter), Slot(starter)]
    for s in slots:
        s.warm()
    pids = [pid(s) for s in slots]
    assert all(live(p) for p in pids)
    starter.close()
    deadline = time.monotonic() + 10
    while any(live(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(live(p) for p in pids)
    assert slots[0].clean(DOC, "doc", "") == Failed(
        "crashed", "the cleaning process died (killed by signal 9)"
    )
    assert slots[0].clean(DOC, "doc", "") == Failed("crashed", "the cleaning processes are shutting down")


def test_the_base_install_never_imports_dask(tmp_path: Path) -> None:
    """Without --dask nothing imports Dask; with --dask and no Dask installed: one line, exit 2."""
    script = (
        "import sys\n"
        "from scraper.cli.main import main\n"
        "import scraper.jobs.batch, scraper.jobs.run, scraper.cli.clean, scraper.cli.run\n"
        "mode = sys.argv.pop(1)\n"
        "if mode == 'without':\n"
        "    sys.modules['distributed'] = None  # as if not installed\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    if mode == 'with':\n"
        "        assert not {'dask', 'distributed'} & set(sys.modules), 'dask imported'\n"
    )
    doc = str(FIXTURES / "controls" / "techhubms-syndicated-ms-news.md")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-c", script]
    out = str(tmp_path / "out")
    first = subprocess.run([*run, "with", "clean", doc, "-o", out], capture_output=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    proc = subprocess.run(
        [*run, "without", "clean", doc, "-o", out, "--dask", "local:1"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr == "scraper: error: --dask needs Dask: pip install 'scraper[dask]' (dask[distributed])\n"
    )
    (tmp_path / "site").mkdir()  # a sources file's dask key: refused before anything is touched
    (tmp_path / "site" / "sources.toml").write_text(
        f'dask = "local:1"\n[[sources]]\nname = "a"\npath = "{doc}"\n'
    )
    run_ = subprocess.run(
        [*run, "without", "run", "--log", "text"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path / "site",
    )
    assert (run_.returncode, run_.stderr) == (2, proc.stderr)
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["sources.toml"]
