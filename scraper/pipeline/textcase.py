"""Lower-cased text for attribution's look-ups, made no more than a look-up needs.

A long article that is not ASCII costs some 30 instructions a character to lower-case even
through its UTF-8 bytes (`lower`); most look-ups only ask whether a word of ASCII letters occurs
in the lower-cased text, which its UTF-8 bytes with A-Z lower-cased answer as well
(`ascii_safe`), at a third of that.
"""

from __future__ import annotations

_ASCII = bytes(range(128))


def ascii_lowered(text: str) -> bytes:
    """The UTF-8 bytes of `text` (lone surrogates passed) with A-Z lower-cased."""
    return text.encode("utf-8", "surrogatepass").lower()


def ascii_safe(word: str) -> bytes | None:
    """`word` as bytes when `word in text.lower()` is `word in ascii_lowered(text)` for every
    text, else None. Only the Kelvin sign and dotted capital I lower-case to something holding
    an ASCII character (k; i and a combining dot: tests/test_pipe_speed.py checks every code
    point), and an ASCII character's bytes are itself: an ASCII word without a k whose every i is
    followed by an ASCII character is found in both or in neither."""
    if not word.isascii() or "k" in word or word.endswith("i"):
        return None
    return word.encode("ascii")


def lower(text: str, lowered: bytes | None = None) -> str:
    """`text.lower()`, made faster for a long text that is not ASCII: str.lower looks up the
    case of every character of such a text (some 50 instructions each), bytes.lower only maps
    A-Z. Its UTF-8 bytes lower-cased and decoded are `text.lower()` exactly when each non-ASCII
    character is its own lower case (every ASCII character lower-cases to one ASCII character
    in both): those characters, cut out of the bytes as a short text, are checked as a whole
    (a character whose lower case differs changes that text: none lower-cases to nothing).
    Otherwise, and for short texts, str.lower. `lowered`: `ascii_lowered(text)` if at hand
    (its non-ASCII bytes are the text's own)."""
    if len(text) < 256 or text.isascii():
        return text.lower()
    data = ascii_lowered(text) if lowered is None else lowered
    others = data.translate(None, _ASCII).decode("utf-8", "surrogatepass")
    if others.lower() != others:
        return text.lower()
    return data.decode("utf-8", "surrogatepass")
