"""URL rules by network and by farm, not by sample: each case is a shape a network documents
(or a farm uses), with hosts and ids the rules were not written from."""

from __future__ import annotations

import pytest
from conftest import builtin_rules

from cleaners.hosts import HostSet
from cleaners.urls import UrlCleaner, network_domains


def cleaner(page: str | None = None, farm: bool = False, text: str = "") -> UrlCleaner:
    rules = builtin_rules()
    hosts = rules.farm_domains | HostSet.of(["farm.example"]) if farm else rules.farm_domains
    return UrlCleaner(rules, hosts, page, network_domains(text))


@pytest.mark.parametrize(
    "url",
    [
        "https://brandname.sjv.io/q1w2e3",  # Impact vanity short links, whatever the path
        "https://shop.pxf.io/AbC12x",
        "https://united.elfm.net/xyz789",
        "https://razer.a9yw.net/c/156932/1234567/12345?subId1=abc",
        "https://imp.i123456.net/c/1/2/3",
        "https://go.vendor.example/c/156932/1234567/12345",  # Impact path on a brand's own host
        "https://www.anrdoezrs.net/links/7251228/type/dlg/sid/x/",  # CJ, no destination
        "https://www.somecjdomain.com/click-8900246-12578053",  # CJ click shape, unlisted domain
        "https://click.linksynergy.com/fs-bin/click?id=abc&offerid=1",  # Rakuten, no murl
        "https://go.skimresources.com/?id=123X456",
        "https://www.linkev.com/order?offer=3monthsfree&a_fid=somepublisher",  # ExpressVPN
        "https://cybershield.cc/pub%5Fgen%5Fabc.html",
        "https://go.vpnvendor.example/aff_c?offer_id=1&aff_id=2",  # TUNE/HasOffers click shape
        "https://amzn.to/3xYz",
    ],
)
def test_affiliate_clicks_without_destination_are_unlinked(url: str) -> None:
    verdict = cleaner().clean(url)
    assert verdict.action == "unlink" and verdict.affiliate, verdict
    assert verdict.last.category == "affiliate_link"


@pytest.mark.parametrize(
    ("url", "dest"),
    [
        (
            "https://www.jdoqocy.com/click-100-200?url=https%3A%2F%2Fwww.example.com%2Fp%3Fx%3D1",
            "https://www.example.com/p?x=1",
        ),
        (
            "https://www.unlisted-cj.net/click-1234567-7654321?url=https%3A%2F%2Fshop.example%2Fa",
            "https://shop.example/a",
        ),
        (
            "https://anything.example/Proxy.ashx?TSID=1&GR%5FURL=https%3A%2F%2Fshop.example%2Fb",
            "https://shop.example/b",
        ),
        (
            "https://vendor.pxf.io/c/1/2/3?u=https%3A%2F%2Fvendor.example%2Fdeal",
            "https://vendor.example/deal",
        ),
        ("https://cc.somebrand.com/v1/otc/abc?url=https%3A%2F%2Fshop.example%2Fc", "https://shop.example/c"),
        (
            "https://rover.ebay.com/rover/1/711-53200-19255-0/1?mpre=https%3A%2F%2Fwww.ebay.com%2Fitm%2F1",
            "https://www.ebay.com/itm/1",
        ),
    ],
)
def test_destinations_in_the_url_are_unwrapped(url: str, dest: str) -> None:
    verdict = cleaner().clean(url)
    assert (verdict.action, verdict.url) == ("rewrite", dest)


def test_farm_account_wrapping_a_publisher_network_link() -> None:
    """The farm's shop-links account wraps the publisher's CJ link: the first is the farm's
    hijack, the second the publisher's affiliate link; the reader gets the shop."""
    inner = "https://www.anrdoezrs.net/click-8900246-12578053?sid=site-us-1&url=https%3A%2F%2Fwww.store.example%2Fp"
    url = "https://shop-links.co/link/?exclusive=1&publisher_slug=itechdaily19598&url=" + inner.replace(
        ":", "%3A"
    ).replace("/", "%2F").replace("?", "%3F").replace("&", "%26").replace("=", "%3D")
    verdict = cleaner().clean(url)
    assert verdict.url == "https://www.store.example/p"
    assert [s.category for s in verdict.steps] == ["hijacked_link", "affiliate_link"]


