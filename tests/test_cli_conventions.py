"""The command line as a new user meets it (issue 16): one index for every command, no silent
pass, the tool's own files, places that point at the passage, and the conventions CI users know
(NO_COLOR, -h, -V, -v, -o -, --exit-zero, choices in the help).

Each test runs against a copy of the shipped sample corpus (corpora/sample, written for the project).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import _use_color, app

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"
ANSI = re.compile(r"\x1b\[")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PROVENANCE_") or name in ("NO_COLOR", "FORCE_COLOR"):
            monkeypatch.delenv(name)


@pytest.fixture()
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "sample")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str | Path, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner(env=env).invoke(app, [str(a) for a in args], catch_exceptions=False)


def scanned(site: Path) -> None:
    assert run("scan", "sample/incoming", "--corpus", "sample/sources", "-q").exit_code == 1


# -- one index ---------------------------------------------------------------------------------

def test_every_command_reads_the_index_a_corpus_scan_keeps(site: Path) -> None:
    scanned(site)
    assert (site / ".provenance" / "index.sqlite").is_file()
    stats = run("index", "stats", "--json")
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["documents"] == 18
    again = run("scan", "sample/incoming", "-f", "json", "-q")  # no --corpus: the same index
    assert again.exit_code == 1 and json.loads(again.stdout)["index"]["documents"] == 18
    explained = run("explain", "sample/incoming/seed-case.txt", "-q")
    assert explained.exit_code == 0 and "unattributed" in explained.stdout
    checked = run("check", "sample/incoming/seed-case.txt")
    assert checked.exit_code == 1 and "unattributed" in checked.stdout
    shown = run("rules", "show", "--json")
    documents = {row["name"]: row["documents"] for row in json.loads(shown.stdout)["sources"]}
    assert documents["柳川日报"] >= 1
    copied = run("index", "copy", ".provenance/index.sqlite", "copy.sqlite")
    assert copied.exit_code == 0 and (site / "copy.sqlite").is_file()


def test_rules_show_without_an_index_says_so(site: Path) -> None:
    shown = run("rules", "show", "--rules", "sample/provenance.toml", "--json")
    assert shown.exit_code == 0
    assert "no index at .provenance/index.sqlite" in shown.stderr
    assert all(row["documents"] is None for row in json.loads(shown.stdout)["sources"])


@pytest.mark.parametrize("url", ["mysql://db/x", "s3://bucket/index"])
def test_an_unknown_index_scheme_is_refused(site: Path, url: str) -> None:
    for args in (["index", "build", "sample/sources"], ["index", "stats"], ["scan", "sample/incoming"]):
        result = run(*args, "--index", url)
        assert result.exit_code == 2, (args, result.output)
        assert "unsupported index URL scheme" in result.stderr and "redis://" in result.stderr
    assert not any(p.name.endswith(":") or ":" in p.name for p in site.rglob("*"))


def test_an_unreachable_postgres_index_is_a_clear_error(site: Path) -> None:
    url = "postgresql://someone:hunter2@127.0.0.1:1/db?schema=x&connect_timeout=2"
    for args in (["index", "build", "sample/sources"], ["index", "stats"], ["scan", "sample/incoming"]):
        result = run(*args, "--index", url)
        assert result.exit_code == 2, (args, result.output)
        assert "cannot reach PostgreSQL at postgresql://someone:***@127.0.0.1:1/db" in result.stderr, result.stderr
        assert "hunter2" not in result.output + result.stderr and "Traceback" not in result.stderr
    assert not any(":" in p.name for p in site.rglob("*"))


def test_the_tool_folder_ignores_itself_in_git(site: Path) -> None:
    scanned(site)
    assert (site / ".provenance" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q"], cwd=site, check=True)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=site, check=True,
                                capture_output=True, text=True).stdout
        assert ".provenance" not in status


# -- no silent pass ----------------------------------------------------------------------------

def test_a_folder_without_articles_is_no_pass(site: Path) -> None:
    drafts = site / "drafts"
    drafts.mkdir()
    for name in ("a.odt", "b.rtf", "photo.png"):
        (drafts / name).write_bytes(b"not an article")
    scanned(site)
    result = run("scan", "drafts", "-q")
    assert result.exit_code == 2
    assert "no articles found under drafts" in result.stderr
    assert "3 files skipped" in result.stderr and "drafts/a.odt" in result.stderr


def test_skipped_files_are_counted_and_named(site: Path) -> None:
    for k in range(12):
        (site / "sample" / "incoming" / f"scan-{k:02d}.tiff").write_bytes(b"II*")
    result = run("scan", "sample/incoming", "--corpus", "sample/sources", "-q", "-f", "json")
    assert result.exit_code == 1
    assert "12 files skipped, not in a format provenance reads" in result.stderr
    assert "and 2 more (-v names them all)" in result.stderr
    verbose = run("scan", "sample/incoming", "-q", "-v", "-f", "json")
    assert "scan-11.tiff" in verbose.stderr and "more" not in verbose.stderr


# -- the tool's own files ------------------------------------------------------------------------

def test_check_and_changed_since_leave_the_baseline_alone(site: Path) -> None:
    scanned(site)
    baseline = site / ".provenance-baseline.json"
    assert run("scan", "sample/incoming", "-q", "--write-baseline", baseline).exit_code in (0, 1)
    result = run("check", "--", str(baseline))
    assert result.exit_code == 0 and result.stdout == ""
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q"], cwd=site, check=True)
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m",
                        "start"], cwd=site, check=True)
        baseline.write_text(baseline.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        changed = run("scan", ".", "--changed-since", "HEAD", "-f", "json")
        assert ".provenance-baseline.json" not in changed.stdout


def test_the_hook_pattern_leaves_the_tools_files_out() -> None:
    hooks = (Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    check = hooks.split("- id: provenance-check", 1)[1].split("- id:", 1)[0]
    files = re.search(r"^\s*files: (.+)$", check, re.M).group(1)
    exclude = re.search(r"^\s*exclude: (.+)$", check, re.M).group(1)
    for path in (".provenance-baseline.json", "site/.provenance-baseline.json", ".provenance/index.json"):
        assert re.search(files, path) and re.search(exclude, path), path
    assert re.search(files, "articles/a.json") and not re.search(exclude, "articles/a.json")


# -- places ----------------------------------------------------------------------------------------

def test_check_points_at_the_passage_as_sarif_does(site: Path) -> None:
    scanned(site)
    body = (site / "sample" / "incoming" / "heatwave-uncredited.txt").read_text(encoding="utf-8")
    article = site / "late.txt"
    article.write_text("Morning briefing\n\n>> " + body.split("\n", 2)[2], encoding="utf-8")  # from its lead
    result = run("check", "--", article)
    line, column = (int(v) for v in result.stdout.split(":")[1:3])
    sarif = json.loads(run("scan", article, "-f", "sarif", "-q").stdout)
    region = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (line, column) == (region["startLine"], region["startColumn"])
    assert line == 3 and column == 4


# -- conventions -------------------------------------------------------------------------------------

def test_help_and_version_short_options() -> None:
    assert run("-V").stdout.startswith("provenance ")
    for args in (["-h"], ["scan", "-h"], ["index", "build", "-h"], ["rules", "-h"]):
        result = run(*args)
        assert result.exit_code == 0 and "Usage:" in result.stdout, args
    scan_help = run("scan", "-h").stdout
    assert "table|json|sarif|html" in scan_help and "error|info|never" in scan_help
    assert "<str>" not in scan_help and "list[" not in scan_help and "<path>" not in scan_help


def test_colour_follows_no_color_force_color_and_the_flag(site: Path) -> None:
    scanned(site)
    args = ["scan", "sample/incoming", "-q"]
    assert not ANSI.search(run(*args).stdout)  # not a terminal
    assert ANSI.search(run(*args, env={"FORCE_COLOR": "1"}).stdout)
    assert not ANSI.search(run(*args, "--color", "never", env={"FORCE_COLOR": "1"}).stdout)
    assert ANSI.search(run(*args, "--color", "always").stdout)
    assert run(*args, "--color", "sometimes").exit_code == 2

    class Terminal:
        def isatty(self) -> bool:
            return True

    os.environ["NO_COLOR"] = "1"
    try:
        assert not _use_color("auto", Terminal())
        assert _use_color("always", Terminal())
    finally:
        del os.environ["NO_COLOR"]
    assert _use_color("auto", Terminal())


def test_output_dash_is_stdout(site: Path) -> None:
    scanned(site)
    result = run("scan", "sample/incoming", "-q", "-f", "json", "-o", "-")
    assert json.loads(result.stdout)["summary"]["scanned"] == 18
    assert not (site / "-").exists()


def test_exit_zero_reports_the_real_exit_code(site: Path) -> None:
    scanned(site)
    table = run("scan", "sample/incoming", "--exit-zero")
    assert table.exit_code == 0 and table.stdout.rstrip().endswith("exit code 0")
    report = json.loads(run("scan", "sample/incoming", "-q", "--exit-zero", "-f", "json").stdout)
    assert report["summary"]["exit_code"] == 0


def test_fail_on_warning_is_refused(site: Path) -> None:
    scanned(site)
    result = run("scan", "sample/incoming", "--fail-on", "warning", "-q")
    assert result.exit_code == 2 and "error, info, never" in result.stderr


def test_check_hides_findings_below_the_threshold_unless_verbose(site: Path) -> None:
    scanned(site)
    files = ["sample/incoming/seed-case.txt", "sample/incoming/seed-case-credited.txt"]
    quiet = run("check", "--", *files).stdout
    assert "unattributed" in quiet and "attributed:" not in quiet.replace("unattributed:", "")
    loud = run("check", "-v", "--", *files).stdout
    assert "seed-case-credited.txt:" in loud and ": attributed:" in loud
    assert run("check", "--no-quiet", "--", *files).exit_code == 1
    assert "[default: True]" not in run("check", "-h").stdout


def test_explain_on_a_folder_is_one_line_and_exit_2(site: Path) -> None:
    scanned(site)
    result = run("explain", "sample/incoming")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "is a folder" in result.stderr


def test_a_bad_revision_fails_before_any_index_is_built(site: Path) -> None:
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q"], cwd=site, check=True)
    result = run("scan", "sample/incoming", "--corpus", "sample/sources", "--changed-since", "nosuchrev")
    assert result.exit_code == 2
    assert not (site / ".provenance").exists()


def test_include_globs_read_as_the_path_is_shown(site: Path) -> None:
    scanned(site)
    for args in (["."], ["sample"], ["sample/incoming"]):
        result = run("scan", *args, "--include", "sample/incoming/*.md", "-q", "-f", "json")
        paths = [item["path"] for item in json.loads(result.stdout)["items"]]
        assert paths and all(p.endswith(".md") for p in paths), (args, paths)
    nothing = run("scan", "sample/incoming", "--include", "articles/*.md", "-q")
    assert nothing.exit_code == 2 and "--include 'articles/*.md' matched no file" in nothing.stderr


def test_an_80_column_table_never_splits_a_name(site: Path) -> None:
    scanned(site)
    from rich.cells import cell_len

    from provenance.engine import scan
    from provenance.report.table_format import render_table
    from provenance.rules import load_rules

    report = scan(["sample/incoming"], ".provenance/index.sqlite", load_rules(site / "sample" / "provenance.toml"))
    table = render_table(report, width=80)
    first_column = [line.split("│")[1].strip() for line in table.splitlines() if line.startswith("│")]
    names = [c for c in first_column if c]
    assert all(cell_len(line) <= 80 for line in table.splitlines()[:-1])  # the summary line wraps softly
    assert "Associated Press" in table  # names of outlets are not split either
    for cell in names:
        assert cell.endswith((".txt", ".md", ".json", ".html")), cell
        assert cell.startswith(("…", "sample/")), cell
