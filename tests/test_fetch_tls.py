"""The fetcher over TLS against a real HTTPS server on 127.0.0.1 (a self-signed certificate for
127.0.0.1, fixtures/tls): a certificate nothing vouches for is refused as a TLS failure on the
HTTP/1.1 transport (aiohttp) and the HTTP/2 one (httpcore) alike; once trusted, the page comes
through both. aiohttp's own default contexts, never used, trust nothing (fetch.noctx), the
standard library's are whole after its import, and `scraper clean` does not load aiohttp."""

from __future__ import annotations

import asyncio
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import FIXTURES

from scraper.fetch.client import Fetcher
from scraper.fetch.config import FetchConfig
from scraper.fetch.errors import Permanent
from scraper.fetch.policy import TLSContext

CERT, KEY = FIXTURES / "tls" / "localhost.crt", FIXTURES / "tls" / "localhost.key"
PAGE = b"<html><body><p>over TLS</p></body></html>"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


@contextmanager
def https_server() -> Iterator[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _get(url: str, http2: bool) -> bytes:
    config = FetchConfig(allow_private=True, robots=False, attempts=1, total_timeout=10.0, http2=http2)

    async def go() -> bytes:
        async with Fetcher(config) as fetcher:
            return (await fetcher.get(url)).body

    return asyncio.run(go())


@pytest.mark.parametrize("http2", [False, True])
def test_a_certificate_nothing_vouches_for_is_refused(http2: bool) -> None:
    with https_server() as base, pytest.raises(Permanent) as err:
        _get(base + "/page", http2)
    assert err.value.reason == "tls" and "certificate" in str(err.value).lower()


@pytest.mark.parametrize("http2", [False, True])
def test_a_trusted_certificate_gets_the_page(http2: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    trusted = ssl.create_default_context(cafile=str(CERT))
    monkeypatch.setattr(TLSContext, "get", lambda self: trusted)
    with https_server() as base:
        assert _get(base + "/page", http2) == PAGE


_NOCTX = """
import ssl
import scraper.fetch.aio, aiohttp.connector as c
bare = c._SSL_CONTEXT_VERIFIED
assert bare.verify_mode == ssl.CERT_REQUIRED and bare.check_hostname, "verifies"
assert bare.cert_store_stats()["x509_ca"] == 0, "trusts nothing"
assert ssl.create_default_context().cert_store_stats()["x509_ca"] > 0, "the library's loads roots"
"""


def test_aiohttps_unused_default_contexts_trust_nothing() -> None:
    subprocess.run([sys.executable, "-c", _NOCTX], check=True)


def test_cleaning_does_not_load_aiohttp(tmp_path: Path) -> None:
    probe = (
        "import sys; from scraper.cli.main import main\n"
        "sys.argv = ['scraper', 'clean', '-q', sys.argv[1], '-o', sys.argv[2]]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "assert 'aiohttp' not in sys.modules, 'aiohttp loaded'\n"
    )
    doc = FIXTURES / "controls" / "techhubms-syndicated-ms-news.md"
    env = {**os.environ, "SCRAPER_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run([sys.executable, "-c", probe, str(doc), str(tmp_path / "out")], check=True, env=env)
