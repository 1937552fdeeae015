"""What a removal or an unwrap leaves: the words on either side stay apart (farm converters drop
the space before a link, `can[uninstall](…)`, so unlinking it must not give "canuninstall"), and
an element without children that is unwrapped goes from the page (lexbor's unwrap leaves it in
place, where a later rule would see, and record, it again)."""

from __future__ import annotations

from conftest import FIXTURES, builtin_rules, clean_bytes, clean_path
from selectolax.lexbor import LexborHTMLParser

from cleaners.editor import DomEditor
from cleaners.mdedits import Edit, apply_edits

CHECKOUT = "https://store.revouninstaller.com/order/checkout.php?PRODS=28010250&QTY=1&AFFILIATE=108875&CART=1"


def test_unlinked_link_glued_to_the_word_before_gets_its_space_in_markdown() -> None:
    doc = clean_bytes(f"---\ntitle: t\n---\n\nYou can[uninstall]({CHECKOUT}) some of them.\n".encode())
    assert "You can uninstall some of them." in doc.markdown
    assert "AFFILIATE" not in doc.markdown


def test_unwrapped_html_link_glued_on_both_sides_gets_spaces_on_a_page() -> None:
    page = (
        "<html><head><title>Disk usage</title></head><body><article><p>"
        + "Background applications that are running may cause high disk usage in Windows. " * 3
        + f'You can<a href="{CHECKOUT}">uninstall</a>some of the ones you are not using.</p>'
        "</article></body></html>"
    )
    doc = clean_bytes(page.encode(), "page.html")
    assert "You can uninstall some of the ones" in doc.markdown


def test_a_plain_cut_between_words_is_not_spaced() -> None:
    # only markup cut between two word characters stands for a space; text edits stay exact
    assert apply_edits("ab[c](u)d", [Edit(2, 3, ""), Edit(4, 8, "")]) == "ab c d"
    assert apply_edits("abXcd", [Edit(2, 3, "")]) == "abcd"
    assert apply_edits("a [c](u) d", [Edit(2, 3, ""), Edit(4, 8, "")]) == "a c d"


def test_no_glued_words_in_the_farm_copies_with_hijacked_inline_links() -> None:
    for name in ("tdy-winforum-2checkout-bsod-dumps.md", "tdy-winforum-2checkout-bsod-dumps.rendered.html"):
        out = clean_path(FIXTURES / "farm" / name).markdown
        assert "You can uninstall some" in out and "canuninstall" not in out
    out = clean_path(FIXTURES / "farm" / "tdy-winforum-2checkout-systools-restore.md").markdown
    assert "cover the topic what is BIOS" in out


def test_an_empty_element_unwrapped_goes_and_is_recorded_once() -> None:
    tree = LexborHTMLParser('<p>Close <a href="javascript:;" class="close"></a> the box</p>')
    ed = DomEditor(tree, builtin_rules())
    a = tree.css_first("a")
    assert a is not None
    assert ed.unwrap(a, "unsafe", "url-scheme", "link URL the gate refuses")
    assert tree.css_first("a") is None  # lexbor's unwrap alone leaves it in place
    assert not ed.unwrap(a, "unsafe", "url-scheme", "link URL the gate refuses")  # gone: not again
    assert len(ed.removals) == 1
    assert tree.body is not None and tree.body.text() == "Close  the box"


def test_empty_javascript_links_in_page_chrome_are_recorded_once_each() -> None:
    # links in navigation are left to the `unsafe` rule (they never reach the article); an
    # empty one must be gone after it, so nothing sees and records it a second time
    page = (
        '<html><head><title>T</title></head><body><nav><a href="javascript:;" class="x"></a>'
        '<a href="javascript:void(0)"></a></nav><article><p>'
        + "An article paragraph with enough words in it for the extractor to keep it. " * 4
        + "</p></article></body></html>"
    )
    doc = clean_bytes(page.encode(), "page.html")
    snippets = [r.snippet for r in doc.removals if r.rule == "url-scheme"]
    assert sorted(snippets) == ['<a href="javascript:;" class="x"></a>', '<a href="javascript:void(0)"></a>']
