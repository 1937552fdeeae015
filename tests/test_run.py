"""`scraper run` / `scraper reclean` as cron runs them, against a real server on 127.0.0.1:
unchanged runs write nothing, an upstream change rewrites one file, a killed run leaves nothing
partial, overlapping runs are refused, the archive re-cleans to the live output."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import frontmatter
import pytest
from conftest import FIXTURES, ROOT
from siteserver import Handler, Site, serve

from scraper.pipeline.fingerprint import NEAR, distance
from scraper.store.lock import RunLock

PAGES = {
    "/a.html": FIXTURES / "pages" / "mozreadability-medicalnewstoday.source.html",
    "/b.html": FIXTURES / "pages" / "mozreadability-tmz-1.source.html",
    "/c.html": FIXTURES / "farm" / "tdy-winforum-2checkout-bsod-dumps.rendered.html",
    "/d.md": FIXTURES / "farm" / "000_022a837fca80a5ec.txt",
}


def make_site(slow: int = 0) -> Site:
    """A feed (with item dates), a sitemap and pages; /c.html sends no validators (its body
    hash decides);
    `slow` pages that each take 0.25 s, for killing a run part-way."""
    site = Site()
    updated = {"/a.html": "2024-10-01T00:00:00Z", "/b.html": "2024-10-01T00:00:00Z"}
    site.updated = updated  # type: ignore[attr-defined]
    for path, src in PAGES.items():
        ctype = "text/markdown; charset=utf-8" if path.endswith(".md") else "text/html; charset=utf-8"
        site.static(path, src.read_bytes(), ctype, etag=path != "/c.html")

    @site.route("/feed.xml")
    def feed(h: Handler) -> None:
        entries = "".join(
            f"<entry><title>{p}</title><link href='{site.base}{p}'/><id>{p}</id>"
            f"<updated>{updated[p]}</updated></entry>"
            for p in ("/a.html", "/b.html")
        )
        body = (
            f"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>{entries}</feed>"
        )
        h.send(200, body.encode(), "application/atom+xml")

    @site.route("/sitemap.xml")
    def sitemap(h: Handler) -> None:
        locs = "".join(f"<url><loc>{site.base}{p}</loc></url>" for p in ("/a.html", "/c.html"))
        locs += "".join(f"<url><loc>{site.base}/slow/{i}.md</loc></url>" for i in range(slow))
        h.send(
            200,
            f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{locs}</urlset>".encode(),
            "application/xml",
        )

    article = PAGES["/d.md"].read_text("utf-8")

    def slow_page(i: int) -> None:
        def serve_slow(h: Handler) -> None:
            time.sleep(0.25)
            h.send(200, article.replace("Elevate", f"Elevate ({i})").encode(), "text/markdown")

        site.routes[f"/slow/{i}.md"] = serve_slow

    for i in range(slow):
        slow_page(i)
    return site


def write_config(root: Path, base: str, extra: str = "") -> Path:
    local = root / "local"
    local.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "farm" / "tdy-printer-drivereasy-mp620.md", local)
    config = root / "sources.toml"
    config.write_text(
        f"""out_dir = "out"
state = ".scraper/state.db"
archive = ".scraper/archive"
{extra}
[[sources]]
name = "feed"
feed = "{base}/feed.xml"
allow_private = true

[[sources]]
name = "map"
sitemap = "{base}/sitemap.xml"
allow_private = true

[[sources]]
name = "list"
urls = ["{base}/a.html", "{base}/d.md"]
allow_private = true

