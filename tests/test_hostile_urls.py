"""Every URL of a Markdown document goes through the URL rules and the gate, wherever it sits:
links, images, broken link tails, reference definitions, autolinks, bare URLs, raw-HTML
attributes (srcset included) and front-matter values; only the URL changes, every other byte of
its line stays, and each rewrite is recorded."""

from __future__ import annotations

from conftest import clean_bytes

from cleaners.mdsyntax import find_links
from cleaners.mdurls import url_sites

SRC = b"""---
title: Deals
external_url: https://www.example-news.com/deals/?utm_source=rss&utm_medium=rss&utm_campaign=deals
date: 2024-01-02
---

Intro text.

[![alt](https://img.example.com/a.jpg "title")](https://target.georiot.com/Proxy.ashx?TSID=1&GR_URL=https%3A%2F%2Fwww.amazon.com%2Fdp%2FB0X%3Ftag%3Dfarm-20)

[alt](https://img.example.com/a.jpg "title") ](https://target.georiot.com/Proxy.ashx?TSID=1&GR_URL=https%3A%2F%2Fwww.amazon.com%2Fdp%2FB0X)

See https://www.example.com/page?utm_source=x&id=3 and <https://www.example.com/b?fbclid=abc>.

[ref]: https://www.example.com/r?utm_medium=email

<a href="https://www.example.com/c?utm_source=a">c</a> <img src="https://img.example.com/p.jpg?utm_source=x" \
srcset="https://img.example.com/p2.jpg?utm_source=y 2x">

Outro.
"""


def test_every_url_is_cleaned_in_place_and_recorded() -> None:
    doc = clean_bytes(SRC, "deals.md")
    out = doc.markdown
    for line in (
        "external_url: https://www.example-news.com/deals/\ndate: 2024-01-02\n",
        '\n[![alt](https://img.example.com/a.jpg "title")](https://www.amazon.com/dp/B0X)\n',
        '\n[alt](https://img.example.com/a.jpg "title") ](https://www.amazon.com/dp/B0X)\n',
        "\nSee https://www.example.com/page?id=3 and <https://www.example.com/b>.\n",
        "\n[ref]: https://www.example.com/r\n",
        '\n<a href="https://www.example.com/c">c</a> <img src="https://img.example.com/p.jpg" '
        'srcset="https://img.example.com/p2.jpg 2x">\n',
        "\nIntro text.\n",
        "\nOutro.\n",
    ):
        assert line in out, line
    got = [(r.category, r.rule, r.line, r.snippet) for r in doc.removals]
    assert ("tracking_param", "utm", 3, "utm_source=rss&utm_medium=rss&utm_campaign=deals") in got
    assert sum(1 for c, rule, line, _ in got if rule == "geniuslink" and line in (9, 11)) == 2
    assert ("tracking_param", "click-ids", 13, "fbclid=abc") in got
    assert ("tracking_param", "utm", 15, "utm_medium=email") in got
    assert sum(1 for c, rule, line, _ in got if rule == "utm" and line == 17) == 3  # href, src, srcset


def test_one_traversal_finds_every_kind_once() -> None:
    body = (
        "[a](https://a.example/x) ![i](https://i.example/y) tail ](https://t.example/z)\n\n"
        "[r]: https://r.example/d\n\n<https://auto.example/> and https://bare.example/p.\n\n"
        "[text https://in-text.example/](https://dest.example/)\n"
    )
    sites = url_sites(body, [])
    kinds = [(s.kind, body[s.url_start : s.url_end]) for s in sites]
    assert kinds == [
        ("link", "https://a.example/x"),
        ("image", "https://i.example/y"),
        ("orphan", "https://t.example/z"),
        ("refdef", "https://r.example/d"),
        ("autolink", "https://auto.example/"),
        ("bare", "https://bare.example/p"),
        ("link", "https://dest.example/"),
        ("bare", "https://in-text.example/"),
    ]


def test_destinations_as_commonmark_reads_them() -> None:
    for text, dest in (
        ("[x](javascript:alert((1)))", "javascript:alert((1))"),
        ("[x](<a b>)", "a b"),
        ('[x](a(b)c "t")', "a(b)c"),
        ("[x](a\\)b)", "a\\)b"),
    ):
        links, _ = find_links(text, [])
        assert [text[k.dest_start : k.dest_end] for k in links] == [dest], text
