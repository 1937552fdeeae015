"""Raw responses kept as WARC (warcio), one file per run, written record by record.

Each response is stored as received, decoded (the Content-Encoding is dropped, the length is
the decoded length), with the URL that was asked for in `WARC-Scraper-Requested-URI`, so
`scraper reclean` can replay the latest response of every URL without the network. A body
identical to the one archived last for its URL is not stored again, so a run that finds
nothing new adds nothing. The state store indexes the last record of every URL (file and
offset). A run killed mid-record leaves a truncated last record, which readers skip.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.model import Response, content_charset
from scraper.store.state import StateStore

REQUESTED = "WARC-Scraper-Requested-URI"


class Archive:
    """Appends response records to `run-<id>.warc.gz`; the file is created with the first."""

    def __init__(self, directory: Path, run_id: int, state: StateStore) -> None:
        self.directory = directory
        self.name = f"run-{run_id:06d}.warc.gz"
        self.state = state
        self._fh: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self.records = 0
        self.errors: list[str] = []

    def __call__(self, requested: str, response: Response) -> None:
        """Archive a response unless its body is the one archived last for that URL."""
        sha = hashlib.sha256(response.body).hexdigest()
        last = self.state.archived(requested)
        if last is not None and last[0] == sha and (self.directory / last[1]).exists():
            return
        try:
            offset = self.add(requested, response)
        except OSError as exc:  # disk full, permissions: the run goes on, and says so
            problem = f"archive: cannot write {self.directory / self.name}: {exc.strerror or exc}"
            if problem not in self.errors:
                self.errors.append(problem)
            return
        self.state.set_archived(requested, sha, self.name, offset)

    def add(self, requested: str, response: Response) -> int:
        """Write one record; its offset in the file."""
        if self._fh is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.directory / self.name, "ab")  # noqa: SIM115 - closed in close()
            self._writer = WARCWriter(self._fh, gzip=True)
        assert self._writer is not None
        ctype = response.content_type or "application/octet-stream"
        headers = [("Content-Type", ctype + (f"; charset={response.charset}" if response.charset else ""))]
        if response.etag:
            headers.append(("ETag", response.etag))
        if response.last_modified:
            headers.append(("Last-Modified", response.last_modified))
        headers.append(("Content-Length", str(len(response.body))))
        http = StatusAndHeaders(f"{response.status} OK", headers, protocol="HTTP/1.1")
        record = self._writer.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(response.body),
            http_headers=http,
            warc_headers_dict={REQUESTED: requested},
        )
        offset = self._fh.tell()
        self._writer.write_record(record)
        self._fh.flush()  # a killed run loses at most the record being written
        self.records += 1
        return offset

    def close(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None


def read_at(path: Path, offset: int) -> Response | None:
    """The response record starting at `offset` (None when it is missing or unreadable)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            for _requested, response in _records(fh):
                return response
    except OSError:
        return None
    return None


def read_all(path: Path) -> Iterator[tuple[str, Response]]:
    """(URL asked for, response) for every complete record of a WARC file."""
    with open(path, "rb") as fh:
        yield from _records(fh)


def _records(fh: BinaryIO) -> Iterator[tuple[str, Response]]:
    try:
        for record in ArchiveIterator(fh):
            if record.rec_type != "response":
                continue
            try:
                body = record.content_stream().read()
            except Exception:  # a record cut short by a killed run
                return
            url = record.rec_headers.get_header("WARC-Target-URI")
            requested = record.rec_headers.get_header(REQUESTED) or url
            http = record.http_headers
            ctype = http.get_header("Content-Type") or ""
            charset = content_charset(ctype)
            yield (
                requested,
                Response(
                    url,
                    int(http.get_statuscode() or "200"),
                    ctype.split(";")[0].strip().lower(),
                    charset,
                    body,
                    http.get_header("ETag"),
                    http.get_header("Last-Modified"),
                ),
            )
    except (ArchiveLoadFailed, OSError, EOFError, ValueError):
        return  # the rest of a file truncated by a killed run
