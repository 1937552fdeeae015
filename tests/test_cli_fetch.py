"""`scraper fetch` as a user runs it, against the local test server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from siteserver import Site, fault_site, serve


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve(fault_site()) as s:
        yield s


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", "fetch", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_fetch_json_report_and_exit_status(site: Site, tmp_path: Path) -> None:
    proc = run(
        f"{site.base}/page.html",
        f"{site.base}/image.png",
        f"{site.base}/500",
        "ftp://example.com/x",
        "--allow-private",
        "--json",
        "--attempts",
        "1",
        "--workers",
        "0",
        "-o",
        "out",
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    docs = {d["url"].replace(site.base, ""): d for d in json.loads(proc.stdout)["documents"]}
    page = docs["/page.html"]
    assert page["status"] == "ok" and page["original_source"]["name"] == "Revo Uninstaller"
    assert page["removed"]["ad_block"] >= 17 and Path(tmp_path, page["output"]).exists()
    assert docs["/image.png"]["status"] == "skipped" and docs["/image.png"]["reason"] == "content-type"
    assert docs["/500"]["status"] == "error" and docs["/500"]["reason"] == "http-500"
    assert docs["ftp://example.com/x"]["reason"] == "scheme"
    assert "Traceback" not in proc.stderr
    # state kept in .scraper/state.db: the second run asks conditionally and writes nothing
    again = run(
        f"{site.base}/page.html", "--allow-private", "--json", "--workers", "0", "-o", "out", cwd=tmp_path
    )
    assert again.returncode == 0
    assert json.loads(again.stdout)["documents"][0]["status"] == "not_modified"


def test_fetch_refuses_loopback_without_allow_private(site: Site, tmp_path: Path) -> None:
    proc = run(f"{site.base}/page.html", "--workers", "0", "--no-state", cwd=tmp_path)
    assert proc.returncode == 1
    assert "refused to connect" in proc.stderr and "--allow-private" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_fetch_plain_progress_lines_when_not_a_terminal(site: Site, tmp_path: Path) -> None:
    proc = run(f"{site.base}/article.md", "--allow-private", "--workers", "1", "--no-state", cwd=tmp_path)
    assert proc.returncode == 0
    assert f"ok {site.base}/article.md -> out/127.0.0.1-" in proc.stderr
    assert "fetch: 1 ok" in proc.stderr
    quiet = run(
        f"{site.base}/article.md", "--allow-private", "--workers", "0", "--no-state", "-q", cwd=tmp_path
    )
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_fetch_usage_errors(tmp_path: Path) -> None:
    assert run(cwd=tmp_path).returncode == 2
    assert run("http://x", "--per-host", "0", cwd=tmp_path).returncode == 2
