"""A content fingerprint that links copies of one original.

A 64-bit SimHash over the article's lines of four words or more (long paragraphs sentence by
sentence), each weighted by its length in words. Before hashing, a unit is reduced to its
letters, lower-cased: no spaces, digits, punctuation or Markdown marks, so the same paragraph
written by two pipelines (a farm's Markdown, the HTML page turned into Markdown) hashes the
same. Copies of one article on several farm pages share most units, so their fingerprints are
equal or a few bits apart (`distance`), whatever junk each page carried; a one-sentence edit
moves a few bits; unrelated articles are some 18-30 bits apart. Hashing whole sentences, not
word shingles, keeps it cheap (a fraction of a millisecond). Documents whose fingerprints are
near, directly or through others, are grouped by `nearcopy.clusters`.
"""

from __future__ import annotations

import hashlib

_FIELD = 32  # bits per counter in the packed accumulator (room for 4 billion words)
# _SPREAD[k][byte]: the 8 bits of `byte`, as byte k of a hash, each moved to its own counter
_BYTE = [sum(1 << (_FIELD * b) for b in range(8) if byte >> b & 1) for byte in range(256)]
_SPREAD = [[v << (_FIELD * 8 * k) for v in _BYTE] for k in range(8)]
_MASK = (1 << _FIELD) - 1
_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_DROP = b" \t\r*_`~>#[]()!\\|'\".,:;?-+=/0123456789"
NEAR = 10  # fingerprints at most this many bits apart: copies of one article
_LONG = 30  # words from which a line is hashed sentence by sentence


def fingerprint(markdown_body: str) -> str:
    """16 hex digits; the same text gives the same value on every machine."""
    packed = 0  # 64 counters side by side: how many words voted 1 for each bit
    total = 0
    s0, s1, s2, s3, s4, s5, s6, s7 = _SPREAD
    blake2b, lower, drop = hashlib.blake2b, _LOWER, _DROP
    for line in markdown_body.replace("’", "'").encode().split(b"\n"):
        spaces = line.count(b" ")
        if spaces < 3:
            continue  # headings, captions, link residue: too short to tell copies apart
        # a long paragraph goes by sentences, so one edit cannot outweigh the rest
        units = line.split(b". ") if spaces >= _LONG else (line,)
        for unit in units:
            words = unit.count(b" ") + 1 if len(units) > 1 else spaces + 1
            if words < 4:
                continue
            d = blake2b(unit.translate(lower, drop), digest_size=8).digest()
            packed += words * (
                s0[d[0]] | s1[d[1]] | s2[d[2]] | s3[d[3]] | s4[d[4]] | s5[d[5]] | s6[d[6]] | s7[d[7]]
            )
            total += words
    if not total:
        return "0" * 16
    value = sum(1 << bit for bit in range(64) if 2 * (packed >> (_FIELD * bit) & _MASK) > total)
    return f"{value:016x}"


def distance(a: str, b: str) -> int:
    """Bits that differ between two fingerprints (0: the same text; a few: near copies)."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
