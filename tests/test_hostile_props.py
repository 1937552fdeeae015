"""Property tests: a disallowed scheme, obfuscated every way a browser or a Markdown renderer
undoes (case, character references, `&colon;`, tab/LF/CR between letters, C0 controls and spaces
in front, Markdown backslash escapes), in every carrier — Markdown link, image, reference
definition, raw-HTML attribute and front matter; an HTML page's links, images and metadata; a
feed item's content — never comes out executable (tests/hostile_oracle.py), and the text around
it stays."""

from __future__ import annotations

import html
import json
import os

from conftest import builtin_rules, clean_bytes
from hostile_oracle import output_problems, split_output
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.model import SourceDocument
from scraper.pipeline.core import CleanOptions, clean_document

_EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "40"))  # raise it to search longer
_SETTINGS = settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_NOISE_HTML = st.sampled_from(["\t", "\n", "\r", "&#9;", "&#x0A;", "&#13;", "&Tab;", "&NewLine;"])
_NOISE_MD = st.sampled_from(["&#9;", "&#x0A;", "&#13;", "&Tab;", "&NewLine;"])  # raw ones end a link
_LEAD_HTML = st.sampled_from([" ", "\x01", "\x08", "\x14", "\x1f", "&#1;", "&#x14;", "&#32;"])
_LEAD_MD = st.sampled_from(["&#1;", "&#x14;", "&#32;", "&#0;"])
_TAIL = st.text(st.sampled_from("alert(1)/;'x"), max_size=12)
HTML_KEYS = {"title", "author", "date", "updated", "tags", "description", "image"} | {
    "original_source",
    "retrieved_from",
    "canonical_url",
    "fingerprint",
}


@st.composite
def obfuscated(draw: st.DrawFn, markdown: bool) -> str:
    scheme = draw(st.sampled_from(["javascript", "vbscript", "data", "livescript"])) + ":"
    out = draw(st.lists(_LEAD_MD if markdown else _LEAD_HTML, max_size=3))
    for ch in scheme:
        ch = ch.upper() if draw(st.booleans()) else ch
        enc = draw(st.sampled_from(["plain", "dec", "hex", "named"]))
        if enc == "dec":
            ch = f"&#{ord(ch)};"
        elif enc == "hex":
            ch = f"&#x{ord(ch):X};"
        elif enc == "named" and ch == ":":
            ch = "&colon;" if not markdown or draw(st.booleans()) else "\\:"
        out.append(ch)
        out.extend(draw(st.lists(_NOISE_MD if markdown else _NOISE_HTML, max_size=1)))
    return "".join(out) + draw(_TAIL)


def _attr(url: str) -> str:
    return url.replace('"', "&quot;")


def _check_markdown(body: str, extra_keys: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    doc = clean_bytes(f"---\ntitle: A post\n---\n\nKEEPA before.\n\n{body}\n\nKEEPB after.\n".encode())
    keys = {"title", "original_source", "retrieved_from", "fingerprint"} | extra_keys
    assert output_problems(doc.markdown, keys) == []
    out = split_output(doc.markdown)[1]
    assert "KEEPA before." in out and "KEEPB after." in out


@_SETTINGS
@given(obfuscated(markdown=True))
def test_markdown_link_image_and_definition(url: str) -> None:
    _check_markdown(f"A [link text]({url}) and ![an image]({url}) and [a ref][r] end.\n\n[r]: {url}")


@_SETTINGS
@given(obfuscated(markdown=False))
def test_markdown_island_attributes(url: str) -> None:
    u = _attr(url)
    _check_markdown(
        f'<p>Island <a href="{u}">link</a> <img src="{u}" alt="i"> <img srcset="{u} 2x">'
        f'<video poster="{u}"></video> <form action="{u}"><button formaction="{u}">b</button></form>'
        f'<svg><a xlink:href="{u}"><text>s</text></a></svg></p>\n\nInline <a href="{u}">x</a> too.'
    )


@_SETTINGS
@given(obfuscated(markdown=False))
def test_markdown_front_matter_values(url: str) -> None:
    front = json.dumps(html.unescape(url))
    head = f"---\ntitle: A post\nimage: {front}\nexternal_url: {front}\nnote: {front}\n---\n"
    doc = clean_bytes(f"{head}\nKEEPA body.\n".encode())
    keys = {"title", "image", "external_url", "note", "original_source", "retrieved_from", "fingerprint"}
    assert output_problems(doc.markdown, keys) == []
    assert "KEEPA body." in split_output(doc.markdown)[1]


_PARA = "The spooler kept jobs waiting for hours until we cleared its folder and restarted the service."


@_SETTINGS
@given(obfuscated(markdown=False))
def test_html_page_links_images_and_metadata(url: str) -> None:
    u = _attr(url)
    page = (
        f'<!doctype html><html><head><title>Queue</title><meta property="og:image" content="{u}">'
        f'<link rel="canonical" href="{u}"></head><body><article><h1>Queue</h1>'
        f'<p>KEEPA {_PARA}</p><p>Text <a href="{u}">a link</a> and <img src="{u}" alt="i"> '
        f'<img src="https://example.com/a.png" data-src="{u}"> more. {_PARA}</p>'
        f"<p>KEEPB {_PARA}</p></article></body></html>"
    )
    doc = clean_bytes(page.encode(), "page.html")
    assert output_problems(doc.markdown, HTML_KEYS) == []
    out = split_output(doc.markdown)[1]
    assert "KEEPA" in out and "KEEPB" in out and "a link" in out


@_SETTINGS
@given(obfuscated(markdown=False))
def test_feed_item_content(url: str) -> None:
    u = _attr(url)
    content = f'<p>KEEPA {_PARA}</p><p>See <a href="{u}">the link</a> <img src="{u}"></p><p>KEEPB {_PARA}</p>'
    meta = {"title": f"<b onclick='x'>Item</b> {url}", "description": f'"><script>alert(1)</script>{url}'}
    doc = clean_document(
        SourceDocument(
            "https://feed.example/post/1",
            content.encode(),
            url="https://feed.example/post/1",
            fragment=True,
            meta=meta,
        ),
        CleanOptions(builtin_rules()),
    )
    assert output_problems(doc.markdown, HTML_KEYS) == []
    out = split_output(doc.markdown)[1]
    assert "KEEPA" in out and "KEEPB" in out and "the link" in out
