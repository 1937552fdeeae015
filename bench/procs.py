"""Whole-process timing for the benchmarks: a command run as users run it, its CPU time (user +
system of the process and every child it waited for), wall time and peak memory, optionally
pinned to one core; medians of paired runs; a cProfile of a run grouped by stage."""

from __future__ import annotations

import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Usage:
    wall: float  # seconds
    cpu: float  # user + system seconds, the process and its reaped children
    peak_mb: float  # largest resident set of the process or of any child it reaped

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s wall, {self.cpu:6.2f} s CPU, peak {self.peak_mb:.0f} MB"


def scraper_cmd() -> list[str]:
    """The installed command, next to this interpreter (a venv's bin/scraper)."""
    exe = VENV_BIN / "scraper"
    if not exe.exists():
        sys.exit(f"bench: {exe} not found (pip install -e '.[bench]' in this venv)")
    bytecode()
    return [str(exe)]


def bytecode() -> None:
    """Our modules' bytecode up to date, as an installed package has it (pip compiles at install;
    an editable install under PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module of
    ours from source in every measured process, and time that instead of the command)."""
    dirs = [str(ROOT / d) for d in ("scraper", "cleaners")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *dirs], check=True, stdout=subprocess.DEVNULL)


def measure(cmd: Sequence[str], cpu: int | None = None, cwd: Path | None = None, quiet: bool = True) -> Usage:
    """Run `cmd` to its end (pinned to core `cpu` when given); a failure stops the bench. The
    figures are this command's own (os.wait4: the process and the children it reaped), not the
    bench's running totals: a peak is not an earlier command's (a peer's) peak. Linux counts in
    a child's peak the memory it was forked with, so a peak is at least this process's resident
    size: the bench process stays small (it imports none of the measured code)."""

    with tempfile.TemporaryFile(mode="w+") as err:  # (a file, not a pipe: nothing to drain while waiting)
        mask = os.sched_getaffinity(0)
        if cpu is not None:  # the child inherits it (no preexec_fn to run in the child)
            os.sched_setaffinity(0, {cpu})
        try:
            t = time.perf_counter()
            proc = subprocess.Popen(
                list(cmd), cwd=cwd, stdout=subprocess.DEVNULL if quiet else None, stderr=err, text=True
            )
        finally:
            os.sched_setaffinity(0, mask)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read()
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd[:3])} … exited {proc.returncode}: {stderr[-2000:]}")
    return Usage(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> str:
    """min–max of a series, for judging how noisy the machine was."""
    return f"{min(values):.3g}–{max(values):.3g}"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def default_core() -> int:
    """The last core this process may run on (the one pinned runs use)."""
    return max(os.sched_getaffinity(0))


# stages of a `scraper clean` run: (label, qualified function names whose cumulative time counts)
STAGES = (
    ("read inputs", ("scraper/sources/local.py:read_input", "scraper/sources/local.py:expand_inputs")),
    ("clean (pipeline)", ("scraper/pipeline/core.py:clean_document",)),
    ("audit record + JSON", ("scraper/pipeline/core.py:audit", "scraper/store/writer.py:audit_json")),
    # temp files on this thread; data syncs and renames on the commit thread (not profiled),
    # waited for at the end (Committer.close)
    ("write (+ commit wait)", ("scraper/store/writer.py:stage_document", "scraper/store/batches.py:close")),
)


def stage_profile(stats_file: Path) -> str:
    """Shares of a profiled run by stage (cumulative times; cProfile slows Python code more
    than C code, so the shares are indicative). Start-up: imports and everything before the
    first document (the pipeline's own lazy imports included)."""
    stats = pstats.Stats(str(stats_file))
    cum: dict[str, float] = {}
    total = 0.0
    imports = 0.0
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _, name), (_, _, _, ct, _) in table.items():
        key = f"{'/'.join(Path(filename).parts[-3:])}:{name}"
        cum[key] = max(cum.get(key, 0.0), ct)
        total = max(total, ct)
        if name == "_find_and_load" and "importlib" in filename:
            imports = max(imports, ct)
    parts = []
    for label, names in STAGES:
        parts.append((label, sum(cum.get(n, 0.0) for n in names)))
    pipeline_imports = cum.get("scraper/pipeline/core.py:<module>", 0.0)
    startup = total - cum.get("scraper/jobs/batch.py:run_clean", 0.0) + pipeline_imports
    parts.insert(0, ("start-up (imports, rules)", startup))
    other = total - sum(t for _, t in parts)
    parts.append(("other", max(0.0, other)))
    fsync = sum(
        tt for (_, _, name), (_, _, tt, _, _) in table.items() if name == "<built-in method posix.fsync>"
    )
    lines = [f"  {label:28s} {t:6.2f} s  {t / total:4.0%}" for label, t in parts]
    lines.append(f"  (fsync calls {fsync:.2f} s; profiled total {total:.2f} s, imports {imports:.2f} s)")
    return "\n".join(lines)


def profiled(cmd_args: Sequence[str], out: Path, cpu: int | None) -> Path:
    """Run `scraper <cmd_args>` under cProfile, pinned; returns the stats file."""
    stats = out / "profile.pstats"
    code = (
        "import cProfile, sys; sys.argv = ['scraper', *sys.argv[1:]]; "
        "from scraper.cli.main import main; "
        f"cProfile.run('main()', {str(stats)!r})"
    )
    measure([sys.executable, "-c", code, *cmd_args], cpu=cpu)
    return stats
