"""The JSON report's shape (DESIGN §6) and the CLI's exit codes (DESIGN §7)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import app

ORIGINAL = (
    "西江港务集团昨日公布，今年上半年西江港完成集装箱吞吐量八十六万标准箱，同比增长百分之十点二。"
    "港务集团负责人介绍，上半年新开通至东南亚的外贸直航航线两条，内贸航线加密至每周二十八班。"
    "港区三期码头自动化改造完成后，单箱作业时间缩短了近三分之一，船舶在港停泊时间明显减少。"
)
RULES = """publisher = "本地日报"
[defaults]
policy = "attribution-required"
[[source]]
name = "西江网"
aliases = ["西江網"]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "port.md").write_text(
        f"---\nid: xj-1\ntitle: 吞吐量增长\nsource: 西江网\nurl: https://www.xijiang.example.cn/1.html\n"
        f"published: 2024-07-15\n---\n{ORIGINAL}\n", encoding="utf-8")
    (tmp_path / "incoming").mkdir()
    (tmp_path / "incoming" / "copy.txt").write_text(f"港口新闻\n{ORIGINAL}\n", encoding="utf-8")
    (tmp_path / "incoming" / "own.txt").write_text("本报记者走访了城西街道的社区食堂，老人们在这里吃上了热乎饭。\n",
                                                    encoding="utf-8")
    (tmp_path / "incoming" / "empty.txt").write_bytes(b"")
    (tmp_path / "provenance.toml").write_text(RULES, encoding="utf-8")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_json_report_shape(project: Path) -> None:
    result = run("scan", "incoming", "--corpus", "corpus", "--format", "json", "--output", "r.json", "--quiet")
    assert result.exit_code == 1
    data = json.loads((project / "r.json").read_text(encoding="utf-8"))
    assert set(data) == {"schema", "tool", "index", "summary", "items"}
    assert data["schema"] == "provenance-report/1"
    assert data["tool"]["name"] == "provenance" and data["tool"]["version"]
    assert data["index"]["backend"] == "sqlite" and data["index"]["documents"] == 1 and data["index"]["params"]
    assert data["summary"] == {"scanned": 3, "by_verdict": {"original": 1, "unattributed": 1, "unreadable": 1},
                               "exit_code": 1}
    items = {Path(i["path"]).name: i for i in data["items"]}
    copy = items["copy.txt"]
    assert copy["path"] == "incoming/copy.txt"
    for key in ("path", "id", "language", "verdict", "severity", "message", "source", "chain", "attribution", "matches"):
        assert key in copy
    assert (copy["verdict"], copy["severity"], copy["language"]) == ("unattributed", "error", "zh")
    assert copy["source"]["id"] == "xj-1" and copy["source"]["policy"] == "attribution-required"
    assert copy["source"]["policy_from"].endswith("provenance.toml:3")
    assert copy["chain"] == [{"id": "xj-1", "name": "西江网", "published": "2024-07-15T00:00:00+00:00"}]
    match = copy["matches"][0]
    assert match["kind"] == "republication" and match["verdict"] == "unattributed"
    assert set(match["scores"]) == {"jaccard", "containment", "source_coverage", "simhash_distance"}
    text = (project / "incoming" / "copy.txt").read_text(encoding="utf-8")
    start, end = match["passages"][0]["article"]
    assert text[start:end].startswith("西江港务集团") and text[start:end].endswith("明显减少。")
    s0, s1 = match["passages"][0]["source"]
    assert s1 - s0 == end - start
    assert items["own.txt"]["verdict"] == "original" and "source" not in items["own.txt"]
    assert items["empty.txt"]["severity"] == "error" and "empty" in items["empty.txt"]["message"]


def test_exit_codes(project: Path) -> None:
    assert run("scan", "incoming/own.txt", "--corpus", "corpus", "-q").exit_code == 0
    assert run("scan", "incoming", "--corpus", "corpus", "-q").exit_code == 1
    assert run("scan", "incoming", "--corpus", "corpus", "-q", "--fail-on", "never").exit_code == 0
    assert run("scan", "incoming", "--corpus", "corpus", "-q", "--exit-zero").exit_code == 0
    assert run("scan", "incoming/own.txt", "--corpus", "corpus", "-q", "--fail-on", "info").exit_code == 0
    missing = run("scan", "nowhere", "--corpus", "corpus")
    assert missing.exit_code == 2 and "no such file or directory: nowhere" in missing.output
    assert run("scan", "incoming", "--corpus", "corpus", "--format", "yaml").exit_code == 2
    assert run("scan", "incoming", "--corpus", "corpus", "--fail-on", "sometimes").exit_code == 2
    no_index = run("scan", "incoming", "--index", "absent.sqlite")
    assert no_index.exit_code == 2 and "absent.sqlite" in no_index.output
    (project / "bad.toml").write_text('publisher = "x"\n[defaults]\npolicy = "maybe"\n', encoding="utf-8")
    bad = run("scan", "incoming", "--corpus", "corpus", "--rules", "bad.toml")
    assert bad.exit_code == 2 and "bad.toml:3" in bad.output and "maybe" in bad.output
    (project / "broken.toml").write_text("publisher = \n", encoding="utf-8")
    broken = run("scan", "incoming", "--corpus", "corpus", "--rules", "broken.toml")
    assert broken.exit_code == 2 and "broken.toml:1" in broken.output and "Traceback" not in broken.output


def test_index_build_stats_and_mismatch(project: Path) -> None:
    assert run("index", "build", "corpus", "--index", "i.sqlite", "-q").exit_code == 0
    stats = run("index", "stats", "--index", "i.sqlite", "--json")
    assert stats.exit_code == 0 and json.loads(stats.output)["documents"] == 1
    (project / "other.toml").write_text(RULES + "[fingerprint]\nshingle_cjk = 4\n", encoding="utf-8")
    mismatch = run("scan", "incoming", "--index", "i.sqlite", "--rules", "other.toml")
    assert mismatch.exit_code == 2 and "shingle_cjk" in mismatch.output
    assert run("scan", "incoming", "--index", "i.sqlite", "-q").exit_code == 1


def test_output_file_and_table(project: Path) -> None:
    result = run("scan", "incoming", "--corpus", "corpus", "--output", "out.txt", "-q", "--fail-on", "never")
    assert result.exit_code == 0
    table = (project / "out.txt").read_text(encoding="utf-8")
    assert "unattributed" in table and "xj-1" in table and "3 scanned" in table


def test_python_m_provenance() -> None:
    done = subprocess.run([sys.executable, "-m", "provenance", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("provenance ")
