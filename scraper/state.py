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
    fingerprint TEXT,         -- of the article text, to link copies of one original
    output TEXT,
    last_status TEXT,
    fail_count INTEGER NOT NULL DEFAULT 0,
    first_seen REAL,
    last_seen REAL,
    last_run INTEGER
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
"""


@dataclass(frozen=True)
class UrlRecord:
    url: str
    kind: str | None
    etag: str | None
    last_modified: str | None
    content_sha256: str | None
    fingerprint: str | None
    output: str | None
    last_status: str | None
    fail_count: int


class StateStore:
    def __init__(self, path: Path, clock: Any = time.time) -> None:
        self.path = path
        self.clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.run_id: int | None = None

    def close(self) -> None:
        self.db.close()

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self) -> int:
        cur = self.db.execute("INSERT INTO runs (started) VALUES (?)", (self.clock(),))
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
            "SELECT url, kind, etag, last_modified, content_sha256, fingerprint, output, last_status,"
            " fail_count FROM urls WHERE url = ?",
            (url,),
        ).fetchone()
        return UrlRecord(*row) if row else None

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """ETag and Last-Modified to send back — only for a URL whose output exists."""
        rec = self.get(url)
        if rec is None or rec.kind not in ("page", "item") or not rec.output or not Path(rec.output).exists():
            return None, None
        return rec.etag, rec.last_modified

    def record(
        self,
        url: str,
        *,
        kind: str,
        status: str,
        etag: str | None = None,
        last_modified: str | None = None,
        content_sha256: str | None = None,
        fingerprint: str | None = None,
        output: str | None = None,
        failed: bool = False,
        markdown: str | None = None,
    ) -> None:
        now = self.clock()
        self.db.execute(
            """INSERT INTO urls (url, kind, etag, last_modified, content_sha256, fingerprint, output,
                                 last_status, fail_count, first_seen, last_seen, last_run)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET
                 kind = excluded.kind,
                 etag = COALESCE(excluded.etag, urls.etag),
                 last_modified = COALESCE(excluded.last_modified, urls.last_modified),
                 content_sha256 = COALESCE(excluded.content_sha256, urls.content_sha256),
                 fingerprint = COALESCE(excluded.fingerprint, urls.fingerprint),
                 output = COALESCE(excluded.output, urls.output),
                 last_status = excluded.last_status,
                 fail_count = CASE WHEN ? THEN urls.fail_count + 1 ELSE 0 END,
                 last_seen = excluded.last_seen,
                 last_run = excluded.last_run""",
            (
                url,
                kind,
                etag,
                last_modified,
                content_sha256,
                fingerprint,
                output,
                status,
                1 if failed else 0,
                now,
                now,
                self.run_id,
                failed,
            ),
        )
        if markdown is not None and content_sha256 and self.run_id is not None:
            self.db.execute(
                "INSERT OR REPLACE INTO versions (url, run, content_sha256, output, markdown)"
                " VALUES (?, ?, ?, ?, ?)",
                (url, self.run_id, content_sha256, output, markdown),
            )

    def outputs_by_fingerprint(self, fingerprint: str) -> list[tuple[str, str]]:
        rows = self.db.execute(
            "SELECT url, output FROM urls WHERE fingerprint = ? AND output IS NOT NULL ORDER BY url",
            (fingerprint,),
        ).fetchall()
        return [(str(u), str(o)) for u, o in rows]
