"""SARIF 2.1.0 output: valid against the OASIS schema, one rule per verdict with stable ids, regions on
the copied passage (lines and columns in characters), related locations for the chain, fingerprints
that survive line shifts, nothing machine- or time-dependent.

The corpus and articles are written here (short texts composed for this test).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

from provenance.engine import build_index, scan
from provenance.report import formatters
from provenance.report.model import Item, Report
from provenance.report.sarif_format import FINGERPRINT_KEY, RULE_IDS, locate
from provenance.rules import load_rules
from provenance.verdicts import VERDICTS

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sarif" / "sarif-schema-2.1.0.json"

# RFC 3986 URI-reference, ASCII only; a relative reference's first segment has no ":".
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

ORIGINAL_TEXT = (
    "西江港务集团昨日公布，今年上半年西江港完成集装箱吞吐量八十六万标准箱，同比增长百分之十点二。\n"
    "港务集团负责人介绍，上半年新开通至东南亚的外贸直航航线两条，内贸航线加密至每周二十八班，"
    "港区智能闸口启用后集卡平均通关时间缩短到两分钟以内。\n"
)
OWN_TEXT = "本报记者走访城西街道社区食堂，老人在家门口吃上热乎饭，每餐只需八元，子女也能通过小程序为父母预约送餐。\n"
RULES_TOML = """\
publisher = "本地日报"

[defaults]
policy = "attribution-required"

[[source]]
name = "西江网"
aliases = ["xijiang.example.cn"]
url = "https://www.xijiang.example.cn/"

