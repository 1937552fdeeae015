"""`scraper audit --html`: one self-contained HTML file, inert whatever the audit records hold.

The page is a skeleton (header with the counts and the filters, the index table's head) plus
data: the index as JSON, and each document's view as its own JSON block, parsed only when
the document is shown. Up to LAZY_AFTER documents are all shown at once; a larger report
shows each as it scrolls near, and keeps its data gzipped (base64) until then — a tenth of
the size, unpacked by the browser's DecompressionStream.
The scripts (`render.js`, `report.js`) build everything from the data with `textContent` and
`setAttribute` — never markup from data. Every string put in the skeleton is escaped for its
context; JSON inside `<script>` has `<`, `>`, `&`, U+2028 and U+2029 escaped. A
Content-Security-Policy allows only the report's own script and style, by hash, and nothing
from anywhere else, so a missed escape still cannot run.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from cleaners import CATEGORIES
from scraper.audit.data import DocAudit, totals
from scraper.audit.filters import Filter
from scraper.audit.payload import entry, view_payload
from scraper.audit.rows import ADDED, EXTRACTION, LAYOUT, is_removal

LAZY_AFTER = 200  # documents rendered at load; the others when they come near the view
CHUNKS = (500, 40)  # a larger report draws index rows and documents this many at a time
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_OTHER = {
    LAYOUT: "layout (blank lines, lazy-load images)",
    ADDED: "added (keys, attribution)",
    EXTRACTION: "page text not in the article",
}


@cache
def asset(name: str) -> str:
    return (files("scraper.audit") / name).read_text("utf-8")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def script_json(data: Any) -> str:
    """JSON that cannot end the <script> element it sits in, or open a comment there."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in _JSON_ESCAPES.items():
        text = text.replace(ch, esc)
    return text


def _sha(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def csp() -> str:
    return (
        f"default-src 'none'; script-src '{_sha(asset('render.js'))}' '{_sha(asset('report.js'))}'; "
        f"style-src '{_sha(asset('report.css'))}'; img-src 'none'; font-src 'none'; connect-src 'none'; "
        "media-src 'none'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'"
    )


def head(title: str) -> list[str]:
    return [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp()}">',  # our constant, no quote in it
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{asset('report.css')}</style></head><body>",
    ]


def categories(docs: list[DocAudit]) -> list[str]:
    """The built-in removal categories, then any other a record names (as it names it)."""
    seen = {str(r["category"]) for d in docs for r in d.removals if is_removal(r)}
    return [*CATEGORIES, *sorted(seen - set(CATEGORIES))]


def filters_html(
    cats: list[str],
    counts: dict[str, int],
    rules: dict[str, int],
    layout: int,
    other: tuple[str, ...],
    noun: str,
) -> list[str]:
    legend = _e(noun[:1].upper() + noun[1:])
    out = ['<div id="filters" role="group" aria-label="Filters">', f"<fieldset><legend>{legend}</legend>"]
    for c in cats:
        out.append(
            f'<label><input type="checkbox" value="{_e(c)}" checked> {_e(c)} '
            f'(<span class="total" data-category="{_e(c)}">{counts.get(c, 0)}</span>)</label>'
        )
    out.append("</fieldset>")
    if other:
        out.append("<fieldset><legend>Other changes</legend>")
        for c in other:
            n = f' (<span class="total" data-category="{c}">{layout}</span>)' if c == LAYOUT else ""
            out.append(f'<label><input type="checkbox" value="{c}" checked> {_e(_OTHER[c])}{n}</label>')
        out.append("</fieldset>")
    return [
        *out,
        '<label>rule <select id="rule"><option value="">every rule</option>',
        *(f'<option value="{_e(r)}">{_e(r)} ({n})</option>' for r, n in rules.items()),
        "</select></label>",
        '<label>documents <input id="doc" type="search" size="24" placeholder="name, or a *pattern*"'
        ' title="A word matches any part of the output path or input; * and ? match the whole name"></label>',
        '<label><input type="checkbox" id="summary"> summary: index only</label>',
        '<button type="button" id="reset">show everything</button>',
        "</div>",
    ]


def render(
    docs: list[DocAudit],
    keep: Filter | None = None,
    summary: bool = False,
    title: str = "scraper audit",
    lazy_after: int = LAZY_AFTER,
    chunks: tuple[int, int] = CHUNKS,
) -> str:
    keep = keep or Filter()
    t = totals(docs)
    report = Report(
        title,
        "removals",
        categories(docs),
        t["removed"],
        t["by_rule"],
        t[LAYOUT],
        [entry(i, d) for i, d in enumerate(docs)],
        [view_payload(d.view, d.removals) for d in docs],
        {**keep.to_json(), "summary": summary},
        lazy_after=lazy_after,
        chunks=chunks,
    )
    return page(report)


@dataclass
class Report:
    title: str
    noun: str  # what is counted: removals, or changed lines
    cats: list[str]
    counts: dict[str, int]
    rules: dict[str, int]
    layout: int
    entries: list[dict[str, Any]]
    payloads: list[dict[str, Any]]
    filter: dict[str, Any]
    other: tuple[str, ...] = tuple(_OTHER)
    names: tuple[str, str, str] = ("document", "input", "original source")
    lazy_after: int = LAZY_AFTER
    chunks: tuple[int, int] = CHUNKS


def page(r: Report) -> str:
    total = sum(r.counts.values())
    out = head(r.title)
    out += [
        '<header><a class="skip" href="#index">skip to the index</a>',
        f'<h1>{_e(r.title)}: <span id="total-documents">{len(r.entries)}</span> documents, '
        f'<span id="total-removals">{total}</span> {_e(r.noun)}</h1>',
        '<p id="status" aria-live="polite">showing <span id="shown-removals">0</span> '
        f'of {total} {_e(r.noun)} in <span id="shown-documents">0</span> of {len(r.entries)} documents</p>',
        *filters_html(r.cats, r.counts, r.rules, r.layout, r.other, r.noun),
        "</header><main>",
        '<div class="scroll"><table id="index"><caption>Documents (sort by any column)</caption><thead><tr>',
        *(
            f'<th scope="col" data-key="{_e(k)}"><button type="button">{_e(label)}</button></th>'
            for k, label in _columns(r.cats, r.names)
        ),
        "</tr></thead><tbody></tbody></table></div>",
        '<div id="docs"></div></main>',
    ]
    data = {
        "title": r.title,
        "categories": r.cats,
        "other": list(r.other),
        "docs": r.entries,
        "lazy": r.lazy_after,
        "chunks": list(r.chunks),
        "filter": r.filter,
    }
    out.append(f'<script type="application/json" id="report-data">{script_json(data)}</script>')
    packed = len(r.entries) > r.lazy_after
    for i, payload in enumerate(r.payloads):
        if packed:  # read when shown: gzip, base64 (no character that could end the element)
            data64 = base64.b64encode(gzip.compress(script_json(payload).encode("utf-8"), 6, mtime=0))
            out.append(f'<script type="application/gzip" id="d{i}">{data64.decode("ascii")}</script>')
        else:
            out.append(f'<script type="application/json" id="d{i}">{script_json(payload)}</script>')
    out.append(f"<script>{asset('render.js')}</script>")
    out.append(f"<script>{asset('report.js')}</script></body></html>\n")
    return "\n".join(out)


def _columns(cats: list[str], names: tuple[str, str, str]) -> list[list[str]]:
    return [
        ["output", names[0]],
        ["input", names[1]],
        ["publisher", names[2]],
        *([f"c:{c}", c] for c in cats),
        ["layout", "layout"],
        ["total", "total"],
    ]
