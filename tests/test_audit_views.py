"""`scraper audit` views of the bundled run: the piped terminal output (golden, read and agreed
with), word-level marks, every document finding its original from another directory, HTML
pages placed in their article, narrowing, layout records, and inputs outside the known
directories refused.

Regenerate the goldens with `SCRAPER_UPDATE_GOLDEN=1 pytest tests/test_audit_views.py`, then
read `git diff tests/golden_audit`."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import ROOT
from siteserver import serve
from test_audit import audit_json, fixture_run, scraper  # noqa: F401  (fixture_run: a pytest fixture)
from test_run import make_site, write_config

GOLDEN_AUDIT = ROOT / "tests" / "golden_audit"  # the piped terminal output, read and agreed with
ZDNET = "out/farm/000_022a837fca80a5ec.md"
FEED_ITEM = "out/printer-issues/printer-issues.techidaily.com-bypass-print-job-delay-quickly.md"
PAGE = "out/pages/mozreadability-tmz-1.source.md"


def golden(name: str, text: str) -> None:
    """Compare with the golden; in update mode a golden that differs is rewritten and the test
    fails, so it never passes by comparing a file with what it just wrote."""
    path = GOLDEN_AUDIT / name
    same = path.exists() and path.read_text("utf-8") == text
    if os.environ.get("SCRAPER_UPDATE_GOLDEN") and not same:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, "utf-8")
        raise AssertionError(f"{path.name} rewritten: read git diff tests/golden_audit")
    assert path.exists(), f"no golden file {path.name}; set SCRAPER_UPDATE_GOLDEN=1 to create it"
    assert same, f"{path.name} differs; SCRAPER_UPDATE_GOLDEN=1 rewrites it"


def test_piped_terminal_output_is_the_golden_one(fixture_run: Path) -> None:  # noqa: F811
    for name, doc in (("zdnet.txt", ZDNET), ("feed-item.txt", FEED_ITEM), ("page.txt", PAGE)):
        proc = scraper(fixture_run, "audit", doc)
        assert proc.returncode == 0, proc.stderr
        assert "\x1b[" not in proc.stdout
        golden(name, proc.stdout)
    proc = scraper(fixture_run, "audit", "--summary")
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) > 37
    golden("summary.txt", proc.stdout)


def test_rewritten_words_are_marked_when_piped(fixture_run: Path) -> None:  # noqa: F811
    out = scraper(fixture_run, "audit", ZDNET, FEED_ITEM).stdout
    # a Markdown farm copy: the affiliate redirect rewritten inside its line
    assert "[Certified DevOps Engineer — Professional]([-https://buy.geni.us/Proxy.ashx?TSID=368250" in out
    assert "-]{+https://aws.amazon.com/certification/certified-devops-engineer-professional/+})" in out
    # a feed item of the cron run: a hijacked link dropped around its text, in its line
    assert "**[-[-]Driver Easy[-](https://tools.techidaily.com/drivereasy/download/)-]**" in out
    # the first hunk starts at the top: the opening --- and the title, the added keys marked
    first = out.split("@@", 2)[2]
    assert first.splitlines()[1:3] == [
        " ---",
        ' title: "Elevate Your Professional Status: Top 5 Strategies'
        ' for a Significant Career Advancement - Insights From ZDNet"',
    ]
    assert "+original_source:\n+  name: ZDNet\n" in first


def test_every_document_finds_its_original_from_another_directory(fixture_run: Path, tmp_path: Path) -> None:  # noqa: F811
    report = audit_json(tmp_path, "--config", str(fixture_run / "sources.toml"))
    docs = report["documents"]
    assert len(docs) == 47 and all(d["original_found"] for d in docs)
    pages = [d for d in docs if d["kind"] == "html"]
    assert len(pages) == 28 and all(d["placed"] == "page" and d["unplaced"] == 0 for d in pages)


def test_page_removals_are_placed_in_the_article(fixture_run: Path) -> None:  # noqa: F811
    doc = next(d for d in audit_json(fixture_run, FEED_ITEM)["documents"])
    hunk = next(h for h in doc["hunks"] if any("appsumo.8odi.net" in line for line in h["lines"]))
    lines = hunk["lines"]
    at = next(i for i, line in enumerate(lines) if "appsumo.8odi.net" in line)
    assert lines[at].startswith("-<!-- affiliate ads begin -->")
    assert lines[at - 1] == " 3. Scroll down to **Print Spooler** ."
    assert lines[at + 2] == " 1. Right-click **Print Spooler** and select **Stop** .  "
    labels = [c["labels"] for c in hunk["changes"] if c["line"] == at]
    assert labels == [[{"category": "ad_block", "rule": "affiliate-ads-comments"}]]
    # every removal of every page of the run is placed, each exactly once
    for d in audit_json(fixture_run)["documents"]:
        placed = [i for h in d["hunks"] for c in h["changes"] for i in c.get("removals", [])]
        assert sorted(placed) == list(range(len(d["removals"]))), d["output"]


def test_narrowing(fixture_run: Path) -> None:  # noqa: F811
    full = audit_json(fixture_run)
    only = audit_json(fixture_run, "--category", "hijacked_link")
    assert only["totals"]["removed"]["hijacked_link"] == full["totals"]["removed"]["hijacked_link"] == 306
    assert sum(only["totals"]["removed"].values()) == 306
    assert all(d["removed"]["hijacked_link"] for d in only["documents"])
    for d in only["documents"]:
        for h in d["hunks"]:
            for c in h["changes"]:  # each change shown is one a hijacked_link rule took part in
                assert any(lab["category"] == "hijacked_link" for lab in c["labels"]), c
    rule = audit_json(fixture_run, "--rule", "affiliate_link/geniuslink")
    savvy = "out/farm/tdy-savvy-zdnet-techradar-title-router-vpn.md"
    assert [d["output"] for d in rule["documents"]] == [ZDNET, savvy]
    doc = audit_json(fixture_run, "--doc", "*bypass*", "--doc", "000_022a")
    assert sorted(d["output"] for d in doc["documents"]) == [ZDNET, FEED_ITEM]
    summary = scraper(fixture_run, "audit", "--summary", "--category", "adsense").stdout.splitlines()
    assert f"{ZDNET}  <-  fixtures/farm/000_022a837fca80a5ec.txt | ZDNet | 2 removals: adsense 2" in summary
    none = scraper(fixture_run, "audit", "--doc", "no-such-document")
    assert none.returncode == 0 and "Removals in 0 documents" in none.stdout


def test_layout_records_are_not_removals(fixture_run: Path, tmp_path: Path) -> None:  # noqa: F811
    """Lazy-load swaps recorded as `layout` (the cleaner's coming record) count as layout."""
    sidecar = fixture_run / FEED_ITEM.replace(".md", ".audit.json")
    record = json.loads(sidecar.read_text("utf-8"))
    swaps = sum(1 for r in record["removals"] if r["rule"] == "lazy-placeholder")
    for r in record["removals"]:
        if r["rule"] == "lazy-placeholder":
            r["category"] = "layout"
    out = tmp_path / "out"
    out.mkdir()
    (out / "doc.md").write_bytes((fixture_run / FEED_ITEM).read_bytes())
    (out / "doc.audit.json").write_text(json.dumps(record), "utf-8")
    (tmp_path / "sources.toml").write_bytes((fixture_run / "sources.toml").read_bytes())
    (tmp_path / "fixtures").symlink_to(fixture_run / "fixtures")
    doc = audit_json(tmp_path)["documents"][0]
    assert swaps == 10 and doc["layout"] == swaps and doc["removed"]["tracking_pixel"] == 0
    assert sum(doc["removed"].values()) == len(record["removals"]) - swaps
    layout = audit_json(tmp_path, "--category", "layout")["documents"][0]
    edits = [line for h in layout["hunks"] for line in h["lines"] if line.startswith("+")]
    assert len(edits) == swaps and all("https://images.drivereasy.com/" in line for line in edits)
    assert "layout/lazy-placeholder" in scraper(tmp_path, "audit").stdout


def test_inputs_outside_the_known_directories_are_not_read(fixture_run: Path, tmp_path: Path) -> None:  # noqa: F811
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: x\n---\n\nTOP-SECRET-LINE\n", "utf-8")
    project = fixture_run / "fixtures" / "farm"
    (project / "link.md").symlink_to(secret)
    out = tmp_path / "out"
    out.mkdir()
    names = {"abs": str(secret), "up": "../secret.md", "link": "fixtures/farm/link.md", "etc": "/etc/shadow"}
    for stem, name in names.items():
        (out / f"{stem}.md").write_text("---\ntitle: x\n---\n\nText.\n", "utf-8")
        record = {"input": name, "kind": "markdown", "removals": []}
        (out / f"{stem}.audit.json").write_text(json.dumps(record), "utf-8")
    try:
        config = str(fixture_run / "sources.toml")
        for args in (("--json",), ("--html", str(tmp_path / "r.html")), ()):
            proc = scraper(tmp_path, "audit", "--config", config, *args, str(out))
            assert proc.returncode == 1 and "Traceback" not in proc.stderr
            lines = proc.stderr.splitlines()
            refused = [line for line in lines if "outside the directories audit reads" in line]
            assert len(refused) == 4 and "'/etc/shadow'" in proc.stderr, proc.stderr
            assert "TOP-SECRET" not in proc.stdout
        assert "TOP-SECRET" not in (tmp_path / "r.html").read_text("utf-8")
        report = json.loads(scraper(tmp_path, "audit", "--config", config, "--json", str(out)).stdout)
        assert [d["original_found"] for d in report["documents"]] == [False] * 4
    finally:
        (project / "link.md").unlink()


def test_absurd_records_do_not_stall_the_audit(tmp_path: Path) -> None:
    """A record claiming lines 1 to 10**15, a megabyte of path, a hundred copies of a snippet:
    each document is still audited (the views work on line ranges and cached lookups)."""
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "orig.md").write_text("---\ntitle: t\n---\n\nline\nline2\n", "utf-8")
    (out / "a.md").write_text("---\ntitle: t\n---\n\nline\n", "utf-8")
    removal = {"category": "c", "rule": "r", "reason": "x", "snippet": "line2", "line": 1, "end_line": 10**15}
    record = {"input": "orig.md", "kind": "markdown", "removals": [removal]}
    (out / "a.audit.json").write_text(json.dumps(record), "utf-8")
    links = "<a href=x>y</a>" * 3000
    (tmp_path / "orig.html").write_text(f"<p>hello world</p><div>{links}</div>", "utf-8")
    (out / "b.md").write_text("---\ntitle: t\n---\n\nhello world\n", "utf-8")
    base = {"category": "c", "rule": "r", "reason": "x"}
    url = {**base, "snippet": "z", "replacement": "q", "path": "x" * 10**6}
    cut = {**base, "snippet": "<a href=x>y</a>" * 10, "path": "div > a"}
    record = {"input": "orig.html", "kind": "html", "removals": [url] * 20 + [cut] * 100}
    (out / "b.audit.json").write_text(json.dumps(record), "utf-8")
    report = audit_json(tmp_path, "out")
    assert [d["removed"]["c"] for d in report["documents"]] == [1, 120]
    assert report["documents"][1]["unplaced"] == 120


