"""A real headless browser for the HTML audit report's tests: Debian's chromium, driven by
Selenium, with everything but the file under test switched off. Without chromium and
chromedriver the importing test module is skipped — unless SCRAPER_REQUIRE_BROWSER=1 (.ci/run
sets it), when their absence is a failure. Screenshots go to test-artifacts/ (CI keeps them)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
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


def require_browser() -> None:
    """Skip the calling test module when there is no browser to drive (fail under CI)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        ok = False
    else:
        ok = os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)
    if ok:
        return
    if os.environ.get("SCRAPER_REQUIRE_BROWSER") == "1":
        raise RuntimeError("SCRAPER_REQUIRE_BROWSER=1 but chromium, chromedriver or selenium is missing")
    pytest.skip("chromium/chromedriver/selenium not installed", allow_module_level=True)


@contextmanager
def chromium() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

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


def errors(driver: Any, allow_csp: bool = False) -> list[dict[str, Any]]:
    """Console errors since the last call (Content-Security-Policy reports allowed if asked)."""
    out = []
    for entry in driver.get_log("browser"):
        if entry["level"] not in ("SEVERE", "ERROR"):
            continue
        if allow_csp and "Content Security Policy" in entry["message"]:
            continue
        out.append(entry)
    return out


def screenshot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / name))
