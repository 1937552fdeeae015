"""`scraper audit --html` for a small and a large set: build time, file size, and how fast the
report opens in Chromium.

    python bench/audit.py [--docs 4000] [--small 40]

The bundled sources are run once; their 37 outputs (Markdown farm copies, HTML pages, feed
items) are copied in turn under new names until there are `--docs` documents (each still finds
its original). Reported per set: documents, `scraper audit --html` wall and CPU time, report size,
and in headless Chromium (tests/browser.py): time to the load event, time until the report's
script is done (index and filters ready, the first documents rendered), time to jump to the
last document of the index's first chunk (drawn on demand), and time to apply a category
filter.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium  # noqa: E402


def scraper(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "scraper", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    if proc.returncode != 0:
        raise SystemExit(f"scraper {' '.join(args)} failed: {proc.stderr[-2000:]}")
    return proc


def make_set(root: Path, name: str, docs: int) -> Path:
    pairs = sorted((root / "out").rglob("*.md"))
    target = root / name
    for k in range(docs):
        md = pairs[k % len(pairs)]
        dest = target / f"{k // len(pairs):04d}" / md.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(md, dest)
        sidecar = md.with_name(md.name[: -len(".md")] + ".audit.json")
        shutil.copy(sidecar, dest.with_name(sidecar.name))
    return target


def measure(driver: Any, report: Path) -> dict[str, float]:
    driver.get("about:blank")
    driver.set_script_timeout(60)
    driver.get(report.as_uri())
    timing = driver.execute_async_script(  # once the load event has ended and the script is done
        "var done = arguments[0];"
        "(function wait() {"
        "  var n = performance.getEntriesByType('navigation')[0],"
        "      m = performance.getEntriesByName('report-ready');"
        "  if (n && n.loadEventEnd > 0 && m.length) { done([n.loadEventEnd, m[0].startTime]); }"
        "  else { setTimeout(wait, 10); } })();"
    )
    jump = driver.execute_async_script(
        "var done = arguments[0], t = performance.now();"
        "var links = document.querySelectorAll('#index a[data-go]'), a = links[links.length - 1];"
        "a.click();"
        "(function wait() {"
        "  var sec = document.getElementById('doc-' + a.getAttribute('data-go'));"
        "  if (sec && sec.querySelector('.article .l')) { done(performance.now() - t); }"
        "  else { setTimeout(wait, 5); } })();"
    )
    toggle = driver.execute_script(
        "var t = performance.now();"
        "document.querySelector('#filters input[value=\"ad_block\"]').click();"
        "document.body.getBoundingClientRect(); return performance.now() - t;"
    )
    return {"load_ms": timing[0], "ready_ms": timing[1], "jump_ms": jump, "filter_ms": toggle}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=4000)
    ap.add_argument("--small", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "fixtures", root / "fixtures")
        shutil.copy(ROOT / "sources.toml", root)
        scraper(root, "run", "--workers", "0")
        results = []
        for n in (args.small, args.docs):
            docs = make_set(root, f"set-{n}", n)
            report = root / f"report-{n}.html"
            start, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
            scraper(root, "audit", "--html", str(report), str(docs))
            build = time.perf_counter() - start
            cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - cpu
            size = report.stat().st_size
            row = {"documents": n, "build_s": round(build, 2), "build_cpu_s": round(cpu, 2), "bytes": size}
            results.append(row)
        with chromium() as driver:
            for r in results:
                report = root / f"report-{r['documents']}.html"
                measure(driver, report)  # warm-up: the browser's own start-up is not the report's
                best = min((measure(driver, report) for _ in range(3)), key=lambda m: m["ready_ms"])
                r.update({k: round(v) for k, v in best.items()})
        for r in results:
            print(json.dumps(r))


if __name__ == "__main__":
    main()
