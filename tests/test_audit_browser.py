"""The HTML audit report of the bundled run in a real headless browser (tests/browser.py): it
loads without console errors; its counts are the JSON report's; an HTML page's removals sit
inside its article, between the lines they were cut from; rewritten words are marked inside
the line; filters come from the URL fragment and go back into it; the index sorts by any
column, by mouse and by keyboard. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, errors, require_browser, screenshot
from conftest import FIXTURES, ROOT

from cleaners import CATEGORIES

require_browser()

from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

RENDERED = "out/farm/tdy-winforum-2checkout-bsod-dumps.rendered.md"
FEED_ITEM = "out/printer-issues/printer-issues.techidaily.com-bypass-print-job-delay-quickly.md"
ZDNET = "out/farm/000_022a837fca80a5ec.md"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("audit")
    shutil.copytree(FIXTURES, root / "fixtures")
    shutil.copy(ROOT / "sources.toml", root)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}

    def scraper(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "scraper", *args], capture_output=True, text=True, cwd=root, env=env
        )

    assert scraper("run", "--workers", "0").returncode == 0
    proc = scraper("audit", "--html", "report.html", "--json")
    assert proc.returncode == 0, proc.stderr
    return root / "report.html", json.loads(proc.stdout)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def load(browser: Any, url: str) -> None:
    """A fresh load (going from report.html# to report.html would only change the fragment)."""
    browser.get("about:blank")
    browser.get(url)


def section(browser: Any, output: str) -> Any:
    def find(_: Any) -> Any:
        for sec in browser.find_elements(By.CSS_SELECTOR, "section.doc"):
            if sec.find_element(By.TAG_NAME, "h2").get_attribute("textContent") == output:
                return sec
        return None

    try:
        return WebDriverWait(browser, 10).until(find)
    except TimeoutException:
        shown = browser.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('section.doc h2'),"
            " function (h) { return h.textContent; })"
        )
        raise AssertionError(f"no section for {output} at {browser.current_url} among {shown}") from None


def lines_around(browser: Any, node: Any) -> tuple[str, str]:
    """The article lines just before and after a node (labels and cut elements skipped)."""
    script = """
      function line(n, step) {
        for (n = n[step]; n; n = n[step]) {
          var line = n.matches('.l') && !n.matches('.del, .boiler') && n.textContent.trim();
          if (line) { return n.textContent; }
        }
        return '';
      }
      return [line(arguments[0], 'previousElementSibling'), line(arguments[0], 'nextElementSibling')];
    """
    before, after = browser.execute_script(script, node)
    return str(before), str(after)


def test_report_loads_and_counts_agree(report: tuple[Path, dict[str, Any]], browser: Any) -> None:
    path, data = report
    html = path.read_text("utf-8")
    assert "<link" not in html and 'src="' not in html.split('<script type="application/json"')[0]
    load(browser, path.as_uri())
    assert errors(browser) == []
    totals = data["totals"]["removed"]
    n = len(data["documents"])
    assert int(browser.find_element(By.ID, "total-documents").text) == n == 47
    assert int(browser.find_element(By.ID, "total-removals").text) == sum(totals.values())
    assert browser.find_element(By.ID, "status").text == (
        f"showing {sum(totals.values())} of {sum(totals.values())} removals in {n} of {n} documents"
    )
    for category in CATEGORIES:
        shown = browser.find_element(By.CSS_SELECTOR, f'#filters .total[data-category="{category}"]')
        assert int(shown.text) == totals[category]
    rows = browser.find_elements(By.CSS_SELECTOR, "#index tbody tr")
    assert len(rows) == len(data["documents"])
    for row, doc in zip(rows, data["documents"], strict=True):
        assert row.find_element(By.CSS_SELECTOR, "td a").text == doc["output"]
        for category in CATEGORIES:
            cell = row.find_element(By.CSS_SELECTOR, f'td[data-category="{category}"]')
            assert int(cell.text) == doc["removed"][category], (doc["output"], category)
    screenshot(browser, "audit-report-index.png")

    # a filter click hides that category's removals and updates the counts; a second shows them
    def only_ad_block(text: str) -> bool:  # a change made by ad_block rules alone
        parts = text.removeprefix("# ").split("; ")
        return parts[0].startswith("ad_block/") and all(p.startswith(("ad_block/", "layout:")) for p in parts)

    labels = [e for e in browser.find_elements(By.CSS_SELECTOR, ".label") if only_ad_block(e.text)]
    assert len(labels) > 100
    box = browser.find_element(By.CSS_SELECTOR, '#filters input[value="ad_block"]')
    box.click()
    assert not any(e.is_displayed() for e in labels)
    shown = sum(totals.values()) - totals["ad_block"]
    assert browser.find_element(By.ID, "shown-removals").text == str(shown)
    assert "cat=" in browser.current_url and "ad_block" not in browser.current_url.split("#")[1]
    box.click()
    assert browser.find_element(By.ID, "shown-removals").text == str(sum(totals.values()))


