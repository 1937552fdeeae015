"""bench/procs.measure: a command's own figures, not the bench process's running totals."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _procs() -> Any:
    spec = importlib.util.spec_from_file_location("bench_procs", ROOT / "bench" / "procs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def test_a_small_command_after_a_large_one_reports_its_own_peak() -> None:
    procs = _procs()
    big = procs.measure(
        [sys.executable, "-c", "b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"]
    )
    small = procs.measure([sys.executable, "-c", "pass"])
    assert big.peak_mb > 200
    assert small.peak_mb < 100  # before: the 200 MB command's peak, the bench's largest child so far
    assert small.cpu < big.cpu + 1.0 and small.wall > 0
