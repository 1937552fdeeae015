"""Who really published an article, and where.

Signals are scored per publisher (keyed by registrable domain when one is known):

* explicit (decisive): syndication front matter (`external_url`, `feed_name` …), "appeared
  first on" / "originally published" footers, JSON-LD `isBasedOn`, `original-source` meta,
  a canonical URL on another site;
* body evidence: share links carrying the article URL, affiliate tags naming the publisher,
  credits ("Tori Rubloff/ZDNet"), mentions ("ZDNet's Charlie Osborne"), e-mail domains, and
  the domain most outbound links and images point to;
* weak: a title suffix ("- Insights From ZDNet").

Body evidence outweighs a title, so a title naming TechRadar over a ZDNet body gives ZDNet.
Pages that are not farm copies need two kinds of evidence to be called a copy; otherwise a
page is its own source (first party).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, unquote

from cleaners.hosts import registrable_domain, url_host
from cleaners.records import Removal
from cleaners.ruleset import RuleSet
from scraper.pipeline.metadata import PageMeta

FM_URL_KEYS = (
    "external_url",
    "original_url",
    "source_url",
    "original_link",
    "syndication_url",
    "canonical_url",
)
FM_NAME_KEYS = ("feed_name", "source_name", "publisher", "original_publisher", "site_name", "source", "via")
_MD_URL = re.compile(r"\]\(\s*<?([^)\s>]+)")
_ATTR_URL = re.compile(r"(?:(?<=h)ref|(?<=s)rc)\s*=\s*[\"']([^\"']+)")  # "ref" first: 4x faster
_AUTO_URL = re.compile(r"<(https?://[^>\s]+)>")


def _urls(body: str) -> list[str]:
    """Link and image URLs of a Markdown body (with its raw HTML)."""
    urls = [m.group(1) for m in _MD_URL.finditer(body)]
    if "href" in body or "src" in body:
        urls += [m.group(1) for m in _ATTR_URL.finditer(body)]
    if "<http" in body:
        urls += [m.group(1) for m in _AUTO_URL.finditer(body)]
    return urls


_SHARE = re.compile(
    r"(?:facebook\.com/share(?:r)?(?:\.php|/sharer\.php)?|twitter\.com/intent/tweet|x\.com/intent/tweet|"
    r"linkedin\.com/shareArticle|reddit\.com/submit|pinterest\.com/pin/create)[^)\s\"']*",
    re.I,
)
_FOOTER = re.compile(
    r"(?:appeared first on|originally (?:published|appeared|posted)(?: on| at| in| by)?|"
    r"first (?:published|appeared) (?:on|at|in|by)|republished (?:with permission )?from|reprinted from)"
    r"\s*:?\s*(?:\[([^\]]+)\]\(([^)\s]+)\)|[\"“]([^\"”\n]{2,60})[\"”]|([A-Z][\w.&'’ -]{1,50}?)(?=[.,;\n]|$))"
    r"(?:[^\n]*?\]\((https?://[^)\s]+)\))?",
    re.I | re.M,
)
_FOOTER_WORDS = ("first on", "originally", "first published", "first appeared", "republished", "reprinted")
_EMAIL = re.compile(r"[\w.+-]@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_SHARE_WORDS = ("facebook.com/share", "intent/tweet", "shareArticle", "reddit.com/submit", "pin/create")
_FREEMAIL = frozenset(
    ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "proton.me", "aol.com"]
)
_UNKNOWN_SUFFIX = re.compile(
    r"(?:[-–—|:]\s*(?:[\w'’ ]{0,30}\s)?(?:from|by|via)"
    r"|\b(?:review|insights?|tips|news|advice|guide)\s+(?:from|by))"
    r"\s+(?P<name>[A-Z][\w.&'’+-]*(?:\s+[A-Z][\w.&'’+-]*){0,3})\s*$"
)
_URLISH = re.compile(r"\]\([^)]*\)|https?://\S+|<[^>]+>")


@dataclass(frozen=True)
class OriginalSource:
    name: str | None
    url: str | None
    first_party: bool
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, str | None]:
        return {"name": self.name, "url": self.url}


@dataclass(frozen=True)
class Signals:
    title: str | None = None
    front_matter: Mapping[str, Any] = field(default_factory=dict)
    body: str = ""
    page_url: str | None = None
    meta: PageMeta = field(default_factory=PageMeta)
    farm: bool = False
    own_domains: frozenset[str] = frozenset()
    removals: tuple[Removal, ...] = ()
    share_links: tuple[str, ...] = ()  # share-button URLs of a page (its Markdown drops them)


@dataclass
class _Candidate:
    domain: str | None
    name: str | None = None
    url: str | None = None
    score: float = 0.0
    kinds: set[str] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)
    hosts: Counter[str] = field(default_factory=Counter)


_CREDIT = re.compile(r"[A-Z][\w.'-]+\s?/\s?$")
_CAPS = re.compile(r"[A-Z0-9][\w&+-]*(?:\.[\w&+-]+)*")


@lru_cache(maxsize=8)
def _name_keys(names: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    """Each name, its words that _CAPS finds as tokens ("Tom's Hardware" -> "Tom", "Hardware"),
    and whether it starts with one (names starting lower-case are searched directly)."""
    out = []
    for n in names:
        words = tuple(w for w in re.split(r"['’\s]+", n) if _CAPS.fullmatch(w))
        out.append((n, words, bool(words) and n.startswith(words[0])))
    return tuple(out)


class _Scorer:
    def __init__(self, rules: RuleSet, sig: Signals) -> None:
        self.rules = rules
        self.sig = sig
        self.cands: dict[str, _Candidate] = {}
        self._domains: dict[str, str] = {}
        self._excluded: dict[str, bool] = {}
        self.by_name = {n.lower(): d for d, n in rules.publishers.items()}
        self.name_keys = _name_keys(tuple(sorted(set(rules.publishers.values()), key=len, reverse=True)))

    def names_in(self, text: str) -> list[str]:
        """The publisher names that occur in `text` (longest first)."""
        if len(text) < 500:
            return [n for n, _, _ in self.name_keys if n in text]
        tokens = set(_CAPS.findall(text))
        return [
            n for n, words, cap in self.name_keys if (tokens.issuperset(words) if cap else True) and n in text
        ]

    def mentions(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of each whole-word occurrence of a publisher name, in order.
        str.find, not a regex: a pattern that opens with a look-behind is scanned position by
        position, which costs a hundred times more on a long article."""
        found: list[tuple[int, int, str]] = []
        taken: set[int] = set()
        for name in self.names_in(text):
            pos = text.find(name)
            while pos >= 0:
                end = pos + len(name)
                before = text[pos - 1] if pos else " "
                after = text[end] if end < len(text) else " "
                whole = not (before.isalnum() or before in "_.") and not (after.isalnum() or after == "_")
                if whole and pos not in taken:  # else part of a word, or of a longer name
                    taken.update(range(pos, end))
                    found.append((pos, end, name))
                pos = text.find(name, end)
        return sorted(found)

    # -- keys ---------------------------------------------------------------------------------

    def domain_of(self, host: str) -> str:
        found = self._domains.get(host)
        if found is None:
            reg = registrable_domain(host)
            aliases = self.rules.publisher_aliases
            found = self._domains[host] = aliases.get(host, aliases.get(reg, reg))
        return found

    def table_name(self, host: str | None) -> str | None:
        h = (host or "").lower()
        while h:
            if h in self.rules.publishers:
                return self.rules.publishers[h]
            h = h.partition(".")[2]
        return None

    def excluded(self, domain: str) -> bool:
        found = self._excluded.get(domain)
        if found is None:
            found = self._excluded[domain] = (
                not domain
                or domain in self.sig.own_domains
                or self.rules.farm_domains.matches(domain)
                or self.rules.attribution_ignore.matches(domain)
            )
        return found

    def cand(self, domain: str | None, name: str | None = None) -> _Candidate:
        if domain is None and name:
            domain = self.by_name.get(name.lower())
        key = domain or "name:" + (name or "").lower()
        c = self.cands.get(key)
        if c is None:
            c = self.cands[key] = _Candidate(domain, name)
        if name and not c.name:
            c.name = name
        return c

    def add(self, c: _Candidate, score: float, kind: str, evidence: str) -> None:
        c.score += score
        c.kinds.add(kind)
        if evidence not in c.evidence:
            c.evidence.append(evidence)

    def url_candidate(self, url: str, name: str | None, score: float, kind: str, evidence: str) -> None:
        host = url_host(url)
        domain = self.domain_of(host) if host else None
        if domain and (domain in self.sig.own_domains or self.rules.farm_domains.matches(domain)):
            return
        c = self.cand(domain, name)
        if c.url is None or score >= 60:
            c.url = url
        if host:
            c.hosts[host] += 1
        self.add(c, score, kind, evidence)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _is_url(value: str | None) -> bool:
    return bool(value and re.match(r"^https?://", value, re.I))


