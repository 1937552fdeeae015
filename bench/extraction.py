"""Main-text quality of `scraper clean` on public extraction benchmarks, against plain trafilatura.

    python bench/extraction.py [--corpus ../shared/corpus/extraction] [-v]

* trafilatura-eval (snippet ground truth): per page, snippets that must appear ("with") and
  boilerplate that must not ("without"); precision, recall and F1 over all snippets, as in
  trafilatura's own evaluation.
* mozilla readability test pages (expected article HTML): F1 over word 4-gram shingles,
  averaged per page (the ScrapingHub article-extraction-benchmark's measure).

Both extractors run on the same pages in the same run; a page that gives no text at all counts
as a page without output (and scores 0). Our output is Markdown: link targets, image syntax and
emphasis markers are stripped before scoring (they are not text), so both are compared on words.
`bench/quality.py` runs this together with the labelled farm copies.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402
from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from cleaners import load_rules  # noqa: E402
from scraper.errors import DocumentError  # noqa: E402
from scraper.model import CleanOptions, SourceDocument  # noqa: E402
from scraper.pipeline.core import clean_document  # noqa: E402
from scraper.pipeline.frontmatter import split  # noqa: E402

_WORD = re.compile(r"\w+", re.UNICODE)
Extractor = Callable[[Path, bytes], str]


def markdown_text(md: str) -> str:
    """The words of a Markdown body: syntax, link targets and images out, escapes undone."""
    body = split(md)[1]
    body = re.sub(r"^Originally published by .*$", "", body, flags=re.M)
    body = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", body)
    body = re.sub(r"\]\([^)]*\)", "]", body)
    body = re.sub(r"^\s*(?:#{1,6}|>|[*+-]|\d+\.)\s+", "", body, flags=re.M)
    body = re.sub(r"(?<![\w\\])[*_]+|(?<!\\)[*_]+(?!\w)|`+|^\|(?:---\|)+$", "", body, flags=re.M)
    body = re.sub(r"(?<!\\)[\[\]]", "", body).replace("|", " ")
    body = re.sub(r"\\(.)", r"\1", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def ours(opts: CleanOptions) -> Extractor:
    def extract(path: Path, data: bytes) -> str:
        try:
            return markdown_text(clean_document(SourceDocument(str(path), data), opts).markdown)
        except DocumentError:
            return ""

    return extract


def plain(path: Path, data: bytes) -> str:
    """trafilatura with its default options, as the benchmarks run it."""
    return re.sub(r"\s+", " ", trafilatura.extract(data.decode("utf-8", "replace")) or "")


@dataclass
class Score:
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    pages: int = 0
    empty: list[str] = field(default_factory=list)  # pages that gave no text at all
    worst: list[tuple[float, str]] = field(default_factory=list)  # (F1, page), lowest first


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def snippet_score(corpus: Path, extract: Extractor) -> Score:
    """trafilatura-eval: every "with" snippet found is a true positive, every "without" one a
    false positive; P/R/F1 over all snippets of all pages."""
    cases = json.loads((corpus / "evaldata.sample.json").read_text("utf-8"))
    tp = fn = fp = 0
    out = Score()
    per_page: list[tuple[float, str]] = []
    for case in cases.values():
        path = corpus / "html" / case["file"]
        if not path.exists():
            continue
        out.pages += 1
        norm = re.sub(r"\s+", " ", extract(path, path.read_bytes()))
        if not norm.strip():
            out.empty.append(case["file"])
        found = sum(re.sub(r"\s+", " ", s) in norm for s in case.get("with", []))
        leaked = sum(re.sub(r"\s+", " ", s) in norm for s in case.get("without", []))
        tp, fn, fp = tp + found, fn + len(case.get("with", [])) - found, fp + leaked
        page_p = found / (found + leaked) if found + leaked else 0.0
        page_r = found / len(case["with"]) if case.get("with") else 1.0
        per_page.append((_f1(page_p, page_r), case["file"]))
    out.precision = tp / (tp + fp) if tp + fp else 0.0
    out.recall = tp / (tp + fn) if tp + fn else 0.0
    out.f1 = _f1(out.precision, out.recall)
    out.worst = sorted(per_page)[:5]
    return out


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}


def shingle_score(corpus: Path, extract: Extractor) -> Score:
    """Readability test pages: F1 of word 4-gram shingles against the expected article, per page,
    averaged."""
    out = Score()
    ps: list[float] = []
    rs: list[float] = []
    per_page: list[tuple[float, str]] = []
    for page in sorted(p for p in corpus.iterdir() if (p / "source.html").exists()):
        expected = LexborHTMLParser((page / "expected.html").read_text("utf-8")).text(separator=" ")
        gold = shingles(expected)
        if not gold:
            continue
        got = extract(page / "source.html", (page / "source.html").read_bytes())
        if not got.strip():
            out.empty.append(page.name)
        pred = shingles(got)
        tp = len(gold & pred)
        p, r = (tp / len(pred) if pred else 0.0), tp / len(gold)
        ps.append(p)
        rs.append(r)
        per_page.append((_f1(p, r), page.name))
    n = len(per_page) or 1
    out.pages = len(per_page)
    out.precision, out.recall = sum(ps) / n, sum(rs) / n
    out.f1 = sum(f for f, _ in per_page) / n
    out.worst = sorted(per_page)[:5]
    return out


SETS: tuple[tuple[str, str, Callable[[Path, Extractor], Score]], ...] = (
    ("trafilatura-eval snippets", "trafilatura-eval", snippet_score),
    ("readability pages, 4-gram", "mozilla-readability-test-pages", shingle_score),
)


def extraction_report(corpus: Path, opts: CleanOptions, verbose: bool = False) -> list[str]:
    """Lines comparing us with plain trafilatura on each set (ours must be above on each)."""
    lines = []
    for title, folder, scorer in SETS:
        if not (corpus / folder).is_dir():
            lines.append(f"  {title:28s} (no {corpus / folder})")
            continue
        mine, theirs = scorer(corpus / folder, ours(opts)), scorer(corpus / folder, plain)
        for label, s in (("scraper", mine), ("trafilatura", theirs)):
            lines.append(
                f"  {title:28s} {label:12s} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}  "
                f"({s.pages} pages, {len(s.empty)} without output)"
            )
            if verbose and s.empty:
                lines.append(f"      without output: {', '.join(s.empty)}")
            if verbose:
                lines.append("      lowest: " + ", ".join(f"{n} {f:.3f}" for f, n in s.worst))
        verdict = "above" if mine.f1 > theirs.f1 and not mine.empty else "NOT above"
        lines.append(f"  {title:28s} difference   {mine.f1 - theirs.f1:+.3f} ({verdict})")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus/extraction"))
    ap.add_argument("-v", "--verbose", action="store_true", help="list pages without output, worst pages")
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"no corpus at {args.corpus} (give --corpus)")
    t = time.perf_counter()
    print("\n".join(extraction_report(args.corpus, CleanOptions(load_rules()), args.verbose)))
    print(f"({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
