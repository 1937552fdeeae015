"""The deep-nesting pass (`scraper.pipeline.nesting`): what counts as open, on small pages with a
small limit."""

from __future__ import annotations

from scraper.pipeline.nesting import flatten_deep


def test_self_closing_tags_in_svg_do_not_nest() -> None:
    page = "<div><svg>" + '<path d="M0 0" />' * 20 + "<circle r='1'/></svg></div><p>text</p>"
    assert flatten_deep(page, limit=4) == (page, [])


def test_unclosed_tags_in_svg_nest_and_are_dropped() -> None:
    page = "<div><svg>" + '<g class="a/b">' * 6 + "</svg></div>"
    out, [removal] = flatten_deep(page, limit=4)
    assert out == "<div><svg>" + '<g class="a/b">' * 2 + "</svg></div>"
    assert removal.rule == "deep-nesting"
    assert removal.snippet == '<g class="a/b">'


def test_a_slash_inside_an_attribute_value_does_not_close_a_tag_outside_svg() -> None:
    page = '<div title="x/">' * 6 + "text"
    out, removals = flatten_deep(page, limit=4)
    assert out == '<div title="x/">' * 4 + "text"
    assert len(removals) == 1


def test_a_self_closing_script_in_svg_still_starts_raw_text() -> None:
    page = "<svg><script/>" + "<div>" * 10 + "</script><p>after</p></svg>"
    assert flatten_deep(page, limit=4) == (page, [])
