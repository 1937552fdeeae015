"""Run state in one SQLite file (WAL): validators and content hashes per URL, and runs.

The cron job and `scraper fetch` share it: conditional requests come from here, and a URL's
record is only updated after its output is safely on disk, so a run killed half-way leaves
the rest to the next run.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    kind TEXT,                -- page | feed | sitemap | robots | item
    etag TEXT,
    last_modified TEXT,
    content_sha256 TEXT,      -- of the cleaned document written
    body_sha256 TEXT,         -- of the input it was cleaned from (unchanged input: not cleaned again)
    fingerprint TEXT,         -- of the article text, to link copies of one original
    output TEXT,
    listed TEXT,              -- the sitemap <lastmod> or feed date it had when last checked
    checked REAL,             -- when it was last asked for over HTTP
    last_status TEXT,
    fail_count INTEGER NOT NULL DEFAULT 0,
    first_seen REAL,
    last_seen REAL,
    last_run INTEGER
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT,             -- run | reclean | fetch
    started REAL,
    finished REAL,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS versions (
    url TEXT NOT NULL,
    run INTEGER NOT NULL,
    content_sha256 TEXT NOT NULL,
    output TEXT,
    markdown TEXT,            -- the cleaned document as written (for audit --changes)
    PRIMARY KEY (url, run)
);
CREATE TABLE IF NOT EXISTS archived (
    url TEXT PRIMARY KEY,     -- the URL asked for
    body_sha256 TEXT NOT NULL,
    file TEXT NOT NULL,       -- WARC file name in the archive directory
    offset INTEGER NOT NULL   -- where its last response record starts
);
"""
# columns added after the first release of a table: (table, column, type)
_ADDED = (
    ("urls", "body_sha256", "TEXT"),
    ("urls", "listed", "TEXT"),
    ("urls", "checked", "REAL"),
    ("runs", "command", "TEXT"),
)


@dataclass(frozen=True)
class UrlRecord:
    url: str
    kind: str | None
    etag: str | None
    last_modified: str | None
    content_sha256: str | None
    body_sha256: str | None
    fingerprint: str | None
    output: str | None
    last_status: str | None
    fail_count: int
    listed: str | None = None
    checked: float | None = None


