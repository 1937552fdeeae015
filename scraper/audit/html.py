"""`scraper audit --html`: one self-contained HTML file (inline style and script, no external
assets): an index of documents with their removals per category, and each article with the
removed parts shown in place, highlighted and labelled with their rule; filters by category.
"""

from __future__ import annotations

import html
import json
from typing import Any

from cleaners.records import CATEGORIES
from scraper.audit.data import ADDED, LAYOUT, DocAudit, change_labels, totals
from scraper.audit.term import label_text

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:.6em 1.2em;z-index:2}
h1{font-size:1.25em;margin:.2em 0}h2{font-size:1.05em;margin:1.2em 0 .3em;word-break:break-all}
main{padding:0 1.2em 3em}
#filters label{margin-right:1em;white-space:nowrap;cursor:pointer}
.scroll{overflow-x:auto}section.doc{scroll-margin-top:6em}
table{border-collapse:collapse;margin:1em 0;background:#fff;font-size:13px}
th{font-size:11.5px}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.zero{color:#bbb}
.meta{color:#555;margin:.2em 0 .6em;word-break:break-all}
.article{background:#fff;border:1px solid #ddd;padding:.6em .8em;font:12.5px/1.5 ui-monospace,monospace;
white-space:pre-wrap;word-break:break-word}
.change{border-left:4px solid #c33;background:#fff4f4;margin:.2em 0;padding:.1em .4em}
.change.kind-added{border-color:#393;background:#f3fbf3}.change.kind-layout{border-color:#999;background:#f6f6f6}
.change .label{font:600 11.5px system-ui,sans-serif;color:#822;display:block}
.change.kind-added .label{color:#262}.change.kind-layout .label{color:#555}
del{background:#fdd;text-decoration:line-through;text-decoration-color:#c66;display:block}
ins{background:#dfd;text-decoration:none;display:block}
.hidden{display:none}
"""

_SCRIPT = """
(function () {
  var boxes = document.querySelectorAll('#filters input[type=checkbox]');
  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    document.querySelectorAll('.change[data-categories]').forEach(function (el) {
      var cats = el.getAttribute('data-categories').split(' ');
      var shown = cats.some(function (c) { return on[c] !== false; });
      el.classList.toggle('hidden', !shown);
    });
    var visible = document.querySelectorAll('.change[data-categories]:not(.hidden)').length;
    document.getElementById('visible-changes').textContent = String(visible);
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def render(docs: list[DocAudit], title: str = "scraper audit") -> str:
    t = totals(docs)
    removed = t["removed"]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        "<header>",
        f'<h1>{_e(title)}: <span id="total-documents">{len(docs)}</span> documents, '
        f'<span id="total-removals">{sum(removed.values())}</span> removals '
        f'(<span id="visible-changes">0</span> of {_blocks(docs)} changes shown)</h1>',
        '<div id="filters">',
    ]
    for category in CATEGORIES:
        out.append(
            f'<label><input type="checkbox" value="{category}" checked> {category} '
            f'(<span class="total" data-category="{category}">{removed[category]}</span>)</label>'
        )
    out += [
        f'<label><input type="checkbox" value="{ADDED}" checked> added</label>',
        f'<label><input type="checkbox" value="{LAYOUT}" checked> layout</label>',
        "</div></header><main>",
        _index(docs),
    ]
    for i, doc in enumerate(docs):
        out.append(_document(i, doc))
    out.append(f'</main><script type="application/json" id="report-totals">{_json(t)}</script>')
    out.append(f"<script>{_SCRIPT}</script></body></html>\n")
    return "\n".join(out)


def _blocks(docs: list[DocAudit]) -> int:
    """Change blocks in the report: one per diff change (Markdown), one per removal (pages)."""
    n = 0
    for doc in docs:
        if doc.diff is None:
            n += len(doc.removals)
        else:
            n += sum(len(h.changes) for h in doc.hunks)
    return n


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _index(docs: list[DocAudit]) -> str:
    rows = ['<div class="scroll"><table id="index"><thead><tr>']
    rows.append("<th>document</th><th>input</th><th>original source</th>")
    rows += [f"<th>{c}</th>" for c in CATEGORIES]
    rows.append("<th>total</th></tr></thead><tbody>")
    for i, doc in enumerate(docs):
        source = doc.record.get("original_source") or {}
        name = source.get("name") or "—"
        publisher = f'<a href="{_e(source["url"])}">{_e(name)}</a>' if source.get("url") else _e(name)
        cells = [
            f'<tr data-doc="{i}"><td><a href="#doc-{i}">{_e(doc.output)}</a></td>',
            f"<td>{_e(doc.record.get('input'))}</td><td>{publisher}</td>",
        ]
        for category, n in doc.counts.items():
            zero = " zero" if not n else ""
            cells.append(f'<td class="n{zero}" data-category="{category}">{n}</td>')
        cells.append(f'<td class="n total">{sum(doc.counts.values())}</td></tr>')
        rows.append("".join(cells))
    rows.append("</tbody></table></div>")
    return "\n".join(rows)


def _document(i: int, doc: DocAudit) -> str:
    source = doc.record.get("original_source") or {}
    parts = [
        f'<section class="doc" id="doc-{i}"><h2>{_e(doc.output)}</h2>',
        f'<p class="meta">from {_e(doc.record.get("input"))} · original source: '
        f"{_e(source.get('name') or '(none named)')} {_e(source.get('url') or '')} · "
        f"{sum(doc.counts.values())} removals</p>",
    ]
    if doc.diff is not None:
        parts.append(f'<div class="article">{_in_place(doc)}</div>')
    else:
        note = "original not found" if doc.kind == "markdown" else "an HTML page"
        parts.append(f'<p class="meta">The cleaned article ({note}; its removals follow, in page order):</p>')
        parts.append(f'<div class="article">{_e(doc.cleaned)}</div>')
        parts.append('<div class="article removed">')
        for r in doc.removals:
            new = [str(r["replacement"])] if r.get("replacement") is not None else []
            where = f" at {r['path']}" if r.get("path") else ""
            parts.append(_change(doc, [(r["category"], r["rule"])], [str(r["snippet"])], new, where))
        parts.append("</div>")
    parts.append("</section>")
    return "\n".join(parts)


def _in_place(doc: DocAudit) -> str:
    """The original, line by line, with every change where it happened."""
    assert doc.diff is not None
    old, new = doc.diff.old, doc.diff.new
    out = []
    for tag, i1, i2, j1, j2 in doc.diff.matcher.get_opcodes():  # cached: computed for the hunks
        if tag == "equal":
            out.append(_e("\n".join(old[i1:i2])) + "\n")
            continue
        labels = change_labels(set(range(i1 + 1, i2 + 1)), old, doc.removals)
        out.append(_change(doc, labels, old[i1:i2], new[j1:j2]))
    return "".join(out)


def _change(
    doc: DocAudit, labels: list[tuple[str, str]], old: list[str], new: list[str], where: str = ""
) -> str:
    categories = sorted({c for c, _ in labels}) or ["unlabelled"]
    kind = "added" if categories == [ADDED] else "layout" if categories == [LAYOUT] else "removal"
    text = label_text(labels, doc.removals) + where
    body = ""
    if old:
        body += f"<del>{_e(chr(10).join(old))}</del>"
    if new:
        body += f"<ins>{_e(chr(10).join(new))}</ins>"
    return (
        f'<div class="change kind-{kind}" data-categories="{" ".join(categories)}">'
        f'<span class="label">{_e(text)}</span>{body}</div>'
    )
