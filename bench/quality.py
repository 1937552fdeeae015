"""Cleaning quality on labelled farm copies and extraction benchmarks, against the targets.

    python bench/quality.py [CORPUS] [-v] [--only labels|extraction] [--file NAME ...]

CORPUS (default `../shared/corpus`) holds `labels/` with `farm2/` (labelled farm copies: the
schema is in `labels/README.md`) and `extraction/` (pages with ground-truth main text).

* Labels: every file is cleaned by the whole pipeline (as `scraper clean` does); per junk
  category the share of `must_remove` strings gone from the output (front matter included),
  the share of `must_keep` passages still in it (in the labels' normalisation), and the share
  of files whose `original_source` name is the labelled publisher or one of its aliases.
  Targets: 100 % per category, 100 % kept, publisher >= 95 %.
* Extraction: main-text F1 of our output and of plain trafilatura on each set, in the same
  run (see `bench/extraction.py`); pages without output are counted. Target: above
  trafilatura on each set, no page without output.

`-v` lists every miss (file, category, string; lost passages; wrong publishers).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from extraction import extraction_report  # bench/ is the script's own directory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaners import load_rules  # noqa: E402
from scraper.errors import DocumentError  # noqa: E402
from scraper.model import CleanOptions, SourceDocument  # noqa: E402
from scraper.pipeline.core import CleanedDocument, clean_document  # noqa: E402

CATEGORIES = (
    "ad_block",
    "pixel",
    "adsense",
    "also_read",
    "hijacked_link",
    "affiliate_link",
    "tracking_param",
)

# The labels' Markdown normalisation (labels/README.md), applied to our output: images and links
# become their text, orphaned link targets and tags go, `**` and `_` go, whitespace collapses.
# Our output is Markdown whatever the input, so it is read as Markdown; backslash escapes and
# entities are undone first (in Markdown they are text, not markup).
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"\[([^\[\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\s*\)")
_ORPHAN_TARGET = re.compile(r"\s*\]\((?:https?:|mailto:|/)[^()\s]*\)")
_TAG = re.compile(r"<[^<>]+>")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_FRONT_MATTER = re.compile(r"\A\ufeff?---\s*\n.*?\n---\s*\n", re.S)


def normalise(markdown: str, tag_join: str) -> str:
    text = _FRONT_MATTER.sub("", markdown.lstrip("\ufeff"))
    text = _SCRIPT.sub(" ", _COMMENT.sub(" ", text))
    text = html.unescape(_ESCAPE.sub(lambda m: "\x00" + m.group(1), text))
    for _ in range(5):
        new = _LINK.sub(r"\1", _IMAGE.sub(r"\1", text))
        if new == text:
            break
        text = new
    text = _TAG.sub(tag_join, _ORPHAN_TARGET.sub("", text))
    text = text.replace("**", "").replace("_", "").replace("\x00", "")
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class LabelTotals:
    removed: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    kept: int = 0
    passages: int = 0
    publisher_right: int = 0
    files: int = 0
    misses: list[str] = field(default_factory=list)


def _clean(path: Path, opts: CleanOptions) -> CleanedDocument | str:
    try:
        return clean_document(SourceDocument(path.name, path.read_bytes()), opts)
    except DocumentError as exc:
        return str(exc)


def _publisher_ok(label: dict[str, object], doc: CleanedDocument) -> bool:
    want = label.get("source_name")
    got = doc.source.name
    if want is None:
        return got is None
    aliases = label.get("source_aliases")
    names = {str(want).casefold()}
    if isinstance(aliases, list):
        names.update(str(a).casefold() for a in aliases if a)
    return got is not None and got.casefold() in names


def score_file(label_path: Path, corpus: Path, opts: CleanOptions, t: LabelTotals) -> None:
    label = json.loads(label_path.read_text("utf-8"))
    name = str(label["file"])
    t.files += 1
    result = _clean(corpus / name, opts)
    out = result.markdown if isinstance(result, CleanedDocument) else ""
    if isinstance(result, str):
        t.misses.append(f"{name}: ERROR {result}")
    for cat, strings in label.get("must_remove", {}).items():
        for s in strings:
            t.total[cat] += 1
            if s in out:
                t.misses.append(f"{name}: {cat} left: {s!r}")
            else:
                t.removed[cat] += 1
    variants = [normalise(out, ""), normalise(out, " ")]
    for p in label.get("must_keep", []):
        t.passages += 1
        if any(p in v for v in variants):
            t.kept += 1
        else:
            t.misses.append(f"{name}: passage lost: {p[:100]!r}")
    if isinstance(result, CleanedDocument) and _publisher_ok(label, result):
        t.publisher_right += 1
    else:
        got = result.source.name if isinstance(result, CleanedDocument) else None
        t.misses.append(f"{name}: publisher {got!r}, want {label.get('source_name')!r}")


def _pct(n: int, d: int) -> str:
    return f"{n:4d}/{d:<4d} {100 * n / d:6.1f} %" if d else "   -"


def label_report(corpus: Path, opts: CleanOptions, verbose: bool, only: list[str]) -> list[str]:
    labels_dir, farm = corpus / "labels", corpus / "farm2"
    paths = sorted(labels_dir.glob("*.json"))
    if only:
        paths = [p for p in paths if any(o in p.name for o in only)]
    t = LabelTotals()
    for path in paths:
        score_file(path, farm, opts, t)
    lines = [f"labels: {t.files} files in {farm}"]
    for cat in CATEGORIES:
        lines.append(f"  {cat:16s} gone {_pct(t.removed[cat], t.total[cat])}")
    allr = sum(t.removed.values())
    lines.append(f"  {'all junk':16s} gone {_pct(allr, sum(t.total.values()))}")
    lines.append(f"  {'passages':16s} kept {_pct(t.kept, t.passages)}")
    lines.append(f"  {'publisher':16s} right{_pct(t.publisher_right, t.files)}")
    if verbose:
        lines += ["  " + m for m in t.misses]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=Path("../shared/corpus"))
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--only", choices=("labels", "extraction"))
    ap.add_argument("--file", action="append", default=[], help="only label files whose name holds this")
    args = ap.parse_args()
    if not (args.corpus / "labels").is_dir() and not (args.corpus / "extraction").is_dir():
        sys.exit(f"bench/quality.py: no labels/ or extraction/ in {args.corpus} (give the corpus path)")
    opts = CleanOptions(load_rules())
    start = time.perf_counter()
    if args.only != "extraction" and (args.corpus / "labels").is_dir():
        print("\n".join(label_report(args.corpus, opts, args.verbose, args.file)))
    if args.only != "labels" and (args.corpus / "extraction").is_dir():
        print(f"extraction: {args.corpus / 'extraction'}")
        print("\n".join(extraction_report(args.corpus / "extraction", opts, args.verbose)))
    print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
