"""Chaos: a hostile site on 127.0.0.1 (tests/chaossite.py) against the crawl. Every trap ends
with a status and a reason in bounded time; no article overwrites another; nothing disallowed
is fetched; a link in a feed item never decides where its copy goes."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from chaossite import (
    CJK,
    COLLIDING,
    OTHER_SITE,
    article,
    chaos_site,
    closed_port,
    robots_503_site,
)
from conftest import builtin_rules
from siteserver import Site, serve

from scraper.fetch.client import Fetcher
from scraper.fetch.config import FetchConfig
from scraper.jobs.crawl import FetchJob
from scraper.jobs.frontier import Origin
from scraper.jobs.incremental import Incremental
from scraper.jobs.workers import CleanerPool
from scraper.model import CleanOptions, Outcome
from scraper.pipeline.frontmatter import split
from scraper.store.state import StateStore


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve(chaos_site()) as s:
        yield s


class NoSleep:
    async def __call__(self, seconds: float) -> None:
        await asyncio.sleep(0)


def crawl(
    seeds: list[str],
    out: Path,
    state: StateStore | None = None,
    origin: Origin | None = None,
    **kw: object,
) -> dict[str, Outcome]:
    """One crawl in this process (no retries waited for); outcomes by URL."""
    settings: dict[str, object] = dict(allow_private=True, total_timeout=10.0, http2=False, attempts=2)
    settings.update(kw)

    async def go() -> list[Outcome]:
        config = FetchConfig(**settings)  # type: ignore[arg-type]
        async with Fetcher(config, validators=Incremental(state), sleep=NoSleep()) as fetcher:
            job = FetchJob(fetcher, CleanerPool(CleanOptions(builtin_rules()), 0), out, state)
            if state is not None:
                state.start_run()
            return await job.run(seeds, origin)

    return {o.url: o for o in asyncio.run(go())}


def front(path: str | None) -> dict[str, object]:
    fm = split(Path(path or "").read_text("utf-8"))[0]
    assert fm is not None
    return dict(fm.data)


def test_colliding_names_get_stable_suffixes_and_fit_in_255_bytes(site: Site, tmp_path: Path) -> None:
    urls = [site.base + quote(p) for p in COLLIDING]
    out, state = tmp_path / "out", StateStore(tmp_path / "state.db")
    first = crawl(urls, out, state)
    outputs = {u: first[u].output for u in urls}
    assert all(first[u].status == "ok" and first[u].changed for u in urls), first
    assert len(set(outputs.values())) == len(urls)  # five URLs, five files
    assert len({str(o).casefold() for o in outputs.values()}) == len(urls)  # also on macOS
    for path, url in zip(COLLIDING, urls, strict=True):
        written = Path(outputs[url] or "")
        assert f"Elevate [{path}]" in written.read_text("utf-8")  # each its own article
        for part in written.relative_to(out).parts:
            assert len(part.encode()) <= 255 - len(".audit.json")
    cjk = Path(outputs[site.base + quote(f"/{CJK}")] or "")
    assert cjk.name.startswith("漢字") and len(cjk.name.encode()) <= 205
    # the next run, URLs in the opposite order: the same names, nothing written again
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = crawl(list(reversed(urls)), out, state)
    assert {u: again[u].output for u in urls} == outputs
    assert not any(o.changed for o in again.values())
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == mtimes
    # a suffix is the URL's own: the same whoever else competes for the name
    suffixed = sorted(Path(o or "").name for o in outputs.values() if "~" in str(o))
    assert len(suffixed) == 3
    alone = crawl([urls[2]], tmp_path / "alone", StateStore(tmp_path / "alone.db"))
    assert Path(alone[urls[2]].output or "").name in (*suffixed, "collide-a-b.md")


def test_a_breeding_sitemap_index_stops_at_max_listings(site: Site, tmp_path: Path) -> None:
    before = site.hits["/breed.xml"]
    started = time.monotonic()
    out = crawl([site.base + "/breed.xml"], tmp_path, origin=Origin("breed", max_listings=30, max_depth=50))
    assert time.monotonic() - started < 60
    assert site.hits["/breed.xml"] - before <= 30
    notes = [o for o in out.values() if o.reason == "max-listings"]
    assert notes and all(o.kind == "sitemap" and o.status == "ok" for o in notes)
    assert "over max_listings 30" in (notes[0].error or "")
    # and max_depth stops a chain of indexes on its own
    deep = crawl([site.base + "/breed.xml"], tmp_path / "d", origin=Origin("breed", max_depth=3))
    assert any(o.reason == "max-depth" for o in deep.values())
    assert sum(o.kind == "sitemap" and o.status == "ok" for o in deep.values()) <= 1 + 2 + 4 + 8


def test_a_redirect_into_a_disallowed_path_is_not_followed(site: Site, tmp_path: Path) -> None:
    other = Site()
    other.routes["/robots.txt"] = lambda h: h.send(200, b"User-agent: *\nDisallow: /\n", "text/plain")
    other.static("/page.md", article("other"), "text/markdown")
    with serve(other):
        site.routes["/go-other"] = lambda h: h.send(
            302, b"", "text/plain", {"Location": other.base + "/page.md"}
        )
        out = crawl([site.base + "/go-private", site.base + "/go-other"], tmp_path)
    for path in ("/go-private", "/go-other"):
        o = out[site.base + path]
        assert (o.status, o.reason) == ("skipped", "robots") and "redirected to" in (o.error or "")
    assert site.hits["/private/secret.md"] == 0 and other.hits["/page.md"] == 0
    assert other.hits["/robots.txt"] == 1  # the hop's own host was asked


def test_cross_site_feed_items_are_claims(site: Site, tmp_path: Path) -> None:
    out = crawl([site.base + "/cross.xml"], tmp_path)
    items = [o for o in out.values() if o.kind == "item"]
    assert len(items) == 3 and all(o.status == "ok" for o in items), out
    host = "127.0.0.1-" + site.base.rsplit(":", 1)[1]
    for o in items:
        path = Path(o.output or "")
        assert path.parent == tmp_path / host / "cross.xml"  # under the feed that served it
        fm = front(o.output)
        assert fm["retrieved_from"] == site.base + "/cross.xml"
        assert str(fm["claimed_url"]).startswith(OTHER_SITE + "/news/story-")
        source = fm.get("original_source") or {}
        assert "victim" not in json.dumps(source)  # a claim alone names no publisher
        audit = json.loads(path.with_suffix(".audit.json").read_text("utf-8"))
        assert audit["claimed_url"] == fm["claimed_url"]


def test_ipv6_literals_are_hosts_like_any_other(tmp_path: Path) -> None:
    v6 = Site()
    v6.static("/page.md", article("v6"), "text/markdown")
    with serve(v6, host="::1"):
        assert v6.base.startswith("http://[::1]:")
        url = v6.base + "/page.md"
        fetched = crawl([url], tmp_path / "a")[url]
        refused = crawl([url], tmp_path / "b", allow_private=False)[url]
    assert (
        fetched.status == "ok"
        and Path(fetched.output or "").parent.name == f"ipv6---1-{url.split(':')[-1][:-8]}"
    )
    assert (refused.status, refused.reason) == ("error", "blocked-address") and v6.hits["/page.md"] == 1
    private = crawl(
        ["http://[fd00::1]/x", "http://[::1/", "http://h:99999/"], tmp_path / "c", allow_private=False
    )
    assert private["http://[fd00::1]/x"].reason == "blocked-address"
    assert private["http://[::1/"].reason == "bad-url" and private["http://h:99999/"].reason == "bad-url"


def test_slow_and_endless_bodies_end_in_time(site: Site, tmp_path: Path) -> None:
    started = time.monotonic()
    out = crawl(
        [site.base + "/drip", site.base + "/endless"], tmp_path, total_timeout=2.0, max_bytes=1024 * 1024
    )
    assert (out[site.base + "/drip"].status, out[site.base + "/drip"].reason) == ("error", "timeout")
    assert (out[site.base + "/endless"].status, out[site.base + "/endless"].reason) == ("error", "too-large")
    assert time.monotonic() - started < 30


def test_an_unreachable_host_is_a_failure_with_its_own_reason(tmp_path: Path) -> None:
    refused = f"http://127.0.0.1:{closed_port()}/page"
    unknown = "http://no-such-host.invalid/page"
    with serve(robots_503_site()) as down:
        out = crawl([refused, unknown, down.base + "/page.md"], tmp_path)
    assert (out[refused].status, out[refused].reason) == ("error", "connect")
    assert (out[unknown].status, out[unknown].reason) == ("error", "dns")
    page = out[down.base + "/page.md"]
    assert (page.status, page.reason) == ("error", "robots-unavailable") and "503" in (page.error or "")
    assert down.hits["/page.md"] == 0 and down.hits["/robots.txt"] == 1
    assert "robots.txt unreachable" in (out[refused].error or "")
    no_robots = Site()  # robots.txt 404: everything allowed
    no_robots.static("/page.md", article("404"), "text/markdown")
    with serve(no_robots):
        assert (
            crawl([no_robots.base + "/page.md"], tmp_path / "b")[no_robots.base + "/page.md"].status == "ok"
        )


def test_xml_with_a_doctype_subset_is_a_sitemap_and_its_entities_stay_inert(
    site: Site, tmp_path: Path
) -> None:
    out = crawl([site.base + "/doctype-sitemap.xml"], tmp_path)
    listing = out[site.base + "/doctype-sitemap.xml"]
    assert (listing.kind, listing.status) == ("sitemap", "ok")
    assert out[site.base + "/collide/a-b"].status == "ok"
    assert all(len(u) < 300 and "root:" not in u for u in out)  # lol5 not expanded, no /etc/passwd


def test_deep_nesting_is_flattened_and_recorded(site: Site, tmp_path: Path) -> None:
    started = time.monotonic()
    o = crawl([site.base + "/nested.html"], tmp_path)[site.base + "/nested.html"]
    assert time.monotonic() - started < 60  # before: minutes of parsing
    assert o.status == "ok", o
    text = Path(o.output or "").read_text("utf-8")
    assert "Deep text is kept, however deep" in text and "survives the flattening" in text
    audit = json.loads(Path(o.output or "").with_suffix(".audit.json").read_text("utf-8"))
    [deep] = [r for r in audit["removals"] if r["rule"] == "deep-nesting"]
    assert deep["category"] == "unsafe" and "nested deeper than 100" in deep["reason"]
