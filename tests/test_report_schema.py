"""The shipped JSON Schema accepts real reports and rejects broken ones; `provenance schema report` prints it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from provenance.cli import app
from provenance.report.model import Item, Report
from provenance.schema import report_schema, validate_report


def sample_report() -> dict:
    item = Item(path="incoming/a.txt", id="a.txt", verdict="unattributed", message="Republishes X without credit.",
                language="zh", source={"id": "x-1", "name": "X", "url": None, "published": "2024-01-01",
                                       "policy": "attribution-required", "policy_from": "provenance.toml:3"},
                chain=[{"id": "x-1", "name": "X", "published": "2024-01-01"}],
                claims=[], matches=[{"id": "x-1", "name": "X", "verdict": "unattributed", "kind": "republication",
                                     "scores": {"jaccard": 0.9, "containment": 0.95, "source_coverage": 0.97,
                                                "simhash_distance": 3},
                                     "passages": [{"article": [5, 120], "source": [0, 115]}]}])
    return Report(items=[item], index={"backend": "sqlite", "documents": 1, "params": {}}).to_dict()


def test_schema_accepts_a_report() -> None:
    assert validate_report(sample_report()) == []


def test_schema_rejects_broken_reports() -> None:
    missing = sample_report()
    del missing["summary"]
    assert any("summary" in p for p in validate_report(missing))
    bad_verdict = sample_report()
    bad_verdict["items"][0]["verdict"] = "plagiarised"
    assert any("plagiarised" in p for p in validate_report(bad_verdict))
    bad_span = sample_report()
    bad_span["items"][0]["matches"][0]["passages"][0]["article"] = [5]
    assert validate_report(bad_span)


def test_schema_command() -> None:
    result = CliRunner().invoke(app, ["schema", "report"])
    assert result.exit_code == 0
    assert json.loads(result.output) == report_schema()
