"""The built-in RuleSet, built once and kept as a snapshot (`cleaners.snapshot`): reading,
checking and building `rules.toml` costs more than cleaning a short document, and its result only
changes when the file or the code that builds it does.

The key covers the rules file, the source of every module that builds or defines the rules
(`rulespec`, `ruleset`, `hosts`, `records`) and the Python version. The snapshot is a pickle of
the RuleSet (which is picklable by design: it is shipped to worker processes), read back with an
unpickler that resolves only the rule classes and the few builtins they are made of, and must
come back as a RuleSet of the built-in rules; otherwise the rules are built as before.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import io
import pickle
import re
import sys
from collections.abc import Callable
from pathlib import Path
from re import _compiler, _parser  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, Any

from cleaners import snapshot

if TYPE_CHECKING:
    from cleaners.ruleset import RuleSet

_FORMAT = "rules-1"
_HERE = Path(__file__).resolve().parent
RULES_FILE = _HERE / "rules.toml"
_SOURCES = ("rulespec.py", "ruleset.py", "hosts.py", "records.py")
# what a RuleSet is made of: its classes, compiled patterns (and nothing that runs other code)
_RULE_CLASSES = "RuleSet CommentBlockRule SelectorRule RedirectRule AffiliateRule StripRule FragmentRule"
_ALLOWED = {
    ("re", "_compile"),
    ("cleaners.rulesnap", "compiled"),
    *(("cleaners.hosts", name) for name in ("FrozenDict", "HostIndex", "HostSet")),
    *(("cleaners.ruleset", name) for name in f"{_RULE_CLASSES} EmbedRule AlsoReadRule AllowList".split()),
}


class _RulesUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a RuleSet")
        return super().find_class(module, name)


# A RuleSet holds some fifty patterns; compiling them again is most of the cost of reading the
# snapshot back. So each is stored with the program CPython's compiler made of it (as
# re._compiler.compile hands it to _sre.compile), checked when stored to give back an equal
# pattern (same text, flags and program) and restored with _sre.compile, which validates a
# program before it runs one. The key holds the Python version: programs are per build.
_Program = tuple[str, int, list[int], int, dict[str, int], tuple[str | None, ...]]


def compiled(pattern: str, flags: int, code: list[int], groups: int, *index: Any) -> re.Pattern[str]:
    """A pattern from its stored program (compiled anew when this Python refuses the program)."""
    try:
        found = _sre.compile(pattern, flags, code, groups, *index)
    except Exception:  # another build's program: compile it
        return re.compile(pattern, flags)
    return found if isinstance(found, re.Pattern) else re.compile(pattern, flags)


def _program(p: re.Pattern[Any]) -> _Program | None:
    if not isinstance(p.pattern, str) or p.flags & re.DEBUG:
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
        return program if compiled(*program) == p else None
    except Exception:  # an interpreter whose compiler differs: the pattern is pickled as it is
        return None


class _RulesPickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, re.Pattern):
            program = _program(obj)
            if program is not None:
                return compiled, program
        return NotImplemented


def rules_text() -> str:
    """The text of the built-in rules file."""
    try:
        return RULES_FILE.read_text("utf-8")
    except OSError:  # not installed as files (a zip)
        from importlib import resources

        return resources.files("cleaners").joinpath("rules.toml").read_text("utf-8")


def builtin_rules(build: Callable[[str], RuleSet]) -> RuleSet:
    """`build(text of rules.toml)`, or the same RuleSet from a valid snapshot."""
    try:
        data = RULES_FILE.read_bytes()
        sources = [(_HERE / name).read_bytes() for name in _SOURCES]
    except OSError:  # not installed as files (a zip): no snapshot
        return build(rules_text())
    digest = snapshot.key(_FORMAT, sys.version, data, *sources)
    restored = _restore(snapshot.load("rules", digest))
    if restored is not None:
        return restored
    rules = build(data.decode("utf-8"))
    out = io.BytesIO()
    try:
        _RulesPickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(rules)
    except (pickle.PicklingError, TypeError, AttributeError):  # pragma: no cover - RuleSets pickle
        return rules
    payload = out.getvalue()
    snapshot.store("rules", digest, payload)
    return rules


def _restore(payload: bytes | None) -> RuleSet | None:
    if payload is None:
        return None
    from cleaners.ruleset import RuleSet

    try:
        rules = _RulesUnpickler(io.BytesIO(payload)).load()
    except Exception:  # a snapshot that does not decode is rebuilt, never fatal
        return None
    if type(rules) is not RuleSet or rules.sources != ("built-in rules",):
        return None
    return rules
