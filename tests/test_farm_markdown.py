"""Real content-farm articles (Markdown with front matter and HTML islands): every piece of
injected junk gone, every sentence of the article kept, the Markdown cleaned in place."""

from __future__ import annotations

import difflib
import re
from typing import Any

import pytest
from conftest import FIXTURES, clean_path

from scraper.pipeline.frontmatter import split

FARM = FIXTURES / "farm"

# Strings that only the farm's junk contains: none may survive in the body.
JUNK = [
    "affiliate ads",
    "adsbygoogle",
    "ca-pub-",
    "impactradius",
    "sjv.io",
    "pxf.io",
    "8odi.net",
    "7eer.net",
    "evyy.net",
    "5597632",
    "AFFILIATE=",
    "2checkout",
    "avangate",
    "systoolsgroup",
    "techidaily.com",
    "atpl-alsoreadstyle",
    "Also read",
    "javascript:",
    "<iframe",
    "<script",
    "<video",
    "onclick",
    "<ins",
    "geni.us",
    "shop-links.co",
    "publisher_slug",
    "#link=",
    "zd-buy-button",
    "ascsubtag",
    "visibility:hidden",
    "Click here",
]

CASES: dict[str, dict[str, Any]] = {
    "000_022a837fca80a5ec.txt": {
        "source": ("ZDNet", "zdnet.com"),
        "counts": {"ad_block": 4, "adsense": 2, "also_read": 1, "affiliate_link": 2, "tracking_param": 2},
        "keep": [
            "## CompTIA A+ certification",
            "### Learn to negotiate your salary",
            "* Spot security vulnerabilities for network-connected devices",
            "**Read more from this special report: Tech skills - Upgrade your job**",
            "* [5 soft skills for business careers](https://www.zdnet.com/education/business-management/soft-skills-for-business-careers/)",
            "**SEE:** [**How to become an AI engineer**](https://www.zdnet.com/education/how-to-become-an-ai-engineer/)",
            "consider earning the AWS [Certified DevOps Engineer — Professional]"
            "(https://aws.amazon.com/certification/certified-devops-engineer-professional/) certification.",
            "[**Developers are facing burnout. Here's how companies are trying to fix it**]"
            "(https://www.zdnet.com/education/professional-development/developers-are-facing-burnout-heres-how-companies-are-trying-to-fix-it/)",
            "Nearly everyone changes jobs or careers throughout their lifetime.",
            "Tori Rubloff/ZDNet",
        ],
    },
    "tdy-printer-drivereasy-mp620.md": {
        "source": ("Driver Easy", "drivereasy.com"),
        "counts": {"ad_block": 1, "adsense": 2, "also_read": 1, "hijacked_link": 3},
        "keep": [
            "you can do it automatically with **Driver Easy**. Driver Easy will automatically recognize",
            "Go to [**support website**](https://www.usa.canon.com/internet/portal/us/home/support)"
            " of Canon.",
            "(this requires the **Pro version**– you’ll be prompted to upgrade when you click Update All).",
        ],
    },
    "tdy-printer-jsclickhere-printing.md": {
        "source": ("Driver Easy", "drivereasy.com"),
        "counts": {"ad_block": 7, "adsense": 2, "hijacked_link": 6},
        "keep": [
            "## Fix 4: Repair system file",
            "2. Go to**Windows Update** then click**Check for updates** .  \n![](https://images.drivereasy.com/",
            "with **Driver Easy**  .",
            "* windows 11",
            " Email: **<support@fortect.com>**",
        ],
    },
    "tdy-printer-makeuseof-ai-challenge.md": {
        "source": ("MakeUseOf", "makeuseof.com"),
        "counts": {"ad_block": 4, "adsense": 2, "also_read": 1},
        "keep": [
            "## ChatGPT vs. Claude AI: Creativity",
            "[ChatGPT was better at overcoming more complex creative tasks](https://www.makeuseof.com/creative-ways-to-use-chatgpt-openai/)",
            " We then fed the same prompt to Claude AI, and it gave it a fair shot as well.",
        ],
    },
    "tdy-printer-nopixel-printqueue.md": {
        "source": ("Driver Easy", "drivereasy.com"),
        "counts": {"ad_block": 6, "adsense": 2, "hijacked_link": 4},
        "keep": [" 1) Open **Control Panel** ."],
    },
    "tdy-printer-systools-canon.md": {
        "source": ("Driver Easy", "drivereasy.com"),
        "counts": {"ad_block": 10, "adsense": 2, "hijacked_link": 6},
        "keep": [
            " Before getting started, we suggest you try using **Fortect**  to fix your issue.",
            "![set Canon printer as the default printer](https://images.drivereasy.com/wp-content/uploads/2021/01/in-the-control-panel.png)",
        ],
    },
    "tdy-winforum-2checkout-bsod-dumps.md": {
        "source": ("Revo Uninstaller", "revouninstaller.com"),
        "counts": {"ad_block": 17, "adsense": 2, "hijacked_link": 6},
        "keep": [
            "## How to fix 100% disk usage on Windows 10\n",
            "### Method 1: Close applications that are running in the background",
            "### Method 10: Disable Windows Search",
            "2. Click on “Update & Security settings”  \n![Update & Security settings]",
            "Deleting your temporary files as we have covered in our previous article",
            "* you want to batch uninstall",
        ],
    },
    "tdy-winforum-2checkout-systools-restore.md": {
        "source": ("Revo Uninstaller", "revouninstaller.com"),
        "counts": {"ad_block": 8, "adsense": 2, "hijacked_link": 6},
        "keep": [
            "* [Dell driver updates](https://www.dell.com/support/home/us/en/19/products/?app=drivers)",
            "* [Lenovo driver updates](https://support.lenovo.com/ro/en/solutions/tvsu-update)",
        ],
    },
    "tdy-winforum-2checkout-ytiframe-powershell.md": {
        "source": ("Revo Uninstaller", "revouninstaller.com"),
        "counts": {"ad_block": 9, "adsense": 2},
        "keep": ["## Introducing Revo Uninstaller Pro 5\n"],
    },
    "tdy-winforum-howtogeek-xbox-gamebar.md": {
        "source": ("How-To Geek", "howtogeek.com"),
        "counts": {"ad_block": 4, "adsense": 2, "also_read": 1, "hijacked_link": 3},
        "keep": [
            "* [How to Disable (Or Enable) the Game Bar on Windows 10](https://www.howtogeek.com/705656/",
            "* How to Disable the Xbox Button in Windows 10\n",
            " Microsoft's Game Bar in Windows 10 is a handy way",
        ],
    },
    "tdy-winforum-minimal-social.md": {
        "source": ("Revo Uninstaller", "revouninstaller.com"),
        "counts": {"ad_block": 6, "adsense": 2},
        "keep": ["## How to Force Quit Windows Apps\n"],
    },
}


