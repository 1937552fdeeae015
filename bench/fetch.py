"""`scraper fetch` as users run it (the installed command, a whole process: robots.txt,
sitemaps, pages, cleaning workers, writes, state store) against the bound the politeness limits
allow, and against Scrapy + trafilatura on the same server in the same run; with --trace, where
a run's wall time goes (bench/fetchtrace.py).

    python bench/fetch.py [--hosts 10] [--pages 100] [--latency 0.05] [--per-host 2] [--rounds 3]
                          [--no-peer] [--download-only-peer] [--no-profile] [--trace]

A separate server process (its CPU is printed beside each command's: it shares the two
cores with both sides alike) serves `--hosts` sites on 127.0.0.1 (one port each), each with a
robots.txt (404), a sitemap of `--pages` small articles; every response waits `--latency`
seconds. The bound is hosts x per-host / latency requests per second (10 x 2 / 50 ms = 400/s).
Each round runs `scraper fetch -q --allow-private --per-host P --concurrency H*P` into a fresh
directory and state file, then the peer (bench/scrapy_peer.py: Scrapy, robots.txt obeyed, the
same per-site limit, `trafilatura.extract` in the callback, the text written to a file; from
the `[bench]` extra). Reported: medians of the rounds — requests/s and its share of the bound
(target >= 85 %), the ratio to the peer (target >= 1.3x), CPU time (user + system, the process
and its children), peak RSS; then a profiled run of ours: the main thread's own CPU time by package.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fetchtrace import process_cpu, traced  # noqa: E402
from procs import Usage, load, measure, median, scraper_cmd, spread  # noqa: E402

ARTICLE = """<!doctype html><html><head><title>Article {n}</title>
<meta property="og:site_name" content="Site {h}"></head><body><nav><a href="/">Home</a></nav>
<article><h1>Article {n} on site {h}</h1>
<p>{text}</p><p>{text}</p>
<!-- affiliate ads begin --><a href="https://x.sjv.io/c/1/2/3">
<img src="//a.impactradius-go.com/display-ad/1-2"></a><!-- affiliate ads end -->
<p>{text} <a href="https://example.org/ref?utm_source=feed&id={n}">a reference</a>.</p>
<ins class="adsbygoogle" data-ad-client="ca-pub-1"></ins>
</article></body></html>"""
TEXT = "The quick brown fox jumps over the lazy dog while the committee reviews the findings. " * 6


def serve(ports: multiprocessing.Queue, hosts: int, pages: int, latency: float) -> None:  # type: ignore[type-arg]
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else headers and body sent apart meet delayed ACKs
        wbufsize = 64 * 1024

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(latency)
            host = self.server.server_address[1]  # type: ignore[index]
            if self.path == "/sitemap.xml":
                body = (
                    '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    + "".join(f"<url><loc>http://127.0.0.1:{host}/a/{n}</loc></url>" for n in range(pages))
                    + "</urlset>"
                )
                ctype = "application/xml"
            elif self.path.startswith("/a/"):
                body = ARTICLE.format(n=self.path[3:], h=host, text=TEXT)
                ctype = "text/html; charset=utf-8"
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    servers = []
    for _ in range(hosts):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    for server in servers:
        ports.put(server.server_address[1])
    threading.Event().wait()


def fetch_args(work: Path, urls: list[str], args: argparse.Namespace) -> list[str]:
    """`scraper fetch`'s arguments, into a fresh output directory and state file."""
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    state = work / "state.db"
    state.unlink(missing_ok=True)
    opts = ["fetch", "-q", "--allow-private", "--per-host", str(args.per_host)]
    opts += ["--concurrency", str(args.hosts * args.per_host), "--max-pages", str(args.hosts * args.pages)]
    return [*opts, "-o", str(out), "--state", str(state), *urls]


def run_ours(work: Path, urls: list[str], args: argparse.Namespace, profile: str | None = None) -> Usage:
    out = work / "out"
    opts = fetch_args(work, urls, args)
    if profile:
        code = (  # CPU time (the event loop's waits are not work), kept however main() exits
            "import cProfile, sys, time; sys.argv = ['scraper', *sys.argv[1:]]\n"
            "p = cProfile.Profile(time.thread_time); p.enable()\n"
            "try:\n    from scraper.cli.main import main; main()\n"
            f"finally:\n    p.disable(); p.dump_stats({profile!r})\n"
        )
        usage = measure([sys.executable, "-c", code, *opts])
    else:
        usage = measure([*scraper_cmd(), *opts])
    written = sum(1 for _ in out.rglob("*.md"))
    if written != args.hosts * args.pages:
        sys.exit(f"bench: scraper fetch wrote {written} documents, not {args.hosts * args.pages}")
    return usage


