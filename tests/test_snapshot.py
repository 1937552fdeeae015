"""Snapshots of derived data (the parsed public-suffix list) are used only when they are this
user's, intact and current; anything else is rebuilt, and a cache that cannot be written costs
nothing but time."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from publicsuffixlist import PublicSuffixList

from cleaners import snapshot
from cleaners.psl import public_suffix_list

HOSTS = ["www.zdnet.com", "a.b.github.io", "www.city.kobe.jp", "news.bbc.co.uk", "x.blogspot.com"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(where))
    return where


def _answers(psl: PublicSuffixList) -> list[str | None]:
    return [psl.privatesuffix(h) for h in HOSTS]


def _only_snapshot(cache: Path) -> Path:
    (found,) = cache.glob("psl-*.bin")
    return found


def test_snapshot_answers_as_a_fresh_parse(cache: Path) -> None:
    fresh = PublicSuffixList(accept_encoded_idn=False)
    first = public_suffix_list(False)  # parses and stores
    assert _only_snapshot(cache).stat().st_mode & 0o777 == 0o600
    second = public_suffix_list(False)  # from the snapshot
    assert vars(second) == vars(fresh) == vars(first)
    assert _answers(second) == _answers(fresh)


def test_the_restored_rules_answer_as_the_parsed_set(cache: Path) -> None:
    """The snapshot keeps the rules by last label, made sets when first asked: every rule, and
    every question the list asks of them, is answered as by the set of all rules."""
    fresh = PublicSuffixList(accept_encoded_idn=False)
    want = fresh._publicsuffix
    public_suffix_list(False)
    restored = public_suffix_list(False)
    rules = restored._publicsuffix
    assert type(rules).__name__ == "_Rules"
    bare = sorted({r.lstrip("!*.") for r in want})
    probes = [*want, *bare, *(f"!{r}" for r in bare), *(f"*.{r}" for r in bare), *(f"x.{r}" for r in bare)]
    probes += ["", ".", "com.", "uk\nco.uk", "co.uk\nuk", "x.unknownlabel", "COM", "example.com"]
    assert [p in rules for p in probes] == [p in want for p in probes]
    odd: list[object] = [3, None, []]
    assert not any(o in rules for o in odd[:2])
    with pytest.raises(TypeError):
        assert odd[2] not in rules
    assert set(rules) == want and len(rules) == len(want) and rules == want
    hosts = [f"www.a.{r}" for r in bare[::7]] + [f"{r}" for r in bare[::11]] + HOSTS
    assert [restored.privatesuffix(h) for h in hosts] == [fresh.privatesuffix(h) for h in hosts]
    assert [restored.publicsuffix(h) for h in hosts] == [fresh.publicsuffix(h) for h in hosts]


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-7],  # cut short
        lambda b: b[:40] + bytes([b[40] ^ 1]) + b[41:],  # a flipped byte in the digest
        lambda b: b[:-3] + b"xyz",  # a changed payload
        lambda b: b"",
    ],
)
def test_a_corrupt_snapshot_is_rebuilt(cache: Path, damage: object) -> None:
    public_suffix_list(False)
    path = _only_snapshot(cache)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert _answers(public_suffix_list(False)) == _answers(PublicSuffixList(accept_encoded_idn=False))
    assert snapshot.load("psl", "0" * 64) is None


def test_a_snapshot_others_can_write_is_not_read(cache: Path) -> None:
    public_suffix_list(False)
    path = _only_snapshot(cache)
    digest = path.stem.split("-", 1)[1]
    assert snapshot.load("psl", digest + "0" * 24) is not None
    os.chmod(path, 0o622)
    assert snapshot.load("psl", digest + "0" * 24) is None
    os.chmod(path, 0o600)
    os.chmod(cache, 0o777)
    assert snapshot.load("psl", digest + "0" * 24) is None
    os.chmod(cache, 0o700)
    link = cache / "psl-link.bin"
    link.symlink_to(path)
    assert snapshot.load("psl", "link") is None


def test_a_snapshot_of_wrong_data_is_rebuilt(cache: Path) -> None:
    public_suffix_list(False)
    path = _only_snapshot(cache)
    digest = path.stem.split("-", 1)[1] + "0" * 24
    for wrong in (b"\x00not marshal", b"N"):  # undecodable; None
        snapshot.store("psl", digest, wrong)
        assert _answers(public_suffix_list(False)) == _answers(PublicSuffixList(accept_encoded_idn=False))
    import marshal

    snapshot.store("psl", digest, marshal.dumps({"_publicsuffix": frozenset({"com"}), "_maxlabel": 1}))
    assert public_suffix_list(False).privatesuffix("www.example.co.uk") == "example.co.uk"


def test_an_unwritable_cache_costs_nothing_but_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(blocker / "cache"))
    assert _answers(public_suffix_list(False)) == _answers(PublicSuffixList(accept_encoded_idn=False))
    monkeypatch.setenv("SCRAPER_CACHE_DIR", "")
    assert snapshot.cache_dir() is None
    assert _answers(public_suffix_list(False)) == _answers(PublicSuffixList(accept_encoded_idn=False))


def test_a_rewritten_list_is_keyed_anew(tmp_path: Path) -> None:
    """The list's file is keyed by its stamp, not read: a copy rewritten in place (same size,
    same modification time) and a file put in its place each get a new stamp."""
    listed = tmp_path / "list.dat"
    listed.write_bytes(b"com\n")
    first = snapshot.stamp(str(listed))
    st = listed.stat()
    time.sleep(0.05)  # (past the file system's clock tick: a real rewrite comes later still)
    listed.write_bytes(b"org\n")
    os.utime(listed, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert snapshot.stamp(str(listed)) != first  # (its change time moved)
    replacement = tmp_path / "new.dat"
    replacement.write_bytes(b"com\n")
    os.utime(replacement, ns=(st.st_atime_ns, st.st_mtime_ns))
    replacement.replace(listed)
    assert snapshot.stamp(str(listed)) != first  # (another inode)
    link = tmp_path / "link.dat"
    link.symlink_to(listed)
    assert snapshot.stamp(str(link)) == snapshot.stamp(str(listed))


def test_the_key_covers_every_part() -> None:
    assert snapshot.key("a", b"bc") != snapshot.key("ab", b"c")
    assert snapshot.key("a") == snapshot.key(b"a")


def _fresh_rules() -> object:
    from cleaners.ruleset import _build_builtin
    from cleaners.rulesnap import rules_text

    return _build_builtin(rules_text())


def test_the_rules_snapshot_is_the_built_rules(cache: Path) -> None:
    from cleaners import load_rules

    first = load_rules()  # builds and stores
    (path,) = cache.glob("rules-*.bin")
    second = load_rules()  # from the snapshot
    assert first == second == _fresh_rules()
    assert second.sources == ("built-in rules",)
    path.write_bytes(path.read_bytes()[:-5])
    assert load_rules() == first


def test_a_rules_snapshot_cannot_run_code(cache: Path) -> None:
    import pickle

    from cleaners import load_rules

    load_rules()
    (path,) = cache.glob("rules-*.bin")
    digest = path.stem.split("-", 1)[1] + "0" * 24

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("touch " + str(cache / "owned"),))

    snapshot.store("rules", digest, pickle.dumps(Evil()))
    assert load_rules() == _fresh_rules()
    assert not (cache / "owned").exists()
    snapshot.store("rules", digest, pickle.dumps(("not", "a", "RuleSet")))
    assert load_rules() == _fresh_rules()


def test_a_stored_pattern_program_is_checked_before_use() -> None:
    import re

    from cleaners.programs import program_of, restore

    p = re.compile(r"(?P<host>[a-z]+)\.example\.(?:com|net)", re.I)
    program = program_of(p)
    assert program is not None and restore(*program) == p
    pattern, flags, code, groups, groupindex, indexgroup = program
    # a program this Python refuses is compiled anew
    bad = restore(pattern, flags, [99999, *code[1:]], groups, groupindex, indexgroup)
    assert bad == p and bad.match("WWW.example.com")


def test_stale_snapshots_are_pruned_but_the_last_few_kept(cache: Path) -> None:
    for i in range(7):
        snapshot.store("thing", str(i) * 64, b"payload %d" % i)
        os.utime(cache / f"thing-{str(i) * 40}.bin", ns=(i * 10**9, i * 10**9))
    snapshot.store("thing-else", "f" * 64, b"another name")
    kept = sorted(p.name for p in cache.glob("thing-*.bin") if "else" not in p.name)
    assert kept == [f"thing-{str(i) * 40}.bin" for i in (3, 4, 5, 6)]
    assert snapshot.load("thing", "6" * 64) == b"payload 6"
    assert snapshot.load("thing-else", "f" * 64) == b"another name"
