"""The collectors of attribution evidence, one kind of clue each (see `evidence.Scorer`).

Strongest first: explicit declarations (syndication front matter, "appeared first on"
footers, JSON-LD isBasedOn, original-source meta, a canonical URL elsewhere); affiliate
sub-tags that name the site that placed a link (Amazon `tag`/`ascsubtag`/`asc_refurl`,
Skimlinks `xcust`, CJ `sid`, Impact `subId1`); credits ("(Image credit: Tom's Hardware)",
"Tori Rubloff/ZDNet"); the domains links and images point to; e-mail domains; mentions;
a title suffix.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qs, unquote

from cleaners.hosts import url_host
from scraper.pipeline.evidence import (
    FM_IMAGE_KEYS,
    FM_NAME_KEYS,
    FM_URL_KEYS,
    Scorer,
    Signals,
    _positions,
    anchored,
    images_in,
    is_url,
    squash,
    text_value,
)
from scraper.pipeline.textcase import ascii_safe

_FOOTER = re.compile(
    r"(?:appeared first on|originally (?:published|appeared|posted)(?: on| at| in| by)?|"
    r"first (?:published|appeared) (?:on|at|in|by)|republished (?:with permission )?from|reprinted from)"
    r"\s*:?\s*(?:\[([^\]]+)\]\(([^)\s]+)\)|[\"“]([^\"”\n]{2,60})[\"”]|([A-Z][\w.&'’ -]{1,50}?)(?=[.,;\n]|$))"
    r"(?:[^\n]*?\]\((https?://[^)\s]+)\))?",
    re.I | re.M,
)
_FOOTER_WORDS = ("first on", "originally", "first published", "first appeared", "republished", "reprinted")
_FOOTER_HINTS = (b"first ", b"originally", b"republished", b"reprinted")  # each word holds one
_FOOTER_BYTES = tuple(w.encode("ascii") for w in _FOOTER_WORDS)
_FOOTER_STARTS = ("appeared", "originally", "first", "republished", "reprinted")  # a match's first word
_CASE_ODD = ("\u0130", "\u0131", "\u017f", "\u212a")  # case-blind matches of an ASCII letter
_SHARE = re.compile(
    r"(?:facebook\.com/share(?:r)?(?:\.php|/sharer\.php)?|twitter\.com/intent/tweet|x\.com/intent/tweet|"
    r"linkedin\.com/shareArticle|reddit\.com/submit|pinterest\.com/pin/create)[^)\s\"']*",
    re.I,
)
_SHARE_WORDS = ("facebook.com/share", "intent/tweet", "shareArticle", "reddit.com/submit", "pin/create")
_EMAIL = re.compile(r"[\w.+-]@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_FREEMAIL = frozenset(
    ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "proton.me", "aol.com"]
)
_URLISH = re.compile(r"\]\([^)]*\)|https?://\S+|<[^>]+>")
_URLISH_ANCHORS = ("](", "http", "<")  # where each of its matches starts
_UNKNOWN_SUFFIX = re.compile(
    r"(?:[-–—|:]\s*(?:[\w'’ ]{0,30}\s)?(?:from|by|via)"
    r"|\b(?:review|insights?|tips|news|advice|guide)\s+(?:from|by))"
    r"\s+(?P<name>[A-Z][\w.&'’+-]*(?:\s+[A-Z][\w.&'’+-]*){0,3})\s*$"
)
# Affiliate parameters whose value names the site that placed the link.
_SUBTAG_PAIR = (
    r"(tag|ascsubtag|asc_refurl|xcust|subid1?|sid|u1|afftrack|a_fid|clickref|sharedid)=([^&#\s)\"'<>]+)"
)
_SUBTAG = re.compile(rf"(?:^|[?&;#/]){_SUBTAG_PAIR}", re.I)
_SUBTAG_AFTER = re.compile(rf"[?&;#/]{_SUBTAG_PAIR}", re.I)  # _SUBTAG past the start: a class first
_CJ_SID = re.compile(r"/sid/([^/?#\s]+)/")
_VALNET = re.compile(r"UU([a-z]{2,4})UeUpU", re.I)  # Valnet sub-ids: UU<site code>UeUpU<id>
_FUTURE = re.compile(r"^([a-z0-9]{4,})-(?:us|uk|gb|au|ca|in|de|fr|es|it|nl|sg)-\d", re.I)  # Future plc
_AMAZON_TAG = re.compile(r"^([\w-]+?)(?:-2\d)?$")
# Credits: "(Image credit: Tom's Hardware)", "Courtesy of Lifewire", and "Name / Site" either
# way round. Found from their literal words and slashes, then read around them (a pattern
# that has to be tried at every position is slow over a long article).
_CREDIT_WORD = re.compile(r"(?:credits?|courtesy)\s*(?:of\b|:)\s*")
_CREDIT_WORDS = tuple((w, ascii_safe(w)) for w in ("credit", "courtesy"))  # what _CREDIT_WORD needs
_CREDIT_NAME = re.compile(r"[^)\n\]|]{2,60}")
_CAP_WORDS = r"[A-Z][\w.&'’-]*(?:[ -][A-Z][\w.&'’-]*){0,3}"
_BEFORE_SLASH = re.compile(rf"(?<![\w/.])({_CAP_WORDS})\s?$")
_AFTER_SLASH = re.compile(rf"\s?({_CAP_WORDS})(?![\w/])")


def explicit(s: Scorer, sig: Signals) -> None:
    fm = sig.front_matter
    fm_name = next(
        (n for k in FM_NAME_KEYS if (n := text_value(fm.get(k))) and not is_url(n) and s.usable(n)), None
    )
    fm_url = next((u for k in FM_URL_KEYS if is_url(u := text_value(fm.get(k)))), None)
    if fm_url is None and is_url(text_value(fm.get("source"))):
        fm_url = text_value(fm.get("source"))
    if fm_url:
        s.url_candidate(fm_url, fm_name, 100, "explicit", f"front matter points to {fm_url}")
    elif fm_name:
        s.add(s.cand(None, fm_name), 50, "explicit", f"front matter names {fm_name}")
    for m in _footers(sig.body) if _footer_words(sig.body, sig.body_utf8) else ():
        name = (m.group(1) or m.group(3) or m.group(4) or "").strip() or None
        url = m.group(2) if is_url(m.group(2)) else m.group(5)
        if name and (is_url(name) or not s.usable(name)):
            name = None  # "originally published in July 2023": a date, not a name
        what = f"footer '{m.group(0).strip()[:80]}'"
        if url:
            s.url_candidate(url, name, 100, "explicit", what)
        elif name:
            s.add(s.cand(None, name), 50, "explicit", what)
    meta = sig.meta
    for url, what in ((meta.based_on, "JSON-LD isBasedOn"), (meta.original_source, "original-source meta")):
        if url is not None and is_url(url):
            s.url_candidate(url, None, 100, "explicit", f"{what} {url}")
    page_domain = s.domain_of(url_host(sig.page_url or ""))
    for url, what in ((meta.canonical, "canonical"), (meta.og_url, "og:url")):
        if url is not None and is_url(url):
            d = s.domain_of(url_host(url))
            if d and d != page_domain and not s.excluded(d):
                s.url_candidate(url, None, 60, "explicit", f"{what} points to {url}")


def _footer_words(body: str, utf8: bytes | None = None) -> bool:
    """Whether `body.lower()` holds a footer's words; a cheap look first: every word holds one
    of `_FOOTER_HINTS`, and a word found in `body.lower()` is made of ASCII characters side by
    side in `body`, so it is found in its UTF-8 bytes with their ASCII letters lower-cased (the
    only other characters whose lower case holds ASCII are the Kelvin sign, k, and İ, i and a
    combining dot: no word holds a k or ends in i; tests/test_pipe_speed.py checks every code
    point). For the same reason the words themselves are looked for in those bytes: a body of
    other characters is never lower-cased as a whole (a tenth of a millisecond per article).
    `utf8`: `body.encode()` when the caller has it (the same bytes: the body holds no surrogate)."""
    if not body.isascii():
        ascii_low = (body.encode("utf-8", "surrogatepass") if utf8 is None else utf8).lower()
        # find, not `in`: bytes.__contains__ first tries its argument as an integer, and the
        # TypeError it makes and drops costs more than the search itself
        if not any(ascii_low.find(w) >= 0 for w in _FOOTER_HINTS):
            return False
        return any(ascii_low.find(w) >= 0 for w in _FOOTER_BYTES)
    low = body.lower()
    return any(w in low for w in _FOOTER_WORDS)


def _footers(body: str) -> list[re.Match[str]]:
    """`list(_FOOTER.finditer(body))`, tried only where a phrase's first word is in the lower case
    (the case-blind pattern is slow over a whole article): a match's letters are ASCII letters
    or `_CASE_ODD` (then the whole body is searched), so its words are found there, in place
    when the lower case has the body's length."""
    low = body.lower()
    if len(low) != len(body) or any(c in body for c in _CASE_ODD):
        return list(_FOOTER.finditer(body))
    starts = {at for word in _FOOTER_STARTS for at in _positions(low, word)}
    found: list[re.Match[str]] = []
    for start in sorted(starts):
        m = _FOOTER.match(body, start) if not found or start >= found[-1].end() else None
        if m:
            found.append(m)
    return found


