"""The command-line process keeps the code that `dataclasses` generates.

Every dataclass writes the source of its `__init__`, `__repr__`, `__eq__` … and compiles it when
its module loads: some forty classes and two hundred functions, a sixth of the start-up of
`scraper clean` on one document. The compiled code is a pure function of the source text and the
Python build, so this module, installed by `scraper.cli` before anything else loads, gives
`dataclasses` an `exec` that runs the code compiled for the same text in an earlier run (kept as
a snapshot, `cleaners.snapshot`, keyed by the exact Python version and ours, marshalled as
CPython keeps the code of every module in `__pycache__`) and compiles any other text as
`exec` does (same filename, no inherited future flags), keeping it when the process ends, up to
a bound. `SCRAPER_CACHE_DIR=""` turns it off with every other snapshot.
"""

from __future__ import annotations

import atexit
import builtins
import marshal
import sys
from types import CodeType
from typing import Any

from cleaners import snapshot
from scraper import __version__
from scraper.cli.regexes import table_name

MAX_SOURCES = 4096  # generated functions kept
_NAME = "dataclass-code"
_FORMAT = "dataclass-code-1"
_installed = False


def install() -> None:
    """Give `dataclasses` an exec that reuses the code compiled in earlier runs, once per process."""
    global _installed
    if _installed or snapshot.cache_dir() is None:
        return
    import dataclasses

    if "exec" in vars(dataclasses):  # (someone else's already)
        return
    _installed = True
    try:
        digest = snapshot.key(_FORMAT, sys.version, __version__)
        name = table_name(_NAME)
        known = snapshot.load_table(name, digest)
    except Exception:  # pragma: no cover - the snapshot is never worth a failed start
        return
    new: dict[str, bytes] = {}

    def exec_(source: Any, globals: Any = None, locals: Any = None, /) -> None:
        if type(source) is not str:
            return builtins.exec(source, globals, locals)
        code = _code(known.get(source))
        if code is None:
            code = compile(source, "<string>", "exec", dont_inherit=True)  # as exec(source) would
            if len(known) + len(new) < MAX_SOURCES:
                new[source] = marshal.dumps(code)
        return builtins.exec(code, globals, locals)

    dataclasses.exec = exec_  # type: ignore[attr-defined]
    atexit.register(snapshot.store_table, name, digest, known, new, MAX_SOURCES)


def _code(stored: object) -> CodeType | None:
    try:
        code = marshal.loads(stored) if isinstance(stored, bytes) else None
    except Exception:
        return None
    return code if type(code) is CodeType and code.co_filename == "<string>" else None
