"""The pipeline's shortcuts give the answers of the work they stand in for."""

from __future__ import annotations

import sys

from scraper.pipeline import clues


def test_only_ascii_kelvin_and_dotted_i_lower_case_to_ascii() -> None:
    # the footer look-up's premise: no other character's lower case holds an ASCII character
    found = {
        chr(cp) for cp in range(sys.maxunicode + 1) if cp >= 128 and any(c.isascii() for c in chr(cp).lower())
    }
    assert found == {"\u212a", "\u0130"}
    assert all(any(h.decode() in w for h in clues._FOOTER_HINTS) for w in clues._FOOTER_WORDS)
    assert not any("k" in w or w.endswith("i") for w in clues._FOOTER_WORDS)


def test_footer_look_up_answers_as_the_lower_cased_body() -> None:
    texts = [
        "This article ORIGINALLY appeared on Example.",
        "Tom’s guide — first PUBLISHED on Zdnet",
        "reprİnted from nowhere ’",
        "Ré-publié: REPUBLISHED from the site ’",
        "first\u00a0on the list ’",
        "A \ud800 lone surrogate, originally",
        "Nothing of the sort here ’",
        "FİRST ON",
        "\u212aelvin first on",
    ]
    for text in texts:
        assert clues._footer_words(text) == any(w in text.lower() for w in clues._FOOTER_WORDS), text
