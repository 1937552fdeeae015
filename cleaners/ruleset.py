"""Rule data: the built-in rules file plus user site rules (TOML), validated into a RuleSet.

Every rule is plain data; the cleaners in `cleaners.dom`, `cleaners.urls` and `cleaners.markdown`
interpret it. A RuleSet is immutable and picklable (no caches in it), so it can be shipped to
worker processes. The schema of the rules files is written once, in `cleaners.rulespec`: the
same table checks a file and builds the rules from it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cleaners.hosts import FrozenDict, HostIndex, HostSet, UrlPatterns


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class CommentBlockRule:
    """A farm's comment-delimited block: everything from `begin` to `end` goes."""

    name: str
    category: str
    begin: re.Pattern[str]
    end: re.Pattern[str]
    reason: str


@dataclass(frozen=True)
class SelectorRule:
    """Elements matching a CSS selector go (on every page, or only on `hosts`' pages)."""

    name: str
    category: str
    css: str
    reason: str
    hosts: HostSet = field(default_factory=HostSet)


@dataclass(frozen=True)
class RedirectRule:
    """A redirect wrapper on `hosts` (or any host, by `path` shape): the real destination
    is read from a query parameter (`params`) or from the path (`dest`); `click`: an
    affiliate network, whose URLs that cannot be unwrapped are affiliate clicks."""

    name: str
    category: str
    hosts: HostSet
    path: re.Pattern[str] | None
    params: tuple[str, ...]
    dest: re.Pattern[str] | None
    default_scheme: str
    reason: str
    click: bool = False  # the hosts are a network's: an URL it cannot unwrap is an affiliate click


@dataclass(frozen=True)
class AffiliateRule:
    """An affiliate click whose destination cannot be recovered: the link goes, its text stays."""

    name: str
    hosts: HostSet
    path: re.Pattern[str] | None
    query: tuple[str, ...]
    fingerprint: bool
    reason: str
    category: str = "affiliate_link"


@dataclass(frozen=True)
class StripRule:
    """Query parameters (`params`) and path parts (`path`) cut from URLs on `hosts`."""

    name: str
    category: str
    hosts: HostSet
    params: re.Pattern[str]
    path: re.Pattern[str] | None
    reason: str


@dataclass(frozen=True)
class FragmentRule:
    """URL fragments that go entirely when they match `pattern`."""

    name: str
    category: str
    pattern: re.Pattern[str]
    reason: str


@dataclass(frozen=True)
class EmbedRule:
    """An embedded player on `hosts` that becomes a plain link (`link`, from `pattern`'s groups)."""

    name: str
    hosts: HostSet
    pattern: re.Pattern[str]
    link: str


@dataclass(frozen=True)
class AlsoReadRule:
    """How a related-posts list is recognised (a short label, then mostly links)."""

    labels: re.Pattern[str]
    label_selectors: tuple[str, ...]
    max_label_chars: int
    min_items: int
    min_link_ratio: float


@dataclass(frozen=True)
class AllowList:
    """Content that no rule may remove or rewrite."""

    selectors: tuple[str, ...] = ()
    urls: tuple[re.Pattern[str], ...] = ()
    text: tuple[re.Pattern[str], ...] = ()

    def allows_url(self, url: str) -> bool:
        return any(p.search(url) for p in self.urls)

    def allows_text(self, text: str) -> bool:
        return any(p.search(text) for p in self.text)


