"""A cleaning process's entry point (jobs.procs starts each worker as `python -c` with this
module's `serve`): it starts like the command does. The collector is off while the extraction
stack loads, the regex programs and dataclass code come from this process kind's own snapshots
(regexes.worker, dataclass-code.worker), and once loaded the stack is kept out of the
collector's passes, whose youngest generation is collected every 20,000 allocations as in the
command (scraper.cli.resume_collector). Same cleaning, same answers; a worker's start-up is
half the instructions (the extraction stack's patterns are not compiled anew by each worker).
"""

from __future__ import annotations

import gc


def serve() -> None:
    """Set the process up like the command, then answer tasks (jobs.procs.serve)."""
    if gc.isenabled():
        gc.disable()
    from scraper.cli import deferred, gencode, regexes

    regexes.install()
    deferred.dataclasses_without_inspect()
    gencode.install()
    from scraper.cli import _YOUNG
    from scraper.jobs.procs import serve as answer

    def loaded() -> None:
        gc.freeze()
        gc.set_threshold(_YOUNG, *gc.get_threshold()[1:])
        gc.enable()

    answer(loaded)
