"""pipeline.attribution, through `attribute(Signals, rules)`: who published an article, from
the evidence the README lists, strongest first; a page that is not a farm copy stays its own
source unless the evidence says otherwise."""

from __future__ import annotations

from conftest import builtin_rules

from scraper.pipeline.attribution import OriginalSource, Signals, attribute
from scraper.pipeline.metadata import PageMeta

ZDNET_LINKS = " ".join(f"[{c}](https://www.zdnet.com/article/{c}/)" for c in "abcd")


def who(**signals: object) -> OriginalSource:
    return attribute(Signals(**signals), builtin_rules())  # type: ignore[arg-type]


def test_syndication_front_matter_is_decisive() -> None:
    src = who(
        title="A story",
        front_matter={"external_url": "https://www.theverge.com/2024/1/1/a-story", "feed_name": "The Verge"},
        body="Words of the story, and a link [elsewhere](https://example.org/).",
        farm=True,
    )
    assert (src.name, src.url, src.first_party) == (
        "The Verge",
        "https://www.theverge.com/2024/1/1/a-story",
        False,
    )
    assert any("front matter" in e for e in src.evidence)


def test_an_appeared_first_on_footer_names_the_publisher() -> None:
    body = "Words.\n\nThe post [A story](https://example.org/a-story) appeared first on [Example Blog](https://example.org)."
    src = who(title="A story", body=body, farm=True)
    assert (src.name, src.url, src.first_party) == ("Example Blog", "https://example.org", False)


def test_a_canonical_url_on_another_site_names_it() -> None:
    meta = PageMeta(canonical="https://www.theguardian.com/world/2024/a-story")
    src = who(title="A story", body="Words.", page_url="https://aggregator.example.com/s/1", meta=meta)
    assert (src.name, src.url, src.first_party) == (
        "The Guardian",
        "https://www.theguardian.com/world/2024/a-story",
        False,
    )


def test_body_evidence_names_the_publisher_and_outweighs_the_title() -> None:
    body = f"Words of the article. Image: Tori Rubloff/ZDNet\n\n{ZDNET_LINKS}"
    src = who(title="Best laptops - Insights From TechRadar", body=body, farm=True)
    assert (src.name, src.url, src.first_party) == ("ZDNet", "https://www.zdnet.com/", False)
    assert any("zdnet.com" in e for e in src.evidence) and any("Rubloff/ZDNet" in e for e in src.evidence)


def test_a_page_of_its_own_is_first_party() -> None:
    src = who(
        title="My post",
        body="I wrote this myself, see [the docs](https://docs.python.org/3/).",
        page_url="https://blog.example.net/my-post/",
        meta=PageMeta(site_name="Example Net Blog"),
    )
    assert (src.name, src.url, src.first_party) == (
        "Example Net Blog",
        "https://blog.example.net/my-post/",
        True,
    )


def test_a_title_alone_does_not_make_a_page_a_copy() -> None:
    src = who(
        title="A story - Insights From ZDNet", body="Words, no links.", page_url="https://blog.example.net/p/"
    )
    assert src.first_party and src.url == "https://blog.example.net/p/"


def test_a_farm_copy_without_evidence_names_nobody() -> None:
    src = who(title="A story", body="Words, no links, no credits.", farm=True)
    assert (src.name, src.url, src.first_party) == (None, None, False)
    assert src.evidence  # and says why
