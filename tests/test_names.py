"""store.names: the name a URL is written to, given its record as the crawl read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.store import names as names_mod
from scraper.store.names import Names
from scraper.store.state import StateStore, Written


def _written(out: Path, stem: str) -> Written:
    return Written(str(out / f"{stem}.md"), "c", "a", None, "b")


def test_the_record_read_by_the_caller_gives_the_same_name(tmp_path: Path) -> None:
    out = tmp_path / "out"
    state = StateStore(tmp_path / "state.db")
    try:
        state.record("http://h/a", kind="page", status="ok", written=_written(out, "h/old-name"))
        state.record("http://h/b", kind="page", status="ok", written=_written(out, "h/b"))
        read, given = Names(out, state), Names(out, state)
        for url, stem in (("http://h/a", "h/a"), ("http://h/b", "h/b"), ("http://h/c", "h/b")):
            by_store = read.assign(url, stem)
            assert given.assign_known(url, stem, state.get(url)) == by_store
        assert read.assign("http://h/a", "h/a") == "h/old-name"  # (kept on every run)
        assert read.taken == given.taken
    finally:
        state.close()


def test_a_free_name_needs_no_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_hash(stem: str, key: str) -> str:
        raise AssertionError("suffixed asked for a free name")

    monkeypatch.setattr(names_mod, "suffixed", no_hash)
    names = Names(tmp_path, None)
    assert names.assign_known("http://h/a", "h/a", None) == "h/a"
    monkeypatch.undo()
    taken = names.assign_known("http://h/A", "h/A", None)  # the same name on a case-blind disk
    assert taken.startswith("h/A~") and len(taken) == len("h/A~") + 12


def test_outputs_are_the_paths_text(tmp_path: Path) -> None:
    names = Names(tmp_path / "out", None)
    for stem in ("h/a", "h/a", "", "h/b", "h/a"):
        assert names.output(stem) == str(tmp_path / "out" / f"{stem}.md")
