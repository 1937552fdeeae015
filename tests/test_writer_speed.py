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

from scraper.store import writer

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


def test_clean_syncs_each_output_directory_once_after_every_rename(
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
    real_replace, real_sync = os.replace, writer.fsync_dir

    def replace(a: str, b: str) -> None:
        events.append(("rename", Path(b).name))
        real_replace(a, b)

    def sync(d: Path) -> None:
        events.append(("sync", Path(d).name))
        real_sync(d)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(writer, "fsync_dir", sync)
    out = tmp_path / "out"
    outcomes = run_clean([str(src)], out, CleanOptions(load_rules()), io.BytesIO())
    assert [o.status for o in outcomes] == ["ok"] * 3
    assert events[-1] == ("sync", "out") and [e for e in events if e[0] == "sync"] == [("sync", "out")]
    assert sorted(name for kind, name in events if kind == "rename") == sorted(
        f"a{i}{suffix}" for i in range(3) for suffix in (".md", ".audit.json")
    )
    # a second run writes nothing, so syncs nothing
    events.clear()
    run_clean([str(src)], out, CleanOptions(load_rules()), io.BytesIO())
    assert events == []
