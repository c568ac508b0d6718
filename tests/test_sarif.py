"""SARIF 2.1.0 output: valid against the OASIS schema, regions on the copied passage, stable fingerprints."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import app
from provenance.report.sarif_format import RULES

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sarif" / "sarif-schema-2.1.0.json"
ORIGINAL = (
    "西江港务集团昨日公布，今年上半年西江港完成集装箱吞吐量八十六万标准箱，同比增长百分之十点二。"
    "港务集团负责人介绍，上半年新开通至东南亚的外贸直航航线两条，内贸航线加密至每周二十八班。"
)


def validate_sarif(data: dict) -> None:
    if not SCHEMA.is_file():
        reason = f"{SCHEMA} is absent (it sits beside the checkout in CI)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(data))
    assert not errors, [e.message for e in errors[:5]]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "port.md").write_text(
        f"---\nid: xj-1\ntitle: 吞吐量\nsource: 西江网\nurl: https://www.xijiang.example.cn/1.html\n"
        f"published: 2024-07-15\n---\n{ORIGINAL}\n", encoding="utf-8")
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "copy.md").write_text(f"# 港口\n\n本报讯\n{ORIGINAL}\n", encoding="utf-8")
    (tmp_path / "articles" / "credited.md").write_text(f"# 港口\n\n{ORIGINAL}\n来源：西江网\n", encoding="utf-8")
    (tmp_path / "articles" / "mine.md").write_text("本报记者走访城西街道社区食堂，老人在家门口吃上热乎饭。\n", encoding="utf-8")
    (tmp_path / "articles" / "empty.txt").write_bytes(b"")
    (tmp_path / "provenance.toml").write_text('publisher = "本地日报"\n[[source]]\nname = "西江网"\n', encoding="utf-8")
    return tmp_path


def sarif(*extra: str) -> dict:
    result = CliRunner().invoke(app, ["scan", "articles", "--corpus", "corpus", "--format", "sarif", "-q", *extra])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def test_sarif_validates_and_locates_the_passage(project: Path) -> None:
    log = sarif()
    validate_sarif(log)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r["id"] for r in RULES]
    assert run["invocations"][0]["exitCode"] == 1
    results = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in run["results"]}
    assert set(results) == {"articles/copy.md", "articles/credited.md", "articles/empty.txt"}
    copy = results["articles/copy.md"]
    assert copy["ruleId"] == "PROV001" and copy["level"] == "error"
    region = copy["locations"][0]["physicalLocation"]["region"]
    lines = (project / "articles" / "copy.md").read_text(encoding="utf-8").split("\n")
    assert region["startLine"] == 4 and region["startColumn"] == 1
    assert lines[region["startLine"] - 1][region["startColumn"] - 1:].startswith("西江港务集团")
    assert region["endLine"] == 4 and lines[3][: region["endColumn"] - 1].endswith("二十八班")
    assert copy["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "https://www.xijiang.example.cn/1.html"
    assert results["articles/credited.md"]["level"] == "note"
    assert results["articles/empty.txt"]["ruleId"] == "PROV004"


def test_fingerprints_survive_line_shifts(project: Path) -> None:
    before = {r["partialFingerprints"]["provenanceFinding/v1"]: r for r in sarif()["runs"][0]["results"]}
    path = project / "articles" / "copy.md"
    path.write_text("编者按：转发时请核实。\n\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    after = {r["partialFingerprints"]["provenanceFinding/v1"]: r for r in sarif()["runs"][0]["results"]}
    assert set(before) == set(after)
    moved = [fp for fp in before if before[fp]["locations"][0]["physicalLocation"]["region"]["startLine"]
             != after[fp]["locations"][0]["physicalLocation"]["region"]["startLine"]]
    assert len(moved) == 1
