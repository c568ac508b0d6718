"""The shipped JSON Schema of provenance-report/1 (draft 2020-12): it accepts real reports of every
verdict, rejects broken ones with JSON paths in its messages, stays in step with the code's enums, and
`provenance schema report` prints it."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from corpus_kit import World
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from provenance.cli import app
from provenance.engine import build_index, scan
from provenance.report.json_format import render_json
from provenance.rules import POLICIES, load_rules
from provenance.schema import SCHEMA_RESOURCE, report_schema, validate_report
from provenance.verdicts import SEVERITY_RANK, VERDICTS

TEXT = ("河湾区今年新建的十二座口袋公园已全部开放，每座面积在一千到三千平方米之间，配有健身器材、儿童滑梯和休息长椅。"
        "区园林局介绍，公园选址充分听取了周边居民意见，多数利用拆违后的边角地块改造而成。\n")


@pytest.fixture(scope="module")
def world_report(world: World) -> dict[str, Any]:
    return json.loads(render_json(world.report))


@pytest.fixture
def report(world_report: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(world_report)


def first(report: dict[str, Any], verdict: str) -> dict[str, Any]:
    return next(item for item in report["items"] if item["verdict"] == verdict)


def test_schema_is_a_valid_draft_2020_12_schema_shipped_in_the_package() -> None:
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema"] == {"const": "provenance-report/1"}
    assert resources.files("provenance").joinpath(SCHEMA_RESOURCE).is_file()
    schema["title"] = "changed"
    assert report_schema()["title"] == "provenance-report/1"  # callers get their own copy


def test_schema_enums_follow_the_code() -> None:
    defs = report_schema()["$defs"]
    assert defs["verdict"]["enum"] == list(VERDICTS)
    assert set(defs["severity"]["enum"]) == set(SEVERITY_RANK)
    assert defs["policy"]["enum"] == list(POLICIES)


def test_real_report_of_every_verdict_is_valid(world_report: dict[str, Any]) -> None:
    assert validate_report(world_report) == []
    assert set(world_report["summary"]["by_verdict"]) == set(VERDICTS)
    # The optional fields the JSON formatter emits are all there, so the closed schema knows each of them.
    items = world_report["items"]
    assert any("title" in (item.get("source") or {}) for item in items)
    assert any("people" in item["attribution"] for item in items)
    claims = [claim for item in items for claim in item["attribution"]["claims"]]
    assert any("kind" in claim for claim in claims) and any("url" in claim for claim in claims)
    matches = [match for item in items for match in item["matches"]]
    assert all("published" in match for match in matches)
    passages = [passage for match in matches for passage in match["passages"]]
    assert passages and all({"chars", "identical"} <= set(passage) for passage in passages)


def test_report_built_here_with_the_library_is_valid(tmp_path: Path) -> None:
    corpus, articles = tmp_path / "corpus", tmp_path / "articles"
    corpus.mkdir()
    articles.mkdir()
    (corpus / "parks.md").write_text(f"---\nid: hw-1\nsource: 河湾晚报\npublished: 2024-05-02\n---\n{TEXT}",
                                     encoding="utf-8")
    (articles / "copy.txt").write_text(f"# 口袋公园\n\n{TEXT}", encoding="utf-8")
    (articles / "credited.txt").write_text(f"{TEXT}来源：河湾晚报\n", encoding="utf-8")
    (articles / "mine.txt").write_text("本报讯 城东菜市场改造完工，摊位统一换上了电子价签。\n", encoding="utf-8")
    (articles / "empty.txt").write_bytes(b"")
    rules_file = tmp_path / "provenance.toml"
    rules_file.write_text('publisher = "本地日报"\n[defaults]\npolicy = "attribution-required"\n', encoding="utf-8")
    rules = load_rules(rules_file)
    build_index([corpus], str(tmp_path / "index.sqlite"), rules)
    data = json.loads(render_json(scan([articles], str(tmp_path / "index.sqlite"), rules)))
    assert data["summary"]["by_verdict"] == {"attributed": 1, "original": 1, "unattributed": 1, "unreadable": 1}
    assert validate_report(data) == []


def test_missing_summary_is_rejected(report: dict[str, Any]) -> None:
    del report["summary"]
    assert validate_report(report) == ["$: 'summary' is a required property"]


def test_bad_verdict_is_rejected_with_its_path(report: dict[str, Any]) -> None:
    report["items"][2]["verdict"] = "plagiarised"
    problems = validate_report(report)
    assert problems and all(p.startswith("$.items[2].verdict: 'plagiarised' is not one of") for p in problems)


@pytest.mark.parametrize(("change", "where"), [
    (lambda r: r.update(schema="provenance-report/2"), "$.schema"),
    (lambda r: first(r, "unattributed").update(severity="fatal"), ".severity"),
    (lambda r: first(r, "unattributed")["matches"][0]["passages"][0].update(article=[5]), ".passages[0].article"),
    (lambda r: first(r, "unattributed")["matches"][0]["passages"][0].update(article=[-1, 5]), ".article[0]"),
    (lambda r: first(r, "unattributed")["matches"][0]["passages"][0].update(source=[1, 2, 3]), ".source"),
    (lambda r: first(r, "unattributed").update(colour="red"), "$.items["),
    (lambda r: first(r, "unattributed").pop("source"), "$.items["),
    (lambda r: first(r, "unattributed")["source"].update(policy="maybe"), ".source.policy"),
    (lambda r: first(r, "original").update(source={"id": "x"}), ".source"),
    (lambda r: first(r, "unattributed")["matches"][0]["scores"].update(jaccard=1.5), ".scores.jaccard"),
    (lambda r: first(r, "unattributed")["source"].update(published="last Tuesday"), ".source.published"),
    (lambda r: r["summary"].update(exit_code=2), "$.summary.exit_code"),
    (lambda r: r["summary"]["by_verdict"].update(great=1), "$.summary.by_verdict"),
    (lambda r: r["items"].pop(), "$.summary.scanned"),
    (lambda r: first(r, "attributed").update(severity="error"), ".severity"),
    (lambda r: first(r, "unattributed")["matches"][0]["passages"][0].update(article=[9, 3]), ".article: start 9"),
])
def test_broken_reports_are_rejected(report: dict[str, Any], change: Any, where: str) -> None:
    change(report)
    problems = validate_report(report)
    assert problems, "accepted a broken report"
    assert any(where in problem for problem in problems), problems


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(app, ["schema", "report"])
    assert result.exit_code == 0
    assert json.loads(result.output) == report_schema()
