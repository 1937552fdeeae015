"""Start-up of `scraper clean`: what one Markdown document loads, and the regex programs the
command keeps between runs (the same output whether they come from the snapshot, a corrupt one
or none)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

DOC = FIXTURES / "controls" / "techhubms-syndicated-ms-news.md"
# the fetch stack, the HTML extraction stack, the optional backends, and click (a plain command
# line is read without it)
NOT_FOR_MARKDOWN = (
    "click",
    "httpx",
    "httpcore",
    "asyncio",
    "trafilatura",
    "lxml",
    "charset_normalizer",
    "rich",
    "dask",
    "sqlite3",
)
_PROBE = """
import sys
from scraper.cli.main import main
sys.argv = ["scraper", "clean", "-q", sys.argv[1], "-o", sys.argv[2]]
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
print(" ".join(m for m in sys.argv[3:] if m in sys.modules))
"""


def _env(cache: Path | str) -> dict[str, str]:
    return {**os.environ, "SCRAPER_CACHE_DIR": str(cache)}


def test_cleaning_markdown_loads_no_fetch_or_html_stack(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(DOC), str(tmp_path / "out"), *NOT_FOR_MARKDOWN],
        capture_output=True,
        text=True,
        env=_env(tmp_path / "cache"),
        check=True,
    )
    assert out.stdout.split() == []


def _clean(tmp_path: Path, cache: Path | str, name: str) -> bytes:
    out = tmp_path / name
    subprocess.run(
        [sys.executable, "-m", "scraper", "clean", "-q", str(DOC), "-o", str(out)],
        env=_env(cache),
        check=True,
    )
    return b"".join(p.read_bytes() for p in sorted(out.iterdir()))


def test_regex_programs_from_the_snapshot_give_the_same_output(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    without = _clean(tmp_path, "", "none")
    assert _clean(tmp_path, cache, "first") == without  # compiles, stores
    (snap,) = cache.glob("regexes.clean-*.bin")
    assert snap.stat().st_size > 10_000  # click's, PyYAML's, the cleaners' patterns
    assert _clean(tmp_path, cache, "second") == without  # from the snapshot
    data = bytearray(snap.read_bytes())
    data[len(data) // 2] ^= 0xFF
    snap.write_bytes(bytes(data))
    assert _clean(tmp_path, cache, "corrupt") == without


def test_a_refused_program_is_compiled_anew(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import marshal

    from cleaners import snapshot

    cache = tmp_path / "cache"
    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(cache))
    _clean(tmp_path, cache, "first")
    (snap,) = cache.glob("regexes.clean-*.bin")
    digest = snap.stem.split("-", 1)[1] + "0" * 24
    entries = snapshot.load_table("regexes.clean", digest)
    assert entries
    broken = {}
    for key, stored in entries.items():
        p = marshal.loads(stored)
        broken[key] = marshal.dumps((p[0], p[1], [99999, *p[2][1:]], *p[3:]))
    snapshot.store("regexes.clean", digest, marshal.dumps(broken))
    assert _clean(tmp_path, cache, "broken") == _clean(tmp_path, "", "none")
    repaired = snapshot.load_table("regexes.clean", digest)  # the programs refused are replaced
    still = [k for k in broken if marshal.loads(repaired[k])[2][0] == 99999]
    assert len(still) < len(broken) / 2  # (those this run did not ask for stay until asked)


_HOOKED = """
import re, sys
from scraper.cli import regexes
regexes.install()
class Text(str):
    pass
found = [
    re.compile(Text("(?P<a>x+)y")).match("xxy").group("a"),
    re.compile(rb"[\\x00-\\x7f]+", re.I).match(b"abc\\xff").group(),
    re.compile(r"(?i)caf\\u00e9|\\d{2,}").findall("CAF\\u00c9 12 3"),
    re.compile("[^\\x09\\x0A\\x0D\\x20-\\x7E\\x85\\xA0-\\uD7FF\\uE000-\\uFFFD]").search("ok\\x07").start(),
    re.Scanner([(r"\\d+", lambda s, t: int(t)), (r"\\s+", None)]).scan("1 22 333")[0],
]
print(repr(found))
"""


def test_patterns_through_the_snapshot_match_as_compiled(tmp_path: Path) -> None:
    """str subclasses, bytes, flags, inline flags, wide classes and re.Scanner: the same matches
    without a snapshot, while one is made, and from it."""

    def run(cache: Path | str) -> str:
        env = _env(cache)
        return subprocess.run(
            [sys.executable, "-c", _HOOKED], capture_output=True, text=True, env=env, check=True
        ).stdout

    plain = run("")
    assert plain.startswith("['xx', b'abc', ['CAFÉ', '12'], 2, [1, 22, 333]]")
    assert run(tmp_path / "c") == plain
    assert list((tmp_path / "c").glob("regexes.other-*.bin"))
    assert run(tmp_path / "c") == plain


_DATACLASSES = """
from __future__ import annotations
import dataclasses, inspect, sys
from scraper.cli import gencode
gencode.install()
from dataclasses import InitVar, dataclass, field

