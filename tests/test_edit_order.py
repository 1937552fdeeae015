"""Edits are put in place order by two stable sorts in C: the same order, ties and all, as the
sort by (start, -end) it replaces (hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cleaners.editor import Edit
from cleaners.mdedits import by_place

_EDITS = st.lists(
    st.builds(Edit, st.integers(0, 12), st.integers(0, 12), st.sampled_from(["", " ", "a", "b"])), max_size=25
)


@given(_EDITS)
def test_by_place_as_the_key_sort(edits: list[Edit]) -> None:
    expected = sorted(edits, key=lambda x: (x.start, -x.end))
    got = by_place(edits)
    assert [id(e) for e in got] == [id(e) for e in expected]
