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
snapshot holds it beside them. trafilatura uses its words only to hand them to jusText, which
makes that set of them: so trafilatura is handed the set itself as its words, and jusText, asked
for the set of it, is given it as it is. The words themselves (stored as UTF-8 bytes) are not
read back for that: only the set is made (154,000 strings once, not twice).
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable
from typing import Any

from cleaners import snapshot

_FORMAT = "jt-stoplist-3"
_Words = tuple[tuple[str, ...], frozenset[str]]  # the words, and the set jusText makes of them


def _digest() -> str:
    import justext  # type: ignore[import-untyped]

    where = os.path.join(os.path.dirname(justext.__file__), "stoplists")
    parts = [_FORMAT, str(getattr(justext, "__version__", ""))]
    for name in sorted(f for f in os.listdir(where) if f.endswith(".txt")):
        parts.extend(snapshot.stamp(os.path.join(where, name)))
    return snapshot.key(*parts)


def _restore(payload: bytes | None, with_words: bool = True) -> _Words | None:
    """The words (none unless `with_words`) and their set, from a snapshot's payload."""
    if payload is None:
        return None
    try:
        joined = marshal.loads(payload)
        if type(joined) is not tuple or len(joined) != 2:
            return None
        words, lowered = joined
        if type(words) is not bytes or type(lowered) is not str or not words:
            return None
        return tuple(words.decode().split("\n")) if with_words else (), frozenset(lowered.split("\n"))
    except Exception:  # a snapshot that does not decode is rebuilt, never fatal
        return None


def lowered(words: tuple[str, ...]) -> frozenset[str]:
    """The set jusText makes of a stop list (`justext.core.define_stoplist`)."""
    return frozenset(w.lower() for w in words)


def stop_words(build: Callable[[], tuple[str, ...]]) -> tuple[str, ...]:
    """The words `build` returns (trafilatura's own initialiser), from the snapshot when a valid
    one exists (stored now when none does)."""
    return words_and_set(build)[0]


def words_and_set(build: Callable[[], tuple[str, ...]], with_words: bool = True) -> _Words:
    """The words `build` returns and the set jusText makes of them, from the snapshot when a
    valid one exists (stored now when none does). Without `with_words`, the words read back
    from a snapshot are left unread (an empty tuple stands for them)."""
    try:
        digest = _digest()
    except (OSError, ImportError):
        words = build()
        return words, lowered(words)
    restored = _restore(snapshot.load("jt-stoplist", digest), with_words)
    if restored is not None:
        return restored
    words = build()
    low = lowered(words)
    if all(type(w) is str and "\n" not in w for w in words) and words:
        payload = ("\n".join(words).encode(), "\n".join(sorted(low)))
        snapshot.store("jt-stoplist", digest, marshal.dumps(payload))
    return words, low


def install() -> None:
    """Make trafilatura take its jusText stop words from the snapshot (its module keeps them in
    `JT_STOPLIST`, filled by `jt_stoplist_init()` when first needed) as the set jusText makes
    of them, and jusText (`define_stoplist`, asked with that very set) take it as it is."""
    from justext import core
    from trafilatura import external

    build = getattr(external, "jt_stoplist_init", None)
    define = getattr(core, "define_stoplist", None)
    if build is None or not hasattr(external, "JT_STOPLIST") or getattr(build, "_snapshot", False):
        return
    if define is None:
        return
    made: list[frozenset[str]] = []  # the set handed out as the words

    def init() -> Any:
        made[:] = [words_and_set(build, with_words=False)[1]]
        external.JT_STOPLIST = made[0]  # type: ignore[assignment]
        return made[0]

    def define_stoplist(stoplist: Any) -> Any:
        if made and stoplist is made[0]:
            return made[0]
        return define(stoplist)

    init._snapshot = True  # type: ignore[attr-defined]
    external.jt_stoplist_init = init
    core.define_stoplist = define_stoplist
