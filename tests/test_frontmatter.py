"""pipeline.frontmatter: python-frontmatter's handlers read the front matter (values stay the
text they are), and keys are added without changing a byte of what was there."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.errors import DocumentError
from scraper.pipeline.frontmatter import split


def test_values_stay_text() -> None:
    fm, body = split("---\ndate: 2024-10-08\nok: NO\nversion: 1.10\ntags: [a, b]\n---\nBody\n")
    assert fm is not None and body == "Body\n"
    assert fm.data == {"date": "2024-10-08", "ok": "NO", "version": "1.10", "tags": ["a", "b"]}


def test_keys_are_added_before_the_closing_line_and_nothing_else_changes() -> None:
    text = "---\r\ntitle:   'Spaced'   # a comment\r\nempty:\r\n...\r\nBody\r\n"
    fm, body = split(text)
    assert fm is not None and (fm.open_line, fm.close_line, fm.newline) == ("---\r\n", "...\r\n", "\r\n")
    added = fm.with_keys({"title": "ignored: already there", "retrieved_from": "a/b.md", "none": None})
    assert added == "---\r\ntitle:   'Spaced'   # a comment\r\nempty:\r\nretrieved_from: a/b.md\r\n...\r\n"
    assert fm.with_keys({}) + body == text


def test_hugo_toml_front_matter() -> None:
    fm, body = split('+++\ntitle = "T"\ndate = 2024-10-08\n+++\nBody')
    assert fm is not None and fm.fmt == "toml" and fm.data["title"] == "T" and body == "Body"
    assert (
        fm.with_keys({"fingerprint": "ab12"})
        == '+++\ntitle = "T"\ndate = 2024-10-08\nfingerprint = "ab12"\n+++\n'
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: x\nBody without an end\n", "never closed"),
        ("---\ntitle: [x\nother: y\n---\nBody\n", "not valid YAML (line 3"),
        ("---\n- a list\n---\nBody\n", "not a mapping"),
        ('+++\ntitle = "x\n+++\nBody\n', "not valid TOML"),
    ],
)
def test_broken_front_matter_is_one_line(text: str, message: str) -> None:
    with pytest.raises(DocumentError, match=message.replace("(", r"\(")):
        split(text)


def test_no_front_matter() -> None:
    for text in ("Body\n---\n", " ---\na: 1\n---\n", "----\na: 1\n----\n", ""):
        assert split(text) == (None, text)


LINES = st.sampled_from(
    ["---", "...", "+++", "a: 1", "b: text", "c:", "  - x", "d = 1", "# c", "", " ", "----", "x: 'y'"]
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["---", "+++"]), st.lists(LINES, max_size=10), st.sampled_from(["\n", "\r\n"]))
def test_split_gives_back_every_byte(delim: str, lines: list[str], newline: str) -> None:
    text = delim + newline + newline.join(lines) + newline
    try:
        fm, body = split(text)
    except DocumentError:
        return
    assert fm is not None and fm.text() + body == text
    assert fm.with_keys({}) == fm.text()
