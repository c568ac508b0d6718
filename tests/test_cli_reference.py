"""docs/cli.md is generated from the CLI's --help; this fails when they drift apart."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_cli_reference", DOCS / "generate_cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current() -> None:
    expected = _generator().render()
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == expected, "docs/cli.md is stale: run `python docs/generate_cli_reference.py`"


def test_reference_covers_every_command() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for command in ("provenance scan", "provenance check", "provenance index build", "provenance index copy",
                    "provenance explain", "provenance rules lint", "provenance config", "provenance schema report"):
        assert f"## {command}\n" in text
