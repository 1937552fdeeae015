"""The HTML audit report is inert whatever the audit records hold: tampered sidecars (markup in
categories, rules, reasons and snippets, `</script>` and `<!--` where the report embeds JSON,
`javascript:` source URLs, a file name that is markup) give a report in which no script of
theirs runs — checked in a real browser — and a script that a missed escape would let into
the page is still refused by the report's Content-Security-Policy."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium, errors, require_browser, screenshot
from conftest import ROOT

require_browser()

from selenium.webdriver.common.by import By  # noqa: E402

PWN = "document.title='pwned';window.pwned=1"
VECTORS = [
    f'x" onmouseover="{PWN}" data-x="',
    f"</script><script>{PWN}</script>",
    f"<!--<script>{PWN}</script>",
    f'<img src=x onerror="{PWN}"><svg onload="{PWN}">',
    "\u2028\u2029</SCRIPT >\x00<!-- -->",
]
BAD_URLS = [
    f"javascript:{PWN}",
    f" JaVa\tScRiPt:{PWN}",
    f"java&#10;script:{PWN}",
    f"data:text/html,<script>{PWN}</script>",
]


def _record(i: int, vector: str, url: str) -> dict[str, Any]:
    removal = {"category": vector, "rule": vector, "reason": vector, "snippet": vector, "path": vector}
    return {
        "input": url,
        "output": "x.md",
        "kind": "html" if i % 2 else "markdown",
        "retrieved_from": url,
        "original_source": {"name": vector, "url": url},
        "fingerprint": vector,
        "removed": {vector: 3},
        "removals": [
            removal,
            {**removal, "category": "ad_block", "replacement": vector},
            {**removal, "category": "unsafe", "rule": "script-element", "line": 2, "end_line": 3},
        ],
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tampered sidecars next to cleaned documents that hold the vectors too; the report."""
    root = tmp_path_factory.mktemp("hostile")
    out = root / "out"
    out.mkdir()
    names = [f"doc{i}" for i in range(len(VECTORS))] + [f'<img src=x onerror="{PWN}">']
    for i, name in enumerate(names):
        vector = VECTORS[i % len(VECTORS)]
        (out / f"{name}.md").write_text(f"---\ntitle: {vector}\n---\n\n{vector}\n\nText.\n", "utf-8")
        record = _record(i, vector, BAD_URLS[i % len(BAD_URLS)])
        (out / f"{name}.audit.json").write_text(json.dumps(record), "utf-8")
    # an original that is found, holding the vectors: a diff of hostile lines
    (root / "orig.md").write_text("---\ntitle: t\n---\n\n" + "\n".join(VECTORS) + "\n", "utf-8")
    record = _record(0, VECTORS[1], "orig.md")
    (out / "found.md").write_text("---\ntitle: t\n---\n\nText.\n", "utf-8")
    (out / "found.audit.json").write_text(json.dumps(record), "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "scraper", "audit", "--html", "report.html", "out"],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return root / "report.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


INERT = """
  var bad = [];
  document.querySelectorAll('*').forEach(function (el) {
    for (var a of el.attributes) {
      if (/^on/i.test(a.name)) { bad.push(el.tagName + ' ' + a.name); }
      if (/^(href|src|action|formaction|srcdoc)$/i.test(a.name) && !/^(https?:|#)/i.test(a.value)) {
        bad.push(el.tagName + ' ' + a.name + '=' + a.value);
      }
    }
    if (/^(SCRIPT|IFRAME|OBJECT|EMBED|IMG|SVG|FORM|BASE|META|LINK)$/i.test(el.tagName)
        && !(el.tagName === 'SCRIPT' && (el.type === 'application/json' || !el.src))
        && !(el.tagName === 'META')) {
      bad.push('element ' + el.tagName);
    }
  });
  return bad;
"""


def _poke(browser: Any) -> None:
    """Everything a reader could do: open every fold, hover and click every element."""
    browser.execute_script(
        "document.querySelectorAll('details').forEach(function (d) { d.open = true; });"
        "document.querySelectorAll('*').forEach(function (el) {"
        "  ['mouseover', 'focus', 'click'].forEach(function (t) {"
        "    if (el.tagName !== 'A') { el.dispatchEvent(new Event(t, {bubbles: true})); } }); });"
    )


def test_tampered_sidecars_cannot_run_script(hostile: Path, browser: Any) -> None:
    browser.get(hostile.as_uri())
    assert errors(browser) == []
    title = browser.title
    assert title == "scraper audit"
    docs = browser.find_elements(By.CSS_SELECTOR, "section.doc")
    assert len(docs) == len(VECTORS) + 2
    # the vectors are shown, as text
    text = browser.find_element(By.TAG_NAME, "main").get_attribute("textContent")
    assert "</script><script>" in text and 'onerror="' in text and "<!--<script>" in text
    _poke(browser)
    assert browser.execute_script("return window.pwned") is None
    assert browser.title == title
    assert browser.execute_script(INERT) == []
    # no link to anything but http(s) and the report itself
    hrefs = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")]
    assert hrefs and all(h.startswith(("http://", "https://", hostile.as_uri())) for h in hrefs)
    assert not any("pwned" in h for h in hrefs)
    assert errors(browser) == []
    screenshot(browser, "audit-hostile.png")


def test_a_missed_escape_still_cannot_run(hostile: Path, browser: Any) -> None:
    """What a bug in an escape would let through is refused by the page's policy."""
    html = hostile.read_text("utf-8")
    injected = (
        f'<script>{PWN}</script><img src=x onerror="{PWN}">'
        f'<a id=js href="javascript:{PWN}">x</a><iframe srcdoc="<script>parent.{PWN}</script>"></iframe>'
        '<link rel=stylesheet href="http://127.0.0.1:9/x.css"><script src="http://127.0.0.1:9/x.js"></script>'
    )
    page = hostile.with_name("injected.html")
    page.write_text(html.replace("<main>", "<main>" + injected, 1), "utf-8")
    browser.get(page.as_uri())
    browser.find_element(By.ID, "js").click()
    assert browser.execute_script("return window.pwned") is None
    assert browser.title == "scraper audit"
    blocked = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert blocked and all("Content Security Policy" in m for m in blocked), blocked
    # the report itself still works under the policy
    assert browser.find_element(By.ID, "shown-documents").text == str(len(VECTORS) + 2)


def test_embedded_json_cannot_end_its_script_element(hostile: Path) -> None:
    html = hostile.read_text("utf-8")
    blocks = re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>', html, re.S)
    assert len(blocks) == len(VECTORS) + 3
    for block in blocks:
        assert not re.search(r"[<>&\u2028\u2029]", block)
        json.loads(block)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy is not None
    assert "default-src 'none'" in policy.group(1) and "unsafe-inline" not in policy.group(1)
    assert html.count("<script>") == 2  # the report's own scripts, allowed by their hashes
