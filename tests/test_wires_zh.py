"""The Chinese wire case set (corpora/wires-zh): 新华社, 中新社 and 中央社 stories carried and reprinted
by outlets in the corpus are judged against the wire, whichever outlet ran them first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import app

CASES = Path(__file__).resolve().parents[1] / "corpora" / "wires-zh"
EXPECTED = [json.loads(line) for line in (CASES / "expected.jsonl").read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def items(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    work = tmp_path_factory.mktemp("wires-zh")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(work)  # scan --corpus keeps its index under ./.provenance/
        result = CliRunner().invoke(app, ["scan", str(CASES / "incoming"), "--corpus", str(CASES / "corpus"),
                                          "--format", "json", "--quiet"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    return {Path(item["path"]).name: item for item in report["items"]}


@pytest.mark.parametrize("case", EXPECTED, ids=[c["path"] for c in EXPECTED])
def test_wire_case(items: dict[str, dict], case: dict) -> None:
    item = items[Path(case["path"]).name]
    assert item["verdict"] == case["verdict"], item["message"]
    source = item["source"]
    if case["external"]:
        assert source["id"] is None and source["external"] is True and source["via"] == case["via"], source
        assert source["name"] == case["original"] and item["chain"][0]["external"] is True
        assert f"{case['original']}'s story" in item["message"]
    else:
        assert source["id"] == case["original"] and not source.get("external")


def test_every_case_file_is_expected(items: dict[str, dict]) -> None:
    assert len(items) == len(EXPECTED) == len(list((CASES / "incoming").iterdir()))
