"""The public-suffix list, parsed once and kept as a snapshot (`cleaners.snapshot`): parsing the
list's text costs more than the rest of cleaning a short document, and its result only changes
when the list does.

The snapshot holds the parsed list's state (a frozenset of rules and two numbers), written with
`marshal` (plain data: reading it runs no code), keyed by the list's data file as found on disk
(path, inode, size, modification and change times: hashing its 338 KB cost more than reading the
snapshot), the library's version and the build options. What is read back is checked for shape
and must answer a few known hosts exactly as a freshly parsed list; otherwise the list is parsed
as before.
"""

from __future__ import annotations

import marshal
from typing import Any

from publicsuffixlist import PSLFILE, PublicSuffixList
from publicsuffixlist import __version__ as _PSL_VERSION

from cleaners import snapshot

_FORMAT = "psl-1"
# (host, registrable domain): a wildcard, an exception, a private suffix and a plain one
_PROBES = (
    ("www.example.co.uk", "example.co.uk"),
    ("a.b.github.io", "b.github.io"),
    ("www.city.kobe.jp", "city.kobe.jp"),
    ("x.y.example.com", "example.com"),
)


def public_suffix_list(punycode: bool) -> PublicSuffixList:
    """The list as `PublicSuffixList(accept_encoded_idn=punycode)` builds it, from the snapshot
    when a valid one exists (made now when none does)."""
    try:
        digest = snapshot.key(_FORMAT, _PSL_VERSION, str(punycode), *snapshot.stamp(PSLFILE))
    except OSError:
        return PublicSuffixList(accept_encoded_idn=punycode)
    name = "psl-idn" if punycode else "psl"
    restored = _restore(snapshot.load(name, digest))
    if restored is not None:
        return restored
    psl = PublicSuffixList(accept_encoded_idn=punycode)
    state = _state(psl)
    if state is not None:
        snapshot.store(name, digest, marshal.dumps(state))
    return psl


def _state(psl: PublicSuffixList) -> dict[str, Any] | None:
    state = dict(vars(psl))
    return state if _plain(state) else None


def _plain(state: object) -> bool:
    """A mapping of attribute names to booleans, integers or sets of strings, nothing else."""
    if not isinstance(state, dict) or not state:
        return False
    for name, value in state.items():
        if not isinstance(name, str) or not name.isidentifier():
            return False
        if isinstance(value, frozenset):
            if not set(map(type, value)) <= {str}:
                return False
        elif type(value) not in (bool, int):
            return False
    return True


def _restore(payload: bytes | None) -> PublicSuffixList | None:
    if payload is None:
        return None
    try:
        state = marshal.loads(payload)
        if not _plain(state):
            return None
        psl = PublicSuffixList.__new__(PublicSuffixList)
        psl.__dict__.update(state)
        if all(psl.privatesuffix(host) == want for host, want in _PROBES):
            return psl
    except Exception:  # a snapshot that does not decode or answer is rebuilt, never fatal
        return None
    return None
