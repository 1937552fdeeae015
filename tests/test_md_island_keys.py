"""The DOM rules on a Markdown body's HTML islands run with the islands' page keys (their
selector lists narrowed to what the islands are made of): the same edits and removals as with
the whole lists, on every Markdown fixture and on islands made to hit the narrowed lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, builtin_rules

from cleaners import clean_markdown, page_context
from cleaners.pagekeys import PageKeys
from scraper.pipeline.frontmatter import split

_DOCS = sorted(p for p in FIXTURES.rglob("*.md"))
_ISLANDS = """# A post

Some text with <span class="x">an inline island</span> in it.

<div class="adsbygoogle-wrap"><ins class="adsbygoogle" data-ad-client="ca-pub-1"></ins></div>

<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"></script>

<p>Read also:</p>
<ul><li><a href="https://example.com/a?utm_source=x">One related post</a></li>
<li><a href="https://example.com/b">Two related post</a></li>
<li><a href="https://example.com/c">Three related post</a></li></ul>

<img src="https://example.com/i.png?utm_medium=y" width="1" height="1">
<video poster="https://example.com/p.jpg?utm_campaign=z"><source src="https://example.com/v.mp4"></video>
<iframe src="https://example.com/embed"></iframe>

The end.
"""


def _clean(text: str, keys: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[str, tuple[object, ...]]:
    if not keys:
        monkeypatch.setattr(PageKeys, "of", classmethod(lambda cls, tree: None))
    fm, body = split(text)
    data = dict(fm.data) if fm else {}
    ctx, _, _ = page_context(builtin_rules(), text, None, [str(data.get("url") or "")])
    result = clean_markdown(body, ctx, fm.line_count + 1 if fm else 1)
    monkeypatch.undo()
    return result.text, tuple(repr(r) for r in result.removals)


@pytest.mark.parametrize("path", _DOCS, ids=lambda p: p.name)
def test_fixture_same_with_and_without_keys(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8").lstrip("\ufeff")
    assert _clean(text, True, monkeypatch) == _clean(text, False, monkeypatch)


def test_islands_same_with_and_without_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    with_keys = _clean(_ISLANDS, True, monkeypatch)
    assert with_keys == _clean(_ISLANDS, False, monkeypatch)
    assert "adsbygoogle" not in with_keys[0]  # the narrowed ad list still finds the ad
