"""The real pre-commit, offline, with this checkout as the hook repository.

A temporary git repository of articles installs the `provenance-check` hook from this checkout
(pre-commit clones the local repository at its current commit and installs it into its own
environment). A commit of an unattributed republication is blocked; once the credit line is
added, the same commit goes through.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORIGINAL = (
    "清河县昨日召开防汛工作会议，县水利局通报了今年汛期的雨情和水情。会议要求各乡镇在五月底前完成堤防巡查，"
    "对险工险段逐一登记并落实责任人。县应急管理局负责人介绍，今年已储备编织袋三万条、救生衣两千件，"
    "抢险队伍实行二十四小时值班。会议还部署了城区排涝工作，要求对主要路段的雨水井进行清淤，"
    "确保汛期道路通行安全。与会人员表示，将把防汛责任压实到村到组，做到早发现、早报告、早处置。"
)
RULES = """publisher = "本地日报"
[defaults]
policy = "attribution-required"
[[source]]
name = "清河日报"
aliases = ["清河日報"]
[scan]
corpus = ["corpus"]
paths = ["articles"]
"""


def _git(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check, env=env)


def _checkout_commit() -> str:
    done = _git(["rev-parse", "HEAD"], ROOT, check=False)
    if done.returncode != 0:
        pytest.skip("this checkout is not a git repository with a commit")
    return done.stdout.strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One hook environment for the session: installing it (pip) is the slow part.
    return tmp_path_factory.mktemp("pre-commit-home")


def test_hook_blocks_unattributed_then_allows(tmp_path: Path, pre_commit_home: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    rev = _checkout_commit()
    repo = tmp_path / "newsroom"
    (repo / "corpus").mkdir(parents=True)
    (repo / "articles").mkdir()
    (repo / "provenance.toml").write_text(RULES, encoding="utf-8")
    (repo / "corpus" / "flood.md").write_text(
        f"---\nid: qh-1\ntitle: 防汛会议\nsource: 清河日报\npublished: 2024-05-02\n---\n{ORIGINAL}\n", encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n      - id: provenance-check\n", encoding="utf-8")
    (repo / ".gitignore").write_text(".provenance/\n", encoding="utf-8")
    _git(["init", "-q", "-b", "main"], repo)
    _git(["add", "-A"], repo)
    _git(["commit", "-q", "-m", "corpus"], repo)
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, check=True, env=env,
                   capture_output=True, text=True)

    article = repo / "articles" / "flood-copy.txt"
    article.write_text(f"防汛会议召开\n{ORIGINAL.replace('会议', '會議')}\n", encoding="utf-8")
    # A file named like an option: the hook's entry ends with "--", so it stays a file.
    optionlike = repo / "--rules=x.md"
    optionlike.write_text(f"防汛会议召开\n{ORIGINAL}\n", encoding="utf-8")
    _git(["add", "--", "articles/flood-copy.txt", "--rules=x.md"], repo)
    blocked = subprocess.run(["git", "commit", "-m", "copy"], cwd=repo, capture_output=True, text=True, env={
        **env, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.invalid"}, timeout=900)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "articles/flood-copy.txt:2:1: unattributed:" in output, output
    assert "--rules=x.md:2:1: unattributed:" in output, output

    for path in (article, optionlike):
        path.write_text(path.read_text(encoding="utf-8") + "来源：清河日报\n", encoding="utf-8")
    _git(["add", "--", "articles/flood-copy.txt", "--rules=x.md"], repo)
    allowed = subprocess.run(["git", "commit", "-m", "copy with credit"], cwd=repo, capture_output=True, text=True,
                             env={**env, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                                  "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.invalid"},
                             timeout=900)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "provenance (changed articles)" in allowed.stdout + allowed.stderr
