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

import struct

try:
    from _blake2 import blake2b  # hashlib.blake2b itself, without hashlib loading OpenSSL
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

_FIELD = 16  # bits per counter in the packed accumulator (flushed before it could overflow)
_LIMIT = 1 << _FIELD
# _BYTE[byte]: the 8 bits of `byte`, each moved to its own counter (built by doubling, a twentieth
# of the start-up cost of summing each: entry i + 2**b is entry i with bit b); _SPREAD[k][byte]:
# the same as byte k of a hash
_BYTE = [0]
for _b in range(8):
    _BYTE += [spread | 1 << (_FIELD * _b) for spread in _BYTE]
_SPREAD = [[spread << (8 * _FIELD * k) for spread in _BYTE] for k in range(8)]
_HASH = blake2b(digest_size=8)  # never updated: each unit's hash starts as a copy of it (a copy
# costs a third less than a new object, whose keyword arguments are parsed and parameters set)
_COUNTERS = struct.Struct(f"<64{'H' if _FIELD == 16 else 'I'}")
_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_DROP = b" \t\r*_`~>#[]()!\\|'\".,:;?-+=/0123456789"
NEAR = 10  # fingerprints at most this many bits apart: copies of one article
_LONG = 30  # words from which a line is hashed sentence by sentence


def fingerprint(markdown_body: str, utf8: bytes | None = None) -> str:
    """16 hex digits; the same text gives the same value on every machine. `utf8`: the body's
    UTF-8 encoding (`markdown_body.encode()`) when the caller has it already."""
    units, weights = _units(markdown_body.encode() if utf8 is None else utf8)
    # every unit reduced in one call (a call's set-up costs as much as reducing a short line):
    # units are lines or parts of lines, so none holds the newline they are joined with, which
    # the reduction leaves as it is
    keys = b"\n".join(units).translate(_LOWER, _DROP).split(b"\n") if units else []
    counts = [0] * 64  # how many words voted 1 for each bit
    packed = 0  # more of them, 64 counters side by side in one integer (added to counts when full)
    in_packed = total = 0
    s0, s1, s2, s3, s4, s5, s6, s7 = _SPREAD
    empty = _HASH
    for key, words in zip(keys, weights, strict=True):
        h = empty.copy()
        h.update(key)
        d = h.digest()
        total += words
        if in_packed + words >= _LIMIT:  # a counter could overflow into the next one
            counts = _added(counts, packed)
            packed = in_packed = 0
            if words >= _LIMIT:
                value = int.from_bytes(d, "little")
                counts = [c + words * (value >> bit & 1) for bit, c in enumerate(counts)]
                continue
        packed += words * (
            s0[d[0]] | s1[d[1]] | s2[d[2]] | s3[d[3]] | s4[d[4]] | s5[d[5]] | s6[d[6]] | s7[d[7]]
        )
        in_packed += words
    if not total:
        return "0" * 16
    counts = _added(counts, packed)
    value = sum(1 << bit for bit, count in enumerate(counts) if 2 * count > total)
    return f"{value:016x}"


_QUOTE = "’".encode()  # the curly apostrophe, hashed as "'" (its bytes are its encoding only)


def _units(data: bytes) -> tuple[list[bytes], list[int]]:
    """The units hashed (of the body's UTF-8 `data`) and the words each weighs: the lines of four
    words or more, a long line sentence by sentence (so one edit cannot outweigh the rest)."""
    units: list[bytes] = []
    weights: list[int] = []
    for line in data.replace(_QUOTE, b"'").split(b"\n"):
        spaces = line.count(b" ")
        if spaces < 3:
            continue  # headings, captions, link residue: too short to tell copies apart
        if spaces < _LONG:
            units.append(line)
            weights.append(spaces + 1)
            continue
        for unit in line.split(b". "):
            words = unit.count(b" ") + 1
            if words >= 4:
                units.append(unit)
                weights.append(words)
    return units, weights


def _added(counts: list[int], packed: int) -> list[int]:
    """`counts` plus the counters packed side by side in `packed`."""
    if not packed:
        return counts
    fields = _COUNTERS.unpack(packed.to_bytes(8 * _FIELD, "little"))
    return [c + f for c, f in zip(counts, fields, strict=True)]


def distance(a: str, b: str) -> int:
    """Bits that differ between two fingerprints (0: the same text; a few: near copies)."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