def _front_matter_images(sig: Signals) -> list[str]:
    out: list[str] = []
    for key in FM_IMAGE_KEYS:
        value = sig.front_matter.get(key)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                out += [u for u in v.split() if is_url(u)]
    return out


def links(s: Scorer, sig: Signals) -> None:
    """The domain most links and images point to (images count double: a site hosts its own
    pictures, while it links to the sources it cites). A publisher group's CDN is counted
    apart: it only backs a member of the group that has other evidence."""
    body_images = images_in(sig.body)
    urls = [(u, u in body_images) for u in s.body_urls] + [(u, True) for u in _front_matter_images(sig)]
    counts: Counter[str] = Counter()
    images: Counter[str] = Counter()
    hosts: dict[str, Counter[str]] = {}
    total = 0
    foreign: dict[str, bool] = {}  # domain -> neither the page's own nor a farm
    for host, (n, n_images) in _by_host(urls).items():
        domain = s.domain_of(host)
        ok = foreign.get(domain)
        if ok is None:
            ok = foreign[domain] = not (domain in sig.own_domains or s.rules.farm_domains.matches(domain))
        if not ok:
            continue
        s.seen_domains[domain] += n
        total += n
        if s.group_of(domain):
            s.group_counts[domain] += n
        elif not s.excluded(domain):
            counts[domain] += n
            images[domain] += n_images
            on = hosts.get(domain)
            if on is None:
                on = hosts[domain] = Counter()
            on[host] += n
    if not counts:
        return
    domain, n = max(counts.items(), key=lambda kv: (kv[1] + images[kv[0]], kv[0]))
    share = n / total
    if (n >= 3 and share >= 0.3) or (n >= 2 and images[domain] >= 1 and share >= 0.25):
        c = s.cand(domain)
        c.hosts.update(hosts[domain])
        what = f"{n} of {total} links and images point to {domain}"
        if images[domain]:
            what += f" ({images[domain]} images)"
        s.add(c, 4 + 8 * share + min(images[domain], 4), "links", what)


