"""SIGKILL trials: only the main process of `scraper run` (with its two cleaning workers) is
killed, at a random moment — as the OOM killer, `timeout -s KILL` or systemd's final kill of the
main PID would. Twenty times: each next run completes (never 75: no worker kept the lock), no
process of either run is left behind, and out/ is byte for byte the out/ of an uninterrupted
run. The moments come from a seeded generator, spread over the whole length of a run."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from siteserver import serve
from test_run import make_site, snapshot, write_config

TRIALS = 20
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}


def group(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry))
    return found


def gone(pgid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while group(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not group(pgid)


def run(work: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "scraper", "run", "--workers", "2", "--log", "jsonl"],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=ENV,
        start_new_session=True,  # its own process group: what it leaves behind can be found
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_twenty_sigkills_of_the_main_process(tmp_path: Path) -> None:
    rng = random.Random(20)
    with serve(make_site(slow=6)) as site:
        reference = tmp_path / "reference"
        reference.mkdir()
        write_config(reference, site.base)
        started = time.monotonic()
        proc = run(reference)
        _, err = proc.communicate(timeout=180)
        length = time.monotonic() - started
        assert proc.returncode == 0, err
        expected = {k: v[1] for k, v in snapshot(reference / "out").items()}
        assert len([k for k in expected if k.endswith(".md")]) == 11

        partial = []
        for trial in range(TRIALS):
            work = tmp_path / f"trial-{trial}"
            work.mkdir()
            write_config(work, site.base)
            killed = run(work)
            time.sleep(rng.uniform(0.0, length))
            killed.send_signal(signal.SIGKILL)  # the main PID only
            killed.wait()
            assert gone(killed.pid), f"trial {trial}: left {group(killed.pid)}"
            partial.append(len(list((work / "out").rglob("*.md"))) if (work / "out").exists() else 0)

            after = run(work)
            _, err = after.communicate(timeout=180)
            assert after.returncode == 0, (trial, after.returncode, err)
            assert gone(after.pid), f"trial {trial}: the next run left {group(after.pid)}"
            assert {k: v[1] for k, v in snapshot(work / "out").items()} == expected, trial
    # the kills landed all over a run: before anything was written, part-way, near the end
    assert min(partial) == 0 and max(partial) >= 6, partial
    print(f"SIGKILL trials: outputs on disk when killed: {partial}; a run takes {length:.1f} s")