def test_page_removals_are_inside_the_article(report: tuple[Path, dict[str, Any]], browser: Any) -> None:
    path, _ = report
    load(browser, path.as_uri())
    for output, snippet, before, after in (
        (
            RENDERED,
            "affiliate ads begin",
            "## Complete Disk Usage Overload in Windows S 10?",
            "How to fix 100% disk usage on Windows 10",
        ),
        (
            FEED_ITEM,
            "appsumo.8odi.net",
            "3. Scroll down to **Print Spooler** .",
            "1. Right-click **Print Spooler**",
        ),
    ):
        sec = section(browser, output)
        cut = next(e for e in sec.find_elements(By.CSS_SELECTOR, ".article > .l.del") if snippet in e.text)
        around = lines_around(browser, cut)
        assert around[0].startswith(before) and around[1].lstrip(" #[").startswith(after), around
        label = browser.execute_script("return arguments[0].previousElementSibling.textContent", cut)
        assert label.startswith("# ad_block/affiliate-ads-comments")
        browser.execute_script("arguments[0].scrollIntoView(); window.scrollBy(0, -300)", cut)
        screenshot(browser, f"audit-in-place-{Path(output).stem}.png")
    # the page chrome before the article is folded, with what was cut from it
    region = section(browser, RENDERED).find_element(By.CSS_SELECTOR, "details.region")
    assert "words of the page not in the article" in region.text and "in them" in region.text
    assert not region.get_attribute("open")
    # a link dropped with its text kept: the link's Markdown struck through around the text
    line = next(
        e
        for e in section(browser, FEED_ITEM).find_elements(By.CSS_SELECTOR, ".l.edit")
        if "](https://tools.techidaily.com/drivereasy/download/)" in e.text
    )
    assert [d.text for d in line.find_elements(By.TAG_NAME, "del")][:2] == [
        "[",
        "](https://tools.techidaily.com/drivereasy/download/)",
    ]


Report = tuple[Path, dict[str, Any]]


def test_rewritten_words_are_marked_inside_the_line(report: Report, browser: Any) -> None:
    path, _ = report
    load(browser, path.as_uri())
    line = next(
        e
        for e in section(browser, ZDNET).find_elements(By.CSS_SELECTOR, ".l.edit")
        if "Certified DevOps Engineer — Professional" in e.text
    )
    removed = [d.text for d in line.find_elements(By.TAG_NAME, "del")]
    added = [i.text for i in line.find_elements(By.TAG_NAME, "ins")]
    assert len(removed) == len(added) == 1
    assert removed[0].startswith("https://buy.geni.us/Proxy.ashx?")
    assert added[0] == "https://aws.amazon.com/certification/certified-devops-engineer-professional/"
    assert line.text.startswith("Companies in every business sector rely on Amazon Web Services")
    browser.execute_script("arguments[0].scrollIntoView(); window.scrollBy(0, -300)", line)
    screenshot(browser, "audit-word-marks.png")


