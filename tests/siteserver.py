"""A real HTTP server on 127.0.0.1 for the fetch tests: fixture pages, a feed with full
content, sitemaps (one gzipped), robots.txt, and a catalogue of misbehaving endpoints."""

from __future__ import annotations

import gzip
import hashlib
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

Route = Callable[["Handler"], None]


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.headers: dict[str, list[dict[str, str]]] = {}
        self.base = ""
        self.lock = threading.Lock()

    def route(self, path: str) -> Callable[[Route], Route]:
        def add(fn: Route) -> Route:
            self.routes[path] = fn
            return fn

        return add

    def static(self, path: str, body: bytes, ctype: str, etag: bool = True) -> None:
        tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

        def serve(h: Handler) -> None:
            if etag and h.headers.get("If-None-Match") == tag:
                h.send_response(304)
                h.send_header("ETag", tag)
                h.end_headers()
                return
            h.send(200, body, ctype, {"ETag": tag} if etag else {})

        self.routes[path] = serve


class Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(
        self,
        status: int,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        with suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        with self.site.lock:
            self.site.hits[path] += 1
            self.site.headers.setdefault(path, []).append(dict(self.headers))
        route = self.site.routes.get(path)
        if route is None:
            self.send(404, b"not found", "text/plain")
            return
        with suppress(BrokenPipeError, ConnectionResetError):
            route(self)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away (killed, timed out) is not an error of the server."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _V6Server(_Server):
    address_family = socket.AF_INET6


@contextmanager
def serve(site: Site, host: str = "127.0.0.1") -> Iterator[Site]:
    """Serve `site` on a free port of `host` (127.0.0.1, or ::1 for an IPv6 literal)."""
    handler = type("BoundHandler", (Handler,), {"site": site})
    server = (_V6Server if ":" in host else _Server)((host, 0), handler)
    server.daemon_threads = True
    shown = f"[{host}]" if ":" in host else host
    site.base = f"http://{shown}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def fault_site() -> Site:
    """Pages, feeds, sitemaps, robots.txt and the fault catalogue."""
    site = Site()
    page = (FIXTURES / "farm" / "tdy-winforum-2checkout-bsod-dumps.rendered.html").read_bytes()
    site.static("/page.html", page, "text/html; charset=utf-8")
    site.static("/article.md", ARTICLE, "text/markdown; charset=utf-8")
    site.static("/feed.xml", (FIXTURES / "feeds" / "farm-atom.xml").read_bytes(), "application/atom+xml")
    _listings(site)
    _status_faults(site)
    _body_faults(site)
    _redirect_faults(site)
    _content_faults(site)
    return site


ARTICLE = (FIXTURES / "farm" / "000_022a837fca80a5ec.txt").read_bytes()


def _listings(site: Site) -> None:
    """robots.txt (one disallowed path) → a sitemap index → a plain and a gzipped sitemap."""

    @site.route("/robots.txt")
    def robots(h: Handler) -> None:
        h.send(
            200,
            (f"User-agent: *\nDisallow: /private/\nSitemap: {site.base}/sitemap_index.xml\n").encode(),
            "text/plain",
        )

    @site.route("/private/secret.html")
    def secret(h: Handler) -> None:
        h.send(200, b"<p>secret</p>")

    @site.route("/sitemap_index.xml")
    def index(h: Handler) -> None:
        h.send(
            200,
            (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{site.base}/sitemap-a.xml</loc></sitemap>"
                f"<sitemap><loc>{site.base}/sitemap-b.xml.gz</loc></sitemap></sitemapindex>"
            ).encode(),
            "application/xml",
        )

    @site.route("/sitemap-a.xml")
    def sitemap_a(h: Handler) -> None:
        h.send(
            200,
            (
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{site.base}/page.html</loc></url>"
                f"<url><loc>{site.base}/private/secret.html</loc></url></urlset>"
            ).encode(),
            "application/xml",
        )

    @site.route("/sitemap-b.xml.gz")
    def sitemap_b(h: Handler) -> None:
        xml = (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{site.base}/article.md</loc></url>"
            f"<url><loc>{site.base}/page.html</loc></url></urlset>"
        ).encode()
        h.send(200, gzip.compress(xml, mtime=0), "application/x-gzip")


def _status_faults(site: Site) -> None:
    """Retry-After, a 503 that recovers, a 500 that does not."""

    @site.route("/429")
    def too_many(h: Handler) -> None:
        if site.hits["/429"] == 1:
            h.send(429, b"slow down", "text/plain", {"Retry-After": "7"})
        else:
            h.send(200, ARTICLE, "text/markdown")

    @site.route("/503-then-200")
    def flaky(h: Handler) -> None:
        if site.hits["/503-then-200"] == 1:
            h.send(503, b"busy", "text/plain")
        else:
            h.send(200, ARTICLE, "text/markdown")

    @site.route("/500")
    def broken(h: Handler) -> None:
        h.send(500, b"broken", "text/plain")


@cache
def _bomb() -> bytes:
    """64 MB of zeros, gzipped once (about 64 KB): compressing per request would take the
    server longer than the client's deadline on a busy machine."""
    return gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9, mtime=0)


