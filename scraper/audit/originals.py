"""Where `scraper audit` finds the original of a document — and where it will not look.

The original is the input file (as named in the audit record, relative to the sources file's
directory), the archived response of a fetched page, or the content of a feed item (from the
feed file, or the feed's archived response). Only files under the directories audit knows are
read: the sources file's directory (the current directory when there is none), each local
source's path, the archive and the output directory. A record that names any other file (a
tampered `"input": "/etc/shadow"`, `../../x`, or a link out of those directories) is refused
with one line, and its document is audited without its original.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scraper.errors import DocumentError
from scraper.pipeline.decode import decode
from scraper.sources.config import RunConfig
from scraper.sources.discover import feed_items
from scraper.store.archive import read_at
from scraper.store.state import StateStore

MAX_ORIGINAL_BYTES = 50 * 1024 * 1024
MAX_FEEDS = 1000


@dataclass
class Original:
    text: str
    fragment: bool = False  # a feed item's content, not a whole page


@dataclass
class OriginalFinder:
    roots: list[Path]
    base: Path | None = None  # relative input names are relative to this (the sources file's directory)
    state: StateStore | None = None
    archive: Path | None = None
    feeds: list[str] = field(default_factory=list)  # feed files and URLs, for feed items
    problems: list[str] = field(default_factory=list)
    _items: dict[str, str] | None = None

    @classmethod
    def for_config(
        cls, cfg: RunConfig | None, out_dirs: list[Path], state: StateStore | None
    ) -> OriginalFinder:
        base = cfg.path.parent if cfg else Path(".")
        roots = [base, *out_dirs]
        feeds: list[str] = []
        if cfg is not None:
            roots += [cfg.archive]
            for src in cfg.sources:
                local = [t for t in src.targets if not t.startswith(("http://", "https://"))]
                roots += [Path(t) for t in local if src.kind in ("path", "feed")]
                feeds += list(src.targets) if src.kind == "feed" else []
        if state is not None:
            feeds += [str(r[0]) for r in state.db.execute("SELECT url FROM urls WHERE kind = 'feed'")]
        resolved = [r.resolve() for r in roots]
        return cls(resolved, base, state, cfg.archive.resolve() if cfg else None, list(dict.fromkeys(feeds)))

    def inside(self, path: Path) -> bool:
        real = path.resolve()
        return any(real == r or real.is_relative_to(r) for r in self.roots)

    def find(self, record: dict[str, Any], doc: str) -> Original | None:
        """The original of the document the record describes, or None (a refused name is one
        line in `problems`)."""
        name = str(record.get("input") or "")
        if not name or "\x00" in name:
            return None
        if name.startswith(("http://", "https://")):
            body = self._archived(name)
            text = _decode(body[0], body[1], record) if body is not None else None
            if text is not None:
                return Original(text)
            item = self._feed_item(name)
            return Original(item, fragment=True) if item is not None else None
        candidates = [self.base / name] if self.base is not None and not Path(name).is_absolute() else []
        candidates.append(Path(name))
        for path in candidates:
            if not self.inside(path):
                continue
            if path.is_file():
                data = _read(path)
                text = _decode(data, None, record) if data is not None else None
                return Original(text) if text is not None else None
        item = self._feed_item(name)  # a feed item whose link is relative, or has none
        if item is not None:
            return Original(item, fragment=True)
        if not any(self.inside(p) for p in candidates):
            self.problems.append(
                f"{doc}: its audit record names an input outside the directories audit reads "
                f"({name!r}); audited without its original"
            )
        return None

    def _archived(self, url: str) -> tuple[bytes, str | None] | None:
        if self.state is None or self.archive is None:
            return None
        found = self.state.archived(url)
        if found is None:
            return None
        path = self.archive / found[1]
        if not path.resolve().is_relative_to(self.archive):
            self.problems.append(f"the state store names an archive file outside the archive ({found[1]!r})")
            return None
        response = read_at(path, found[2])
        return (response.body, response.charset) if response is not None else None

    def _feed_item(self, key: str) -> str | None:
        if self._items is None:
            self._items = {}
            for feed in self.feeds[:MAX_FEEDS]:
                self._read_feed(feed)
        return self._items.get(_normalize(key)) or self._items.get(key)

    def _read_feed(self, feed: str) -> None:
        assert self._items is not None
        if feed.startswith(("http://", "https://")):
            found = self._archived(feed)
            body = found[0] if found else None
        else:
            body = _read(Path(feed)) if self.inside(Path(feed)) else None
        if not body:
            return
        remote = feed.startswith(("http://", "https://"))
        name = feed if remote else _display(Path(feed), self.base)
        for item in feed_items(body, name, ""):
            if item.content is None:
                continue
            # the names `scraper run` gives an item (scraper.jobs.listings.place_item): its
            # link's page when it is on the feed's site, else <feed>#item-<ident>
            keys = [f"{_normalize(feed) if remote else name}#item-{item.ident}"]
            if item.link:
                keys.append(_normalize(item.link))
            for key in keys:
                self._items.setdefault(key, item.content)


def _display(path: Path, base: Path | None) -> str:
    """A local feed's name as `scraper run` gives it (relative to the sources file's directory)."""
    if base is not None:
        try:
            return str(path.relative_to(base))
        except ValueError:
            pass
    return str(path)


def _normalize(url: str) -> str:
    """The name a fetched document is known by (as scraper.jobs.crawl.normalize)."""
    try:
        p = urlsplit(url.strip())
        port = p.port
    except ValueError:
        return url
    host = (p.hostname or "").lower()
    netloc = host if port is None or (p.scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    if p.username:
        netloc = f"{p.username}@{netloc}"
    return urlunsplit((p.scheme.lower(), netloc, p.path or "/", p.query, ""))


def _read(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_ORIGINAL_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_ORIGINAL_BYTES else None


def _decode(data: bytes, charset: str | None, record: dict[str, Any]) -> str | None:
    """The text the cleaner read (a Markdown file is UTF-8; a page's charset is detected)."""
    try:
        if record.get("kind") == "markdown":
            return data.decode("utf-8").lstrip("\ufeff")
        return decode(data, charset)
    except (UnicodeDecodeError, DocumentError):
        return None
