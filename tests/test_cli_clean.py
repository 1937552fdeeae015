"""`scraper clean` as a user runs it: files, directories, stdin, --json, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, ROOT

FARM = FIXTURES / "farm"


def run(*args: str, stdin: bytes | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args], input=stdin, capture_output=True, cwd=cwd, timeout=120
    )


def test_batch_goes_on_after_bad_inputs(tmp_path: Path) -> None:
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "empty.md").write_bytes(b"")
    (bad / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (bad / "broken.md").write_bytes(b"---\ntitle: 'x\n---\ntext\n")
    shutil.copy(FARM / "tdy-winforum-minimal-social.md", bad / "good.md")
    out = tmp_path / "out"
    proc = run("clean", str(bad), str(tmp_path / "missing.md"), "-o", str(out), "--json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    by_name = {Path(d["input"]).name: d for d in report["documents"]}
    assert by_name["good.md"]["status"] == "ok"
    assert by_name["good.md"]["removed"]["ad_block"] == 6
    assert by_name["good.md"]["original_source"]["name"] == "Revo Uninstaller"
    assert set(by_name["good.md"]) == {"input", "output", "status", "error", "removed", "original_source"}
    for name, error in (
        ("empty.md", "empty file"),
        ("binary.md", "binary file"),
        ("broken.md", "front matter is not valid YAML"),
        ("missing.md", "no such file"),
    ):
        assert by_name[name]["status"] == "error" and error in by_name[name]["error"]
    errors = proc.stderr.decode().strip().splitlines()
    assert len(errors) == 4 and all(line.startswith("scraper: error: ") for line in errors)
    assert "Traceback" not in proc.stderr.decode()
    assert (out / "good.md").exists() and (out / "good.audit.json").exists()


def test_two_runs_are_byte_identical_and_second_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run("clean", str(FIXTURES), "-o", str(out))
    assert first.returncode == 0, first.stderr
    snapshot = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    second = run("clean", str(FIXTURES), "-o", str(out))
    assert second.returncode == 0
    assert b"written" not in second.stderr.replace(b"unchanged", b"")
    again = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    assert again == snapshot
    assert len([n for n in snapshot if n.endswith(".md")]) == 34  # every fixture page and copy, unseen/ too


def test_stdin_to_stdout() -> None:
    data = (FARM / "tdy-printer-drivereasy-mp620.md").read_bytes()
    proc = run("clean", "-", stdin=data)
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert out.startswith('---\ntitle: "[Compatibility Problem] Windows 10 Can\'t Find MP620 Drivers"')
    assert 'retrieved_from: "-"' in out and "adsbygoogle" not in out


def test_colliding_stems_get_distinct_names(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        shutil.copy(FARM / "tdy-winforum-minimal-social.md", tmp_path / sub / "post.md")
    out = tmp_path / "out"
    proc = run("clean", str(tmp_path / "b"), str(tmp_path / "a"), "-o", str(out), "--json")
    assert proc.returncode == 0
    names = {
        Path(d["input"]).parent.name: Path(d["output"]).name for d in json.loads(proc.stdout)["documents"]
    }
    assert names["a"] == "post.md"  # the first in sorted order keeps the plain name, whatever the order given
    assert names["b"].startswith("post-") and len(names["b"]) == len("post-12345678.md")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("clean").returncode == 2
    assert run("clean", "-", "--json", stdin=b"x").returncode == 2
    bad_rules = tmp_path / "rules.toml"
    bad_rules.write_text("[[selector]]\nname = 'x'\ncategory = 'ad_block'\ncss = 'div[['\n")
    proc = run("clean", str(FARM), "--rules", str(bad_rules), "-o", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "bad CSS selector" in proc.stderr.decode() and str(bad_rules) in proc.stderr.decode()
    bad_rules.write_text("[allow]\nselector = ['x']\n")
    proc = run("clean", str(FARM), "--rules", str(bad_rules), "-o", str(tmp_path / "o"))
    assert proc.returncode == 2 and "unknown key allow.'selector'" in proc.stderr.decode()


def test_no_attribution_line(tmp_path: Path) -> None:
    proc = run("clean", str(FARM / "000_022a837fca80a5ec.txt"), "-o", str(tmp_path), "--no-attribution-line")
    assert proc.returncode == 0
    text = (tmp_path / "000_022a837fca80a5ec.md").read_text()
    assert "Originally published by" not in text and "name: ZDNet" in text
    audit = json.loads((tmp_path / "000_022a837fca80a5ec.audit.json").read_text())
    assert audit["removed"]["ad_block"] == 4 and len(audit["removals"]) == sum(audit["removed"].values())
    assert next(r["line"] for r in audit["removals"] if r["category"] == "ad_block") == 59
