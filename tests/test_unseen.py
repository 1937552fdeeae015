"""Pages the rules were not written on (`fixtures/unseen/`: farm copies from other sub-sites,
publisher pages, each with a label read and written by hand): every labelled junk string gone,
every labelled passage kept (in the labels' normalisation), the labelled publisher named, and
no affiliate, farm or tracking mark left in an output URL. `bench/unseen.py` prints the same
figures per file and in total; this test makes a regression fail."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT, clean_path

UNSEEN = FIXTURES / "unseen"
LABELS = sorted((UNSEEN / "labels").glob("*.json"))


def _bench() -> Any:
    sys.path.insert(0, str(ROOT / "bench"))  # bench/unseen.py imports its neighbour quality.py
    try:
        spec = importlib.util.spec_from_file_location("unseen_bench", ROOT / "bench" / "unseen.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return module


BENCH = _bench()


def test_the_unseen_set_covers_several_sub_sites_and_kinds() -> None:
    names = [json.loads(p.read_text("utf-8"))["file"] for p in LABELS]
    sub_sites = {n.split("-")[1] for n in names if n.startswith("tdy-")}
    assert len(sub_sites) >= 4, sub_sites
    assert any(n.endswith(".html") for n in names)


@pytest.mark.parametrize("label_path", LABELS, ids=lambda p: p.name.removesuffix(".json"))
def test_unseen_page(label_path: Path) -> None:
    label = json.loads(label_path.read_text("utf-8"))
    doc = clean_path(BENCH._input(UNSEEN, label["file"]))
    left = [(c, s) for c, strings in label["must_remove"].items() for s in strings if s in doc.markdown]
    assert not left, left
    variants = [BENCH.normalise(doc.markdown, ""), BENCH.normalise(doc.markdown, " ")]
    lost = [p for p in label["must_keep"] if not any(p in v for v in variants)]
    assert not lost, lost
    want = label["source_name"]
    if want is None:
        assert doc.source.name is None, doc.source
    else:
        names = {want.casefold(), *(a.casefold() for a in label["source_aliases"])}
        assert doc.source.name is not None and doc.source.name.casefold() in names, doc.source
    marks = [m.group(0) for m in BENCH._LEFT.finditer(BENCH._body(doc.markdown))]
    assert not marks, marks
