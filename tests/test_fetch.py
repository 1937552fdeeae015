"""`scraper fetch` against a real HTTP server on 127.0.0.1: good pages written and clean,
every fault reported with its reason within bounded time, nothing disallowed requested."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT, builtin_rules
from siteserver import Site, fault_site, serve

from scraper.fetch.client import Fetcher
from scraper.fetch.config import FetchConfig
from scraper.jobs.crawl import FetchJob
from scraper.jobs.incremental import Incremental
from scraper.jobs.workers import CleanerPool
from scraper.model import CleanOptions, Outcome
from scraper.pipeline.frontmatter import split
from scraper.store.state import StateStore


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve(fault_site()) as s:
        yield s


class FakeSleep:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(round(seconds, 2))
        await asyncio.sleep(0)


def config(**kw: object) -> FetchConfig:
    base: dict[str, object] = dict(
        allow_private=True,
        total_timeout=2.0,
        read_timeout=1.0,
        connect_timeout=1.0,
        attempts=3,
        max_bytes=2 * 1024 * 1024,
        max_redirects=10,
        http2=False,
    )
    base.update(kw)
    return FetchConfig(**base)  # type: ignore[arg-type]


def fetch(
    urls: list[str],
    out: Path,
    *,
    state: StateStore | None = None,
    sleep: FakeSleep | None = None,
    **kw: object,
) -> list[Outcome]:
    async def go() -> list[Outcome]:
        async with Fetcher(
            config(**kw), validators=Incremental(state), sleep=sleep or FakeSleep()
        ) as fetcher:
            job = FetchJob(fetcher, CleanerPool(CleanOptions(builtin_rules()), 0), out, state)
            if state:
                state.start_run()
            return await job.run(urls)

    return asyncio.run(go())


def by_url(outcomes: list[Outcome], site: Site) -> dict[str, Outcome]:
    return {o.url.replace(site.base, ""): o for o in outcomes}


def test_sitemap_index_robots_and_feed(site: Site, tmp_path: Path) -> None:
    out = by_url(fetch([f"{site.base}/robots.txt", f"{site.base}/feed.xml"], tmp_path), site)
    # robots.txt Sitemap line -> index -> plain and gzipped children -> pages, each fetched once
    assert out["/sitemap_index.xml"].kind == "sitemap" and out["/sitemap-b.xml.gz"].status == "ok"
    assert out["/page.html"].status == "ok" and out["/article.md"].status == "ok"
    assert out["/private/secret.html"].status == "skipped" and out["/private/secret.html"].reason == "robots"
    assert site.hits["/private/secret.html"] == 0 and site.hits["/page.html"] == 1
    assert site.hits["/robots.txt"] == 1
    # the feed carries full content: its 20 items are cleaned from it, not fetched
    items = [o for o in out.values() if o.kind == "item"]
    assert len(items) == 20 and all(o.status == "ok" for o in items)
    for o in items:
        assert o.output and o.counts["adsense"] >= 1
        body = split(Path(o.output).read_text())[1]
        for junk in ("adsbygoogle", "impactradius", "AFFILIATE=", "atpl-alsoreadstyle", "javascript:"):
            assert junk not in body
        fm = split(Path(o.output).read_text())[0]
        # the feed is served by 127.0.0.1, its items link to another site: that link is only a
        # claim; the output lives under the feed's host, retrieved from the feed
        assert fm is not None and fm.data["retrieved_from"] == f"{site.base}/feed.xml"
        assert fm.data["claimed_url"].startswith("https://printer-issues.techidaily.com/")
        assert Path(o.output).parent == tmp_path / f"127.0.0.1-{site.base.rsplit(':', 1)[1]}" / "feed.xml"
        audit = json.loads(Path(o.output[: -len(".md")] + ".audit.json").read_text())
        assert audit["claimed_url"] == fm.data["claimed_url"]
        assert fm.data["date"].startswith("2024-") and fm.data["title"]
    page = Path(out["/page.html"].output or "").read_text()
    assert "Revo Uninstaller" in page and "sjv.io" not in page


def test_faults_end_in_the_right_status(site: Site, tmp_path: Path) -> None:
    """Each fault gets its own reason. Bodies that never end in time get a 2 s deadline; the
    rest a deadline a loaded machine cannot reach, so a bomb or a huge page ends by its size
    (too-large), never by the clock."""
    sleep = FakeSleep()
    slow = ["/drip", "/hang"]
    paths = [
        "/429",
        "/503-then-200",
        "/500",
        "/truncated",
        "/bomb",
        "/huge",
        "/loop-a",
        "/chain/0",
        "/to-metadata",
        "/wrong-charset",
        "/image.png",
        "/binary-as-html",
        "/empty",
        "/missing",
    ]
    started = time.monotonic()
    out = by_url(fetch([site.base + p for p in slow], tmp_path, sleep=sleep, attempts=2), site)
    assert time.monotonic() - started < 20  # two attempts of 2 s each, in parallel
    started = time.monotonic()
    out |= by_url(
        fetch(
            [site.base + p for p in paths],
            tmp_path,
            sleep=sleep,
            attempts=2,
            breaker=100,
            total_timeout=60.0,
            read_timeout=30.0,
        ),
        site,
    )
    assert time.monotonic() - started < 90
    assert out["/429"].status == "ok" and 7.0 in sleep.slept  # Retry-After honoured, not waited for real
    assert out["/503-then-200"].status == "ok"
    expect = {
        "/500": "http-500",
        "/drip": "timeout",
        "/hang": "timeout",
        "/truncated": "transfer",
        "/bomb": "too-large",
        "/huge": "too-large",
        "/loop-a": "redirect-loop",
        "/chain/0": "redirects",
        "/to-metadata": "blocked-address",
        "/binary-as-html": "clean",
        "/empty": "clean",
        "/missing": "http-404",
    }
    for path, reason in expect.items():
        assert out[path].status == "error" and out[path].reason == reason, (path, out[path])
    assert out["/image.png"].status == "skipped" and out["/image.png"].reason == "content-type"
    assert "cloud metadata" in (out["/to-metadata"].error or "")
    text = Path(out["/wrong-charset"].output or "").read_text()
    assert "café crème" in text and "\ufffd" not in text
    assert site.hits["/500"] == 2  # bounded attempts


def test_retry_after_http_date_and_cap(site: Site, tmp_path: Path) -> None:
    local = Site()
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)

    @local.route("/date")
    def date(h) -> None:  # type: ignore[no-untyped-def]
        if local.hits["/date"] == 1:
            h.send(503, b"", "text/plain", {"Retry-After": "Thu, 01 Jan 2026 12:00:30 GMT"})
        else:
            h.send(200, b"---\ntitle: t\n---\nbody text\n", "text/markdown")

    @local.route("/absurd")
    def absurd(h) -> None:  # type: ignore[no-untyped-def]
        if local.hits["/absurd"] == 1:
            h.send(429, b"", "text/plain", {"Retry-After": "86400"})
        else:
            h.send(200, b"---\ntitle: t\n---\nbody text\n", "text/markdown")

    sleep = FakeSleep()

    async def go() -> list[Outcome]:
        async with Fetcher(config(retry_after_cap=120), sleep=sleep, now=lambda: now) as fetcher:
            job = FetchJob(fetcher, CleanerPool(CleanOptions(builtin_rules()), 0), tmp_path)
            return await job.run([local.base + "/date", local.base + "/absurd"])

    with serve(local):
        outcomes = asyncio.run(go())
    assert all(o.status == "ok" for o in outcomes)
    assert 30.0 in sleep.slept and 120.0 in sleep.slept and 86400.0 not in sleep.slept


def test_breaker_gives_up_a_failing_host_and_others_go_on(tmp_path: Path, site: Site) -> None:
    bad = Site()
    for i in range(6):
        bad.routes[f"/p{i}"] = lambda h: h.send(500, b"", "text/plain")
    with serve(bad):
        urls = [f"{bad.base}/p{i}" for i in range(6)] + [f"{site.base}/article.md"]
        outcomes = fetch(urls, tmp_path, attempts=1, breaker=3, per_host=1)
    reasons = [o.reason for o in outcomes if o.url.startswith(bad.base)]
    assert reasons.count("host-given-up") >= 2 and sum(bad.hits.values()) <= 4
    assert next(o for o in outcomes if o.url.endswith("/article.md")).status == "ok"


def test_private_addresses_refused_by_default(site: Site, tmp_path: Path) -> None:
    out = fetch([f"{site.base}/page.html"], tmp_path, allow_private=False)
    assert out[0].status == "error" and out[0].reason == "blocked-address"
    assert "private" in (out[0].error or "")


def test_conditional_requests_and_304_writes_nothing(site: Site, tmp_path: Path) -> None:
    state = StateStore(tmp_path / "state.db")
    first = fetch([f"{site.base}/page.html"], tmp_path / "out", state=state)
    assert first[0].status == "ok" and first[0].changed
    path = Path(first[0].output or "")
    mtime = path.stat().st_mtime_ns
    second = fetch([f"{site.base}/page.html"], tmp_path / "out", state=state)
    assert second[0].status == "not_modified"
    assert site.headers["/page.html"][-1].get("If-None-Match")
    assert path.stat().st_mtime_ns == mtime
    state.close()


def test_duplicates_are_fetched_once(site: Site, tmp_path: Path) -> None:
    before = site.hits["/article.md"]
    out = fetch(
        [f"{site.base}/article.md", f"{site.base}/article.md#top", f"{site.base}/sitemap-b.xml.gz"], tmp_path
    )
    assert site.hits["/article.md"] - before == 1
    assert any(o.reason == "duplicate" for o in out)


# Run in a fresh process: the peak resident size of the test process is a lifetime figure, which
# an earlier, heavier test would already have raised (the growth would then read as nothing).
MEMORY_PROBE = """
import asyncio, json, sys
from pathlib import Path
from cleaners import load_rules
from scraper.fetch.client import Fetcher
from scraper.fetch.config import FetchConfig
from scraper.jobs.crawl import FetchJob
from scraper.jobs.workers import CleanerPool
from scraper.model import CleanOptions