def test_filters_come_from_the_url_fragment(report: tuple[Path, dict[str, Any]], browser: Any) -> None:
    path, data = report
    load(browser, path.as_uri() + "#cat=hijacked_link&doc=bypass")
    assert errors(browser) == []
    visible = [r for r in browser.find_elements(By.CSS_SELECTOR, "#index tbody tr") if r.is_displayed()]
    assert [r.find_element(By.TAG_NAME, "a").text for r in visible] == [FEED_ITEM]
    doc = next(d for d in data["documents"] if d["output"] == FEED_ITEM)
    assert browser.find_element(By.ID, "shown-removals").text == str(doc["removed"]["hijacked_link"])
    assert browser.find_element(By.ID, "shown-documents").text == "1"
    assert browser.find_element(By.CSS_SELECTOR, '#filters input[value="hijacked_link"]').is_selected()
    assert not browser.find_element(By.CSS_SELECTOR, '#filters input[value="ad_block"]').is_selected()
    assert browser.find_element(By.ID, "doc").get_attribute("value") == "bypass"
    sec = section(browser, FEED_ITEM)
    shown = [e.text for e in sec.find_elements(By.CSS_SELECTOR, ".label") if e.is_displayed()]
    assert shown and all(t.startswith("# hijacked_link/") for t in shown)
    screenshot(browser, "audit-filtered.png")
    # a filter set by hand goes into the fragment, so the view can be bookmarked
    browser.find_element(By.CSS_SELECTOR, '#filters input[value="adsense"]').click()
    fragment = browser.current_url.split("#", 1)[1]
    assert "cat=adsense%2Chijacked_link" in fragment and "doc=bypass" in fragment
    load(browser, path.as_uri() + "#view=summary")
    assert browser.find_element(By.ID, "summary").is_selected()
    assert not any(s.is_displayed() for s in browser.find_elements(By.CSS_SELECTOR, "section.doc"))


def test_index_sorts_by_any_column(report: Report, browser: Any) -> None:
    path, _ = report
    load(browser, path.as_uri())

    def column(key: str) -> list[str]:
        script = (
            "var i = Array.prototype.indexOf.call(document.querySelectorAll('#index th'), "
            "document.querySelector('#index th[data-key=\"' + arguments[0] + '\"]'));"
            "return Array.prototype.map.call(document.querySelectorAll('#index tbody tr'),"
            " function (tr) { return tr.children[i].textContent; });"
        )
        return [str(v) for v in browser.execute_script(script, key)]

    total = browser.find_element(By.CSS_SELECTOR, '#index th[data-key="total"] button')
    total.click()
    values = [int(v) for v in column("total")]
    assert values == sorted(values, reverse=True) and values[0] > values[-1]
    th = browser.find_element(By.CSS_SELECTOR, '#index th[data-key="total"]')
    assert th.get_attribute("aria-sort") == "descending"
    total.send_keys(Keys.ENTER)  # the keyboard sorts too
    assert [int(v) for v in column("total")] == sorted(values)
    assert th.get_attribute("aria-sort") == "ascending"
    assert "sort=total" in browser.current_url
    browser.find_element(By.CSS_SELECTOR, '#index th[data-key="c:unsafe"] button').click()
    unsafe = [int(v) for v in column("c:unsafe")]
    assert unsafe == sorted(unsafe, reverse=True)
    browser.find_element(By.CSS_SELECTOR, '#index th[data-key="publisher"] button').click()
    names = [v.lower() for v in column("publisher")]
    named = [n for n in names if n != "—"]  # documents with no publisher named come last
    assert names == sorted(named) + ["—"] * (len(names) - len(named)) and named
    # the documents follow the index's order, and each links back to it
    first = browser.find_element(By.CSS_SELECTOR, "#index tbody tr a")
    assert browser.find_element(By.CSS_SELECTOR, "section.doc h2").text == first.text
    first.click()
    back = browser.find_element(By.CSS_SELECTOR, "section.doc a.back")
    back.click()
    assert browser.execute_script("return document.getElementById('index').getBoundingClientRect().top") < 400
    screenshot(browser, "audit-sorted.png")


