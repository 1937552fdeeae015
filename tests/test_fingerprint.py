"""The content fingerprint links copies of one article and keeps others apart."""

from __future__ import annotations

import itertools

from conftest import FIXTURES, clean_path

from scraper.pipeline.fingerprint import NEAR, distance, fingerprint
from scraper.pipeline.nearcopy import clusters


def body(path_name: str) -> str:
    return clean_path(FIXTURES / "farm" / path_name).markdown.split("\n---\n", 1)[1]


def test_the_farm_copy_and_its_rendered_page_are_near() -> None:
    md = clean_path(FIXTURES / "farm" / "tdy-winforum-2checkout-bsod-dumps.md").fingerprint
    page = clean_path(FIXTURES / "farm" / "tdy-winforum-2checkout-bsod-dumps.rendered.html").fingerprint
    assert md and page and distance(md, page) <= NEAR


def test_junk_and_formatting_do_not_move_it_and_an_edit_moves_it_a_little() -> None:
    text = body("tdy-printer-drivereasy-mp620.md")
    print_ = fingerprint(text)
    assert fingerprint(text.replace("**", "").replace("’", "'").upper()) == print_
    edited = text.replace("will automatically recognize", "will quickly recognize")
    assert edited != text and 0 < distance(fingerprint(edited), print_) <= NEAR


def test_different_articles_are_far_apart() -> None:
    names = [p.name for p in sorted((FIXTURES / "farm").glob("*.md")) if "bsod-dumps" not in p.name]
    prints = {n: clean_path(FIXTURES / "farm" / n).fingerprint or "" for n in names}
    for a, b in itertools.combinations(names, 2):
        assert distance(prints[a], prints[b]) > NEAR, (a, b)
    assert clusters(list(prints.items())) == []
    twins = clusters([("x", "00000000000000ff"), ("y", "00000000000000fe"), ("z", "ffffffff00000000")])
    assert [(c.representative, c.members) for c in twins] == [("x", ("x", "y"))]