[[source]]
name = "东岸快讯"
policy = "free"
"""
# The unattributed republication: front matter, a heading and an intro line before the copied text.
COPY_HEAD = "---\ntitle: 港口数据\n---\n# 港口\n\n本报讯　\n"
CREDITED_NAME = "转载 稿件.md"  # a space and CJK characters: percent-encoded in the URI


def validate_sarif(data: dict) -> None:
    """Validate a SARIF log against the OASIS 2.1.0 schema kept beside the checkout.

    Without the schema the test is skipped, except in CI (CI=true), where its absence is a failure.
    URIs are also checked as RFC 3986 references (the schema's ``format: uri`` is not asserted by
    jsonschema without an optional package).
    """
    if not SCHEMA.is_file():
        reason = f"SARIF schema not found at {SCHEMA} (../shared/data/sarif beside the checkout)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + "; CI must provide it")
        pytest.skip(reason)
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10]]
    for uri in _uris(data):
        assert _URI_CHARS.fullmatch(uri), f"not a URI reference: {uri!r}"
        if not _SCHEME.match(uri):
            assert ":" not in uri.split("/", 1)[0], f"relative reference would parse as a scheme: {uri!r}"


def _uris(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["uri"]] if isinstance(node.get("uri"), str) else []
        return found + [u for value in node.values() for u in _uris(value)]
    if isinstance(node, list):
        return [u for value in node for u in _uris(value)]
    return []


@dataclass
class Project:
    root: Path
    index: str
    rules_file: Path

    def scan(self) -> Report:
        return scan(["articles"], self.index, load_rules("provenance.toml"), skip_under=["corpus"])

    def sarif(self) -> dict:
        return json.loads(formatters.formatter("sarif")(self.scan()))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "port.md").write_text(
        "---\nid: xj-0715\ntitle: 上半年吞吐量\nsource: 西江网\nurl: https://www.xijiang.example.cn/2024/07/15/港口.html\n"
        f"published: 2024-07-15\n---\n{ORIGINAL_TEXT}", encoding="utf-8")
    (corpus / "port-reprint.md").write_text(  # a later corpus reprint that credits the original: the chain
        "---\nid: da-0716\ntitle: 西江港吞吐量\nsource: 东岸快讯\npublished: 2024-07-16\n---\n"
        f"{ORIGINAL_TEXT}来源：西江网\n", encoding="utf-8")
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "copy.md").write_text(COPY_HEAD + ORIGINAL_TEXT, encoding="utf-8")
    (articles / CREDITED_NAME).write_text(f"{ORIGINAL_TEXT}来源：西江网\n", encoding="utf-8")
    (articles / "mine.txt").write_text(OWN_TEXT, encoding="utf-8")
    (articles / "empty.txt").write_bytes(b"")
    rules_file = tmp_path / "provenance.toml"
    rules_file.write_text(RULES_TOML, encoding="utf-8")
    index = str(tmp_path / "index.sqlite")
    build_index(["corpus"], index, load_rules(rules_file))
    return Project(tmp_path, index, rules_file)


def results_by_uri(log: dict) -> dict[str, dict]:
    return {unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r
            for r in log["runs"][0]["results"]}


def region_text(text: str, region: dict) -> str:
    """The characters a SARIF region covers, by its lines and columns (1-based, end column exclusive)."""
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: region["startLine"] - 1]) + region["startColumn"] - 1
    end = sum(len(line) for line in lines[: region["endLine"] - 1]) + region["endColumn"] - 1
    return text[start:end]


def test_rule_ids_are_stable() -> None:
    # Changing this table breaks every dashboard that tracks provenance's alerts: add, never renumber.
    assert RULE_IDS == {
        "unattributed": "PROV001", "misattributed": "PROV002", "prohibited": "PROV003", "unreadable": "PROV004",
        "excerpt": "PROV005", "attributed": "PROV006", "permitted": "PROV007", "own": "PROV008",
        "original": "PROV009",
    }
    assert set(RULE_IDS) == set(VERDICTS)


def test_sarif_validates_and_describes_the_findings(project: Project) -> None:
    report = project.scan()
    assert {Path(i.path).name: i.verdict for i in report.items} == {
        "copy.md": "unattributed", CREDITED_NAME: "attributed", "mine.txt": "original", "empty.txt": "unreadable"}
    log = json.loads(formatters.formatter("sarif")(report))
    validate_sarif(log)
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "provenance" and driver["semanticVersion"] == driver["version"]
    assert "informationUri" not in driver
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(RULE_IDS.values())
    assert {r["id"]: r["defaultConfiguration"]["level"] for r in rules} == {
        "PROV001": "error", "PROV002": "error", "PROV003": "error", "PROV004": "error",
        "PROV005": "note", "PROV006": "note", "PROV007": "note", "PROV008": "none", "PROV009": "none"}
    for rule in rules:
        assert re.fullmatch(r"(?:[A-Z][a-z]+)+", rule["name"]), rule["name"]
        assert rule["help"]["text"] and rule["help"]["markdown"] and rule["fullDescription"]["text"]
        assert "provenance" in rule["properties"]["tags"]
    assert run["invocations"] == [{"executionSuccessful": True, "exitCode": report.exit_code}]
    assert report.exit_code == 1

    results = results_by_uri(log)
    assert set(results) == {"articles/copy.md", f"articles/{CREDITED_NAME}", "articles/empty.txt"}  # no original
    for result in results.values():
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    copy = results["articles/copy.md"]
    assert (copy["ruleId"], copy["level"]) == ("PROV001", "error")
    assert copy["message"]["text"] == next(i.message for i in report.items if i.path.endswith("copy.md"))
    assert copy["properties"]["original"] == "xj-0715"
    assert copy["properties"]["policy"] == "attribution-required"
    assert set(copy["properties"]["scores"]) == {"jaccard", "containment", "source_coverage", "simhash_distance"}
    related = copy["relatedLocations"]
    assert related[0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "https://www.xijiang.example.cn/2024/07/15/%E6%B8%AF%E5%8F%A3.html"
    assert related[0]["message"]["text"] == "original: 西江网 xj-0715 (2024-07-15)"
    assert related[1]["physicalLocation"]["artifactLocation"]["uri"] == "corpus:da-0716"
    assert related[1]["message"]["text"] == "reprint: 东岸快讯 da-0716 (2024-07-16)"
    assert [r["id"] for r in related] == [1, 2]

    credited = results[f"articles/{CREDITED_NAME}"]
    assert (credited["ruleId"], credited["level"]) == ("PROV006", "note")
    assert credited["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "articles/%E8%BD%AC%E8%BD%BD%20%E7%A8%BF%E4%BB%B6.md"
    empty = results["articles/empty.txt"]
    assert (empty["ruleId"], empty["level"]) == ("PROV004", "error")
    assert empty["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert "relatedLocations" not in empty


def test_region_points_at_the_copied_passage(project: Project) -> None:
    report = project.scan()
    item = next(i for i in report.items if i.path.endswith("copy.md"))
    start, end = item.matches[0]["passages"][0]["article"]
    passage = item.text[start:end].strip()
    assert passage.startswith("西江港务集团") and passage.endswith("两分钟以内。")  # the shared full stop too

    region = results_by_uri(json.loads(formatters.formatter("sarif")(report)))["articles/copy.md"][
        "locations"][0]["physicalLocation"]["region"]
    file_text = (project.root / "articles" / "copy.md").read_text(encoding="utf-8")
    head_lines = COPY_HEAD.count("\n")
    # Lines and columns count characters of the file (front matter included), 1-based, end exclusive.
    assert (region["startLine"], region["startColumn"]) == (head_lines + 1, 1)
    assert region["endLine"] == head_lines + 2
    assert region_text(file_text, region) == passage
    assert file_text[region["charOffset"]: region["charOffset"] + region["charLength"]] == passage
    assert region["snippet"]["text"] == passage  # short enough not to be truncated

    # Counted in the loaded text when the file is not there to be read (as the JSON offsets are).
    moved = Item(path="elsewhere/copy.md", id=item.id, verdict=item.verdict, message=item.message,
                 text=item.text, matches=item.matches, chain=item.chain, source=item.source)
    loaded, how = locate(moved, (start, end))
    assert how == "loadedText"
    assert region_text(item.text, loaded) == passage
    assert loaded["startLine"] == region["startLine"] - COPY_HEAD[: COPY_HEAD.index("# ")].count("\n")


def test_region_columns_are_characters_and_long_snippets_are_cut() -> None:
    text = "第一行\r\n第二行：" + "港" * 300 + "\n末行"
    item = Item(path="nowhere/a.txt", id="a.txt", verdict="excerpt", message="m", text=text)
    start = text.index("港")
    region, _ = locate(item, (start, start + 300))
    assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (2, 5, 2, 305)
    assert region["snippet"]["text"] == "港" * 200 + "…"
    whole, _ = locate(item, None)  # no passage: the whole text
    assert (whole["startLine"], whole["startColumn"], whole["endLine"], whole["endColumn"]) == (1, 1, 3, 3)
    assert whole["charLength"] == len(text)


def test_fingerprints_survive_line_shifts(project: Project) -> None:
    before = results_by_uri(project.sarif())
    path = project.root / "articles" / "copy.md"
    text = path.read_text(encoding="utf-8")
    body = text.index("# 港口")
    path.write_text(text[:body] + "编者按：转发时请核实。\n\n\n" + text[body:], encoding="utf-8")
    after = results_by_uri(project.sarif())
    assert {u: r["partialFingerprints"] for u, r in before.items()} == \
        {u: r["partialFingerprints"] for u, r in after.items()}
    assert all(re.fullmatch(r"[0-9a-f]{64}", r["partialFingerprints"][FINGERPRINT_KEY]) for r in after.values())
    assert len({r["partialFingerprints"][FINGERPRINT_KEY] for r in after.values()}) == len(after)
    old = before["articles/copy.md"]["locations"][0]["physicalLocation"]["region"]
    new = after["articles/copy.md"]["locations"][0]["physicalLocation"]["region"]
    assert new["startLine"] == old["startLine"] + 3
    assert new["snippet"] == old["snippet"]


def test_output_is_reproducible_and_machine_independent(project: Project) -> None:
    report = project.scan()
    first = formatters.formatter("sarif")(report)
    assert first == formatters.formatter("sarif")(project.scan())
    run = json.loads(first)["runs"][0]
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]  # no absolute working folder
    assert "endTimeUtc" not in run["invocations"][0] and "startTimeUtc" not in run["invocations"][0]
    assert str(project.root) not in json.dumps(run["results"]) + json.dumps(run["originalUriBaseIds"])


def test_files_outside_the_working_folder_get_absolute_uris(project: Project, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    report = project.scan()
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    for item in report.items:
        item.path = str(project.root / item.path)
    log = json.loads(formatters.formatter("sarif")(report))
    validate_sarif(log)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert all(u["uri"].startswith("file:///") and "uriBaseId" not in u for u in uris)
