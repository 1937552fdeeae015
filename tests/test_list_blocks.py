"""Related-post lists: list blocks are found by searching for the next item start after the last
block, the same blocks as taking every item start and skipping those inside a block found
(hypothesis, on texts made of list lines, continuation lines and blank lines)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.markdown import _ITEM_START, _LIST_BLOCK, _list_blocks


def _by_every_item(body: str) -> list[tuple[int, int]]:
    out, taken = [], 0
    for item in _ITEM_START.finditer("\n" + body):
        if item.start() < taken:
            continue
        m = _LIST_BLOCK.match(body, item.start())
        if m is not None:
            taken = m.end()
            out.append((m.start(), m.end()))
    return out


_LINES = st.sampled_from(
    ["- [a](u)", "* b", "1. c", "12) d", "   - e", "    - f", "  cont", "", " ", "text", "-", "- ",
     "-\tx", "+ [x](y) z", "é - g", "2.h", "# head"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_LINES, max_size=14))
def test_same_blocks(lines: list[str]) -> None:
    body = "\n".join(lines)
    assert [(m.start(), m.end()) for m in _list_blocks(body)] == _by_every_item(body)