def test_farm_partner_id_is_a_hijack_not_the_publishers_affiliate_link() -> None:
    verdict = cleaner().clean("https://store.vendor.example/order/checkout.php?PRODS=1&AFFILIATE=108875")
    assert verdict.action == "unlink" and verdict.last.category == "hijacked_link"
    verdict = cleaner().clean("https://brand.sjv.io/c/5597632/1/2")
    assert verdict.last.category == "hijacked_link" and verdict.affiliate


def test_network_domains_are_learned_from_the_page() -> None:
    text = '<a href="https://brand.newnet.net/c/5597632/123456/1234"><img src="x.png"></a>'
    assert network_domains(text) == frozenset({"newnet.net"})
    assert network_domains(text.encode()) == frozenset({"newnet.net"})
    # a brand's own tracking host does not make the brand's domain a network
    assert network_domains("//goto.walmart.com/c/5597632/123456/1234") == frozenset()
    verdict = cleaner(text=text).clean("https://other.newnet.net/k0ez0m")
    assert verdict.affiliate and verdict.last.rule == "network-domain"
    assert cleaner().clean("https://other.newnet.net/k0ez0m").action == "keep"


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://site.example/a?utm_source=rss&utm_medium=rss&id=3", "https://site.example/a?id=3"),
        ("https://site.example/a?utm%5Fsource=x&b=1", "https://site.example/a?b=1"),
        ("https://site.example/a?utm%255Fsource=x&b=1", "https://site.example/a?b=1"),
        ("https://site.example/a?b=1&amp;utm_source=x&amp;c=2", "https://site.example/a?b=1&amp;c=2"),
        ("https://site.example/a?utm_source=x&amp;c=2", "https://site.example/a?c=2"),
        ("https://site.example/a?gclid=1&fbclid=2&msclkid=3&irclickid=4&_gl=5", "https://site.example/a"),
        ("https://site.example/a?oft_id=1&sms_click=2&unicorn_click_id=3", "https://site.example/a"),
        ("https://shop.example/p?xcust=site-123&a_aid=99&q=2", "https://shop.example/p?q=2"),
        ("https://www.amazon.de/dp/B0/ref=sr_1?tag=pub-21&ascsubtag=x&th=1", "https://www.amazon.de/dp/B0"),
        ("https://www.ebay.com/itm/1?mkcid=1&campid=5&var=2", "https://www.ebay.com/itm/1?var=2"),
        ("https://www.youtube.com/watch?v=abc&si=tracker", "https://www.youtube.com/watch?v=abc"),
    ],
)
def test_tracking_and_affiliate_parameters_are_stripped(url: str, clean: str) -> None:
    assert cleaner().clean(url).url == clean


def test_tag_is_only_an_affiliate_tag_on_amazon() -> None:
    assert cleaner().clean("https://blog.example/posts?tag=python").action == "keep"


def test_in_page_anchors_are_content_even_on_a_farm_page() -> None:
    page = "https://farm.example/post/"
    c = cleaner(page, farm=True)
    assert c.clean("#section-2").action == "keep"
    assert c.clean("https://farm.example/post/#section-2").action == "keep"
    assert c.host("#section-2") == "" and c.host("https://farm.example/post/#section-2") == ""
    assert c.clean("https://farm.example/other-post/").last.category == "hijacked_link"


def test_network_host_is_answered_as_by_its_registrable_domain() -> None:
    from cleaners.hosts import registrable_domain

    rules = builtin_rules()
    nets = frozenset({"pxf.io", "8odi.net", "co.uk", "example.com", "127.0.0.1"})
    cleaner = UrlCleaner(rules, rules.farm_domains, None, nets)
    hosts = ["a.pxf.io", "pxf.io", "xpxf.io", "a.b.pxf.io.", "A.PXF.IO", "www.bbc.co.uk", "co.uk", "io"]
    hosts += ["x.example.com", "example.com.", ".example.com", "127.0.0.1", "1.127.0.0.1", "[::1]", ""]
    for host in hosts:
        assert cleaner._in_network(host) == (registrable_domain(host) in nets), host
