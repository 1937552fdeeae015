"""What the commands print: the one progress reporter, and the JSON views of an Outcome.

`scraper clean --json` and `scraper fetch --json` print `{"documents": [...]}` (clean_json,
fetch_json); `scraper run` prints one JSON line per outcome (run_json). The README documents
each shape.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from cleaners import count_by_category
from scraper.model import DOC_KINDS, Outcome

if TYPE_CHECKING:
    from rich.progress import Progress

NO_SOURCE = {"name": None, "url": None}
# what would break a line or a terminal: C0 and C1 controls, DEL, line and paragraph separators
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """Text as one printable line: control characters (a newline in a file name …) escaped."""
    return _CONTROLS.sub(lambda m: _NAMED.get(m.group(), _escape(ord(m.group()))), text)


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def echo(message: str, err: bool = False) -> None:
    """`click.echo`: click loads when a command first prints (a quiet `scraper clean` never does)."""
    import click

    click.echo(message, err=err)


def error(message: str) -> None:
    """The one-line error every command prints on stderr."""
    echo(f"scraper: error: {one_line(message)}", err=True)


def notice(message: str) -> None:
    """A one-line note on stderr (a lock taken over …)."""
    echo(f"scraper: note: {one_line(message)}", err=True)


class Reporter:
    """Progress of a command that works through many URLs: on a terminal (and unless `bar` is
    off), a bar of outcomes done — the total is unknown, feeds and sitemaps add to it — with
    lines printed above it; plain lines on stderr otherwise."""

    def __init__(self, label: str, bar: bool = True) -> None:
        from rich.console import Console  # (not loaded for `scraper clean`: start-up time)
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(stderr=True)
        self.progress: Progress | None = None
        if bar and self.console.is_terminal:
            self.progress = Progress(
                TextColumn(f"[bold]{label}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=self.console,
                transient=True,
            )
            self.task = self.progress.add_task("", total=None)
            self.progress.start()

    @property
    def bar(self) -> bool:
        return self.progress is not None

    def advance(self, o: Outcome) -> None:
        if self.progress is not None:
            self.progress.update(self.task, advance=1, description=o.url[-60:])

    def line(self, text: str) -> None:
        """A line on stderr (above the bar, when there is one)."""
        console = self.progress.console if self.progress is not None else self.console
        console.print(one_line(text), markup=False, highlight=False, soft_wrap=True)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def clean_json(o: Outcome) -> dict[str, Any]:
    """A document of `scraper clean --json`."""
    return {
        "input": o.url,
        "output": o.output,
        "status": o.status if o.status in ("error", "skipped") else "ok",
        "error": o.error,
        "removed": count_by_category(()) | o.counts,
        "original_source": o.source or NO_SOURCE,
    }


def fetch_json(o: Outcome) -> dict[str, Any]:
    """A document of `scraper fetch --json`."""
    return {
        "url": o.url,
        "input": o.url,
        "kind": o.kind,
        "output": o.output,
        "status": o.status,
        "reason": o.reason,
        "error": o.error,
        "removed": count_by_category(()) | o.counts,
        "original_source": o.source or NO_SOURCE,
    }


def run_json(o: Outcome, run: int) -> dict[str, Any]:
    """A JSON line of `scraper run`: one per document and listing."""
    data: dict[str, Any] = {
        "event": "document" if o.kind in DOC_KINDS else "listing",
        "run": run,
        "source": o.origin,
        "kind": o.kind,
        "url": o.url,
        "status": o.verdict,
    }
    if o.reason:
        data["reason"] = o.reason
    if o.error:
        data["error"] = o.error
    if o.found_in:
        data["found_in"] = o.found_in
    if o.output:
        data["output"] = o.output
    if o.counts:
        data["removed"] = {k: v for k, v in o.counts.items() if v}
        data["original_source"] = o.source
    if o.fingerprint:
        data["fingerprint"] = o.fingerprint
    return data