@dataclass(frozen=True, order=True)
class A:
    x: int
    y: str = "y"
    z: list[int] = field(default_factory=list, compare=False)

@dataclass(kw_only=True, slots=True)
class B:
    a: int
    b: InitVar[int] = 2
    c: int = 0
    def __post_init__(self, b: int) -> None:
        self.c = self.a + b

@dataclass(eq=False, repr=False, unsafe_hash=True)
class C:
    q: float = 1.5

a = A(1)
print(a, a < A(2), hash(a) == hash(A(1)), a == A(1, z=[3]), A.__init__.__annotations__)
try:
    a.x = 2
except dataclasses.FrozenInstanceError as exc:
    print("frozen", type(exc).__name__)
print(B(a=1), B(a=1, b=5).c, inspect.signature(B), B.__init__.__annotations__)
print(C().q, C.__eq__ is object.__eq__)
print(A.__doc__, B.__doc__, sorted(vars(A)))

import typing as t
from typing import ClassVar
from dataclasses import KW_ONLY
CV = ClassVar

@dataclass
class D:  # (annotations given as text: whether one names ClassVar, InitVar, KW_ONLY is read from it)
    k: ClassVar[int] = 1
    k2: t.ClassVar[str] = "s"
    k3: CV = 3
    x: int = 0
    _: KW_ONLY
    i: InitVar[int] = 0
    z: dataclasses.InitVar[int] = 4
    w:int=5
print([f.name for f in dataclasses.fields(D)], inspect.signature(D), D.k, D.k2, D.k3, D(i=1).w)

import collections, typing
class N(typing.NamedTuple):  # (its annotations are text: typing compiles them)
    a: int
    b: list[str] | None = None
P = collections.namedtuple("P", "x y", defaults=[2])
print(N(1), N.__annotations__, N.__new__.__defaults__, P(1), P._fields, P.__new__.__code__.co_varnames)
print(typing.ForwardRef("int | None").__forward_code__.co_names, typing.get_type_hints(N))
try:
    typing.ForwardRef("a b")
except SyntaxError as exc:
    print("syntax", exc)
"""


def test_dataclasses_from_the_snapshot_behave_as_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(cache: Path | str) -> str:
        env = _env(cache)
        cmd = [sys.executable, "-c", _DATACLASSES]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout

    plain = run("")
    assert "A(x=1, y='y', z=[]) True True True" in plain and "frozen FrozenInstanceError" in plain
    assert "N(a=1, b=None)" in plain and "P(x=1, y=2)" in plain
    fields = "x: 'int' = 0, *, i: 'InitVar[int]' = 0, z: 'dataclasses.InitVar[int]' = 4, w: 'int' = 5"
    assert f"['x', 'w'] ({fields}) -> None 1 s 3 5" in plain  # (ClassVars, InitVars, KW_ONLY: no fields)
    assert "syntax Forward reference must be an expression -- got 'a b'" in plain
    assert run(tmp_path / "c") == plain
    assert list((tmp_path / "c").glob("dataclass-code.other-*.bin"))
    assert run(tmp_path / "c") == plain
    # entries that are not code this module compiled from text are compiled anew
    import marshal

    from cleaners import snapshot

    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(tmp_path / "c"))
    (snap,) = (tmp_path / "c").glob("dataclass-code.other-*.bin")
    name, digest = "dataclass-code.other", snap.stem.split("-", 2)[2] + "0" * 24
    table = snapshot.load_table(name, digest)
    assert table and all(type(code).__name__ == "code" for code in table.values())
    wrong = compile("raise SystemExit(3)", "elsewhere.py", "exec")
    for i, key in enumerate(table):
        table[key] = (b"junk", wrong, marshal.dumps(wrong), None)[i % 4]
    snapshot.store(name, digest, marshal.dumps(table))
    assert run(tmp_path / "c") == plain


def test_the_fetch_stack_loads_without_trio_and_leaves_it_importable() -> None:
    pytest.importorskip("trio")  # installed with selenium (dev); users may have it too
    probe = (
        "import sys, scraper.fetch.client, scraper.fetch.guard\n"
        "print('trio' in sys.modules)\n"
        "import trio\n"
        "print(trio.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "trio"]


_DEFERRED_INSPECT = """
import sys
from scraper.cli import deferred
deferred.dataclasses_without_inspect()
from dataclasses import dataclass
@dataclass
class D:
    '''Documented.'''
    x: int
print("inspect" in sys.modules, "ast" in sys.modules)
@dataclass
class U:
    x: int
    y: str = "y"
