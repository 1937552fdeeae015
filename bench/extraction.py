"""Main-text quality of `scraper clean` on public extraction benchmarks, against plain trafilatura.

    python bench/extraction.py [--corpus ../shared/corpus/extraction]

* trafilatura-eval (snippet ground truth): per page, snippets that must appear ("with") and
  boilerplate that must not ("without"); precision, recall and F1 over all snippets, as in
  trafilatura's own evaluation.
* mozilla readability test pages (expected article HTML): F1 over word 4-gram shingles,
  averaged per page.

Our output is Markdown: link targets, image syntax and emphasis markers are stripped before
scoring (they are not text), so both extractors are compared on words only.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
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


def ours(opts: CleanOptions, path: Path, data: bytes) -> str:
    try:
        return markdown_text(clean_document(SourceDocument(str(path), data), opts).markdown)
    except DocumentError:
        return ""


def plain(data: bytes) -> str:
    return re.sub(r"\s+", " ", trafilatura.extract(data.decode("utf-8", "replace")) or "")


def snippet_scores(corpus: Path, opts: CleanOptions) -> dict[str, dict[str, float]]:
    cases = json.loads((corpus / "evaldata.sample.json").read_text("utf-8"))
    scores: dict[str, dict[str, float]] = {}
    for label in ("scraper", "trafilatura"):
        tp = fn = fp = tn = 0
        for case in cases.values():
            path = corpus / "html" / case["file"]
            if not path.exists():
                continue
            data = path.read_bytes()
            text = ours(opts, path, data) if label == "scraper" else plain(data)
            norm = re.sub(r"\s+", " ", text)
            for s in case.get("with", []):
                if re.sub(r"\s+", " ", s) in norm:
                    tp += 1
                else:
                    fn += 1
            for s in case.get("without", []):
                if re.sub(r"\s+", " ", s) in norm:
                    fp += 1
                else:
                    tn += 1
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        scores[label] = {"precision": p, "recall": r, "f1": f, "pages": len(cases)}
    return scores


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}


def shingle_scores(corpus: Path, opts: CleanOptions) -> dict[str, dict[str, float]]:
    pages = sorted(p for p in corpus.iterdir() if (p / "source.html").exists())
    out: dict[str, dict[str, float]] = {}
    for label in ("scraper", "trafilatura"):
        f1s, ps, rs = [], [], []
        for page in pages:
            data = (page / "source.html").read_bytes()
            expected = LexborHTMLParser((page / "expected.html").read_text("utf-8")).text(separator=" ")
            got = ours(opts, page / "source.html", data) if label == "scraper" else plain(data)
            gold, pred = shingles(expected), shingles(got)
            if not gold:
                continue
            tp = len(gold & pred)
            p = tp / len(pred) if pred else 0.0
            r = tp / len(gold)
            ps.append(p)
            rs.append(r)
            f1s.append(2 * p * r / (p + r) if p + r else 0.0)
        n = len(f1s)
        out[label] = {"precision": sum(ps) / n, "recall": sum(rs) / n, "f1": sum(f1s) / n, "pages": n}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "extraction")
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"no corpus at {args.corpus} (give --corpus)")
    opts = CleanOptions(load_rules())
    t = time.perf_counter()
    for name, scores in (
        ("trafilatura-eval snippets", snippet_scores(args.corpus / "trafilatura-eval", opts)),
        (
            "readability pages, 4-gram F1",
            shingle_scores(args.corpus / "mozilla-readability-test-pages", opts),
        ),
    ):
        for label, s in scores.items():
            print(
                f"{name:30s} {label:12s} precision {s['precision']:.3f}  recall {s['recall']:.3f}  "
                f"F1 {s['f1']:.3f}  ({int(s['pages'])} pages)"
            )
    print(f"({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
