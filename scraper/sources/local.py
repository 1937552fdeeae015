"""Local inputs: which files a path names, and reading them with one-line errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

from scraper.errors import DocumentError
from scraper.settings import AUDIT_SUFFIX

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


def read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except IsADirectoryError:
        raise DocumentError("is a directory") from None
    except PermissionError:
        raise DocumentError("permission denied") from None
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror or exc}") from None
