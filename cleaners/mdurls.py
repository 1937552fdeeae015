"""Every URL written in Markdown syntax, found by one traversal, through the URL rules and the gate.

`url_sites` finds them all — inline links and images, the stray `](url)` tails that broken
links leave, reference definitions, autolinks and bare URLs — with exact positions. `clean_urls`
then applies, to each one, the gate first (`cleaners.safeurl.is_safe_url`: a link is dropped and
its text kept, an image removed, a definition removed and its uses unlinked — each recorded as
`unsafe`) and then the URL rules (`UrlCleaner.clean`: rewrite, or unlink). Debris goes with a
link (`cleaners.debris`): a link that shows nothing, an unlinked one whose text means nothing
without it (its URL, a lone button label). URLs in raw-HTML attributes are the DOM rules'
(`cleaners.dom`), those of the front matter the pipeline's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import itemgetter
from typing import Literal, NamedTuple

from cleaners.debris import EMPTY_LINK, goes_whole, text_around
from cleaners.dom import DomContext
from cleaners.editor import Edit
from cleaners.mdedits import Recorder, merge
from cleaners.mdsyntax import (
    escape_url,
    find_autolinks,
    find_bare_urls,
    find_links_and_rest,
    find_ref_uses,
    find_refdefs,
)
from cleaners.safeurl import is_safe_url
from cleaners.urls import UrlStep

__all__ = ["UrlSite", "clean_urls", "url_sites"]

Spans = list[tuple[int, int]]
Kind = Literal["link", "image", "orphan", "refdef", "autolink", "bare", "loose"]
_UNSAFE_REASON = "URL with a scheme other than http, https or mailto"


class UrlSite(NamedTuple):  # a tuple: some thirty are made per document
    kind: Kind
    start: int  # the whole construct
    end: int
    url_start: int
    url_end: int
    text_start: int = -1  # link and image text
    text_end: int = -1
    angle: bool = False  # written as <url>
    label: str = ""  # a reference definition's label


_new = tuple.__new__
_START = itemgetter(1)
_END = itemgetter(2)


def url_sites(body: str, blocked: list[tuple[int, int]]) -> list[UrlSite]:
    """Every URL in Markdown syntax outside the blocked spans (code, raw HTML), in document order."""
    links, orphans, rest = find_links_and_rest(body, blocked)
    # (sites made by tuple.__new__ with every field: UrlSite's own __new__ is a Python frame)
    sites = [
        _new(UrlSite, ("image" if image else "link", start, end, ds, de, ts, te, angle, ""))
        for start, ts, te, ds, de, end, image, angle in links
    ]
    sites += [_new(UrlSite, ("orphan", s, e, ds, de, -1, -1, False, "")) for s, ds, de, e in orphans]
    sites += [
        _new(UrlSite, ("refdef", d.start, d.end, d.dest_start, d.dest_end, -1, -1, False, d.label))
        for d in find_refdefs(body, blocked)
    ]
    sites += [
        _new(UrlSite, ("autolink", a, b, a + 1, b - 1, -1, -1, True, ""))
        for a, b in find_autolinks(body, blocked)
    ]
    # outside the blocked spans, the sites' URLs and the autolinks (merged only if needed); a
    # "www." URL has no scheme and is not cleaned
    bare = find_bare_urls(
        body,
        lambda: merge(
            blocked
            + [(s.url_start, s.url_end) for s in sites]
            + [(s.start, s.end) for s in sites if s.kind == "autolink"]
        ),
        ("http",),
    )
    sites += [_new(UrlSite, ("bare", a, b, a, b, -1, -1, False, "")) for a, b in bare]
    sites += _loose(body, rest)
    # by start, and the longer first where two start together (two stable sorts in C: the
    # same order as sorting by (start, -end), without a Python key call per site)
    sites.sort(key=_END, reverse=True)
    sites.sort(key=_START)
    return sites


_LOOSE_DEST = re.compile(r"[ \t]*\n?[ \t]*<?([^\s<>]*)")


def _loose(body: str, rest: list[int]) -> list[UrlSite]:
    """`](url` that CommonMark does not read as a link but a laxer renderer may (Python-Markdown
    takes `[t](javascript:(')` for one): the destination a renderer could see, from "(" to
    the first space. `rest`: the "](" outside code and raw HTML that are no link or orphan."""
    out: list[UrlSite] = []
    for pos in rest:
        m = _LOOSE_DEST.match(body, pos + 2)
        if m is not None and m.group(1):
            out.append(_new(UrlSite, ("loose", pos + 1, m.end(), m.start(1), m.end(1), -1, -1, False, "")))
    return out


def clean_urls(body: str, ctx: DomContext, rec: Recorder, blocked: list[tuple[int, int]]) -> None:
    removed_end = -1
    for site in url_sites(body, blocked):
        if site.start < removed_end:  # inside a construct already removed whole
            continue
        if _HANDLERS[site.kind](body, site, ctx, rec, blocked):
            removed_end = max(removed_end, site.end)


def _unlink(body: str, site: UrlSite, rec: Recorder, step: UrlStep) -> None:
    """Drop "[" and "](url)" separately (edits inside the text stay valid); keep the text."""
    text = body[site.text_start : site.text_end]
    snippet = body[site.start : site.end]
    rec.add(site.start, site.text_start, "", step.category, step.rule, step.reason, snippet, text)
    rec.edits.append(Edit(site.text_end, site.end, ""))


def _unsafe(site: UrlSite, what: str) -> UrlStep:
    return UrlStep("unsafe", "unsafe-url", f"{what}: {_UNSAFE_REASON}", "")


def _rewrite(body: str, rec: Recorder, site: UrlSite, url: str, steps: tuple[UrlStep, ...]) -> None:
    new = escape_url(url, site.angle)
    if body[site.url_start : site.url_end] == new or not is_safe_url(new, markdown=True):
        return  # unchanged, or a rule's result the gate refuses: the original (it passed) stays
    rec.steps(site.url_start, site.url_end, steps, new)
    rec.edits.append(Edit(site.url_start, site.url_end, new))


def _link(body: str, site: UrlSite, ctx: DomContext, rec: Recorder, blocked: Spans) -> bool:
    url = body[site.url_start : site.url_end]
    if not is_safe_url(url, markdown=True):
        _unlink(body, site, rec, _unsafe(site, "link"))
        return False  # its text stays, and what the text holds is cleaned
    verdict = ctx.urls.clean(url)
    text = body[site.text_start : site.text_end]
    if not text.strip() and verdict.action != "unlink":  # it shows nothing: it goes
        step = verdict.last if verdict.steps else EMPTY_LINK
        rec.add(site.start, site.end, "", step.category, step.rule, step.reason)
        return True
    if verdict.action == "rewrite":
        _rewrite(body, rec, site, verdict.url, verdict.steps)
    elif verdict.action == "unlink":
        last = verdict.last
        if verdict.affiliate and ("![" in text or "<img" in text.lower()):
            rec.add(site.start, site.end, "", "ad_block", "affiliate-banner", "affiliate banner link")
            return True
        if goes_whole(text, text_around(body, site.start, site.end)):
            rec.add(site.start, site.end, "", last.category, last.rule, last.reason)
            return True
        allow = ctx.rules.allow
        if allow.text and allow.allows_text(body[site.start : site.end]):
            return False
        rec.steps(site.start, site.end, verdict.steps[:-1], "")
        _unlink(body, site, rec, last)
    return False


def _image(body: str, site: UrlSite, ctx: DomContext, rec: Recorder, blocked: Spans) -> bool:
    url = body[site.url_start : site.url_end]
    if not is_safe_url(url, markdown=True):
        rec.add(site.start, site.end, "", "unsafe", "unsafe-url", f"image: {_UNSAFE_REASON}")
        return True
    media = ctx.urls.media_verdict(url)
    if media:
        rec.add(site.start, site.end, "", media[0], media[1], media[2])
        return True
    if "?" not in url and "#" not in url:
        return False  # only a query or fragment can carry trackers on an image
    verdict = ctx.urls.clean(url)
    if verdict.action == "rewrite" and all(s.category == "tracking_param" for s in verdict.steps):
        _rewrite(body, rec, site, verdict.url, verdict.steps)
    return False


def _orphan(body: str, site: UrlSite, ctx: DomContext, rec: Recorder, blocked: Spans) -> bool:
    """A stray "](url)": the tail of a broken link (`[alt](img "t") ](target)`)."""
    url = body[site.url_start : site.url_end]
    if is_safe_url(url, markdown=True):
        verdict = ctx.urls.clean(url)
        if verdict.action == "rewrite":
            _rewrite(body, rec, site, verdict.url, verdict.steps)
        if verdict.action != "unlink":
            return False
        step = verdict.last
        rec.steps(site.start, site.end, verdict.steps[:-1], "")
    else:
        step = _unsafe(site, "stray link tail")
    start = site.start
    while start > 0 and body[start - 1] in " \t":
        start -= 1
    rec.add(start, site.end, "", step.category, step.rule, "stray link residue: " + step.reason)
    return True


def _refdef(body: str, site: UrlSite, ctx: DomContext, rec: Recorder, blocked: Spans) -> bool:
    url = body[site.url_start : site.url_end]
    if is_safe_url(url, markdown=True):
        verdict = ctx.urls.clean(url)
        if verdict.action == "rewrite":
            _rewrite(body, rec, site, verdict.url, verdict.steps)
        if verdict.action != "unlink":
            return False
        last = verdict.last
    else:
        last = _unsafe(site, "link definition")
    end = site.end + 1 if body[site.end : site.end + 1] == "\n" else site.end
    rec.add(site.start, end, "", last.category, last.rule, last.reason + " (link definition)")
    for s, ts, te, e in find_ref_uses(body, site.label, blocked):
        rec.add(s, ts, "", last.category, last.rule, last.reason, snippet=body[s:e], replacement=body[ts:te])
        rec.edits.append(Edit(te, e, ""))
    return True


def _plain(body: str, site: UrlSite, ctx: DomContext, rec: Recorder, blocked: Spans) -> bool:
    """Autolinks and bare URLs: the URL is the text, so an unlinked one goes whole."""
    url = body[site.url_start : site.url_end]
    if not is_safe_url(url):
        rec.add(site.start, site.end, "", "unsafe", "unsafe-url", f"{site.kind}: {_UNSAFE_REASON}")
        return True
    verdict = ctx.urls.clean(url)
    if verdict.action == "rewrite":
        _rewrite(body, rec, site, verdict.url, verdict.steps)
    elif verdict.action == "unlink":
        rec.add(site.start, site.end, "", verdict.last.category, verdict.last.rule, verdict.last.reason)
        return True
    return False


def _loose_site(body: str, site: UrlSite, ctx: DomContext, rec: Recorder, blocked: Spans) -> bool:
    """A script URL after a "](" that is no link to us: a backslash before "(" makes it text
    to every renderer."""
    if is_safe_url(body[site.url_start : site.url_end], markdown=True):
        return False
    reason = f"link-like text: {_UNSAFE_REASON}"
    rec.add(site.start, site.start, "\\", "unsafe", "unsafe-url", reason, body[site.start : site.end], "\\(")
    return False


_HANDLERS: dict[Kind, Callable[[str, UrlSite, DomContext, Recorder, Spans], bool]] = {
    "link": _link,
    "image": _image,
    "orphan": _orphan,
    "refdef": _refdef,
    "autolink": _plain,
    "bare": _plain,
    "loose": _loose_site,
}
