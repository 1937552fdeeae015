"""`reclean` on Dask: documents stay in the archive, as references.

`RefArchiveFetcher` answers like store.replay.ArchiveFetcher, but for a document it reads only
the head of its record (the HTTP headers and the first 4 KB, enough to tell a document from a
feed or a sitemap exactly as the crawl does) and answers a Response with an empty body and a
reference (WARC file name, record offset). Feeds, sitemaps and robots.txt come whole: the crawl
reads them here. The body is read where it is cleaned (a worker that sees the archive), or just
before its batch is sent (jobs.cluster).
"""

from __future__ import annotations

from dataclasses import replace

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from scraper.fetch.config import HostProfile
from scraper.fetch.errors import Permanent, Skipped
from scraper.model import ArchiveRef, Response
from scraper.sources.discover import classify
from scraper.store.replay import ArchiveFetcher, archived_response

HEAD = 4096  # what classify() reads of a body


def read_head(path: str, offset: int) -> Response | None:
    """The response record at `offset` with only the first HEAD bytes of its body."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    return None
                http = record.http_headers
                ctype = http.get_header("Content-Type") or ""
                charset = None
                for param in ctype.split(";")[1:]:
                    key, _, value = param.partition("=")
                    if key.strip().lower() == "charset":
                        charset = value.strip() or None
                return Response(
                    record.rec_headers.get_header("WARC-Target-URI"),
                    int(http.get_statuscode() or "200"),
                    ctype.split(";")[0].strip().lower(),
                    charset,
                    record.content_stream().read(HEAD),
                    http.get_header("ETag"),
                    http.get_header("Last-Modified"),
                )
    except (OSError, ArchiveLoadFailed, EOFError, ValueError):
        return None
    return None


class RefArchiveFetcher(ArchiveFetcher):
    async def get(self, url: str, conditional: bool = True, profile: HostProfile | None = None) -> Response:
        found = self.state.archived(url)
        if found is None:
            raise Skipped("not-archived", "no archived response (no earlier run fetched it)")
        head = read_head(str(self.directory / found[1]), found[2])
        if head is None:
            raise Permanent("archive", "its archived response is missing or unreadable")
        if classify(head.url, head.content_type, head.body) in ("sitemap", "feed", "robots"):
            whole = archived_response(self.state, self.directory, url)
            if whole is None:
                raise Permanent("archive", "its archived response is missing or unreadable")
            return whole
        return replace(head, body=b"", ref=ArchiveRef(found[1], found[2]))
