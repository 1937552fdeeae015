"""`scraper run` first run against an unchanged second run, and peak memory.

    python bench/run.py [--hosts 10] [--pages 100] [--latency 0]
    python bench/run.py --near-identical [--size 10000] [--repeat 3]

A separate server process serves `--hosts` sites on 127.0.0.1 (one port each), each with a
sitemap of `--pages` articles taken in turn from the bundled fixtures (farm Markdown copies and
full HTML pages), with ETags and 304 answers. A sources.toml lists the sitemaps; `scraper run`
runs twice as cron would (a fresh process each time, JSON lines to a pipe). The first run
fetches, archives, cleans and writes every page; the second writes nothing: pages whose
sitemap <lastmod> is unchanged are not asked for (--no-lastmod: every page is asked for with
If-None-Match and answered 304). Reported: both wall times, their ratio (target: second
>= 10x faster), and the peak RSS of the run process and of its largest cleaning worker.

--near-identical: the cost of near copies. Two crawls of `--size` pages over `--hosts` sites,
generated from one farm article (the bundled ZDNet copy): *distinct* articles (every sentence
of the article carries a word of its own, so no two pages are near copies) and *near-identical*
ones (the same article under a different title, with a one-line edit: farms republish one
article under many titles). Each crawl is a first run in a fresh directory; the two alternate
`--repeat` times and the medians are reported: wall time, CPU time and peak RSS of the run
process (and of the cleaning workers); target for 10,000 pages: near-identical <= 1.5x
distinct, peak <= 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
ARTICLE = FIXTURES / "farm" / "000_022a837fca80a5ec.txt"
TITLES = (
    "Top 5 Strategies for a Significant Career Advancement",
    "How to Upgrade Your Tech Career in Five Steps",
    "The Certifications That Get You Ahead",
    "Boost Your IT Job Prospects With These Skills",
    "What Every Job-Switcher Should Know About Tech Skills",
)
_LETTERS = "bcdfghjklmnpqrstvwxz"


def word(n: int) -> str:
    """A word of its own for page n, in letters (digits do not reach the fingerprint)."""
    out = "q"
    while True:
        n, r = divmod(n, len(_LETTERS))
        out += _LETTERS[r]
        if not n:
            return out


def article(base: str, n: int, near: bool) -> bytes:
    """Page n generated from one article: under its own title with a one-line edit (`near`),
    or with a word of its own in every sentence (distinct: its fingerprint is unrelated)."""
    head, body = base.split("\n---\n", 1)
    title = f"{TITLES[n % len(TITLES)]} {word(n).title()}"
    head = re.sub(r"^title: .*$", f'title: "{title}"', head, count=1, flags=re.M)
    lines = body.split("\n")
    heading = next(i for i, line in enumerate(lines) if line.startswith("## "))
    lines[heading] = f"## {title}"
    eligible = [i for i, line in enumerate(lines) if line.count(" ") >= 3 and "<" not in line]
    for i in [eligible[n % len(eligible)]] if near else eligible:
        lines[i] = lines[i].replace(" ", f" {word(n)} ", 1)
        if not near:  # long paragraphs are hashed by sentences: every sentence
            lines[i] = lines[i].replace(". ", f". {word(n)} ")
    return (head + "\n---\n" + "\n".join(lines)).encode()


def sitemap(port: int, path: str, pages: int, with_lastmod: bool) -> bytes:
    """/sitemap.xml lists /a/<n>; /sitemap-<d|n>-<site>.xml lists /<d|n>/<site>/<n>."""
    lastmod = "<lastmod>2024-10-01T00:00:00Z</lastmod>" if with_lastmod else ""
    prefix = "a/" if path == "/sitemap.xml" else "/".join(path[9:-4].split("-")) + "/"
    url = f"http://127.0.0.1:{port}/{prefix}"
    locs = "".join(f"<url><loc>{url}{n}</loc>{lastmod}</url>" for n in range(pages))
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()


def serve(
    ports: multiprocessing.Queue,  # type: ignore[type-arg]
    hosts: int,
    pages: int,
    latency: float,
    with_lastmod: bool = True,
) -> None:
    """A small asyncio HTTP/1.1 server (keep-alive, ETag/304): fast enough that the numbers
    measure the scraper, not Python's http.server."""
    docs = [
        (
            p.read_bytes(),
            "text/html; charset=utf-8" if p.suffix == ".html" else "text/markdown; charset=utf-8",
        )
        for p in sorted(FIXTURES.rglob("*"))
        if p.parent.name in ("farm", "pages", "controls") and p.is_file()
    ]
    base = ARTICLE.read_text("utf-8")

    def page(path: str) -> tuple[bytes, str]:
        """/a/<n>: the fixtures in turn; /d/<site>/<n>: distinct; /n/<site>/<n>: near-identical."""
        if path.startswith("/a/"):
            return docs[int(path[3:]) % len(docs)]
        _, kind, site, n = path.split("/")
        return article(base, int(site) * pages + int(n), kind == "n"), "text/markdown; charset=utf-8"

    def answer(port: int, path: str, headers: dict[str, str]) -> bytes:
        etag = None
        if path == "/robots.txt":
            status, body, ctype = 200, b"User-agent: *\nAllow: /\n", "text/plain"
        elif path.startswith("/sitemap"):
            status, body, ctype = 200, sitemap(port, path, pages, with_lastmod), "application/xml"
        elif path.startswith(("/a/", "/d/", "/n/")):
            body, ctype = page(path)
            etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
            status = 304 if headers.get("if-none-match") == etag else 200
            body = b"" if status == 304 else body
        else:
            status, body, ctype = 404, b"", "text/plain"
        head = f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
        if etag:
            head += f"ETag: {etag}\r\n"
        return (head + "\r\n").encode() + body

    async def handle(port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                lines = request.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)
                }
                if latency:
                    await asyncio.sleep(latency)
                writer.write(answer(port, path, headers))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        servers = []
        for _ in range(hosts):
            holder: list[int] = []

            def client(r: asyncio.StreamReader, w: asyncio.StreamWriter, h: list[int] = holder) -> Any:
                return handle(h[0], r, w)

            server = await asyncio.start_server(client, "127.0.0.1", 0)
            holder.append(server.sockets[0].getsockname()[1])
            ports.put(holder[0])
            servers.append(server)
        await asyncio.gather(*(s.serve_forever() for s in servers))

    asyncio.run(main())


