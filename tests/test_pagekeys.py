"""Selector lists narrowed to what a page is made of (`cleaners.pagekeys`) find exactly what the
whole lists find, on the real pages of the fixtures and on pages made to trip the reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

import cleaners.dom as dom
import cleaners.domsafe as domsafe
import scraper.pipeline.metadata as metadata
import scraper.pipeline.shape as shape
from cleaners.pagekeys import PageKeys, needs, split_list
from cleaners.ruleset import load_rules

FIXTURES = Path(__file__).parent.parent / "fixtures"
_RULES = load_rules()
LISTS = [
    ", ".join(r.css for r in _RULES.selectors),
    ", ".join((*_RULES.prune, shape._NOT_CONTENT, shape._NOT_BODY)),
    dom._LINKED_MEDIA,
    domsafe._UNSAFE_TAGS,
    shape._EMPHASIS_IN_LINK,
    shape._HEADING_LINKS,
    dom._CHROME_LINKS,
    dom._CHROME_LISTS,
    "img, video, source, iframe, embed, object, input[type=image]",
    "img[src], source[src], video[src], audio[src]",
    ", ".join((domsafe._UNSAFE_TAGS, "form", domsafe._PAGE_CANDIDATES)),
    ", ".join(_RULES.also_read.label_selectors),
    metadata._TIME_CSS,
    "title",
    "h1",
]


def _same(html: str) -> None:
    tree = LexborHTMLParser(html)
    keys = PageKeys.of(tree)
    assert keys is not None
    for css in LISTS:
        for stable in (True, False):
            narrow = keys.narrow(css, stable)
            want = [n.mem_id for n in tree.css(css)]
            assert ([n.mem_id for n in tree.css(narrow)] if narrow else []) == want, css


@pytest.mark.parametrize("page", sorted(FIXTURES.rglob("*.htm*")), ids=lambda p: p.name)
def test_narrowed_lists_find_what_the_whole_lists_find(page: Path) -> None:
    _same(page.read_text("utf-8", "replace"))


@pytest.mark.parametrize("page", sorted(FIXTURES.rglob("*.htm*")), ids=lambda p: p.name)
def test_metadata_read_with_the_keys_is_the_same(page: Path) -> None:
    tree = LexborHTMLParser(page.read_text("utf-8", "replace"))
    assert metadata.extract_meta(tree, PageKeys.of(tree)) == metadata.extract_meta(tree)


def test_quirks_mode_case_and_character_references() -> None:
    # no DOCTYPE: quirks mode, where class and id match whatever their ASCII case
    _same('<div class="ADTHRIVE-AD">x</div><p id="Div-Gpt-Ad-1">y</p><ins class="AdsByGoogle"></ins>')
    # a class spelled with character references is read decoded, as lexbor matches it
    _same('<!DOCTYPE html><div class="&#97;dthrive-ad">x</div><div class="mv&#x2d;ad-box">y</div>')
    _same('<!DOCTYPE html><DIV CLASS="yarpp">x</DIV><aside data-AD-slot="1">z</aside>')


def test_the_reader_keeps_what_it_does_not_understand() -> None:
    assert needs("a\\:b") is None
    assert needs('[title="a\\"b"]') is None
    assert split_list(".a, .b\\,c") is None
    assert split_list('[x="a,b"], .c') == ['[x="a,b"]', ".c"]
    need = needs("div.code-block[class*='code-block-'] > :not(ins)")
    assert need is not None and need.tags == ("div",) and need.classes == ("code-block-",)
    assert need.class_words == ("code-block",)
    both = needs("#a.b")
    assert both is not None and both.id_words == ("a",) and both.class_words == ("b",)


def test_what_rules_may_add_is_never_taken_as_missing() -> None:
    keys = PageKeys.of(LexborHTMLParser("<!DOCTYPE html><p>text</p>"))
    assert keys is not None
    assert keys.narrow("a[href], p a, p > a[href], .x, video") == "a[href], p a, p > a[href]"
    assert keys.narrow("a[href], p a", stable=True) == ""
    # a link a rule makes holds text only: a selector still needs what else it names
    assert keys.narrow("a[href] img, nav a, p [href], p img[src]") == "p [href]"
    with_image = PageKeys.of(LexborHTMLParser("<!DOCTYPE html><p><img alt=x></p>"))
    assert with_image is not None
    assert with_image.narrow('img[src*="logo"], img[src]', stable=True) == ""
    assert with_image.narrow('img[src*="logo"], img[srcset]') == 'img[src*="logo"], img[srcset]'


def test_class_and_id_words_split_as_lexbor_splits_class_values() -> None:
    # white space of every kind lexbor splits at, and characters no name holds, between words;
    # a non-ASCII character is part of a word
    _same('<!DOCTYPE html><div class="a\tb\nc\fd\re  f.g">x</div><p id="adthrive/x">y</p>')
    _same('<!DOCTYPE html><div class="ads\u00a0banner x:y">x</div><p id="\u00e9-ad">y</p>')
    keys = PageKeys.of(LexborHTMLParser('<div class="ad-box\u00a0x z">q</div>'))
    assert keys is not None and keys.class_words is None
    assert keys.narrow(".ad-box, .z, .q, #z") == ".ad-box, .z"  # substrings of the values
    keys = PageKeys.of(LexborHTMLParser('<div class="ad-box\tx z" id="y">q</div>'))
    assert keys is not None and keys.class_words == frozenset({"ad-box", "x", "z"})
    want = ".ad-box, .z, #y, [class*=box], [id*=y]"
    assert keys.narrow(".ad-box, .ad, .z, #z, #y, [class*=box], [id*=y]") == want


_VALUE = st.text(alphabet="aB-_\u00e9\u00a0 \t\n\f\r\x0b\x1c.:/,x", max_size=12)
_NAME = st.text(alphabet="aB-_\u00e9x", min_size=1, max_size=4).filter(lambda n: n[0] != "-")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_VALUE, _VALUE), min_size=1, max_size=4), st.lists(_NAME, min_size=1, max_size=6))
def test_class_and_id_words_find_what_lexbor_finds(values: list[tuple[str, str]], names: list[str]) -> None:
    page = "".join(f'<div class="{c}" id="{i}">t</div>' for c, i in values)
    css = ", ".join([f".{n}" for n in names] + [f"#{n}" for n in names] + [f"p.{n}" for n in names])
    for doctype in ("", "<!DOCTYPE html>"):
        tree = LexborHTMLParser(doctype + page)
        keys = PageKeys.of(tree)
        assert keys is not None
        for stable in (True, False):
            narrow = keys.narrow(css, stable)
            want = [n.mem_id for n in tree.css(css)]
            assert ([n.mem_id for n in tree.css(narrow)] if narrow else []) == want
