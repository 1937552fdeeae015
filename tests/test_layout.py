"""The layout is the architecture: one package per stage, dependencies pointing down only.

    cli → jobs / audit → sources / store / fetch → pipeline → cleaners

plus the shared leaves every stage may use (scraper.model, errors, settings). Checked from
the import statements of every module, so a new upward import fails here, not in review.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

# what each unit may import (besides itself and the standard library and third parties)
LEAVES = {"model", "errors", "settings", "scraper"}  # "scraper": its __version__
ALLOWED: dict[str, set[str]] = {
    "cli": {"jobs", "audit", "sources", "store", "fetch", "pipeline", "cleaners"} | LEAVES,
    "jobs": {"sources", "store", "fetch", "pipeline", "cleaners"} | LEAVES,
    "audit": {"sources", "store", "pipeline", "cleaners"} | LEAVES,  # pipeline: decode, as cleaned
    "sources": {"fetch"} | LEAVES,
    "store": {"fetch"} | LEAVES,
    "fetch": LEAVES,
    "pipeline": {"cleaners"} | LEAVES,
    "model": {"cleaners"},
    "settings": {"scraper"},
    "errors": set(),
    "__main__": {"cli"},
    "cleaners": set(),  # never scraper
}


def _unit(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "cleaners":
        return "cleaners"
    if parts[0] != "scraper":
        return None
    return parts[1] if len(parts) > 1 else "scraper"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(_target(node.module, a.name) for a in node.names)
    return found


def _target(module: str, name: str) -> str:
    """`from scraper import settings` imports the module scraper.settings; `from scraper import
    __version__` the package itself."""
    if module in ("scraper", "cleaners") and (ROOT / module / f"{name}.py").exists():
        return f"{module}.{name}"
    return module


def _modules() -> list[Path]:
    return sorted((ROOT / "scraper").rglob("*.py")) + sorted((ROOT / "cleaners").rglob("*.py"))


def test_dependencies_point_down() -> None:
    wrong = []
    for path in _modules():
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        unit = _unit(module)
        assert unit is not None
        for target in sorted(_imports(path)):
            to = _unit(target)
            if to is not None and to != unit and to not in ALLOWED.get(unit, set()):
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_the_top_level_shows_the_stages() -> None:
    top = sorted(p.name for p in (ROOT / "scraper").glob("*.py"))
    assert len(top) <= 8, top
    packages = sorted(p.parent.name for p in (ROOT / "scraper").glob("*/__init__.py"))
    assert packages == ["audit", "cli", "fetch", "jobs", "pipeline", "sources", "store"]
    for name in packages:  # each says what it owns and what it may import
        doc = ast.get_docstring(ast.parse((ROOT / "scraper" / name / "__init__.py").read_text("utf-8")))
        assert doc and "import" in doc, name
