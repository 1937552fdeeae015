"""A cleaning process's entry point (jobs.procs starts each worker as `python -c` with this
module's `serve`): it starts like the command does. The collector is off while the extraction
stack loads, the regex programs and dataclass code come from this process kind's own snapshots
(regexes.worker, dataclass-code.worker), and once loaded the stack is kept out of the
collector's passes, whose youngest generation is collected every 20,000 allocations as in the
command (scraper.cli.resume_collector). Same cleaning, same answers; a worker's start-up is
half the instructions (the extraction stack's patterns are not compiled anew by each worker).
"""

from __future__ import annotations


def serve() -> None:
    """Set the process up like the command, then answer tasks (jobs.procs.serve)."""
    from scraper import cli

    cli.pause_collector()
    cli.load_snapshots()
    from scraper.jobs.procs import serve as answer

    answer(cli.resume_collector)
