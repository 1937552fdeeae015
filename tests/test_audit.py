"""`scraper audit` on real fixture pages: the diff shows only junk removed, each change labelled
with its rule; counts agree everywhere; the changes view follows upstream; an allow-list entry
plus `reclean` brings content back."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT
from siteserver import serve
from test_run import PAGES, make_site, write_config

from cleaners import CATEGORIES


def scraper(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=180,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


RUN_SUMMARY: dict[str, Any] = {}


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sources.toml run once over a copy of the fixtures."""
    root = tmp_path_factory.mktemp("run")
    shutil.copytree(FIXTURES, root / "fixtures")
    shutil.copy(ROOT / "sources.toml", root)
    proc = scraper(root, "run", "--workers", "0")
    assert proc.returncode == 0, proc.stderr
    RUN_SUMMARY.update(json.loads(proc.stdout.splitlines()[-1]))
    return root


def audit_json(root: Path, *args: str) -> dict[str, Any]:
    proc = scraper(root, "audit", "--json", *args)
    assert proc.returncode == 0, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def test_the_diff_shows_only_junk_removed(fixture_run: Path) -> None:
    report = audit_json(fixture_run)
    markdown = [d for d in report["documents"] if d["kind"] == "markdown"]
    assert len(markdown) == 19 and all(d["original_found"] for d in markdown)
    for doc in markdown:
        covered: set[int] = set()
        for r in doc["removals"]:
            if "line" in r:
                covered.update(range(r["line"], r["end_line"] + 1))
        original = (fixture_run / doc["input"]).read_text("utf-8").splitlines()
        for hunk in doc["hunks"]:
            old_line = hunk["old_start"]
            for line in hunk["lines"]:
                if line.startswith("-"):
                    # every removed line was taken by a recorded rule, or is a blank line
                    assert old_line in covered or not line[1:].strip(), (doc["output"], old_line, line)
                    assert original[old_line - 1] == line[1:]
                if not line.startswith("+"):
                    old_line += 1
            for change in hunk["changes"]:
                assert change["labels"], (doc["output"], hunk)
    zdnet = next(d for d in markdown if d["output"].endswith("000_022a837fca80a5ec.md"))
    removed = "\n".join(line for h in zdnet["hunks"] for line in h["lines"] if line.startswith("-"))
    assert "<!-- affiliate ads begin -->" in removed and "adsbygoogle" in removed
    assert "Tori Rubloff/ZDNet" not in removed  # the article's own words stay
    assert "Companies in every business sector rely on Amazon Web Services" in removed  # … rewritten:
    added = "\n".join(line for h in zdnet["hunks"] for line in h["lines"] if line.startswith("+"))
    assert "https://aws.amazon.com/certification/certified-devops-engineer-professional/)" in added
    labels = {(lab["category"], lab["rule"]) for h in zdnet["hunks"] for lab in h["labels"]}
    assert ("ad_block", "affiliate-ads-comments") in labels and ("affiliate_link", "geniuslink") in labels


def test_counts_agree_with_the_run_and_the_sidecars(fixture_run: Path) -> None:
    report = audit_json(fixture_run)
    total = dict.fromkeys(CATEGORIES, 0)
    for doc in report["documents"]:
        sidecar = json.loads((fixture_run / (doc["output"][: -len(".md")] + ".audit.json")).read_text())
        assert doc["removed"] == sidecar["removed"]
        for c in CATEGORIES:
            total[c] += doc["removed"][c]
    assert report["totals"]["removed"] == total
    # the first run wrote every document: its summary counted the same removals
    assert RUN_SUMMARY["new"] == report["totals"]["documents"] == 47
    assert RUN_SUMMARY["removed"] == total


def test_terminal_view_is_labelled_and_plain_when_piped(fixture_run: Path) -> None:
    proc = scraper(fixture_run, "audit", "out/farm/tdy-printer-systools-canon.md")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout  # piped: no colour codes
    assert "# ad_block/affiliate-ads-comments (comment-delimited affiliate ad block)" in proc.stdout
    assert "--- fixtures/farm/tdy-printer-systools-canon.md" in proc.stdout
    assert "Removals in 1 documents, by category" in proc.stdout and "hijacked_link" in proc.stdout
    bad = scraper(fixture_run, "audit", "nowhere")
    assert bad.returncode == 2 and "nowhere: no such file or directory" in bad.stderr


