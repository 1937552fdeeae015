"""Golden files: the full cleaned output of every bundled real page, read and agreed with.

Regenerate after an intended change with `SCRAPER_UPDATE_GOLDEN=1 pytest tests/test_golden.py`,
then read the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import frontmatter
import pytest
from conftest import FIXTURES, GOLDEN, clean_path

INPUTS = sorted(
    p for p in FIXTURES.rglob("*") if p.is_file() and p.parent.name in ("farm", "controls", "pages")
)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_golden(path: Path) -> None:
    out = clean_path(path).markdown
    golden = GOLDEN / (path.name.rsplit(".", 1)[0] + ".md")
    if os.environ.get("SCRAPER_UPDATE_GOLDEN"):
        golden.write_text(out, "utf-8")
    assert golden.exists(), f"no golden file {golden.name}; set SCRAPER_UPDATE_GOLDEN=1 to create it"
    assert out == golden.read_text("utf-8")


def test_same_input_twice_is_byte_identical() -> None:
    for path in INPUTS:
        assert clean_path(path).markdown == clean_path(path).markdown


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_front_matter_reads_back_with_python_frontmatter(path: Path) -> None:
    """An independent reader sees the keys we add, with the values the report gives."""
    cleaned = clean_path(path)
    post = frontmatter.loads(cleaned.markdown)
    assert post["original_source"] == cleaned.source.to_json()
    assert post["retrieved_from"] == cleaned.retrieved_from
    assert post["fingerprint"] == cleaned.fingerprint
    assert post.content.strip() and "original_source:" not in post.content