def _by_host(urls: list[tuple[str, bool]]) -> dict[str, list[int]]:
    """host -> [URLs, images among them], hosts in the order they first occur (so every count
    made from them is made in the order it was made URL by URL)."""
    found: dict[str, list[int]] = {}
    for url, image in urls:
        host = url_host(url)
        if host:
            seen = found.get(host)
            if seen is None:
                found[host] = [1, image]
            else:
                seen[0] += 1
                seen[1] += image
    return found


def shares(s: Scorer, sig: Signals) -> None:
    """Share buttons carry the article's own URL."""
    snippets = [r.snippet for r in sig.removals if "share" in r.snippet.lower() or "intent" in r.snippet]
    text = "\n".join([sig.body, *sig.share_links, *snippets]) if sig.share_links or snippets else sig.body
    for m in _share_links(text):
        params = parse_qs(m.group(0).replace("&amp;", "&").partition("?")[2])
        for key in ("u", "url"):
            for value in params.get(key, []):
                url = unquote(value)
                d = s.domain_of(url_host(url))
                if is_url(url) and d and not s.excluded(d):
                    s.url_candidate(url, None, 20, "share", f"share link for {url}")


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


def _tag_domain(s: Scorer, name: str, value: str) -> tuple[str | None, str]:
    """The domain an affiliate parameter's value names, and how it was read."""
    low = name.lower()
    if low == "tag":
        prefix = _AMAZON_TAG.match(value)
        tag = prefix.group(1).lower() if prefix else value.lower()
        known = s.rules.affiliate_tags.get(tag)
        return (known or s.label_domain(tag, prefix=True)), f"Amazon tag '{value}'"
    valnet = _VALNET.search(value)
    if valnet:
        return s.rules.subtag_codes.get(valnet.group(1).lower()), f"sub-id '{value[:40]}'"
    future = _FUTURE.match(value)
    token = future.group(1) if future else re.split(r"[-_|.:%]", value, maxsplit=1)[0]
    return s.label_domain(token.lower(), prefix=False), f"{name} '{value[:40]}'"


