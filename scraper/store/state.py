"""Run state in one SQLite file (WAL): validators and content hashes per URL, and runs.

The cron job and `scraper fetch` share it: conditional requests come from here, and a URL's
record is only updated after its output is safely on disk, so a run killed half-way leaves
the rest to the next run.

The schema has a version (`PRAGMA user_version`, SCHEMA_VERSION); an older store is migrated
in place (MIGRATIONS), a newer one or a file that is not a state store is refused (StateError),
and a store another program holds is waited for at most STATE_BUSY_S seconds (StateBusy).

Writes commit one by one, unless `batching` is set (the crawl sets it): then they go into one
transaction until `commit()`, which the crawl calls every few documents, before it reports them
(jobs.crawl). A killed run loses the records since the last commit; their files are complete
and the next run writes nothing new for them (the bytes on disk are the ones it would write).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from scraper.settings import STATE_BUSY_S

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    kind TEXT,                -- page | feed | sitemap | robots | item
    etag TEXT,
    last_modified TEXT,
    content_sha256 TEXT,      -- of the cleaned document written
    audit_sha256 TEXT,        -- of its audit record (with content_sha256: did the output change?)
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
# columns added after the first release of a table, before the schema had a version
_ADDED = (
    ("urls", "body_sha256", "TEXT"),
    ("urls", "listed", "TEXT"),
    ("urls", "checked", "REAL"),
    ("urls", "audit_sha256", "TEXT"),
    ("runs", "command", "TEXT"),
)
_READ_CACHE = 4096  # records kept between two commits at most
_TABLES = {"urls": {"url", "kind", "output"}, "runs": {"id", "summary"}}  # what marks our store


class StateError(Exception):
    """The file is not a state store this version can use (one line for the user)."""


class StateBusy(Exception):
    """Another program holds the state store (one line for the user)."""


def _v1(db: sqlite3.Connection) -> None:
    """The unversioned store: the columns added over time."""
    for table, column, kind in _ADDED:
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _v2(db: sqlite3.Connection) -> None:
    """Who holds an output name (names are given once, never shared)."""
    db.execute("CREATE INDEX IF NOT EXISTS urls_output ON urls (output COLLATE NOCASE)")


MIGRATIONS = (_v1, _v2)  # MIGRATIONS[n] takes a store from version n to n + 1
SCHEMA_VERSION = len(MIGRATIONS)


def _busy(exc: sqlite3.Error) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and any(
        w in str(exc).lower() for w in ("locked", "busy")
    )


Stored = Literal["ok", "not_modified", "error", "vanished"]  # a URL's last status (errors: "error:<reason>")


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
    last_status: str | None  # "ok", "not_modified", "vanished" or "error:<reason>"
    fail_count: int
    listed: str | None = None
    checked: float | None = None
    audit_sha256: str | None = None

    @property
    def good(self) -> bool:
        """Its last check went well: the output on record is the current one."""
        return self.last_status in ("ok", "not_modified")


@dataclass(frozen=True)
class Written:
    """A document's output as recorded: where it is, the hashes of both files, and (when it
    changed in this run) the Markdown itself, kept as a version for `audit --changes`."""

    output: str
    content_sha256: str
    audit_sha256: str
    fingerprint: str | None
    body_sha256: str
    markdown: str | None = None


_COLUMNS = (
    "url, kind, etag, last_modified, content_sha256, body_sha256, fingerprint, output,"
    " last_status, fail_count, listed, checked, audit_sha256"
)
_UPSERT = """INSERT INTO urls (url, kind, etag, last_modified, content_sha256, audit_sha256, body_sha256,
                     fingerprint, output, last_status, fail_count, first_seen, last_seen,
                     last_run, listed, checked)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT(url) DO UPDATE SET
     kind = excluded.kind,
     etag = COALESCE(excluded.etag, urls.etag),
     last_modified = COALESCE(excluded.last_modified, urls.last_modified),
     content_sha256 = COALESCE(excluded.content_sha256, urls.content_sha256),
     audit_sha256 = COALESCE(excluded.audit_sha256, urls.audit_sha256),
     body_sha256 = COALESCE(excluded.body_sha256, urls.body_sha256),
     fingerprint = COALESCE(excluded.fingerprint, urls.fingerprint),
     output = COALESCE(excluded.output, urls.output),
     last_status = excluded.last_status,
     fail_count = CASE WHEN ? THEN urls.fail_count + 1 ELSE 0 END,
     last_seen = excluded.last_seen,
     last_run = excluded.last_run,
     listed = CASE WHEN excluded.checked IS NULL THEN urls.listed ELSE excluded.listed END,
     checked = COALESCE(excluded.checked, urls.checked)"""


class StateStore:
    def __init__(
        self, path: Path, clock: Callable[[], float] = time.time, archive_dir: Path | None = None
    ) -> None:
        self.path = path
        self.archive_dir = archive_dir  # where the WARC files of `archived` live (scraper run)
        self.clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        self.run_id: int | None = None
        self.batching = False  # writes wait in one transaction for commit()
        # records read in the open write transaction (no other program can change them then)
        self._read: dict[str, UrlRecord | None] = {}
        try:
            self.db = sqlite3.connect(str(path), timeout=STATE_BUSY_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise StateError(f"cannot open the state store {path}: {exc}") from None
        try:
            self._open()
        except sqlite3.Error as exc:
            self.db.close()
            if _busy(exc):
                raise StateBusy(
                    f"the state store {path} is held by another program ({exc}) for over {STATE_BUSY_S:g} s"
                ) from None
            raise StateError(f"{path} is not a scraper state store ({exc})") from None
        except StateError:
            self.db.close()
            raise

    def _open(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StateError(
                f"{self.path} was written by a newer scraper (schema {version}; this one reads up to"
                f" {SCHEMA_VERSION}): upgrade, or give another --state"
            )
        tables = {str(r[0]) for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table, needed in _TABLES.items():
            have = {str(r[1]) for r in self.db.execute(f"PRAGMA table_info({table})")}
            if table in tables and not needed <= have:
                raise StateError(f"{self.path} is not a scraper state store (table {table!r} is not ours)")
        if tables - {"sqlite_sequence"} and not tables & set(_TABLES):
            raise StateError(
                f"{self.path} is not a scraper state store (tables: {', '.join(sorted(tables))})"
            )
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        if version < SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        """Create the tables and run the migrations, in one transaction (another process may be
        doing the same: the version is read again under the lock)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            for step in MIGRATIONS[version:]:
                step(self.db)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Commit what is pending (each record was made once its files were on disk), close."""
        try:
            self.commit()
        except sqlite3.Error:
            pass
        finally:
            self.db.close()

    def _write(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
        if self.batching and not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")  # the write lock now, not on a later upgrade
        return self.db.execute(sql, params)

    def commit(self) -> None:
        """Make the writes pending since the last commit one transaction (with `batching`)."""
        self._read.clear()
        if self.db.in_transaction:
            self.db.execute("COMMIT")

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self, command: str = "fetch") -> int:
        cur = self.db.execute("INSERT INTO runs (command, started) VALUES (?, ?)", (command, self.clock()))
        self.run_id = int(cur.lastrowid or 0)
        return self.run_id

    def finish_run(self, summary: dict[str, Any]) -> None:
        if self.run_id is not None:
            self._write(
                "UPDATE runs SET finished = ?, summary = ? WHERE id = ?",
                (self.clock(), json.dumps(summary, sort_keys=True), self.run_id),
            )
        self.commit()

    # -- urls ---------------------------------------------------------------------------------

    def get(self, url: str) -> UrlRecord | None:
        if url in self._read:
            return self._read[url]
        row = self.db.execute(f"SELECT {_COLUMNS} FROM urls WHERE url = ?", (url,)).fetchone()
        found = UrlRecord(*row) if row else None
        if self.batching and self.db.in_transaction:  # we hold the write lock until commit()
            if len(self._read) >= _READ_CACHE:
                self._read.clear()
            self._read[url] = found
        return found

    def record(
        self,
        url: str,
        *,
        kind: str,
        status: Stored,
        reason: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        written: Written | None = None,
        checked: bool = False,
        listed: str | None = None,
    ) -> None:
        """Upsert a URL's record: its status (an "error" with its reason), validators, and
        the output `written` (call it only once the files are on disk). `checked`: it was asked
        for over HTTP now (`listed` is the listing date it had then). What is not given is
        kept from the last record."""
        self._read.pop(url, None)
        now = self.clock()
        failed = status in ("error", "vanished")
        w = written
        hashes = (
            (w.content_sha256, w.audit_sha256, w.body_sha256, w.fingerprint, w.output) if w else (None,) * 5
        )
        stored = f"error:{reason}" if status == "error" else status
        when = (listed, now) if checked else (None, None)  # the listing date it was checked with, and when
        self._write(
            _UPSERT,
            (
                url,
                kind,
                etag,
                last_modified,
                *hashes,
                stored,
                int(failed),
                now,
                now,
                self.run_id,
                *when,
                failed,
            ),
        )
        if w is not None and w.markdown is not None and self.run_id is not None:
            self._write(
                "INSERT OR REPLACE INTO versions (url, run, content_sha256, output, markdown)"
                " VALUES (?, ?, ?, ?, ?)",
                (url, self.run_id, w.content_sha256, w.output, w.markdown),
            )

    # -- the archive's index ------------------------------------------------------------------

    def archived(self, url: str) -> tuple[str, str, int] | None:
        """(body sha256, WARC file name, offset) of the last archived response for a URL."""
        row = self.db.execute(
            "SELECT body_sha256, file, offset FROM archived WHERE url = ?", (url,)
        ).fetchone()
        return (str(row[0]), str(row[1]), int(row[2])) if row else None

    def set_archived(self, url: str, body_sha256: str, file: str, offset: int) -> None:
        self._write(
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

    def holders(self, output: str) -> list[str]:
        """The URLs (or input names) whose recorded output is `output` (case-insensitively)."""
        rows = self.db.execute("SELECT url FROM urls WHERE output = ? COLLATE NOCASE", (output,))
        return [str(r[0]) for r in rows]

    def fingerprints(self) -> list[tuple[str, str]]:
        """(output, fingerprint) of every document written."""
        rows = self.db.execute(
            "SELECT output, fingerprint FROM urls WHERE fingerprint IS NOT NULL AND output IS NOT NULL"
            " ORDER BY output"
        ).fetchall()
        return [(str(o), str(f)) for o, f in rows]
