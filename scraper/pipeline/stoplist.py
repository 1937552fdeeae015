"""jusText's stop words, kept as a snapshot (`cleaners.snapshot`).

When trafilatura's extraction of a page comes out short it tries jusText, which needs the stop
words of every language it ships: trafilatura reads and lower-cases all of its 100 lists the
first time (about 600 M instructions, more than cleaning several whole pages). Those words only
change with the lists' files, so they are kept between runs, keyed by each list file as found
on disk (path, inode, size, modification and change times) and jusText's version. The words are
stored as one newline-joined string (a word never holds a line break), checked for shape when
read back; anything amiss builds them as trafilatura does. Nothing is read until a page needs
jusText.

jusText then lower-cases the words again into a set (`justext.core.define_stoplist`, another
250 M instructions, once per process); that set is a pure result of the words too, so the
snapshot holds it beside them and jusText is handed it when it asks for the snapshot's words.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable
from typing import Any

from cleaners import snapshot

_FORMAT = "jt-stoplist-2"
_Words = tuple[tuple[str, ...], frozenset[str]]  # the words, and the set jusText makes of them


def _digest() -> str:
    import justext  # type: ignore[import-untyped]

    where = os.path.join(os.path.dirname(justext.__file__), "stoplists")
    parts = [_FORMAT, str(getattr(justext, "__version__", ""))]
    for name in sorted(f for f in os.listdir(where) if f.endswith(".txt")):
        parts.extend(snapshot.stamp(os.path.join(where, name)))
    return snapshot.key(*parts)


def _restore(payload: bytes | None) -> _Words | None:
    if payload is None:
        return None
    try:
        joined = marshal.loads(payload)
    except Exception:  # a snapshot that does not decode is rebuilt, never fatal
        return None
    if type(joined) is not tuple or len(joined) != 2 or not all(type(j) is str for j in joined):
        return None
    words, lowered = joined
    if not words:
        return None
    return tuple(words.split("\n")), frozenset(lowered.split("\n"))


def lowered(words: tuple[str, ...]) -> frozenset[str]:
    """The set jusText makes of a stop list (`justext.core.define_stoplist`)."""
    return frozenset(w.lower() for w in words)


def stop_words(build: Callable[[], tuple[str, ...]]) -> tuple[str, ...]:
    """The words `build` returns (trafilatura's own initialiser), from the snapshot when a valid
    one exists (stored now when none does)."""
    return words_and_set(build)[0]


def words_and_set(build: Callable[[], tuple[str, ...]]) -> _Words:
    """The words `build` returns and the set jusText makes of them, from the snapshot when a
    valid one exists (stored now when none does)."""
    try:
        digest = _digest()
    except (OSError, ImportError):
        words = build()
        return words, lowered(words)
    restored = _restore(snapshot.load("jt-stoplist", digest))
    if restored is not None:
        return restored
    words = build()
    low = lowered(words)
    if all(type(w) is str and "\n" not in w for w in words) and words:
        payload = ("\n".join(words), "\n".join(sorted(low)))
        snapshot.store("jt-stoplist", digest, marshal.dumps(payload))
    return words, low


def install() -> None:
    """Make trafilatura take its jusText stop words from the snapshot (its module keeps them in
    `JT_STOPLIST`, filled by `jt_stoplist_init()` when first needed), and jusText the set it
    makes of them (`define_stoplist`, asked with those very words)."""
    from justext import core
    from trafilatura import external

    build = getattr(external, "jt_stoplist_init", None)
    define = getattr(core, "define_stoplist", None)
    if build is None or not hasattr(external, "JT_STOPLIST") or getattr(build, "_snapshot", False):
        return
    if define is None:
        return
    made: list[_Words] = []  # the words handed out, with their set

    def init() -> tuple[str, ...]:
        pair = words_and_set(build)
        made[:] = [pair]
        external.JT_STOPLIST = pair[0]  # type: ignore[assignment]
        return pair[0]

    def define_stoplist(stoplist: Any) -> Any:
        if made and stoplist is made[0][0]:
            return made[0][1]
        return define(stoplist)

    init._snapshot = True  # type: ignore[attr-defined]
    external.jt_stoplist_init = init  # type: ignore[assignment]
    core.define_stoplist = define_stoplist
