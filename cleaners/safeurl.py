"""The one gate every URL we write passes: only http, https, mailto and relative URLs.

A browser does not read a URL as it is written. Before it looks for a scheme it decodes
character references (in HTML attributes; a Markdown renderer decodes them in link
destinations, and backslash escapes too), strips leading and trailing C0 controls and spaces,
removes every ASCII tab, LF and CR, and case-folds the scheme (WHATWG URL Standard, "basic URL
parser"). So `java&#10;script:`, `jav&#x09;ascript:`, `javascript&colon;`, `&#x6A;avascript:`
and ` \x01JaVaScRiPt:` are all `javascript:`. The gate normalises the same way before it
decides, and decides on the scheme alone: anything with a scheme outside the allow-list is
refused, whatever it is (`javascript:`, `vbscript:`, `data:`, `blob:`, `file:` …).

The gate only decides; a URL it lets through is written as it was, byte for byte.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["ALLOWED_SCHEMES", "is_safe_url", "normalise", "scheme_of", "srcset_urls"]

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))  # U+0000-U+0020
_TAB_NEWLINE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# CommonMark: a backslash before ASCII punctuation escapes it.
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_SRCSET_SPLIT = re.compile(r"[\s,]+")
_DESCRIPTOR = re.compile(r"[0-9.]+[wxh]", re.I)
_PLAIN = ("https:", "http:", "mailto:")
_NO_SCHEME = frozenset("/#")  # (not "": the empty string is not a first character)


def normalise(url: str, *, markdown: bool = False) -> str:
    """The URL as a browser's URL parser sees it (references decoded once; in Markdown,
    backslash escapes undone first), for deciding — not for writing."""
    if markdown:
        url = _MD_ESCAPE.sub(r"\1", url)
    if "&" in url:
        import html  # (here: its table of references is a large module, needed for few URLs)

        url = html.unescape(url)
    url = url.strip(_C0_OR_SPACE)
    return _TAB_NEWLINE.sub("", url)


def scheme_of(url: str, *, markdown: bool = False) -> str | None:
    """The lower-cased scheme a browser would find, or None for a relative URL."""
    # The usual URLs answered before normalising: what normalising does (escapes and references
    # undone, C0 and spaces stripped, tabs and line breaks removed) never changes a leading
    # "http:", "https:" or "mailto:", nor a first "/" or "#" (none holds "\\", "&", a control
    # character or a space), and the scheme is read from the start.
    if url.startswith(_PLAIN):
        return url[: url.find(":")]
    if url[:1] in _NO_SCHEME:
        return None
    if len(url) > _MEMO_LEN:
        return _scheme(url, markdown)
    return _memo_scheme(url, markdown)


def _scheme(url: str, markdown: bool) -> str | None:
    m = _SCHEME.match(normalise(url, markdown=markdown))
    return m.group(1).lower() if m else None


# one URL is checked several times on its way (the link, its cleaned form, the attribution)
_memo_scheme = lru_cache(maxsize=4096)(_scheme)
_MEMO_LEN = 2048  # longer URLs (data: images) are not kept


def is_safe_url(url: str, *, markdown: bool = False) -> bool:
    """True for http(s), mailto and relative URLs (`#frag`, `/path`, `//host/…`, `page.html`)."""
    if url.startswith(_PLAIN):  # (scheme_of's first answer, without its call: the usual URL)
        return True
    scheme = scheme_of(url, markdown=markdown)
    return scheme is None or scheme in ALLOWED_SCHEMES


def srcset_urls(value: str) -> list[str]:
    """Every token of a srcset that could be a URL (descriptors left out). Commas inside a URL
    split it too, so a `data:` candidate still shows its scheme: the gate errs on refusing."""
    return [t for t in _SRCSET_SPLIT.split(value) if t and not _DESCRIPTOR.fullmatch(t)]