def _body(markdown: str) -> str:
    return split(markdown)[1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_junk_gone_and_article_kept(name: str) -> None:
    case = CASES[name]
    doc = clean_path(FARM / name)
    body = _body(doc.markdown)
    for junk in JUNK:
        assert junk not in body, f"{junk!r} survived in {name}"
    for keep in case["keep"]:
        assert keep in body, f"lost {keep!r}"
    for category, n in case["counts"].items():
        assert doc.counts[category] >= n, (category, doc.counts)
    name_, domain = case["source"]
    assert doc.source.name == name_
    assert doc.source.url and domain in doc.source.url
    assert body.rstrip().endswith(f"Originally published by [{name_}]({doc.source.url}).")


@pytest.mark.parametrize("name", sorted(CASES))
def test_cleaned_in_place(name: str) -> None:
    """Front matter bytes kept (keys only added); every line that is not junk is identical;
    changed lines are exactly the lines a removal record points at."""
    original = (FARM / name).read_text("utf-8")
    doc = clean_path(FARM / name)
    fm_in, body_in = split(original)
    fm_out, body_out = split(doc.markdown)
    assert fm_in is not None and fm_out is not None
    assert fm_out.raw.startswith(fm_in.raw)
    added = fm_out.raw[len(fm_in.raw) :]
    assert added.startswith("original_source:\n") and "retrieved_from:" in added
    out_lines = body_out.rstrip("\n").split("\n")
    assert out_lines[-1].startswith("Originally published by ")
    out_lines = out_lines[:-2]
    in_lines = body_in.split("\n")
    first = fm_in.line_count + 1
    cited: set[int] = set()
    for r in doc.removals:
        assert r.line is not None and r.end_line is not None
        cited.update(range(r.line - first, r.end_line - first + 1))
    matcher = difflib.SequenceMatcher(None, in_lines, out_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        changed = set(range(i1, i2))
        if op in ("replace", "delete"):
            blank = all(not in_lines[i].strip() for i in changed)
            assert blank or changed & cited, f"{op} of lines {i1 + first}-{i2 + first} not explained"
        if op in ("insert", "replace"):
            for line in out_lines[j1:j2]:
                assert line.strip() == "" or changed & cited, f"unexplained new line {line!r}"
    assert "\n\n\n" not in body_out, "a run of blank lines was left where a block was"


def test_end_marker_followed_by_heading_keeps_heading() -> None:
    doc = clean_path(FARM / "tdy-winforum-2checkout-bsod-dumps.md")
    body = _body(doc.markdown)
    for n in (1, 2, 4, 7, 8, 10):
        assert re.search(rf"^### Method {n}: ", body, re.M)


def test_reference_example_removals_are_recorded_with_lines() -> None:
    doc = clean_path(FARM / "000_022a837fca80a5ec.txt")
    blocks = [r for r in doc.removals if r.rule == "affiliate-ads-comments"]
    assert [(r.line, r.end_line) for r in blocks] == [(59, 64), (78, 83), (103, 108), (132, 137)]
    assert all(r.snippet.startswith("<!-- affiliate ads begin -->") for r in blocks)
    also = [r for r in doc.removals if r.category == "also_read"]
    assert len(also) == 1 and also[0].snippet.count("<li>") == 17
    unwrap = [r for r in doc.removals if r.rule == "geniuslink"]
    assert unwrap and unwrap[0].replacement == (
        "https://aws.amazon.com/certification/certified-devops-engineer-professional/"
    )
