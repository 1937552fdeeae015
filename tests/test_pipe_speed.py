"""The pipeline's shortcuts give the answers of the work they stand in for."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.hosts import FrozenDict
from scraper.pipeline import clues, evidence, fingerprint, frontmatter, textcase
from scraper.store import writer


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


class _Str(str):
    pass


_KEY = st.text(max_size=3) | st.integers(0, 3) | st.builds(_Str, st.text(max_size=3))
_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(-(1 << 65), 1 << 65)
    | st.floats()
    | st.text(max_size=3)
    | st.builds(_Str, st.text(max_size=3))
)
_VALUE = st.recursive(
    _LEAF,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(_KEY, inner, max_size=3)
        | st.builds(FrozenDict, st.dictionaries(_KEY, inner, max_size=3))
    ),
    max_leaves=12,
)


def _reference(value: object, depth: int) -> bool:
    """writer._plain as it was before its walk was made faster."""
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -(1 << 63) <= value < 1 << 63
    if depth > 200:
        return False
    if isinstance(value, dict):
        return all(type(k) is str and _reference(v, depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_reference(v, depth + 1) for v in value)
    return False


@settings(max_examples=500, deadline=None)
@given(_VALUE)
def test_plain_walk_answers_as_before(value: object) -> None:
    assert writer._plain(value, 0) == _reference(value, 0)
    assert writer._plain({"v": value}, 0) == _reference({"v": value}, 0)


def test_plain_walk_keeps_the_nesting_bound() -> None:
    for depth in (199, 200, 201, 202):
        value: object = "x"
        for i in range(depth):
            value = [value] if i % 2 else {"k": value}
        assert writer._plain(value, 0) == _reference(value, 0)


def _yaml_outcome(load: Callable[[str], Any], text: str) -> tuple[str, Any]:
    try:
        return "value", load(text)
    except yaml.YAMLError as exc:
        return type(exc).__name__, str(exc)


_YAML_CASES = [
    "title: Hello\ntags:\n  - a\n  - b\n",
    "a: &x foo\nb: *x\n",
    "a: &x [1, 2]\nb: *x\n",
    "base: &b {k: v}\nc:\n  <<: *b\n  k: w\n",
    "? [a, b]\n: c\n",
    "? {a: b}\n: c\n",
    "a: !!int 3\nb: !custom x\nc: 2024-01-01\nd: yes\ne: ~\nf:\n",
    "a: 1\na: 2\nb: 3\n",
    "- 1\n- 2\n",
    "just text",
    "a: b\n---\nc: d\n",
    "a: [b, {c: d}]\n",
    "a: 'quoted: x'\nb: \"esc\\u00e9\"\nc: |\n  block\n  text\nd: >\n  folded\n",
    "a: [unclosed\n",
    "\t- tab\n",
    "a: b: c\n",
    "&r [*r]\n",
    "x: " + "[" * 40 + "]" * 40 + "\n",
    "x: " + "[" * 30 + "]" * 30 + "\n",
]


def test_front_matter_values_are_pyyamls() -> None:
    loader = frontmatter._Loader
    for text in _YAML_CASES:
        expected = _yaml_outcome(lambda t: yaml.load(t, Loader=loader), text)
        assert _yaml_outcome(frontmatter._load_yaml, text) == expected, text


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from(list("ab :-[]{},&*!?|>'\"#\n  \t<<x1")), max_size=40))
def test_front_matter_values_are_pyyamls_on_any_text(text: str) -> None:
    loader = frontmatter._Loader
    expected = _yaml_outcome(lambda t: yaml.load(t, Loader=loader), text)
    assert _yaml_outcome(frontmatter._load_yaml, text) == expected


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(list("a@.-_+ é\nB1")), max_size=40))
def test_email_domains_are_the_patterns_matches(text: str) -> None:
    assert clues._email_domains(text) == [m.group(1) for m in clues._EMAIL.finditer(text)]


def _fingerprint_before(markdown_body: str) -> str:
    """fingerprint.fingerprint, counted bit by bit."""
    counts = [0] * 64
    total = 0
    for line in markdown_body.replace("’", "'").encode().split(b"\n"):
        spaces = line.count(b" ")
        if spaces < 3:
            continue
        units = line.split(b". ") if spaces >= 30 else (line,)
        for unit in units:
            words = unit.count(b" ") + 1 if len(units) > 1 else spaces + 1
            if words < 4:
                continue
            d = hashlib.blake2b(unit.translate(fingerprint._LOWER, fingerprint._DROP), digest_size=8).digest()
            value = int.from_bytes(d, "little")
            for bit in range(64):
                counts[bit] += words * (value >> bit & 1)
            total += words
    if not total:
        return "0" * 16
    return f"{sum(1 << bit for bit in range(64) if 2 * counts[bit] > total):016x}"


_WORDS = st.sampled_from(["a", "bb", "The", "x.", "’s", "9", "é", "Long.", "..", "\r", "*", "A"])
_SEP = st.sampled_from([" ", " ", " ", "\n", ". ", "  "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_WORDS, _SEP), max_size=300))
def test_fingerprint_is_the_counted_value(pairs: list[tuple[str, str]]) -> None:
    text = "".join(w + s for w, s in pairs)
    assert fingerprint.fingerprint(text) == _fingerprint_before(text)


def test_fingerprint_of_long_texts_is_the_counted_value() -> None:
    texts = [
        "word " * 70_000,  # one unit of many words
        ("one two three four. " * 20 + "\n") * 4_000,  # many units
        ("alpha beta gamma delta\n" * 16_000) + "x y z w " * 66_000 + "\nlast line of four\n",
    ]
    for text in texts:
        assert fingerprint.fingerprint(text) == _fingerprint_before(text)


_URLISH_TEXT = st.lists(
    st.sampled_from(["](", ")", "http", "s://", "https://a.b/c", "](http://x)", "<", ">", " ", "\n", "é"]),
    max_size=30,
).map("".join)


@settings(max_examples=600, deadline=None)
@given(_URLISH_TEXT)
def test_prose_without_urls_is_the_patterns_substitution(text: str) -> None:
    assert clues._without_urls(text) == clues._URLISH.sub(" ", text)


_HTMLISH = st.lists(
    st.sampled_from([*"<>![]()=\"' hrefsciIMGİK/x.\n", "href", "src", "<img ", "<IMG", "!["]), max_size=40
).map("".join)


@settings(max_examples=600, deadline=None)
@given(_HTMLISH)
def test_anchored_searches_find_what_the_patterns_find(text: str) -> None:
    assert [m.span() for m in evidence.anchored(evidence._ATTR_URL, text, ("href", "src"), 1)] == [
        m.span() for m in evidence._ATTR_URL.finditer(text)
    ]
    assert [m.span() for m in evidence.anchored(evidence._IMAGE_URL, text, ("![", "<"))] == [
        m.span() for m in evidence._IMAGE_URL.finditer(text)
    ]
    assert evidence.urls_in(text) == _urls_in_before(text)
    assert evidence.images_in(text) == _images_in_before(text)


def _urls_in_before(body: str) -> list[str]:
    urls = [m.group(1) for m in evidence._MD_URL.finditer(body)]
    urls += [m.group(1) for m in evidence._ATTR_URL.finditer(body)]
    return urls + [m.group(1) for m in evidence._AUTO_URL.finditer(body)]


def _images_in_before(body: str) -> set[str]:
    return {m.group(1) or m.group(2) for m in evidence._IMAGE_URL.finditer(body)}


_CASES = "aZ \u00e9\u00c9\u2019\u0130\u212a\u03a3\u03c3\ud800\udc00\U0001d400\u1e9e\u00df"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(_CASES)) | st.characters(), min_size=250, max_size=400))
def test_lower_is_str_lower(text: str) -> None:
    # the long, non-ASCII path: every character case-mapped as str.lower does, Kelvin, dotted
    # capital I, final sigma and lone surrogates included
    assert textcase.lower(text) == text.lower()
    assert textcase.lower(text + "\u2019" * 300) == (text + "\u2019" * 300).lower()
    assert textcase.lower("Tom\u2019s Hardware " * 40) == ("Tom\u2019s Hardware " * 40).lower()


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(list("aZ .\n\u00e9\u2019\u00df\ud800\udc00\U0001d400")), min_size=256))
def test_lower_is_str_lower_where_the_bytes_are_lowered(text: str) -> None:
    assert textcase.lower(text) == text.lower()


_SUBTAG_PIECE = st.sampled_from(
    [
        *("tag", "TAG", "sid", "SubId1", "u1", "asc_refurl", "ascſubtag", "=", "?", "&", ";", "#", "/"),
        *("x", "-20", " ", "\n", "%", ")", "'", '"', "<", "K", "İ", "ı", "é", "\ud800"),
    ]
) | st.text(max_size=3)


@settings(max_examples=800, deadline=None)
@given(st.lists(_SUBTAG_PIECE, max_size=40).map("".join))
def test_subtag_pairs_are_the_whole_patterns_findall(text: str) -> None:
    assert clues._subtag_pairs(text) == clues._SUBTAG.findall(text)


def test_subtag_pairs_at_the_start_and_after_it() -> None:
    for text in ["tag=abc-20&sid=x", "?tag=a", "tag=", "Tag=a/sid=b#u1=c", "xtag=a&tag=b", "=tag=a"]:
        assert clues._subtag_pairs(text) == clues._SUBTAG.findall(text), text
