"""Cleaners: small named rules that strip what content farms inject, each removal recorded.

The public face of the package; `scraper` imports from here, not from its modules:

* `load_rules(*files)` → `RuleSet`: the built-in `rules.toml` plus site rules (`RulesError`).
* `page_context(rules, text, page_url, self_urls)` → the context of one document (its own
  site, whether it is a farm copy), which both cleaners take.
* `clean_markdown(body, ctx, first_line)` → `MarkdownResult`: Markdown cleaned in place.
* `clean_dom(tree, ctx, editor)`: every DOM rule over a lexbor tree; `DomEditor` applies and
  records them.
* `UrlCleaner(rules, farm_hosts, page_url)`: one URL's verdict (`clean`, `media_verdict`).
* `Removal`, `Category` (`CATEGORIES`), `count_by_category`: what a cleaner reports;
  `CleaningError`: input the cleaners refuse (one line).

Each name is loaded with its module on first use.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cleaners.context import page_context
    from cleaners.dom import DomContext
    from cleaners.dom import run_dom_rules as clean_dom
    from cleaners.editor import DomEditor
    from cleaners.markdown import MarkdownResult, clean_markdown
    from cleaners.records import CATEGORIES, Category, CleaningError, Removal, count_by_category
    from cleaners.ruleset import RulesError, RuleSet, load_rules
    from cleaners.urls import UrlCleaner

# Each name loads its module on first use (PEP 562), so what imports one name, or one module of
# the package (the snapshots, the records), does not load every cleaner: start-up time.
_WHERE = {
    "page_context": ("cleaners.context", "page_context"),
    "DomContext": ("cleaners.dom", "DomContext"),
    "clean_dom": ("cleaners.dom", "run_dom_rules"),
    "DomEditor": ("cleaners.editor", "DomEditor"),
    "MarkdownResult": ("cleaners.markdown", "MarkdownResult"),
    "clean_markdown": ("cleaners.markdown", "clean_markdown"),
    **{
        n: ("cleaners.records", n)
        for n in ("CATEGORIES", "Category", "CleaningError", "Removal", "count_by_category")
    },
    **{n: ("cleaners.ruleset", n) for n in ("RulesError", "RuleSet", "load_rules")},
    "UrlCleaner": ("cleaners.urls", "UrlCleaner"),
}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'cleaners' has no attribute {name!r}")
    value = getattr(import_module(where[0]), where[1])
    globals()[name] = value
    return value


__all__ = [
    "CATEGORIES",
    "Category",
    "CleaningError",
    "DomContext",
    "DomEditor",
    "MarkdownResult",
    "Removal",
    "RuleSet",
    "RulesError",
    "UrlCleaner",
    "clean_dom",
    "clean_markdown",
    "count_by_category",
    "load_rules",
    "page_context",
]
