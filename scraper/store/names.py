"""Output names: two different URLs (or inputs) never share an output file.

A URL's name comes from its path (`writer.url_stem`: readable, but many URLs map to one slug:
`/a/b`, `/a-b` and `/a-b.html` are all `a-b`). The first URL to be written under a name holds
it, and keeps it on every later run (the state store records each URL's output); any other URL
whose slug is that name gets the slug with `~` and 12 hex digits of the SHA-256 of its own URL
(`writer.suffixed`) — a suffix that is a function of the URL alone, so it is the same on every
run whatever the order URLs arrive in. Names are compared case-insensitively (as macOS and
Windows file systems do). Without a state store (`scraper fetch --no-state`) names are unique
within the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from scraper.store.state import StateStore, UrlRecord
from scraper.store.writer import suffixed


class NameTaken(Exception):
    """Even the suffixed name is held by another URL (one line for the user)."""


class Names:
    def __init__(self, out_dir: Path, state: StateStore | None) -> None:
        self.out_dir = out_dir
        self.state = state
        self.taken: dict[str, str] = {}  # output (case-folded) -> key, given in this run
        self._last: tuple[str, str] | None = None  # (stem, its output)

    def output(self, stem: str) -> str:
        """The output file of `stem`, as text (the last one asked for kept: the crawl asks again
        for the name it was just given)."""
        if self._last is None or self._last[0] != stem:
            self._last = (stem, str(self.out_dir / f"{stem}.md"))
        return self._last[1]

    def _holder(self, output: str, key: str) -> str | None:
        """Another key holding `output`, in this run or on record; None when it is free."""
        mine = self.taken.get(output.casefold())
        if mine is not None and mine != key:
            return mine
        if self.state is not None:
            return next((u for u in self.state.holders(output) if u != key), None)
        return None

    def assign(self, key: str, stem: str) -> str:
        """The stem `key` is written to: the one on record for it (unless another key shares
        it), else `stem` when free, else `stem` suffixed with the key's hash. Raises NameTaken
        when that is held too (a hash collision: never overwritten)."""
        return self.assign_known(key, stem, self.state.get(key) if self.state is not None else None)

    def assign_known(self, key: str, stem: str, known: UrlRecord | None) -> str:
        """`assign`, given the key's record as the caller read it (no one recorded it since)."""
        recorded = self._recorded(known.output if known else None)
        for candidate in _candidates(recorded, stem, key):
            output = self.output(candidate)
            if self._holder(output, key) is None:
                self.taken[output.casefold()] = key
                return candidate
        raise NameTaken(f"its output name {stem!r} is held by another URL")

    def _recorded(self, output: str | None) -> str | None:
        prefix = str(self.out_dir) + "/"
        if output and output.startswith(prefix) and output.endswith(".md"):
            return output[len(prefix) : -len(".md")]
        return None


def _candidates(recorded: str | None, stem: str, key: str) -> Iterator[str]:
    """The names to try in turn (the suffixed one made only when asked for: a SHA-256)."""
    if recorded is not None:
        yield recorded
    yield stem
    yield suffixed(stem, key)