@dataclass(frozen=True)
class RuleSet:
    """Every rule, built-in and from site rules files, validated (`load_rules`)."""

    farm_domains: HostSet
    farm_fingerprints: tuple[str, ...]
    comment_blocks: tuple[CommentBlockRule, ...]
    selectors: tuple[SelectorRule, ...]
    redirects: tuple[RedirectRule, ...]
    affiliates: tuple[AffiliateRule, ...]
    strips: tuple[StripRule, ...]
    fragments: tuple[FragmentRule, ...]
    pixel_hosts: HostSet
    pixel_urls: UrlPatterns
    ad_media_hosts: HostSet
    ad_media_urls: UrlPatterns
    also_read: AlsoReadRule
    embeds: tuple[EmbedRule, ...]
    attribution_ignore: HostSet
    affiliate_tags: Mapping[str, str]
    publishers: Mapping[str, str]
    publisher_aliases: Mapping[str, str]
    allow: AllowList
    prune: tuple[str, ...] = ()
    publisher_groups: Mapping[str, str] = field(default_factory=FrozenDict)  # CDN -> member domains
    subtag_codes: Mapping[str, str] = field(default_factory=FrozenDict)  # sub-id site code -> domain
    generic_names: frozenset[str] = frozenset()  # never a publisher's name
    sources: tuple[str, ...] = ()
    # which of the redirects, affiliates and strips apply to a host (built from them)
    redirect_index: HostIndex[RedirectRule] = field(default_factory=lambda: HostIndex.build((), []))
    affiliate_index: HostIndex[AffiliateRule] = field(default_factory=lambda: HostIndex.build((), []))
    strip_index: HostIndex[StripRule] = field(default_factory=lambda: HostIndex.build((), []))


# The rule classes each `[[array]]` of a rules file becomes (its keys are their fields).
_RULE_CLASSES: dict[str, type] = {
    "comment_block": CommentBlockRule,
    "selector": SelectorRule,
    "redirect": RedirectRule,
    "affiliate": AffiliateRule,
    "strip": StripRule,
    "fragment": FragmentRule,
    "embed": EmbedRule,
    "also_read": AlsoReadRule,
    "allow": AllowList,
}


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + value
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


BUILTIN = "built-in rules"


def _read(path: Path) -> tuple[dict[str, Any], str]:
    import tomllib  # (this, and the schema, not loaded when the built-in rules come from their snapshot)

    src = str(path)
    try:
        return tomllib.loads(path.read_text("utf-8")), src
    except FileNotFoundError:
        raise RulesError(f"{src}: no such rules file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{src}: cannot read rules file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{src}: not valid TOML: {exc}") from None


def load_rules(*extra: Path) -> RuleSet:
    """The built-in rules merged with each extra rules file, in order."""
    if not extra:
        from cleaners.rulesnap import builtin_rules  # built once, kept as a snapshot (start-up)

        return builtin_rules(_build_builtin)
    from cleaners.rulespec import check

    data, src = _builtin_data()
    sources = [src]
    for path in extra:
        more, msrc = _read(path)
        check(more, msrc)
        _build(more, msrc)  # validate the file on its own so errors name it
        data = _merge(data, more)
        sources.append(msrc)
    return replace(_build(data, " + ".join(sources)), sources=tuple(sources))


def _builtin_data(text: str | None = None) -> tuple[dict[str, Any], str]:
    import tomllib

    from cleaners.rulespec import check

    if text is None:
        from cleaners.rulesnap import rules_text

        text = rules_text()
    data = tomllib.loads(text)
    check(data, BUILTIN)
    return data, BUILTIN


def _build_builtin(text: str) -> RuleSet:
    data, src = _builtin_data(text)
    return replace(_build(data, src), sources=(src,))


def _build(data: dict[str, Any], src: str) -> RuleSet:
    from cleaners.rulespec import build_fields

    fields = build_fields(data, src, _RULE_CLASSES)
    return RuleSet(
        **fields,
        redirect_index=HostIndex.build(fields["redirects"], [r.hosts for r in fields["redirects"]]),
        affiliate_index=HostIndex.build(fields["affiliates"], [a.hosts for a in fields["affiliates"]]),
        strip_index=HostIndex.build(fields["strips"], [s.hosts for s in fields["strips"]]),
    )


__all__ = [
    "AffiliateRule",
    "AllowList",
    "AlsoReadRule",
    "CommentBlockRule",
    "EmbedRule",
    "FragmentRule",
    "RedirectRule",
    "RuleSet",
    "RulesError",
    "SelectorRule",
    "StripRule",
    "load_rules",
]
