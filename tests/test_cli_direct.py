"""A plain `scraper clean` and `scraper --version` run without click (`scraper.cli.direct`): the
same output files, stdout, stderr and exit status as the click group gives for the same command
line; the lines it leaves to click get click's messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

DOC = str(FIXTURES / "controls" / "techhubms-syndicated-ms-news.md")
_RUN = "import sys; sys.argv[0] = 'scraper'; from scraper.cli.{} import main; main()"
LINES = [
    ["--version"],
    ["clean", "-q", DOC, "-o", "OUT"],
    ["clean", DOC, "--out", "OUT"],
    ["clean", "--json", DOC, "-o", "OUT", "--quiet"],
    ["clean", "--no-attribution-line", DOC, "MISSING.md", "-o", "OUT"],
    ["clean", "--attribution-line", "-q", DOC, "-o", "OUT", "-o", "OUT"],
    ["clean", DOC],  # the default output directory
    ["clean", DOC, "-o", "FILE"],  # left to click: a file for a directory
    ["clean", "-o", "OUT"],  # no path
    ["clean", "-q", DOC, "-o", "-x"],
    ["clean", "-qo", "OUT", DOC],
    ["clean", "--out=OUT", DOC],
    ["clean", "--", DOC, "-o", "OUT"],
    ["clean", DOC, "--bogus", "-o", "OUT"],
    ["clean", "--help"],
    ["--version", "clean"],
]


def _run(module: str, line: list[str], where: Path) -> tuple[int, str, str, dict[str, bytes]]:
    where.mkdir()
    (where / "FILE").write_text("x")
    env = {**os.environ, "SCRAPER_CACHE_DIR": ""}
    done = subprocess.run(
        [sys.executable, "-c", _RUN.format(module), *line], capture_output=True, text=True, cwd=where, env=env
    )
    files = {str(p.relative_to(where)): p.read_bytes() for p in sorted(where.rglob("*")) if p.is_file()}
    return done.returncode, done.stdout, done.stderr, files


@pytest.mark.parametrize("line", LINES, ids=[" ".join(x).replace(DOC, "DOC") for x in LINES])
def test_direct_run_is_the_click_run(tmp_path: Path, line: list[str]) -> None:
    direct = _run("main", line, tmp_path / "direct")
    click = _run("commands", line, tmp_path / "click")
    assert direct == click
    if line == ["clean", "-q", DOC, "-o", "OUT"]:
        assert direct[0] == 0 and len(direct[3]) == 3  # the document, its audit record, FILE
