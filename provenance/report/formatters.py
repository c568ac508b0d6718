"""Formatter registry: each output format is a function ``Report -> str``."""

from __future__ import annotations

from collections.abc import Callable

from provenance.report.model import Report

Formatter = Callable[[Report], str]
_FORMATTERS: dict[str, Formatter] = {}


def register(name: str) -> Callable[[Formatter], Formatter]:
    def wrap(func: Formatter) -> Formatter:
        _FORMATTERS[name] = func
        return func
    return wrap


def formatter(name: str) -> Formatter:
    _load_builtin()
    try:
        return _FORMATTERS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; choose one of {', '.join(sorted(_FORMATTERS))}") from None


def names() -> list[str]:
    _load_builtin()
    return sorted(_FORMATTERS)


def _load_builtin() -> None:
    from provenance.report import html_format, json_format, sarif_format, table_format  # noqa: F401
