"""`scraper clean` as users run it — the installed command, a whole process, writes and fsyncs
included — pinned to one core, against plain trafilatura on the same pages in the same run.

    python bench/clean.py [--rounds 5] [--docs 400] [--md-dir DIR ...] [--html-dir DIR ...]
                          [--only startup|markdown|html] [--no-profile] [--cpu N]

Start-up: `scraper clean` of one short Markdown document into an empty directory (target
<= 150 ms). Markdown: the distinct bundled farm copies of 15–22 KB, or every distinct .md/.txt
under --md-dir whatever its size (files with the same bytes count once), each repeated as often
to about `--docs` files in one directory, `scraper clean -q DIR -o OUT` (target >= 500
documents/s on one core); the figure says how many distinct documents it used (repeats are
cheaper than new pages: verdicts are remembered). A --md-dir or --html-dir that is missing or
holds no documents is an error. HTML: every HTML fixture (plus pages under --html-dir),
`scraper clean -q` against a process that reads each page and writes `trafilatura.extract(page)`
(default options) next to it — the peer, from the `[bench]` extra (target: CPU <= 1.00x).

Each figure is the median of `--rounds` runs; ours and the peer alternate (pairs), and the ratio
is the median of the pairs' ratios (this machine's speed drifts by 20 %). CPU is user + system
time of the process and its children; on a loaded machine CPU time is the figure to read, wall
time is printed next to it. A profiled run (cProfile) splits each figure by stage.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from procs import (
    ROOT,
    Usage,
    default_core,
    load,
    measure,
    median,
    profiled,
    scraper_cmd,
    spread,
    stage_profile,
)

FIXTURES = ROOT / "fixtures"
SMALL = FIXTURES / "controls" / "techhubms-syndicated-ms-news.md"
PEER = """
import sys
from pathlib import Path
import trafilatura
out = Path(sys.argv[1])
for i, name in enumerate(sys.argv[2:]):
    text = trafilatura.extract(Path(name).read_bytes())
    (out / f"{i}.txt").write_text(text or "", encoding="utf-8")