def test_changes_view_follows_an_upstream_change(tmp_path: Path) -> None:
    with serve(make_site()) as site:
        write_config(tmp_path, site.base)
        assert scraper(tmp_path, "run", "--workers", "0").returncode == 0
        first = audit_json(tmp_path, "--changes")
        assert {c["change"] for c in first["changes"]} == {"new"} and len(first["changes"]) == 5
        changed = (
            PAGES["/b.html"]
            .read_bytes()
            .replace(b"while she was gone.", b"while she was gone. A correction.")
        )
        site.static("/b.html", changed, "text/html; charset=utf-8")
        site.updated["/b.html"] = "2024-11-01T00:00:00Z"  # type: ignore[attr-defined]
        assert scraper(tmp_path, "run", "--workers", "0").returncode == 0
    (tmp_path / "local" / "tdy-printer-drivereasy-mp620.md").unlink()
    proc = scraper(tmp_path, "run", "--workers", "0")
    assert '"reason": "vanished"' in proc.stdout
    report = audit_json(tmp_path, "--changes", "--since", "1")
    kinds = sorted((c["change"], Path(c["output"]).name) for c in report["changes"])
    assert kinds == [("updated", "b.md"), ("vanished", "tdy-printer-drivereasy-mp620.md")]
    diff = next(c["diff"] for c in report["changes"] if c["change"] == "updated")
    edits = [line for line in diff if line[:1] in "-+" and not line.startswith(("---", "+++"))]
    # the changed sentence, and the fingerprint that follows the text: nothing else
    assert all("she was gone" in line or line[1:].startswith("fingerprint: ") for line in edits), edits
    assert any(line.startswith("+") and "A correction." in line for line in diff)
    text = scraper(tmp_path, "audit", "--changes", "--since", "1").stdout
    assert "changes after run 1 up to run 3: 0 new, 1 updated, 1 vanished" in text
    assert "while she was gone.{+ A correction.+}" in text  # the words added, in their line
    summary = scraper(tmp_path, "audit", "--changes", "--since", "1", "--summary", "--doc", "b.md").stdout
    assert summary.count("\n") == 2 and "updated  out/" in summary and "(-2 +2 lines)" in summary
    proc = scraper(tmp_path, "audit", "--changes", "--since", "1", "--html", "changes.html")
    assert proc.returncode == 0 and "changes report: changes.html (2 documents)" in proc.stderr
    assert "A correction." in (tmp_path / "changes.html").read_text("utf-8")


def test_an_allow_list_override_takes_effect_after_reclean(tmp_path: Path) -> None:
    (tmp_path / "farm").mkdir()
    shutil.copy(FIXTURES / "farm" / "tdy-printer-drivereasy-mp620.md", tmp_path / "farm")
    (tmp_path / "sources.toml").write_text('[[sources]]\nname = "farm"\npath = "farm"\n', "utf-8")
    assert scraper(tmp_path, "run").returncode == 0
    output = tmp_path / "out" / "farm" / "tdy-printer-drivereasy-mp620.md"
    link = "[**Download**](https://tools.techidaily.com/drivereasy/download/)"
    before = audit_json(tmp_path)["documents"][0]
    assert link in [r["snippet"] for r in before["removals"] if r["category"] == "hijacked_link"]
    assert link not in output.read_text("utf-8")
    # the auditor decides the download links are wanted: an allow-list entry, no Python
    (tmp_path / "keep.toml").write_text(
        "[allow]\nurls = ['^https://tools\\.techidaily\\.com/drivereasy/download/']\n", "utf-8"
    )
    (tmp_path / "sources.toml").write_text(
        'rules = ["keep.toml"]\n[[sources]]\nname = "farm"\npath = "farm"\n', "utf-8"
    )
    proc = scraper(tmp_path, "reclean")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["updated"] == 1
    after = audit_json(tmp_path)["documents"][0]
    assert after["removed"]["hijacked_link"] == 0
    assert {k: v for k, v in after["removed"].items() if k != "hijacked_link"} == {
        k: v for k, v in before["removed"].items() if k != "hijacked_link"
    }
    assert link in output.read_text("utf-8")
    changes = audit_json(tmp_path, "--changes")["changes"]
    assert [c["change"] for c in changes] == ["updated"]
    assert any(line.startswith("+") and link in line for line in changes[0]["diff"])


def test_unreadable_documents_and_state_get_one_line_and_the_rest_go_on(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("000_022a837fca80a5ec", "tdy-printer-drivereasy-mp620"):
        (out / f"{name}.md").write_text("---\ntitle: x\n---\n\nText.\n", "utf-8")
    (out / "000_022a837fca80a5ec.audit.json").write_text("{broken", "utf-8")
    (out / "tdy-printer-drivereasy-mp620.audit.json").write_text(
        json.dumps(
            {
                "kind": "html",
                "removals": [{"category": "adsense", "rule": "r", "reason": "x", "snippet": "s"}],
            }
        ),
        "utf-8",
    )
    proc = scraper(tmp_path, "audit", "--json", "out")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "000_022a837fca80a5ec.md: cannot read it or its audit record" in proc.stderr
    assert [d["removed"]["adsense"] for d in json.loads(proc.stdout)["documents"]] == [1]
    (out / "tdy-printer-drivereasy-mp620.audit.json").write_text('{"removals": [{"rule": 3}]}', "utf-8")
    proc = scraper(tmp_path, "audit", "out")
    assert (
        proc.returncode == 2 and proc.stderr.count("scraper: error:") == 2 and "Traceback" not in proc.stderr
    )
    (tmp_path / ".scraper").mkdir()
    (tmp_path / ".scraper" / "state.db").write_text("not a database", "utf-8")
    proc = scraper(tmp_path, "audit", "--changes")
    assert (
        proc.returncode == 2
        and "cannot read the state store" in proc.stderr
        and "Traceback" not in proc.stderr
    )
