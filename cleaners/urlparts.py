"""String helpers for the URL rules: query pairs, destinations inside parameters, script URLs,
and the affiliate-network domains a page reveals. Offline string work only."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, unquote, urlsplit

from cleaners.hosts import registrable_domain

# An affiliate network's click or impression path (Impact's /c|i/<partner>/<ad>/<program>) on a
# <brand>.<network-domain> host: the page itself tells which domains are a network's.
_NETWORK_PATH = r"//((?:[a-z0-9-]+\.)+[a-z0-9-]+)/[ci]/\d{4,9}/\d{3,9}/\d{3,9}\b"
_NETWORK_STR = re.compile(_NETWORK_PATH, re.I)
_NETWORK_BYTES = re.compile(_NETWORK_PATH.encode(), re.I)
# what every such path holds: where a match can end (its host is just before it)
_MAY_HOLD_PATH = re.compile(rb"/[ci]/\d", re.I)
_MAY_HOLD_PATH_STR = re.compile(r"/[ci]/\d", re.I)
# First labels of a brand's own tracking host (goto.walmart.com): its domain is the brand's.
_BRAND_TRACKERS = frozenset(("goto", "go", "click", "clicks", "track", "link", "links", "www", "shop", "buy"))


_new = tuple.__new__
_PLAIN_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)(?=[/?#]|\Z)")


# An http(s) URL whose host is letters, digits, dots and hyphens, without the tab and line
# breaks urlsplit removes: its parts are these groups (the host up to the path's "/", a "?" or
# "#"; the path up to the first "?" or "#", the query up to the first "#", then the fragment).
_PLAIN_URL = re.compile(
    r"(https?)://([A-Za-z0-9.-]+)((?:/[^?#\t\n\r]*)?)(?:\?([^#\t\n\r]*))?(?:#([^\t\n\r]*))?\Z"
)


def split_url(full: str) -> tuple[SplitResult | None, str]:
    """urlsplit's parts of a URL and its lower-case host (None and "" when it does not parse).
    A plain http(s) URL (`_PLAIN_URL`) is split by one regex into the same parts."""
    m = _PLAIN_URL.match(full)
    if m is not None:
        parts = m.groups("")  # (made by tuple.__new__: SplitResult's own __new__ is a Python frame)
        return _new(SplitResult, parts), parts[1].lower()
    try:
        parts = urlsplit(full)
        return parts, (parts.hostname or "").lower()
    except ValueError:
        return None, ""


def url_host_of(full: str) -> str:
    """`split_url`'s host. An http(s) URL whose host is letters, digits, dots and hyphens up to
    its path, query or fragment has that host for urlsplit too (lower-cased by `hostname`): it
    is read by one regex, the rest by urlsplit."""
    m = _PLAIN_HOST.match(full)
    return m.group(1).lower() if m is not None else split_url(full)[1]


def network_domains(text: str | bytes) -> frozenset[str]:
    """Registrable domains that serve an affiliate network's click or impression paths in this
    document (razer.a9yw.net/c/…): their vanity short links (razer.a9yw.net/x1y2z3) are clicks
    too, whether or not a list names the domain yet."""
    out = set()
    for host in _network_hosts(text):
        domain = registrable_domain(host)
        if domain != host and host.split(".")[0] not in _BRAND_TRACKERS:
            out.add(domain)
    return frozenset(out)


def _network_hosts(text: str | bytes) -> set[str]:
    """The lower-case hosts `_NETWORK_PATH` finds (what its findall finds), looked for only
    where a "/c/<digit>" or "/i/<digit>" is: such a match is "//", a host without "/", then
    that path, so it starts at the last "//" before the path (and no match holds another "//").
    One scan for the short path instead of the full pattern tried at every "//"."""
    hosts: set[str] = set()
    last = -1
    if isinstance(text, bytes):
        for q in _MAY_HOLD_PATH.finditer(text):
            p = text.rfind(b"//", 0, q.start())
            if p > last and (m := _NETWORK_BYTES.match(text, p)) is not None:
                hosts.add(m.group(1).decode("ascii", "replace").lower())
                last = p
    else:
        for qs in _MAY_HOLD_PATH_STR.finditer(text):
            p = text.rfind("//", 0, qs.start())
            if p > last and (ms := _NETWORK_STR.match(text, p)) is not None:
                hosts.add(ms.group(1).lower())
                last = p
    return hosts


def param_name(segment: str) -> str:
    """The lower-case name of a query segment, percent-decoding undone (up to three layers:
    `utm%255Fsource`) and an HTML-escaped separator (`&amp;utm_source`) seen through."""
    name = segment.partition("=")[0]
    for _ in range(3):
        if "%" not in name:
            break
        name = unquote(name)
    name = name.strip().lower()
    return name[4:] if name.startswith("amp;") else name


def query_pairs(query: str) -> list[tuple[str, str]]:
    return [(param_name(segment), segment.partition("=")[2]) for segment in query.split("&")]


def param_url(query: str, params: tuple[str, ...], default_scheme: str) -> str | None:
    """The first destination URL found in the named parameters (in the order they are named)."""
    wanted = {p.lower(): i for i, p in enumerate(params)}
    found: dict[int, str] = {}
    for name, value in query_pairs(query):
        idx = wanted.get(name)
        if idx is not None and idx not in found and value:
            found[idx] = value
    for idx in sorted(found):
        dest = decode_url(found[idx], default_scheme)
        if dest:
            return dest
    return None


def decode_url(value: str, default_scheme: str) -> str | None:
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


def split_path(base: str) -> tuple[str, str]:
    m = re.match(r"^((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^/]*)(.*)$", base)
    if m:
        return m.group(1), m.group(2)
    return "", base


def url_path(url: str) -> str:
    """The path of an absolute, scheme-relative or root-relative URL without query or fragment,
    cut by hand (cheaper than urlsplit on the common path)."""
    if url.startswith("/") and not url.startswith("//"):
        return url
    start = url.find("//")
    slash = url.find("/", start + 2 if start >= 0 else 0)
    return url[slash:] if slash >= 0 else "/"
