"""Rule data: the built-in rules file plus user site rules (TOML), validated into a RuleSet.

Every rule is plain data; the cleaners in `cleaners.dom`, `cleaners.urls` and `cleaners.markdown`
interpret it. A RuleSet is immutable and picklable, so it can be shipped to worker processes.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from cleaners.hosts import HostIndex, HostSet
from cleaners.records import CATEGORIES


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class CommentBlockRule:
    name: str
    category: str
    begin: re.Pattern[str]
    end: re.Pattern[str]
    reason: str


@dataclass(frozen=True)
class SelectorRule:
    name: str
    category: str
    css: str
    reason: str
    hosts: HostSet = field(default_factory=HostSet)


@dataclass(frozen=True)
class RedirectRule:
    name: str
    category: str
    hosts: HostSet
    path: re.Pattern[str] | None
    params: tuple[str, ...]
    dest: re.Pattern[str] | None
    default_scheme: str
    reason: str


@dataclass(frozen=True)
class AffiliateRule:
    name: str
    hosts: HostSet
    path: re.Pattern[str] | None
    query: tuple[str, ...]
    fingerprint: bool
    reason: str


@dataclass(frozen=True)
class StripRule:
    name: str
    category: str
    hosts: HostSet
    params: re.Pattern[str]
    path: re.Pattern[str] | None
    reason: str


@dataclass(frozen=True)
class FragmentRule:
    name: str
    category: str
    pattern: re.Pattern[str]
    reason: str


@dataclass(frozen=True)
class EmbedRule:
    name: str
    hosts: HostSet
    pattern: re.Pattern[str]
    link: str


@dataclass(frozen=True)
class AlsoReadRule:
    labels: re.Pattern[str]
    label_selectors: tuple[str, ...]
    max_label_chars: int
    min_items: int
    min_link_ratio: float


@dataclass(frozen=True)
class AllowList:
    selectors: tuple[str, ...] = ()
    urls: tuple[re.Pattern[str], ...] = ()
    text: tuple[re.Pattern[str], ...] = ()

    def allows_url(self, url: str) -> bool:
        return any(p.search(url) for p in self.urls)

    def allows_text(self, text: str) -> bool:
        return any(p.search(text) for p in self.text)


@dataclass(frozen=True)
class RuleSet:
    farm_domains: HostSet
    farm_fingerprints: tuple[str, ...]
    comment_blocks: tuple[CommentBlockRule, ...]
    selectors: tuple[SelectorRule, ...]
    redirects: tuple[RedirectRule, ...]
    affiliates: tuple[AffiliateRule, ...]
    strips: tuple[StripRule, ...]
    fragments: tuple[FragmentRule, ...]
    pixel_hosts: HostSet
    pixel_urls: tuple[re.Pattern[str], ...]
    ad_media_hosts: HostSet
    ad_media_urls: tuple[re.Pattern[str], ...]
    also_read: AlsoReadRule
    embeds: tuple[EmbedRule, ...]
    attribution_ignore: HostSet
    affiliate_tags: dict[str, str]
    publishers: dict[str, str]
    publisher_aliases: dict[str, str]
    allow: AllowList
    prune: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    redirect_index: HostIndex = field(default_factory=lambda: HostIndex({}, (), ()))
    affiliate_index: HostIndex = field(default_factory=lambda: HostIndex({}, (), ()))
    strip_index: HostIndex = field(default_factory=lambda: HostIndex({}, (), ()))
    # host -> (redirects, affiliates, strips) that may apply: a cache UrlCleaner fills
    host_memo: dict[str, tuple[Any, ...]] = field(default_factory=dict, compare=False, repr=False)


# ----------------------------------------------------------------------------- loading

_SCHEMA: dict[str, Any] = {
    "version": int,
    "farms": {"domains": list, "fingerprints": list},
    "comment_block": [{"name": str, "category": str, "begin": str, "end": str, "reason": str}],
    "selector": [{"name": str, "category": str, "css": str, "reason": str, "hosts": list}],
    "redirect": [
        {
            "name": str,
            "category": str,
            "hosts": list,
            "path": str,
            "params": list,
            "dest": str,
            "default_scheme": str,
            "reason": str,
        }
    ],
    "affiliate": [
        {"name": str, "hosts": list, "path": str, "query": list, "fingerprint": bool, "reason": str}
    ],
    "strip": [{"name": str, "category": str, "hosts": list, "params": list, "path": str, "reason": str}],
    "fragment": [{"name": str, "category": str, "pattern": str, "reason": str}],
    "pixels": {"hosts": list, "urls": list},
    "ad_media": {"hosts": list, "urls": list},
    "also_read": {
        "labels": list,
        "label_selectors": list,
        "max_label_chars": int,
        "min_items": int,
        "min_link_ratio": (float, int),
    },
    "embed": [{"name": str, "hosts": list, "pattern": str, "link": str}],
    "extraction": {"prune": list},
    "attribution": {"ignore_hosts": list, "affiliate_tags": dict},
    "publishers": dict,
    "publisher_aliases": dict,
    "allow": {"selectors": list, "urls": list, "text": list},
}


def _check(data: dict[str, Any], schema: dict[str, Any], where: str, src: str) -> None:
    for key, value in data.items():
        if key not in schema:
            raise RulesError(f"{src}: unknown key {where}{key!r}")
        expected = schema[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise RulesError(f"{src}: {where}{key} must be a table")
            _check(value, expected, f"{where}{key}.", src)
        elif isinstance(expected, list):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise RulesError(f"{src}: {key} must be an array of tables ([[{key}]])")
            for i, item in enumerate(value):
                _check(item, expected[0], f"{key}[{i}].", src)
                if "name" in expected[0] and "name" not in item:
                    raise RulesError(f"{src}: {key}[{i}] needs a name")
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise RulesError(f"{src}: {where}{key} has the wrong type ({type(value).__name__})")
        if expected is list and not all(isinstance(v, str) for v in value):
            raise RulesError(f"{src}: {where}{key} must be a list of strings")
        if expected is dict and not all(isinstance(v, str) for v in value.values()):
            raise RulesError(f"{src}: {where}{key} values must be strings")


def _rx(pattern: str, src: str, where: str, flags: int = re.I) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise RulesError(f"{src}: {where}: bad regular expression {pattern!r}: {exc}") from exc


def _category(item: dict[str, Any], default: str | None, src: str, where: str) -> str:
    cat = item.get("category", default)
    if cat not in CATEGORIES:
        raise RulesError(f"{src}: {where}.category must be one of {', '.join(CATEGORIES)}")
    return str(cat)


def _check_css(css: str, src: str, where: str) -> None:
    try:
        LexborHTMLParser("<p></p>").css(css)
    except Exception as exc:  # lexbor raises several exception types for a bad selector
        raise RulesError(f"{src}: {where}: bad CSS selector {css!r}: {exc}") from exc


def _globs(names: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{fnmatch.translate(n.lower())})" for n in names) or "(?!)")


def _url_patterns(patterns: list[str], src: str, where: str) -> tuple[re.Pattern[str], ...]:
    """Patterns searched in the lower-cased URL: compiled case-sensitively (which keeps the
    regex engine's fast literal search) unless they hold capitals themselves."""
    checked = [_rx(p, src, where, re.I if p != p.lower() else 0) for p in patterns]
    if len(checked) < 2:
        return tuple(checked)
    try:  # one pass over the URL instead of one per pattern
        return (re.compile("|".join(f"(?{'i' if c.flags & re.I else ''}:{c.pattern})" for c in checked)),)
    except re.error:  # group names or back-references that clash once joined
        return tuple(checked)


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


def _read(path: Path | None) -> tuple[dict[str, Any], str]:
    if path is None:
        text = resources.files("cleaners").joinpath("rules.toml").read_text("utf-8")
        return tomllib.loads(text), "built-in rules"
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
    data, src = _read(None)
    _check(data, _SCHEMA, "", src)
    sources = [src]
    for path in extra:
        more, msrc = _read(path)
        _check(more, _SCHEMA, "", msrc)
        _build(more, msrc)  # validate the file on its own so errors name it
        data = _merge(data, more)
        sources.append(msrc)
    return replace(_build(data, " + ".join(sources)), sources=tuple(sources))


def _build(d: dict[str, Any], src: str) -> RuleSet:
    farms = d.get("farms", {})
    comment_blocks = tuple(
        CommentBlockRule(
            c["name"],
            _category(c, "ad_block", src, f"comment_block {c['name']}"),
            _rx(c.get("begin", "(?!)"), src, f"comment_block {c['name']}.begin"),
            _rx(c.get("end", "(?!)"), src, f"comment_block {c['name']}.end"),
            c.get("reason", "comment-delimited block"),
        )
        for c in d.get("comment_block", [])
    )
    selectors = []
    for s in d.get("selector", []):
        where = f"selector {s['name']}"
        if "css" not in s:
            raise RulesError(f"{src}: {where} needs css")
        _check_css(s["css"], src, where)
        selectors.append(
            SelectorRule(
                s["name"],
                _category(s, None, src, where),
                s["css"],
                s.get("reason", f"matched {s['css']}"),
                HostSet.of(s.get("hosts", [])),
            )
        )
    redirects = tuple(
        RedirectRule(
            r["name"],
            _category(r, "affiliate_link", src, f"redirect {r['name']}"),
            HostSet.of(r.get("hosts", [])),
            _rx(r["path"], src, f"redirect {r['name']}.path") if "path" in r else None,
            tuple(r.get("params", [])),
            _rx(r["dest"], src, f"redirect {r['name']}.dest") if "dest" in r else None,
            r.get("default_scheme", ""),
            r.get("reason", "redirect wrapper unwrapped"),
        )
        for r in d.get("redirect", [])
    )
    affiliates = tuple(
        AffiliateRule(
            a["name"],
            HostSet.of(a.get("hosts", [])),
            _rx(a["path"], src, f"affiliate {a['name']}.path") if "path" in a else None,
            tuple(q.lower() for q in a.get("query", [])),
            bool(a.get("fingerprint", False)),
            a.get("reason", "affiliate click with no recoverable destination"),
        )
        for a in d.get("affiliate", [])
    )
    strips = tuple(
        StripRule(
            s["name"],
            _category(s, "tracking_param", src, f"strip {s['name']}"),
            HostSet.of(s.get("hosts", [])),
            _globs(s.get("params", [])),
            _rx(s["path"], src, f"strip {s['name']}.path") if "path" in s else None,
            s.get("reason", "tracking parameter"),
        )
        for s in d.get("strip", [])
    )
    fragments = tuple(
        FragmentRule(
            f["name"],
            _category(f, "tracking_param", src, f"fragment {f['name']}"),
            _rx(f.get("pattern", "(?!)"), src, f"fragment {f['name']}.pattern"),
            f.get("reason", "tracking fragment"),
        )
        for f in d.get("fragment", [])
    )
    ar = d.get("also_read", {})
    labels = [re.escape(x.strip().lower()) for x in ar.get("labels", [])]
    for sel in ar.get("label_selectors", []):
        _check_css(sel, src, "also_read.label_selectors")
    also_read = AlsoReadRule(
        re.compile("^(?:{})$".format("|".join(labels or ["(?!)"])), re.I),
        tuple(ar.get("label_selectors", [])),
        int(ar.get("max_label_chars", 40)),
        int(ar.get("min_items", 3)),
        float(ar.get("min_link_ratio", 0.8)),
    )
    embeds = tuple(
        EmbedRule(
            e["name"],
            HostSet.of(e.get("hosts", [])),
            _rx(e.get("pattern", "(?!)"), src, f"embed {e['name']}.pattern"),
            e.get("link", ""),
        )
        for e in d.get("embed", [])
    )
    allow = d.get("allow", {})
    for sel in allow.get("selectors", []):
        _check_css(sel, src, "allow.selectors")
    prune = tuple(d.get("extraction", {}).get("prune", []))
    for sel in prune:
        _check_css(sel, src, "extraction.prune")
    pixels, media = d.get("pixels", {}), d.get("ad_media", {})
    return RuleSet(
        farm_domains=HostSet.of(farms.get("domains", [])),
        farm_fingerprints=tuple(farms.get("fingerprints", [])),
        comment_blocks=comment_blocks,
        selectors=tuple(selectors),
        redirects=redirects,
        affiliates=affiliates,
        strips=strips,
        fragments=fragments,
        pixel_hosts=HostSet.of(pixels.get("hosts", [])),
        pixel_urls=_url_patterns(pixels.get("urls", []), src, "pixels.urls"),
        ad_media_hosts=HostSet.of(media.get("hosts", [])),
        ad_media_urls=_url_patterns(media.get("urls", []), src, "ad_media.urls"),
        also_read=also_read,
        embeds=embeds,
        attribution_ignore=HostSet.of(d.get("attribution", {}).get("ignore_hosts", [])),
        affiliate_tags={
            k.lower(): v.lower() for k, v in d.get("attribution", {}).get("affiliate_tags", {}).items()
        },
        publishers={k.lower(): v for k, v in d.get("publishers", {}).items()},
        publisher_aliases={k.lower(): v.lower() for k, v in d.get("publisher_aliases", {}).items()},
        allow=AllowList(
            tuple(allow.get("selectors", [])),
            tuple(_rx(u, src, "allow.urls") for u in allow.get("urls", [])),
            tuple(_rx(t, src, "allow.text") for t in allow.get("text", [])),
        ),
        prune=prune,
        redirect_index=HostIndex.build([r.hosts for r in redirects]),
        affiliate_index=HostIndex.build([a.hosts for a in affiliates]),
        strip_index=HostIndex.build([s.hosts for s in strips]),
    )