def run_peer(work: Path, urls: list[str], args: argparse.Namespace, download_only: bool) -> Usage:
    out = work / "peer"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    cmd = [sys.executable, str(ROOT / "bench" / "scrapy_peer.py"), str(out), str(args.per_host), *urls]
    return measure([*cmd, "--download-only"] if download_only else cmd)


def by_package(stats_file: str) -> str:
    """The profiled main thread's own CPU time (tottime) by package: where its core goes."""
    import pstats

    stats = pstats.Stats(stats_file)
    groups: Counter[str] = Counter()
    for (filename, _, name), (_, _, tt, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        parts = Path(filename).parts
        if "site-packages" in parts:
            group = parts[parts.index("site-packages") + 1]
        elif "scraper" in parts or "cleaners" in parts:
            i = max(i for i, p in enumerate(parts) if p in ("scraper", "cleaners"))
            group = "/".join(parts[i : i + 2]).removesuffix(".py")
        elif filename == "~":
            group = "builtins: " + name.split(" of ")[0].strip("<>{} ")[:40]
        else:
            group = "stdlib " + Path(filename).stem
        groups[group] += tt
    total = sum(groups.values())
    return "\n".join(f"  {g:42s} {t:6.2f} s {t / total:4.0%}" for g, t in groups.most_common(14))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--pages", type=int, default=100, help="pages per host")
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--per-host", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--download-only-peer", action="store_true", help="also Scrapy without trafilatura")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--trace", action="store_true", help="also a traced run: where the wall time goes")
    args = ap.parse_args()
    print(load())

    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(ports, args.hosts, args.pages, args.latency), daemon=True
    )
    server.start()
    urls = [f"http://127.0.0.1:{ports.get(timeout=10)}/sitemap.xml" for _ in range(args.hosts)]
    requests = args.hosts * (args.pages + 2)  # pages, sitemaps, robots.txt
    bound = args.hosts * args.per_host / args.latency
    peers = [] if args.no_peer else [("Scrapy + trafilatura", False)]
    if args.download_only_peer and not args.no_peer:
        peers.append(("Scrapy, download only", True))
    runs: dict[str, list[Usage]] = {"scraper fetch": []}
    served: dict[str, list[float]] = {}  # the server process's CPU during each run
    with tempfile.TemporaryDirectory(prefix="bench-fetch-") as tmp:
        work = Path(tmp)
        for _ in range(args.rounds):
            before = process_cpu(server.pid)
            runs["scraper fetch"].append(run_ours(work, urls, args))
            served.setdefault("scraper fetch", []).append(process_cpu(server.pid) - before)
            for label, only in peers:
                before = process_cpu(server.pid)
                runs.setdefault(label, []).append(run_peer(work, urls, args, only))
                served.setdefault(label, []).append(process_cpu(server.pid) - before)
        stats = None if args.no_profile else str(work / "fetch.pstats")
        if stats:
            run_ours(work, urls, args, stats)
            profile = by_package(stats)
        if args.trace:
            trace = traced(fetch_args(work, urls, args), work, lambda: process_cpu(server.pid))
    server.terminate()
    print(
        f"{args.hosts} sites x {args.pages} pages, {args.latency * 1000:.0f} ms per response, "
        f"{args.per_host} per site: bound {bound:.0f} requests/s; {requests} requests per run"
    )
    for label, usages in runs.items():
        wall = median([u.wall for u in usages])
        cpu = median([u.cpu for u in usages])
        print(
            f"{label:22s} {requests / wall:5.0f} requests/s = {requests / wall / bound:4.0%} of the bound "
            f"({wall:.2f} s wall, runs {spread([u.wall for u in usages])} s; {cpu:.1f} s CPU = "
            f"{cpu / requests * 1000:.1f} ms per request; peak {median([u.peak_mb for u in usages]):.0f} MB; "
            f"the server {median(served[label]):.2f} s CPU)"
        )
    for label, usages in list(runs.items())[1:]:
        ratios = [p.wall / o.wall for o, p in zip(runs["scraper fetch"], usages, strict=True)]
        print(f"scraper fetch vs {label}: {median(ratios):.2f}x the throughput (pairs {spread(ratios)})")
    print("targets: >= 85 % of the bound, >= 1.3x Scrapy + trafilatura")
    if stats:
        print("profiled run, the main thread's own CPU time by package:\n" + profile)
    if args.trace:
        print("traced run (bench/fetchtrace.py):\n" + trace)
    print(load())


if __name__ == "__main__":
    main()
