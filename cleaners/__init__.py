"""Cleaners: small named rules that strip what content farms inject, each removal recorded.

The rule data lives in `rules.toml` (built in) and in user rules files; `load_rules` reads them.
"""

from cleaners.records import CATEGORIES, Removal, count_by_category
from cleaners.ruleset import RulesError, RuleSet, load_rules

__all__ = ["CATEGORIES", "Removal", "RuleSet", "RulesError", "count_by_category", "load_rules"]
