"""The rules schema and the RuleSet: immutable, no cache inside, one schema for check and build."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from conftest import FIXTURES, clean_path

from cleaners import RuleSet, load_rules
from cleaners.rulespec import TABLES, TOP


def test_ruleset_is_immutable_and_holds_no_cache() -> None:
    rules = load_rules()
    before = pickle.dumps(rules)
    clean_path(FIXTURES / "farm" / "000_022a837fca80a5ec.txt", rules=rules)
    clean_path(FIXTURES / "pages" / "mozreadability-tmz-1.source.html", rules=rules)
    assert pickle.dumps(rules) == before  # cleaning left nothing behind in the rules
    assert hash(rules) == hash(pickle.loads(before))
    with pytest.raises(TypeError):
        rules.publishers["example.com"] = "Example"  # type: ignore[index]
    with pytest.raises(AttributeError):
        rules.prune = ()  # type: ignore[misc]


def test_every_schema_key_fills_a_ruleset_field() -> None:
    fields = set(RuleSet.__dataclass_fields__)
    for table in TABLES:
        if table.into:
            assert table.into in fields
        else:
            assert all(k.field in fields for k in table.keys)
    assert all(k.field in fields for k in TOP if k.field)


def test_a_user_file_gets_defaults_from_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text("[[selector]]\nname = 'promo'\ncategory = 'ad_block'\ncss = '.promo'\n", "utf-8")
    rules = load_rules(path)
    rule = rules.selectors[-1]
    assert (rule.name, rule.reason, bool(rule.hosts)) == ("promo", "matched .promo", False)
