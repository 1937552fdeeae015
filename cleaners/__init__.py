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
"""

from cleaners.context import page_context
from cleaners.dom import DomContext
from cleaners.dom import run_dom_rules as clean_dom
from cleaners.editor import DomEditor
from cleaners.markdown import MarkdownResult, clean_markdown
from cleaners.records import CATEGORIES, Category, CleaningError, Removal, count_by_category
from cleaners.ruleset import RulesError, RuleSet, load_rules
from cleaners.urls import UrlCleaner

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
