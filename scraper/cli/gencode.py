"""The command-line process keeps the code that `dataclasses`, `namedtuple` and `typing` compile
from text.

Every dataclass writes the source of its `__init__`, `__repr__`, `__eq__` … and compiles it when
its module loads: some forty classes and two hundred functions, a sixth of the start-up of
`scraper clean` on one document. A named tuple compiles its `__new__` (`collections.namedtuple`'s
`eval`), and typing compiles each annotation a `NamedTuple` gives as text (`ForwardRef`); the
first compile of a process also builds the compiler's syntax-tree types, some 10 M instructions.
The compiled code is a pure function of the source text, the mode and the Python build, so this
module, installed by `scraper.cli` before anything else loads, gives `dataclasses` an `exec`,
`collections` an `eval` and `typing` a `compile` that use the code compiled for the same text in
an earlier run (kept as a snapshot, `cleaners.snapshot`, keyed by the exact Python version and
ours, marshalled as CPython keeps the code of every module in `__pycache__`: the whole table in
one stream, so the names the functions share are read once) and compile any other
text as the built-ins do (filename `<string>`, no inherited future flags: none of the three
modules has any), keeping it when the process ends, up to a bound. Anything else (code objects,
other filenames, flags or modes) goes to the built-ins unchanged. `SCRAPER_CACHE_DIR=""` turns it
off with every other snapshot.
"""

from __future__ import annotations

import atexit
import builtins
import re
import sys
from types import CodeType, ModuleType, SimpleNamespace
from typing import Any

from cleaners import snapshot
from scraper import __version__
from scraper.cli.regexes import table_name

MAX_SOURCES = 4096  # generated functions kept
_NAME = "dataclass-code"
_FORMAT = "dataclass-code-3"  # (mode, source) -> code, all in one marshal stream
_installed = False
_MODULES = ("dataclasses", "collections", "typing")


def install() -> None:
    """Give `dataclasses`, `collections` and `typing` an exec, eval and compile that reuse the code
    compiled in earlier runs, once per process."""
    global _installed
    if _installed or snapshot.cache_dir() is None:
        return
    import collections
    import dataclasses
    import typing

    if any(n in vars(sys.modules[m]) for m in _MODULES for n in ("exec", "eval", "compile")):
        return  # (someone else's already)
    _installed = True
    try:
        digest = snapshot.key(_FORMAT, sys.version, __version__)
        name = table_name(_NAME)
        known = snapshot.load_table(name, digest)
    except Exception:  # pragma: no cover - the snapshot is never worth a failed start
        return
    new: dict[tuple[str, str], CodeType] = {}

    def code_of(source: str, mode: str) -> CodeType:
        key = (mode, source)
        code = known.get(key)
        if type(code) is not CodeType or code.co_filename != "<string>":
            code = builtins.compile(source, "<string>", mode, dont_inherit=True)  # as the built-ins
            if len(known) + len(new) < MAX_SOURCES:  # would from these modules
                new[key] = code
        return code

    def exec_(source: Any, globals: Any = None, locals: Any = None, /) -> None:
        if type(source) is not str:
            return builtins.exec(source, globals, locals)
        return builtins.exec(code_of(source, "exec"), globals, locals)

    def eval_(source: Any, globals: Any = None, locals: Any = None, /) -> Any:
        if type(source) is not str:
            return builtins.eval(source, globals, locals)
        return builtins.eval(code_of(source, "eval"), globals, locals)

    def compile_(source: Any, filename: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
        if type(source) is str and filename == "<string>" and mode == "eval" and not args and not kwargs:
            return code_of(source, "eval")
        return builtins.compile(source, filename, mode, *args, **kwargs)

    _split_annotations_once(dataclasses)
    dataclasses.exec = exec_  # type: ignore[attr-defined]
    collections.eval = eval_  # type: ignore[attr-defined]
    typing.compile = compile_  # type: ignore[attr-defined]
    atexit.register(snapshot.store_table, name, digest, known, new, MAX_SOURCES)


class _Memo(dict[Any, Any]):
    """A pattern's matches by text, each text matched once."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__()
        self.pattern = pattern

    def __missing__(self, text: Any) -> Any:
        found = self.pattern.match(text)
        if type(text) is str and len(self) < MAX_SOURCES:
            self[text] = found
        return found


def _split_annotations_once(dataclasses: ModuleType) -> None:
    """`dataclasses` matches every field's annotation text (with `from __future__ import
    annotations`, all of them) against one pattern three times, to see whether it names ClassVar,
    InitVar or KW_ONLY: each text is matched once (a match is a pure function of the text, and
    only read)."""
    pattern = getattr(dataclasses, "_MODULE_IDENTIFIER_RE", None)
    if isinstance(pattern, re.Pattern):
        dataclasses._MODULE_IDENTIFIER_RE = SimpleNamespace(match=_Memo(pattern).__getitem__)  # type: ignore[attr-defined]
