"""Same input, same bytes — across processes too: string hashing is seeded per process, so a
set or dict order that leaks into the output would only show between two runs. `scraper clean`
runs twice over every bundled fixture, with different PYTHONHASHSEEDs, in two directories."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

INPUTS = ("fixtures/farm", "fixtures/controls", "fixtures/pages")


def clean_all(out: Path, seed: str) -> dict[str, bytes]:
    proc = subprocess.run(
        [sys.executable, "-m", "scraper", "clean", *INPUTS, "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": seed},
    )
    assert proc.returncode == 0, proc.stderr
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_output_is_byte_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    first = clean_all(tmp_path / "a", "1")
    second = clean_all(tmp_path / "b", "4242")
    assert len([k for k in first if k.endswith(".md")]) == 27
    assert len([k for k in first if k.endswith(".audit.json")]) == 27
    assert first.keys() == second.keys()
    differ = [name for name in first if first[name] != second[name]]
    assert not differ, differ