def _subtag_pairs(text: str) -> list[tuple[str, str]]:
    """`_SUBTAG.findall(text)`: tried whole only at the start (where `^` can match); past it the
    pattern opens with a character class, which the search skips to instead of trying both
    choices at every position."""
    first = _SUBTAG.match(text)
    if first is None:
        return _SUBTAG_AFTER.findall(text)
    return [(first[1], first[2]), *_SUBTAG_AFTER.findall(text, first.end())]


def subtags(s: Scorer, sig: Signals) -> None:
    """Affiliate tags and sub-ids in the links the publisher placed (removed or kept)."""
    kinds = ("affiliate_link", "hijacked_link", "tracking_param")
    texts = [r.snippet for r in sig.removals if r.category in kinds]
    texts += [u for u in s.body_urls if "=" in u or "/sid/" in u]
    seen: set[tuple[str, str]] = set()
    for raw in texts:
        text = unquote(unquote(raw)) if "%" in raw else raw
        pairs = _subtag_pairs(text) if "=" in text else []
        if "/sid/" in text:
            pairs += [("sid", sid) for sid in _CJ_SID.findall(text)]
        for name, value in pairs:
            if name.lower() == "asc_refurl" and is_url(value):
                if ("refurl", value) not in seen:
                    seen.add(("refurl", value))
                    s.url_candidate(value, None, 30, "affiliate", f"Amazon link placed from {value}")
                continue
            domain, what = _tag_domain(s, name, value)
            if domain and not s.excluded(domain) and (domain, what) not in seen:
                seen.add((domain, what))
                s.add(s.cand(domain), 8, "affiliate", f"{what} belongs to {domain}")


