"""URLs as the crawl knows them: checked once, normalised, never a traceback.

`urlsplit` raises on some inputs (`http://[::1`, a port over 65535 or not a number) and
`SplitResult.hostname` drops the brackets of an IPv6 literal, so a netloc rebuilt from it is no
longer a URL. Everything here takes any string and either answers or says what is wrong.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit, urlunsplit

_CONTROL = re.compile("[\x00-\x20\x7f]")  # spaces and control characters


@lru_cache(maxsize=1024)  # one URL is checked, normalised and keyed by origin in turn
def parse(url: str) -> SplitResult | str:
    """The parts of an http(s) URL, or what is wrong with it (one line)."""
    text = url.strip()
    if _CONTROL.search(text):
        return "a URL with spaces or control characters"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "not an http(s) URL"
    if not parts.hostname:
        return "a URL without a host"
    return parts


def problem(url: str) -> str | None:
    """None for a usable http(s) URL, else what is wrong with it."""
    parts = parse(url)
    return parts if isinstance(parts, str) else None


def netloc(host: str, port: int | None, scheme: str, username: str | None = None) -> str:
    """host[:port], IPv6 literals in brackets, the scheme's default port left out."""
    shown = f"[{host}]" if ":" in host else host
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        shown = f"{shown}:{port}"
    return f"{username}@{shown}" if username else shown


def normalize(url: str) -> str:
    """The URL a document is known by: no fragment, lower-case scheme and host, no default
    port, "/" for an empty path. A URL that does not parse is returned stripped."""
    parts = parse(url)
    if isinstance(parts, str):
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    return urlunsplit(
        (scheme, netloc(host, parts.port, scheme, parts.username), parts.path or "/", parts.query, "")
    )


def origin(url: str) -> str:
    """scheme://host[:port] of a URL (lower-case), for per-host state and robots.txt."""
    parts = parse(url)
    if isinstance(parts, str):
        return url.strip()
    scheme = parts.scheme.lower()
    return f"{scheme}://{netloc((parts.hostname or '').lower(), parts.port, scheme)}"


@lru_cache(maxsize=256)  # a crawl names many outputs after few hosts
def host_label(host: str) -> str:
    """A host as a file name: an IPv6 literal as ipv6-<groups joined by '-'>."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    return f"ipv6-{ip.compressed.replace(':', '-')}" if ip.version == 6 else ip.compressed
