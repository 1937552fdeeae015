"""Golden files: the full cleaned output of every bundled real page, read and agreed with, and
beside each its removals (`<stem>.audit.txt`: place, category/rule, what was taken) for a
reviewer to check line by line against the input.

The `fingerprint:` line is masked in the goldens: it follows every word of the text, so it
would make a golden change for any change; tests/test_fingerprint.py tests it.

After an intended change: `SCRAPER_UPDATE_GOLDEN=1 pytest tests/test_golden.py` rewrites the
goldens that differ and FAILS for each (so update mode never passes by comparing a file with
what it just wrote); read `git diff tests/golden`, keep what you agree with, and run the tests
again without the variable.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import frontmatter
import pytest
from conftest import FIXTURES, GOLDEN, clean_path

from cleaners import Removal

UPDATE = "SCRAPER_UPDATE_GOLDEN"
INPUTS = sorted(
    p for p in FIXTURES.rglob("*") if p.is_file() and p.parent.name in ("farm", "controls", "pages")
)
_FINGERPRINT = re.compile(r"^fingerprint: [0-9a-f]{16}$", re.M)
MASK = "fingerprint: ################"


def masked(markdown: str) -> str:
    """The document with its front matter's fingerprint line masked."""
    return _FINGERPRINT.sub(MASK, markdown, count=1)


def _snippet(text: str, width: int = 72) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def removal_line(r: Removal) -> str:
    """One removal: category/rule, where (input lines, or the element's path), what went, and
    what took its place."""
    if r.line is not None:
        end = r.end_line if r.end_line is not None else r.line
        place = f"line {r.line}" if end == r.line else f"lines {r.line}-{end}"
    else:
        place = f"at {r.path}"
    kept = f" → {_snippet(r.replacement, 48)}" if r.replacement else ""
    return f"{r.category}/{r.rule} {place}: {_snippet(r.snippet)}{kept}"


def audit_text(path: Path, removals: tuple[Removal, ...]) -> str:
    head = f"# {path.relative_to(FIXTURES.parent)}: {len(removals)} removals"
    return "\n".join([head, *(removal_line(r) for r in removals)]) + "\n"


def check_golden(golden: Path, actual: str) -> None:
    expected = golden.read_text("utf-8") if golden.exists() else None
    if os.environ.get(UPDATE):
        if actual != expected:
            golden.write_text(actual, "utf-8")
            pytest.fail(f"{golden.name} rewritten: read `git diff {golden}`, then run again without {UPDATE}")
        return
    assert expected is not None, f"no golden file {golden.name}; set {UPDATE}=1 to create it"
    assert actual == expected, f"{golden.name} differs (after an intended change: {UPDATE}=1, then review)"


def _stem(path: Path) -> str:
    return path.name.rsplit(".", 1)[0]


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_golden(path: Path) -> None:
    check_golden(GOLDEN / f"{_stem(path)}.md", masked(clean_path(path).markdown))


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_golden_removals(path: Path) -> None:
    check_golden(GOLDEN / f"{_stem(path)}.audit.txt", audit_text(path, clean_path(path).removals))


def test_every_golden_has_an_input() -> None:
    stems = {_stem(p) for p in INPUTS}
    named = {g.name: g.name.split(".audit.txt")[0].removesuffix(".md") for g in GOLDEN.iterdir()}
    stale = sorted(name for name, stem in named.items() if stem not in stems)
    assert not stale, f"goldens without an input: {stale}"


def test_only_the_fingerprint_is_masked() -> None:
    text = clean_path(INPUTS[0]).markdown
    assert masked(text) != text and masked(text).count("\n") == text.count("\n")
    assert masked(text).replace(MASK, "") == _FINGERPRINT.sub("", text, count=1)


def test_same_input_twice_is_byte_identical() -> None:
    for path in INPUTS:
        assert clean_path(path).markdown == clean_path(path).markdown


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_front_matter_reads_back_with_python_frontmatter(path: Path) -> None:
    """An independent reader sees the keys we add, with the values the report gives."""
    cleaned = clean_path(path)
    post = frontmatter.loads(cleaned.markdown.removeprefix("\ufeff"))  # an input's BOM is kept
    assert post["original_source"] == cleaned.source.to_json()
    assert post["retrieved_from"] == cleaned.retrieved_from
    assert post["fingerprint"] == cleaned.fingerprint
    assert post.content.strip() and "original_source:" not in post.content
