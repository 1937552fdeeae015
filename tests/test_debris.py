"""Debris goes with the link that left it, and only then: a button label alone on its line goes
with its unlinked link; the same label inside a sentence stays, also when an inline element
(`<strong>`, `<em>` …) wraps the link and the sentence goes on outside it."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from cleaners.debris import goes_whole, line_around


def label_goes(html: str) -> bool:
    a = LexborHTMLParser(html).css_first("a")
    assert a is not None
    return goes_whole(a.text(deep=True), line_around(a))


def test_a_lone_button_label_goes_with_its_link() -> None:
    assert label_goes('<p><a href="/x">Download now</a></p>')
    assert label_goes('<p><strong><a href="/x">Download</a></strong></p>')
    assert label_goes(
        '<p>The tool is free.<br><strong><em><a href="/x">See at Amazon</a></em></strong><br>More</p>'
    )


def test_a_label_inside_a_sentence_stays() -> None:
    assert not label_goes('<ol><li><a href="/x">Download</a> and install Driver Easy.</li></ol>')
    # a farm's template wraps the link in <strong>; the sentence goes on after it
    html = '<ol><li><p><strong><a href="/x">Download <i></i></a></strong> and install it.</p></li></ol>'
    assert not label_goes(html)
    assert not label_goes('<p>You can <b><i><a href="/x">download it here</a></i></b> today.</p>')
