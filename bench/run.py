"""`scraper run` first run against an unchanged second run, and peak memory.

    python bench/run.py [--hosts 10] [--pages 100] [--latency 0]

A separate server process serves `--hosts` sites on 127.0.0.1 (one port each), each with a
sitemap of `--pages` articles taken in turn from the bundled fixtures (farm Markdown copies and
full HTML pages), with ETags and 304 answers. A sources.toml lists the sitemaps; `scraper run`
runs twice as cron would (a fresh process each time, JSON lines to a pipe). The first run
fetches, archives, cleans and writes every page; the second writes nothing: pages whose
sitemap <lastmod> is unchanged are not asked for (--no-lastmod: every page is asked for with
If-None-Match and answered 304). Reported: both wall times, their ratio (target: second
>= 10x faster), and the peak RSS of the largest process (the run or a cleaning worker).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


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
    tags = [f'"{hashlib.sha256(body).hexdigest()[:16]}"' for body, _ in docs]

    def answer(port: int, path: str, headers: dict[str, str]) -> bytes:
        etag = None
        if path == "/robots.txt":
            status, body, ctype = 200, b"User-agent: *\nAllow: /\n", "text/plain"
        elif path == "/sitemap.xml":
            lastmod = "<lastmod>2024-10-01T00:00:00Z</lastmod>" if with_lastmod else ""
            locs = "".join(
                f"<url><loc>http://127.0.0.1:{port}/a/{n}</loc>{lastmod}</url>" for n in range(pages)
            )
            xml = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
            status, body, ctype = 200, xml.encode(), "application/xml"
        elif path.startswith("/a/"):
            i = int(path[3:]) % len(docs)
            etag = tags[i]
            if headers.get("if-none-match") == etag:
                status, body, ctype = 304, b"", docs[i][1]
            else:
                status, body, ctype = 200, docs[i][0], docs[i][1]
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


def run_once(work: Path, workers: int | None) -> tuple[float, dict[str, object]]:
    cmd = [sys.executable, "-m", "scraper", "run", "--log", "jsonl"]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"scraper run failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, json.loads(proc.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--pages", type=int, default=100, help="pages per host")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds every response waits")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument(
        "--no-lastmod",
        action="store_true",
        help="sitemaps without <lastmod>: the second run asks for every page (conditionally)",
    )
    args = ap.parse_args()

    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.Process(
        target=serve, args=(ports, args.hosts, args.pages, args.latency, not args.no_lastmod), daemon=True
    )
    server.start()
    bases = [f"http://127.0.0.1:{ports.get(timeout=10)}" for _ in range(args.hosts)]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sources = "".join(
            f'[[sources]]\nname = "site{i}"\nsitemap = "{b}/sitemap.xml"\nallow_private = true\n'
            f"max_pages = {args.pages}\n\n"
            for i, b in enumerate(bases)
        )
        (work / "sources.toml").write_text(f'out_dir = "out"\n\n{sources}', "utf-8")
        first, s1 = run_once(work, args.workers)
        second, s2 = run_once(work, args.workers)
        files = len(list((work / "out").rglob("*.md")))
        archive_mb = sum(p.stat().st_size for p in (work / ".scraper" / "archive").iterdir()) / 1e6
    server.terminate()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
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
    print(f"second run is {first / second:.1f}x faster; peak RSS of the largest process {peak:.0f} MB")


if __name__ == "__main__":
    main()
