"""Cleaning quality on pages the rules were not written on: `fixtures/unseen/`.

    python bench/unseen.py [DIR] [-v] [--file NAME ...]

DIR (default `fixtures/unseen`) holds the inputs (`copies/`: content-farm copies from sub-sites
of the farm that are in neither `fixtures/farm` nor the shared corpus; `news/`: publisher
pages) and `labels/<file>.json` in the schema of the shared corpus labels (junk strings per
category, article passages, publisher; see `fixtures/unseen/PROVENANCE`). Every file is
cleaned by the whole pipeline, as `scraper clean` does, and scored per file and in total:

* junk strings gone (per category), passages kept (in the labels' normalisation, the one
  bench/quality.py uses), publisher right;
* affiliate and tracking links left: URLs in the output that still carry a mark of an
  affiliate network, a farm account or a tracking parameter (a list independent of the
  cleaner's rules: see `_LEFT`), counted whether or not the label names them.

`-v` lists every miss.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from quality import CATEGORIES, _clean, _publisher_ok, normalise  # bench/ is the script's own directory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaners import load_rules  # noqa: E402
from scraper.model import CleanOptions  # noqa: E402
from scraper.pipeline.core import CleanedDocument  # noqa: E402

# Marks of affiliate clicks, farm accounts and trackers in a URL (public network documentation:
# Impact's /c/<pub>/<ad>/<campaign> clicks and vanity hosts, CJ's click hosts, Amazon tags,
# Geniuslink, Skimlinks, Rakuten, 2Checkout/Avangate affiliate ids, utm_ and click ids).
_LEFT = re.compile(
    r"https?://[^\s)\"'<>]*?(?:"
    r"[?&](?:utm_|utm%5F)\w+=|[?&](?:fbclid|gclid|msclkid|mc_eid|_hsenc|igshid)="
    r"|[?&]tag=[\w-]+-2[01]\b|ascsubtag=|[?&]AFFILIATE=\d+|affiliate\.php|[?&]a_fid="
    r"|//[\w.-]*(?:sjv\.io|pxf\.io|7eer\.net|evyy\.net|8odi\.net|elfm\.net|i\d+\.net|ojrq\.net|mvos\.net)/"
    r"|//(?:www\.)?(?:anrdoezrs|dpbolvw|jdoqocy|kqzyfj|tkqlhce)\.net/|//buy\.geni\.us/|//geni\.us/"
    r"|//go\.redirectingat\.com/|//click\.linksynergy\.com/|shop-links\.co/|//[\w.-]*techidaily\.com/"
    r")",
    re.I,
)


@dataclass
class Totals:
    removed: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    kept: int = 0
    passages: int = 0
    publisher_right: int = 0
    files: int = 0
    links_left: int = 0
    rows: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)


def _input(root: Path, name: str) -> Path:
    for sub in ("copies", "news"):
        if (root / sub / name).is_file():
            return root / sub / name
    raise SystemExit(f"bench/unseen.py: no input {name} under {root}/copies or {root}/news")


def _body(markdown: str) -> str:
    """The output without its front matter's own keys (original_source names the publisher's
    site, retrieved_from the input): links there are not left in the article."""
    return re.sub(r"^(?:retrieved_from|original_source|  url|  name): .*$", "", markdown, flags=re.M)


def score(label_path: Path, root: Path, opts: CleanOptions, t: Totals) -> None:
    label = json.loads(label_path.read_text("utf-8"))
    name = str(label["file"])
    t.files += 1
    result = _clean(_input(root, name), opts)
    out = result.markdown if isinstance(result, CleanedDocument) else ""
    if isinstance(result, str):
        t.misses.append(f"{name}: ERROR {result}")
    gone = total = 0
    for cat, strings in label.get("must_remove", {}).items():
        for s in strings:
            t.total[cat] += 1
            total += 1
            if s in out:
                t.misses.append(f"{name}: {cat} left: {s!r}")
            else:
                t.removed[cat] += 1
                gone += 1
    variants = [normalise(out, ""), normalise(out, " ")]
    kept = 0
    for p in label.get("must_keep", []):
        t.passages += 1
        if any(p in v for v in variants):
            kept += 1
        else:
            t.misses.append(f"{name}: passage lost: {p[:100]!r}")
    t.kept += kept
    right = isinstance(result, CleanedDocument) and _publisher_ok(label, result)
    t.publisher_right += right
    if not right:
        got = result.source.name if isinstance(result, CleanedDocument) else None
        t.misses.append(f"{name}: publisher {got!r}, want {label.get('source_name')!r}")
    left = [m.group(0) for m in _LEFT.finditer(_body(out))]
    t.links_left += len(left)
    t.misses += [f"{name}: link left: {u[:110]}" for u in left]
    n_keep = len(label.get("must_keep", []))
    t.rows.append(
        f"  {name[:58]:58s} junk {gone:3d}/{total:<3d} kept {kept:2d}/{n_keep:<2d} "
        f"publisher {'ok ' if right else 'BAD'} links left {len(left)}"
    )


def _pct(n: int, d: int) -> str:
    return f"{n:4d}/{d:<4d} {100 * n / d:6.1f} %" if d else "   -"


def report(root: Path, opts: CleanOptions, verbose: bool, only: list[str]) -> list[str]:
    paths = sorted((root / "labels").glob("*.json"))
    if only:
        paths = [p for p in paths if any(o in p.name for o in only)]
    t = Totals()
    for path in paths:
        score(path, root, opts, t)
    lines = [f"unseen: {t.files} files in {root}", *t.rows]
    for cat in CATEGORIES:
        lines.append(f"  {cat:16s} gone {_pct(t.removed[cat], t.total[cat])}")
    lines.append(f"  {'all junk':16s} gone {_pct(sum(t.removed.values()), sum(t.total.values()))}")
    lines.append(f"  {'passages':16s} kept {_pct(t.kept, t.passages)}")
    lines.append(f"  {'publisher':16s} right{_pct(t.publisher_right, t.files)}")
    lines.append(f"  {'links left':16s} {t.links_left:4d} (affiliate, farm or tracking marks in output URLs)")
    if verbose:
        lines += ["  " + m for m in t.misses]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("root", nargs="?", type=Path, default=ROOT / "fixtures" / "unseen")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--file", action="append", default=[], help="only label files whose name holds this")
    args = ap.parse_args()
    if not (args.root / "labels").is_dir():
        sys.exit(f"bench/unseen.py: no labels/ in {args.root}")
    start = time.perf_counter()
    print("\n".join(report(args.root, CleanOptions(load_rules()), args.verbose, args.file)))
    print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
