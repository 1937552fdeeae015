"""Speed of `scraper clean`'s pipeline on one core, against plain trafilatura.

    python bench/clean.py [--rounds N] [--html-dir DIR ...]

Markdown: every Markdown fixture, documents/s and MB/s (target: >= 500 documents/s for
17 KB articles). HTML: every HTML fixture (plus pages under --html-dir), the full pipeline
(metadata, DOM cleaning, extraction, Markdown, attribution) against `trafilatura.extract(html)`
with default options on the same pages, in the same run, alternating (target: no slower).
Figures are the best of N rounds; pure functions only, no disk writes.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from cleaners import load_rules  # noqa: E402
from scraper.model import CleanOptions, SourceDocument  # noqa: E402
from scraper.pipeline.core import clean_document  # noqa: E402


def best_of(rounds: int, fn: Callable[[], None]) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=20, help="passes over the Markdown set per round")
    ap.add_argument("--html-dir", type=Path, action="append", default=[], help="more HTML pages (*.html)")
    args = ap.parse_args()

    opts = CleanOptions(load_rules())
    fixtures = ROOT / "fixtures"
    md = [p for p in sorted(fixtures.rglob("*")) if p.suffix in (".md", ".txt")]
    md_docs = [SourceDocument(str(p), p.read_bytes()) for p in md]
    big = [d for d in md_docs if len(d.data) >= 15_000]
    html = [p for p in sorted(fixtures.rglob("*.html"))]
    for extra in args.html_dir:
        html += sorted(extra.rglob("*.html"))
    html_docs = [SourceDocument(str(p), p.read_bytes()) for p in html]
    html_text = [d.data.decode("utf-8", "replace") for d in html_docs]
    for d in md_docs + html_docs:  # warm up: imports, caches, lexbor
        clean_document(d, opts)

    def md_run(docs: list[SourceDocument]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(args.repeat):
                for d in docs:
                    clean_document(d, opts)

        return run

    for label, docs in (("Markdown, all", md_docs), ("Markdown, >= 15 KB", big)):
        t = best_of(args.rounds, md_run(docs))
        n = len(docs) * args.repeat
        size = sum(len(d.data) for d in docs) * args.repeat
        print(
            f"{label:22s} {len(docs):3d} docs, mean {size / n / 1024:5.1f} KB: "
            f"{n / t:7.0f} documents/s  {size / t / 1e6:6.2f} MB/s  ({t / n * 1e3:.2f} ms/doc)"
        )

    def ours() -> None:
        for d in html_docs:
            with contextlib.suppress(Exception):  # a page with no article: still timed
                clean_document(d, opts)

    def plain() -> None:
        for text in html_text:
            trafilatura.extract(text)

    ours_t, plain_t = [], []
    for _ in range(args.rounds):
        ours_t.append(best_of(1, ours))
        plain_t.append(best_of(1, plain))
    size = sum(len(d.data) for d in html_docs)
    for label, t in (("HTML, scraper clean", min(ours_t)), ("HTML, trafilatura", min(plain_t))):
        print(
            f"{label:22s} {len(html_docs):3d} docs, mean {size / len(html_docs) / 1024:5.1f} KB: "
            f"{len(html_docs) / t:7.1f} documents/s  {size / t / 1e6:6.2f} MB/s  "
            f"({t / len(html_docs) * 1e3:.1f} ms/doc)"
        )
    print(
        f"HTML: scraper clean takes {min(ours_t) / min(plain_t):.2f}x the time of plain trafilatura.extract"
    )


if __name__ == "__main__":
    main()
