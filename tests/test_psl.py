"""The public-suffix list built without its punycoded entries (the fast build) answers as the
full list for every host without "xn--": checked over every entry of the list itself."""

from __future__ import annotations

from pathlib import Path

from publicsuffixlist import PSLFILE, PublicSuffixList

from cleaners.hosts import _psl, registrable_domain


def _hosts() -> list[str]:
    hosts: list[str] = []
    for line in Path(PSLFILE).read_text(encoding="utf-8").splitlines():
        entry = line.split(" ")[0].strip().lower()
        if not entry or entry.startswith("//"):
            continue
        base = entry.lstrip("!").replace("*.", "w.")
        hosts += [base, "a." + base, "b.a." + base]
    return hosts


def test_fast_build_answers_as_the_full_list() -> None:
    full = PublicSuffixList()
    hosts = [h for h in _hosts() if "xn--" not in h]
    assert len(hosts) > 20_000
    assert [_psl(False).privatesuffix(h) for h in hosts] == [full.privatesuffix(h) for h in hosts]


def test_punycoded_hosts_use_the_full_list() -> None:
    assert registrable_domain("www.example.xn--fiqs8s") == "example.xn--fiqs8s"  # .中国
    assert registrable_domain("news.example.中国") == "example.中国"
    assert registrable_domain("www.zdnet.com") == "zdnet.com"
    assert registrable_domain("a.b.github.io") == "b.github.io"
