"""Compiled regular expressions kept as their programs.

Compiling a pattern (parsing it, then generating the program the regex engine runs) is pure
Python in CPython and costs start-up time in every process; the program is a pure function of the
pattern, its flags and the Python build. `program_of` gives the program CPython's compiler made of
a pattern (the arguments re._compiler.compile hands to _sre.compile), checked to give back an
equal pattern (same text, flags and program: Pattern equality compares programs); `restore` makes
the pattern from it with _sre.compile, which validates a program before it runs one, and compiles
the pattern anew when this Python refuses it. A stored program is used only under a key that holds
the exact Python version (`sys.version`).
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import re
from re import _compiler, _parser  # type: ignore[attr-defined]
from typing import Any

# (pattern, flags, program, groups, group index, index group): _sre.compile's arguments
Program = tuple[Any, int, list[int], int, dict[str, int], tuple[str | None, ...]]


def restore(pattern: Any, flags: int, code: list[int], groups: int, *index: Any) -> re.Pattern[Any]:
    """The pattern of a stored program (compiled anew when this Python refuses the program)."""
    found = from_program(pattern, flags, code, groups, *index)
    return re.compile(pattern, flags) if found is None else found


def from_program(
    pattern: Any, flags: int, code: list[int], groups: int, *index: Any
) -> re.Pattern[Any] | None:
    """The pattern of a program, or None when the regex engine refuses the program."""
    try:
        found = _sre.compile(pattern, flags, code, groups, *index)
    except Exception:  # another build's program, or not a program
        return None
    return found if isinstance(found, re.Pattern) else None


def program_of(p: re.Pattern[Any]) -> Program | None:
    """The program of a compiled pattern, or None (a debug pattern, another compiler)."""
    if type(p.pattern) not in (str, bytes) or p.flags & re.DEBUG:  # (not a str subclass: plain data)
        return None
    try:
        parsed = _parser.parse(p.pattern, p.flags)
        code = _compiler._code(parsed, p.flags)
        state = parsed.state
        indexgroup: list[str | None] = [None] * state.groups
        for name, i in state.groupdict.items():
            indexgroup[i] = name
        program = (
            p.pattern,
            p.flags | state.flags,
            [int(c) for c in code],  # (plain ints: the compiler names its opcodes)
            state.groups - 1,
            dict(state.groupdict),
            tuple(indexgroup),
        )
        return program if from_program(*program) == p else None
    except Exception:  # an interpreter whose compiler works otherwise
        return None