# `python -m scraper`, writing its own rusage and its workers' to $BENCH_USAGE at exit
_MEASURED = """
import atexit, json, os, resource, runpy, sys
pid = os.getpid()
def usage():
    if os.getpid() == pid:
        r = resource
        own, workers = r.getrusage(r.RUSAGE_SELF), r.getrusage(r.RUSAGE_CHILDREN)
        with open(os.environ["BENCH_USAGE"], "w") as f:
            json.dump([[u.ru_maxrss, u.ru_utime + u.ru_stime] for u in (own, workers)], f)
atexit.register(usage)
sys.argv[0] = "scraper"
runpy.run_module("scraper", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True)
class Usage:
    """What one `scraper run` cost: wall seconds; peak RSS (MB) and CPU seconds of the run
    process itself, and of its cleaning workers (the largest's peak, their total CPU)."""

    wall: float
    run_mb: float
    worker_mb: float
    run_cpu: float
    workers_cpu: float


def run_once(work: Path, workers: int | None) -> tuple[Usage, dict[str, Any]]:
    """What one `scraper run` in `work` cost, and its summary line."""
    cmd = [sys.executable, "-c", _MEASURED, "run", "--log", "jsonl"]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    usage_file = work / "usage.json"
    env = {"PYTHONPATH": str(ROOT), "BENCH_USAGE": str(usage_file), "PATH": os.environ.get("PATH", "")}
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"scraper run failed ({proc.returncode}): {proc.stderr[-2000:]}")
    (run_kb, run_cpu), (worker_kb, workers_cpu) = json.loads(usage_file.read_text())
    usage = Usage(wall, run_kb / 1024, worker_kb / 1024, run_cpu, workers_cpu)
    return usage, json.loads(proc.stdout.splitlines()[-1])


def write_sources(work: Path, sitemaps: list[str], pages: int) -> None:
    sources = "".join(
        f'[[sources]]\nname = "site{i}"\nsitemap = "{url}"\nallow_private = true\nmax_pages = {pages}\n\n'
        for i, url in enumerate(sitemaps)
    )
    (work / "sources.toml").write_text(f'out_dir = "out"\n\n{sources}', "utf-8")


