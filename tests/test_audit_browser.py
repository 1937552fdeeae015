"""The HTML audit report in a real headless browser (Debian's chromium, driven by Selenium):
it loads without console errors, its counts equal the JSON report's, a category filter hides
and shows that category's removals. A screenshot goes to test-artifacts/audit-report.png.

Without chromium and chromedriver the test is skipped — unless SCRAPER_REQUIRE_BROWSER=1
(.ci/run sets it), when their absence is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT

from cleaners import CATEGORIES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "test-artifacts"
# nothing but the file under test: no update checks, sync, metrics, safe browsing …
QUIET_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-pings",
    "--metrics-recording-only",
    "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
)


def _available() -> bool:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)


if not _available():
    if os.environ.get("SCRAPER_REQUIRE_BROWSER") == "1":
        raise RuntimeError("SCRAPER_REQUIRE_BROWSER=1 but chromium, chromedriver or selenium is missing")
    pytest.skip("chromium/chromedriver/selenium not installed", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402


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
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in QUIET_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_report_in_a_real_browser(report: tuple[Path, dict[str, Any]], browser: Any) -> None:
    path, data = report
    html = path.read_text("utf-8")
    assert (
        "http://" not in html.split("<main>")[0]
        and "<link" not in html
        and "src=" not in html.split("<main>")[0]
    )
    browser.get(path.as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []

    # the counts shown are the JSON report's
    totals = data["totals"]["removed"]
    assert int(browser.find_element(By.ID, "total-documents").text) == len(data["documents"])
    assert int(browser.find_element(By.ID, "total-removals").text) == sum(totals.values())
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

    # a filter click hides that category's removals, and a second click shows them again
    only_ad_block = '.change[data-categories="ad_block"]'
    blocks = browser.find_elements(By.CSS_SELECTOR, only_ad_block)
    assert blocks
    browser.execute_script("arguments[0].scrollIntoView()", blocks[0])
    assert blocks[0].is_displayed()
    visible = int(browser.find_element(By.ID, "visible-changes").text)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "audit-report.png"))
    checkbox = browser.find_element(By.CSS_SELECTOR, '#filters input[value="ad_block"]')
    browser.execute_script("arguments[0].scrollIntoView()", checkbox)
    checkbox.click()
    assert not blocks[0].is_displayed()
    assert all(not b.is_displayed() for b in blocks)
    assert int(browser.find_element(By.ID, "visible-changes").text) == visible - len(blocks)
    checkbox.click()
    assert blocks[0].is_displayed()
    assert int(browser.find_element(By.ID, "visible-changes").text) == visible
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(ARTIFACTS / "audit-report-index.png"))
