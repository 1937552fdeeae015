"""The cleaning context of one document: its own site and whether it is a farm copy."""

from __future__ import annotations

from typing import Any

from cleaners.dom import DomContext
from cleaners.hosts import HostSet, registrable_domain, url_host
from cleaners.ruleset import RuleSet
from cleaners.urls import UrlCleaner, network_domains


def page_context(
    rules: RuleSet, text: str | bytes, page_url: str | None, self_urls: list[str | None]
) -> tuple[DomContext, bool, frozenset[str]]:
    """The cleaning context of one document: its own site (registrable domains of its URL and
    of the URLs it declares for itself) and whether it is a farm copy (a farm's ids in it, or
    served from a farm domain). On a farm copy, links into its own site are hijacked."""
    own = frozenset(registrable_domain(h) for h in (url_host(u) for u in [page_url, *self_urls] if u) if h)
    if isinstance(text, bytes):  # bytes search is several times faster than str on non-ASCII text
        # (find, not `in`: bytes.__contains__ first tries its argument as an integer and drops
        # the TypeError that makes)
        marked = any(text.find(f.encode()) >= 0 for f in rules.farm_fingerprints)
    else:
        marked = any(f in text for f in rules.farm_fingerprints)
    farm = marked or any(rules.farm_domains.matches(d) for d in own)
    farm_hosts = rules.farm_domains | HostSet.of(sorted(own)) if farm else rules.farm_domains
    networks = network_domains(text)
    verdicts, by_host, media, hosts = _memos(rules, farm_hosts, page_url, networks)
    urls = UrlCleaner(
        rules,
        farm_hosts,
        page_url,
        networks,
        _cache=verdicts,
        _by_host=by_host,
        _media=media,
        _hosts=hosts,
        _media_hosts=_rules_memo(rules),
    )
    ctx = DomContext(rules, urls, HostSet.of(sorted(own)), url_host(page_url or ""))
    return ctx, farm, own


_Memos = tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]
_MEMO_PAGES = 64  # page kinds whose URL memos are kept (then they start afresh)
# (rules, farm hosts, page URL, network domains) -> the memos of the UrlCleaner of such a page
_memos_by_page: dict[tuple[int, tuple[str, ...], str | None, frozenset[str]], tuple[RuleSet, _Memos]] = {}


# rules -> the media-host memo of every UrlCleaner with them (by id, the rules kept to check it)
_memo_by_rules: dict[int, tuple[RuleSet, dict[str, tuple[bool, bool]]]] = {}


def _rules_memo(rules: RuleSet) -> dict[str, tuple[bool, bool]]:
    """The media-host memo of every document cleaned with these rules (its answers depend on
    the rules alone, and farm copies show their images from few hosts)."""
    found = _memo_by_rules.get(id(rules))
    if found is None or found[0] is not rules:  # an id reused by a later RuleSet
        if len(_memo_by_rules) >= _MEMO_PAGES:
            _memo_by_rules.clear()
        found = _memo_by_rules[id(rules)] = (rules, {})
    return found[1]


def _memos(rules: RuleSet, farm_hosts: HostSet, page_url: str | None, networks: frozenset[str]) -> _Memos:
    """The URL memos (verdicts, host rules, media verdicts, hosts) of earlier documents whose
    UrlCleaner has the same four inputs: its answers are a pure function of them, and farm
    copies repeat the same links on every page."""
    key = (id(rules), farm_hosts.patterns, page_url, networks)
    found = _memos_by_page.get(key)
    if found is None or found[0] is not rules:  # an id reused by a later RuleSet
        if len(_memos_by_page) >= _MEMO_PAGES:
            _memos_by_page.clear()
        found = _memos_by_page[key] = (rules, ({}, {}, {}, {}))
    return found[1]