def _explicit(s: _Scorer, sig: Signals) -> None:
    fm = sig.front_matter
    fm_name = next(
        (_text(fm.get(k)) for k in FM_NAME_KEYS if _text(fm.get(k)) and not _is_url(_text(fm.get(k)))), None
    )
    fm_url = next((_text(fm.get(k)) for k in FM_URL_KEYS if _is_url(_text(fm.get(k)))), None)
    if fm_url is None and _is_url(_text(fm.get("source"))):
        fm_url = _text(fm.get("source"))
    if fm_url:
        s.url_candidate(fm_url, fm_name, 100, "explicit", f"front matter points to {fm_url}")
    elif fm_name:
        s.add(s.cand(None, fm_name), 50, "explicit", f"front matter names {fm_name}")
    low = sig.body.lower()
    footers = _FOOTER.finditer(sig.body) if any(w in low for w in _FOOTER_WORDS) else iter(())
    for m in footers:
        name = m.group(1) or m.group(3) or m.group(4)
        url = m.group(2) if _is_url(m.group(2)) else m.group(5)
        name = name.strip() if name else None
        if name and (_is_url(name) or name.lower() in ("here", "this site", "the web")):
            name = None
        what = f"footer '{m.group(0).strip()[:80]}'"
        if url:
            s.url_candidate(url, name, 100, "explicit", what)
        elif name:
            s.add(s.cand(None, name), 50, "explicit", what)
    meta = sig.meta
    for url, what in ((meta.based_on, "JSON-LD isBasedOn"), (meta.original_source, "original-source meta")):
        if _is_url(url):
            assert url is not None
            s.url_candidate(url, None, 100, "explicit", f"{what} {url}")
    page_domain = s.domain_of(url_host(sig.page_url or ""))
    for url, what in ((meta.canonical, "canonical"), (meta.og_url, "og:url")):
        if _is_url(url):
            assert url is not None
            d = s.domain_of(url_host(url))
            if d and d != page_domain and not s.excluded(d):
                s.url_candidate(url, None, 60, "explicit", f"{what} points to {url}")


