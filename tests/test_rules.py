"""Site rules without Python: selectors, comment markers, URL patterns, labels, allow-lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, clean_bytes, clean_path

from cleaners import RulesError, load_rules
from scraper.pipeline.frontmatter import split

DOC = b"""---
title: Site rules
---

Paragraph one with a [partner link](https://partner.example.net/go/123) in it.

<!-- sponsor start -->
<p>Buy our sponsor's stuff!</p>
<!-- sponsor stop -->

<div class="promo-box">Promo that the site injects.</div>

**You might enjoy:**

* [Other post one here](https://myblog.example.com/one/)
* [Other post two here](https://myblog.example.com/two/)
* [Other post three here](https://myblog.example.com/three/)

<div class="keep-me"><img src="https://cdn.example.com/spacer.gif" width="1" height="1"> kept</div>

Last paragraph.
"""

RULES = """
[[selector]]
name = "promo-box"
category = "ad_block"
css = ".promo-box"
reason = "site promo box"

[[comment_block]]
name = "sponsor"
category = "ad_block"
begin = "sponsor start"
end = "sponsor stop"

[[affiliate]]
name = "partner-go"
hosts = ["partner.example.net"]
path = "^/go/"

[also_read]
labels = ["you might enjoy"]

[allow]
selectors = [".keep-me"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, "utf-8")
    return path


def test_site_rules_apply(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, RULES))
    doc = clean_bytes(DOC, "site.md", rules=rules, url="https://myblog.example.com/post/")
    body = split(doc.markdown)[1]
    assert "Buy our sponsor" not in body and "promo-box" not in body
    assert "with a partner link in it." in body
    assert "You might enjoy" not in body and "Other post one" not in body
    assert "spacer.gif" in body  # protected by the allow-list
    rules_used = {r.rule for r in doc.removals}
    assert {"promo-box", "sponsor", "partner-go", "related-list"} <= rules_used
    # without the site rules the same document keeps them
    plain = split(clean_bytes(DOC, "site.md", url="https://myblog.example.com/post/").markdown)[1]
    assert "Buy our sponsor" in plain and "promo-box" in plain and "spacer.gif" not in plain


def test_allow_text_and_url_protect_content(tmp_path: Path) -> None:
    path = FIXTURES / "farm" / "000_022a837fca80a5ec.txt"
    rules = load_rules(
        write(tmp_path, '[allow]\ntext = ["bluetties"]\nurls = ["^https://buy\\\\.geni\\\\.us/"]\n')
    )
    doc = clean_path(path, rules=rules)
    assert "bluetties.sjv.io" in doc.markdown and "buy.geni.us" in doc.markdown
    assert doc.counts["ad_block"] == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[selector]]\nname='x'\ncategory='ads'\ncss='p'\n", "category must be one of"),
        ("[[selector]]\nname='x'\ncategory='ad_block'\n", "needs css"),
        ("[[comment_block]]\nname='x'\nbegin='('\nend='x'\n", "bad regular expression"),
        ("[farms]\ndomain = ['x.com']\n", "unknown key farms.'domain'"),
        ("[also_read]\nmin_items = 'three'\n", "also_read.min_items has the wrong type"),
        ("[[strip]]\nparams=['x']\n", "strip[0] needs a name"),
        ("not toml = = 1", "not valid TOML"),
    ],
)
def test_bad_rules_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RulesError) as err:
        load_rules(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="no such rules file"):
        load_rules(tmp_path / "nope.toml")


def test_ruleset_pickles() -> None:
    import pickle

    rules = load_rules()
    assert pickle.loads(pickle.dumps(rules)) == rules
