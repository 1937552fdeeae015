"""URL rules: unwrap affiliate redirects, drop affiliate tags and tracking parameters, spot
hijacked, affiliate-only, pixel and ad URLs.

Everything is offline string work: a cleaner never resolves a redirect over the network.
Query parameters that are kept stay byte for byte as they were, so diffs show only removals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

from cleaners.hosts import HostSet, url_host
from cleaners.ruleset import AffiliateRule, RedirectRule, RuleSet, StripRule

UNSAFE_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:text/html", "data:application")
_SAFE_SCHEMES = ("mailto:", "tel:", "sms:", "data:", "ftp:", "news:", "irc:", "xmpp:")
# 1x1 GIF87a/GIF89a and 1x1 PNG, as they start in base64.
_ONE_PIXEL = re.compile(
    r"data:image/(?:gif|png);base64,(?:R0lGODlhAQABA|R0lGODdhAQABA|iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB)"
)
_MAX_UNWRAP = 3
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def _rules_for(
    r: RuleSet, host: str
) -> tuple[tuple[RedirectRule, ...], tuple[AffiliateRule, ...], tuple[StripRule, ...]]:
    return (r.redirect_index.matching(host), r.affiliate_index.matching(host), r.strip_index.matching(host))


@dataclass(frozen=True)
class _HostRules:
    redirects: tuple[RedirectRule, ...]
    affiliates: tuple[AffiliateRule, ...]
    strips: tuple[StripRule, ...]
    farm: bool
    # No rule for this host can act on a URL without a query or fragment (farm fingerprints
    # aside): such URLs are kept without parsing them.
    query_only: bool = False


@dataclass(frozen=True)
class UrlStep:
    """One change made to a URL, for the removal record."""

    category: str
    rule: str
    reason: str
    removed: str


@dataclass(frozen=True)
class UrlVerdict:
    """keep: leave it; rewrite: use `url`; unlink: drop the link, keep its text."""

    action: str
    url: str
    steps: tuple[UrlStep, ...] = ()

    @property
    def last(self) -> UrlStep:
        return self.steps[-1]


@dataclass
class UrlCleaner:
    """Applies a RuleSet's URL rules for one document (`farm_hosts` are that page's farm hosts)."""

    rules: RuleSet
    farm_hosts: HostSet
    base_url: str | None = None
    _cache: dict[str, UrlVerdict] = field(default_factory=dict, repr=False)
    _by_host: dict[str, _HostRules] = field(default_factory=dict, repr=False)
    _base: str | None = field(default=None, repr=False)

    def _host_rules(self, host: str) -> _HostRules:
        """The redirect, affiliate and strip rules that can apply to a host, and whether it is a
        farm host (memoized for the document: the RuleSet itself holds no cache)."""
        found = self._by_host.get(host)
        if found is None:
            rules = _rules_for(self.rules, host)
            farm = self.farm_hosts.matches(host)
            query_only = (
                not farm
                and all(r.dest is None for r in rules[0])
                and all(a.query or a.fingerprint for a in rules[1])
                and all(s.path is None for s in rules[2])
            )
            found = self._by_host[host] = _HostRules(rules[0], rules[1], rules[2], farm, query_only)
        return found

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
        if self.base_url and not url.startswith(("http://", "https://", "//")) and not _SCHEME.match(url):
            return self._base_host()  # a relative link stays on the page's own host
        return self._split(url)[2]

    def _base_host(self) -> str:
        if self._base is None:
            self._base = self._split(self.base_url or "")[2]
        return self._base

    def _split(self, url: str) -> tuple[str, SplitResult | None, str]:
        """(absolute URL, its parts, lower-case host); parts is None when it does not parse."""
        full = self.resolve(url)
        try:
            parts = urlsplit(full)
            return full, parts, (parts.hostname or "").lower()
        except ValueError:
            return full, None, ""

    def clean(self, url: str) -> UrlVerdict:
        cached = self._cache.get(url)
        if cached is None:
            cached = self._cache[url] = self._clean(url)
        return cached

    def _clean(self, url: str) -> UrlVerdict:
        u = url.strip()
        keep = UrlVerdict("keep", url)
        if not u or u.startswith("#") or self.rules.allow.allows_url(u):
            return keep
        absolute = u.startswith(("https://", "http://"))
        if (absolute or not _SCHEME.match(u)) and "?" not in u and "#" not in u:
            host = url_host(u) if absolute or u.startswith("//") else self._base_host()
            if self._host_rules(host).query_only and not any(f in u for f in self.rules.farm_fingerprints):
                return keep  # the common case: nothing a rule could take from this URL
        if not absolute and not u.startswith(("//", "/")):
            low = re.sub(r"[\s\x00-\x1f]+", "", u[:40]).lower()
            if low.startswith(UNSAFE_SCHEMES):
                return UrlVerdict("unlink", url, (UrlStep("unsafe", "script-url", "script URL", u),))
            if low.startswith(_SAFE_SCHEMES):
                return keep
        steps: list[UrlStep] = []
        split = self._split(u)
        for _ in range(_MAX_UNWRAP):
            unwrapped = self._unwrap(u, split)
            if unwrapped is None:
                break
            u, step = unwrapped
            steps.append(step)
            split = self._split(u)
            if self.rules.allow.allows_url(u):
                return UrlVerdict("rewrite", u, tuple(steps))
        affiliate = self._affiliate(u, split)
        if affiliate is not None:
            return UrlVerdict("unlink", u, (*steps, affiliate))
        if self._host_rules(split[2]).farm:
            step = UrlStep("hijacked_link", "farm-link", "in-text link into the farm's own pages", u)
            return UrlVerdict("unlink", u, (*steps, step))
        u = self._strip(u, split[2], steps)
        if u == url:
            return keep
        return UrlVerdict("rewrite", u, tuple(steps))

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
                    dest = _decode_url(m.group("dest"), rule.default_scheme)
            if dest is None and rule.params and parts.query:
                dest = _param_url(parts.query, rule.params, rule.default_scheme)
            if dest:
                return dest, UrlStep(rule.category, rule.name, rule.reason, url)
        return None

    def _affiliate(self, url: str, split: tuple[str, SplitResult | None, str]) -> UrlStep | None:
        full, parts, host = split
        if parts is None:
            return None
        names: set[str] | None = None
        for rule in self._host_rules(host).affiliates:
            if rule.fingerprint:
                if any(f in full for f in self.rules.farm_fingerprints):
                    return UrlStep("affiliate_link", rule.name, "farm affiliate link", url)
                continue
            if not (rule.hosts or rule.path or rule.query):
                continue
            if rule.path and not rule.path.search(parts.path):
                continue
            if rule.query:
                if names is None:
                    names = {n.lower() for n, _ in _query_pairs(parts.query)}
                if not all(q in names for q in rule.query):
                    continue
            return UrlStep("affiliate_link", rule.name, rule.reason, url)
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
                name = unquote(segment.partition("=")[0]).strip().lower()
                rule = next((r for r in rules if name and r.params.fullmatch(name)), None)
                if rule is None:
                    kept.append(segment)
                else:
                    cut.setdefault(rule.name, []).append(segment)
            query = "&".join(s for s in kept if s)
        for rule in rules:
            if rule.path is None:
                continue
            scheme_host, path = _split_path(base)
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
        s = src.strip()
        if not s or self.rules.allow.allows_url(s):
            return None
        if "data:" in s[:300] and _ONE_PIXEL.search(s[:300]):
            return ("tracking_pixel", "placeholder-gif", "1x1 placeholder image")
        full, _, host = self._split(s)
        low = full.lower()
        rules = self.rules
        if rules.pixel_hosts.matches(host) or any(p.search(low) for p in rules.pixel_urls):
            return ("tracking_pixel", "pixel-host", "tracking pixel URL")
        if rules.ad_media_hosts.matches(host) or any(p.search(low) for p in rules.ad_media_urls):
            return ("ad_block", "ad-media", "ad image or video")
        return None


def _query_pairs(query: str) -> list[tuple[str, str]]:
    pairs = []
    for segment in query.split("&"):
        name, _, value = segment.partition("=")
        pairs.append((unquote(name).strip(), value))
    return pairs


def _param_url(query: str, params: tuple[str, ...], default_scheme: str) -> str | None:
    wanted = {p.lower(): i for i, p in enumerate(params)}
    found: dict[int, str] = {}
    for name, value in _query_pairs(query):
        idx = wanted.get(name.lower())
        if idx is not None and idx not in found and value:
            found[idx] = value
    for idx in sorted(found):
        dest = _decode_url(found[idx], default_scheme)
        if dest:
            return dest
    return None


def _decode_url(value: str, default_scheme: str) -> str | None:
    v = value.strip()
    for _ in range(3):
        if re.match(r"^https?://", v, re.I):
            break
        v = unquote(v)
    if not re.match(r"^https?://", v, re.I):
        if default_scheme and re.match(r"^[\w.-]+\.[a-z]{2,}(?:[/?#]|$)", v, re.I):
            v = f"{default_scheme}://{v}"
        else:
            return None
    try:
        if not urlsplit(v).hostname:
            return None
    except ValueError:
        return None
    return v


def _split_path(base: str) -> tuple[str, str]:
    m = re.match(r"^((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^/]*)(.*)$", base)
    if m:
        return m.group(1), m.group(2)
    return "", base


def is_unsafe_url(url: str) -> bool:
    low = re.sub(r"[\s\x00-\x1f]+", "", url[:40]).lower()
    return low.startswith(UNSAFE_SCHEMES)
