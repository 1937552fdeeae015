"""Near-copy clusters are exactly the connected components of `distance <= NEAR`, found
without comparing every pair, and a run summary lists them in a line of bounded size."""

from __future__ import annotations

import itertools
import json
import random

from conftest import FIXTURES, clean_path
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.pipeline.fingerprint import NEAR, distance, fingerprint
from scraper.pipeline.nearcopy import LISTED, clusters, copy_summary

Items = list[tuple[str, str]]


def brute_force(items: Items) -> list[tuple[str, ...]]:
    """Every pair compared: the components of the near relation (a key given twice is one
    document), keys in a component sorted, components with two keys or more."""
    parent = {key: key for key, _ in items}

    def find(k: str) -> str:
        while parent[k] != k:
            k = parent[k]
        return k

    values = [(key, int(fp, 16)) for key, fp in items]
    for (a, va), (b, vb) in itertools.combinations(values, 2):
        if a == b or (va ^ vb).bit_count() <= NEAR:
            ra, rb = find(a), find(b)
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, set[str]] = {}
    for key in parent:
        groups.setdefault(find(key), set()).add(key)
    return sorted(tuple(sorted(g)) for g in groups.values() if len(g) > 1)


def found(items: Items) -> list[tuple[str, ...]]:
    return [c.members for c in clusters(items)]


def hexes(*values: int) -> list[str]:
    return [f"{v:016x}" for v in values]


def has_chain(items: Items) -> bool:
    """Some cluster holds two fingerprints further apart than NEAR (linked through others)."""
    prints = dict(items)
    return any(
        distance(prints[a], prints[b]) > NEAR
        for members in brute_force(items)
        for a, b in itertools.combinations(members, 2)
    )


def test_a_chain_is_one_cluster_and_breaks_without_its_middle() -> None:
    a, b, c, far = hexes(0, 0b111111, 0b111111 | 0b111111 << 20, (1 << 64) - 1)
    assert distance(a, b) <= NEAR and distance(b, c) <= NEAR and distance(a, c) > NEAR
    items = [("out/c.md", c), ("out/a.md", a), ("out/far.md", far), ("out/b.md", b)]
    assert found(items) == [("out/a.md", "out/b.md", "out/c.md")]
    assert clusters(items)[0].representative == "out/a.md" and clusters(items)[0].size == 3
    assert found([i for i in items if i[0] != "out/b.md"]) == []


def test_the_threshold_is_exact_and_equal_prints_are_copies() -> None:
    base = 0x0123456789ABCDEF
    ten = base ^ 0b1111111111 << 27  # NEAR bits, spread over two blocks
    eleven = base ^ 0b11111111111 << 40
    items = [("x", f"{base:016x}"), ("y", f"{ten:016x}"), ("z", f"{eleven:016x}"), ("w", f"{base:016x}")]
    assert found(items) == [("w", "x", "y")]


def test_a_key_given_twice_is_one_document() -> None:
    a, b, far = hexes(0, 1, 1 << 63 | 0xFFFF << 30)
    items = [("a", a), ("b", b), ("a", far), ("c", far)]  # "a" under two prints links "c" to "b"
    assert found(items) == brute_force(items) == [("a", "b", "c")]


@st.composite
def walks(draw: st.DrawFn) -> Items:
    """Fingerprints drawn as random walks from a few random starts: dense clusters, chains,
    outliers just past the threshold, equal values, unrelated ones, a key given twice."""
    values = draw(st.lists(st.integers(0, (1 << 64) - 1), min_size=1, max_size=4))
    steps = st.tuples(st.integers(0, 1 << 30), st.sampled_from([0, 1, 3, 5, 9, 10, 11, 12, 30]))
    items: Items = []
    for i, (seed, flips) in enumerate(draw(st.lists(steps, min_size=1, max_size=150))):
        rng = random.Random(seed)
        values.append(rng.choice(values) ^ sum(1 << bit for bit in rng.sample(range(64), flips)))
        key = f"k{rng.randrange(i + 1) if seed % 10 == 0 else i:03d}"
        items.append((key, f"{values[-1]:016x}"))
    return items


@settings(max_examples=300, deadline=None)
@given(walks())
def test_clusters_are_the_components_of_every_near_pair(items: Items) -> None:
    assert found(items) == brute_force(items)


