"""A short fuzz profile in CI: the harness of ``benchmarks/fuzz.py`` run in this process on a few
thousand generated inputs (loaders, normaliser, credits, rules), asserting no uncaught exception,
no offset outside the text or out of order, and no input slower than one second of CPU.

A failure prints the harness's table: each distinct exception with its location and the folder
its input was saved to (``python benchmarks/fuzz.py --replay DIR`` runs it again).
"""

from __future__ import annotations

import importlib.util
import sys
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

FUZZ = Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz.py"
PROFILE_INPUTS = 2000  # split evenly over the four targets; about 20 s
PROFILE_SEED = 20240715


def _harness() -> ModuleType:
    name = "provenance_benchmarks_fuzz"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, FUZZ)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def test_fuzz_profile(tmp_path: Path) -> None:
    fuzz = _harness()
    options = fuzz.Options(max_seconds=1.0, timeout=1.5, mem_mb=1024, bomb_mb=200, keep=3)
    report = fuzz.run_fuzz(list(fuzz.TARGETS), PROFILE_INPUTS, seed=PROFILE_SEED, jobs=0, out=tmp_path, options=options)
    table = fuzz.format_table(report)
    rows = report["targets"]
    assert sum(row["inputs"] for row in rows.values()) == PROFILE_INPUTS, table
    assert all(row["uncaught"] == 0 for row in rows.values()), table
    assert all(row["offsets_outside"] == 0 and row["offsets_inconsistent"] == 0 for row in rows.values()), table
    assert all(row["slowest"]["seconds"] <= options.max_seconds for row in rows.values()), table
    assert report["exit_code"] == 0, table


def test_harness_reports_what_it_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness itself: an exception and an offset outside the text are counted, saved and
    turned into exit code 1, the same way for the same seed (the checks are replaced by planted
    failures, chosen by the input's checksum)."""
    fuzz = _harness()

    def planted(inp: Any, ctx: Any, path: Path) -> list[Any]:
        if inp.kind == "warm":
            return []
        key = zlib.crc32(inp.files[inp.entry])
        if key % 5 == 0:
            raise ZeroDivisionError("planted")
        if key % 7 == 0:
            return [fuzz.Problem("outside", "planted offset")]
        return []

    monkeypatch.setattr(fuzz, "run_check", planted)
    report = fuzz.run_fuzz(["normalise"], 40, seed=1, jobs=0, out=tmp_path, options=fuzz.Options(keep=2))
    row = report["targets"]["normalise"]
    assert row["inputs"] == 40
    assert row["uncaught"] > 0 and row["distinct_uncaught"] == 1
    assert row["offsets_outside"] > 0
    assert report["exit_code"] == 1
    failure = report["failures"][0]
    assert failure["type"] == "ZeroDivisionError" and failure["count"] == row["uncaught"]
    assert (Path(failure["repro"]) / "repro.json").exists()
    assert Path(row["slowest"]["repro"], "text.txt").exists()
    again = fuzz.run_fuzz(["normalise"], 40, seed=1, jobs=0, out=tmp_path / "again", options=fuzz.Options(keep=2))
    # The same seed gives the same inputs.
    assert again["targets"]["normalise"]["uncaught"] == row["uncaught"]
    assert again["failures"][0]["minimal"] == failure["minimal"]
