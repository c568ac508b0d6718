"""Write docs/cli.md from the CLI's own --help texts (``python docs/generate_cli_reference.py``).

tests/test_cli_reference.py fails when docs/cli.md and the CLI drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer.main

from provenance.cli import app

TARGET = Path(__file__).with_name("cli.md")


def _commands(group: Any, prefix: list[str]) -> list[tuple[list[str], Any]]:
    found = [(prefix, group)]
    if getattr(group, "commands", None):
        for name in sorted(group.commands):
            found.extend(_commands(group.commands[name], [*prefix, name]))
    return found


def render() -> str:
    root = typer.main.get_command(app)
    parts = ["# Command reference", "", "Generated from `--help` by `docs/generate_cli_reference.py`; do not edit.", ""]
    for path, command in _commands(root, ["provenance"]):
        with command.context_class(command, info_name=" ".join(path), terminal_width=100,
                                   max_content_width=100) as ctx:
            text = command.get_help(ctx)
        parts += [f"## {' '.join(path)}", "", "```", text.rstrip(), "```", ""]
    return "\n".join(parts)


def main() -> int:
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
