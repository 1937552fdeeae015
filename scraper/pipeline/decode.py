"""Bytes to text, and what kind of document the text is (from content, not file names)."""

from __future__ import annotations

import codecs
import re

from scraper.errors import DocumentError

_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"RIFF", "a RIFF media file"),
    (b"\x7fELF", "an executable"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 file"),
)
_MAGIC_PREFIXES = tuple(magic for magic, _ in _MAGIC)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_MULTI_BYTE = frozenset(
    [
        "gb18030",
        "gbk",
        "gb2312",
        "big5",
        "big5hkscs",
        "shift_jis",
        "cp932",
        "euc_jp",
        "euc_kr",
        "cp949",
        "iso2022_jp",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "utf-32",
        "utf-8",
    ]
)
_SINGLE_BYTE = frozenset(["latin-1", "iso8859-1", "cp1252", "iso8859-15", "ascii"])
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_FRONT_MATTER = re.compile(r"\A(?:---|\+\+\+)[ \t]*\r?\n")
_HTML_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<head[\s>])", re.I | re.S)
_HTML_TAGS = re.compile(r"<(?:head|body|meta|title|link|article|main|div|p|table|script)[\s>/]", re.I)
_MD_SIGNS = re.compile(r"^(?:#{1,6} |[*+-] |\d+\. |> |```|\[[^\]]+\]\()", re.M)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'").lower()).name
    except LookupError:
        return None


def sniff_binary(data: bytes) -> str | None:
    """What a binary file is ('a PDF document'), or None for text."""
    if data.startswith(_MAGIC_PREFIXES):  # one test for all of them: which one, only then
        return next(what for magic, what in _MAGIC if data.startswith(magic))
    if data.startswith(_UTF16_BOMS):
        return None
    if data.find(0, 0, 4096) >= 0:  # a NUL byte in the head (the int, not b"\x00": no
        return "binary data"  # failed int conversion first)
    return None


def decode(data: bytes, declared: str | None = None, strict_utf8: bool = False) -> str:
    """Decode document bytes. BOMs win, then the declared charset (HTTP header), then an
    in-document declaration, then UTF-8; other bytes are detected. With `strict_utf8`
    (Markdown files) bytes that are not UTF-8 are an error, not a guess."""
    return decode_page(data, declared, strict_utf8)[0]


def decode_page(data: bytes, declared: str | None = None, strict_utf8: bool = False) -> tuple[str, bool]:
    """`decode`'s text, and whether it was read as UTF-8 without a byte-order mark: its UTF-8
    encoding is then `data` byte for byte, so the HTML parser can be handed `data` instead of
    the text encoded again (some 13 instructions a character for text that is not Latin-1)."""
    if not data.strip():
        raise DocumentError("empty file")
    what = sniff_binary(data)
    if what:
        raise DocumentError(f"binary file ({what}), not a text document")
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), False
            except UnicodeDecodeError as exc:
                raise DocumentError(
                    f"undecodable bytes after a {enc} byte-order mark: {exc.reason}"
                ) from None
    declared_codec = _codec(declared)
    if declared_codec in _SINGLE_BYTE and not data.isascii():
        try:  # a legacy charset header over UTF-8 bytes: believe the bytes
            return data.decode("utf-8"), True
        except UnicodeDecodeError:
            pass
    candidates = [declared_codec]
    m = _META_CHARSET.search(data[:4096]) or _XML_ENCODING.search(data[:200])
    if m:
        candidates.append(_codec(m.group(1).decode("ascii", "replace")))
    candidates.append("utf-8")
    for enc in dict.fromkeys(c for c in candidates if c):
        try:
            return data.decode(enc), enc == "utf-8"
        except UnicodeDecodeError:
            continue
    if strict_utf8:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DocumentError(
                f"undecodable bytes: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
            ) from None
    from charset_normalizer import from_bytes  # loaded for the rare input that needs a guess

    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise DocumentError("undecodable bytes: no text encoding fits")
    encoding = best.encoding
    if _codec(encoding) not in _MULTI_BYTE:
        try:  # a single-byte guess: the web's default legacy charset (WHATWG) first
            return data.decode("cp1252"), False
        except UnicodeDecodeError:
            pass
    try:
        return data.decode(encoding), False
    except UnicodeDecodeError:
        raise DocumentError(f"undecodable bytes (best guess {best.encoding} fails)") from None


def detect_kind(text: str, name: str = "", content_type: str | None = None) -> str:
    """'markdown' or 'html'."""
    head = text.lstrip("\ufeff")
    if _FRONT_MATTER.match(head):
        return "markdown"
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct in ("text/markdown", "text/x-markdown"):
        return "markdown"
    if _HTML_START.match(head[:4096]) or ct in ("text/html", "application/xhtml+xml"):
        return "html"
    lower = name.lower()
    sample = head[:8192]
    tags = len(_HTML_TAGS.findall(sample))
    md = len(_MD_SIGNS.findall(sample))
    if lower.endswith((".html", ".htm", ".xhtml")) and head.lstrip().startswith("<"):
        return "html"
    if head.lstrip().startswith("<") and tags >= 3 and tags > 2 * md:
        return "html"
    return "markdown"
