"""Batched atomic writes (store.staging, store.batches): a temp file under the process's own
name (or a random one when that is taken), each file's data synced before its rename, a failed
commit reported as a failure and leaving no temp file, and a `scraper clean` killed at any
moment leaving every output either absent or complete, which the next run finishes."""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from cleaners import load_rules
from scraper.jobs.batch import run_clean
from scraper.model import CleanOptions
from scraper.store import batches, staging, writer

ARTICLE = ROOT / "fixtures" / "controls" / "techhubms-syndicated-ms-news.md"


def inputs(directory: Path, count: int) -> Path:
    directory.mkdir()
    article = ARTICLE.read_bytes()
    for i in range(count):  # distinct bytes per input: each output differs
        (directory / f"a{i:03d}.md").write_bytes(article + f"\nNote {i}.\n".encode())
    return directory


def temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob(".*"))


def test_a_temp_name_taken_by_a_dead_process_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "doc.md"
    stale = tmp_path / f".doc.md.{os.getpid()}.tmp"
    stale.write_bytes(b"half a docu")  # as a killed process with our pid would leave it
    assert staging.write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n" and stale.read_bytes() == b"half a docu"
    assert (target.stat().st_mode & 0o777) == (0o666 & ~staging.UMASK)  # as open() would make it
    assert not staging.write_atomic(target, b"new\n")  # the same bytes: nothing written
    assert temp_files(tmp_path) == [stale.name]


def test_files_are_created_with_the_mode_open_gives(tmp_path: Path) -> None:
    writer.write_document(tmp_path, "x", b"# x\n", b"{}\n")
    for name in ("x.md", "x.audit.json"):
        assert ((tmp_path / name).stat().st_mode & 0o777) == (0o666 & ~staging.UMASK)


def test_a_failed_commit_is_reported_as_a_write_error_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = inputs(tmp_path / "in", 5)
    out = tmp_path / "out"
    real_replace = os.replace

    def replace(a: str, b: str) -> None:
        if Path(b).name == "a002.md":
            raise OSError(28, "No space left on device")
        real_replace(a, b)

    monkeypatch.setattr(batches, "BATCH_DOCS", 2)
    monkeypatch.setattr(os, "replace", replace)
    outcomes = run_clean([str(src)], out, CleanOptions(load_rules()), io.BytesIO())
    # batches of two: a000+a001 committed, a002+a003 failed at a002.md, a004 committed
    assert [(o.status, o.reason) for o in outcomes] == [
        ("ok", None),
        ("ok", None),
        ("error", "write"),
        ("error", "write"),
        ("ok", None),
    ]
    assert outcomes[2].error == "cannot write output: No space left on device"
    assert temp_files(out) == []
    assert not (out / "a002.md").exists() and not (out / "a003.md").exists()
    monkeypatch.setattr(os, "replace", real_replace)
    again = run_clean([str(src)], out, CleanOptions(load_rules()), io.BytesIO())
    assert [(o.status, o.changed) for o in again] == [
        ("ok", False),
        ("ok", False),
        ("ok", True),
        ("ok", True),
        ("ok", False),
    ]


