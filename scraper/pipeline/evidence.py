"""Evidence of who published an article, scored per publisher (keyed by registrable domain).

Each collector reads one kind of clue and adds it, with a line saying what it saw, to the
candidate it names. `scraper.pipeline.attribution` decides between the candidates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cleaners.hosts import FrozenDict, registrable_domain, url_host
from cleaners.records import Removal
from cleaners.ruleset import RuleSet
from scraper.pipeline.metadata import PageMeta
from scraper.pipeline.textcase import ascii_lowered, ascii_safe, lower

FM_URL_KEYS = (
    "external_url",
    "original_url",
    "source_url",
    "original_link",
    "syndication_url",
    "canonical_url",
)
FM_NAME_KEYS = ("feed_name", "source_name", "publisher", "original_publisher", "site_name", "source", "via")
FM_SELF_KEYS = ("url", "permalink", "canonical", "link", "guid")  # a post's own address
FM_IMAGE_KEYS = ("thumbnail", "image", "cover", "featured_image", "banner", "hero", "og_image")
_MD_URL = re.compile(r"\]\(\s*<?([^)\s>]+)")
_ATTR_URL = re.compile(r"(?:(?<=h)ref|(?<=s)rc)\s*=\s*[\"']([^\"']+)")  # "ref" first: 4x faster
_AUTO_URL = re.compile(r"<(https?://[^>\s]+)>")
_IMAGE_URL = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)", re.I)
_MD_IMAGE_URL = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")  # _IMAGE_URL's first half
_IMG_TAG = re.compile(r"<img\b", re.I)  # where _IMAGE_URL's second half could start
# possessive: nothing follows the repeats, so the greedy match is taken whole either way
_CAPS = re.compile(r"[A-Z0-9][\w&+-]*+(?:\.[\w&+-]+)*+")
_ALNUM = re.compile(r"[^a-z0-9]+")
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = re.compile(
    rf"^(?:(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTHS}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?,?(?:\s+\d{{4}})?"
    r"|\d{4}(?:[-/.]\d{1,2}){0,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|(?:on|in)\s.*\d{4})$",
    re.I,
)


def _positions(text: str, anchor: str) -> Iterator[int]:
    at = text.find(anchor)
    while at >= 0:
        yield at
        at = text.find(anchor, at + 1)


def anchored(
    pattern: re.Pattern[str], text: str, anchors: tuple[str, ...], shift: int = 0
) -> list[re.Match[str]]:
    """`list(pattern.finditer(text))` for a pattern whose every match starts `shift` characters
    after an occurrence of one of `anchors` (and is never empty): tried only there, left to
    right, past the end of the last match. A pattern that opens with a look-behind or is
    case-blind is otherwise tried at every position of a long article."""
    found: list[re.Match[str]] = []
    end = 0
    for start in sorted({at + shift for anchor in anchors for at in _positions(text, anchor)}):
        m = pattern.match(text, start) if start >= end else None
        if m:
            found.append(m)
            end = m.end()
    return found


def urls_in(body: str) -> list[str]:
    """Link and image URLs of a Markdown body (with its raw HTML)."""
    urls: list[str] = _MD_URL.findall(body)  # one group: findall gives it, no match objects
    if "href" in body or "src" in body:  # each match starts a character into "href" or "src"
        urls += [m.group(1) for m in anchored(_ATTR_URL, body, ("href", "src"), 1)]
    if "<http" in body:
        urls += _AUTO_URL.findall(body)
    return urls


def images_in(body: str) -> set[str]:
    if not any(_IMG_TAG.match(body, at) for at in _positions(body, "<")):  # _IMG_TAG.search
        return set(_MD_IMAGE_URL.findall(body)) if "![" in body else set()  # Markdown images only
    return {m.group(1) or m.group(2) for m in anchored(_IMAGE_URL, body, ("![", "<"))}


def squash(name: str) -> str:
    """A name or a domain label in one comparable form: "Tom's Hardware" -> "tomshardware"."""
    return _ALNUM.sub("", name.lower().replace("’", "'"))


def text_value(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


_WEB_URL = re.compile(r"^https?://", re.I)


def is_url(value: str | None) -> bool:
    return bool(value and _WEB_URL.match(value))


@dataclass(frozen=True)
class Signals:
    """What a page offers to find its original source from."""

    title: str | None = None
    front_matter: Mapping[str, Any] = field(default_factory=dict)
    body: str = ""
    page_url: str | None = None
    meta: PageMeta = field(default_factory=PageMeta)
    farm: bool = False
    own_domains: frozenset[str] = frozenset()
    removals: tuple[Removal, ...] = ()
    share_links: tuple[str, ...] = ()  # share-button URLs of a page (its Markdown drops them)
    body_utf8: bytes | None = None  # body.encode(), when the caller has it (else made as needed)


@dataclass
class Candidate:
    """A possible original source: its domain, name, URL, score and the evidence for it."""

    domain: str | None
    name: str | None = None
    url: str | None = None
    score: float = 0.0
    kinds: set[str] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)
    hosts: Counter[str] = field(default_factory=Counter)


# name, lower-cased, its capitalised words, and its lower case as bytes if `ascii_safe`
_NameKey = tuple[str, str, tuple[tuple[str, str], ...], bytes | None]


@lru_cache(maxsize=8)
def _name_keys(names: tuple[str, ...]) -> tuple[_NameKey, ...]:
    """Each name, lower-cased, and its words that start upper case in the name, as written and
    in capitals (a cheap pre-check on long texts: "Tom's Hardware" -> "Tom", "Hardware")."""
    out = []
    for n in names:
        words = tuple((w, w.upper()) for w in re.split(r"['’\s]+", n) if _CAPS.fullmatch(w))
        out.append((n, n.lower(), words, ascii_safe(n.lower())))
    return tuple(out)


_Labels = dict[str, tuple[tuple[str, str], ...]]  # first letter -> (label, domain) of 4 letters or more
_PublisherKeys = tuple[dict[str, str], dict[str, str], _Labels, tuple[_NameKey, ...]]
_KEYS_BY_TABLE: dict[int, tuple[Mapping[str, str], _PublisherKeys]] = {}  # id -> (table, its keys)


def _publisher_keys(publishers: Mapping[str, str]) -> _PublisherKeys:
    """`_table_keys`, remembered by the identity of a frozen table (a rule set's: hashing one
    costs more than the look-up it serves); the entry holds the table, so its id is not reused."""
    if not isinstance(publishers, FrozenDict):
        return _table_keys(publishers)
    hit = _KEYS_BY_TABLE.get(id(publishers))
    if hit is not None and hit[0] is publishers:
        return hit[1]
    if len(_KEYS_BY_TABLE) >= 8:
        _KEYS_BY_TABLE.clear()
    keys = _KEYS_BY_TABLE[id(publishers)] = (publishers, _table_keys(publishers))
    return keys[1]


@lru_cache(maxsize=8)
def _table_keys(publishers: Mapping[str, str]) -> _PublisherKeys:
    """Lookups of the publishers table (the table is immutable: built once per table): by
    name, by squashed name or domain label, (label, domain) of every publisher whose label
    has four letters or more (by its first letter, in the table's order), and the `_name_keys`
    of its names, longest first."""
    by_name = {n.lower(): d for d, n in publishers.items()}
    by_squash = {squash(n): d for d, n in publishers.items()}
    labels = tuple((squash(d.split(".")[0]), d) for d in publishers)
    by_squash.update({k: d for k, d in labels if len(k) >= 4})
    names = _name_keys(tuple(sorted(set(publishers.values()), key=len, reverse=True)))
    by_initial: dict[str, list[tuple[str, str]]] = {}
    for label, domain in labels:
        if len(label) >= 4:
            by_initial.setdefault(label[0], []).append((label, domain))
    return by_name, by_squash, {k: tuple(v) for k, v in by_initial.items()}, names


class Scorer:
    """The candidates and the lookups every collector shares."""

    def __init__(self, rules: RuleSet, sig: Signals) -> None:
        self.rules = rules
        self.sig = sig
        self.cands: dict[str, Candidate] = {}
        self._domains: dict[str, str] = {}
        self._excluded: dict[str, bool] = {}
        self.by_name, self.by_squash, self.labels, self.name_keys = _publisher_keys(rules.publishers)
        self.seen_domains: Counter[str] = Counter()  # every domain the document links to
        self.group_counts: Counter[str] = Counter()  # links and images on a publisher group's CDN
        self._urls: list[str] | None = None
        self._label_memo: dict[tuple[str, bool, int], str | None] = {}
        self._seen_labels: tuple[int, tuple[tuple[str, str], ...]] = (0, ())
        self._lowered = ("", "")  # (text, text.lower()) of the last text lower() was asked for
        self._bytes = ("", b"")  # (text, ascii_lowered(text)) of the last text asked for

    def lower(self, text: str) -> str:
        """`text.lower()`, remembered for the last text: the collectors read one prose text
        several times (a long article costs a tenth of a millisecond to lower-case)."""
        if self._lowered[0] is not text:
            self._lowered = (text, lower(text, self._bytes[1] if self._bytes[0] is text else None))
        return self._lowered[1]

    def lowered_holds(self, text: str, word: str, safe: bytes | None) -> bool:
        """`word in text.lower()` (`safe`: `ascii_safe(word)`): a long text that is not ASCII
        is not lower-cased for a word its ASCII-lowered bytes answer for."""
        if safe is None or text.isascii() or self._lowered[0] is text:
            return word in self.lower(text)
        if self._bytes[0] is not text:
            self._bytes = (text, ascii_lowered(text))
        return self._bytes[1].find(safe) >= 0  # (bytes.__contains__ tries an int first)

    @property
    def body_urls(self) -> list[str]:
        """`urls_in(sig.body)`, read once for every collector that needs it."""
        if self._urls is None:
            self._urls = urls_in(self.sig.body)
        return self._urls

    # -- names --------------------------------------------------------------------------------

    def names_in(self, text: str) -> list[str]:
        """The publisher names that occur in `text`, whatever their case (longest first)."""
        if len(text) < 500:
            low = self.lower(text)
            return [n for n, nl, _, _ in self.name_keys if nl in low]
        tokens = set(_CAPS.findall(text))
        found = []
        for n, nl, words, safe in self.name_keys:
            for w, up in words:
                if w not in tokens and up not in tokens:
                    break
            else:
                if self.lowered_holds(text, nl, safe):
                    found.append(n)
        return found

    def mentions(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of each whole-word occurrence of a publisher name, as written or
        in capitals ("ZDNET"), in order. str.find on the lower-cased text, not a regex: a
        pattern that opens with a look-behind is scanned position by position, a hundred times
        slower on a long article."""
        names = self.names_in(text)
        if not names:
            return []
        low = self.lower(text)
        if len(low) != len(text):  # a few characters change length when lower-cased
            low = text
        found: list[tuple[int, int, str]] = []
        taken: set[int] = set()
        for name in names:
            nl = name.lower() if low is not text else name
            pos = low.find(nl)
            while pos >= 0:
                end = pos + len(nl)
                before = text[pos - 1] if pos else " "
                after = text[end] if end < len(text) else " "
                whole = not (before.isalnum() or before in "_.") and not (after.isalnum() or after == "_")
                whole = whole and text[pos:end] in (name, name.upper())  # not "on the verge of"
                if whole and pos not in taken:  # else part of a word, or of a longer name
                    taken.update(range(pos, end))
                    found.append((pos, end, name))
                pos = low.find(nl, end)
        return sorted(found)

    def domain_for_name(self, name: str) -> str | None:
        """The domain a name stands for: the publishers table, or a domain this document links
        to whose name reads the same ("Tom's Hardware" -> tomshardware.com)."""
        known = self.by_name.get(name.lower()) or self.by_squash.get(squash(name))
        if known:
            return known
        key = squash(name)
        if len(key) < 4:
            return None
        return next((d for label, d in self._seen() if label == key), None)

    def _seen(self) -> tuple[tuple[str, str], ...]:
        """(squashed first label, domain) of every domain the document links to (remembered:
        seen_domains only grows, so its length tells whether it changed)."""
        if self._seen_labels[0] != len(self.seen_domains):
            labels = tuple((squash(d.split(".")[0]), d) for d in self.seen_domains)
            self._seen_labels = (len(self.seen_domains), labels)
        return self._seen_labels[1]

    def label_domain(self, token: str, prefix: bool) -> str | None:
        """The domain whose name a tag or sub-id token spells: "tomshardware" ->
        tomshardware.com; with `prefix`, a tag that starts with it ("lifewire-onsite-prod")."""
        key = squash(token)
        if len(key) < 4:
            return None
        # seen_domains only grows: its length tells whether it changed since the last call
        memo = (key, prefix, len(self.seen_domains))
        if memo not in self._label_memo:
            self._label_memo[memo] = self._label_domain(key, prefix)
        return self._label_memo[memo]

    def _label_domain(self, key: str, prefix: bool) -> str | None:
        best: tuple[int, str] | None = None
        # every label that can spell `key` starts with its letter: the others are skipped,
        # the order (first of the longest wins) kept
        first = key[0]
        seen = (ld for ld in self._seen() if ld[0][:1] == first and len(ld[0]) >= 4)
        for label, domain in (*self.labels.get(first, ()), *seen):
            spelt = (
                key == label
                or (prefix and key.startswith(label))
                or (len(key) >= 5 and label.startswith(key))
            )
            if spelt and (best is None or len(label) > best[0]):
                best = (len(label), domain)
        return best[1] if best else None

    def usable(self, name: str) -> bool:
        """Whether a name can name a publisher: not a date, a generic word, a URL, or a CDN,
        social, retail or farm domain."""
        n = re.sub(r"\s+", " ", name).strip(" .,:;'\"“”")
        if not 2 <= len(n) <= 60 or is_url(n) or _DATE.match(n) or n.isdigit():
            return False
        if n.lower() in self.rules.generic_names:
            return False
        if " " not in n and "." in n:  # a domain given as a name
            return not self.excluded(self.domain_of(n.lower()))
        return True

    # -- domains ------------------------------------------------------------------------------

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

    def group_of(self, domain: str) -> str | None:
        """The publisher group whose shared CDN this is (futurecdn.net): never a publisher."""
        return self.rules.publisher_groups.get(domain)

    def excluded(self, domain: str) -> bool:
        """Never a publisher: the page's own site, a farm, a CDN, a social or retail site."""
        found = self._excluded.get(domain)
        if found is None:
            found = self._excluded[domain] = (
                not domain
                or domain in self.sig.own_domains
                or self.rules.farm_domains.matches(domain)
                or self.rules.attribution_ignore.matches(domain)
                or domain in self.rules.publisher_groups
            )
        return found

    # -- candidates ---------------------------------------------------------------------------

    def cand(self, domain: str | None, name: str | None = None) -> Candidate:
        if domain is None and name:
            domain = self.domain_for_name(name)
        key = domain or "name:" + (name or "").lower()
        c = self.cands.get(key)
        if c is None:
            c = self.cands[key] = Candidate(domain, name)
        if name and not c.name:
            c.name = name
        return c

    def add(self, c: Candidate, score: float, kind: str, evidence: str) -> None:
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
