"""jusText's stop words, kept as a snapshot (`cleaners.snapshot`).

When trafilatura's extraction of a page comes out short it tries jusText, which needs the stop
words of every language it ships: trafilatura reads and lower-cases all of its 100 lists the
first time (about 600 M instructions, more than cleaning several whole pages). Those words only
change with the lists' files, so they are kept between runs, keyed by each list file as found
on disk (path, inode, size, modification and change times) and jusText's version. The words are
stored as one newline-joined string (a word never holds a line break), checked for shape when
read back; anything amiss builds them as trafilatura does. Nothing is read until a page needs
jusText.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable

from cleaners import snapshot

_FORMAT = "jt-stoplist-1"


def _digest() -> str:
    import justext  # type: ignore[import-untyped]

    where = os.path.join(os.path.dirname(justext.__file__), "stoplists")
    parts = [_FORMAT, str(getattr(justext, "__version__", ""))]
    for name in sorted(f for f in os.listdir(where) if f.endswith(".txt")):
        parts.extend(snapshot.stamp(os.path.join(where, name)))
    return snapshot.key(*parts)


def _restore(payload: bytes | None) -> tuple[str, ...] | None:
    if payload is None:
        return None
    try:
        joined = marshal.loads(payload)
    except Exception:  # a snapshot that does not decode is rebuilt, never fatal
        return None
    if type(joined) is not str or not joined:
        return None
    return tuple(joined.split("\n"))


def stop_words(build: Callable[[], tuple[str, ...]]) -> tuple[str, ...]:
    """The words `build` returns (trafilatura's own initialiser), from the snapshot when a valid
    one exists (stored now when none does)."""
    try:
        digest = _digest()
    except (OSError, ImportError):
        return build()
    restored = _restore(snapshot.load("jt-stoplist", digest))
    if restored is not None:
        return restored
    words = build()
    if all(type(w) is str and "\n" not in w for w in words) and words:
        snapshot.store("jt-stoplist", digest, marshal.dumps("\n".join(words)))
    return words


def install() -> None:
    """Make trafilatura take its jusText stop words from the snapshot (its module keeps them in
    `JT_STOPLIST`, filled by `jt_stoplist_init()` when first needed)."""
    from trafilatura import external

    build = getattr(external, "jt_stoplist_init", None)
    if build is None or not hasattr(external, "JT_STOPLIST") or getattr(build, "_snapshot", False):
        return

    def init() -> tuple[str, ...]:
        words = stop_words(build)
        external.JT_STOPLIST = words  # type: ignore[assignment]
        return words

    init._snapshot = True  # type: ignore[attr-defined]
    external.jt_stoplist_init = init  # type: ignore[assignment]
