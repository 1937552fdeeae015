"""Reading a response body with its size bounded after decoding.

httpx decodes each compressed chunk in one go (a 199 KB gzip of zeros becomes one 67 MB chunk),
so the raw stream is read here and inflated in bounded steps: a compression bomb is cut off as
soon as the decoded size passes the limit, and memory stays at about the limit.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import brotli

STEP = 64 * 1024


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"body larger than {limit:,} bytes (after decoding)")


class UnsupportedEncoding(Exception):
    pass


class _Identity:
    def feed(self, data: bytes, room: int) -> bytes:
        return data

    def drain(self, room: int) -> bytes:
        return b""


class _Zlib:
    def __init__(self, wbits: int) -> None:
        self.wbits = wbits
        self.d: zlib._Decompress | None = None
        self.pending = b""

    def feed(self, data: bytes, room: int) -> bytes:
        if self.d is None:  # "deflate" is zlib-wrapped or raw, depending on the server
            self.pending += data
            if len(self.pending) < 2 and self.wbits == zlib.MAX_WBITS:
                return b""
            wbits = self.wbits
            if wbits == zlib.MAX_WBITS and (
                self.pending[0] & 0x0F != 8 or int.from_bytes(self.pending[:2], "big") % 31
            ):
                wbits = -zlib.MAX_WBITS
            self.d = zlib.decompressobj(wbits)
            data, self.pending = self.pending, b""
        return self.d.decompress(data, max(room, 1))

    def drain(self, room: int) -> bytes:
        if self.d is None:
            return b""
        if self.d.unconsumed_tail:
            return self.d.decompress(self.d.unconsumed_tail, max(room, 1))
        return b""


class _Brotli:
    def __init__(self) -> None:
        self.d = brotli.Decompressor()

    def feed(self, data: bytes, room: int) -> bytes:
        return bytes(self.d.process(data, output_buffer_limit=max(room, 1)))

    def drain(self, room: int) -> bytes:
        if self.d.is_finished() or self.d.can_accept_more_data():
            return b""
        return bytes(self.d.process(b"", output_buffer_limit=max(room, 1)))


def decoder(content_encoding: str) -> _Identity | _Zlib | _Brotli:
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) > 1:
        raise UnsupportedEncoding(f"stacked content encodings {content_encoding!r}")
    coding = codings[0]
    if coding in ("gzip", "x-gzip"):
        return _Zlib(16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return _Zlib(zlib.MAX_WBITS)
    if coding == "br":
        return _Brotli()
    raise UnsupportedEncoding(f"content encoding {coding!r}")


async def read_bounded(raw: AsyncIterator[bytes], content_encoding: str, limit: int) -> bytes:
    """The decoded body; BodyTooLarge as soon as it (or its compressed form) passes `limit`."""
    dec = decoder(content_encoding)
    out = bytearray()
    received = 0
    try:
        async for chunk in raw:
            received += len(chunk)
            if received > limit:
                raise BodyTooLarge(limit)
            piece = dec.feed(chunk, limit - len(out) + 1)
            while True:
                out += piece
                if len(out) > limit:
                    raise BodyTooLarge(limit)
                piece = dec.drain(limit - len(out) + 1)
                if not piece:
                    break
    except (zlib.error, brotli.error) as exc:
        raise UnsupportedEncoding(f"corrupt {content_encoding} body: {exc}") from None
    return bytes(out)


def gunzip_bounded(data: bytes, limit: int) -> bytes:
    """Inflate a gzip file (a .gz sitemap) without letting it grow past `limit`."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray(d.decompress(data, limit + 1))
    while d.unconsumed_tail and len(out) <= limit:
        out += d.decompress(d.unconsumed_tail, limit + 1 - len(out))
    if len(out) > limit:
        raise BodyTooLarge(limit)
    return bytes(out)
