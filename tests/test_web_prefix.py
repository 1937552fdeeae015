"""The gate answers a URL starting "https://" or "http://" at once (its first test): every such
URL passes, whatever follows, and none is read as mailto (hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cleaners.safeurl import is_safe_url, scheme_of


@given(st.sampled_from(["https://", "http://"]), st.text(max_size=40))
def test_web_prefix_passes_the_gate(prefix: str, rest: str) -> None:
    url = prefix + rest
    assert is_safe_url(url) and is_safe_url(url, markdown=True)
    assert scheme_of(url) != "mailto"
