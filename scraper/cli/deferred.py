"""Modules that a library imports at its own start but uses only on a rare path, loaded when
first used: the command's start-up, with the same behaviour.

* `dataclasses` imports `inspect` (with `ast`, `dis`, `tokenize` …, a tenth of the start-up of
  `scraper clean`) only to write a signature into a class without a docstring; ours all have one.
* `selectolax.lexbor` imports `logging` (with `threading`, `traceback`, `string` …, a
  twentieth) to make one logger, which writes only when a removed node is unwrapped.
* `uuid` (which orjson loads) imports `platform` only to ask `platform.system()` whether it runs
  on Linux or AIX; on Linux that is `os.uname().sysname`, exactly.

While the library loads, a stand-in module answers to the name; once it is loaded the name is
the real module's again, for everyone. What the library kept of the stand-in loads the real
module on its first use (an attribute read, a logger's first call) and hands over to it. Nothing
is done when either module is loaded already.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from types import ModuleType
from typing import Any


class _StandIn(ModuleType):
    """A module's name until the module is first used: the real one loads on the first read of
    an attribute the stand-in lacks."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__spec__ = None  # (what `import` checks of a module it finds loaded)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    def _real(self) -> ModuleType:
        if sys.modules.get(self.__name__) is self:  # (read while the library loads)
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)


class _Logger:
    """`logging.getLogger(name)` until the logger is first used."""

    def __init__(self, name: str | None) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        import logging

        return getattr(logging.getLogger(self._name), attr)


class _Logging(_StandIn):
    def getLogger(self, name: str | None = None) -> Any:  # (logging's name)
        return _Logger(name)


class _Platform(_StandIn):
    def system(self) -> str:  # (platform's name)
        name = os.uname().sysname
        if name == "Linux":  # (what platform.uname() makes of os.uname() on Linux: the same name)
            return name
        return str(self._real().system())


def _load_with(stand_in: _StandIn, library: str) -> None:
    """Import `library` while `stand_in` answers to its module's name."""
    name = stand_in.__name__
    if library in sys.modules or name in sys.modules:
        return
    sys.modules[name] = stand_in
    try:
        importlib.import_module(library)
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]


def dataclasses_without_inspect() -> None:
    """Load `dataclasses`; `inspect` loads on its first use."""
    _load_with(_StandIn("inspect"), "dataclasses")


def lexbor_without_logging() -> None:
    """Load `selectolax.lexbor`; `logging` loads when its logger is first used."""
    with contextlib.suppress(ImportError):  # (then it fails where it is imported, as always)
        _load_with(_Logging("logging"), "selectolax.lexbor")


def uuid_without_platform() -> None:
    """Load `uuid`; `platform` loads when first used (on a system other than Linux: at once)."""
    if os.name == "posix" and hasattr(os, "uname"):
        _load_with(_Platform("platform"), "uuid")
