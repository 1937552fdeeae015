"""The command line, one module per command (`clean`, `fetch`, `run`, `audit`); `main` holds the
click group and every option, and imports a command's module only when it runs, so `run`,
`fetch` and `audit` never load the extraction stack in the main process. `report` holds what
the commands print: the one progress reporter and the JSON views of an outcome.

The top of the dependency graph: may import anything; nothing imports it.
"""

from __future__ import annotations

import gc
import os
import sys


def _is_the_command() -> bool:
    """This process runs `scraper` (the installed command or `python -m scraper`)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if spec is not None:
        return bool(spec.name == "scraper.__main__")
    return os.path.basename(sys.argv[0] if sys.argv else "") in ("scraper", "scraper.exe")


_collector_paused = False
_YOUNG = 20_000


def pause_collector() -> None:
    """The cyclic garbage collector off while modules load (`resume_collector` turns it back on)."""
    global _collector_paused
    if gc.isenabled():
        gc.disable()
        _collector_paused = True


def load_snapshots() -> None:
    """Regex programs and dataclass code from this process kind's snapshots, before click and the
    rest load (regexes first: dataclasses compiles a pattern as it loads)."""
    from scraper.cli import deferred, gencode, regexes

    regexes.install()
    deferred.dataclasses_without_inspect()
    gencode.install()


def resume_collector() -> None:
    """The cyclic garbage collector back on, once the command's modules are loaded (the objects
    made so far, nearly all of them for the whole process, kept out of its later passes).

    Its youngest generation is collected every `_YOUNG` container allocations instead of every
    700: extraction makes and drops short-lived objects by the million (lxml, trafilatura), and
    most are freed by their reference counts before a pass would look at them. Garbage in cycles
    waits a little longer (at most that many objects); peak memory measured the same."""
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.freeze()
        gc.set_threshold(_YOUNG, *gc.get_threshold()[1:])
        gc.enable()


def done() -> None:
    """The command's work is done: what is left is kept out of the collector's last passes at exit
    (they walk every object, and find next to nothing). The interpreter still frees it all with
    the modules, by reference counts; only garbage in reference cycles, whose finalizers the
    command does not need (its files are written and closed), is left to the operating system.
    Only in the command's own process: a program that runs a command in-process keeps its own."""
    if _is_the_command():
        gc.freeze()


# (`scraper --version` loads neither a pattern nor a dataclass: no snapshot to read)
if _is_the_command() and sys.argv[1:] != ["--version"]:
    # Loading modules makes objects that live as long as the process: the collector's passes over
    # them find nothing (start-up time). It is off until the command starts its work.
    pause_collector()
    load_snapshots()
