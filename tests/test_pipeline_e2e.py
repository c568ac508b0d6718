"""End to end in a git repository of articles: the CI command, exit codes 0/1/2, SARIF and JSON Schema
validation, a baseline round trip, --changed-since and the hook entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_sarif import validate_sarif

from provenance.schema import validate_report

A = ("西江港务集团昨日公布，今年上半年西江港完成集装箱吞吐量八十六万标准箱，同比增长百分之十点二。"
     "港务集团负责人介绍，上半年新开通至东南亚的外贸直航航线两条，内贸航线加密至每周二十八班。")
B = ("市统计局昨日发布数据，今年前三季度全市地区生产总值同比增长百分之五点六，其中第三产业增加值增长百分之六点八。"
     "规模以上工业企业利润总额增长百分之九，高技术制造业投资增长超过两成，社会消费品零售总额稳步回升。")
ENV = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "T",
       "GIT_COMMITTER_EMAIL": "t@example.invalid"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env={**os.environ, **ENV}).stdout


def cli(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "provenance", *args], cwd=repo, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "corpus").mkdir(parents=True)
    (root / "content").mkdir()
    (root / "corpus" / "a.md").write_text(f"---\nid: xj-1\ntitle: 港口\nsource: 西江网\npublished: 2024-07-15\n---\n{A}\n",
                                          encoding="utf-8")
    (root / "corpus" / "b.md").write_text(f"---\nid: tj-1\ntitle: 统计\nsource: 统计快报\npublished: 2024-10-20\n---\n{B}\n",
                                          encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "site"\nversion = "1"\n\n[tool.provenance]\npublisher = "本地日报"\n'
        '[tool.provenance.defaults]\npolicy = "attribution-required"\n'
        '[tool.provenance.scan]\ncorpus = ["corpus"]\npaths = ["content"]\n', encoding="utf-8")
    (root / "content" / "port.md").write_text(f"# 港口\n\n{A}\n", encoding="utf-8")
    (root / "content" / "own.md").write_text("本报记者走访城西街道社区食堂，老人在家门口吃上热乎饭。\n", encoding="utf-8")
    (root / ".gitignore").write_text(".provenance/\n*.sarif\n*.json\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "site")
    return root


def test_ci_command_sarif_json_and_baseline(repo: Path) -> None:
    sarif = cli(repo, "scan", "--format", "sarif", "--output", "report.sarif", "--quiet")
    assert sarif.returncode == 1, sarif.stderr
    log = json.loads((repo / "report.sarif").read_text(encoding="utf-8"))
    validate_sarif(log)
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]] == \
        ["content/port.md"]

    as_json = cli(repo, "scan", "--format", "json", "--quiet")
    assert as_json.returncode == 1
    data = json.loads(as_json.stdout)
    assert validate_report(data) == []
    assert data["summary"]["by_verdict"] == {"original": 1, "unattributed": 1}

    assert cli(repo, "scan", "--write-baseline", "baseline.json", "--quiet").returncode == 1
    assert cli(repo, "scan", "--baseline", "baseline.json", "--quiet").returncode == 0  # old finding suppressed

    port = repo / "content" / "port.md"
    port.write_text("编者按：以下为转载内容。\n\n" + port.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli(repo, "scan", "--baseline", "baseline.json", "--quiet").returncode == 0  # edits elsewhere: same finding

    (repo / "content" / "stats.md").write_text(f"# 统计\n\n{B}\n", encoding="utf-8")
    new = cli(repo, "scan", "--baseline", "baseline.json", "--format", "json", "--quiet")
    assert new.returncode == 1
    reported = json.loads(new.stdout)
    assert validate_report(reported) == []
    assert [i["path"] for i in reported["items"] if i["severity"] == "error"] == ["content/stats.md"]


def test_changed_since_and_hook_entry_point(repo: Path) -> None:
    (repo / "content" / "stats.md").write_text(f"# 统计\n\n{B}\n\n来源：统计快报\n", encoding="utf-8")
    changed = cli(repo, "scan", "--changed-since", "HEAD", "--format", "json", "--quiet")
    assert changed.returncode == 0, changed.stderr
    items = json.loads(changed.stdout)["items"]
    assert [(i["path"], i["verdict"]) for i in items] == [("content/stats.md", "attributed")]

    check = cli(repo, "check", "content/port.md", "content/stats.md", "README")
    assert check.returncode == 1
    lines = check.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("content/port.md:3:1: unattributed: ")
    lines = cli(repo, "check", "-v", "content/port.md", "content/stats.md", "README").stdout.strip().splitlines()
    assert lines[1].startswith("content/stats.md:3:1: attributed: ")  # below --fail-on: with -v only
    assert cli(repo, "check", "content/stats.md").returncode == 0
    assert cli(repo, "check", "content/port.md", "--exit-zero").returncode == 0


def test_exit_code_two_for_configuration_errors(repo: Path) -> None:
    bad = cli(repo, "scan", "--fail-on", "loud")
    assert bad.returncode == 2 and "fail_on" in bad.stderr
    (repo / "pyproject.toml").write_text(
        (repo / "pyproject.toml").read_text(encoding="utf-8").replace('policy = "attribution-required"',
                                                                      'policy = "ask-first"'), encoding="utf-8")
    broken = cli(repo, "scan")
    assert broken.returncode == 2 and "pyproject.toml:" in broken.stderr and "ask-first" in broken.stderr
    assert "Traceback" not in broken.stderr
    no_rev = cli(repo, "scan", "--changed-since", "no-such-rev")
    assert no_rev.returncode == 2


def test_config_command_shows_origins(repo: Path) -> None:
    shown = subprocess.run([sys.executable, "-m", "provenance", "config"], cwd=repo, capture_output=True, text=True,
                           env={**os.environ, "PROVENANCE_FAIL_ON": "info"})
    assert shown.returncode == 0
    assert 'fail_on = "info"    # PROVENANCE_FAIL_ON' in shown.stdout
    assert 'corpus = ["corpus"]' in shown.stdout and "pyproject.toml [scan]" in shown.stdout
