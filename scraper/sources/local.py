"""Local inputs: which files a path names, and reading them with one-line errors.

Only regular files are read: a FIFO would block the batch, a device (`/dev/zero`) never ends,
a socket cannot be read; they are skipped with reason `not-a-file`, decided on the open file
(no window between the check and the read). A file obeys the limit an HTTP body does
(MAX_BYTES): a larger one fails with `too-large`, and no more than that is ever read.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

from scraper.errors import DocumentError
from scraper.model import Kind, Outcome, Reason
from scraper.settings import AUDIT_SUFFIX, MAX_BYTES


class InputError(DocumentError):
    """A local input that is not read: `reason` for reports; `skip`: skipped, not failed."""

    def __init__(self, reason: Reason, message: str, skip: bool = False) -> None:
        super().__init__(message)
        self.reason: Reason = reason
        self.skip = skip


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)

INPUT_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".txt", ".html", ".htm", ".xhtml")


def expand_inputs(paths: list[str]) -> Iterator[tuple[str, str | None]]:
    """(input name, problem) for every input; directories recurse in sorted order, taking
    text and HTML files and skipping hidden entries and audit sidecars."""
    for p in paths:
        if p == "-":
            yield p, None
            continue
        path = Path(p)
        if path.is_dir():
            found = False
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if f.startswith(".") or f.endswith(AUDIT_SUFFIX):
                        continue
                    if f.lower().endswith(INPUT_SUFFIXES):
                        found = True
                        yield str(Path(root) / f), None
            if not found:
                yield p, "directory holds no Markdown, text or HTML files"
        elif path.exists():
            yield p, None
        else:
            yield p, "no such file or directory"


def read_input(name: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a local input ('-': standard input), at most `limit` of them. Raises
    InputError (not a regular file, too large) or DocumentError (cannot be read)."""
    if name == "-":
        return _bounded(sys.stdin.buffer.read(limit + 1), limit)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except PermissionError:
        raise DocumentError("permission denied") from None
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DocumentError("is a directory")
        if not stat.S_ISREG(info.st_mode):
            what = next((w for test, w in _KINDS if test(info.st_mode)), "not a regular file")
            raise InputError("not-a-file", f"not a regular file ({what}): not read", skip=True)
        if info.st_size > limit:
            raise InputError("too-large", f"file of {info.st_size:,} bytes is over the {limit:,} limit")
        chunks, size = [], 0
        while size <= limit:  # a file that grows while it is read is still bounded
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return _bounded(b"".join(chunks), limit)
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _bounded(data: bytes, limit: int) -> bytes:
    if len(data) > limit:
        raise InputError("too-large", f"more than the {limit:,} bytes limit")
    return data


def unread(name: str, exc: DocumentError, kind: Kind = "file", origin: str = "") -> Outcome:
    """The outcome of an input that could not be read: skipped (not a regular file) or failed."""
    if isinstance(exc, InputError):
        return Outcome(name, "skipped" if exc.skip else "error", kind, exc.reason, str(exc), origin=origin)
    return Outcome(name, "error", kind, "read", str(exc), origin=origin)
