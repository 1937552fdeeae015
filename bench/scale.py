"""Documents/s of `scraper clean` and `scraper reclean` locally and on Dask (local:1, local:2),
the overhead Dask adds per document, and a model of the speed-up with N machines.

    python bench/scale.py [--docs 10000] [--rounds 3] [--tiny 2000] [--configs ...]

The documents are the bundled fixtures (farm Markdown copies, full HTML pages, first-party
posts) taken in turn, each copy made distinct by a line naming it. `clean`: a directory of
them. `reclean`: a state store and an archive as `scraper run` leaves them (a sitemap listing
every document as a page on 127.0.0.1, every response archived as WARC), re-cleaned from the
archive (on Dask, documents go as references the workers read). Every figure is the wall time
of the whole command in a fresh process (start-up, a LocalCluster's start and stop, writes),
median of --rounds runs, with the spread, because the machine may be shared.

Configurations: local/1 and local/2 are the local pool with one and two cleaning processes
(--workers 1, --workers 2: the default on two cores), local:1 and local:2 a LocalCluster of one
and two Dask workers (one thread each, so one cleaning process each).

Overhead per document: `clean` of --tiny one-line documents (cleaning them costs almost
nothing), local/1 vs local:1 (one cleaning process each), less each one's time for a single
document (start-up).

Model: a cluster of N machines with c cleaning processes each cleans at
N·c / (t_doc + o) documents/s, until the command itself (receiving, comparing hashes,
writing, recording state) is the limit: 1 / t_cmd documents/s. t_doc is local/1's time per
document (one process), o the Dask overhead per document, t_cmd what the command spends per
document (measured as local:2's time per document on the tiny documents, where cleaning is
nearly free).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
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


def timed(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "scraper", *args], cwd=cwd, capture_output=True, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    return elapsed


def median_of(rounds: int, args: list[str], cwd: Path, clear: Path) -> tuple[float, float]:
    """Median wall time and relative spread ((max - min) / median) over `rounds` runs."""
    times = []
    for _ in range(rounds):
        subprocess.run(["rm", "-rf", str(clear)], check=True)
        times.append(timed(args, cwd))
    mid = statistics.median(times)
    return mid, (max(times) - min(times)) / mid


# the local pool with one and two cleaning processes, and a LocalCluster of one and two workers
CONFIGS = {
    "local/1": ["--workers", "1"],
    "local/2": ["--workers", "2"],
    "local:1": ["--dask", "local:1"],
    "local:2": ["--dask", "local:2"],
}


def bench_clean(root: Path, n: int, rounds: int, configs: list[str]) -> dict[str, float]:
    inputs = make_inputs(root / "clean", documents(n))
    out = root / "clean" / "out"
    per: dict[str, float] = {}
    for name in configs:
        mid, spread = median_of(
            rounds, ["clean", str(inputs), "-o", str(out), "-q", *CONFIGS[name]], root, out
        )
        per[name] = mid / n
        print(f"clean    {name:8s} {n / mid:8.1f} documents/s  ({mid:7.1f} s, spread {spread:4.0%})")
    return per


def bench_reclean(root: Path, n: int, rounds: int, configs: list[str]) -> None:
    site = make_archive(root / "reclean", documents(n))
    for name in configs:
        args = ["reclean", "-q", "--log", "jsonl", *CONFIGS[name]]
        mid, spread = median_of(rounds, args, site, site / "out")
        print(f"reclean  {name:8s} {n / mid:8.1f} documents/s  ({mid:7.1f} s, spread {spread:4.0%})")


def bench_overhead(root: Path, n: int, rounds: int) -> tuple[float, float]:
    """(Dask's overhead per document, the command's own time per document), in seconds."""
    tiny = root / "tiny"
    for i in range(n):
        (tiny / "in" / f"{i // 1000:03d}").mkdir(parents=True, exist_ok=True)
        (tiny / "in" / f"{i // 1000:03d}" / f"t{i:05d}.md").write_text(f"# T{i}\n\nText {i}.\n")
    (tiny / "one").mkdir()
    (tiny / "one" / "t.md").write_text("# T\n\nText.\n")
    out = tiny / "out"
    cost: dict[str, float] = {}
    for name in CONFIGS:
        opts = ["-o", str(out), "-q", *CONFIGS[name]]
        many, _ = median_of(rounds, ["clean", str(tiny / "in"), *opts], root, out)
        one, _ = median_of(rounds, ["clean", str(tiny / "one"), *opts], root, out)
        cost[name] = (many - one) / (n - 1)
        print(f"tiny     {name:8s} {cost[name] * 1000:6.2f} ms/document after start-up ({one:.1f} s)")
    return cost["local:1"] - cost["local/1"], cost["local:2"]


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tiny", type=int, default=2000)
    ap.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    ap.add_argument("--skip", nargs="*", default=[], choices=["clean", "reclean", "overhead"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        per = bench_clean(root, args.docs, args.rounds, args.configs) if "clean" not in args.skip else {}
        if "reclean" not in args.skip:
            bench_reclean(root, args.docs, args.rounds, args.configs)
        if "overhead" in args.skip or "local/1" not in per:
            return
        overhead, command = bench_overhead(root, args.tiny, args.rounds)
        t_doc = per["local/1"]
        print(f"\nper document: cleaning {t_doc * 1000:.1f} ms, Dask overhead {overhead * 1000:.2f} ms, "
              f"the command's own {command * 1000:.2f} ms")  # fmt: skip
        print("model (c = 2 cleaning processes per machine): documents/s = min(N·c/(t_doc+o), 1/t_cmd)")
        for machines in (1, 2, 4, 8, 16, 32, 64):
            rate = min(machines * 2 / (t_doc + overhead), 1 / command)
            print(f"  N={machines:3d}  {rate:9.0f} documents/s  {rate * t_doc:6.1f}x one local core")


if __name__ == "__main__":
    main()
