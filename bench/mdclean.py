"""In-process CPU of the Markdown cleaner per document: `cleaners.clean_markdown` (and the page
context it needs) over farm copies, without start-up, reading or writing.

    python bench/mdclean.py [--docs 400] [--rounds 3] [--md-dir DIR ...] [--profile N]

The documents are the bundled farm copies of 15–22 KB (or every .md/.txt of that size under
--md-dir), repeated to `--docs`, as `bench/clean.py` takes them. Each round cleans them all in one
process (so caches warm as they do in one `scraper clean` run); the figure is the median round's
CPU time (`time.process_time`) per document. `digest` hashes every output text and removal
record: a change that keeps the output prints the same digest. `--profile N` prints the N
functions with the most own time (cProfile, one round).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clean import FIXTURES, farm_markdown

from cleaners import clean_markdown, load_rules, page_context
from cleaners.ruleset import RuleSet
from scraper.pipeline.attribution import self_urls
from scraper.pipeline.frontmatter import split


def clean_all(texts: list[str], rules: RuleSet) -> tuple[float, float, str]:
    """(CPU seconds of page_context, CPU seconds of clean_markdown, digest of the output)."""
    digest = hashlib.sha256()
    ctx_cpu = md_cpu = 0.0
    for text in texts:
        fm, body = split(text)
        data = dict(fm.data) if fm else {}
        t0 = time.process_time()
        ctx, _, _ = page_context(rules, text, None, list(self_urls(data)))
        t1 = time.process_time()
        result = clean_markdown(body, ctx, fm.line_count + 1 if fm else 1)
        t2 = time.process_time()
        ctx_cpu += t1 - t0
        md_cpu += t2 - t1
        digest.update(result.text.encode())
        for r in result.removals:
            digest.update(repr(r).encode())
    return ctx_cpu, md_cpu, digest.hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--md-dir", type=Path, action="append", default=[])
    ap.add_argument("--profile", type=int, default=0, help="print the N functions with most own time")
    args = ap.parse_args()
    sources = farm_markdown(args.md_dir or [FIXTURES])
    if not sources:
        sys.exit("bench: no Markdown farm copies of 15-22 KB found")
    texts = [sources[i % len(sources)].read_text(encoding="utf-8").lstrip("\ufeff") for i in range(args.docs)]
    rules = load_rules()
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(clean_all, texts, rules)
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.profile)
        return
    runs = [clean_all(texts, rules) for _ in range(args.rounds)]
    ctx_cpu = statistics.median(r[0] for r in runs)
    md_cpu = statistics.median(r[1] for r in runs)
    md_min = min(r[1] for r in runs)
    n = len(texts)
    print(
        f"{n} documents ({len(sources)} distinct), median of {args.rounds} rounds: "
        f"clean_markdown {md_cpu / n * 1000:.2f} ms CPU/doc ({n / md_cpu:.0f}/s; fastest round "
        f"{md_min / n * 1000:.2f} ms), "
        f"page_context {ctx_cpu / n * 1000:.3f} ms/doc; digest {runs[0][2]}"
    )
    if len({r[2] for r in runs}) != 1:
        sys.exit("bench: rounds gave different output")


if __name__ == "__main__":
    main()
