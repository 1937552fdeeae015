"""The cleaning context of one document: its own site and whether it is a farm copy."""

from __future__ import annotations

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
        marked = any(f.encode() in text for f in rules.farm_fingerprints)
    else:
        marked = any(f in text for f in rules.farm_fingerprints)
    farm = marked or any(rules.farm_domains.matches(d) for d in own)
    farm_hosts = rules.farm_domains | HostSet.of(sorted(own)) if farm else rules.farm_domains
    urls = UrlCleaner(rules, farm_hosts, page_url, network_domains(text))
    ctx = DomContext(rules, urls, HostSet.of(sorted(own)), url_host(page_url or ""))
    return ctx, farm, own
