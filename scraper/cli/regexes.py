"""The command-line process keeps the programs of the regular expressions it compiles.

Compiling the few hundred patterns that the command, its libraries (click, PyYAML …) and the
cleaners compile at import is a fifth of the start-up of `scraper clean` on one document. This
module, installed by `scraper.cli` before anything else loads, puts a step in front of CPython's
regex compiler: a pattern whose program is in the snapshot (`cleaners.snapshot`, keyed by the
exact Python version and ours) is made from it (`cleaners.programs.restore`, validated by the
regex engine; a pattern is equal to the one the compiler makes, program included); any other is
compiled as always, and its program (checked the same way) joins the snapshot when the process
ends, up to a bound on the patterns kept, if the pattern is part of the code: compiled while a
module loads, or written as a literal where it is compiled. A pattern made from a document (a
publisher's name in a title pattern …) is not kept, so a long-used cache does not fill with
patterns that the next run never asks for, and every start reads only what starts need.
`SCRAPER_CACHE_DIR=""` turns it off with every other snapshot.
"""

from __future__ import annotations

import atexit
import marshal
import re
import sys
from types import FrameType
from typing import Any

from cleaners import snapshot
from cleaners.programs import from_program, program_of
from scraper import __version__

MAX_PATTERNS = 2048  # patterns kept (a document's own patterns, tag names …, cannot grow it past this)
_NAME = "regexes"
_COMMANDS = frozenset({"clean", "fetch", "run", "reclean", "audit", "worker"})
_FORMAT = "regexes-3"
Key = tuple[Any, int]  # (pattern, flags): a str and a bytes pattern never compare equal
_installed = False


def table_name(base: str) -> str:
    """The snapshot of this command's own table (`regexes.clean` …): what `run`, `audit` or a
    test process compiles is not read back by every `scraper clean`."""
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    return f"{base}.{command if command in _COMMANDS else 'other'}"


def install() -> None:
    """Put the snapshot's programs in front of re's compiler, once per process."""
    global _installed
    compiler = getattr(re, "_compiler", None)
    original = getattr(compiler, "compile", None)
    if _installed or original is None or snapshot.cache_dir() is None:
        return
    _installed = True
    try:
        digest = snapshot.key(_FORMAT, sys.version, __version__)
        name = table_name(_NAME)
        known = snapshot.load_table(name, digest)  # each program decoded when its pattern is asked for
    except Exception:  # pragma: no cover - the snapshot is never worth a failed start
        return
    new: dict[Key, bytes] = {}

    def compile(p: Any, flags: int = 0) -> Any:  # re._compiler.compile's signature
        if type(p) is not str and type(p) is not bytes:  # (a parsed pattern, a str subclass …)
            return original(p, flags)
        key = (p, int(flags))
        stored = known.get(key)
        if stored is not None:
            found = _from_snapshot(stored, p)
            if found is not None:
                return found
        compiled = original(p, flags)
        if len(known) + len(new) < MAX_PATTERNS and _of_the_code(p):
            try:
                made = program_of(compiled)
                if made is not None:
                    new[key] = marshal.dumps(made)
            except Exception:  # a program that cannot be kept is compiled again next time
                pass
        return compiled

    compiler.compile = compile  # type: ignore[union-attr]
    atexit.register(snapshot.store_table, name, digest, known, new, MAX_PATTERNS)


_RE_FILES = frozenset({re.__file__, __file__})


def _of_the_code(pattern: Any) -> bool:
    """Whether a pattern being compiled belongs to the code, not to a document: it is a literal of
    the function that compiles it, or it is compiled while a module is imported."""
    frame: FrameType | None = sys._getframe(2)  # (above this and the compile step of the snapshot)
    while frame is not None and frame.f_code.co_filename in _RE_FILES:
        frame = frame.f_back
    if frame is not None and pattern in frame.f_code.co_consts:
        return True
    for _ in range(200):  # (a bound: an import is never that deep below its caller)
        if frame is None:
            return False
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _from_snapshot(stored: object, pattern: Any) -> re.Pattern[Any] | None:
    """The pattern from its stored program: plain data for this very pattern, that the regex
    engine accepts (None otherwise, and never an exception)."""
    try:
        program = marshal.loads(stored) if isinstance(stored, bytes) else None
        ok = (
            isinstance(program, tuple)
            and len(program) == 6
            and type(program[0]) is type(pattern)
            and program[0] == pattern
            and type(program[1]) is int
            and type(program[2]) is list
            and type(program[3]) is int
            and type(program[4]) is dict
            and type(program[5]) is tuple
        )
        return from_program(*program) if ok else None  # type: ignore[misc]
    except Exception:
        return None