def credits_and_mentions(s: Scorer, sig: Signals) -> None:
    """Credits and mentions of a publisher in the prose, and e-mail domains."""
    prose = _without_urls(sig.body)
    credit = 0.0
    for name, what in _credits(prose, s):
        credit += _credit(s, name, what, credit)
    mention = 0.0
    for _, end, name in s.mentions(prose):
        if prose.startswith(("'s", "’s"), end):
            score, what = 3.0, f"mention '{name}'s'"
        else:
            score, what = 1.0, f"mention '{name}'"
        if mention + score > 15:
            break
        mention += score
        s.add(s.cand(None, name), score, "mention", what)
    for domain in _email_domains(prose):
        d = s.domain_of(domain.lower())
        if d not in _FREEMAIL and not s.excluded(d):
            s.add(s.cand(d), 3, "email", f"e-mail address at {d}")


def _without_urls(body: str) -> str:
    """`_URLISH.sub(" ", body)`, the pattern tried only where a match can start (a "](", an
    "http" or a "<"; a pattern that opens with three choices is tried at every position)."""
    pieces: list[str] = []
    at = 0
    for m in anchored(_URLISH, body, _URLISH_ANCHORS):
        pieces.append(body[at : m.start()])
        at = m.end()
    if not pieces:
        return body
    pieces.append(body[at:])
    return " ".join(pieces)


def _email_domains(prose: str) -> list[str]:
    """The domains of `_EMAIL.finditer(prose)`, tried only where a match can start: one
    character before an "@", left to right, past the end of the last match (the pattern opens
    with a character class, tried at every position of a long article)."""
    out: list[str] = []
    end = 0
    at = prose.find("@", 1)
    while at >= 0:
        m = _EMAIL.match(prose, at - 1) if at - 1 >= end else None
        if m:
            out.append(m.group(1))
            end = m.end()
        at = prose.find("@", at + 1)
    return out


def _credits(prose: str, s: Scorer) -> list[tuple[str, str]]:
    """(name, what was read) of each credit: the words after "credit:", each side of a slash
    (the prose lower-cased only when it holds a credit's word)."""
    out: list[tuple[str, str]] = []
    held = any(s.lowered_holds(prose, w, safe) for w, safe in _CREDIT_WORDS)
    low = s.lower(prose) if held else ""
    if held and len(low) == len(prose):
        for m in _CREDIT_WORD.finditer(low):
            name = _CREDIT_NAME.match(prose, m.end())
            if name:
                text = name.group(0).strip(" .,;")
                out.append((text, f"credit '{prose[m.start() : m.end()]}{text}'"[:80]))
    pos = prose.find("/")
    while pos >= 0 and len(out) < 50:
        after = _AFTER_SLASH.match(prose, pos + 1)  # anchored: cheap, and most slashes fail it
        before = _BEFORE_SLASH.search(prose, max(0, pos - 80), pos) if after else None
        if before and after:
            what = f"credit '{before.group(1)}/{after.group(1)}'"
            out += [(after.group(1), what), (before.group(1), what)]
        pos = prose.find("/", pos + 1)
    return out


def _credit(s: Scorer, name: str, what: str, so_far: float) -> float:
    domain = s.domain_for_name(name)
    if domain is None or s.excluded(domain) or so_far >= 20:
        return 0.0
    s.add(s.cand(domain, s.table_name(domain) or name), 5, "credit", what)
    return 5.0


def title(s: Scorer, sig: Signals) -> None:
    text = (sig.title or "").strip()
    if not text:
        return
    names = s.names_in(text)
    if names:
        alt = "|".join(re.escape(n) for n in names)
        known = re.search(rf"(?:[-–—|:]\s*|\b(?:from|by|on|via|at)\s+)({alt})\s*$", text, re.I)
        if known:
            name = next(n for n in names if n.lower() == known.group(1).lower())
            s.add(s.cand(None, name), 6, "title", f"title names {name}")
            return
    m = _UNKNOWN_SUFFIX.search(text)
    if m and m.group("name").lower() != (sig.meta.site_name or "").lower() and s.usable(m.group("name")):
        s.add(s.cand(None, m.group("name")), 6, "title", f"title names {m.group('name')}")


__all__ = ["credits_and_mentions", "explicit", "links", "shares", "squash", "subtags", "title"]
