"""The incremental policy: what need not be asked for, cleaned or written again — and the record
of every decision in the state store, so the next run can make it.

* A page whose feed/sitemap date is the one it had when last checked, recently, with its output
  on disk, is not asked for at all (until `revalidate` seconds have passed).
* A page or listing with a record is asked for conditionally (its validators), unless `force`.
* An input identical to the one the current output was cleaned from is not cleaned again.
* A cleaned document whose hashes are the ones on record, with both files on disk, is not
  written again. The output's state is recorded only after its files are on disk, so a run
  killed half-way leaves the rest to the next run.

Without a state store (`scraper fetch --no-state`) every question is answered "do it", and
nothing is recorded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from scraper.model import DocKind, Kind, Reason, Rendered, SourceDocument
from scraper.settings import AUDIT_SUFFIX, REVALIDATE_HOURS
from scraper.store.state import StateStore, UrlRecord, Written


def input_digest(doc: SourceDocument) -> str:
    """What an output depends on besides the rules: the bytes, where they came from, metadata."""
    extra = f"\n{doc.url}\n{sorted((doc.meta or {}).items())!r}".encode()
    return hashlib.sha256(doc.data + extra).hexdigest()


class Unread(Enum):
    """A URL's record not read yet (`known` not asked)."""

    UNREAD = "unread"


UNREAD = Unread.UNREAD


def _on_disk(output: str | None) -> bool:
    return bool(output) and Path(output or "").exists()


@dataclass
class Incremental:
    state: StateStore | None
    force: bool = False  # clean every input again, ask nothing conditionally (reclean)
    revalidate: float = REVALIDATE_HOURS * 3600  # seconds

    # -- the questions -------------------------------------------------------------------------

    def known(self, url: str) -> UrlRecord | None:
        return self.state.get(url) if self.state is not None else None

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """ETag and Last-Modified to send back (the fetcher asks): for a page whose output
        exists, or a feed or sitemap whose last body is in the archive (a 304 is then answered
        from there)."""
        rec = self.known(url)
        if rec is None or self.state is None:
            return None, None
        if rec.kind == "page" and _on_disk(rec.output):
            return rec.etag, rec.last_modified
        archive = self.state.archive_dir
        if rec.kind in ("feed", "sitemap") and archive is not None:
            found = self.state.archived(url)
            if found and (archive / found[1]).exists():
                return rec.etag, rec.last_modified
        return None, None

    def conditional(self, known: UrlRecord | None) -> bool:
        return not self.force and known is not None and known.kind in ("page", "feed", "sitemap")

    def listed_unchanged(self, known: UrlRecord | None, listed: str | None) -> bool:
        """Its listing date is the one it had when last checked, recently, and its output is
        on disk: no need to ask."""
        return (
            not self.force
            and self.state is not None
            and listed is not None
            and known is not None
            and known.kind == "page"
            and known.listed == listed
            and known.checked is not None
            and self.state.clock() - known.checked < self.revalidate
            and known.good
            and _on_disk(known.output)
        )

    def same_input(self, rec: UrlRecord | None, digest: str) -> UrlRecord | None:
        """The record (`known`) of a URL whose output was cleaned from exactly this input and is
        still on disk (nothing to clean again), else None."""
        if self.force:
            return None
        if rec is None or rec.body_sha256 != digest or not rec.good or not _on_disk(rec.output):
            return None
        return rec

    def unchanged_output(self, rec: UrlRecord | None, output: str, rendered: Rendered) -> bool:
        """The output on record (`known`) is these very bytes, and both its files are on disk."""
        return (
            rec is not None
            and rec.good
            and rec.output == output
            and rec.content_sha256 == rendered.sha256
            and rec.audit_sha256 == rendered.audit_sha256
            and Path(output).exists()
            and Path(output[: -len(".md")] + AUDIT_SUFFIX).exists()
        )

    # -- the records -----------------------------------------------------------------------------

    def listing(self, url: str, kind: Kind, etag: str | None, modified: str | None) -> None:
        """A feed or sitemap read (its validators, for the next conditional request)."""
        if self.state is not None:
            self.state.record(url, kind=kind, status="ok", etag=etag, last_modified=modified)

    def failed(
        self, url: str, kind: Kind, reason: Reason, *, checked: bool = True, listed: str | None = None
    ) -> None:
        if self.state is not None:
            self.state.record(url, kind=kind, status="error", reason=reason, checked=checked, listed=listed)

    def not_modified(self, url: str, listed: str | None) -> None:
        """A page answered 304."""
        if self.state is not None:
            self.state.record(url, kind="page", status="not_modified", checked=True, listed=listed)

    def still_listed(self, url: str, known: UrlRecord) -> None:
        """A page not asked for (listed-unchanged): seen in this run, nothing else changes."""
        if self.state is not None:
            if known.last_status == "not_modified":
                self.state.record(url, kind="page", status="not_modified")
            else:
                self.state.record(url, kind="page", status="ok")

    def done(
        self,
        url: str,
        kind: DocKind,
        *,
        etag: str | None = None,
        modified: str | None = None,
        written: Written | None = None,
        listed: str | None = None,
    ) -> None:
        """A document handled: cleaned and on disk (`written`), or its input unchanged."""
        if self.state is not None:
            self.state.record(
                url,
                kind=kind,
                status="ok",
                etag=etag,
                last_modified=modified,
                written=written,
                checked=kind == "page",  # asked for over HTTP just now
                listed=listed,
            )

    def vanished(self, root: str, present: set[str]) -> list[str]:
        """Local inputs under `root` written by earlier runs and gone now: recorded as
        vanished (their outputs are kept); their names."""
        if self.state is None:
            return []
        gone = [n for n in self.state.urls_under(root, "file") if n not in present]
        for name in gone:
            self.state.record(name, kind="file", status="vanished")
        return gone
