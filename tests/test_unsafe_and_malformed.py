"""Output is published: nothing executable survives. Bad input gives one clear error."""

from __future__ import annotations

import pytest
from conftest import clean_bytes

from scraper.errors import DocumentError
from scraper.pipeline.frontmatter import split

UNSAFE_MD = b"""---
title: Unsafe islands
---

Intro paragraph that stays.

<script>alert("x")</script>

<div onclick="steal()" onmouseover='x()'>Kept text in a div.</div>

<a href="javascript:alert(1)">Click me</a> and <a href=" JaVaScRiPt:alert(2)">again</a>.

<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="A video"></iframe>

<iframe src="https://evil.example/frame"></iframe>

<img src="x.png" onerror="alert(3)" alt="pic">

<object data="x.swf"></object><embed src="y.swf">

<form action="https://evil.example/post"><input name="q"></form>

[bad link](javascript:alert(4)) and ![img](https://example.com/a.png)

<style>body{display:none}</style>

```html
<script>this is a code sample and stays</script>
```

Inline `<script>` code stays too.

Last paragraph.
"""


def test_unsafe_markdown_islands() -> None:
    doc = clean_bytes(UNSAFE_MD, "unsafe.md")
    body = split(doc.markdown)[1]
    code_free = body.replace("<script>this is a code sample and stays</script>", "").replace("`<script>`", "")
    low = code_free.lower()
    for bad in (
        "<script",
        "javascript:",
        "onclick",
        "onmouseover",
        "onerror",
        "<iframe",
        "<object",
        "<embed",
        "<form",
        "<style",
    ):
        assert bad not in low, bad
    assert "Kept text in a div." in body
    assert "Click me and again." in body
    assert "[A video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)" in body
    assert "bad link and ![img](https://example.com/a.png)" in body
    assert "```html\n<script>this is a code sample and stays</script>\n```" in body
    assert "Inline `<script>` code stays too." in body
    assert doc.counts["unsafe"] >= 12
    rules = {r.rule for r in doc.removals}
    assert {"script-element", "event-handler", "url-scheme", "youtube-embed", "iframe-element"} <= rules


def test_unsafe_html_page() -> None:
    page = b"""<!doctype html><html><head><title>T</title></head><body><article>
    <h1>Headline of the article</h1>
    <p>First paragraph of real text, long enough to be kept by the extractor as content.</p>
    <p>Second paragraph <a href="javascript:void(0)">with a script link</a> and more words here.</p>
    <script>document.write('x')</script>
    <p>Third paragraph with <img src="https://example.com/pixel.gif" width="1" height="1"> a pixel.</p>
    <iframe src="https://player.vimeo.com/video/12345" title="Clip"></iframe>
    </article></body></html>"""
    doc = clean_bytes(page, "page.html")
    body = split(doc.markdown)[1]
    assert "javascript" not in body and "document.write" not in body and "pixel.gif" not in body
    assert "with a script link" in body
    assert doc.counts["unsafe"] >= 2 and doc.counts["tracking_pixel"] == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"%PDF-1.7\n...", "binary file (a PDF document)"),
        (b"\x00\x01\x02\x03binary", "binary file"),
        (b"---\ntitle: [unclosed\n---\nbody\n", "front matter is not valid YAML (line 3"),
        (b"---\n- a list\n- not a mapping\n---\nbody\n", "front matter is not a mapping"),
        (b"---\ntitle: never closed\nbody text\n", "front matter opened with '---' is never closed"),
        (b"---\ntitle: ok\n---\nCaf\xe9 au lait\n", "undecodable bytes: not UTF-8 (byte 0xe9 at offset 21)"),
    ],
)
def test_bad_input_is_one_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(DocumentError) as err:
        clean_bytes(data, "bad.md")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_html_with_declared_charset_is_decoded() -> None:
    page = (
        '<html><head><meta charset="windows-1252"><title>Café</title></head><body><article><p>'
        + "Un café crème, s'il vous plaît. " * 20
        + "</p></article></body></html>"
    ).encode("cp1252")
    doc = clean_bytes(page, "cafe.html")
    assert "café crème" in doc.markdown and "\ufffd" not in doc.markdown


def test_pathological_markup_does_not_break_cleaning() -> None:
    deep = b"<div>" * 5000 + b"deep text" + b"</div>" * 5000
    md = (
        b"---\ntitle: x\n---\n\nText <span <a href='x'>unclosed <b>tags\n\n"
        b'<div class="x">open div\n\nMore \x00 text.\n\n' + deep + b"\n"
    )
    with pytest.raises(DocumentError):
        clean_bytes(md, "nul.md")  # NUL bytes: binary
    md = md.replace(b"\x00", b"")
    with pytest.raises(DocumentError, match="nested deeper than 1000 levels"):
        clean_bytes(md, "deep.md")
    md = md.replace(b"<div>" * 5000, b"<div>" * 200).replace(b"</div>" * 5000, b"</div>" * 200)
    doc = clean_bytes(md, "weird.md")
    assert "deep text" in doc.markdown and "open div" in doc.markdown


def test_markdown_without_front_matter_gets_one() -> None:
    doc = clean_bytes(
        b"# A title\n\nSome text with [a link](https://example.com/?utm_source=x&id=2).\n", "plain.md"
    )
    assert doc.markdown.startswith("---\noriginal_source:")
    assert "[a link](https://example.com/?id=2)" in doc.markdown
    assert doc.counts["tracking_param"] == 1
