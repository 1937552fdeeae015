"""The labelled farm copies in fixtures/: every labelled junk string gone, every labelled
passage kept (in the labels' normalisation, the one bench/quality.py scores with), and the
labelled publisher named. One copy per class of issue 10; the labels are the shared corpus's."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT, clean_path

LABELS = sorted((FIXTURES / "labels").glob("*.json"))


def _quality() -> Any:
    spec = importlib.util.spec_from_file_location("quality_bench", ROOT / "bench" / "quality.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    sys.path.insert(0, str(ROOT / "bench"))  # bench/quality.py imports its neighbour
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return module


QUALITY = _quality()


@pytest.mark.parametrize("label_path", LABELS, ids=lambda p: p.name.removesuffix(".json"))
def test_labelled_copy(label_path: Path) -> None:
    label = json.loads(label_path.read_text("utf-8"))
    doc = clean_path(FIXTURES / "farm" / label["file"])
    left = [(cat, s) for cat, strings in label["must_remove"].items() for s in strings if s in doc.markdown]
    assert not left, left
    variants = [QUALITY.normalise(doc.markdown, ""), QUALITY.normalise(doc.markdown, " ")]
    lost = [p for p in label["must_keep"] if not any(p in v for v in variants)]
    assert not lost, lost
    names = {label["source_name"].casefold(), *(a.casefold() for a in label["source_aliases"])}
    assert doc.source.name is not None and doc.source.name.casefold() in names, doc.source
    assert doc.source.evidence  # the audit record says why
