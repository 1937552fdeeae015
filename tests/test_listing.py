"""staging.Listing: the output directories listed once, so a new file is not looked for by a
failed open, while every file that is (or may be, on a case-insensitive disk) there is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scraper.store import staging
from scraper.store.staging import Listing, commit
from scraper.store.writer import stage_document


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files opened for reading from now on (not directories, which commits sync)."""
    opened: list[str] = []
    real = os.open

    def spy(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if not flags & (os.O_WRONLY | os.O_RDWR) and not os.path.isdir(path):
            opened.append(os.fspath(path))
        return real(path, flags, *args)

    monkeypatch.setattr(os, "open", spy)
    return opened


def test_new_documents_are_not_looked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listing = Listing()
    opened = _reads(monkeypatch)
    staged, result = stage_document(tmp_path / "out", "a", b"# A\n", b"{}\n", listing)
    commit(staged)
    assert opened == [] and result.created and result.changed
    assert (tmp_path / "out" / "a.md").read_bytes() == b"# A\n"
    # the same run staging it again finds it (staged through the listing): nothing to write
    staged, result = stage_document(tmp_path / "out", "a", b"# A\n", b"{}\n", listing)
    assert staged == [] and not result.changed and not result.created
    assert sorted(Path(p).name for p in opened) == ["a.audit.json", "a.md"]


def test_files_on_disk_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"# A\n")
    (tmp_path / "a.audit.json").write_bytes(b"{}\n")
    staged, result = stage_document(tmp_path, "a", b"# A\n", b"{}\n", Listing())
    assert staged == [] and not result.changed and not result.created
    staged, result = stage_document(tmp_path, "a", b"# B\n", b"{}\n", Listing())
    assert [s.path.name for s in staged] == ["a.md"] and result.changed and not result.created
    staging.discard(staged)


def test_names_a_case_insensitive_disk_could_share_are_looked_for(tmp_path: Path) -> None:
    (tmp_path / "Page.md").write_bytes(b"x")
    (tmp_path / "\u212a.md").write_bytes(b"x")  # KELVIN SIGN: k on a case-insensitive disk
    listing = Listing()
    assert listing.may_exist(tmp_path / "page.md")
    assert listing.may_exist(tmp_path / "PAGE.md")
    assert listing.may_exist(tmp_path / "k.md")
    assert not listing.may_exist(tmp_path / "other.md")
    assert staging.current(tmp_path / "page.md", listing) is None  # looked for: not there here


def test_a_directory_that_cannot_be_listed_is_looked_into(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = Listing()
    assert not listing.may_exist(tmp_path / "missing" / "a.md")
    (tmp_path / "file").write_bytes(b"")
    assert not listing.may_exist(tmp_path / "file" / "a.md")
    listing._dirs[str(tmp_path / "locked")] = staging._UNKNOWN  # (an unreadable directory's)
    assert listing.may_exist(tmp_path / "locked" / "a.md")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "here.md").write_bytes(b"")
    assert listing.may_exist(Path("here.md")) and not listing.may_exist(Path("gone.md"))


def test_a_directory_too_big_to_keep_is_looked_into(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staging, "LISTING_MAX", 3)
    for n in range(4):
        (tmp_path / f"{n}.md").write_bytes(b"")
    assert Listing().may_exist(tmp_path / "other.md")  # not kept: looked for
    (tmp_path / "3.md").unlink()
    listing = Listing()
    assert not listing.may_exist(tmp_path / "other.md") and listing.may_exist(tmp_path / "2.md")
