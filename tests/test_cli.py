"""The command line (DESIGN §7): exit codes 0/1/2, --corpus, --output, --format, python -m provenance."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from corpus_kit import RULES, ZH_ORIGINAL, World, write
from typer.testing import CliRunner

from provenance import __version__
from provenance.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PROVENANCE_"):
            monkeypatch.delenv(name)


def run(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def scan_args(world: World, *paths: str | Path) -> list[str | Path]:
    return ["scan", *paths, "--index", world.index, "--rules", world.rules_file, "--quiet"]


# -- version ---------------------------------------------------------------------------------
def test_version_option() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_python_dash_m_version() -> None:
    done = subprocess.run([sys.executable, "-m", "provenance", "--version"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"provenance {__version__}"


_ENTRY = """
import gc, sys
sys.argv = ["provenance", "--version"]
from provenance.entry import main
try:
    main()
except SystemExit as done:
    print(done.code, gc.isenabled(), gc.get_freeze_count() > 10_000, "provenance.cli" in sys.modules)
"""


def test_the_command_loads_its_imports_frozen_with_collection_on() -> None:
    """The entry point imports the CLI with collection off, freezes what the imports made, and
    turns collection back on before the command runs."""
    done = subprocess.run([sys.executable, "-c", _ENTRY], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"provenance {__version__}", "0 True True True"]


def test_importing_the_cli_leaves_collection_alone() -> None:
    code = "import gc; gc.disable(); import provenance.cli; print(gc.isenabled(), gc.get_freeze_count())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.split() == ["False", "0"], done.stderr


# -- exit 0 / 1 ------------------------------------------------------------------------------
def test_clean_scan_exits_0(world: World) -> None:
    result = run(*scan_args(world, world.incoming / "unrelated.txt", world.incoming / "toilets.md"))
    assert result.exit_code == 0, result.output


def test_info_findings_exit_0_by_default_and_1_with_fail_on_info(world: World) -> None:
    permitted = world.incoming / "bayberry.txt"
    assert run(*scan_args(world, permitted)).exit_code == 0
    assert run(*scan_args(world, permitted), "--fail-on", "info").exit_code == 1


def test_error_finding_exits_1(world: World) -> None:
    result = run(*scan_args(world, world.incoming / "seed.txt"))
    assert result.exit_code == 1, result.output
    assert "unattributed" in result.stdout


def test_fail_on_never_exits_0(world: World) -> None:
    result = run(*scan_args(world, world.incoming), "--fail-on", "never")
    assert result.exit_code == 0, result.output


def test_unreadable_file_is_an_error_finding(world: World) -> None:
    result = run(*scan_args(world, world.incoming / "empty.txt"), "--format", "json")
    assert result.exit_code == 1
    item = json.loads(result.stdout)["items"][0]
    assert item["verdict"] == "unreadable"


# -- exit 2 ----------------------------------------------------------------------------------
def test_missing_path_exits_2(world: World, tmp_path: Path) -> None:
    result = run(*scan_args(world, tmp_path / "no-such-folder"))
    assert result.exit_code == 2
    assert "no-such-folder" in result.stderr


def test_bad_rules_file_exits_2_with_file_and_line(world: World, tmp_path: Path) -> None:
    bad = write(tmp_path / "provenance.toml", RULES.replace('policy = "free"', 'policy = "sometimes"', 1))
    line = next(n for n, text in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1) if "sometimes" in text)
    result = run("scan", world.incoming / "seed.txt", "--index", world.index, "--rules", bad)
    assert result.exit_code == 2
    assert f"provenance.toml:{line}" in result.stderr, result.stderr
    assert "sometimes" in result.stderr


def test_rules_file_with_invalid_toml_exits_2_with_line(world: World, tmp_path: Path) -> None:
    bad = write(tmp_path / "provenance.toml", 'publisher = "本地日报"\n\n[defaults\npolicy = "free"\n')
    result = run("scan", world.incoming / "seed.txt", "--index", world.index, "--rules", bad)
    assert result.exit_code == 2
    assert "provenance.toml:3" in result.stderr, result.stderr


def test_missing_index_exits_2(world: World, tmp_path: Path) -> None:
    missing = tmp_path / "nothing.sqlite"
    result = run("scan", world.incoming / "seed.txt", "--index", missing, "--rules", world.rules_file)
    assert result.exit_code == 2
    assert "nothing.sqlite" in result.stderr
    assert not missing.exists(), "a scan must not create an empty index"


def test_bad_format_exits_2(world: World) -> None:
    result = run(*scan_args(world, world.incoming / "seed.txt"), "--format", "xml")
    assert result.exit_code == 2
    assert "xml" in result.stderr


def test_parameter_mismatch_exits_2(world: World, tmp_path: Path) -> None:
    rules = write(tmp_path / "provenance.toml", RULES + "\n[fingerprint]\nshingle_cjk = 4\n")
    result = run("scan", world.incoming / "seed.txt", "--index", world.index, "--rules", rules)
    assert result.exit_code == 2
    assert "shingle_cjk" in result.stderr
    assert result.stdout == ""  # nothing scanned, no report


# -- output ----------------------------------------------------------------------------------
def test_output_writes_the_report(world: World, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "scan.json"
    result = run(*scan_args(world, world.incoming / "seed.txt", world.incoming / "bayberry.txt"), "--output", out)
    assert result.exit_code == 1
    assert out.is_file()
    report = json.loads(out.read_text(encoding="utf-8"))  # the format follows the suffix
    assert report["schema"] == "provenance-report/1"
    assert report["summary"]["scanned"] == 2
    assert report["summary"]["exit_code"] == 1
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "html"])
def test_every_format_renders(world: World, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}.out"
    result = run(*scan_args(world, world.incoming / "seed.txt"), "--format", fmt, "--output", out)
    assert result.exit_code == 1, result.output
    assert out.read_text(encoding="utf-8").strip()


def test_json_paths_as_given_on_the_command_line(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(world.root)
    result = run("scan", "incoming", "--index", world.index, "--rules", world.rules_file, "--format", "json",
                 "--quiet", "--fail-on", "never")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    paths = sorted(item["path"].replace("\\", "/") for item in report["items"])
    assert paths == sorted(f"incoming/{case.name}" for case in world.cases)


# -- index commands and --corpus -------------------------------------------------------------
def test_index_build_and_stats(world: World, tmp_path: Path) -> None:
    location = tmp_path / "cli.sqlite"
    result = run("index", "build", world.corpus, "--index", location, "--rules", world.rules_file, "--quiet")
    assert result.exit_code == 0, result.output
    stats = run("index", "stats", "--index", location, "--json")
    assert stats.exit_code == 0
    assert json.loads(stats.stdout)["documents"] == len(world.docs)
    missing = run("index", "stats", "--index", tmp_path / "none.sqlite")
    assert missing.exit_code == 2


def test_index_build_missing_corpus_exits_2(tmp_path: Path) -> None:
    result = run("index", "build", tmp_path / "no-corpus", "--index", tmp_path / "i.sqlite")
    assert result.exit_code == 2


def test_scan_with_corpus_builds_an_index_under_cwd(world: World, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    article = write(tmp_path / "articles" / "copy.txt", ZH_ORIGINAL)
    args = ["scan", "articles", "--corpus", str(world.corpus), "--rules", str(world.rules_file), "--format", "json"]
    result = run(*args)
    assert result.exit_code == 1, result.output
    folder = tmp_path / ".provenance"
    assert folder.is_dir()
    indexes = list(folder.glob("*.sqlite"))
    assert len(indexes) == 1
    report = json.loads(result.stdout)
    assert report["items"][0]["verdict"] == "unattributed"
    assert report["items"][0]["path"].replace("\\", "/") == "articles/copy.txt"
    assert report["index"]["documents"] == len(world.docs)
    # a second run reuses the same index
    again = run(*args)
    assert again.exit_code == 1
    assert list(folder.glob("*.sqlite")) == indexes
    assert article.exists()


@pytest.mark.parametrize("stale", ["other schema", "other settings", "not an index"])
def test_scan_with_corpus_starts_a_stale_cache_afresh(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     stale: str) -> None:
    """The --corpus cache is the tool's own: one from another version or other fingerprint settings
    (or not an index at all) is rebuilt, not an error."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "articles" / "copy.txt", ZH_ORIGINAL)
    args = ["scan", "articles", "--corpus", str(world.corpus), "--rules", str(world.rules_file), "--format", "json"]
    assert run(*args).exit_code == 1
    (cache,) = (tmp_path / ".provenance").glob("*.sqlite")
    if stale == "not an index":
        cache.write_bytes(b"not a database" * 100)
        for extra in cache.parent.glob("*.sqlite-*"):
            extra.unlink()
    else:
        import sqlite3

        with sqlite3.connect(cache) as conn:
            if stale == "other schema":
                conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema'")
            else:
                params = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'params'").fetchone()[0])
                params["winnow_cjk"] = 12
                conn.execute("UPDATE meta SET value = ? WHERE key = 'params'", (json.dumps(params),))
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert "started afresh" in result.stderr
    assert json.loads(result.stdout)["items"][0]["verdict"] == "unattributed"
    assert "started afresh" not in run(*args).stderr