[[sources]]
name = "local"
path = "local"
""",
        "utf-8",
    )
    return config


def scraper(command: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", command, "--workers", "0", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def events(proc: subprocess.CompletedProcess[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert lines and lines[-1]["event"] == "summary", proc.stdout + proc.stderr
    return lines[:-1], lines[-1]


def snapshot(directory: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(directory)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture()
def site() -> Iterator[Site]:
    with serve(make_site()) as s:
        yield s


def test_second_run_writes_nothing_and_asks_conditionally(site: Site, tmp_path: Path) -> None:
    write_config(tmp_path, site.base)
    first = scraper("run", tmp_path)
    assert first.returncode == 0, first.stderr
    docs, summary = events(first)
    assert summary["new"] == 5 and summary["failed"] == 0  # a, b, c, d and the local file
    # /a.html is in the feed, the sitemap and the URL list: fetched and written once
    assert site.hits["/a.html"] == 1
    a_docs = [d for d in docs if str(d["url"]).endswith("/a.html")]
    assert [d["status"] for d in a_docs].count("new") == 1
    assert {d["reason"] for d in a_docs if d["status"] == "skipped"} == {"duplicate"}
    assert len(list((tmp_path / "out").rglob("*.md"))) == 5
    archives = sorted((tmp_path / ".scraper" / "archive").iterdir())
    before = snapshot(tmp_path / "out")

    second = scraper("run", tmp_path)
    assert second.returncode == 0, second.stderr
    _, summary = events(second)
    assert (summary["new"], summary["updated"], summary["unchanged"]) == (0, 0, 5)
    assert summary["archived"] == 0 and summary["copies"] == {"clusters": 0, "documents": 0, "largest": []}
    assert snapshot(tmp_path / "out") == before  # not a byte, not an mtime
    assert sorted((tmp_path / ".scraper" / "archive").iterdir()) == archives
    # the second requests were conditional; /c.html has no validators, its body hash decided
    assert "If-None-Match" in site.headers["/a.html"][-1]
    assert "If-None-Match" in site.headers["/d.md"][-1]
    assert site.hits["/c.html"] == 2
    # /b.html is only in the feed, whose date for it has not moved: not asked for at all
    assert site.hits["/b.html"] == 1


def test_upstream_change_rewrites_only_its_own_file(site: Site, tmp_path: Path) -> None:
    write_config(tmp_path, site.base)
    assert scraper("run", tmp_path).returncode == 0
    before = snapshot(tmp_path / "out")
    changed = (
        PAGES["/b.html"]
        .read_bytes()
        .replace(b"while she was gone.", b"while she was gone. A correction was added.", 1)
    )
    assert changed != PAGES["/b.html"].read_bytes()
    site.static("/b.html", changed, "text/html; charset=utf-8")
    site.updated["/b.html"] = "2024-11-01T00:00:00Z"  # type: ignore[attr-defined]
    proc = scraper("run", tmp_path)
    assert proc.returncode == 0, proc.stderr
    _, summary = events(proc)
    assert (summary["new"], summary["updated"], summary["unchanged"]) == (0, 1, 4)
    after = snapshot(tmp_path / "out")
    differ = sorted(k for k in after if after[k] != before.get(k))
    host = f"127.0.0.1-{site_port(site)}"
    assert differ == [f"{host}/b.audit.json", f"{host}/b.md"]
    assert "A correction was added." in (tmp_path / "out" / differ[1]).read_text("utf-8")


def site_port(site: Site) -> int:
    return int(site.base.rsplit(":", 1)[1])


def test_reclean_from_the_archive_equals_the_live_output(tmp_path: Path) -> None:
    with serve(make_site()) as live:
        write_config(tmp_path, live.base)
        assert scraper("run", tmp_path).returncode == 0
    live_out = snapshot(tmp_path / "out")
    shutil.rmtree(tmp_path / "out")
    # the server is gone: reclean needs no network
    proc = scraper("reclean", tmp_path)
    assert proc.returncode == 0, proc.stderr
    _, summary = events(proc)
    assert summary["new"] == 5 and summary["failed"] == 0
    assert {k: v[1] for k, v in snapshot(tmp_path / "out").items()} == {k: v[1] for k, v in live_out.items()}
    # and a second reclean rewrites nothing
    again = snapshot(tmp_path / "out")
    assert scraper("reclean", tmp_path).returncode == 0
    assert snapshot(tmp_path / "out") == again


def test_killed_run_leaves_nothing_partial_and_the_next_run_finishes(tmp_path: Path) -> None:
    with serve(make_site(slow=12)) as slow:
        reference = tmp_path / "reference"
        reference.mkdir()
        write_config(reference, slow.base)
        assert scraper("run", reference).returncode == 0
        expected = {k: v[1] for k, v in snapshot(reference / "out").items()}
        assert len([k for k in expected if k.endswith(".md")]) == 17

        work = tmp_path / "work"
        work.mkdir()
        write_config(work, slow.base)
        proc = subprocess.Popen(
            [sys.executable, "-m", "scraper", "run", "--workers", "0"],
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(list((work / "out").rglob("*.md"))) < 6:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        partial = snapshot(work / "out")
        # a write the kill interrupted leaves its temp file (.<name>.<random>.tmp), never a
        # partial document: every file under its own name is complete
        temp = [k for k in partial if k.rsplit("/", 1)[-1].startswith(".")]
        assert all(k.endswith(".tmp") for k in temp), temp
        written = {k: v for k, v in partial.items() if k not in temp}
        assert 6 <= len([k for k in written if k.endswith(".md")]) < 17
        for name, (_, data) in written.items():
            assert data == expected[name], name

        proc2 = scraper("run", work)
        assert proc2.returncode == 0, proc2.stderr
        # the next run sweeps the temp files and finishes the work
        assert {k: v[1] for k, v in snapshot(work / "out").items()} == expected


def test_an_overlapping_run_is_refused(site: Site, tmp_path: Path) -> None:
    write_config(tmp_path, site.base)
    with RunLock(tmp_path / ".scraper" / "state.db.lock"):
        proc = scraper("run", tmp_path)
    assert proc.returncode == 75
    assert "another run holds" in proc.stderr and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["event"] == "error"
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.md"))
    assert sum(site.hits.values()) == 0
    assert scraper("run", tmp_path).returncode == 0  # the lock went with its holder


def test_config_errors_name_the_key_before_anything_is_fetched(site: Site, tmp_path: Path) -> None:
    config = write_config(tmp_path, site.base, extra='colour = "blue"')
    proc = scraper("run", tmp_path)
    assert proc.returncode == 2 and "unknown key 'colour'" in proc.stderr
    config.write_text(
        config.read_text("utf-8").replace('colour = "blue"', "").replace('name = "map"', "name = 7")
    )
    proc = scraper("run", tmp_path)
    assert proc.returncode == 2 and "sources[1].name must be a string" in proc.stderr
    proc = scraper("run", tmp_path, "--config", "missing.toml")
    assert proc.returncode == 2 and "missing.toml: no such configuration file" in proc.stderr
    assert sum(site.hits.values()) == 0 and "Traceback" not in proc.stderr


def test_a_write_error_is_reported_and_the_rest_written(site: Site, tmp_path: Path) -> None:
    write_config(tmp_path, site.base)
    blocker = tmp_path / "out" / f"127.0.0.1-{site_port(site)}" / "b.md"
    blocker.mkdir(parents=True)  # a directory where the file must go
    proc = scraper("run", tmp_path)
    assert proc.returncode == 1, proc.stderr
    docs, summary = events(proc)
    failed = [d for d in docs if d["status"] == "failed"]
    assert [str(d["url"]).rsplit("/", 1)[-1] for d in failed] == ["b.html"]
    assert "cannot write output" in str(failed[0]["error"])
    assert summary["new"] == 4 and summary["failed"] == 1


def test_outputs_read_back_and_copies_are_linked(site: Site, tmp_path: Path) -> None:
    write_config(tmp_path, site.base)
    shutil.copy(FIXTURES / "farm" / "tdy-winforum-2checkout-bsod-dumps.md", tmp_path / "local")
    proc = scraper("run", tmp_path)
    _, summary = events(proc)
    # the farm's Markdown copy and the page it renders are one article: linked
    # (one cluster of two, named by its first output path)
    assert summary["copies"] == {
        "clusters": 1,
        "documents": 2,
        "largest": [{"representative": f"out/127.0.0.1-{site_port(site)}/c.md", "size": 2, "written": 2}],
    }
    out = tmp_path / "out"
    pair = (out / f"127.0.0.1-{site_port(site)}/c.md", out / "local/tdy-winforum-2checkout-bsod-dumps.md")
    prints = [str(frontmatter.loads(p.read_text("utf-8"))["fingerprint"]) for p in pair]
    assert distance(*prints) <= NEAR  # its other member: the farm's copy
    for md in (tmp_path / "out").rglob("*.md"):
        post = frontmatter.loads(md.read_text("utf-8"))
        assert post["fingerprint"] and post["retrieved_from"] and "original_source" in post
    local = frontmatter.loads((tmp_path / "out" / "local" / "tdy-printer-drivereasy-mp620.md").read_text())
    assert local["retrieved_from"] == "local/tdy-printer-drivereasy-mp620.md"
    assert os.sep not in str(local["retrieved_from"]).split("local/")[0]


def test_listed_pages_are_asked_again_after_the_revalidation_window(site: Site, tmp_path: Path) -> None:
    write_config(tmp_path, site.base, extra="revalidate_hours = 0")
    assert scraper("run", tmp_path).returncode == 0
    assert scraper("run", tmp_path).returncode == 0
    assert site.hits["/b.html"] == 2 and "If-None-Match" in site.headers["/b.html"][-1]
