"""Removal, UrlStep and UrlVerdict write their fields without dataclass's generated __init__:
they must still be the frozen dataclasses their fields say (defaults, keywords, equality, hash,
replace, pickling, refusal to change)."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from cleaners.records import Removal, UrlStep, UrlVerdict


def test_removal_as_a_frozen_dataclass() -> None:
    r = Removal("ad_block", "ads", "an ad", "<div>ad</div>", line=3)
    assert (r.replacement, r.line, r.end_line, r.path) == (None, 3, None, None)
    assert r == Removal("ad_block", "ads", "an ad", "<div>ad</div>", None, 3)
    assert hash(r) == hash(Removal("ad_block", "ads", "an ad", "<div>ad</div>", None, 3))
    assert list(vars(r)) == [f.name for f in dataclasses.fields(Removal)]
    assert dataclasses.replace(r, end_line=4).end_line == 4
    assert pickle.loads(pickle.dumps(r)) == r
    assert dataclasses.asdict(r)["snippet"] == "<div>ad</div>"
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.line = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        Removal("ad_block", "ads", "an ad")  # type: ignore[call-arg]


def test_url_step_and_verdict_as_frozen_dataclasses() -> None:
    step = UrlStep(category="tracking_param", rule="utm", reason="tracking", removed="utm_source=x")
    keep = UrlVerdict("keep", "https://example.com/")
    assert keep.steps == () and keep == UrlVerdict(url="https://example.com/", action="keep")
    verdict = UrlVerdict("rewrite", "https://example.com/", (step,))
    assert verdict.last is step and not verdict.affiliate
    assert hash(verdict) == hash(UrlVerdict("rewrite", "https://example.com/", (step,)))
    assert pickle.loads(pickle.dumps(verdict)) == verdict
    assert repr(step).startswith("UrlStep(category='tracking_param', rule='utm'")
    with pytest.raises(dataclasses.FrozenInstanceError):
        keep.url = "x"  # type: ignore[misc]