def _body(s: _Scorer, sig: Signals) -> None:
    body = sig.body
    counts: Counter[str] = Counter()
    hosts: dict[str, Counter[str]] = {}
    total = 0
    seen: dict[str, tuple[str, int]] = {}  # host -> (domain, 0 own/farm | 1 ignored | 2 counted)
    for url in _urls(body):
        host = url_host(url)
        if not host:
            continue
        known = seen.get(host)
        if known is None:
            domain = s.domain_of(host)
            if domain in sig.own_domains or s.rules.farm_domains.matches(domain):
                known = (domain, 0)
            else:
                known = (domain, 1 if s.excluded(domain) else 2)
            seen[host] = known
        domain, kind = known
        if kind:
            total += 1
        if kind == 2:
            counts[domain] += 1
            hosts.setdefault(domain, Counter())[host] += 1
    if counts:
        domain, n = counts.most_common(1)[0]
        share = n / total
        if n >= 3 and share >= 0.4:
            c = s.cand(domain)
            c.hosts.update(hosts[domain])
            s.add(c, 4 + 8 * share, "links", f"{n} of {total} links and images point to {domain}")
    for m in _share_links(body + "\n" + "\n".join(sig.share_links)):
        params = parse_qs(m.group(0).replace("&amp;", "&").partition("?")[2])
        for key in ("u", "url"):
            for value in params.get(key, []):
                url = unquote(value)
                d = s.domain_of(url_host(url))
                if _is_url(url) and d and not s.excluded(d):
                    s.url_candidate(url, None, 20, "share", f"share link for {url}")
    for r in sig.removals:
        if r.category != "affiliate_link" or "tag=" not in r.snippet:
            continue  # publisher tags only ever sit in affiliate links
        for tag in re.findall(r"(?:^|[?&])tag=([\w-]+?)(?:-2\d)?(?:&|$)", r.snippet):
            tag_domain = s.rules.affiliate_tags.get(tag.lower()) or next(
                (
                    d
                    for d in s.rules.publishers
                    if tag.lower().startswith(d.split(".")[0]) and len(d.split(".")[0]) >= 4
                ),
                None,
            )
            if tag_domain:
                s.add(s.cand(tag_domain), 8, "affiliate", f"affiliate tag '{tag}' belongs to {tag_domain}")


def _share_links(text: str) -> list[re.Match[str]]:
    """Share-button links, searched only on the lines that hold one (the case-blind pattern is
    slow over a whole article)."""
    lines: set[tuple[int, int]] = set()
    for word in _SHARE_WORDS:
        pos = text.find(word)
        while pos >= 0:
            start = text.rfind("\n", 0, pos) + 1
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            lines.add((start, end))
            pos = text.find(word, end)
    return [m for start, end in sorted(lines) for m in _SHARE.finditer(text, start, end)]


