"""Cleaning one document, purely: what `scraper clean` and the cleaning workers (jobs.workers)
both run. Kept apart from the worker pool so that cleaning local files loads neither asyncio nor
the worker processes' machinery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scraper.errors import DocumentError
from scraper.model import CleanOptions, Failed, Rendered, SourceDocument
from scraper.store.writer import audit_json

if TYPE_CHECKING:
    from scraper.pipeline.core import CleanedDocument


def clean_source(doc: SourceDocument, opts: CleanOptions) -> CleanedDocument:
    """The pipeline, with any unexpected failure turned into a one-line DocumentError."""
    from scraper.pipeline.core import clean_document  # the extraction stack loads where it is used

    try:
        return clean_document(doc, opts)
    except DocumentError:
        raise
    except RecursionError:
        raise DocumentError("document is nested too deeply to process") from None
    except MemoryError:
        raise DocumentError("document is too large to process in memory") from None
    except Exception as exc:  # one broken page must not stop a run of a thousand
        raise DocumentError(f"internal error while cleaning ({type(exc).__name__}: {exc})") from None


def render(cleaned: CleanedDocument, stem: str, claimed: str | None = None, digests: bool = True) -> Rendered:
    """The bytes of `<stem>.md` and `<stem>.audit.json`, their hashes, and the summary.
    `claimed`: the URL a feed item's link claims (another site's): kept in the record.
    `digests=False`: the hashes are left empty ("") for a caller that does not keep them
    (`scraper clean` compares the files' bytes instead)."""
    markdown = cleaned.markdown.encode("utf-8")
    record = cleaned.audit(f"{stem}.md")  # the output relative to the output directory
    if claimed:  # next to retrieved_from
        items = list(record.items())
        at = next((i + 1 for i, (k, _) in enumerate(items) if k == "retrieved_from"), len(items))
        record = dict([*items[:at], ("claimed_url", claimed), *items[at:]])
    audit = audit_json(record)
    if digests:
        import hashlib  # (only then: it loads OpenSSL)
    return Rendered(
        markdown,
        audit,
        hashlib.sha256(markdown).hexdigest() if digests else "",
        hashlib.sha256(audit).hexdigest() if digests else "",
        cleaned.fingerprint,
        cleaned.counts,
        cleaned.source.to_json(),
    )


def clean(doc: SourceDocument, opts: CleanOptions, stem: str, digests: bool = True) -> Rendered | Failed:
    """Clean one document for `<stem>.md`: what to write, or why it cannot be cleaned
    (`digests`: as for `render`)."""
    try:
        return render(clean_source(doc, opts), stem, (doc.meta or {}).get("claimed_url"), digests)
    except DocumentError as exc:
        return Failed("clean", str(exc))
