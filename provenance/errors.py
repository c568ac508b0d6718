"""Exceptions that end a run with exit code 2 (usage, configuration or index errors)."""

from __future__ import annotations


class ProvenanceError(Exception):
    """Base class: a problem the user can fix; the CLI prints the message and exits 2."""


class ConfigError(ProvenanceError):
    """The rules/configuration file is invalid."""


class IndexError_(ProvenanceError):
    """The index cannot be opened, is incompatible, or cannot be written."""


class LoadError(ProvenanceError):
    """A file could not be read or decoded (reported as an ``unreadable`` item, never raised to the CLI)."""
