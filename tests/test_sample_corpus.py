"""The shipped sample corpus gives every expected verdict (corpora/sample/expected.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("sample")
    out = work / "report.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(work)  # scan --corpus keeps its index under ./.provenance/
        result = CliRunner().invoke(app, ["scan", str(SAMPLE / "incoming"), "--corpus", str(SAMPLE / "sources"),
                                          "--format", "json", "--output", str(out), "--quiet"])
        assert (work / ".provenance").is_dir()
    assert result.exit_code == 1, result.output  # the sample holds error findings
    return json.loads(out.read_text(encoding="utf-8"))


EXPECTED = [json.loads(line) for line in (SAMPLE / "expected.jsonl").read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("case", EXPECTED, ids=[c["path"] for c in EXPECTED])
def test_sample_case(report: dict, case: dict) -> None:
    items = {item["path"].split("incoming/")[-1]: item for item in report["items"]}
    item = items[case["path"].split("incoming/")[-1]]
    assert item["verdict"] == case["verdict"], item["message"]
    assert (item.get("source") or {}).get("id") == case["source_id"]
    if case["source_id"]:
        assert item["source"]["name"] in item["message"]
    if case.get("via"):  # an external original (a wire), reached through the corpus copy that credits it
        assert item["source"]["external"] is True and item["source"]["via"] == case["via"]
        assert item["source"]["name"] == case["original"] and f"{case['original']}'s story" in item["message"]


def test_every_sample_file_is_expected(report: dict) -> None:
    assert len(report["items"]) == len(EXPECTED) == len(list((SAMPLE / "incoming").iterdir()))
