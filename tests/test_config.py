"""sources.toml: defaults, per-source overrides, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.errors import UsageError
from scraper.sources.config import load_config


def config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "local").mkdir(exist_ok=True)
    path = tmp_path / "sources.toml"
    path.write_text(text, "utf-8")
    return path


def test_top_level_defaults_and_per_source_overrides(tmp_path: Path) -> None:
    cfg = load_config(
        config(
            tmp_path,
            "allow_private = true\nper_host = 4\nmax_pages = 50\n"
            '[[sources]]\nname = "a"\nurls = ["http://127.0.0.1:8000/x"]\n'
            '[[sources]]\nname = "b"\npath = "local"\nper_host = 1\nallow_private = false\n',
        )
    )
    a, b = cfg.sources
    assert (a.allow_private, a.per_host, a.max_pages, a.kind) == (True, 4, 50, "urls")
    assert (b.allow_private, b.per_host, b.kind) == (False, 1, "path")
    assert b.targets == (str(tmp_path / "local"),)
    assert cfg.out_dir == tmp_path / "out" and cfg.revalidate_hours == 24


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('colour = 1\n[[sources]]\nname = "a"\npath = "local"\n', "unknown key 'colour'"),
        ('per_host = 0\n[[sources]]\nname = "a"\npath = "local"\n', "per_host must be at least 1"),
        ('[[sources]]\nname = "a"\npath = "local"\nfeed = "http://x/f"\n', "give exactly one of"),
        ('[[sources]]\nname = "a"\nsitemap = "ftp://x/s.xml"\n', "not an http(s) URL"),
        ('[[sources]]\nname = "a"\npath = "nowhere"\n', "no such file or directory 'nowhere'"),
        ('[[sources]]\nname = "a b"\npath = "local"\n', "needs a name of letters"),
        ('[[sources]]\nname = "a"\npath = "local"\n[[sources]]\nname = "a"\npath = "local"\n', "used twice"),
        (
            '[[sources]]\nname = "a"\npath = "local"\ndelay = "soon"\n',
            "sources[0] (a).delay must be a number",
        ),
        (
            'dask = "127.0.0.1:8786"\n[[sources]]\nname = "a"\npath = "local"\n',
            "dask: expected tcp://HOST:PORT",
        ),
        ('dask = "local:0"\n[[sources]]\nname = "a"\npath = "local"\n', "local:N (N worker processes on"),
        (
            'dask_archive = "archive"\n[[sources]]\nname = "a"\npath = "local"\n',
            "dask_archive must be an absolute path or a URL (file://…, s3://…), not 'archive'",
        ),
        ("out_dir = 'out'\n", "no [[sources]]"),
        ("[[sources]\n", "not valid TOML"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        load_config(config(tmp_path, text))
