"""Exceptions that end a run with exit code 2 (usage, configuration or index errors), and the
"did you mean" hint their messages share."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ProvenanceError(Exception):
    """Base class: a problem the user can fix; the CLI prints the message and exits 2."""


class ConfigError(ProvenanceError):
    """The rules/configuration file is invalid."""


class IndexError_(ProvenanceError):
    """The index cannot be opened, is incompatible, or cannot be written."""


class LoadError(ProvenanceError):
    """A file could not be read or decoded (reported as an ``unreadable`` item, never raised to the CLI)."""


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when ``word`` looks like a misspelling of one of ``choices``, else ``""``."""
    if not isinstance(word, str) or len(word) > 100:  # a huge value would only cost time
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
