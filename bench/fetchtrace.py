"""Where a `scraper fetch` run's wall time goes (bench/fetch.py --trace): one run of ours with
timing probes, watched from outside every 0.25 s.

Printed: the CPU seconds of the main process (before its first request, its event-loop thread,
its other threads), of the cleaning workers and of the server, against the wall time; the
fetch phase (first request to last response) and what follows it (cleaning and writing left);
whether the politeness slots are kept busy (each host's requests in flight over its span, the
time from a response to the next request on that host); how long documents wait for a cleaner;
and, per second, the cores the main process, the workers, the server and the whole machine
used. A run that is CPU-bound shows the machine at its core count; a scheduling gap shows idle
cores, or slots idle while responses wait.
"""

from __future__ import annotations

import bisect
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Run in the measured process (python -c PROBE <scraper arguments>): the probes wrap the
# fetcher's one request, the cleaning pool's call and the crawl's write, and note each thread's
# CPU time before the file batches close (the workers' just before the pool closes them).
PROBE = r"""
import json, os, sys, time
ev, out, tick = [], {"t0": time.perf_counter()}, os.sysconf("SC_CLK_TCK")
sys.argv = ["scraper", *sys.argv[1:]]
from scraper.fetch import client
from scraper.jobs import commits, crawl, workers
def cpu(path):
    fields = open(path).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick
def timed(kind, fn):
    async def wrapper(*args):
        if kind == "req" and "first" not in out:
            t = os.times(); out["first"] = t.user + t.system
        start = time.perf_counter()
        try:
            return await fn(*args)
        finally:
            ev.append((kind, args[1].split("/")[2] if kind == "req" else "", start, time.perf_counter()))
    return wrapper
client.Fetcher._one = timed("req", client.Fetcher._one)
workers.CleanerPool.__call__ = timed("clean", workers.CleanerPool.__call__)
crawl.FetchJob._write = timed("write", crawl.FetchJob._write)
pool_close, batches_close = workers.CleanerPool.close, commits.FileBatches.close
def close_pool(self):
    out["workers"] = sum(cpu(f"/proc/{w.pid}/stat") for w in self._idle)
    return pool_close(self)
def close_batches(self):
    out["threads"] = {t: cpu(f"/proc/self/task/{t}/stat") for t in os.listdir("/proc/self/task")}
    return batches_close(self)
workers.CleanerPool.close, commits.FileBatches.close = close_pool, close_batches
try:
    from scraper.cli.main import main; main()
finally:
    t = os.times()
    out.update(end=time.perf_counter(), ev=ev, main=t.user + t.system, main_thread=str(os.getpid()))
    json.dump(out, open(os.environ["FETCHTRACE_OUT"], "w"))
"""

Sample = tuple[float, float, float, float, float]  # (time, main, workers, server, machine) CPU s


def process_cpu(pid: int | str | None) -> float:
    """CPU seconds (user + system) a process has used so far; 0 where /proc does not tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine() -> float:
    """CPU seconds the whole machine has been busy (every core, every process)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def watch(cmd: Sequence[str], out: Path, server_cpu: Callable[[], float]) -> tuple[float, list[Sample]]:
    """Run `cmd` with the probes, sampling CPU every 0.25 s; its wall time and the samples."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", PROBE, *cmd],
        env=dict(os.environ, FETCHTRACE_OUT=str(out)),
        stdout=subprocess.DEVNULL,
    )
    kids: dict[str, float] = {}
    samples: list[Sample] = []
    while proc.poll() is None:
        try:
            for kid in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split():
                kids[kid] = process_cpu(kid) or kids.get(kid, 0.0)  # a worker's last figure once it is gone
        except OSError:
            pass
        now = time.perf_counter() - start
        samples.append((now, process_cpu(proc.pid), sum(kids.values()), server_cpu(), _machine()))
        time.sleep(0.25)
    if proc.returncode != 0:
        sys.exit(f"bench: the traced scraper fetch exited {proc.returncode}")
    return time.perf_counter() - start, samples


def _q(values: list[float], share: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * share))] if values else 0.0


def report(wall: float, samples: list[Sample], trace: dict[str, Any], served: float) -> str:
    ev: list[tuple[str, str, float, float]] = [tuple(e) for e in trace["ev"]]
    reqs = [e for e in ev if e[0] == "req"]
    first, last, t0 = min(e[2] for e in reqs), max(e[3] for e in reqs), trace["t0"]
    threads: dict[str, float] = trace.get("threads", {})
    loop_cpu = threads.pop(trace["main_thread"], 0.0)
    lines = [
        f"wall {wall:.2f} s: start-up to the first request {first - t0:.2f} s, "
        f"requests {last - first:.2f} s, after the last response {trace['end'] - last:.2f} s "
        "(cleaning and writing left)",
        f"CPU: main process {trace['main']:.2f} s ({trace.get('first', 0.0):.2f} s before its first request; "
        f"event-loop thread {loop_cpu:.2f} s, other threads {sum(threads.values()):.2f} s: "
        f"{', '.join(f'{c:.2f}' for c in sorted(threads.values(), reverse=True) if c)}), "
        f"cleaning workers {trace.get('workers', 0.0):.2f} s, server {served:.2f} s",
    ]
    slots: list[str] = []
    gaps: list[float] = []
    for host in sorted({e[1] for e in reqs}):
        spans = sorted((e[2], e[3]) for e in reqs if e[1] == host)
        busy = sum(b - a for a, b in spans)
        slots.append(f"{busy / (2 * (max(b for _, b in spans) - spans[0][0])):.0%}")
        ends = sorted(b for _, b in spans)
        for a, _ in spans[3:]:  # after the host's robots.txt and sitemap
            i = bisect.bisect_right(ends, a)
            if i:
                gaps.append(a - ends[i - 1])
    lines.append("per-host slots busy (requests in flight / 2 over the host's span): " + " ".join(slots))
    lines.append(
        f"a response's end to the next request on its host: median {_q(gaps, 0.5) * 1000:.1f} ms, "
        f"p90 {_q(gaps, 0.9) * 1000:.1f} ms"
    )
    for kind, what in (("clean", "a document's wait for its cleaning"), ("write", "its write")):
        took = [e[3] - e[2] for e in ev if e[0] == kind]
        lines.append(f"{what}: median {_q(took, 0.5) * 1000:.0f} ms, p90 {_q(took, 0.9) * 1000:.0f} ms")
    lines.append("cores used per second: main process / cleaning workers / server / whole machine")
    prev = samples[0]
    for s in samples[4::4]:
        dt = s[0] - prev[0]
        used = [(s[i] - prev[i]) / dt for i in range(1, 5)]
        lines.append(f"  {s[0]:5.1f} s  " + " / ".join(f"{u:4.2f}" for u in used))
        prev = s
    return "\n".join(lines)


def traced(cmd: Sequence[str], work: Path, server_cpu: Callable[[], float]) -> str:
    """One traced run of `scraper fetch` with the arguments `cmd`; the report."""
    out = work / "fetch-trace.json"
    before = server_cpu()
    wall, samples = watch(cmd, out, server_cpu)
    served = server_cpu() - before
    return report(wall, samples, json.loads(out.read_text()), served)