def test_a_large_report_draws_a_chunk_at_a_time(report: Report, browser: Any) -> None:
    """Past LAZY_AFTER documents: each document's data gzipped, drawn when near the view; the
    index and the documents drawn a chunk at a time (here 10 rows and 5 documents)."""
    from scraper.audit.data import find_documents, load_document
    from scraper.audit.html import render
    from scraper.audit.originals import OriginalFinder
    from scraper.sources.config import load_config

    path, _ = report
    root = path.parent
    files, _ = find_documents([root / "out"])
    finder = OriginalFinder.for_config(load_config(root / "sources.toml"), [root / "out"], None)
    docs = [load_document(f, finder) for f in files]
    assert all(d.view.placed in ("diff", "page") for d in docs)
    large = root / "large.html"
    large.write_text(render(docs, lazy_after=5, chunks=(10, 5)), "utf-8")
    n = len(docs)
    assert large.read_text("utf-8").count('<script type="application/gzip"') == n == 47
    load(browser, large.as_uri())
    assert browser.find_element(By.ID, "shown-documents").text == str(n)
    # the index is drawn 10 rows at a time, the next as its "more" button comes near the view
    rows = "#index tbody tr[data-doc]"
    drawn, text = browser.execute_script(  # one snapshot: more rows may be drawn at any moment
        "return [document.querySelectorAll(arguments[0]).length,"
        " document.querySelector('#index tr.more button').textContent]",
        rows,
    )
    assert drawn % 10 == 0 and 10 <= drawn < n
    assert text == f"{n - drawn} more documents: show them"
    more = browser.find_element(By.CSS_SELECTOR, "#index tr.more button")
    browser.execute_script("arguments[0].scrollIntoView()", more)
    WebDriverWait(browser, 10).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, rows)) == n)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#docs section.doc")) == 5
    later = browser.find_element(By.CSS_SELECTOR, "#docs > button.more")
    assert later.text == f"{n - 5} more documents: show them"
    browser.execute_script("arguments[0].click()", later)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#docs section.doc")) == 10
    first = browser.find_element(By.CSS_SELECTOR, "section.doc")
    WebDriverWait(browser, 20).until(lambda _: first.find_elements(By.CSS_SELECTOR, ".article .l"))
    # the last document: its chunk of documents drawn, it is drawn, earlier ones a click away
    browser.find_element(By.ID, "doc").send_keys("bypass")
    WebDriverWait(browser, 5).until(lambda b: b.find_element(By.ID, "shown-documents").text == "1")
    link = browser.find_element(By.CSS_SELECTOR, "#index tbody tr[data-doc] a[data-go]")
    browser.execute_script("arguments[0].click()", link)
    sec = section(browser, str(root / FEED_ITEM))
    WebDriverWait(browser, 20).until(lambda _: sec.find_elements(By.CSS_SELECTOR, ".article .l.del"))
    cut = next(e for e in sec.find_elements(By.CSS_SELECTOR, ".article > .l.del") if "appsumo" in e.text)
    assert lines_around(browser, cut)[0].startswith("3. Scroll down to **Print Spooler** .")
    browser.execute_script("document.getElementById('reset').click()")
    last = browser.find_elements(By.CSS_SELECTOR, "#index tbody tr[data-doc] a[data-go]")[-1]
    browser.execute_script("arguments[0].click()", last)
    target = browser.find_element(By.ID, "doc-" + last.get_attribute("data-go"))
    WebDriverWait(browser, 20).until(lambda _: target.find_elements(By.CSS_SELECTOR, ".article .l"))
    before = browser.find_element(By.CSS_SELECTOR, "#docs > :first-child")
    assert before.text == "show the 5 documents before"
    assert browser.execute_script("return arguments[0].nextElementSibling", before) == target
    assert errors(browser) == []
    screenshot(browser, "audit-large.png")