"""


def farm_markdown(dirs: list[Path]) -> list[Path]:
    found = [p for d in dirs for p in sorted(d.rglob("*")) if p.suffix in (".md", ".txt") and p.is_file()]
    return [p for p in found if 15_000 <= p.stat().st_size <= 22_000]


def distinct(paths: list[Path]) -> list[Path]:
    """The first of each set of files with the same bytes (a copy measures a memo, not work)."""
    seen: dict[bytes, Path] = {}
    for p in paths:
        seen.setdefault(p.read_bytes(), p)
    return list(seen.values())


def given_markdown(dirs: list[Path]) -> list[Path]:
    """Every distinct .md/.txt under the given directories, whatever its size; exits with a
    one-line error when a directory is missing or holds none (never the bundled ones instead)."""
    for d in dirs:
        if not d.is_dir():
            sys.exit(f"bench: --md-dir {d}: not a directory")
        if not any(p.suffix in (".md", ".txt") and p.is_file() for p in d.rglob("*")):
            sys.exit(f"bench: --md-dir {d}: no .md or .txt documents in it")
    return distinct(
        [p for d in dirs for p in sorted(d.rglob("*")) if p.suffix in (".md", ".txt") and p.is_file()]
    )


def html_pages(dirs: list[Path]) -> list[Path]:
    return [p for d in dirs for p in sorted(d.rglob("*.html")) if p.is_file()]


def given_html(dirs: list[Path]) -> list[Path]:
    """The pages under --html-dir; exits with a one-line error when a directory is missing or
    holds no .html page."""
    for d in dirs:
        if not d.is_dir():
            sys.exit(f"bench: --html-dir {d}: not a directory")
        if not html_pages([d]):
            sys.exit(f"bench: --html-dir {d}: no .html pages in it")
    return html_pages(dirs)


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    return path


def one_document(work: Path) -> list[str]:
    """`scraper clean` of one small document into work/o1 (emptied first)."""
    src = work / "one"
    if not src.exists():
        src.mkdir()
        shutil.copy(SMALL, src / SMALL.name)
    return [*scraper_cmd(), "clean", "-q", str(src / SMALL.name), "-o", str(fresh(work / "o1"))]


def startup(work: Path, rounds: int, cpu: int, cold: Usage) -> None:
    runs = [measure(one_document(work), cpu) for _ in range(rounds)]
    version = [measure([*scraper_cmd(), "--version"], cpu) for _ in range(rounds)]
    print(
        f"start-up: `scraper clean` of one document: {median([u.wall for u in runs]) * 1000:.0f} ms wall, "
        f"{median([u.cpu for u in runs]) * 1000:.0f} ms CPU (median of {rounds}; wall "
        f"{spread([u.wall * 1000 for u in runs])} ms); `scraper --version`: "
        f"{median([u.wall for u in version]) * 1000:.0f} ms wall  [target <= 150 ms]; the first run, "
        f"building the snapshots: {cold.cpu * 1000:.0f} ms CPU"
    )


def markdown(work: Path, sources: list[Path], docs: int, rounds: int, cpu: int, profile: bool) -> None:
    if not sources:
        sys.exit("bench: no Markdown farm copies of 15-22 KB found")
    src = work / "md"
    src.mkdir()
    docs = max(1, round(docs / len(sources))) * len(sources)  # each distinct document as often
    for i in range(docs):
        p = sources[i % len(sources)]
        shutil.copy(p, src / f"{i:05d}-{p.name}")
    size = sum(p.stat().st_size for p in src.iterdir())
    cmd = [*scraper_cmd(), "clean", "-q", str(src), "-o"]
    runs: list[Usage] = [measure([*cmd, str(fresh(work / "md-out"))], cpu) for _ in range(rounds)]
    cpu_s, wall = median([u.cpu for u in runs]), median([u.wall for u in runs])
    print(
        f"Markdown: {docs} documents ({len(sources)} distinct, each {docs // len(sources)} times; mean "
        f"{size / docs / 1024:.1f} KB), "
        f"whole process on one core: {docs / cpu_s:.0f} documents/s by CPU time ({cpu_s:.2f} s), "
        f"{docs / wall:.0f}/s by wall time ({wall:.2f} s; runs {spread([u.wall for u in runs])} s), "
        f"peak {median([u.peak_mb for u in runs]):.0f} MB  [target >= 500/s]"
    )
    if profile:
        stats = profiled(["clean", "-q", str(src), "-o", str(fresh(work / "md-out"))], work, cpu)
        print(stage_profile(stats))


def html(work: Path, pages: list[Path], rounds: int, cpu: int, profile: bool) -> None:
    if not pages:
        sys.exit("bench: no HTML pages found")
    src = work / "html"
    src.mkdir()
    names = []
    for i, p in enumerate(pages):  # one flat directory: names stay distinct
        shutil.copy(p, src / f"{i:04d}-{p.parent.name}-{p.name}")
        names.append(str(src / f"{i:04d}-{p.parent.name}-{p.name}"))
    ours_cmd = [*scraper_cmd(), "clean", "-q", str(src), "-o"]
    peer_cmd = [sys.executable, "-c", PEER]
    ours: list[Usage] = []
    peer: list[Usage] = []
    for _ in range(rounds):
        ours.append(measure([*ours_cmd, str(fresh(work / "html-out"))], cpu))
        peer_out = fresh(work / "peer-out")
        peer_out.mkdir()
        peer.append(measure([*peer_cmd, str(peer_out), *names], cpu))
    ratios = [o.cpu / p.cpu for o, p in zip(ours, peer, strict=True)]
    size = sum(p.stat().st_size for p in pages)
    for label, runs in (("scraper clean", ours), ("trafilatura.extract", peer)):
        c = median([u.cpu for u in runs])
        print(
            f"HTML, {label:20s} {len(pages)} pages ({size / len(pages) / 1024:.0f} KB mean): "
            f"{c:.2f} s CPU ({len(pages) / c:.1f} pages/s), {median([u.wall for u in runs]):.2f} s wall, "
            f"peak {median([u.peak_mb for u in runs]):.0f} MB"
        )
    print(
        f"HTML: scraper clean takes {median(ratios):.2f}x the CPU time of plain trafilatura.extract "
        f"(median of {rounds} pairs, {spread(ratios)})  [target <= 1.00x]"
    )
    if profile:
        stats = profiled(["clean", "-q", str(src), "-o", str(fresh(work / "html-out"))], work, cpu)
        print(stage_profile(stats))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--docs", type=int, default=400, help="Markdown documents per run")
    ap.add_argument("--md-dir", type=Path, action="append", default=[], help="farm Markdown (.md/.txt)")
    ap.add_argument("--html-dir", type=Path, action="append", default=[], help="more HTML pages (*.html)")
    ap.add_argument("--only", choices=["startup", "markdown", "html"], action="append")
    ap.add_argument("--no-profile", action="store_true", help="skip the profiled run")
    ap.add_argument("--cpu", type=int, default=default_core(), help="the core runs are pinned to")
    args = ap.parse_args()
    only = set(args.only or ["startup", "markdown", "html"])
    # the given directories are checked before anything runs
    md = given_markdown(args.md_dir) if args.md_dir else distinct(farm_markdown([FIXTURES]))
    pages = html_pages([FIXTURES]) + given_html(args.html_dir)
    print(f"{load()}; pinned to core {args.cpu}")
    with tempfile.TemporaryDirectory(prefix="bench-clean-") as tmp:
        work = Path(tmp)
        # a cache of our own, as a user's holds only what this version's commands built (a shared
        # one fills with other versions' and other commands' entries, each read at every start)
        os.environ["SCRAPER_CACHE_DIR"] = str(work / "cache")
        cold = measure(one_document(work), args.cpu)  # the first run builds the snapshots
        if "startup" in only:
            startup(work, args.rounds, args.cpu, cold)
        if "markdown" in only:
            markdown(work, md, args.docs, args.rounds, args.cpu, not args.no_profile)
        if "html" in only:
            html(work, pages, args.rounds, args.cpu, not args.no_profile)
    print(load())


if __name__ == "__main__":
    main()
