"""Where a DOM removal is recorded: the element path names an element by its first id or class
word, and an id or class that is only whitespace (any of the characters HTML or Python split on)
names nothing, never stops the page."""

from __future__ import annotations

from conftest import builtin_rules, clean_bytes
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from cleaners.editor import DomEditor

PAGE = (
    '<html><head><title>Test page about things</title></head><body><article id=" ">'
    "<h1>Test page about things</h1>"
    "<p>This is a long paragraph of real article text that goes on for a while so that extraction"
    " keeps it, with enough words to count as the article body of this page.</p>"
    '<div id="  " class="adsbygoogle"><ins class="adsbygoogle" id=" ">ad</ins></div>'
    "<p>Another long paragraph of real article text that goes on for a while so that extraction"
    " keeps it, with enough words to count as the article body of this page too.</p>"
    '<img src="https://pixel.example.com/p.gif" width="1" height="1" id="\t">'
    "</article></body></html>"
)
BLANKS = " \t\n\r\x0c\x0b\x1c\x1d\x1e\x1f\x85\xa0\u2028\u3000"


def test_a_page_with_blank_ids_and_classes_is_cleaned_and_its_removals_placed() -> None:
    doc = clean_bytes(PAGE.encode(), "blank-id-class.html")
    paths = [r.path for r in doc.removals]
    assert "article > div.adsbygoogle" in paths  # the blank id falls through to the class
    assert "article > img" in paths  # a blank id alone names nothing
    assert "This is a long paragraph" in doc.markdown


@settings(max_examples=200, deadline=None)
@given(
    ident=st.text(alphabet=BLANKS + "ab-", max_size=6),
    cls=st.text(alphabet=BLANKS + "cd_", max_size=6),
)
def test_the_path_of_any_id_and_class_is_their_first_words(ident: str, cls: str) -> None:
    tree = LexborHTMLParser("<div><span></span></div>")
    span = tree.css_first("span")
    assert span is not None
    span.attrs["id"] = ident
    span.attrs["class"] = cls
    path = DomEditor(tree, builtin_rules()).location(span)["path"]
    want = "span"
    if ident.split():
        want += "#" + ident.split()[0]
    elif cls.split():
        want += "." + cls.split()[0]
    assert path == f"div > {want}"
