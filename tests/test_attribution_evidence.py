"""Attribution that explains itself: each kind of evidence on its own, on publishers and hosts
the rules do not list where that matters, and the names it must never give."""

from __future__ import annotations

from conftest import builtin_rules

from cleaners import Removal
from scraper.pipeline.attribution import OriginalSource, Signals, attribute


def farm_copy(body: str, removals: tuple[Removal, ...] = (), **fm: str) -> OriginalSource:
    return attribute(Signals(None, fm, body, farm=True, removals=removals), builtin_rules())


def removed(url: str) -> Removal:
    return Removal("affiliate_link", "amazon-associates", "Amazon tag", url)


def test_a_date_is_never_a_name() -> None:
    src = farm_copy("Text.\n\nThis article was originally published in July 2023.\n")
    assert src.name is None


def test_a_group_cdn_alone_names_nobody() -> None:
    body = "".join(f"![p](https://cdn.mos.cms.futurecdn.net/abc{i}.jpg)\n\n" for i in range(5))
    assert farm_copy(body).name is None


def test_a_group_cdn_backs_an_image_credit() -> None:
    body = "".join(
        f"![p](https://cdn.mos.cms.futurecdn.net/a{i}.jpg)\n(Image credit: Tom's Hardware)\n\n"
        for i in range(3)
    )
    src = farm_copy(body)
    assert (src.name, src.url) == ("Tom's Hardware", "https://www.tomshardware.com/")
    assert any("credit" in e for e in src.evidence) and any("futurecdn.net" in e for e in src.evidence)


def test_affiliate_sub_ids_name_the_site_that_placed_the_link() -> None:
    future = removed("https://www.anrdoezrs.net/click-1-2?sid=tomshardware-us-1069194734322795598&url=x")
    assert farm_copy("Body text.", (future,)).name == "Tom's Hardware"
    valnet = removed("https://www.amazon.com/dp/B0?tag=x-20&ascsubtag=UUhtgUeUpU2003061")
    assert farm_copy("Body text.", (valnet,)).name == "How-To Geek"
    tag = removed("tag=lifewire-onsite-prod-20&ascsubtag=4705929")
    assert farm_copy("Body text.", (tag,)).name == "Lifewire"


def test_the_amazon_referrer_gives_the_article_url() -> None:
    ref = removed(
        "https://www.amazon.com/dp/B0?tag=hotoge-20&asc_refurl=https://www.howtogeek.com/some-review/"
    )
    src = farm_copy("Body text.", (ref,))
    assert (src.name, src.url) == ("How-To Geek", "https://www.howtogeek.com/some-review/")


def test_credits_in_either_order_and_in_capitals() -> None:
    assert farm_copy("![a](x.jpg)\nLifewire / Jeff Dojillo\n\nMore text.").name == "Lifewire"
    assert farm_copy("![a](x.jpg)\nScreenshot by Lance Whitney/ZDNET\n").name == "ZDNet"


def test_an_unlisted_publisher_is_named_by_its_domain() -> None:
    body = (
        "Contact our support at support@vendorsoft.example.\n\n"
        "![s](https://images.vendorsoft.example/a.png)\n\n![s](https://images.vendorsoft.example/b.png)\n"
    )
    src = farm_copy(body)
    assert src.name == "vendorsoft.example" and src.url == "https://www.vendorsoft.example/"
    assert any("e-mail" in e for e in src.evidence) and any("images" in e for e in src.evidence)


def test_an_image_credit_names_an_unlisted_site_it_links_to() -> None:
    body = "![a](https://www.gadgetblog.example/img/a.jpg)\n(Image credit: Gadget Blog)\n\n" * 2
    assert farm_copy(body).name in ("gadgetblog.example", "Gadget Blog")


def test_cdn_and_generic_names_are_never_publishers() -> None:
    body = "".join(f"![p](https://d1234.cloudfront.net/{i}.jpg)\n\n" for i in range(4))
    assert farm_copy(body).name is None
    assert farm_copy("Body.", publisher="Admin").name is None


def test_a_first_party_post_is_its_own_site() -> None:
    fm = {"title": "My post", "permalink": "https://blog.example.org/2024/my-post/"}
    src = attribute(Signals("My post", fm, "Just my own words."), builtin_rules())
    assert src.first_party and src.url == "https://blog.example.org/2024/my-post/"
    assert src.name == "example.org" and any("its own address" in e for e in src.evidence)


def test_cited_sources_do_not_outweigh_the_publishers_own_images() -> None:
    body = (
        "Source: [Atari](https://www.globenewswire.com/x) via [The Verge](https://www.theverge.com/y)\n\n"
        "![a](https://static1.howtogeekimages.com/a.jpg)\n\n![b](https://static1.howtogeekimages.com/b.jpg)\n"
    )
    assert farm_copy(body).name == "How-To Geek"
