"""store.state, through StateStore's methods: what a record keeps across updates, how failures
count, versions for `audit --changes`, runs, the archive's index, and an older store upgraded
in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scraper.store.state import StateStore, Written


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def written(output: str = "out/a.md", sha: str = "c1", markdown: str | None = None) -> Written:
    return Written(output, sha, "a1", "fp1", "b1", markdown)


def test_a_record_keeps_what_a_later_update_does_not_give(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "s.db")
    state.record("u", kind="page", status="ok", etag='"e1"', last_modified="Mon", written=written())
    state.record("u", kind="page", status="not_modified")  # a 304: nothing new to say
    rec = state.get("u")
    assert rec is not None
    assert (rec.etag, rec.last_modified, rec.output, rec.content_sha256, rec.audit_sha256) == (
        '"e1"',
        "Mon",
        "out/a.md",
        "c1",
        "a1",
    )
    assert (rec.body_sha256, rec.fingerprint, rec.last_status, rec.good) == (
        "b1",
        "fp1",
        "not_modified",
        True,
    )
    assert state.get("never-seen") is None


def test_failures_count_until_a_success(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "s.db")
    state.record("u", kind="page", status="ok", written=written())
    state.record("u", kind="page", status="error", reason="http-503")
    state.record("u", kind="page", status="error", reason="timeout")
    rec = state.get("u")
    assert rec is not None and (rec.last_status, rec.fail_count, rec.good) == ("error:timeout", 2, False)
    assert rec.output == "out/a.md"  # the last good output is not forgotten
    state.record("u", kind="page", status="ok")
    rec = state.get("u")
    assert rec is not None and (rec.last_status, rec.fail_count) == ("ok", 0)


def test_the_listing_date_moves_only_when_asked_for(tmp_path: Path) -> None:
    clock = Clock()
    state = StateStore(tmp_path / "s.db", clock=clock)
    state.record("u", kind="page", status="ok", checked=True, listed="2024-10-01")
    clock.now = 2000.0
    state.record("u", kind="page", status="ok", listed="2024-11-01")  # not asked for now
    rec = state.get("u")
    assert rec is not None and (rec.listed, rec.checked) == ("2024-10-01", 1000.0)
    state.record("u", kind="page", status="ok", checked=True, listed="2024-11-01")
    rec = state.get("u")
    assert rec is not None and (rec.listed, rec.checked) == ("2024-11-01", 2000.0)


def test_versions_are_kept_per_run_when_the_markdown_is_given(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "s.db")
    first = state.start_run("run")
    state.record("u", kind="page", status="ok", written=written(sha="c1", markdown="one"))
    state.finish_run({"new": 1})
    second = state.start_run("run")
    state.record("u", kind="page", status="ok", written=written(sha="c1"))  # unchanged: no version
    state.record("v", kind="file", status="ok", written=written("out/v.md", "c2", "two"))
    rows = state.db.execute(
        "SELECT url, run, content_sha256, markdown FROM versions ORDER BY url, run"
    ).fetchall()
    assert rows == [("u", first, "c1", "one"), ("v", second, "c2", "two")]
    runs = state.db.execute("SELECT id, command, summary FROM runs ORDER BY id").fetchall()
    assert runs == [(first, "run", '{"new": 1}'), (second, "run", None)]


def test_queries_over_urls(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "s.db")
    for name in ("local/a.md", "local/sub/b.md", "localother/c.md"):
        state.record(name, kind="file", status="ok", written=written(f"out/{name}", "c", None))
    state.record("local/gone.md", kind="file", status="vanished")  # no output: not listed
    assert state.urls_under("local", "file") == ["local/a.md", "local/sub/b.md"]
    assert state.fingerprints() == [
        ("out/local/a.md", "fp1"),
        ("out/local/sub/b.md", "fp1"),
        ("out/localother/c.md", "fp1"),
    ]


def test_the_archive_index(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "s.db")
    assert state.archived("https://a.example/feed") is None
    state.set_archived("https://a.example/feed", "sha1", "run-000001.warc.gz", 0)
    state.set_archived("https://a.example/feed", "sha2", "run-000002.warc.gz", 512)  # the latest wins
    assert state.archived("https://a.example/feed") == ("sha2", "run-000002.warc.gz", 512)
    assert state.archived_urls() == ["https://a.example/feed"]


def test_an_older_store_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(
        """CREATE TABLE urls (url TEXT PRIMARY KEY, kind TEXT, etag TEXT, last_modified TEXT,
             content_sha256 TEXT, fingerprint TEXT, output TEXT, last_status TEXT,
             fail_count INTEGER NOT NULL DEFAULT 0, first_seen REAL, last_seen REAL,
             last_run INTEGER);
           CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started REAL, finished REAL,
             summary TEXT);
           INSERT INTO urls (url, kind, etag, output, last_status)
             VALUES ('u', 'page', '"e"', 'out/u.md', 'ok');"""
    )
    db.commit()
    db.close()
    state = StateStore(path)
    rec = state.get("u")
    assert rec is not None and (rec.etag, rec.output, rec.body_sha256, rec.audit_sha256) == (
        '"e"',
        "out/u.md",
        None,
        None,
    )
    state.record("u", kind="page", status="ok", written=written("out/u.md"))
    rec = state.get("u")
    assert rec is not None and rec.audit_sha256 == "a1"
    assert state.start_run("reclean") == 1
