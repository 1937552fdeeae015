"""A content fingerprint that links copies of one original.

A 64-bit SimHash over the article's paragraphs (runs of whitespace ignored), each weighted by
its length in words: copies of one article on several farm pages share most paragraphs, so
their fingerprints are equal or a few bits apart, whatever junk each farm page carried.
Hashing whole paragraphs, not word shingles, keeps it cheap (a fraction of a millisecond).
"""

from __future__ import annotations

import hashlib

_FIELD = 32  # bits per counter in the packed accumulator (room for 4 billion words)
# _SPREAD[k][byte]: the 8 bits of `byte`, as byte k of a hash, each moved to its own counter
_SPREAD = [
    [sum(1 << (_FIELD * (8 * k + b)) for b in range(8) if byte >> b & 1) for byte in range(256)]
    for k in range(8)
]
_MASK = (1 << _FIELD) - 1


def fingerprint(markdown_body: str) -> str:
    """16 hex digits; the same text gives the same value on every machine."""
    packed = 0  # 64 counters side by side: how many words voted 1 for each bit
    total = 0
    for para in markdown_body.split("\n\n"):
        para = para.strip()
        if "\n" in para or "  " in para or "\t" in para or "\r" in para:
            para = " ".join(para.split())
        words = para.count(" ") + 1
        if words < 4:
            continue  # headings, captions, link residue: too short to tell copies apart
        digest = hashlib.blake2b(para.encode(), digest_size=8).digest()
        spread = 0
        for k, byte in enumerate(digest):
            spread |= _SPREAD[k][byte]
        packed += words * spread
        total += words
    if not total:
        return "0" * 16
    value = sum(1 << bit for bit in range(64) if 2 * (packed >> (_FIELD * bit) & _MASK) > total)
    return f"{value:016x}"


def distance(a: str, b: str) -> int:
    """Bits that differ between two fingerprints (0: the same text; a few: near copies)."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
