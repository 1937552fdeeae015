"""jusText's stop words as trafilatura builds them, kept as a snapshot between runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from trafilatura import external

from scraper.pipeline import stoplist


def test_the_snapshot_gives_the_words_trafilatura_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(tmp_path / "cache"))
    built: list[int] = []

    def build() -> tuple[str, ...]:
        words = tuple({"the", "und", "", "école", "de"})
        built.append(1)
        return words

    first = stoplist.stop_words(build)
    assert list((tmp_path / "cache").glob("jt-stoplist-*.bin"))
    again = stoplist.stop_words(build)
    assert built == [1]  # the second time from the snapshot
    assert set(again) == set(first) == {"the", "und", "", "école", "de"}


def test_a_corrupt_snapshot_is_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(tmp_path))
    stoplist.stop_words(lambda: ("a", "b"))
    for f in tmp_path.glob("jt-stoplist-*.bin"):
        f.write_bytes(f.read_bytes()[:-1] + b"x")
    assert set(stoplist.stop_words(lambda: ("a", "b"))) == {"a", "b"}


def test_trafilatura_takes_its_words_from_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scraper.pipeline.html  # noqa: F401  (installs the snapshot)

    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(external, "JT_STOPLIST", None)
    assert getattr(external.jt_stoplist_init, "_snapshot", False)
    words = external.jt_stoplist_init()  # built and stored: the set jusText makes of the words
    assert words is external.JT_STOPLIST and len(words) > 10000
    monkeypatch.setattr(external, "JT_STOPLIST", None)
    assert external.jt_stoplist_init() == words  # from the snapshot


def test_justext_is_handed_the_set_it_would_make_of_the_snapshot_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from justext import core  # type: ignore[import-untyped]

    import scraper.pipeline.html  # noqa: F401  (installs the snapshot)

    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(external, "JT_STOPLIST", None)
    external.jt_stoplist_init()  # built, stored
    built = stoplist.stop_words(lambda: ())  # the words, read back
    monkeypatch.setattr(external, "JT_STOPLIST", None)
    words: Any = external.jt_stoplist_init()  # from the snapshot
    want = frozenset(w.lower() for w in built)
    assert core.define_stoplist(words) is words
    assert words == want
    # the set is what jusText's own function makes of it (lower-casing the words is idempotent)
    assert frozenset(w.lower() for w in words) == words
    # another list is jusText's own business
    assert core.define_stoplist(("The", "Und")) == frozenset({"the", "und"})
