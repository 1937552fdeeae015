"""bench/procs.measure: a command's own figures, not the bench process's running totals.

Run in a small process of its own, as the bench is: Linux counts in a child's peak the memory
its parent had when it forked, and a test run's process is large."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_BENCH = """
import importlib.util, json, os, sys
spec = importlib.util.spec_from_file_location("bench_procs", sys.argv[1])
procs = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = procs  # (its dataclasses look their module up)
spec.loader.exec_module(procs)
big = procs.measure([sys.executable, "-c", "b = bytearray(200 << 20); b[::4096] = b'x' * len(b[::4096])"])
small = procs.measure([sys.executable, "-c", "pass"])
mask = os.sched_getaffinity(0)
core = min(mask)
check = f"import os, sys; sys.exit(os.sched_getaffinity(0) != {{{core}}})"
pinned = procs.measure([sys.executable, "-c", check], cpu=core)
print(json.dumps([big.peak_mb, small.peak_mb, small.cpu, pinned.wall, os.sched_getaffinity(0) == mask]))
"""


def test_each_command_reports_its_own_peak_and_a_pinned_one_runs_on_its_core() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _BENCH, str(ROOT / "bench" / "procs.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    big, small, small_cpu, pinned_wall, mask_kept = json.loads(out.stdout)
    assert big > 200
    assert small < 100  # before: the 200 MB command's peak, the bench's largest child so far
    assert 0 < small_cpu < 5
    assert pinned_wall > 0 and mask_kept  # (a command that fails stops the bench: check=True above)
