"""URL rules: unwrap affiliate redirects, drop affiliate tags and tracking parameters, spot
hijacked, affiliate-only, pixel and ad URLs.

Everything is offline string work: a cleaner never resolves a redirect over the network.
Query parameters that are kept stay byte for byte as they were, so diffs show only removals.
A link through a farm's own affiliate account (its partner id, its shop-links slug) is
`hijacked_link`: the farm put it there, whoever's network it runs through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar
from urllib.parse import SplitResult, urljoin

from cleaners.hosts import HostSet, registrable_domain, url_host
from cleaners.records import UrlStep, UrlVerdict
from cleaners.ruleset import AffiliateRule, RedirectRule, RuleSet, StripRule
from cleaners.safeurl import is_safe_url, scheme_of
from cleaners.urlparts import (
    decode_url,
    network_domains,
    param_name,
    param_url,
    query_pairs,
    split_path,
    split_url,
    url_host_of,
    url_path,
)

# 1x1 GIF87a/GIF89a and 1x1 PNG, as they start in base64.
_ONE_PIXEL = re.compile(
    r"data:image/(?:gif|png);base64,(?:R0lGODlhAQABA|R0lGODdhAQABA|iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB)"
)
_MAX_UNWRAP = 3
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
# An http(s) URL (with neither "?" nor "#") whose host is letters, digits, dots and hyphens up to
# its path: its host for url_host (lower-cased) and its path for url_path ("/" when none)
_WEB = ("https://", "http://")
_PLAIN_HOST_PATH = re.compile(r"https?://([A-Za-z0-9.-]+)(/.*)?\Z", re.S)
_FARM_ACCOUNT = "link through the farm's own affiliate account"
_MEMO_URLS = 4096  # URLs remembered per memo (then it starts afresh)
_MEMO_LEN = 2048  # longer URLs (data: images) are not remembered
_UNKNOWN = ("", "", "")  # not in a memo (by identity)

T = TypeVar("T")

__all__ = ["UrlCleaner", "UrlStep", "UrlVerdict", "network_domains"]


class _HostRules(NamedTuple):  # a tuple: one is made per host of each page
    redirects: tuple[RedirectRule, ...]
    affiliates: tuple[AffiliateRule, ...]
    strips: tuple[StripRule, ...]
    farm: bool
    network: bool  # a domain this page shows to be an affiliate network's
    into_farm: bool  # farm, or a farm domain of the rules (whatever this page's farm hosts)
    # When not None: a URL without query or fragment can only be acted on if its path matches
    # one of these (the common case, a host no path rule names, is an empty tuple).
    gates: tuple[re.Pattern[str], ...] | None


def _gates(
    redirects: tuple[RedirectRule, ...], affiliates: tuple[AffiliateRule, ...], strips: tuple[StripRule, ...]
) -> tuple[re.Pattern[str], ...] | None:
    """Path patterns under which a rule can act on a URL with no query (None: any path)."""
    gates: list[re.Pattern[str]] = []
    for r in redirects:
        if r.click or r.dest is not None:
            gate = r.path if r.click else r.path or r.dest
            if gate is None:
                return None
            gates.append(gate)
    for a in affiliates:
        if not (a.query or a.fingerprint):
            if a.path is None:
                return None
            gates.append(a.path)
    gates.extend(s.path for s in strips if s.path is not None)
    return tuple(gates)


@dataclass
class UrlCleaner:
    """Applies a RuleSet's URL rules for one document (`farm_hosts` are that page's farm hosts,
    `network_domains` the affiliate-network domains it reveals, see `network_domains()`)."""

    rules: RuleSet
    farm_hosts: HostSet
    base_url: str | None = None
    network_domains: frozenset[str] = frozenset()
    # Verdicts by URL: pure for (rules, farm_hosts, base_url, network_domains), so documents
    # with the same four may share them (`cleaners.context`); bounded (see `_remember`).
    _cache: dict[str, UrlVerdict] = field(default_factory=dict, repr=False)
    _by_host: dict[str, _HostRules] = field(default_factory=dict, repr=False)
    _media: dict[str, tuple[str, str, str] | None] = field(default_factory=dict, repr=False)
    _hosts: dict[str, str] = field(default_factory=dict, repr=False)
    # (a pixel host, an ad-media host) by host: pure for the rules alone, so every document
    # cleaned with them may share it (`cleaners.context`); bounded as the others
    _media_hosts: dict[str, tuple[bool, bool]] = field(default_factory=dict, repr=False)
    _base: str | None = field(default=None, repr=False)

    def _host_rules(self, host: str) -> _HostRules:
        """The redirect, affiliate and strip rules that apply to a host, and whether it is a
        farm or network host (memoized for the document: the RuleSet itself holds no cache)."""
        found = self._by_host.get(host)
        if found is None:
            r = self.rules
            rules = (
                r.redirect_index.matching(host),
                r.affiliate_index.matching(host),
                r.strip_index.matching(host),
            )
            farm = self.farm_hosts.matches(host)
            network = bool(self.network_domains) and self._in_network(host)
            gates = None if farm or network else _gates(*rules)
            into_farm = farm or r.farm_domains.matches(host)
            found = self._by_host[host] = _HostRules(*rules, farm, network, into_farm, gates)
        return found

    def _in_network(self, host: str) -> bool:
        """The host's registrable domain is one of the page's network domains. That domain is
        the host's last labels (the host itself for an address), so a host that ends in none of
        them is answered without the public-suffix list."""
        h = host.lower().strip(".")
        for domain in self.network_domains:
            if h.endswith(domain) and (len(h) == len(domain) or h[-len(domain) - 1] == "."):
                return registrable_domain(host) in self.network_domains
        return False

    def into_farm(self, host: str) -> bool:
        """A host of this page's farm hosts or of the rules' farm domains."""
        return bool(host) and self._host_rules(host).into_farm

    def resolve(self, url: str) -> str:
        url = url.strip()
        if url.startswith(("https://", "http://")):
            return url
        if url.startswith("//"):
            return "https:" + url
        if self.base_url and not _SCHEME.match(url):
            try:
                return urljoin(self.base_url, url)
            except ValueError:
                return url
        return url

    def host(self, url: str) -> str:
        """The host a link leads to: '' for an in-page anchor (it leads nowhere else)."""
        found = self._hosts.get(url)
        if found is None:
            found = _remember(self._hosts, url, self._host(url))
        return found

    def _host(self, url: str) -> str:
        if url.startswith("#") or self.in_page(url):
            return ""
        if self.base_url and not url.startswith(("http://", "https://", "//")) and not _SCHEME.match(url):
            return self._base_host()  # a relative link stays on the page's own host
        return self._full_host(url)[1]

    def in_page(self, url: str) -> bool:
        """A link to an anchor of this very page (a table of contents): article content."""
        page, hash_, fragment = url.strip().partition("#")
        if not hash_ or not fragment:
            return False
        if not page:
            return True
        base = (self.base_url or "").partition("#")[0]
        return bool(base) and self.resolve(page).rstrip("/") == base.rstrip("/")

    def _base_host(self) -> str:
        if self._base is None:
            self._base = self._full_host(self.base_url or "")[1]
        return self._base

    def _split(self, url: str) -> tuple[str, SplitResult | None, str]:
        """(absolute URL, its parts, lower-case host); parts is None when it does not parse."""
        full = self.resolve(url)
        return full, *split_url(full)

    def _full_host(self, url: str) -> tuple[str, str]:
        """`_split`'s absolute URL and host, without urlsplit for a plain http(s) host."""
        full = self.resolve(url)
        return full, url_host_of(full)

    def clean(self, url: str) -> UrlVerdict:
        cached = self._cache.get(url)
        if cached is None:
            cached = _remember(self._cache, url, self._clean(url))
        return cached

    def _quick_keep(self, u: str) -> bool:
        """The common case: a URL without query or fragment that no rule could act on."""
        if "?" in u or "#" in u:
            return False
        path = None
        plain = _PLAIN_HOST_PATH.match(u)
        if plain is not None:  # url_host's host and url_path's path, read at once
            host, path = plain.group(1).lower(), plain.group(2) or "/"
        elif u.startswith(("https://", "http://")):
            host = url_host(u)
        elif _SCHEME.match(u):
            return False
        else:
            host = url_host(u) if u.startswith("//") else self._base_host()
        gates = self._host_rules(host).gates
        if gates is None or any(map(u.__contains__, self.rules.farm_fingerprints)):
            return False
        if not gates:
            return True
        if path is None:
            path = url_path(u)
        for g in gates:  # noqa: SIM110 (a loop: no generator per URL)
            if g.search(path):
                return False
        return True

    def _clean(self, url: str) -> UrlVerdict:
        u = url.strip()
        # the gate comes first: no [allow] entry lets a script URL through
        if not is_safe_url(u):
            return UrlVerdict(
                "unlink", url, (UrlStep("unsafe", "url-scheme", "link URL the gate refuses", u),)
            )
        allow = self.rules.allow
        if not u or u.startswith("#") or (allow.urls and allow.allows_url(u)) or self._quick_keep(u):
            return UrlVerdict("keep", url)
        if self.in_page(u) and not any(f.pattern.search(u.partition("#")[2]) for f in self.rules.fragments):
            return UrlVerdict("keep", url)  # the article's own table of contents
        if not u.startswith(_WEB) and scheme_of(u) == "mailto":
            return UrlVerdict("keep", url)
        steps: list[UrlStep] = []
        split = self._split(u)
        for _ in range(_MAX_UNWRAP):
            unwrapped = self._unwrap(u, split)
            if unwrapped is None:
                break
            u, step = unwrapped
            steps.append(step)
            split = self._split(u)
            if allow.urls and allow.allows_url(u):
                return UrlVerdict("rewrite", u, self._accounts(steps))
        click = self._affiliate(u, split)
        if click is not None:
            return UrlVerdict("unlink", u, self._accounts([*steps, click]))
        if self._host_rules(split[2]).farm:
            step = UrlStep("hijacked_link", "farm-link", "in-text link into the farm's own pages", u)
            return UrlVerdict("unlink", u, self._accounts([*steps, step]))
        u = self._strip(u, split[2], steps)
        if u == url:
            return UrlVerdict("keep", url)
        return UrlVerdict("rewrite", u, self._accounts(steps))

    def _accounts(self, steps: list[UrlStep]) -> tuple[UrlStep, ...]:
        """Affiliate steps through one of the farm's own accounts are the farm's hijack."""
        marks = self.rules.farm_fingerprints
        if all(s.category != "affiliate_link" for s in steps):
            return tuple(steps)
        return tuple(
            UrlStep("hijacked_link", s.rule, f"{_FARM_ACCOUNT} ({s.reason})", s.removed)
            if s.category == "affiliate_link" and any(f in s.removed for f in marks)
            else s
            for s in steps
        )

    # -- redirects and affiliate clicks ---------------------------------------------------------

    def _unwrap(self, url: str, split: tuple[str, SplitResult | None, str]) -> tuple[str, UrlStep] | None:
        _, parts, host = split
        if parts is None:
            return None
        for rule in self._host_rules(host).redirects:
            if rule.path and not rule.path.search(parts.path):
                continue
            dest = None
            if rule.dest:
                m = rule.dest.search(parts.path + ("?" + parts.query if parts.query else ""))
                if m:
                    dest = decode_url(m.group("dest"), rule.default_scheme)
            if dest is None and rule.params and parts.query:
                dest = param_url(parts.query, rule.params, rule.default_scheme)
            if dest:
                return dest, UrlStep(rule.category, rule.name, rule.reason, url)
        return None

    def _affiliate(self, url: str, split: tuple[str, SplitResult | None, str]) -> UrlStep | None:
        """An affiliate click whose destination is not in the URL (the link is dropped)."""
        full, parts, host = split
        if parts is None:
            return None
        rules = self._host_rules(host)
        for redirect in rules.redirects:
            if redirect.click and (redirect.path is None or redirect.path.search(parts.path)):
                why = "affiliate network click with no recoverable destination"
                return UrlStep("affiliate_link", redirect.name, why, url)
        if rules.network:
            why = "click on an affiliate network's domain (its banners are on this page)"
            return UrlStep("affiliate_link", "network-domain", why, url)
        names: set[str] | None = None
        for rule in rules.affiliates:
            if rule.fingerprint:
                if any(map(full.__contains__, self.rules.farm_fingerprints)):
                    return UrlStep(rule.category, rule.name, rule.reason, url)
                continue
            if not (rule.hosts or rule.path or rule.query):
                continue
            if rule.path and not rule.path.search(parts.path):
                continue
            if rule.query:
                if names is None:
                    names = {n for n, _ in query_pairs(parts.query)}
                if not all(q in names for q in rule.query):
                    continue
            return UrlStep(rule.category, rule.name, rule.reason, url)
        return None

    # -- parameters and fragments -----------------------------------------------------------------

    def _strip(self, url: str, host: str, steps: list[UrlStep]) -> str:
        before, hash_, fragment = url.partition("#")
        base, _, query = before.partition("?")
        rules = self._host_rules(host).strips
        cut: dict[str, list[str]] = {}  # rule name -> removed pieces, in order
        if query and rules:
            kept: list[str] = []
            for segment in query.split("&"):
                name = param_name(segment)
                for rule in rules if name else ():
                    if rule.params.fullmatch(name):
                        cut.setdefault(rule.name, []).append(segment)
                        break
                else:
                    kept.append(segment)
            kept = [s for s in kept if s]
            if kept and kept[0].lower().startswith("amp;"):
                kept[0] = kept[0][4:]  # its "&amp;" separator went with the parameter before it
            query = "&".join(kept)
        for rule in rules:
            if rule.path is None:
                continue
            scheme_host, path = split_path(base)
            pieces = [m.group(0) for m in rule.path.finditer(path)]
            if pieces:
                cut.setdefault(rule.name, []).extend(pieces)
                base = scheme_host + rule.path.sub("", path)
        by_name = {r.name: r for r in rules}
        for name, pieces in cut.items():
            r = by_name[name]
            steps.append(UrlStep(r.category, r.name, r.reason, "&".join(pieces)))
        if hash_:
            for frule in self.rules.fragments:
                if frule.pattern.search(fragment):
                    steps.append(UrlStep(frule.category, frule.name, frule.reason, "#" + fragment))
                    hash_, fragment = "", ""
                    break
        return base + ("?" + query if query else "") + hash_ + fragment

    # -- images ---------------------------------------------------------------------------------

    def media_verdict(self, src: str) -> tuple[str, str, str] | None:
        """(category, rule, reason) when an image/video URL is a tracking pixel or an ad."""
        found = self._media.get(src, _UNKNOWN)
        if found is _UNKNOWN:
            return _remember(self._media, src, self._media_verdict(src))
        return found

    def _media_verdict(self, src: str) -> tuple[str, str, str] | None:
        s = src.strip()
        allow = self.rules.allow
        if not s or (allow.urls and allow.allows_url(s)):
            return None
        if "data:" in s[:300] and _ONE_PIXEL.search(s[:300]):
            return ("tracking_pixel", "placeholder-gif", "1x1 placeholder image")
        if s.startswith(_WEB):  # (what _full_host answers, without its two calls)
            full, host = s, url_host_of(s)
        else:
            full, host = self._full_host(s)
        low = full.lower()
        rules = self.rules
        pixel_host, ad_host = self._media_hosts.get(host) or _remember(
            self._media_hosts, host, (rules.pixel_hosts.matches(host), rules.ad_media_hosts.matches(host))
        )
        if pixel_host or rules.pixel_urls.search(low):
            return ("tracking_pixel", "pixel-host", "tracking pixel URL")
        if ad_host or rules.ad_media_urls.search(low):
            return ("ad_block", "ad-media", "ad image or video")
        return None


def _remember(memo: dict[str, T], url: str, value: T) -> T:
    """`value`, kept in `memo` under `url` (a bounded memo: full, it starts afresh)."""
    if len(url) <= _MEMO_LEN:
        if len(memo) >= _MEMO_URLS:
            memo.clear()
        memo[url] = value
    return value