class StateStore:
    def __init__(self, path: Path, clock: Any = time.time, archive_dir: Path | None = None) -> None:
        self.path = path
        self.archive_dir = archive_dir  # where the WARC files of `archived` live (scraper run)
        self.clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        for table, column, kind in _ADDED:
            have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        self.run_id: int | None = None

    def close(self) -> None:
        self.db.close()

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self, command: str = "fetch") -> int:
        cur = self.db.execute("INSERT INTO runs (command, started) VALUES (?, ?)", (command, self.clock()))
        self.run_id = int(cur.lastrowid or 0)
        return self.run_id

    def finish_run(self, summary: dict[str, Any]) -> None:
        if self.run_id is not None:
            self.db.execute(
                "UPDATE runs SET finished = ?, summary = ? WHERE id = ?",
                (self.clock(), json.dumps(summary, sort_keys=True), self.run_id),
            )

    # -- urls ---------------------------------------------------------------------------------

    def get(self, url: str) -> UrlRecord | None:
        row = self.db.execute(
            "SELECT url, kind, etag, last_modified, content_sha256, body_sha256, fingerprint, output,"
            " last_status, fail_count, listed, checked FROM urls WHERE url = ?",
            (url,),
        ).fetchone()
        return UrlRecord(*row) if row else None

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """ETag and Last-Modified to send back: for a page whose output exists, or a feed or
        sitemap whose last body is in the archive (a 304 is then answered from there)."""
        rec = self.get(url)
        if rec is None:
            return None, None
        if rec.kind == "page" and rec.output and Path(rec.output).exists():
            return rec.etag, rec.last_modified
        if rec.kind in ("feed", "sitemap") and self.archive_dir is not None:
            found = self.archived(url)
            if found and (self.archive_dir / found[1]).exists():
                return rec.etag, rec.last_modified
        return None, None

    def record(
        self,
        url: str,
        *,
        kind: str,
        status: str,
        etag: str | None = None,
        last_modified: str | None = None,
        content_sha256: str | None = None,
        body_sha256: str | None = None,
        fingerprint: str | None = None,
        output: str | None = None,
        failed: bool = False,
        markdown: str | None = None,
        checked: bool = False,
        listed: str | None = None,
    ) -> None:
        """Upsert a URL's record. `checked`: it was asked for over HTTP now (`listed` is the
        listing date it had then)."""
        now = self.clock()
        self.db.execute(
            """INSERT INTO urls (url, kind, etag, last_modified, content_sha256, body_sha256,
                                 fingerprint, output, last_status, fail_count, first_seen,
                                 last_seen, last_run, listed, checked)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET
                 kind = excluded.kind,
                 etag = COALESCE(excluded.etag, urls.etag),
                 last_modified = COALESCE(excluded.last_modified, urls.last_modified),
                 content_sha256 = COALESCE(excluded.content_sha256, urls.content_sha256),
                 body_sha256 = COALESCE(excluded.body_sha256, urls.body_sha256),
                 fingerprint = COALESCE(excluded.fingerprint, urls.fingerprint),
                 output = COALESCE(excluded.output, urls.output),
                 last_status = excluded.last_status,
                 fail_count = CASE WHEN ? THEN urls.fail_count + 1 ELSE 0 END,
                 last_seen = excluded.last_seen,
                 last_run = excluded.last_run,
                 listed = CASE WHEN excluded.checked IS NULL THEN urls.listed ELSE excluded.listed END,
                 checked = COALESCE(excluded.checked, urls.checked)""",
            (
                url,
                kind,
                etag,
                last_modified,
                content_sha256,
                body_sha256,
                fingerprint,
                output,
                status,
                1 if failed else 0,
                now,
                now,
                self.run_id,
                listed if checked else None,
                now if checked else None,
                failed,
            ),
        )
        if markdown is not None and content_sha256 and self.run_id is not None:
            self.db.execute(
                "INSERT OR REPLACE INTO versions (url, run, content_sha256, output, markdown)"
                " VALUES (?, ?, ?, ?, ?)",
                (url, self.run_id, content_sha256, output, markdown),
            )

    def same_input(self, url: str, body_sha256: str) -> UrlRecord | None:
        """The record of a URL whose last output was cleaned from exactly this input and is
        still on disk (nothing to clean again), else None."""
        rec = self.get(url)
        if (
            rec is None
            or rec.body_sha256 != body_sha256
            or rec.last_status not in ("ok", "not_modified")
            or not rec.output
            or not Path(rec.output).exists()
        ):
            return None
        return rec

    # -- the archive's index ------------------------------------------------------------------

    def archived(self, url: str) -> tuple[str, str, int] | None:
        """(body sha256, WARC file name, offset) of the last archived response for a URL."""
        row = self.db.execute(
            "SELECT body_sha256, file, offset FROM archived WHERE url = ?", (url,)
        ).fetchone()
        return (str(row[0]), str(row[1]), int(row[2])) if row else None

    def set_archived(self, url: str, body_sha256: str, file: str, offset: int) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO archived (url, body_sha256, file, offset) VALUES (?, ?, ?, ?)",
            (url, body_sha256, file, offset),
        )

    def archived_urls(self) -> list[str]:
        return [str(r[0]) for r in self.db.execute("SELECT url FROM archived ORDER BY url")]

    def urls_under(self, root: str, kind: str) -> list[str]:
        """Known names of a kind equal to `root` or under `root/`, with an output, not yet gone."""
        rows = self.db.execute(
            "SELECT url FROM urls WHERE kind = ? AND output IS NOT NULL AND last_status != 'vanished'"
            " AND (url = ? OR substr(url, 1, ?) = ?) ORDER BY url",
            (kind, root, len(root.rstrip("/")) + 1, root.rstrip("/") + "/"),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def fingerprints(self) -> list[tuple[str, str]]:
        """(output, fingerprint) of every document written."""
        rows = self.db.execute(
            "SELECT output, fingerprint FROM urls WHERE fingerprint IS NOT NULL AND output IS NOT NULL"
            " ORDER BY output"
        ).fetchall()
        return [(str(o), str(f)) for o, f in rows]