def test_a_killed_clean_leaves_whole_files_and_the_next_run_finishes(tmp_path: Path) -> None:
    src = inputs(tmp_path / "in", 120)
    reference = tmp_path / "reference"
    run_clean([str(src)], reference, CleanOptions(load_rules()), io.BytesIO())
    expected = {p.name: p.read_bytes() for p in reference.iterdir()}
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    rng = random.Random(14)
    for trial in range(3):
        out = tmp_path / f"out{trial}"
        cmd = [sys.executable, "-m", "scraper", "clean", "-q", str(src), "-o", str(out)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        goal = rng.randrange(5, 100)  # documents on disk when it is killed
        while time.monotonic() < deadline and len(list(out.glob("*.md"))) < goal:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for path in out.iterdir():
            if path.name.startswith("."):
                assert path.name.endswith(".tmp"), path.name
            else:
                assert path.read_bytes() == expected[path.name], path.name  # never a part
                if path.suffix == ".md":  # its record is next to it
                    assert (out / path.name.replace(".md", ".audit.json")).exists()
        done = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")} == expected


def test_a_failed_data_sync_leaves_the_old_files_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_bytes(b"old\n")
    batch = [staging.stage(tmp_path / "a.md", b"new a\n"), staging.stage(tmp_path / "b.md", b"new b\n")]

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(staging, "_datasync", failing)
    with pytest.raises(OSError, match="Input/output error"):
        staging.commit(batch)
    assert [(tmp_path / n).read_bytes() for n in ("a.md", "b.md")] == [b"old\n", b"old\n"]
    assert temp_files(tmp_path) == []
    for item in batch:  # every descriptor closed
        with pytest.raises(OSError):
            os.fstat(item.fd)


def test_a_single_batch_is_committed_without_a_thread(tmp_path: Path) -> None:
    src = inputs(tmp_path / "in", 3)
    out = tmp_path / "out"
    started = []
    real = batches.Committer._send

    def send(self: batches.Committer, last: bool = False) -> None:
        real(self, last)
        started.append(self._threads is not None)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(batches.Committer, "_send", send)
        outcomes = run_clean([str(src)], out, CleanOptions(load_rules()), io.BytesIO())
    assert [(o.status, o.changed) for o in outcomes] == [("ok", True)] * 3
    assert started == [False]  # one batch, committed by close on the caller's thread
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".md") == ["a000.md", "a001.md", "a002.md"]


def test_a_batchs_syncs_run_together_and_end_before_any_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a pool, a batch's data syncs are in flight together (the first SYNC_THREADS meet at
    a barrier, which syncs made one after the other never pass), each file is synced once, and
    nothing is renamed before every sync has returned; then the directories, together too."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    dirs = [tmp_path / f"d{i}" for i in range(3)]
    batch = [staging.stage(dirs[i % 3] / f"f{i}.md", f"file {i}\n".encode()) for i in range(20)]
    meet = threading.Barrier(staging.SYNC_THREADS, timeout=30)
    events: list[tuple[str, object]] = []
    real_sync, real_replace, real_dir = staging._datasync, os.replace, staging.fsync_dir

    lock = threading.Lock()

    def sync(fd: int) -> None:
        with lock:
            events.append(("sync", fd))
            first = len(events) <= staging.SYNC_THREADS
        if first:
            meet.wait()
        real_sync(fd)

    def replace(a: str, b: str) -> None:
        events.append(("rename", b))
        real_replace(a, b)

    def sync_dir(directory: Path) -> None:
        events.append(("dir", directory))
        real_dir(directory)

    monkeypatch.setattr(staging, "_datasync", sync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(staging, "fsync_dir", sync_dir)
    with ThreadPoolExecutor(staging.SYNC_THREADS) as pool:
        staging.commit(batch, syncs=pool)
    kinds = [kind for kind, _ in events]
    assert kinds == ["sync"] * 20 + ["rename"] * 20 + ["dir"] * 3
    assert sorted(int(str(fd)) for kind, fd in events if kind == "sync") == sorted(item.fd for item in batch)
    assert sorted(Path(str(d)).name for kind, d in events if kind == "dir") == ["d0", "d1", "d2"]
    assert [p.read_bytes() for p in (dirs[i % 3] / f"f{i}.md" for i in range(20))] == [
        f"file {i}\n".encode() for i in range(20)
    ]
    assert temp_files(tmp_path) == []


def test_a_failed_sync_among_many_leaves_the_old_files_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    for i in range(12):
        (tmp_path / f"f{i}.md").write_bytes(b"old\n")
    batch = [staging.stage(tmp_path / f"f{i}.md", b"new\n") for i in range(12)]
    real_sync = staging._datasync
    failing_fd = batch[5].fd

    def sync(fd: int) -> None:
        if fd == failing_fd:
            raise OSError(5, "Input/output error")
        real_sync(fd)

    monkeypatch.setattr(staging, "_datasync", sync)
    with ThreadPoolExecutor(staging.SYNC_THREADS) as pool, pytest.raises(OSError, match="Input/output"):
        staging.commit(batch, syncs=pool)
    assert [(tmp_path / f"f{i}.md").read_bytes() for i in range(12)] == [b"old\n"] * 12
    assert temp_files(tmp_path) == []
    for item in batch:  # every descriptor closed
        with pytest.raises(OSError):
            os.fstat(item.fd)
