"""Chaos from the operator's side, through the command line: careless configuration, a state
store that is busy, foreign or newer, inputs that are not files, sites that are down. Each ends
with one line and the exit status the README gives — never a traceback, never a hang."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chaossite import article, chaos_site, closed_port, robots_503_site
from conftest import FIXTURES, ROOT
from siteserver import Site, serve

from scraper.cli.run import run_command
from scraper.errors import UsageError
from scraper.sources.config import load_config
from scraper.store import state as state_module


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve(chaos_site()) as s:
        yield s


def scraper(cwd: Path, *args: str, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=180,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )


def sources(root: Path, body: str, top: str = "") -> Path:
    path = root / "sources.toml"
    path.write_text(f'out_dir = "out"\n{top}\n{body}', "utf-8")
    return path


def lines(proc: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in proc.stdout.splitlines()]


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("scraper: error:")]
    assert len(errors) == 1, proc.stderr
    return errors[0]


@pytest.mark.parametrize(
    ("top", "key"),
    [
        ("delay = inf", "delay"),
        ("timeout = nan", "timeout"),
        ("timeout = 0", "timeout"),
        ("revalidate_hours = -1", "revalidate_hours"),
        ("max_pages = 1_000_000_000", "max_pages"),
        ("workers = -1", "workers"),
        ("clean_budget = 0", "clean_budget"),
        ("max_depth = 1e3", "max_depth"),
    ],
)
def test_careless_numbers_are_refused(tmp_path: Path, top: str, key: str) -> None:
    config = sources(tmp_path, '[[sources]]\nname = "s"\nurls = ["http://127.0.0.1:9/x"]\n', top)
    with pytest.raises(UsageError, match=f"{key} must be"):
        load_config(config)


def test_a_careless_number_stops_the_run_before_any_request(site: Site, tmp_path: Path) -> None:
    before = sum(site.hits.values())
    body = f'[[sources]]\nname = "s"\nurls = ["{site.base}/collide/a-b"]\nallow_private = true\ndelay = inf\n'
    sources(tmp_path, body)
    proc = scraper(tmp_path, "run", "--workers", "0")
    assert proc.returncode == 2
    assert "sources[0] (s).delay must be at least 0 and at most 3600, not inf" in one_error_line(proc)
    assert sum(site.hits.values()) == before and not (tmp_path / "out").exists()


def test_a_site_that_is_down_fails_the_run(tmp_path: Path) -> None:
    with serve(robots_503_site()) as down:
        urls = [
            f"http://127.0.0.1:{closed_port()}/a",
            "http://no-such-host.invalid/b",
            down.base + "/page.md",
        ]
        listed = ", ".join(f'"{u}"' for u in urls)
        urls.append("http://[fd00::1]/c")  # private: refused before any packet is sent
        sources(
            tmp_path,
            f'[[sources]]\nname = "s"\nurls = [{listed}]\nallow_private = true\n'
            f'[[sources]]\nname = "p"\nurls = ["{urls[-1]}"]\n',
        )
        proc = scraper(tmp_path, "run", "--workers", "0", "--log", "jsonl")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    docs = {d["url"]: d for d in lines(proc) if d["event"] == "document"}
    assert [(docs[u]["status"], docs[u]["reason"]) for u in urls] == [
        ("failed", "connect"),
        ("failed", "dns"),
        ("failed", "robots-unavailable"),
        ("failed", "blocked-address"),
    ]
    assert lines(proc)[-1]["failed"] == 4 and down.hits["/page.md"] == 0
    # scraper fetch says the same, with its own exit status
    fetch = scraper(tmp_path, "fetch", "--json", "--attempts", "1", "--no-state", urls[1])
    assert fetch.returncode == 1 and "Traceback" not in fetch.stderr
    assert json.loads(fetch.stdout)["documents"][0]["reason"] == "dns"


def test_inputs_that_are_not_files_are_skipped_and_big_ones_refused(tmp_path: Path) -> None:
    local = tmp_path / "local"
    local.mkdir()
    (local / "good.md").write_bytes((FIXTURES / "farm" / "tdy-printer-drivereasy-mp620.md").read_bytes())
    os.mkfifo(local / "pipe.md")
    (local / "zero.md").symlink_to("/dev/zero")
    with open(local / "big.md", "wb") as fh:
        fh.truncate(11 * 1024 * 1024)  # over the 10 MB body limit
    sources(tmp_path, '[[sources]]\nname = "local"\npath = "local"\n')
    proc = scraper(tmp_path, "run", "--workers", "0", "--log", "jsonl")
    assert proc.returncode == 1, proc.stderr
    docs = {Path(d["url"]).name: d for d in lines(proc) if d["event"] == "document"}
    assert (docs["pipe.md"]["status"], docs["pipe.md"]["reason"]) == ("skipped", "not-a-file")
    assert "FIFO" in docs["pipe.md"]["error"]
    assert (docs["zero.md"]["status"], docs["zero.md"]["reason"]) == ("skipped", "not-a-file")
    assert (docs["big.md"]["status"], docs["big.md"]["reason"]) == ("failed", "too-large")
    assert docs["good.md"]["status"] == "new"


def test_a_foreign_newer_or_broken_state_store_is_one_line_and_exit_2(site: Site, tmp_path: Path) -> None:
    sources(tmp_path, f'[[sources]]\nname = "s"\nurls = ["{site.base}/collide/a-b"]\nallow_private = true\n')
    store = tmp_path / ".scraper" / "state.db"
    store.parent.mkdir()
    db = sqlite3.connect(store)
    db.execute("CREATE TABLE urls (id INTEGER PRIMARY KEY, href TEXT)")
    db.commit()
    db.close()
    assert "not a scraper state store" in one_error_line(proc := scraper(tmp_path, "run", "--workers", "0"))
    assert proc.returncode == 2
    store.unlink()
    db = sqlite3.connect(store)
    db.execute("PRAGMA user_version = 99")
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    proc = scraper(tmp_path, "run", "--workers", "0")
    assert proc.returncode == 2 and "newer scraper (schema 99" in one_error_line(proc)
    store.write_bytes(b"this is not a database" * 100)
    proc = scraper(tmp_path, "run", "--workers", "0")
    assert proc.returncode == 2 and "not a scraper state store" in one_error_line(proc)
    store.unlink()
    (tmp_path / "archive-file").write_text("x")
    proc = scraper(
        tmp_path,
        "run",
        "--workers",
        "0",
        "--config",
        str(
            sources(
                tmp_path,
                f'[[sources]]\nname = "s"\nurls = ["{site.base}/collide/a-b"]\n',
                'archive = "archive-file"',
            )
        ),
    )
    assert proc.returncode == 2 and "archive directory" in one_error_line(proc)


def test_a_busy_state_store_is_waited_for_then_exit_3(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = sources(
        tmp_path, f'[[sources]]\nname = "s"\nurls = ["{site.base}/collide/a-b"]\nallow_private = true\n'
    )
    assert run_command("run", config, "jsonl", 0, True, False) == 0
    monkeypatch.setattr(state_module, "STATE_BUSY_S", 0.5)
    holder = sqlite3.connect(tmp_path / ".scraper" / "state.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        capsys.readouterr()
        assert run_command("run", config, "jsonl", 0, True, False) == 3
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "locked" in err and "Traceback" not in err


def test_small_promises(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    bom = inputs / "bom.md"
    bom.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "farm" / "tdy-printer-drivereasy-mp620.md").read_bytes())
    (inputs / "two\nlines.md").write_bytes(b"\x00\x01binary")
    proc = scraper(tmp_path, "clean", "in", "-o", "out", umask=0o027)
    assert proc.returncode == 1
    assert "two\\nlines.md" in one_error_line(proc)  # one error, one line
    written = tmp_path / "out" / "bom.md"
    assert written.read_bytes().startswith(b"\xef\xbb\xbf---\n")  # the front matter byte for byte
    assert stat.S_IMODE(written.stat().st_mode) == 0o640  # the umask, not 0600
    assert stat.S_IMODE((tmp_path / "out" / "bom.audit.json").stat().st_mode) == 0o640
    proc = scraper(tmp_path, "clean", "in/bom.md", "-o", "out22", umask=0o022)
    assert stat.S_IMODE((tmp_path / "out22" / "bom.md").stat().st_mode) == 0o644


def test_the_lock_of_a_killed_run_is_taken_over_with_a_note(site: Site, tmp_path: Path) -> None:
    sources(tmp_path, f'[[sources]]\nname = "s"\nurls = ["{site.base}/collide/a-b"]\nallow_private = true\n')
    lock = tmp_path / ".scraper" / "state.db.lock"
    lock.parent.mkdir()
    lock.write_text("pid 999999999, started 2024-01-01 00:00:00\n")  # left by a run killed with -9
    proc = scraper(tmp_path, "run", "--workers", "0", "--log", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert "took over the lock of a run that ended without releasing it (pid 999999999" in proc.stderr
    assert lock.read_text() == ""  # released


def test_an_ipv6_literal_in_the_sources_file_runs(tmp_path: Path) -> None:
    v6 = Site()
    v6.static("/page.md", article("v6"), "text/markdown")
    with serve(v6, host="::1"):
        sources(tmp_path, f'[[sources]]\nname = "s"\nurls = ["{v6.base}/page.md"]\nallow_private = true\n')
        proc = scraper(tmp_path, "run", "--workers", "0", "--log", "jsonl")
    assert proc.returncode == 0, proc.stderr
    [doc] = [d for d in lines(proc) if d["event"] == "document"]
    assert doc["status"] == "new" and "/ipv6---1-" in doc["output"]
