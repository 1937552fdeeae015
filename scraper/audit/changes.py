"""`scraper audit --changes`: what changed in the output between runs — new, updated and
vanished documents, and the diff of each updated one — from the state store's versions (every
written document is kept there, per run), so out/ needs no version control. The diff is shown
as the audit shows a document: lines changed inside with the words that changed."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from scraper.audit.mdview import LineDiff, markdown_view
from scraper.audit.rows import View
from scraper.store.state import StateStore

VANISHED = ("error:http-404", "error:http-410", "vanished")


@dataclass
class Change:
    url: str
    output: str | None
    change: str  # new | updated | vanished
    run: int
    reason: str | None = None
    diff: list[str] = field(default_factory=list)
    before: str | None = None  # the output as the earlier run wrote it (updated documents)
    after: str | None = None

    def view(self) -> View:
        """The earlier version with every change in place (an updated document)."""
        if self.before is None or self.after is None:
            return View(placed="diff")
        return markdown_view(LineDiff.of(self.before, self.after), [], (self.change, f"run-{self.run}"))

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "output": self.output,
            "change": self.change,
            "run": self.run,
            "reason": self.reason,
            "diff": self.diff,
        }


def runs(state: StateStore) -> list[dict[str, Any]]:
    rows = state.db.execute("SELECT id, command, started, finished FROM runs ORDER BY id").fetchall()
    return [{"run": r[0], "command": r[1], "started": r[2], "finished": r[3]} for r in rows]


def changes(state: StateStore, since: int | None = None) -> tuple[int, int, list[Change]]:
    """(since, latest run, changes made by the runs after `since`; default: the latest run)."""
    latest = state.db.execute("SELECT COALESCE(MAX(id), 0) FROM runs").fetchone()[0]
    if since is None:
        since = max(0, latest - 1)
    out: list[Change] = []
    touched = state.db.execute(
        "SELECT DISTINCT url FROM versions WHERE run > ? ORDER BY url", (since,)
    ).fetchall()
    for (url,) in touched:
        new = state.db.execute(
            "SELECT run, content_sha256, output, markdown FROM versions WHERE url = ?"
            " ORDER BY run DESC LIMIT 1",
            (url,),
        ).fetchone()
        old = state.db.execute(
            "SELECT run, content_sha256, output, markdown FROM versions WHERE url = ? AND run <= ?"
            " ORDER BY run DESC LIMIT 1",
            (url, since),
        ).fetchone()
        if old is None:
            out.append(Change(url, new[2], "new", new[0]))
        elif old[1] != new[1]:
            diff = difflib.unified_diff(
                (old[3] or "").splitlines(),
                (new[3] or "").splitlines(),
                f"{old[2]} (run {old[0]})",
                f"{new[2]} (run {new[0]})",
                n=2,
                lineterm="",
            )
            out.append(
                Change(
                    url, new[2], "updated", new[0], diff=list(diff), before=old[3] or "", after=new[3] or ""
                )
            )
    # gone since: failing with 404/410 (or a local input deleted) only since then
    gone = state.db.execute(
        f"SELECT url, output, last_run, last_status FROM urls WHERE last_run > ? AND output IS NOT NULL"
        f" AND last_status IN ({', '.join('?' * len(VANISHED))}) AND fail_count <= ? ORDER BY url",
        (since, *VANISHED, latest - since),
    ).fetchall()
    out += [Change(u, o, "vanished", r, reason=s) for u, o, r, s in gone]
    return since, latest, sorted(out, key=lambda c: (c.change, c.output or c.url))
