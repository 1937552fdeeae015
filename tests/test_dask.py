"""`--dask`: the same output as the local pool, byte for byte, on a real LocalCluster and on a
real scheduler with two `dask worker` processes on 127.0.0.1, one of them SIGKILLed while it
cleans a batch; `run` and `reclean` (documents sent as archive references); a cluster running
other code refused; an unreachable scheduler is one line and exit 2.

Skipped only when Dask is not installed (CI installs the `dask` extra).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT
from siteserver import serve
from test_run import make_site, snapshot, write_config

from scraper import __version__

pytestmark = pytest.mark.skipif(find_spec("distributed") is None, reason="Dask is not installed")
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}


def scraper(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env=ENV,
    )


def corpus(root: Path, copies: int) -> Path:
    """Every Markdown and HTML fixture of farm/, pages/ and controls/, `copies` times."""
    for i in range(copies):
        for sub in ("farm", "pages", "controls"):
            shutil.copytree(FIXTURES / sub, root / "in" / f"{sub}{i}")
    return root / "in"


def files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()
    }


def report(proc: subprocess.CompletedProcess[str], out: Path) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = json.loads(proc.stdout)["documents"]
    for d in docs:
        d["output"] = str(Path(d["output"]).relative_to(out)) if d["output"] else None
    return docs


def test_clean_on_a_local_cluster_writes_what_the_local_run_writes(tmp_path: Path) -> None:
    inputs = corpus(tmp_path, 2)
    (inputs / "empty.md").write_bytes(b"")  # bad inputs fail alike
    (inputs / "latin1.md").write_bytes("---\ntitle: x\n---\n\nCaf\xe9\n".encode("latin-1"))
    local = scraper("clean", str(inputs), "-o", str(tmp_path / "local"), "--json")
    dask = scraper("clean", str(inputs), "-o", str(tmp_path / "dask"), "--json", "--dask", "local:2")
    assert local.returncode == dask.returncode == 1, dask.stderr
    assert files(tmp_path / "dask") == files(tmp_path / "local")
    written = [d for d in report(dask, tmp_path / "dask") if d["status"] == "ok"]
    assert len(files(tmp_path / "dask")) == 2 * len(written) > 60  # each .md and its .audit.json
    assert report(dask, tmp_path / "dask") == report(local, tmp_path / "local")
    assert sum(d["status"] == "error" for d in report(dask, tmp_path / "dask")) == 2
    assert dask.stderr == local.stderr  # the two errors; nothing from Dask's logs


def _urls(state: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(state) as db:
        return db.execute(
            "SELECT url, kind, last_status, output, content_sha256, body_sha256 FROM urls ORDER BY url"
        ).fetchall()


def test_run_and_reclean_on_a_local_cluster(tmp_path: Path) -> None:
    """`run` then `reclean` (references into the archive, read by the workers at a file:// URL)
    on local:2 give the local pool's files and state; the next run writes nothing."""
    here, there = tmp_path / "local", tmp_path / "dask"
    with serve(make_site()) as site:
        for root in (here, there):
            root.mkdir()
            write_config(root, site.base)
        assert scraper("run", "--workers", "0", cwd=here).returncode == 0
        proc = scraper("run", "--dask", "local:2", cwd=there)
        assert proc.returncode == 0, proc.stderr
        assert files(there / "out") == files(here / "out")
        shutil.rmtree(here / "out")
        shutil.rmtree(there / "out")
        assert scraper("reclean", "--workers", "0", cwd=here).returncode == 0
        config = there / "sources.toml"  # the sources file's key, this time
        url = (there / ".scraper/archive").resolve().as_uri()  # an fsspec URL, read by the workers
        config.write_text(f'dask = "local:2"\ndask_archive = "{url}"\n' + config.read_text())
        proc = scraper("reclean", cwd=there)
        assert proc.returncode == 0, proc.stderr
        summary = json.loads(proc.stdout.splitlines()[-1])
        assert summary["new"] == 5 and summary["failed"] == 0
        assert files(there / "out") == files(here / "out")
        assert _urls(there / ".scraper/state.db") == _urls(here / ".scraper/state.db")
        before = snapshot(there / "out")
        proc = scraper("run", cwd=there)
        assert proc.returncode == 0, proc.stderr
        assert snapshot(there / "out") == before


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nText.\n")
    started = time.monotonic()
    proc = scraper(
        "clean", str(tmp_path / "a.md"), "-o", str(tmp_path / "out"), "--dask", "tcp://127.0.0.1:9"
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("scraper: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert proc.stderr.count("\n") == 1
    assert time.monotonic() - started < 60
    assert not (tmp_path / "out").exists()
    bad = scraper("clean", str(tmp_path / "a.md"), "--dask", "127.0.0.1:8786")
    assert bad.returncode == 2 and "expected tcp://HOST:PORT" in bad.stderr
    both = scraper("clean", str(tmp_path / "a.md"), "--dask", "local:1", "--workers", "1")
    assert both.returncode == 2
    assert (
        both.stderr
        == "scraper: error: --workers and --dask cannot be combined (the Dask workers do the cleaning)\n"
    )


# -- a scheduler and two workers, as a user starts them ------------------------------------------


def _dask(args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`dask ARGS` on 127.0.0.1, started in the log's directory (`-m` puts the working
    directory first on sys.path: the code comes from PYTHONPATH alone)."""
    command = [sys.executable, "-m", "dask", *args.split(), "--host", "127.0.0.1", "--no-dashboard"]
    with log.open("ab") as fh:
        return subprocess.Popen(command, env=env, stdout=fh, stderr=fh, cwd=log.parent)


def _worker(sched_file: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return _dask(f"worker --scheduler-file {sched_file} --nthreads 1 --no-nanny", env, log)


@pytest.fixture()
def cluster(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A `dask scheduler` and two `dask worker --no-nanny` processes on 127.0.0.1."""
    sched_file = tmp_path / "scheduler.json"
    log = tmp_path / "dask.log"
    procs = [_dask(f"scheduler --port 0 --scheduler-file {sched_file}", ENV, log)]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        procs += [_worker(str(sched_file), ENV, log) for _ in range(2)]
        yield str(sched_file), log
    finally:
        for p in procs:
            p.kill()
            p.wait()


def test_a_worker_killed_mid_batch_costs_nothing(cluster: tuple[str, Path], tmp_path: Path) -> None:
    import psutil
    from distributed import Client

    sched_file, _log = cluster
    inputs = corpus(tmp_path, 3)
    local = scraper("clean", str(inputs), "-o", str(tmp_path / "local"), "--json")
    with Client(scheduler_file=sched_file, timeout=30, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)
        address = client.scheduler.address
        pids: dict[str, int] = client.run(os.getpid)
        command = ["clean", str(inputs), "-o", str(tmp_path / "dask"), "--json", "--dask", address]
        run = subprocess.Popen(
            [sys.executable, "-m", "scraper", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        victim, children = "", []
        deadline = time.monotonic() + 120
        while not victim and time.monotonic() < deadline and run.poll() is None:
            busy = [w for w, keys in client.processing().items() if any("scraper-clean" in k for k in keys)]
            if busy and (tmp_path / "dask").exists():  # mid-run: outputs written, a batch running
                victim = busy[0]
                children = psutil.Process(pids[victim]).children()
                os.kill(pids[victim], signal.SIGKILL)
            time.sleep(0.05)
        out, err = run.communicate(timeout=300)
    assert victim, "the run ended before a worker could be killed"
    assert run.returncode == 0, err
    assert files(tmp_path / "dask") == files(tmp_path / "local")
    assert report(subprocess.CompletedProcess([], 0, out, err), tmp_path / "dask") == report(
        local, tmp_path / "local"
    )
    # the killed worker's cleaning processes died with it
    _, alive = psutil.wait_procs(children, timeout=10)
    assert children and not alive


def test_workers_running_other_code_are_refused(cluster: tuple[str, Path], tmp_path: Path) -> None:
    """A third worker with another scraper version: refused before any work, naming what differs."""
    from distributed import Client

    sched_file, log = cluster
    odd = tmp_path / "odd"
    for package in ("scraper", "cleaners"):
        shutil.copytree(ROOT / package, odd / package, ignore=shutil.ignore_patterns("__pycache__"))
    init = odd / "scraper" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "9.'))
    worker = _worker(sched_file, {**ENV, "PYTHONPATH": str(odd)}, log)
    try:
        with Client(scheduler_file=sched_file, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(3, timeout=60)
            address = client.scheduler.address
        (tmp_path / "a.md").write_text("# A\n\nText.\n")
        proc = scraper("clean", str(tmp_path / "a.md"), "-o", str(tmp_path / "out"), "--dask", address)
    finally:
        worker.kill()
        worker.wait()
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "runs other code than this command" in proc.stderr
    assert f"scraper {__version__} here, 9.{__version__} there" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_archive_seen_by_workers_budget_and_reasons(tmp_path: Path) -> None:
    """On local:1 the workers see the archive where it is (references are sent); a dask_archive
    they do not see is refused; a document past its budget fails alone with reason too-complex
    (the other of its batch is cleaned as locally)."""
    from test_workers import STUCK

    from cleaners import load_rules
    from scraper.errors import UsageError
    from scraper.jobs.cluster import DaskCleaner
    from scraper.jobs.workers import clean
    from scraper.model import CleanOptions, Failed, Response, SourceDocument
    from scraper.store.archive import Archive
    from scraper.store.state import StateStore

    state = StateStore(tmp_path / "state.db", archive_dir=tmp_path / "archive")
    archive = Archive(tmp_path / "archive", state.start_run("run"), state)
    archive(
        "http://127.0.0.1/a", Response("http://127.0.0.1/a", 200, "text/markdown", None, b"# A\n\nText.\n")
    )
    archive.close()
    cleaner = DaskCleaner("local:1", CleanOptions(load_rules()), archive=tmp_path / "archive", budget=2.0)
    try:
        assert cleaner.shared_archive == str((tmp_path / "archive").resolve())
        (tmp_path / "elsewhere").mkdir()
        with pytest.raises(UsageError, match="does not see the archive as it is in"):
            cleaner._shared_archive(tmp_path / "archive", str(tmp_path / "elsewhere"))
        doc = SourceDocument("a.md", b"# A\n\nText.\n")

        async def both() -> list[object]:
            return list(await asyncio.gather(cleaner(STUCK, "stuck"), cleaner(doc, "b")))

        results = asyncio.run(both())
    finally:
        cleaner.close()
    assert results == [
        Failed("too-complex", "cleaning took longer than 2 s: stopped"),
        clean(doc, CleanOptions(load_rules()), "b"),
    ]


def test_one_budget_and_one_reason_locally_and_on_dask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`scraper clean` holds each document to settings.CLEAN_BUDGET_S on the local pool
    (--workers) and on Dask alike: the stuck one fails with too-complex, the others are
    written, the same bytes."""
    from test_workers import STUCK

    from cleaners import load_rules
    from scraper import settings
    from scraper.jobs.batch import run_clean
    from scraper.model import CleanOptions

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "stuck.html").write_bytes(STUCK.data)
    shutil.copy(FIXTURES / "farm" / "tdy-printer-drivereasy-mp620.md", tmp_path / "in" / "doc.md")
    monkeypatch.setattr(settings, "CLEAN_BUDGET_S", 3.0)
    found = {}
    for where, dask, workers in (("local", None, 2), ("dask", "local:1", None)):
        outcomes = run_clean(
            [str(tmp_path / "in")],
            tmp_path / where,
            CleanOptions(load_rules()),
            sys.stdout.buffer,
            dask=dask,
            workers=workers,
        )
        found[where] = [(Path(o.url).name, o.status, o.reason, o.error) for o in outcomes]
    assert (
        found["dask"]
        == found["local"]
        == [
            ("doc.md", "ok", None, None),
            ("stuck.html", "error", "too-complex", "cleaning took longer than 3 s: stopped"),
        ]
    )
    assert files(tmp_path / "dask") == files(tmp_path / "local") and len(files(tmp_path / "local")) == 2


def test_a_cluster_left_without_workers_fails_the_documents_in_bounded_time() -> None:
    from distributed import Client, LocalCluster

    from scraper.jobs.inflight import InFlight
    from scraper.model import Failed, SourceDocument

    with (
        LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        inflight = InFlight(client, "no-such-plugin", no_workers=1.0)
        results: list[object] = []
        started = time.monotonic()
        for i in range(3):
            inflight.put(SourceDocument(f"{i}.md", b"# A\n"), str(i), "", results.append)
        while len(results) < 3 and time.monotonic() - started < 30:
            time.sleep(0.1)
        inflight.close()
    assert results == [Failed("clean", "the Dask cluster had no worker for 1 s")] * 3
