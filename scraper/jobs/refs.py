"""`reclean` on Dask: documents stay in the archive, as references.

`RefArchiveFetcher` answers like store.replay.ArchiveFetcher, but for a document it reads only
the head of its record (the HTTP headers and as much of the body as classify() reads, so a
document is told from a feed or a sitemap exactly as the crawl does) and answers a Response
with an empty body and a reference (WARC file name, record offset, body size: the source's
max_total_bytes counts it as locally). Feeds, sitemaps and robots.txt come whole: the crawl
reads them here. The body is read where it is cleaned (a worker that sees the archive), or just
before its batch is sent (jobs.cluster).
"""

from __future__ import annotations

from dataclasses import replace
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from scraper.fetch.config import HostProfile
from scraper.fetch.errors import Permanent, Skipped
from scraper.model import ArchiveRef, Response, content_charset
from scraper.sources.discover import PROLOG_BYTES, classify
from scraper.store.replay import ArchiveFetcher, archived_response

HEAD = max(PROLOG_BYTES, 4096)  # what classify() reads of a body (its root-element scan, its head)


def read_head(path: str, offset: int) -> tuple[Response, int] | None:
    """The response record at `offset` with only the first HEAD bytes of its body, and the
    size of the whole body (its Content-Length, which the archive writes; else counted)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    return None
                http = record.http_headers
                ctype = http.get_header("Content-Type") or ""
                charset = content_charset(ctype)
                stream = record.content_stream()
                head = stream.read(HEAD)
                declared = (http.get_header("Content-Length") or "").strip()
                size = int(declared) if declared.isdigit() else len(head) + _count(stream)
                response = Response(
                    record.rec_headers.get_header("WARC-Target-URI"),
                    int(http.get_statuscode() or "200"),
                    ctype.split(";")[0].strip().lower(),
                    charset,
                    head,
                    http.get_header("ETag"),
                    http.get_header("Last-Modified"),
                )
                return response, size
    except (OSError, ArchiveLoadFailed, EOFError, ValueError):
        return None
    return None


def _count(stream: BinaryIO) -> int:
    total = 0
    while chunk := stream.read(1 << 20):
        total += len(chunk)
    return total


class RefArchiveFetcher(ArchiveFetcher):
    async def get(self, url: str, conditional: bool = True, profile: HostProfile | None = None) -> Response:
        found = self.state.archived(url)
        if found is None:
            raise Skipped("not-archived", "no archived response (no earlier run fetched it)")
        read = read_head(str(self.directory / found[1]), found[2])
        if read is None:
            raise Permanent("archive", "its archived response is missing or unreadable")
        head, size = read
        if classify(head.url, head.content_type, head.body) in ("sitemap", "feed", "robots"):
            whole = archived_response(self.state, self.directory, url)
            if whole is None:
                raise Permanent("archive", "its archived response is missing or unreadable")
            return whole
        return replace(head, body=b"", ref=ArchiveRef(found[1], found[2], size))