def near_identical(bases: list[str], pages: int, repeat: int, workers: int | None) -> None:
    """Distinct against near-identical articles, alternating, fresh directory each time."""
    rounds: dict[str, list[Usage]] = {"distinct": [], "near-identical": []}
    for r in range(repeat):
        for kind in rounds:
            with tempfile.TemporaryDirectory() as tmp:
                work = Path(tmp)
                sitemaps = [f"{b}/sitemap-{kind[0]}-{i}.xml" for i, b in enumerate(bases)]
                write_sources(work, sitemaps, pages)
                u, summary = run_once(work, workers)
            rounds[kind].append(u)
            copies = summary["copies"]
            print(
                f"  round {r + 1} {kind:14s} {u.wall:7.2f} s  CPU: run {u.run_cpu:6.2f} s, workers "
                f"{u.workers_cpu:6.2f} s  peak: run {u.run_mb:4.0f} MB, worker {u.worker_mb:4.0f} MB  "
                f"new {summary['new']}, failed {summary['failed']}, "
                f"copies: {copies['clusters']} clusters of {copies['documents']} documents",
                flush=True,
            )
    med = {k: Usage(*map(statistics.median, zip(*map(astuple, us), strict=True))) for k, us in rounds.items()}
    for kind, us in rounds.items():
        m, spread = med[kind], (max(u.wall for u in us) - min(u.wall for u in us)) / med[kind].wall
        print(
            f"{kind:14s} median of {repeat}: {m.wall:7.2f} s (spread {spread:.0%}), "
            f"CPU run {m.run_cpu:.2f} s + workers {m.workers_cpu:.2f} s; "
            f"peak RSS: run {m.run_mb:.0f} MB, largest worker {m.worker_mb:.0f} MB"
        )
    d, n = med["distinct"], med["near-identical"]
    print(
        f"near-identical / distinct: {n.wall / d.wall:.2f}x wall time (target <= 1.5x), "
        f"{n.run_cpu / d.run_cpu:.2f}x CPU of the run process"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--pages", type=int, default=100, help="pages per host")
    ap.add_argument("--size", type=int, default=None, help="pages in all (spread over the hosts)")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds every response waits")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument(
        "--no-lastmod",
        action="store_true",
        help="sitemaps without <lastmod>: the second run asks for every page (conditionally)",
    )
    ap.add_argument(
        "--near-identical",
        action="store_true",
        help="first runs over distinct and over near-identical generated articles, side by side",
    )
    ap.add_argument("--repeat", type=int, default=3, help="rounds of --near-identical (medians)")
    args = ap.parse_args()
    if args.size is not None:
        args.pages = -(-args.size // args.hosts)

    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.Process(
        target=serve, args=(ports, args.hosts, args.pages, args.latency, not args.no_lastmod), daemon=True
    )
    server.start()
    bases = [f"http://127.0.0.1:{ports.get(timeout=10)}" for _ in range(args.hosts)]
    pages = args.hosts * args.pages
    try:
        if args.near_identical:
            print(f"{pages} pages over {args.hosts} hosts, latency {args.latency * 1000:.0f} ms, first runs")
            near_identical(bases, args.pages, args.repeat, args.workers)
        else:
            twice(args, bases)
    finally:
        server.terminate()


def twice(args: argparse.Namespace, bases: list[str]) -> None:
    """The fixtures in turn: a first run, then an unchanged second run."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_sources(work, [f"{b}/sitemap.xml" for b in bases], args.pages)
        u1, s1 = run_once(work, args.workers)
        u2, s2 = run_once(work, args.workers)
        first, second = u1.wall, u2.wall
        files = len(list((work / "out").rglob("*.md")))
        archive_mb = sum(p.stat().st_size for p in (work / ".scraper" / "archive").iterdir()) / 1e6
    pages = args.hosts * args.pages
    lastmod = "without <lastmod>" if args.no_lastmod else "with <lastmod>"
    print(
        f"{pages} pages over {args.hosts} hosts (sitemaps {lastmod}), "
        f"latency {args.latency * 1000:.0f} ms; {files} files written"
    )
    print(
        f"first run:  {first:6.2f} s  ({pages / first:6.1f} pages/s)  new {s1['new']}, "
        f"failed {s1['failed']}, {s1['archived']} responses archived ({archive_mb:.1f} MB WARC)"
    )
    print(
        f"second run: {second:6.2f} s  ({pages / second:6.1f} pages/s)  unchanged {s2['unchanged']}, "
        f"new {s2['new']}, updated {s2['updated']}, archived {s2['archived']}"
    )
    run_mb, worker_mb = max(u1.run_mb, u2.run_mb), max(u1.worker_mb, u2.worker_mb)
    print(
        f"second run is {first / second:.1f}x faster; peak RSS: run process {run_mb:.0f} MB, "
        f"largest cleaning worker {worker_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
