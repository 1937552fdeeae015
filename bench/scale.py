"""Documents/s of `scraper clean` and `scraper reclean` locally and on Dask (local:1, local:2),
the overhead Dask adds per document, and a model of the speed-up with N machines.

    python bench/scale.py [--docs 10000] [--rounds 3] [--tiny 2000] [--configs ...]

The documents are the bundled fixtures (farm Markdown copies, full HTML pages, first-party
posts) taken in turn, each copy made distinct by a line naming it. `clean`: a directory of
them. `reclean`: a state store and an archive as `scraper run` leaves them (a sitemap listing
every document as a page on 127.0.0.1, every response archived as WARC), re-cleaned from the
archive (on Dask, documents go as references the workers read). Each figure is the median of
--rounds runs of the whole command in a fresh process (start-up, a LocalCluster's start and
stop, writes): wall time, with the spread, and CPU time — all of it (the command and every
process it reaped: cleaning processes, Dask workers and theirs) and the command's own (its
process: reading, sending, receiving, writing, the state store; with local:N the scheduler
too, which runs in it). On a shared machine wall time is disturbed by the others; CPU time
much less.

Configurations: local/1 and local/2 are the local pool with one and two cleaning processes
(--workers 1, --workers 2: the default on two cores), local:1 and local:2 a LocalCluster of one
and two Dask workers (one thread each, so one cleaning process each).

Overhead per document on Dask: the workers' CPU per document (all less the command's own) on
local:1 less that on local/1 (one cleaning process each); and on --tiny one-line documents
(cleaning them costs almost nothing), each configuration's time per document after start-up.

Model, from CPU per document of the clean runs after start-up: a cluster of N machines with c cleaning
processes each cleans at N·c / (t_doc + o) documents/s, until the command itself (receiving,
comparing hashes, writing, recording state) is the limit at 1 / t_cmd documents/s. t_doc is the
cleaning process's CPU per document (local/1), o Dask's overhead on the workers, t_cmd the
command's own CPU per document on local:2 (scheduler included: an upper bound).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.model import Response  # noqa: E402
from scraper.store.archive import Archive  # noqa: E402
from scraper.store.state import StateStore  # noqa: E402

FIXTURES = ROOT / "fixtures"
SITE = "http://127.0.0.1:9"


def fixtures() -> list[tuple[str, bytes]]:
    found = []
    for sub in ("farm", "pages", "controls"):
        for p in sorted((FIXTURES / sub).iterdir()):
            if p.suffix in (".md", ".txt", ".html"):
                found.append((p.suffix, p.read_bytes()))
    return found


def documents(n: int) -> list[tuple[str, bytes]]:
    """(suffix, bytes) of n distinct documents: the fixtures in turn, each marked."""
    base = fixtures()
    docs = []
    for i in range(n):
        suffix, data = base[i % len(base)]
        mark = f"\n<!-- copy {i} -->\n" if suffix == ".html" else f"\n\nCopy {i}.\n"
        docs.append((suffix, data + mark.encode()))
    return docs


def make_inputs(root: Path, docs: list[tuple[str, bytes]]) -> Path:
    inputs = root / "in"
    for i, (suffix, data) in enumerate(docs):
        sub = inputs / f"{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"doc{i:05d}{suffix}").write_bytes(data)
    return inputs


def make_archive(root: Path, docs: list[tuple[str, bytes]]) -> Path:
    """A sources.toml, state store and archive as a `scraper run` over a sitemap leaves them."""
    state = StateStore(root / ".scraper/state.db", archive_dir=root / ".scraper/archive")
    archive = Archive(root / ".scraper/archive", state.start_run("run"), state)
    urls = [f"{SITE}/p/{i}{'.md' if s != '.html' else '.html'}" for i, (s, _) in enumerate(docs)]
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    sitemap = f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{locs}</urlset>".encode()
    archive(f"{SITE}/sitemap.xml", Response(f"{SITE}/sitemap.xml", 200, "application/xml", None, sitemap))
    for url, (suffix, data) in zip(urls, docs, strict=True):
        ctype = "text/html" if suffix == ".html" else "text/markdown"
        archive(url, Response(url, 200, ctype, "utf-8", data))
    archive.close()
    state.close()
    (root / "sources.toml").write_text(
        f'out_dir = "out"\n[[sources]]\nname = "site"\nsitemap = "{SITE}/sitemap.xml"\n'
        f"max_pages = {len(docs)}\nallow_private = true\n"
    )
    return root


WRAPPER = (
    "import atexit, resource, sys\n"
    "def own():\n"
    "    r = resource.getrusage(resource.RUSAGE_SELF)\n"
    "    sys.stderr.write(f'\\nbench-own-cpu {r.ru_utime + r.ru_stime}\\n')\n"
    "atexit.register(own)\n"
    "from scraper.cli.main import main\n"
    "main()\n"
)


@dataclass(frozen=True)
class Usage:
    wall: float  # seconds
    cpu: float  # user + system seconds of the command and every process it reaped
    own: float  # of the command's process alone


def timed(args: list[str], cwd: Path) -> Usage:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], cwd=cwd, capture_output=True, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    own = float(proc.stderr.rsplit("bench-own-cpu ", 1)[1].split()[0])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Usage(elapsed, cpu, own)


def median_of(rounds: int, args: list[str], cwd: Path, clear: Path) -> tuple[Usage, float]:
    """The median of each figure over `rounds` runs, and the wall time's relative spread."""
    runs = []
    for _ in range(rounds):
        subprocess.run(["rm", "-rf", str(clear)], check=True)
        runs.append(timed(args, cwd))
    walls = [r.wall for r in runs]
    mid = Usage(*(statistics.median(getattr(r, f) for r in runs) for f in ("wall", "cpu", "own")))
    return mid, (max(walls) - min(walls)) / mid.wall


