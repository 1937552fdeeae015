"""What a cleaner reports: one Removal per decision, so an auditor can check each one."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

Category = Literal[
    "ad_block",
    "tracking_pixel",
    "adsense",
    "also_read",
    "affiliate_link",
    "hijacked_link",
    "tracking_param",
    "unsafe",
]
CATEGORIES: tuple[str, ...] = get_args(Category)  # in report order


# Changes recorded for the auditor that remove nothing (a lazy-load placeholder swapped for the
# real image): in the audit record, never in the removal counts.
NOTES = ("layout",)


class CleaningError(ValueError):
    """Input the cleaners refuse (one line for the user), e.g. absurdly deep nesting."""


@dataclass(frozen=True)
class Removal:
    """One thing a rule took out of a document (or rewrote in it).

    `snippet` is the exact text removed (for Markdown inputs, bytes of the original file);
    `replacement` is what took its place, if anything (a cleaned URL, a link's text).
    `line`/`end_line` are 1-based lines in the input file; `path` locates an HTML element.
    """

    category: str
    rule: str
    reason: str
    snippet: str
    replacement: str | None = None
    line: int | None = None
    end_line: int | None = None
    path: str | None = None

    def __init__(
        self,
        category: str,
        rule: str,
        reason: str,
        snippet: str,
        replacement: str | None = None,
        line: int | None = None,
        end_line: int | None = None,
        path: str | None = None,
    ) -> None:
        # dataclass's own __init__ of a frozen class sets each field by object.__setattr__, a
        # call per field (some 13,000 instructions per Removal, a document records dozens); the
        # fields written into the instance's dict directly are the same instance
        d = self.__dict__
        d["category"] = category
        d["rule"] = rule
        d["reason"] = reason
        d["snippet"] = snippet
        d["replacement"] = replacement
        d["line"] = line
        d["end_line"] = end_line
        d["path"] = path

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "category": self.category,
            "rule": self.rule,
            "reason": self.reason,
            "snippet": self.snippet,
        }
        if self.replacement is not None:
            out["replacement"] = self.replacement
        if self.line is not None:
            out["line"] = self.line
            out["end_line"] = self.end_line if self.end_line is not None else self.line
        if self.path is not None:
            out["path"] = self.path
        return out


def count_by_category(removals: list[Removal] | tuple[Removal, ...]) -> dict[str, int]:
    """Removals per category, every category present (zero when nothing was removed); notes
    such as `layout` are not removals and are not counted."""
    counts = dict.fromkeys(CATEGORIES, 0)
    for r in removals:
        if r.category in counts:
            counts[r.category] += 1
    return counts


@dataclass
class LineIndex:
    """Offsets in a text to 1-based file lines (`first_line` is the line the text starts on).

    Each answer counts the line breaks from the nearest offset answered before it (offsets kept
    sorted, with the line breaks before each): the text is never split into lines, and however
    the offsets come, no stretch of it is counted twice."""

    text: str
    first_line: int = 1
    _at: list[int] = field(default_factory=list, repr=False)  # offsets answered, sorted
    _breaks: list[int] = field(default_factory=list, repr=False)  # "\n" before each

    def line(self, offset: int) -> int:
        at = self._at
        if not at:
            at.append(0)
            self._breaks.append(0)
        i = bisect.bisect_right(at, offset) - 1
        if i < 0:  # (a negative offset: the line before the first, as bisecting line starts)
            return self.first_line - 1
        base = at[i]
        breaks = self._breaks[i]
        if offset != base:
            breaks += self.text.count("\n", base, offset)
            at.insert(i + 1, offset)
            self._breaks.insert(i + 1, breaks)
        return breaks + self.first_line

    def span(self, start: int, end: int) -> dict[str, int]:
        """line/end_line of the characters [start, end)."""
        return {"line": self.line(start), "end_line": self.line(max(start, end - 1))}


@dataclass(frozen=True)
class UrlStep:
    """One change made to a URL, for the removal record."""

    category: str
    rule: str
    reason: str
    removed: str

    def __init__(self, category: str, rule: str, reason: str, removed: str) -> None:
        d = self.__dict__  # (as Removal: no object.__setattr__ call per field)
        d["category"] = category
        d["rule"] = rule
        d["reason"] = reason
        d["removed"] = removed


@dataclass(frozen=True)
class UrlVerdict:
    """keep: leave it; rewrite: use `url`; unlink: drop the link, keep its text."""

    action: str
    url: str
    steps: tuple[UrlStep, ...] = ()

    def __init__(self, action: str, url: str, steps: tuple[UrlStep, ...] = ()) -> None:
        d = self.__dict__  # (as Removal: no object.__setattr__ call per field)
        d["action"] = action
        d["url"] = url
        d["steps"] = steps

    @property
    def last(self) -> UrlStep:
        return self.steps[-1]

    @property
    def affiliate(self) -> bool:
        """An affiliate click (the publisher's or the farm's account) that could not be
        unwrapped: around an image or a video it is a banner."""
        return (
            self.action == "unlink"
            and self.last.rule != "farm-link"
            and self.last.category in ("affiliate_link", "hijacked_link")
        )
