"""What the commands do once their options are read, without click; and a plain `scraper clean`
or `scraper --version` run without loading click at all.

Loading click and building the group with every option and help text is a fifth of the start-up
of `scraper clean` on one document, for a command line that needs none of it. `plain` reads the
command lines that have one meaning — `scraper --version`, or `scraper clean` with paths and only
`-q`/`--quiet`, `--json`, `-o`/`--out DIR`, `--[no-]attribution-line` — the way click would, checks
the output directory as its `Path` type does, and runs the very function the click command runs.
Anything else (help, another command or option, `--`, `-`, a value that looks like an option, an
output path click would refuse, shell completion, Windows) is left to click: same messages, same
exit codes. Printing, and an interrupt or a closed pipe, go through click itself.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from scraper import __version__, settings
from scraper.cli import done, resume_collector

TYPE_CHECKING = False  # (`scraper --version` loads no typing: a tenth of its start-up)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, NoReturn

    from scraper.model import CleanOptions

_FLAGS = {
    "-q": ("quiet", True),
    "--quiet": ("quiet", True),
    "--json": ("as_json", True),
    "--attribution-line": ("attribution_line", True),
    "--no-attribution-line": ("attribution_line", False),
}
_OUT = ("-o", "--out")


def err(message: str) -> None:
    from scraper.cli.report import error

    error(message)


def one_backend(workers: int | None, dask: str | None) -> None:
    from scraper.model import ExitCode  # (not for `scraper --version`)

    if workers is not None and dask is not None:
        err("--workers and --dask cannot be combined (the Dask workers do the cleaning)")
        sys.exit(ExitCode.USAGE)


def clean_options(rules: tuple[Path, ...], attribution_line: bool) -> CleanOptions:
    from cleaners import RulesError, load_rules  # the rules load for commands that clean only
    from scraper.model import CleanOptions, ExitCode

    try:
        return CleanOptions(load_rules(*rules), attribution_line=attribution_line)
    except RulesError as exc:
        err(str(exc))
        sys.exit(ExitCode.USAGE)


def clean(
    paths: tuple[str, ...],
    out_dir: Path,
    as_json: bool,
    rules: tuple[Path, ...],
    attribution_line: bool,
    workers: int | None,
    dask: str | None,
    quiet: bool,
) -> NoReturn:
    """`scraper clean` with its options read (the click command's body)."""
    from scraper.model import ExitCode

    if "-" in paths and as_json:
        err("--json cannot be combined with '-' (the cleaned document goes to stdout)")
        sys.exit(ExitCode.USAGE)
    if paths.count("-") > 1:
        err("standard input ('-') can be given once")
        sys.exit(ExitCode.USAGE)
    one_backend(workers, dask)
    from scraper.cli.deferred import uuid_without_platform

    uuid_without_platform()  # (orjson loads uuid)
    from scraper.cli.clean import clean_command  # the extraction stack loads where it is used

    here = workers is None and dask is None  # cleaned in this process
    if here:
        from scraper.cli.deferred import lexbor_without_logging

        lexbor_without_logging()
    opts = clean_options(rules, attribution_line)
    if here:  # the cleaning modules load now, with the command's (the collector still paused)
        import scraper.pipeline.core  # noqa: F401
    resume_collector()
    code = clean_command(list(paths), out_dir, opts, as_json, quiet, dask, workers)
    done()
    sys.exit(code)


def plain(argv: list[str]) -> None:
    """Run a command line that has one meaning (see the module); return if it is not one."""
    if os.name != "posix" or any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return
    if argv == ["--version"] and sys.stdout is not None:
        _as_click_would(_version)
    if argv[:1] == ["clean"]:
        found = _clean_line(argv[1:])
        if found is not None:
            paths, values = found
            _as_click_would(lambda: clean(paths, rules=(), workers=None, dask=None, **values))


def _clean_line(args: list[str]) -> tuple[tuple[str, ...], dict[str, Any]] | None:
    """The paths and option values of `scraper clean ARGS` as click reads them, or None."""
    values: dict[str, Any] = {
        "quiet": False,
        "as_json": False,
        "attribution_line": settings.ATTRIBUTION_LINE,
    }
    out: str | Path = settings.OUT_DIR
    paths: list[str] = []
    tokens = iter(args)
    for token in tokens:
        if token in _FLAGS:
            name, value = _FLAGS[token]
            values[name] = value
        elif token in _OUT:
            out = next(tokens, "")
            if not out or out.startswith("-"):
                return None
        elif not token or token.startswith("-"):
            return None
        else:
            paths.append(token)
    out_dir = _directory(out)
    if not paths or out_dir is None:
        return None
    values["out_dir"] = out_dir
    return tuple(paths), values


def _directory(value: str | Path) -> Path | None:
    """`click.Path(file_okay=False, path_type=Path)` of value, or None where click would refuse
    it (an existing path that is not a readable directory)."""
    try:
        st = os.stat(value)
    except OSError:
        return Path(value)
    if stat.S_ISREG(st.st_mode) or not os.access(value, os.R_OK):
        return None
    return Path(value)


def _version() -> NoReturn:
    """`click.version_option(__version__, prog_name="scraper")`'s message."""
    from gettext import gettext as _

    message = _("%(prog)s, version %(version)s") % {
        "prog": "scraper",
        "package": None,
        "version": __version__,
    }
    sys.stdout.write(f"{message}\n")
    sys.stdout.flush()
    sys.exit(0)


def _as_click_would(run: Callable[[], object]) -> NoReturn:
    """Run `run` as click's standalone mode runs a command: an interrupt, end of input or a
    closed pipe is handed to click, which reports it and exits as it always does."""
    try:
        run()
    except (EOFError, KeyboardInterrupt, BrokenPipeError) as exc:
        _click_handles(exc)
    sys.exit(0)  # (run always exits)


def _click_handles(exc: BaseException) -> NoReturn:
    import click

    @click.command()
    def reraise() -> None:
        raise exc

    reraise.main(args=[], prog_name="scraper")
    raise AssertionError("unreachable")  # pragma: no cover - main exits