# the local pool with one and two cleaning processes, and a LocalCluster of one and two workers
CONFIGS = {
    "local/1": ["--workers", "1"],
    "local/2": ["--workers", "2"],
    "local:1": ["--dask", "local:1"],
    "local:2": ["--dask", "local:2"],
}


def line(what: str, name: str, n: int, u: Usage, spread: float) -> str:
    return (
        f"{what:8s} {name:8s} {n / u.wall:7.1f} documents/s ({u.wall:6.1f} s, spread {spread:4.0%}); "
        f"CPU {u.cpu / n * 1000:5.1f} ms/document, the command's own {u.own / n * 1000:5.2f}"
    )


def bench_clean(root: Path, n: int, rounds: int, configs: list[str]) -> dict[str, Usage]:
    inputs = make_inputs(root / "clean", documents(n))
    out = root / "clean" / "out"
    runs: dict[str, Usage] = {}
    for name in configs:
        u, spread = median_of(rounds, ["clean", str(inputs), "-o", str(out), "-q", *CONFIGS[name]], root, out)
        runs[name] = u
        print(line("clean", name, n, u, spread))
    return runs


def bench_reclean(root: Path, n: int, rounds: int, configs: list[str]) -> None:
    site = make_archive(root / "reclean", documents(n))
    for name in configs:
        u, spread = median_of(rounds, ["reclean", "-q", "--log", "jsonl", *CONFIGS[name]], site, site / "out")
        print(line("reclean", name, n, u, spread))


def bench_tiny(root: Path, n: int, rounds: int) -> dict[str, Usage]:
    """Time per document after start-up on one-line documents; the start-up (a clean of one
    one-line document) of each configuration."""
    tiny = root / "tiny"
    for i in range(n):
        (tiny / "in" / f"{i // 1000:03d}").mkdir(parents=True, exist_ok=True)
        (tiny / "in" / f"{i // 1000:03d}" / f"t{i:05d}.md").write_text(f"# T{i}\n\nText {i}.\n")
    (tiny / "one").mkdir()
    (tiny / "one" / "t.md").write_text("# T\n\nText.\n")
    out = tiny / "out"
    start: dict[str, Usage] = {}
    for name in CONFIGS:
        opts = ["-o", str(out), "-q", *CONFIGS[name]]
        many, _ = median_of(rounds, ["clean", str(tiny / "in"), *opts], root, out)
        one, _ = median_of(rounds, ["clean", str(tiny / "one"), *opts], root, out)
        start[name] = one
        wall, cpu = (many.wall - one.wall) / (n - 1), (many.cpu - one.cpu) / (n - 1)
        print(f"tiny     {name:8s} {wall * 1000:6.2f} ms/document after start-up, CPU {cpu * 1000:5.2f} ms "
              f"(start-up {one.wall:.1f} s, CPU {one.cpu:.1f} s)")  # fmt: skip
    return start


def model(runs: dict[str, Usage], start: dict[str, Usage], n: int) -> None:
    """CPU per document after start-up: t_doc, o, t_cmd (see the module's docstring)."""
    per = {
        k: Usage(*((getattr(u, f) - getattr(start[k], f)) / (n - 1) for f in ("wall", "cpu", "own")))
        for k, u in runs.items()
    }
    t_doc = per["local/1"].cpu - per["local/1"].own
    o = (per["local:1"].cpu - per["local:1"].own) - t_doc
    t_cmd = per["local:2"].own
    print(f"\nCPU per document: cleaning t_doc {t_doc * 1000:.1f} ms, Dask's overhead on the workers "
          f"o {o * 1000:.2f} ms, the command's own t_cmd {t_cmd * 1000:.2f} ms")  # fmt: skip
    print("model (c = 2 cleaning processes per machine): documents/s = min(N·c/(t_doc+o), 1/t_cmd)")
    for machines in (1, 2, 4, 8, 16, 32, 64):
        rate = min(machines * 2 / (t_doc + o), 1 / t_cmd)
        print(f"  N={machines:3d}  {rate:9.0f} documents/s  {rate * t_doc:6.1f}x one cleaning process")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tiny", type=int, default=2000)
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    ap.add_argument("--skip", nargs="*", default=[], choices=["clean", "reclean", "tiny"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        runs = bench_clean(root, args.docs, args.rounds, args.configs) if "clean" not in args.skip else {}
        if "reclean" not in args.skip:
            bench_reclean(root, args.docs, args.rounds, args.configs)
        start = bench_tiny(root, args.tiny, args.rounds) if "tiny" not in args.skip else {}
        if {"local/1", "local:1", "local:2"} <= set(runs) and start:
            model(runs, start, args.docs)


if __name__ == "__main__":
    main()
