"""Who really published an article, and where; the evidence used goes to the audit record.

Evidence is gathered by `scraper.pipeline.clues` into candidates keyed by registrable domain
(`scraper.pipeline.evidence`). Explicit declarations decide; otherwise the body's evidence
(affiliate sub-tags, credits, link and image domains, e-mail domains, mentions) outweighs a
title, so a title naming TechRadar over a ZDNet body gives ZDNet. A publisher group's CDN
(futurecdn.net) only backs a member of the group that has other evidence. A name is never a
date, a CDN, a farm or a generic word; when no name is known, the registrable domain of the
strongest evidence is the name. Pages that are not farm copies need two kinds of evidence to
be called a copy; otherwise a page is its own source (first party), named from its own
address: its canonical URL, or the guid/permalink in its front matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from cleaners.hosts import registrable_domain, url_host
from cleaners.ruleset import RuleSet
from scraper.pipeline import clues
from scraper.pipeline.evidence import (
    FM_SELF_KEYS,
    FM_URL_KEYS,
    Candidate,
    Scorer,
    Signals,
    anchored,
    is_url,
    text_value,
)

__all__ = ["FM_SELF_KEYS", "FM_URL_KEYS", "OriginalSource", "Signals", "attribute", "self_urls"]


@dataclass(frozen=True)
class OriginalSource:
    """The source a document is attributed to, and the evidence for it."""

    name: str | None
    url: str | None
    first_party: bool
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "url": self.url}


def self_urls(front_matter: dict[str, object]) -> list[str]:
    """The addresses a post gives for itself (url, permalink, canonical, link, a URL guid)."""
    return [v for k in FM_SELF_KEYS if isinstance(v := front_matter.get(k), str) and is_url(v.strip())]


def _group_backing(s: Scorer) -> None:
    """Links and images on a publisher group's CDN back the group's members that already have
    evidence of their own; alone they name nobody."""
    for cdn, n in s.group_counts.items():
        members = set((s.group_of(cdn) or "").split())
        for c in s.cands.values():
            if c.domain in members and c.score > 0:
                s.add(c, min(n, 4), "group-cdn", f"{n} links and images on {cdn}, a CDN of its group")


def attribute(sig: Signals, rules: RuleSet) -> OriginalSource:
    s = Scorer(rules, sig)
    clues.explicit(s, sig)
    clues.links(s, sig)
    clues.shares(s, sig)
    clues.subtags(s, sig)
    if not any(c.score >= 50 for c in s.cands.values()):  # else explicit evidence decides
        clues.credits_and_mentions(s, sig)
    clues.title(s, sig)
    _group_backing(s)
    ranked = sorted(s.cands.values(), key=lambda c: (-c.score, -len(c.kinds), c.domain or "", c.name or ""))
    best = ranked[0] if ranked else None
    accepted = best is not None and (
        best.score >= 50 or (sig.farm and best.score >= 5) or (best.score >= 12 and len(best.kinds) >= 2)
    )
    if best is not None and accepted:
        return _named(s, sig, best)
    if sig.farm:
        return OriginalSource(None, None, False, ("farm copy with no evidence of the original publisher",))
    return _first_party(s, sig)


def _named(s: Scorer, sig: Signals, best: Candidate) -> OriginalSource:
    if best.url is None and best.domain:
        best.url = _self_anchor(sig.body, best.domain, s)
        if best.url:
            best.evidence.append(f"in-page link to its own section: {best.url}")
    host = _home_host(best)
    name = best.name if best.name and "explicit" in best.kinds and s.usable(best.name) else None
    name = name or s.table_name(host) or (s.table_name(best.domain) if best.domain else None)
    name = name or (best.name if best.name and s.usable(best.name) else None) or best.domain
    url = best.url or (f"https://{host}/" if host else None)
    return OriginalSource(name, url, False, tuple(best.evidence))


def _slug(text: str) -> str:
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[\s_]+", "-", text).strip("-")


def _self_anchor(body: str, domain: str, s: Scorer) -> str | None:
    """A link to a heading of this very article ("Quick Links" lists) gives its URL."""
    slugs: set[str] | None = None
    for url in s.body_urls:  # the URLs of `body`, sig.body
        page, _, fragment = url.partition("#")
        if not fragment or s.domain_of(url_host(page)) != domain:
            continue
        if slugs is None:
            slugs = {_slug(m.group(1)) for m in _headings(body)}
        if _slug(unquote(fragment)) in slugs:
            return page
    return None


_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.M)


def _headings(body: str) -> list[re.Match[str]]:
    """`_HEADING.finditer(body)`: each match starts a line with a "#", so the pattern is tried
    only there (after a newline put first, where the body's start is such a place; `^` holds
    after it as at the start), past the end of the last match, not at every character."""
    return anchored(_HEADING, "\n" + body, ("\n#",), 1)


_ASSET_LABEL = re.compile(
    r"^(?:images?|img\d*|static\d*|cdn\d*|media\d*|assets?|i\d*|s\d*|thumbs?|pics?|photos?|uploads?|files?)$"
)


def _home_host(c: Candidate) -> str:
    """The site's own host for a home-page link: not an image or asset host."""
    for host, _ in c.hosts.most_common():
        if c.domain and registrable_domain(host) == c.domain and not _ASSET_LABEL.match(host.split(".")[0]):
            return host
    return f"www.{c.domain}" if c.domain and "." in c.domain else ""


def _first_party(s: Scorer, sig: Signals) -> OriginalSource:
    """A page that names no other publisher is its own: its canonical URL (or og:url, or the
    address it was fetched from), or for a post the guid/permalink its front matter gives."""
    meta, fm = sig.meta, sig.front_matter
    own = self_urls(dict(fm))
    page = sig.page_url if is_url(sig.page_url) else None
    url = next((u for u in (meta.canonical, meta.og_url, *own, page) if u and is_url(u)), None)
    host = url_host(url or "")
    site_name = meta.site_name if meta.site_name and s.usable(meta.site_name) else None
    fm_site = next(
        (n for k in ("site", "site_name", "publisher", "blog") if (n := text_value(fm.get(k)))), ""
    )
    name = (
        site_name
        or (s.table_name(host) if host else None)
        or (fm_site if s.usable(fm_site) else None)
        or (registrable_domain(host) if host else None)
    )
    evidence = ["no sign of another publisher: first-party post"]
    if url:
        evidence.append(f"its own address: {url}")
    return OriginalSource(name, url, True, tuple(evidence))
