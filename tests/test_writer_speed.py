"""The writer's fast paths change no byte: audit records through orjson are the bytes the
standard encoder wrote (every string, key order and nesting; floats, big integers and other keys
go to the standard encoder), and `scraper clean` of many files syncs the output directory once,
after every file is renamed into place, before it reports anything."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.store import staging, writer

ROOT = Path(__file__).resolve().parent.parent


def standard(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)  # every code point but surrogates
_LEAF = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT
_VALUE = st.recursive(
    _LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_TEXT, _VALUE, max_size=6))
def test_audit_json_is_the_standard_encoders_bytes(record: dict[str, Any]) -> None:
    assert writer.audit_json(record) == standard(record)


@pytest.mark.parametrize(
    "record",
    [
        {"a": [], "b": {}, "c": [{}], "d": ""},
        {"ctl": "".join(map(chr, range(0x20))) + '\x7f\x80\u2028\u2029\ufeff"\\/'},
        {"big": 1 << 63, "neg": -(1 << 63), "float": 1e16, "tiny": 5e-324},
        {"tuple": (1, "x", (None, True)), "nested": [[[[]]]]},
        {1: "integer key", "s": "x"},
    ],
)
def test_audit_json_edge_values(record: dict[str, Any]) -> None:
    assert writer.audit_json(record) == standard(record)


def test_audit_json_refuses_lone_surrogates_as_before() -> None:
    with pytest.raises(UnicodeEncodeError):
        writer.audit_json({"s": "\udc80"})


def test_clean_syncs_each_file_then_renames_then_syncs_the_directory_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cleaners import load_rules
    from scraper.jobs.batch import run_clean
    from scraper.model import CleanOptions

    src = tmp_path / "in"
    src.mkdir()
    article = (ROOT / "fixtures" / "controls" / "techhubms-syndicated-ms-news.md").read_bytes()
    for i in range(3):
        (src / f"a{i}.md").write_bytes(article)
    events: list[tuple[str, str]] = []
    real_replace, real_sync, real_data = os.replace, staging.fsync_dir, staging._datasync
    names: dict[int, str] = {}

    def replace(a: str, b: str) -> None:
        events.append(("rename", Path(b).name))
        real_replace(a, b)

    def sync(d: Path) -> None:
        events.append(("sync", Path(d).name))
        real_sync(d)

    def datasync(fd: int) -> None:
        events.append(("data", names[fd]))
        real_data(fd)

    real_stage = staging.stage

    def stage(path: Path, data: bytes) -> staging.Staged:
        staged = real_stage(path, data)
        names[staged.fd] = path.name
        events.append(("temp", path.name))
        return staged

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(staging, "fsync_dir", sync)
    monkeypatch.setattr(staging, "_datasync", datasync)
    monkeypatch.setattr(writer, "stage", stage)
    out = tmp_path / "out"
    outcomes = run_clean([str(src)], out, CleanOptions(load_rules()), io.BytesIO())
    assert [o.status for o in outcomes] == ["ok"] * 3
    files = [f"a{i}{suffix}" for i in range(3) for suffix in (".audit.json", ".md")]
    # one batch: every file written, then each one's data synced, then each renamed (the audit
    # record before its document), then the directory synced once
    assert events == [
        *[("temp", f) for f in files],
        *[("data", f) for f in files],
        *[("rename", f) for f in files],
        ("sync", "out"),
    ]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp file left
    # a second run writes nothing, so syncs nothing
    events.clear()
    run_clean([str(src)], out, CleanOptions(load_rules()), io.BytesIO())
    assert events == []