def _mentions(s: _Scorer, sig: Signals) -> None:
    """Credits, possessives and mentions of known publishers, and e-mail domains, in the prose."""
    prose = _URLISH.sub(" ", sig.body)
    mention = 0.0
    for start, end, name in s.mentions(prose):
        before = prose[max(0, start - 40) : start]
        if _CREDIT.search(before):
            credit = before.split()[-1] if before.split() else ""
            score, kind, what = 5.0, "credit", f"credit '{credit}{name}'"
        elif prose.startswith(("'s", "’s"), end):
            score, kind, what = 3.0, "mention", f"mention '{name}'s'"
        else:
            score, kind, what = 1.0, "mention", f"mention '{name}'"
        if mention + score > 15:
            break
        mention += score
        s.add(s.cand(None, name), score, kind, what)
    for m in _EMAIL.finditer(prose) if "@" in prose else ():
        d = s.domain_of(m.group(1).lower())
        if d not in _FREEMAIL and not s.excluded(d):
            s.add(s.cand(d), 2, "email", f"e-mail address at {d}")


def _title(s: _Scorer, sig: Signals) -> None:
    title = (sig.title or "").strip()
    if not title:
        return
    names = s.names_in(title)
    if names:
        alt = "|".join(re.escape(n) for n in names)
        known = re.search(rf"(?:[-–—|:]\s*|\b(?:from|by|on|via|at)\s+)({alt})\s*$", title)
        if known:
            s.add(s.cand(None, known.group(1)), 6, "title", f"title names {known.group(1)}")
            return
    m = _UNKNOWN_SUFFIX.search(title)
    if m and m.group("name").lower() != (sig.meta.site_name or "").lower():
        s.add(s.cand(None, m.group("name")), 6, "title", f"title names {m.group('name')}")


def attribute(sig: Signals, rules: RuleSet) -> OriginalSource:
    s = _Scorer(rules, sig)
    _explicit(s, sig)
    _body(s, sig)
    if not any(c.score >= 50 for c in s.cands.values()):  # else explicit evidence decides
        _mentions(s, sig)
    _title(s, sig)
    ranked = sorted(s.cands.values(), key=lambda c: (-c.score, -len(c.kinds), c.domain or "", c.name or ""))
    best = ranked[0] if ranked else None
    accepted = best is not None and (
        best.score >= 50 or (sig.farm and best.score >= 5) or (best.score >= 12 and len(best.kinds) >= 2)
    )
    if best is not None and accepted:
        if best.url is None and best.domain:
            best.url = _self_anchor(sig.body, best.domain, s)
            if best.url:
                best.evidence.append(f"in-page link to its own section: {best.url}")
        host = _home_host(best)
        name = best.name if best.name and "explicit" in best.kinds else None
        name = name or s.table_name(host) or (s.table_name(best.domain) if best.domain else None)
        name = name or best.name or best.domain
        url = best.url or (f"https://{host}/" if host else None)
        return OriginalSource(name, url, False, tuple(best.evidence))
    if sig.farm:
        return OriginalSource(None, None, False, ("farm copy with no evidence of the original publisher",))
    return _first_party(s, sig)


def _slug(text: str) -> str:
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[\s_]+", "-", text).strip("-")


def _self_anchor(body: str, domain: str, s: _Scorer) -> str | None:
    """A link to a heading of this very article ("Quick Links" lists) gives its URL."""
    slugs: set[str] | None = None
    for url in _urls(body):
        page, _, fragment = url.partition("#")
        if not fragment or s.domain_of(url_host(page)) != domain:
            continue
        if slugs is None:
            slugs = {_slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*$", body, re.M)}
        if _slug(unquote(fragment)) in slugs:
            return page
    return None


_ASSET_LABEL = re.compile(
    r"^(?:images?|img\d*|static\d*|cdn\d*|media\d*|assets?|i\d*|s\d*|thumbs?|pics?|photos?|uploads?|files?)$"
)


def _home_host(c: _Candidate) -> str:
    """The site's own host for a home-page link: not an image or asset host."""
    for host, _ in c.hosts.most_common():
        if c.domain and registrable_domain(host) == c.domain and not _ASSET_LABEL.match(host.split(".")[0]):
            return host
    return f"www.{c.domain}" if c.domain and "." in c.domain else ""


def _first_party(s: _Scorer, sig: Signals) -> OriginalSource:
    meta = sig.meta
    page = sig.page_url if _is_url(sig.page_url) else None
    url = meta.canonical if _is_url(meta.canonical) else (meta.og_url if _is_url(meta.og_url) else page)
    host = url_host(url or "")
    fm = sig.front_matter
    site_name = meta.site_name if meta.site_name and not _is_url(meta.site_name) else None
    name = (
        site_name
        or (s.table_name(host) if host else None)
        or next(
            (_text(fm.get(k)) for k in ("site", "site_name", "publisher", "blog") if _text(fm.get(k))), None
        )
        or (registrable_domain(host) if host else None)
    )
    return OriginalSource(name, url, True, ("no sign of another publisher: first-party post",))