import inspect
print("inspect" in sys.modules, U.__doc__, inspect.signature(D), D.__doc__)
"""


def test_dataclasses_load_inspect_only_for_a_class_without_a_docstring() -> None:
    cmd = [sys.executable, "-c", _DEFERRED_INSPECT]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["False False", "True U(x: int, y: str = 'y') (x: int) -> None Documented."]


# what a Markdown clean does without: inspect (dataclasses' stand-in), logging (lexbor's stand-in),
# platform (uuid's stand-in), OpenSSL (the hashes it needs are CPython's own BLAKE2b), the
# committing thread (one batch)
NOT_FOR_ONE_DOCUMENT = (
    *("inspect", "ast", "dis", "logging", "threading", "traceback", "platform"),
    *("hashlib", "_hashlib", "concurrent.futures"),
)


def test_the_command_loads_no_inspect_logging_openssl_or_thread_pool_for_markdown(tmp_path: Path) -> None:
    probe = _PROBE.replace("import sys\n", "import sys\nsys.argv[0] = 'scraper'\n", 1)
    cmd = [sys.executable, "-c", probe, str(DOC), str(tmp_path / "out"), *NOT_FOR_ONE_DOCUMENT]
    out = subprocess.run(cmd, capture_output=True, text=True, env=_env(tmp_path / "c"), check=True)
    assert out.stdout.split() == []


_DEFERRED_LOGGING = """
import sys
from scraper.cli import deferred
if sys.argv[1] == "deferred":
    deferred.lexbor_without_logging()
import selectolax.lexbor as lexbor
print("logging" in sys.modules, file=sys.stderr)
lexbor.logger.error("the one message selectolax logs")
print(lexbor.logger.name, lexbor.logger.getEffectiveLevel(), "logging" in sys.modules, file=sys.stderr)
"""


def test_lexbor_logs_through_logging_loaded_on_first_use() -> None:
    def run(how: str) -> list[str]:
        cmd = [sys.executable, "-c", _DEFERRED_LOGGING, how]
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stderr.splitlines()

    plain, deferred = run("plain"), run("deferred")
    assert deferred[0] == "False" and plain[0] == "True"
    assert deferred[1:] == plain[1:]
    assert "the one message selectolax logs" in deferred


_DEFERRED_PLATFORM = """
import sys
from scraper.cli import deferred
if sys.argv[1] == "deferred":
    deferred.uuid_without_platform()
import uuid
print("platform" in sys.modules, uuid._platform_system, uuid._LINUX, uuid._AIX)
print(uuid.platform.system(), uuid.platform.machine(), "platform" in sys.modules)
import platform
print(platform.system(), sys.modules["platform"] is platform, platform.uname().system)
"""


def test_uuid_asks_platform_the_same_without_loading_it() -> None:
    def run(how: str) -> list[str]:
        cmd = [sys.executable, "-c", _DEFERRED_PLATFORM, how]
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()

    plain, deferred = run("plain"), run("deferred")
    assert plain[0].startswith("True ")
    assert deferred[0] == plain[0].replace("True ", "False ", 1)
    assert deferred[1:] == plain[1:]
    assert deferred[1].endswith(" True")


_KEPT = """
import re, sys
from scraper.cli import regexes
regexes.install()
def literal():
    return re.compile(r"lit(er)+al").pattern
def built(name):
    return re.compile("(by)" + re.escape(name) + "$").pattern
print(literal(), built(sys.argv[1]), re.search("made-" + sys.argv[1], "made-" + sys.argv[1]) is not None)
"""


def test_patterns_made_from_a_document_do_not_join_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-used cache holds the code's patterns only: one made from a document's text (a
    publisher's name …) is compiled each time it is asked for and never read by every start."""
    import marshal

    from cleaners import snapshot

    cache = tmp_path / "c"
    monkeypatch.setenv("SCRAPER_CACHE_DIR", str(cache))
    for name in ("Axios", "BBC"):
        out = subprocess.run(
            [sys.executable, "-c", _KEPT, name], capture_output=True, text=True, env=_env(cache), check=True
        ).stdout
        assert out.split() == ["lit(er)+al", f"(by){name}$", "True"]
    (snap,) = cache.glob("regexes.other-*.bin")
    digest = snap.stem.split("-", 1)[1] + "0" * 24
    patterns = {marshal.loads(stored)[0] for stored in snapshot.load_table("regexes.other", digest).values()}
    assert r"lit(er)+al" in patterns
    assert not [p for p in patterns if isinstance(p, str) and ("Axios" in p or "BBC" in p)]


def test_collector_resumes_with_a_larger_young_generation() -> None:
    """The command's collector, paused while modules load, comes back on with its youngest
    generation collected every 20,000 allocations; the older generations keep their thresholds."""
    import gc

    import scraper.cli as cli

    before, enabled = gc.get_threshold(), gc.isenabled()
    try:
        gc.disable()
        cli._collector_paused = True
        cli.resume_collector()
        assert gc.isenabled()
        assert gc.get_threshold() == (20_000, *before[1:])
        assert not cli._collector_paused
        cli.resume_collector()  # a second call changes nothing
        assert gc.get_threshold() == (20_000, *before[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
        if not enabled:
            gc.disable()
