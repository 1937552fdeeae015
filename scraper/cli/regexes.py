"""The command-line process keeps the programs of the regular expressions it compiles.

Compiling the few hundred patterns that the command, its libraries (click, PyYAML …) and the
cleaners compile at import is a fifth of the start-up of `scraper clean` on one document. This
module, installed by `scraper.cli` before anything else loads, puts a step in front of CPython's
regex compiler: a pattern whose program is in the snapshot (`cleaners.snapshot`, keyed by the
exact Python version and ours) is made from it (`cleaners.programs.restore`, validated by the
regex engine; a pattern is equal to the one the compiler makes, program included); any other is
compiled as always, and its program (checked the same way) joins the snapshot when the process
ends, up to a bound on the patterns kept. `SCRAPER_CACHE_DIR=""` turns it off with every other
snapshot.
"""

from __future__ import annotations

import atexit
import marshal
import re
import sys
from typing import Any

from cleaners import snapshot
from cleaners.programs import Program, from_program, program_of
from scraper import __version__

MAX_PATTERNS = 2048  # patterns kept (a document's own patterns, tag names …, cannot grow it past this)
_NAME = "regexes"
_FORMAT = "regexes-1"
Key = tuple[type, Any, int]
_installed = False


def install() -> None:
    """Put the snapshot's programs in front of re's compiler, once per process."""
    global _installed
    compiler = getattr(re, "_compiler", None)
    original = getattr(compiler, "compile", None)
    if _installed or original is None or snapshot.cache_dir() is None:
        return
    _installed = True
    digest = snapshot.key(_FORMAT, sys.version, __version__)
    known = _load(snapshot.load(_NAME, digest))
    new: dict[Key, Program] = {}

    def compile(p: Any, flags: int = 0) -> Any:  # re._compiler.compile's signature
        key = (type(p), p, int(flags))
        program = known.get(key) if isinstance(p, (str, bytes)) else None
        if program is not None:
            found = from_program(*program)
            if found is not None:
                return found
        compiled = original(p, flags)
        if isinstance(p, (str, bytes)) and len(known) + len(new) < MAX_PATTERNS:
            made = program_of(compiled)
            if made is not None:
                new[key] = made
        return compiled

    compiler.compile = compile  # type: ignore[union-attr]
    atexit.register(_save, digest, known, new)


def _load(payload: bytes | None) -> dict[Key, Program]:
    if payload is None:
        return {}
    try:
        entries = marshal.loads(payload)
        if not isinstance(entries, list):
            return {}
        return {(type(e[0]), e[0], e[1]): e[2] for e in entries if _valid(e)}
    except Exception:  # a snapshot that does not decode is rebuilt, never fatal
        return {}


def _valid(entry: object) -> bool:
    """(pattern, flags, program of that pattern) of plain data; the engine checks the program."""
    if not (isinstance(entry, tuple) and len(entry) == 3):
        return False
    pattern, flags, program = entry
    return (
        isinstance(pattern, (str, bytes))
        and type(flags) is int
        and isinstance(program, tuple)
        and len(program) == 6
        and program[0] == pattern
        and type(program[1]) is int
        and type(program[2]) is list
        and type(program[3]) is int
        and type(program[4]) is dict
        and type(program[5]) is tuple
    )


def _save(digest: str, known: dict[Key, Program], new: dict[Key, Program]) -> None:
    if not new:
        return
    try:
        entries = [(k[1], k[2], v) for k, v in {**known, **new}.items()][:MAX_PATTERNS]
        snapshot.store(_NAME, digest, marshal.dumps(entries))
    except Exception:  # pragma: no cover - a snapshot is never worth a failed exit
        pass
