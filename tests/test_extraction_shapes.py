"""HTML shapes the extractor gets wrong on its own, each on a small page built for the shape
(the corpus has no page wrapped in an ASP.NET form): forms, layout tables, captions and
toggles, images without a source, lazy-load swaps, tables of contents and [allow]."""

from __future__ import annotations

from pathlib import Path

from conftest import clean_bytes

from cleaners import load_rules

PROSE = (
    "The committee met on Tuesday to discuss the new budget for the coming year, and the "
    "members agreed that the library would receive additional funding for its programmes. "
)


def page(body: str, head: str = "") -> bytes:
    html = f"<!doctype html><html><head><title>Budget news</title>{head}</head><body>{body}</body></html>"
    return html.encode()


def test_a_page_wrapped_in_a_form_keeps_its_article() -> None:
    body = (
        '<form id="aspnetForm" method="post" action="default.aspx">'
        '<input type="hidden" name="__VIEWSTATE" value="abc"><div class="content">'
        f"<h1>Budget news</h1><p>{PROSE * 2}</p><p>{PROSE}</p>"
        '<p>Search: <input type="text" name="q"><button>Go</button></p></div></form>'
    )
    doc = clean_bytes(page(body), "page.html")
    assert "library would receive additional funding" in doc.markdown
    assert "__VIEWSTATE" not in doc.markdown and "Go" not in doc.markdown.split("---")[-1].split()
    assert doc.counts["unsafe"] >= 2  # the controls


def test_layout_tables_become_blocks_and_data_tables_stay() -> None:
    body = (
        '<table width="100%"><tr><td><div class="nav">Home</div></td>'
        f"<td><h2>Budget news</h2><p>{PROSE * 2}</p><p>{PROSE}</p>"
        "<table><tr><th>Item</th><th>Cost</th></tr><tr><td>Books</td><td>$10</td></tr>"
        "<tr><td>Chairs</td><td>$20</td></tr></table></td></tr></table>"
    )
    md = clean_bytes(page(body), "page.html").markdown
    assert "| Item | Cost |" in md  # the data table
    assert "| Budget news" not in md and "committee met" in md  # the layout table is gone


def test_captions_credits_and_toggles_are_not_body_text() -> None:
    body = (
        f"<article><p>{PROSE * 2}</p>"
        '<figure><img src="https://example.org/a.jpg" alt="A reading room">'
        "<figcaption>The reading room on Tuesday. Photo: Jane Doe/Agency</figcaption></figure>"
        f'<p>{PROSE}</p><span class="credit">Getty Images</span>'
        '<button class="show-more">Show more</button></article>'
    )
    md = clean_bytes(page(body), "page.html").markdown
    assert "committee met" in md
    assert "reading room on Tuesday" not in md and "Getty Images" not in md and "Show more" not in md


def test_an_image_without_a_source_goes_alone() -> None:
    images = '<img alt="lead"><span class="image"><img src=""></span>'
    body = f"<article><p>{images}{PROSE * 2}</p><p>{PROSE}</p></article>"
    md = clean_bytes(page(body), "page.html").markdown
    assert md.count("committee met on Tuesday") == 3


def test_lazy_load_swaps_are_layout_not_removals() -> None:
    gif = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
    img = f'<img src="{gif}" data-src="https://example.org/real.jpg" alt="real">'
    body = f"<article><p>{PROSE * 2}</p><p>{img}</p><p>{PROSE}</p></article>"
    doc = clean_bytes(page(body), "page.html")
    assert "https://example.org/real.jpg" in doc.markdown
    assert doc.counts["tracking_pixel"] == 0
    assert any(r.category == "layout" and r.rule == "lazy-placeholder" for r in doc.removals)
    assert "layout" not in doc.counts


def test_a_table_of_contents_is_article_content() -> None:
    toc = "".join(
        f'<li><a href="#part-{i}">Part {i} of the budget discussion in detail</a></li>' for i in range(1, 5)
    )
    parts = "".join(f'<h2 id="part-{i}">Part {i}</h2><p>{PROSE}</p>' for i in range(1, 5))
    body = f"<article><p>{PROSE}</p><ul>{toc}</ul>{parts}</article>"
    url = "https://farm.techidaily.com/budget/"  # even on a farm's own page
    doc = clean_bytes(page(body), "page.html", url=url)
    assert doc.counts["also_read"] == 0
    fragment = clean_bytes(body.encode(), "item.html", url=url)
    assert fragment.counts["also_read"] == 0


def test_allow_brings_back_what_the_extractor_drops(tmp_path: Path) -> None:
    nav = (
        '<nav class="toc"><ul>'
        + "".join(f'<li><a href="#s{i}">Section {i}</a></li>' for i in range(4))
        + "</ul></nav>"
    )
    body = f"<article><p>{PROSE * 2}</p>{nav}<p>{PROSE}</p></article>"
    assert "Section 2" not in clean_bytes(page(body), "page.html").markdown
    rules_file = tmp_path / "site.toml"
    rules_file.write_text('[allow]\nselectors = ["nav.toc"]\n', "utf-8")
    md = clean_bytes(page(body), "page.html", rules=load_rules(rules_file)).markdown
    assert "[Section 2](#s2)" in md
    assert md.index("Section 2") < md.rindex("committee met")  # in its place, before the last paragraph


def test_the_title_heading_is_front_matter_not_body() -> None:
    body = f"<article><h1>Budget news</h1><p>{PROSE * 2}</p><h2>The library</h2><p>{PROSE}</p></article>"
    md = clean_bytes(page(body), "page.html").markdown
    assert md.startswith("---\ntitle: Budget news\n")
    assert "# Budget news" not in md and "## The library" in md