def test_a_cron_run_over_http_is_audited_in_place_from_the_archive(tmp_path: Path) -> None:
    """Pages and a Markdown article fetched by `scraper run` from a site on 127.0.0.1: audited
    from another directory, each finds its archived original; piped, rewrites are word marks."""
    (tmp_path / "cron").mkdir()
    with serve(make_site()) as site:
        write_config(tmp_path / "cron", site.base)
        assert scraper(tmp_path / "cron", "run", "--workers", "0").returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = str(tmp_path / "cron" / "sources.toml")
    docs = audit_json(elsewhere, "--config", config)["documents"]
    fetched = [d for d in docs if d["input"].startswith("http://127.0.0.1")]
    assert len(fetched) == 4 and all(d["original_found"] for d in fetched)
    assert sorted(d["placed"] for d in fetched) == ["diff", "page", "page", "page"]
    assert all(d["unplaced"] == 0 for d in docs)
    out = scraper(elsewhere, "audit", "--config", config).stdout
    assert "[-https://buy.geni.us/Proxy.ashx?" in out and "{+https://aws.amazon.com/certification/" in out
    assert "~## [-[-]How to fix 100% disk usage on Windows 10[-](https://store.revouninstaller.com/" in out


def test_each_kind_of_record_is_found_in_the_page() -> None:
    """Replaying a page's records: an element removed, a link unwrapped after its URL steps, a
    URL rewritten in steps whose parameters were not contiguous, an attribute dropped, and a
    comment-delimited block — each found where the cleaner made it."""
    from scraper.audit.page import CUT, END, mark_page

    page = (
        "<p>One <span class=ad>AD</span> two <a href='https://farm.example/x?utm_source=y'>three</a>"
        " <a href='https://shop.example/p?ref=1&keep=2&tag=3'>four</a>"
        " <video poster='javascript:x' src='https://v.example/v.mp4'></video></p>"
        "<!-- ad begin --><div>junk</div><!-- ad end --><p>five</p>"
    )
    base = {"category": "c", "rule": "r", "reason": "x"}
    records = [
        {**base, "snippet": '<span class="ad">AD</span>', "path": "p > span.ad"},
        {**base, "snippet": "utm_source=y", "path": "p > a"},
        {
            **base,
            "snippet": '<a href="https://farm.example/x?utm_source=y">three</a>',
            "replacement": "three",
            "path": "p > a",
        },
        {**base, "snippet": "ref=1&tag=3", "replacement": "https://shop.example/p?keep=2", "path": "p > a"},
        {**base, "snippet": 'poster="javascript:x"', "path": "p > video"},
        {**base, "snippet": "<!-- ad begin --><div>junk</div><!-- ad end -->", "path": ""},
    ]
    marked = mark_page(page, records)
    assert marked.exact == set(range(6)) and not marked.unplaced and not marked.near
    html = str(marked.tree.body.html if marked.tree.body is not None else "")
    assert (
        f'One <{CUT} data-i="0"></{CUT}> two <{CUT} data-i="1 2"></{CUT}>three<{END} data-i="2"></{END}>'
        in html
    )
    assert f'<{CUT} data-i="3"></{CUT}><a href="https://shop.example/p?keep=2">four</a>' in html
    assert f'<{CUT} data-i="4"></{CUT}><video src="https://v.example/v.mp4"></video>' in html
    assert f'</p><{CUT} data-i="5"></{CUT}><p>five</p>' in html