def _body_faults(site: Site) -> None:
    """Bodies that drip, hang, stop short, explode when decompressed or never end."""

    @site.route("/drip")
    def drip(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        for _ in range(200):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.2)

    @site.route("/hang")
    def hang(h: Handler) -> None:
        time.sleep(10)

    @site.route("/truncated")
    def truncated(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "50000")
        h.end_headers()
        h.wfile.write(b"<html><body><p>cut short")
        h.wfile.flush()
        h.close_connection = True

    _bomb()  # compressed now, before any client waits for it

    @site.route("/bomb")
    def bomb(h: Handler) -> None:
        h.send(200, _bomb(), "text/html", {"Content-Encoding": "gzip"})

    @site.route("/huge")
    def huge(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()  # no length: the client must stop reading by itself
        chunk = b"<p>" + b"a" * 65533 + b"</p>"
        for _ in range(800):  # 50 MB
            h.wfile.write(chunk)
        h.close_connection = True


def _redirect_faults(site: Site) -> None:
    """A redirect loop, a chain of 30 hops, a redirect to the cloud metadata address."""

    @site.route("/loop-a")
    def loop_a(h: Handler) -> None:
        h.send(302, b"", "text/plain", {"Location": "/loop-b"})

    @site.route("/loop-b")
    def loop_b(h: Handler) -> None:
        h.send(302, b"", "text/plain", {"Location": "/loop-a"})

    def hop(i: int) -> Route:
        return lambda h: h.send(302, b"", "text/plain", {"Location": f"/chain/{i + 1}"})

    for i in range(30):
        site.routes[f"/chain/{i}"] = hop(i)

    @site.route("/to-metadata")
    def metadata(h: Handler) -> None:
        h.send(302, b"", "text/plain", {"Location": "http://169.254.169.254/latest/meta-data/"})


def _content_faults(site: Site) -> None:
    """A charset the bytes contradict, an image, binary bytes called HTML, an empty page."""

    @site.route("/wrong-charset")
    def wrong_charset(h: Handler) -> None:
        body = (
            "<html><head><title>Café</title></head><body><article><p>"
            + "Un café crème et une crêpe, s'il vous plaît. " * 20
            + "</p></article></body></html>"
        )
        h.send(200, body.encode("latin-1"), "text/html; charset=utf-8")

    @site.route("/image.png")
    def image(h: Handler) -> None:
        h.send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")

    @site.route("/binary-as-html")
    def binary(h: Handler) -> None:
        h.send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "text/html")

    @site.route("/empty")
    def empty(h: Handler) -> None:
        h.send(200, b"", "text/html")
