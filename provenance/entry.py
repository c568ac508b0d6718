"""The ``provenance`` command's entry point: the CLI's imports without cycle collection, then the CLI.

Importing the CLI makes tens of thousands of objects (modules, compiled patterns, tables) that
live as long as the process. Collected as they are made, they are walked by about eighty
collections and a full one; so the imports run with collection off, and their objects are then
frozen (the permanent generation), which no later collection walks. A ``provenance check`` of ten
files spent 40 ms of its 0.5 s in collections, 14 ms so. The library (:mod:`provenance.cli`
included) leaves collection alone.
"""

from __future__ import annotations

import gc


def main() -> None:
    enabled = gc.isenabled()
    gc.disable()
    try:
        from provenance.cli import main as cli_main
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    cli_main()
