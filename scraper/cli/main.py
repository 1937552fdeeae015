"""The `scraper` command: a command line with one meaning (`scraper --version`, a plain
`scraper clean`) runs without loading click (`scraper.cli.direct`); every other one, help and
errors included, goes to the click group (`scraper.cli.commands`)."""

from __future__ import annotations

import sys


def main() -> None:
    from scraper.cli import direct

    direct.plain(sys.argv[1:])
    from scraper.cli import resume_collector
    from scraper.cli.commands import main as group

    resume_collector()
    group()