def test_large_dense_clusters_with_chains_and_noise() -> None:
    """Thousands of fingerprints, most in a few dense clusters of near copies (the case a
    content farm makes), others a few bits further or unrelated: the same clusters as
    comparing every pair."""
    rng = random.Random(14)
    starts = [rng.getrandbits(64) for _ in range(6)]
    values = list(starts)
    for _ in range(1800):
        base = rng.choice(values) if rng.random() < 0.9 else rng.getrandbits(64)
        values.append(base ^ sum(1 << bit for bit in rng.sample(range(64), rng.choice([0, 1, 3, 5, 8, 11]))))
    items = [(f"out/{i:05d}.md", f"{v:016x}") for i, v in enumerate(values)]
    expected = brute_force(items)
    assert max(len(c) for c in expected) > 300 and has_chain(items)
    assert found(items) == expected


def test_real_fingerprints_of_the_corpus() -> None:
    lines = (FIXTURES / "fingerprints.tsv").read_text("utf-8").splitlines()
    items = [(name, fp) for name, fp in (line.split("\t") for line in lines if not line.startswith("#"))]
    assert found(items) == brute_force(items)
    # the farm's Markdown copy and its published page (or its second version), and nothing else
    assert found(items) == [
        (
            "farm/tdy-winforum-2checkout-bsod-dumps.md",
            "farm/tdy-winforum-2checkout-bsod-dumps.rendered.html",
        ),
        (
            "farm2/tdy-buynow-howtogeek-hijacked-wireless-headsets.md",
            "farm2/tdy-buynow-howtogeek-hijacked-wireless-headsets.rendered.html",
        ),
        (
            "farm2/tdy-graphic-drivereasy-textad-flipped-display.rendered.html",
            "farm2/tdy-graphic-drivereasy-ytiframe-upside-down-display.md",
        ),
        (
            "farm2/tdy-graphic-lifewire-mismatched-title-ps5.md",
            "farm2/tdy-graphic-lifewire-mismatched-title-ps5.rendered.html",
        ),
    ]


def test_real_fingerprints_of_edited_copies() -> None:
    """Real SimHash values: each farm article of the fixtures with one of its paragraphs
    dropped, or two: copies of one article a few bits apart, some only through others."""
    items: Items = []
    for path in sorted((FIXTURES / "farm").glob("tdy-*.md")):
        lines = clean_path(path).markdown.split("\n---\n", 1)[1].split("\n")
        paragraphs = [i for i, line in enumerate(lines) if line.count(" ") >= 3]
        for i, j in itertools.combinations_with_replacement(paragraphs[:12], 2):
            body = "\n".join(line for k, line in enumerate(lines) if k not in (i, j))
            items.append((f"{path.stem}/{i}-{j}", fingerprint(body)))
    assert len(items) > 500 and has_chain(items)
    assert found(items) == brute_force(items)
    assert len(found(items)) >= len(list((FIXTURES / "farm").glob("tdy-*.md")))


def near_identical(prefix: str, n: int, seed: int) -> Items:
    rng = random.Random(seed)
    start = rng.getrandbits(64)
    return [(f"{prefix}/{i:05d}.md", f"{start ^ 1 << rng.randrange(64):016x}") for i in range(n)]


def test_the_summary_counts_clusters_and_names_the_largest() -> None:
    farm = near_identical("out/farm", 5000, 1)
    pair = near_identical("out/blog", 2, 2)
    old = near_identical("out/old", 3, 3)  # copies of one another, none written by this run
    items = farm + pair + old + [("out/alone.md", "0123456789abcdef")]
    written = [k for k, _ in farm[::2]] + ["out/blog/00001.md", "out/alone.md"]
    summary = copy_summary(items, written)
    assert summary == {
        "clusters": 2,
        "documents": 5002,
        "largest": [
            {"representative": "out/farm/00000.md", "size": 5000, "written": 2500},
            {"representative": "out/blog/00000.md", "size": 2, "written": 1},
        ],
    }
    assert len(json.dumps(summary)) < 300


def test_the_summary_line_stays_small_whatever_the_crawl() -> None:
    items = [item for c in range(60) for item in near_identical(f"out/site{c:02d}", 2 + c, c)]
    summary = copy_summary(items, [k for k, _ in items])
    assert summary["clusters"] == 60 and summary["documents"] == sum(2 + c for c in range(60))
    listed = summary["largest"]
    assert len(listed) == LISTED
    assert [c["size"] for c in listed] == [61 - i for i in range(LISTED)]
    assert listed[0]["representative"] == "out/site59/00000.md"
    assert len(json.dumps(summary)) < 120 * LISTED
    assert copy_summary(items, []) == {"clusters": 0, "documents": 0, "largest": []}
