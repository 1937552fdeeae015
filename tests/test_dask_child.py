"""A Dask worker's cleaning process (jobs.child), without Dask: a document past its budget fails
alone with `too-complex`, a crash fails only the document being cleaned, the next document gets
a new process and the same bytes as the local pool; and the base install never imports Dask."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, builtin_rules

from scraper.jobs.child import Child
from scraper.jobs.workers import clean
from scraper.model import CleanOptions, Failed, Rendered, SourceDocument

DOC = SourceDocument(
    "fixtures/farm/tdy-printer-drivereasy-mp620.md",
    (FIXTURES / "farm" / "tdy-printer-drivereasy-mp620.md").read_bytes(),
)


@pytest.fixture()
def child() -> Iterator[Child]:
    c = Child({"": CleanOptions(builtin_rules())}, budget=5.0)
    c.warm()
    yield c
    c.close()


def test_a_document_cleans_to_the_local_pools_bytes(child: Child) -> None:
    assert child.clean(DOC, "doc", "") == clean(DOC, CleanOptions(builtin_rules()), "doc")


def test_past_its_budget_a_document_fails_alone_and_the_next_gets_a_new_process(child: Child) -> None:
    assert child.proc is not None
    first = child.proc.pid
    child.budget = 0.5
    os.kill(first, signal.SIGSTOP)  # a document that never ends, as far as the worker can tell
    started = time.monotonic()
    result = child.clean(DOC, "doc", "")
    assert isinstance(result, Failed) and result.reason == "too-complex"
    assert result.message == "cleaning took longer than 0.5 s; stopped"
    assert 0.5 <= time.monotonic() - started < 5
    with pytest.raises(ProcessLookupError):
        os.kill(first, 0)  # killed and reaped
    child.budget = 60.0
    assert isinstance(child.clean(DOC, "doc", ""), Rendered)
    assert child.proc is not None and child.proc.pid != first


def test_a_crash_fails_only_the_document_being_cleaned(child: Child) -> None:
    assert child.proc is not None
    victim = child.proc.pid
    os.kill(victim, signal.SIGSTOP)  # hold it while the document is in its hands …

    def crash() -> None:  # … and crash it there (a stopped process takes the signal when continued)
        os.kill(victim, signal.SIGSEGV)
        os.kill(victim, signal.SIGCONT)

    threading.Timer(0.3, crash).start()
    result = child.clean(DOC, "doc", "")
    assert result == Failed("clean", "the cleaning process crashed on this document (signal 11)")
    assert isinstance(child.clean(DOC, "doc", ""), Rendered)


def test_a_process_that_died_between_documents_costs_no_document(child: Child) -> None:
    assert child.proc is not None
    child.proc.kill()
    child.proc.wait()
    assert isinstance(child.clean(DOC, "doc", ""), Rendered)


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
