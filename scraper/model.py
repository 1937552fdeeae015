"""The types the stages exchange: a document as read, a response as fetched, a cleaned document
as it will be written, and the one outcome every command reports; the words they use (kinds,
statuses, reasons, verdicts) as Literals, and the exit codes.

Kept free of the extraction stack, so the processes that only fetch, schedule and write (the
`scraper run` main process) do not import it. Everything here is small and picklable: it is
what crosses the process boundary between the crawl and the cleaning workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Literal, NewType, get_args

if TYPE_CHECKING:  # the cleaners load for commands that clean only
    from cleaners import RuleSet

# -- the words ----------------------------------------------------------------------------------

DocKind = Literal["page", "item", "file"]  # a document: a fetched page, a feed item, a local file
ListingKind = Literal["feed", "sitemap", "robots"]  # what lists documents
Kind = Literal[DocKind, ListingKind]
DOC_KINDS: tuple[DocKind, ...] = get_args(DocKind)

Format = Literal["markdown", "html"]  # what a document was cleaned as

# what happened to one URL or input
Status = Literal["ok", "not_modified", "skipped", "error"]
# how a run reports it: documents new/updated/unchanged/skipped/failed, listings ok/skipped/failed
Verdict = Literal["new", "updated", "unchanged", "skipped", "failed", "ok"]
VERDICTS: tuple[Verdict, ...] = ("new", "updated", "unchanged", "skipped", "failed")

KnownReason = Literal[
    # skipped
    "robots",  # disallowed by robots.txt
    "content-type",  # not a text document
    "duplicate",  # reached again in this run
    "max-pages",  # over the source's max_pages (on a listing: how many of its pages were not taken)
    "max-listings",  # over the source's max_listings (sitemaps and feeds followed)
    "max-depth",  # found deeper than the source's max_depth
    "max-bytes",  # the source fetched max_total_bytes already
    "max-entries",  # (on a listing) entries past MAX_ENTRIES not read
    "not-a-file",  # a local input that is a FIFO, a device or a socket
    "not-archived",  # reclean: no earlier run fetched it
    "vanished",  # a local input that is gone (its output is kept)
    # ok or not_modified, with nothing to do
    "listed-unchanged",  # its feed/sitemap date did not move: not asked for
    "unchanged-input",  # the input the current output was cleaned from: not cleaned again
    "no-sitemaps",  # a robots.txt without Sitemap lines
    # errors: the URL
    "scheme",
    "bad-url",
    "blocked-address",
    "host-given-up",
    "robots-unavailable",  # robots.txt answered 5xx: the host is not crawled in this run (RFC 9309)
    # errors: the transfer
    "dns",  # the host name does not resolve
    "connect",  # refused, unreachable
    "tls",  # the TLS handshake or the certificate failed
    "timeout",
    "transfer",
    "too-large",
    "encoding",
    "redirect-loop",
    "redirect-scheme",
    "redirects",
    "bad-redirect",
    # errors: what we do with it
    "archive",  # reclean: the archived response is missing or unreadable
    "sitemap",  # an unreadable sitemap
    "input",  # a local input that is not there
    "read",  # a local input that cannot be read
    "clean",  # the document cannot be cleaned (DocumentError)
    "too-complex",  # cleaning it took longer than CLEAN_BUDGET_S: its process was killed
    "crashed",  # its cleaning process died (a crash, the OOM killer): replaced, the batch goes on
    "name",  # its output name is held by another URL (never overwritten)
    "write",  # the output cannot be written
]
HttpReason = NewType("HttpReason", str)  # "http-404", "http-503" …: made by http_reason()
Reason = KnownReason | HttpReason
REASONS: tuple[KnownReason, ...] = get_args(KnownReason)


def http_reason(status: int) -> HttpReason:
    return HttpReason(f"http-{status}")


def content_charset(content_type: str) -> str | None:
    """The charset parameter of a Content-Type header (quotes removed), or None: one reading for
    the live response and for the same response replayed from the archive."""
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


class ExitCode(IntEnum):
    """Exit status of every command (README: each command's "Exit status")."""

    OK = 0
    FAILED = 1  # some documents failed; the others are written
    USAGE = 2  # bad options, bad rules or sources file: nothing was done
    ABORTED = 3  # `run` stopped part-way (state store or disk); what was written is complete
    LOCKED = 75  # another `run` holds the lock (EX_TEMPFAIL: cron tries again later)


# -- documents ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveRef:
    """Where an archived response lies: a WARC file (its name in the archive) and the offset of
    its record. `reclean` on Dask sends these instead of bodies (see jobs.cluster)."""

    file: str
    offset: int
    size: int = 0  # bytes of its body (what the source's max_total_bytes counts)


@dataclass(frozen=True)
class SourceDocument:
    """A document as read: bytes plus where they came from."""

    name: str  # input path, URL, or "-"
    data: bytes
    url: str | None = None  # the http(s) URL it was retrieved from
    content_type: str | None = None
    charset: str | None = None
    fragment: bool = False  # an article body without page chrome (feed item content)
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. a feed item's title, date, author
    ref: ArchiveRef | None = None  # its body is this archived record (`data` is then empty)


@dataclass(frozen=True)
class CleanOptions:
    """What a clean is asked for: the rules, and whether to add the attribution line."""

    rules: RuleSet
    attribution_line: bool = True


@dataclass(frozen=True)
class Response:
    """One HTTP response as fetched (or replayed from the archive)."""

    url: str  # after redirects
    status: int
    content_type: str  # media type, lower-case, no parameters
    charset: str | None
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    ref: ArchiveRef | None = None  # a document left in the archive: `body` is empty (jobs.cluster)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def size(self) -> int:
        """Bytes of its body, also when the body was left in the archive."""
        return self.ref.size if self.ref is not None else len(self.body)


@dataclass(frozen=True)
class Rendered:
    """A cleaned document as it will be written: the bytes of both files and what the reports
    need. What a cleaning worker sends back; the crawl decides whether it changed (by the
    hashes kept in the state store) and the writer, in the main process, writes it."""

    markdown: bytes  # <stem>.md
    audit: bytes  # <stem>.audit.json
    sha256: str  # of `markdown`
    audit_sha256: str  # of `audit`
    fingerprint: str | None
    counts: dict[str, int]  # removals per category, every category present
    source: dict[str, Any]  # original_source: {"name", "url"}
    input_sha256: str | None = None  # input_digest of a document the cleaner read from the archive


@dataclass(frozen=True)
class Failed:
    """A document that could not be cleaned (one line for the user)."""

    reason: Reason
    message: str


# -- what happened -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What happened to one URL, feed item or local input: the one report of every command."""

    url: str  # the URL (normalised), feed item key or input name as given
    status: Status
    kind: Kind = "page"
    reason: Reason | None = None
    error: str | None = None  # one line, with status "error" (and "skipped" with a reason)
    output: str | None = None  # the .md written (or kept); "-" for standard output
    changed: bool = False  # the output's bytes changed in this run
    created: bool = False  # the output file did not exist before
    found_in: str | None = None  # the feed or sitemap it was listed in
    origin: str = ""  # the source's name (scraper run)
    counts: dict[str, int] = field(default_factory=dict)  # removals per category
    source: dict[str, Any] = field(default_factory=dict)  # original_source
    fingerprint: str | None = None

    @property
    def verdict(self) -> Verdict:
        """new | updated | unchanged | skipped | failed (documents); ok | skipped | failed (listings)."""
        if self.status == "error":
            return "failed"
        if self.status == "skipped":
            return "skipped"
        if self.kind not in DOC_KINDS:
            return "ok"
        if self.status == "not_modified" or not self.changed:
            return "unchanged"
        return "new" if self.created else "updated"
