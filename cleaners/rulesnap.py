"""The built-in RuleSet, built once and kept as a snapshot (`cleaners.snapshot`): reading,
checking and building `rules.toml` costs more than cleaning a short document, and its result only
changes when the file or the code that builds it does.

The key covers the rules file, the source of every module that builds or defines the rules
(`rulespec`, `ruleset`, `hosts`, `records`, this one and `programs`), each by its stamp on disk
(`snapshot.stamp`: path, inode, size, modification and change times, as CPython keys bytecode;
hashing their 60 KB cost more than the rest of reading the snapshot), and the Python version. The
snapshot is a pickle of the RuleSet (picklable by design: it is shipped to worker processes), its
patterns stored as their programs (`cleaners.programs`: compiling them again was most of the cost
of reading it back), read with an unpickler that resolves only the rule classes and the function
that restores a pattern, and must come back as a RuleSet of the built-in rules; otherwise the
rules are built as before.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleaners import snapshot
from cleaners.programs import program_of, restore

try:  # pickle's own classes, without the pure-Python pickler that `pickle` defines (start-up)
    from _pickle import Pickler, PicklingError, Unpickler, UnpicklingError
except ImportError:  # pragma: no cover - an interpreter without the C pickler
    from pickle import Pickler, PicklingError, Unpickler, UnpicklingError

if TYPE_CHECKING:
    from cleaners.ruleset import RuleSet

_FORMAT = "rules-3"  # (2: keyed on the files' stamps, snapshot.stamp; 3: UrlPatterns)
_HERE = Path(__file__).resolve().parent
RULES_FILE = _HERE / "rules.toml"
_SOURCES = ("rulespec.py", "ruleset.py", "hosts.py", "records.py", "rulesnap.py", "programs.py")
# what a RuleSet is made of: its classes, compiled patterns (and nothing that runs other code)
_RULE_CLASSES = "RuleSet CommentBlockRule SelectorRule RedirectRule AffiliateRule StripRule FragmentRule"
_ALLOWED = {
    ("re", "_compile"),
    ("cleaners.programs", "restore"),
    *(("cleaners.hosts", name) for name in ("FrozenDict", "HostIndex", "HostSet", "UrlPatterns")),
    *(("cleaners.ruleset", name) for name in f"{_RULE_CLASSES} EmbedRule AlsoReadRule AllowList".split()),
}


class _RulesUnpickler(Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in _ALLOWED:
            raise UnpicklingError(f"{module}.{name} is not part of a RuleSet")
        return super().find_class(module, name)


# A RuleSet holds some fifty patterns; compiling them again was most of the cost of reading the
# snapshot back, so each is stored as its program (`cleaners.programs`).


class _RulesPickler(Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, re.Pattern):
            program = program_of(obj)
            if program is not None:
                return restore, program
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
        stamps = [
            part for path in (RULES_FILE, *(_HERE / n for n in _SOURCES)) for part in snapshot.stamp(path)
        ]
    except OSError:  # not installed as files (a zip): no snapshot
        return build(rules_text())
    digest = snapshot.key(_FORMAT, sys.version, *stamps)
    restored = _restore(snapshot.load("rules", digest))
    if restored is not None:
        return restored
    rules = build(rules_text())
    from pickle import HIGHEST_PROTOCOL

    out = io.BytesIO()
    try:
        _RulesPickler(out, protocol=HIGHEST_PROTOCOL).dump(rules)
    except (PicklingError, TypeError, AttributeError):  # pragma: no cover - RuleSets pickle
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
