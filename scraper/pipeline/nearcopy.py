"""Near copies across documents: clusters of fingerprints at most NEAR bits apart.

Two documents are near copies when their fingerprints differ in at most `NEAR` bits
(`fingerprint.distance(a, b) <= NEAR`). Copies are reported as clusters, the connected
components of that relation: when A~B and B~C, A, B and C are one cluster even if A and C are
further apart (a chain of small edits to one article is still that article). A cluster has its
members, its size and a representative: its smallest key (for outputs, the first path in sort
order), so the same documents always give the same report.

No two fingerprints are compared unless they could be near, and none is found twice:

* Bands. The 64 bits are cut into PARTS = 6 blocks of 10 or 11 bits. Two fingerprints at most
  NEAR bits apart differ in at most SLACK = NEAR // PARTS = 1 bit in one of the blocks at least
  (pigeonhole: otherwise they would differ in 2 × 6 > NEAR bits). The index files every
  fingerprint under each of its block values; the fingerprints that may be near v are those
  filed under one of v's block values or a value one bit from it: 70 look-ups, which meet one
  unrelated fingerprint in 22. (The textbook NEAR + 1 = 11 blocks of 6 bits, shared exactly,
  never misses a pair either, but its 11 look-ups meet one unrelated fingerprint in 6.)
* Clusters grow from a document by breadth-first search, and every fingerprint found is taken
  out of the index: a farm's thousands of copies of one article are found by the first
  look-ups and never compared again, so clusters of near-identical documents cost time in
  proportion to their size, not to its square.

What remains is the chance meeting of unrelated fingerprints (some 30 bits apart) in a block:
for n distinct documents, about n² / 45 comparisons of two integers (XOR, popcount), about a
second for 10,000 on a busy 2-core machine. A run searches only from the documents it wrote
(`copy_summary`): when it wrote a few, the cost is building the index, one pass.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from scraper.pipeline.fingerprint import NEAR

PARTS = 6  # the 64 bits in blocks of 10 or 11
SLACK = NEAR // PARTS  # NEAR differing bits over PARTS blocks: one block differs in at most SLACK
LISTED = 20  # clusters listed by name in a run summary (the largest); the rest are counted


def _blocks() -> tuple[tuple[int, int, tuple[int, ...]], ...]:
    """(shift, mask, flips) of each block: its bits are `v >> shift & mask`, and the values
    to look up for a block value x are x ^ flip for each flip (x itself first)."""
    out = []
    for part in range(PARTS):
        start, end = 64 * part // PARTS, 64 * (part + 1) // PARTS
        width = end - start
        flips = tuple(
            sum(1 << bit for bit in bits)
            for r in range(SLACK + 1)
            for bits in itertools.combinations(range(width), r)
        )
        out.append((start, (1 << width) - 1, flips))
    return tuple(out)


_BLOCKS = _blocks()


@dataclass(frozen=True)
class Cluster:
    """Documents that are near copies of one another, directly or through a chain."""

    members: tuple[str, ...]  # sorted

    @property
    def representative(self) -> str:
        return self.members[0]

    @property
    def size(self) -> int:
        return len(self.members)


class _Index:
    """Distinct fingerprint values filed by block value; found ones are taken out."""

    def __init__(self, values: Iterable[int]) -> None:
        self.tables: list[dict[int, set[int]]] = [{} for _ in _BLOCKS]
        for v in values:
            for (shift, mask, _), table in zip(_BLOCKS, self.tables, strict=True):
                table.setdefault(v >> shift & mask, set()).add(v)

    def take_near(self, v: int) -> set[int]:
        """Every fingerprint still in the index at most NEAR bits from v, taken out of it."""
        found: set[int] = set()
        for (shift, mask, flips), table in zip(_BLOCKS, self.tables, strict=True):
            block = v >> shift & mask
            buckets = filter(None, map(table.get, map(block.__xor__, flips)))
            found.update({u for bucket in buckets for u in bucket if (u ^ v).bit_count() <= NEAR})
        for u in found:
            self.take(u)
        return found

    def take(self, u: int) -> None:
        for (shift, mask, _), table in zip(_BLOCKS, self.tables, strict=True):
            table[u >> shift & mask].discard(u)


def clusters(items: Iterable[tuple[str, str]], among: Collection[str] | None = None) -> list[Cluster]:
    """Clusters of near copies among (key, fingerprint) pairs, in order of representative:
    all of them, or those holding one of the keys `among`. Keys without a near copy are in
    none; a key given twice (two fingerprints) is one document."""
    keys_of: dict[int, list[str]] = {}
    values_of: dict[str, list[int]] = {}
    for key, fp in items:
        value = int(fp, 16)
        keys_of.setdefault(value, []).append(key)
        values_of.setdefault(key, []).append(value)
    index = _Index(keys_of)
    starts = keys_of if among is None else [v for key in among for v in values_of.get(key, ())]
    found: list[Cluster] = []
    taken: set[int] = set()
    for start in starts:
        if start in taken:
            continue
        index.take(start)
        taken.add(start)
        queue, members = [start], set()
        while queue:
            v = queue.pop()
            members.update(keys_of[v])
            more = index.take_near(v)
            for u in (u for key in keys_of[v] for u in values_of[key]):
                if u not in taken and u not in more:  # the same document under another print
                    index.take(u)
                    more.add(u)
            taken |= more
            queue.extend(more)
        if len(members) > 1:
            found.append(Cluster(tuple(sorted(members))))
    return sorted(found, key=lambda c: c.representative)


def copy_summary(items: Iterable[tuple[str, str]], written: Collection[str]) -> dict[str, Any]:
    """The `copies` of a run summary: the clusters holding a document written by the run,
    counted, and the LISTED largest by name (size, then representative): a line whose length
    does not depend on the size of the crawl."""
    written = set(written)
    if not written:
        return no_copies()
    found = sorted(clusters(items, among=written), key=lambda c: (-c.size, c.representative))
    return {
        "clusters": len(found),
        "documents": sum(c.size for c in found),
        "largest": [
            {
                "representative": c.representative,
                "size": c.size,
                "written": sum(m in written for m in c.members),
            }
            for c in found[:LISTED]
        ],
    }


def no_copies() -> dict[str, Any]:
    """The `copies` of a run summary that wrote nothing."""
    return {"clusters": 0, "documents": 0, "largest": []}
