"""Shared helpers: the fixtures directory and a one-call pipeline run."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from cleaners import RuleSet, load_rules
from scraper.pipeline.core import CleanedDocument, CleanOptions, SourceDocument, clean_document

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"


@cache
def builtin_rules() -> RuleSet:
    return load_rules()


def clean_path(path: Path, *, rules: RuleSet | None = None, url: str | None = None) -> CleanedDocument:
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    return clean_document(
        SourceDocument(name, path.read_bytes(), url=url), CleanOptions(rules or builtin_rules())
    )


def clean_bytes(
    data: bytes, name: str = "doc.md", *, rules: RuleSet | None = None, url: str | None = None
) -> CleanedDocument:
    return clean_document(SourceDocument(name, data, url=url), CleanOptions(rules or builtin_rules()))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
