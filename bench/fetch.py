"""Fetch throughput against the bound the politeness limits allow, and peak memory.

    python bench/fetch.py [--hosts 10] [--pages 100] [--latency 0.05] [--per-host 2]

A separate server process serves `--hosts` sites on 127.0.0.1 (one port each), each with a
sitemap of `--pages` small articles; every response waits `--latency` seconds. `scraper fetch`
machinery (Fetcher + FetchJob + cleaning worker processes) fetches the ten sitemaps, then every
page, cleans and writes it. The bound is hosts x per-host / latency pages per second.
Target: >= 80 % of the bound, peak RSS under 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, all its threads (live ones and exited ones)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--pages", type=int, default=100, help="pages per host")
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--per-host", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(ports, args.hosts, args.pages, args.latency), daemon=True
    )
    server.start()
    urls = [f"http://127.0.0.1:{ports.get(timeout=10)}/sitemap.xml" for _ in range(args.hosts)]

    from cleaners import load_rules
    from scraper.fetch.client import Fetcher
    from scraper.fetch.config import FetchConfig
    from scraper.jobs.crawl import FetchJob
    from scraper.jobs.workers import CleanerPool
    from scraper.model import CleanOptions

    pool = CleanerPool(CleanOptions(load_rules()), args.workers)
    pool.warm()
    worker_pids = pool.pids
    config = FetchConfig(
        allow_private=True, per_host=args.per_host, concurrency=args.hosts * args.per_host, http2=False
    )
    with tempfile.TemporaryDirectory() as out:

        async def go() -> list[object]:
            async with Fetcher(config) as fetcher:
                job = FetchJob(fetcher, pool, Path(out), max_pages=args.hosts * args.pages)
                return list(await job.run(urls))

        t = time.perf_counter()
        cpu = time.process_time()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            prof = cProfile.Profile()
            outcomes = prof.runcall(asyncio.run, go())
            prof.dump_stats(os.environ["BENCH_PROFILE"])
        else:
            outcomes = asyncio.run(go())
        elapsed = time.perf_counter() - t
        cpu = time.process_time() - cpu
        worker_cpu = sum(cpu_seconds(p) for p in worker_pids)
        server_cpu = cpu_seconds(server.pid or 0)
        written = sum(1 for p in Path(out).rglob("*.md"))
    workers_mb = max((vm_hwm_mb(p) for p in worker_pids), default=0.0)
    pool.close()
    server.terminate()
    pages = sum(1 for o in outcomes if getattr(o, "kind", "") == "page" and getattr(o, "status", "") == "ok")
    requests = pages + args.hosts * 2  # pages, sitemaps, robots.txt
    bound = args.hosts * args.per_host / args.latency
    rate = requests / elapsed
    print(f"{pages} pages written ({written} files) from {args.hosts} hosts in {elapsed:.2f} s")
    print(
        f"throughput {rate:.0f} requests/s; bound {bound:.0f}/s ({args.hosts} hosts x {args.per_host} "
        f"per host / {args.latency * 1000:.0f} ms): {rate / bound:.0%} of the bound"
    )
    print(
        f"CPU: fetching process {cpu:.1f} s, cleaning workers {worker_cpu:.1f} s, "
        f"test server {server_cpu:.1f} s (on {os.cpu_count()} cores)"
    )
    print(
        f"peak RSS: fetching process {vm_hwm_mb(multiprocessing.current_process().pid or 0):.0f} MB, "
        f"largest cleaning worker {workers_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