def test_scan_folder_with_unreadable_files_goes_on(world: World, tmp_path: Path) -> None:
    write(tmp_path / "in" / "a.txt", b"")
    write(tmp_path / "in" / "b.txt", b"\x00\x01\x02\x03" * 64)
    write(tmp_path / "in" / "c.txt", ZH_ORIGINAL)
    result = run(*scan_args(world, tmp_path / "in"), "--format", "json")
    assert result.exit_code == 1
    verdicts = {Path(i["path"]).name: i["verdict"] for i in json.loads(result.stdout)["items"]}
    assert verdicts == {"a.txt": "unreadable", "b.txt": "unreadable", "c.txt": "unattributed"}


def test_corrupt_jsonl_gz_is_one_unreadable_item(world: World, tmp_path: Path) -> None:
    write(tmp_path / "in" / "feed.jsonl.gz", b"\x1f\x8b\x08\x00 not really gzip data")
    write(tmp_path / "in" / "z.txt", ZH_ORIGINAL)
    result = run(*scan_args(world, tmp_path / "in"), "--format", "json")
    assert result.exit_code == 1
    verdicts = {Path(i["path"]).name: i["verdict"] for i in json.loads(result.stdout)["items"]}
    assert verdicts == {"feed.jsonl.gz": "unreadable", "z.txt": "unattributed"}
