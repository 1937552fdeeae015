"""Errors that end one document (never the batch).

ScraperError
├── DocumentError   bad input: empty, binary, undecodable, broken front matter …
└── UsageError      a bad command line or configuration (exit status 2)
"""

from __future__ import annotations


class ScraperError(Exception):
    """Base class; the message is one line meant for the user."""


class DocumentError(ScraperError):
    """This input cannot be cleaned; the message says why in one line."""


class UsageError(ScraperError):
    """The command line or a configuration file is wrong."""
