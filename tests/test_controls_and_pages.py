"""Negative controls (first-party and attributed syndication) and full HTML pages."""

from __future__ import annotations

from conftest import FIXTURES, clean_path

from scraper.pipeline.frontmatter import split


def test_first_party_post_keeps_prose_and_affiliate_link_text() -> None:
    path = FIXTURES / "controls" / "frioux-blog-plain-text-amazon-pixel.md"
    original = path.read_text("utf-8")
    doc = clean_path(path)
    fm, body = split(doc.markdown)
    assert fm is not None and fm.raw.startswith(split(original)[0].raw)  # type: ignore[union-attr]
    assert doc.source.first_party and doc.source.name is None
    # the prose and the link text stay; the affiliate tag and the 1x1 pixels go
    assert "(The following includes affiliate links.)" in body
    assert (
        '<a target="_blank" href="https://www.amazon.com/gp/product/020161622X">The Pragmatic Programmer</a>.'
        in body
    )
    assert ">The Passionate Programmer</a>." in body
    assert "amazon-adsystem" not in body and "tag=afoolishmanif-20" not in body
    assert doc.counts["tracking_pixel"] == 2 and doc.counts["affiliate_link"] == 2
    # nothing else moved: every other line is byte-identical
    changed = [ln for ln in original.split("\n") if ln not in doc.markdown.split("\n")]
    assert len(changed) == 2 and all("amazon.com/gp/product" in ln for ln in changed)
    # its own links are not hijacked, its reference links untouched
    assert "[tf]: https://github.com/frioux/blog/tree/master/content/posts" in body
    assert doc.counts["hijacked_link"] == 0
    assert "Originally published by" not in body  # no publisher to name


def test_syndicated_copy_names_its_source_and_keeps_the_bom_before_its_front_matter() -> None:
    path = FIXTURES / "controls" / "techhubms-syndicated-ms-news.md"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    doc = clean_path(path)
    assert doc.markdown.startswith("\ufeff---\nexternal_url:")  # byte for byte, as the README says
    assert doc.source.name == "Microsoft DevBlog"
    assert doc.source.url == (
        "https://devblogs.microsoft.com/azure-notification-hubs/"
        "security-update-changes-to-uri-expiry-time-in-azure-notification-hubs/"
    )
    assert sum(doc.counts.values()) == 0
    assert "<!--excerpt_end-->" in doc.markdown
    assert (
        "**Related resources:**\n\n- [Get Notification Message Telemetry API Documentation]" in doc.markdown
    )


def test_rendered_farm_page() -> None:
    doc = clean_path(FIXTURES / "farm" / "tdy-winforum-2checkout-bsod-dumps.rendered.html")
    fm, body = split(doc.markdown)
    assert fm is not None
    for junk in (
        "impactradius",
        "sjv.io",
        "pxf.io",
        "AFFILIATE=",
        "adsbygoogle",
        "avangate",
        "2checkout",
        "Jutoh",
        "WonderFox",
        "G-NYMH9T25CD",
        "fundingchoices",
        "javascript:",
        "Win Forum",
    ):
        assert junk not in body, junk
    for keep in (
        "## What are the reasons behind 100% disk usage in Windows 10",
        "### Method 11: Remove temporary files",
        "* you cannot find the program in the Apps & Features list",
        "Select **Disable** under Startup type and then click **OK** .",  # the source's own spacing
    ):
        assert keep in body, keep
    assert doc.source.name == "Revo Uninstaller"
    assert fm.data["original_source"]["url"].startswith("https://www.revouninstaller.com/blog/")
    # the farm's og:image list holds banners and pixels, and its first image is the Movavi banner
    # of an affiliate block the cleaner removed: the image kept is the article's first screenshot
    assert fm.data["image"].endswith("/site/blog/fix-disk-usage/method-2-step2-UpdateandSecurity.png")
    assert fm.data["date"] == "2024-08-18T02:33:58.741000+00:00"
    assert "author" not in fm.data  # a farm's byline is not the article's author
    assert doc.counts["ad_block"] >= 17 and doc.counts["adsense"] >= 3 and doc.counts["tracking_pixel"] >= 1


def test_news_page_medicalnewstoday() -> None:
    doc = clean_path(FIXTURES / "pages" / "mozreadability-medicalnewstoday.source.html")
    fm, body = split(doc.markdown)
    assert fm is not None
    assert fm.data["title"] == "How does the brain turn unconscious information into conscious thought?"
    assert fm.data["date"].startswith("2017-07-27")
    assert doc.source.first_party and doc.source.name == "Medical News Today"
    assert "## The hypothesis" in body
    assert "that important 'a-ha!' moment?\"" in body
    assert "adsbygoogle" not in body and "doubleclick" not in body
    assert doc.counts["adsense"] >= 1 and doc.counts["tracking_pixel"] >= 1


def test_tmz_recommendation_widgets_and_pixels() -> None:
    doc = clean_path(FIXTURES / "pages" / "mozreadability-tmz-1.source.html")
    body = split(doc.markdown)[1]
    assert "the dress was taken out of Lupita's room at The London West Hollywood" in body
    for junk in ("taboola", "outbrain", "Taboola", "Outbrain"):
        assert junk not in body
    assert doc.counts["ad_block"] + doc.counts["tracking_pixel"] >= 2


def test_pixnet_blog_page() -> None:
    doc = clean_path(FIXTURES / "pages" / "mozreadability-pixnet.source.html")
    body = split(doc.markdown)[1]
    assert "一波波接續性低溫寒流報到" in body
    assert "adsbygoogle" not in body and "utm_source" not in body
    assert doc.counts["adsense"] >= 1
