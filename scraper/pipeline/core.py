"""One document through the pipeline: decode → detect → clean → attribute → render.

`clean_document` is pure (bytes and options in, a CleanedDocument out; no I/O, no globals),
so it can run in worker processes or on a cluster. Bad input raises DocumentError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from cleaners import CleaningError, Removal, UrlCleaner, clean_markdown, count_by_category, page_context
from scraper.errors import DocumentError
from scraper.model import CleanOptions, Format, SourceDocument
from scraper.pipeline.attribution import OriginalSource, Signals, attribute, self_urls
from scraper.pipeline.decode import decode_page, detect_kind
from scraper.pipeline.fingerprint import fingerprint
from scraper.pipeline.fmsafe import safe_front_matter, safe_generated, safe_source
from scraper.pipeline.frontmatter import render_yaml, split

__all__ = ["CleanOptions", "CleanedDocument", "SourceDocument", "clean_document"]

ATTRIBUTION_PREFIX = "Originally published by "
_FIRST_HEADING = re.compile(r"^#{1,3}\s+(.+?)\s*#*\s*$", re.M)


@dataclass(frozen=True)
class CleanedDocument:
    """A cleaned document: its Markdown, the removals and its attribution."""

    name: str
    kind: Format
    markdown: str
    removals: tuple[Removal, ...]
    source: OriginalSource
    retrieved_from: str
    title: str | None = None
    fingerprint: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        return count_by_category(self.removals)

    def audit(self, output: str | None) -> dict[str, Any]:
        """The sidecar record: every removal with its category, rule, snippet and place."""
        return {
            "input": self.name,
            "output": output,
            "kind": self.kind,
            "retrieved_from": self.retrieved_from,
            "original_source": {
                **self.source.to_json(),
                "first_party": self.source.first_party,
                "evidence": list(self.source.evidence),
            },
            "fingerprint": self.fingerprint,
            "removed": self.counts,
            "removals": [r.to_json() for r in self.removals],
        }


def attribution_line(source: OriginalSource) -> str | None:
    if not source.name:
        return None
    name = source.name.replace("[", "(").replace("]", ")")
    return f"{ATTRIBUTION_PREFIX}[{name}]({source.url})." if source.url else f"{ATTRIBUTION_PREFIX}{name}."


def with_attribution_line(body: str, source: OriginalSource) -> str:
    line = attribution_line(source)
    text = body.rstrip()
    last = text[text.rfind("\n") + 1 :]  # the last line (rsplit would copy the rest too)
    if last.startswith(ATTRIBUTION_PREFIX):
        text = text[: len(text) - len(last)].rstrip()
    if line is None:
        return text + "\n" if text else ""
    return (text + "\n\n" if text else "") + line + "\n"


def _utf8(text: str) -> bytes | None:
    """`text.encode()`, or None for a text that holds a lone surrogate (each reader then encodes
    it its own way: the fingerprint's strict encoding raises, as it always has)."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return None


def clean_document(doc: SourceDocument, opts: CleanOptions) -> CleanedDocument:
    try:
        return _clean(doc, opts)
    except CleaningError as exc:
        raise DocumentError(str(exc)) from None


def _clean(doc: SourceDocument, opts: CleanOptions) -> CleanedDocument:
    # A local Markdown file must be UTF-8 (its bytes are kept as they are); pages detect.
    local_text = doc.url is None and not doc.name.lower().endswith((".htm", ".html"))
    text, as_utf8 = decode_page(doc.data, doc.charset, strict_utf8=local_text and not doc.fragment)
    kind = "html" if doc.fragment else detect_kind(text, doc.name, doc.content_type)
    if kind == "markdown":
        cleaned = _markdown(doc, text.lstrip("\ufeff"), opts)
        if doc.data.startswith(b"\xef\xbb\xbf"):  # the front matter byte for byte: its BOM too
            return replace(cleaned, markdown="\ufeff" + cleaned.markdown)
        return cleaned
    return _html(doc, text, opts, as_utf8)


def _markdown(doc: SourceDocument, text: str, opts: CleanOptions) -> CleanedDocument:
    rules = opts.rules
    fm, body = split(text)
    data = dict(fm.data) if fm else {}
    ctx, farm, own = page_context(rules, text, doc.url, list(self_urls(data)))
    fm, fm_removed = safe_front_matter(fm, ctx.urls) if fm else (fm, [])
    data = dict(fm.data) if fm else {}
    result = clean_markdown(body, ctx, fm.line_count + 1 if fm else 1)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        m = _FIRST_HEADING.search(result.text)
        title = m.group(1) if m else None
    utf8 = _utf8(result.text)  # read by attribution's footer look-up and the fingerprint
    source = attribute(
        Signals(
            title,
            data,
            result.text,
            doc.url,
            farm=farm,
            own_domains=own,
            removals=result.removals,
            body_utf8=utf8,
        ),
        rules,
    )
    source, source_removed = safe_source(source)
    retrieved = doc.url or doc.name
    print_ = fingerprint(result.text, utf8)
    keys, keys_removed = safe_generated(
        {"original_source": source.to_json(), "retrieved_from": retrieved, "fingerprint": print_}, None
    )
    head = fm.with_keys(keys) if fm else render_yaml(keys)
    removals = (*fm_removed, *result.removals, *source_removed, *keys_removed)
    out_body = result.text
    if opts.attribution_line:
        out_body = with_attribution_line(out_body, source)
    if not out_body.strip():
        raise DocumentError("nothing left after cleaning (the document held only junk)")
    return CleanedDocument(doc.name, "markdown", head + out_body, removals, source, retrieved, title, print_)


def _html(doc: SourceDocument, text: str, opts: CleanOptions, as_utf8: bool) -> CleanedDocument:
    from scraper.pipeline.html import clean_html  # trafilatura: not loaded for Markdown (start-up)

    rules = opts.rules
    ascii_compatible = not doc.data.startswith((b"\xff\xfe", b"\xfe\xff"))
    result = clean_html(
        text,
        rules,
        doc.url,
        fragment=doc.fragment,
        raw=doc.data if ascii_compatible else None,
        raw_is_utf8=as_utf8,
    )
    meta = result.meta
    item = doc.meta
    title = item.get("title") or meta.title
    source = attribute(
        Signals(
            title,
            item,
            result.body,
            result.base_url,
            meta,
            result.farm,
            result.own_domains,
            result.removals,
            result.share_links,
        ),
        rules,
    )
    source, source_removed = safe_source(source)
    probe = UrlCleaner(rules, rules.farm_domains, result.base_url)  # the front matter's URL values
    retrieved = doc.url or doc.name
    canonical = meta.canonical if meta.canonical and meta.canonical != retrieved else None
    fm: dict[str, Any] = {
        "title": title,
        "author": item.get("author") or (None if result.farm else meta.author),
        "date": item.get("date") or meta.date,
        "updated": meta.updated,
        "tags": list(item.get("tags") or meta.tags),
        "description": item.get("description") or meta.description,
        "image": result.image,
        "original_source": source.to_json(),
        "retrieved_from": retrieved,
        "claimed_url": item.get("claimed_url"),  # a feed item's link to another site: a claim
        "canonical_url": canonical,
        "fingerprint": fingerprint(result.body),
    }
    fm, fm_removed = safe_generated(fm, probe)
    body = result.body
    if opts.attribution_line:
        body = with_attribution_line(body, source)
    return CleanedDocument(
        doc.name,
        "html",
        render_yaml(fm) + "\n" + body,
        (*result.removals, *source_removed, *fm_removed),
        source,
        retrieved,
        fm.get("title"),
        fm["fingerprint"],
    )
