"""`sources.toml`: what `scraper run` fetches and where it keeps things, validated up front.

Every problem is reported before anything is fetched, naming the key:

    out_dir = "out"                  # clean Markdown
    state = ".scraper/state.db"      # SQLite state
    archive = ".scraper/archive"     # raw responses (WARC)
    rules = ["site-rules.toml"]      # optional, for every source
    revalidate_hours = 24            # pages whose sitemap/feed date is unchanged: asked again after
    max_pages, allow_private, per_host, delay: defaults for every source
    [[sources]]
    name = "printer-issues"
    feed = "https://…/atom.xml"      # or sitemap, urls = […], robots, path = "fixtures/…"
    rules = [], max_pages = 1000, allow_private = false, per_host = 2, delay = 0.0

Numbers must be finite and within RANGES (a `delay = inf` would hang the run, a `timeout = nan`
would fail every request): anything else is refused, naming the key and its range.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from scraper import settings
from scraper.errors import UsageError
from scraper.fetch import urls

SourceKind = Literal["feed", "sitemap", "urls", "robots", "path"]
KINDS: tuple[SourceKind, ...] = get_args(SourceKind)
_TOP: dict[str, type | tuple[type, ...]] = {
    "out_dir": str,
    "state": str,
    "archive": str,
    "rules": list,
    "user_agent": str,
    "contact": str,
    "concurrency": int,
    "workers": int,
    "dask": str,
    "dask_archive": str,
    "attribution_line": bool,
    "max_pages": int,
    "allow_private": bool,
    "per_host": int,
    "delay": (int, float),
    "timeout": (int, float),
    "revalidate_hours": (int, float),
    "clean_budget": (int, float),
    "max_listings": int,
    "max_depth": int,
    "max_total_bytes": int,
    "sources": list,
}
_SOURCE: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "feed": str,
    "sitemap": str,
    "urls": list,
    "robots": str,
    "path": str,
    "rules": list,
    "max_pages": int,
    "allow_private": bool,
    "per_host": int,
    "delay": (int, float),
    "max_listings": int,
    "max_depth": int,
    "max_total_bytes": int,
}
# the range of every number: (least, most, whether the least itself is refused)
RANGES: dict[str, tuple[float, float, bool]] = {
    "concurrency": (1, 256, False),
    "workers": (0, 64, False),
    "per_host": (1, 64, False),
    "delay": (0, 3600, False),  # seconds between request starts on one host
    "timeout": (0, 3600, True),  # seconds per response: more than 0
    "revalidate_hours": (0, 24 * 365, False),
    "clean_budget": (0, 3600, True),  # seconds per document: more than 0
    "max_pages": (1, 1_000_000, False),
    "max_listings": (1, 100_000, False),
    "max_depth": (0, 50, False),
    "max_total_bytes": (1024, 2**40, False),
}


@dataclass(frozen=True)
class Source:
    name: str
    kind: SourceKind
    targets: tuple[str, ...]  # URLs, or one local path
    rules: tuple[Path, ...] = ()
    max_pages: int = settings.MAX_PAGES
    allow_private: bool = False
    per_host: int = settings.PER_HOST
    delay: float = settings.DELAY
    max_listings: int = settings.MAX_LISTINGS
    max_depth: int = settings.MAX_DEPTH
    max_total_bytes: int = settings.MAX_TOTAL_BYTES
    rank: int = 0  # its place in the sources file


@dataclass(frozen=True)
class RunConfig:
    path: Path
    out_dir: Path
    state: Path
    archive: Path
    sources: tuple[Source, ...]
    rules: tuple[Path, ...] = ()
    user_agent: str | None = None
    contact: str | None = None
    concurrency: int = settings.CONCURRENCY
    workers: int | None = None
    dask: str | None = None  # clean on this Dask scheduler (tcp://…, tls://…) or local:N
    dask_archive: str | None = None  # where Dask workers read the archive (a path or fsspec URL)
    attribution_line: bool = settings.ATTRIBUTION_LINE
    timeout: float = settings.TIMEOUT
    revalidate_hours: float = settings.REVALIDATE_HOURS
    clean_budget: float = settings.CLEAN_BUDGET_S


def _type_name(t: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", bool: "true or false", list: "a list", float: "a number"}
    return names[t[-1]] if isinstance(t, tuple) else names[t]


def _check_type(src: str, where: str, value: Any, expected: type | tuple[type, ...]) -> None:
    types = expected if isinstance(expected, tuple) else (expected,)
    if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
        raise UsageError(f"{src}: {where} must be {_type_name(expected)}, not {value!r}")


DASK_LOCAL_MAX = 256  # local:N starts at most this many worker processes


def dask_problem(address: str) -> str | None:
    """What is wrong with a Dask address (`dask` here, `--dask` on the command line), or None."""
    local = re.fullmatch(r"local:(\d+)", address)
    if local and 1 <= int(local.group(1)) <= DASK_LOCAL_MAX:
        return None
    if not local and re.fullmatch(r"(?:tcp|tls)://\S+", address):
        return None
    return (
        "expected tcp://HOST:PORT or tls://HOST:PORT (a Dask scheduler) or local:N "
        f"(N worker processes on this machine, 1 to {DASK_LOCAL_MAX})"
    )


def _check_dask(src: str, data: dict[str, Any]) -> None:
    address, archive = data.get("dask"), data.get("dask_archive")
    problem = dask_problem(address) if address is not None else None
    if problem:
        raise UsageError(f"{src}: dask: {problem}, not {address!r}")
    if archive is not None and "://" not in archive and not Path(archive).is_absolute():
        raise UsageError(
            f"{src}: dask_archive must be an absolute path or a URL (file://…, s3://…), not {archive!r}"
        )


def _check_ranges(src: str, prefix: str, data: dict[str, Any]) -> None:
    """Every number finite and within its range (RANGES)."""
    for key, value in data.items():
        if key not in RANGES or isinstance(value, bool):
            continue
        least, most, open_low = RANGES[key]
        low_ok = value > least if open_low else value >= least
        if not (math.isfinite(value) and low_ok and value <= most):
            low = f"more than {least:g}" if open_low else f"at least {least:g}"
            raise UsageError(f"{src}: {prefix}{key} must be {low} and at most {most:g}, not {value!r}")


def load_config(path: Path) -> RunConfig:
    src = str(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{src}: no such configuration file (give --config)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{src}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{src}: not valid TOML: {exc}") from None
    base = path.parent  # as given: paths stay relative when the sources file's are
    for key, value in data.items():
        if key not in _TOP:
            raise UsageError(f"{src}: unknown key {key!r} (known: {', '.join(sorted(_TOP))})")
        _check_type(src, key, value, _TOP[key])
    _check_ranges(src, "", data)
    _check_dask(src, data)
    rules = _rules(src, "rules", data.get("rules", []), base)
    sources = []
    seen: set[str] = set()
    raw_sources = data.get("sources", [])
    if not raw_sources:
        raise UsageError(f"{src}: no [[sources]] to run")
    for i, raw in enumerate(raw_sources):
        if not isinstance(raw, dict):
            raise UsageError(f"{src}: sources[{i}] must be a table ([[sources]])")
        sources.append(_source(src, i, raw, base, data, seen))
    return RunConfig(
        path=path,
        out_dir=base / data.get("out_dir", settings.OUT_DIR),
        state=base / data.get("state", settings.STATE),
        archive=base / data.get("archive", settings.ARCHIVE),
        sources=tuple(sources),
        rules=rules,
        user_agent=data.get("user_agent"),
        contact=data.get("contact"),
        concurrency=data.get("concurrency", settings.CONCURRENCY),
        workers=data.get("workers"),
        dask=data.get("dask"),
        dask_archive=data.get("dask_archive"),
        attribution_line=data.get("attribution_line", settings.ATTRIBUTION_LINE),
        timeout=float(data.get("timeout", settings.TIMEOUT)),
        revalidate_hours=float(data.get("revalidate_hours", settings.REVALIDATE_HOURS)),
        clean_budget=float(data.get("clean_budget", settings.CLEAN_BUDGET_S)),
    )


def _rules(src: str, where: str, values: list[Any], base: Path) -> tuple[Path, ...]:
    out = []
    for v in values:
        if not isinstance(v, str):
            raise UsageError(f"{src}: {where} must be a list of file names")
        p = base / v
        if not p.is_file():
            raise UsageError(f"{src}: {where}: no such rules file {v!r}")
        out.append(p)
    return tuple(out)


def _source(src: str, i: int, raw: dict[str, Any], base: Path, top: dict[str, Any], seen: set[str]) -> Source:
    name = raw.get("name")
    where = f"sources[{i}]" + (f" ({name})" if isinstance(name, str) else "")
    for key, value in raw.items():
        if key not in _SOURCE:
            raise UsageError(f"{src}: {where}: unknown key {key!r} (known: {', '.join(sorted(_SOURCE))})")
        _check_type(src, f"{where}.{key}", value, _SOURCE[key])
    if not isinstance(name, str) or not re.fullmatch(r"[\w.-]+", name):
        raise UsageError(f"{src}: {where}: needs a name of letters, digits, '.', '_' or '-'")
    if name in seen:
        raise UsageError(f"{src}: {where}: the name {name!r} is used twice")
    seen.add(name)
    kinds = [k for k in KINDS if k in raw]
    if len(kinds) != 1:
        raise UsageError(f"{src}: {where}: give exactly one of {', '.join(KINDS)}")
    kind = kinds[0]
    if kind == "urls":
        targets = tuple(raw["urls"])
        if not targets or not all(isinstance(u, str) for u in targets):
            raise UsageError(f"{src}: {where}.urls must be a non-empty list of URLs")
    else:
        targets = (raw[kind],)
    for t in targets:
        is_url = re.match(r"^https?://", t)
        if kind == "path" or (kind == "feed" and not is_url):
            if not (base / t).exists():
                raise UsageError(f"{src}: {where}.{kind}: no such file or directory {t!r}")
        elif not is_url or urls.problem(t):
            raise UsageError(f"{src}: {where}.{kind}: {urls.problem(t) or 'not an http(s) URL'}: {t!r}")
    _check_ranges(src, f"{where}.", raw)
    resolved = tuple(str(base / t) if not re.match(r"^https?://", t) else t for t in targets)
    return Source(
        name=name,
        kind=kind,
        targets=resolved,
        rules=_rules(src, f"{where}.rules", raw.get("rules", []), base),
        max_pages=raw.get("max_pages", top.get("max_pages", settings.MAX_PAGES)),
        allow_private=raw.get("allow_private", top.get("allow_private", False)),
        per_host=raw.get("per_host", top.get("per_host", settings.PER_HOST)),
        delay=float(raw.get("delay", top.get("delay", settings.DELAY))),
        max_listings=raw.get("max_listings", top.get("max_listings", settings.MAX_LISTINGS)),
        max_depth=raw.get("max_depth", top.get("max_depth", settings.MAX_DEPTH)),
        max_total_bytes=raw.get("max_total_bytes", top.get("max_total_bytes", settings.MAX_TOTAL_BYTES)),
        rank=i,
    )