def peak_kb():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))

async def fetch(urls):
    config = FetchConfig(allow_private=True, max_bytes=1024 * 1024, http2=False, attempts=1)
    async with Fetcher(config) as fetcher:
        job = FetchJob(fetcher, CleanerPool(CleanOptions(load_rules()), 0), Path(sys.argv[2]))
        return await job.run(urls)

base = sys.argv[1]
asyncio.run(fetch([base + "/page.html", base + "/article.md"]))  # imports, pools, cleaning: warm
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # the peak (VmHWM) starts again from the resident size now
before = peak_kb()
outcomes = asyncio.run(fetch([base + "/bomb", base + "/huge"]))
print(json.dumps({"grown_kb": peak_kb() - before, "reasons": [o.reason for o in outcomes]}))
"""


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's clear_refs")
def test_memory_stays_bounded_on_bombs_and_huge_pages(site: Site, tmp_path: Path) -> None:
    """A 64 MB gzip bomb and an endless page, with a 1 MB limit: the fetching process grows by
    a few MB (the bounded bodies), measured from its warm state in a process of its own."""
    proc = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, site.base, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["reasons"] == ["too-large", "too-large"]
    assert report["grown_kb"] / 1024 < 20, report


def test_cookies_set_by_a_response_are_sent_back_and_retries_counted() -> None:
    """The client keeps cookies as httpx does (a response that sets one, and only after it);
    a 503 is retried up to `attempts` in all, each wait the backoff's."""
    import httpx

    seen: list[tuple[str, str | None]] = []
    busy = [2]  # /busy answers 503 this many times

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers.get("cookie")))
        html = {"content-type": "text/html"}
        page = httpx.ByteStream(b"<p>page</p>")  # streamed, as the network's are
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if request.url.path == "/login":
            return httpx.Response(200, headers={**html, "set-cookie": "s=1; Path=/"}, stream=page)
        if request.url.path == "/busy" and busy[0]:
            busy[0] -= 1
            return httpx.Response(503, headers={"retry-after": "7"})
        return httpx.Response(200, headers=html, stream=page)

    sleep = FakeSleep()

    async def go() -> None:
        cfg = FetchConfig(allow_private=True, attempts=3)
        async with Fetcher(cfg, sleep=sleep, transport=httpx.MockTransport(handler)) as fetcher:
            for path in ("/a", "/login", "/b", "/busy"):
                assert (await fetcher.get("http://example.test" + path)).status == 200

    asyncio.run(go())
    cookies = [("/robots.txt", None), ("/a", None), ("/login", None), ("/b", "s=1")]
    assert seen == [*cookies, *[("/busy", "s=1")] * 3]
    assert sleep.slept == [7.0, 7.0]
