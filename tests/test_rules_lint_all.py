"""``rules lint`` checks everything ``scan`` reads (issue 16): every problem of the rules file as
``file:line: message`` sorted by line, "did you mean" for misspellings, bad ``PROVENANCE_*`` values
named by their variable, and lint fails exactly when scan exits 2 on its configuration."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from corpus_kit import EN_ORIGINAL, front_matter, write
from typer.testing import CliRunner, Result

from provenance.cli import app

ISSUE = 'publisher = "Me"\n\n[scan]\nfail_on = "warnings"\njobs = "two"\nbogus = 1\n'


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PROVENANCE_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-document index and an article to scan against it (for rules files scan accepts)."""
    from provenance.engine import build_index
    from provenance.rules import Rules

    root = tmp_path_factory.mktemp("lint-index")
    write(root / "corpus" / "a.md", front_matter(EN_ORIGINAL, id="a", source="Harbour Daily"))
    write(root / "article.txt", "A note of our own about the weather, written for this test only.\n")
    build_index([root / "corpus"], str(root / "index.sqlite"), Rules())
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # rules discovery stops here
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, ["rules", "lint", *args], env=env)


def scan(index: Path, rules: Path | None, env: dict[str, str] | None = None) -> Result:
    args = ["scan", str(index / "article.txt"), "--index", str(index / "index.sqlite"), "-q"]
    return CliRunner().invoke(app, args + (["--rules", str(rules)] if rules else []), env=env)


def test_the_issue_example_is_reported_in_full_by_lint_and_scan(project: Path, index: Path) -> None:
    rules = write(project / "provenance.toml", ISSUE)
    expected = [
        "provenance.toml:4: scan.fail_on must be one of error, info, never, not 'warnings'",
        "provenance.toml:5: scan.jobs must be a whole number ≥ 1, not 'two'",
        "provenance.toml:6: unknown setting 'bogus' in [scan]",
    ]
    linted = lint("provenance.toml")
    assert linted.exit_code == 1 and linted.stdout.splitlines() == expected
    assert lint().stdout.splitlines() == expected  # found from the current folder
    scanned = scan(index, rules.relative_to(project))
    assert scanned.exit_code == 2
    assert scanned.stderr.splitlines()[1:] == expected, scanned.stderr  # under "invalid configuration:"


def test_problems_are_sorted_by_line(project: Path) -> None:
    write(project / "provenance.toml", "\n".join([
        'publisher = "Me"',     # 1
        "bogus_top = 1",        # 2
        "[scan]",               # 3
        "jobs = 0",             # 4
        "[[source]]",           # 5
        'name = "A"',           # 6
        'policy = "nope"',      # 7
        "[limits]",             # 8
        "file_bytes = 0",       # 9
        "[defaults]",           # 10
        "excerpt_max = 2",      # 11
        "[fingerprint]",        # 12
        "num_prem = 3",         # 13
        "[index]",              # 14
        'pth = "x.sqlite"',     # 15
    ]) + "\n")
    out = lint("provenance.toml").stdout.splitlines()
    assert [int(line.split(":")[1]) for line in out] == [2, 4, 7, 9, 11, 13, 15], out


@pytest.mark.parametrize(("text", "expected"), [
    ('publsher = "Me"\n', "provenance.toml:1: unknown setting 'publsher'; did you mean 'publisher'?"),
    ('publisher = "Me"\n[[source]]\nname = "AP"\npolicy = "no-reprint"\nlicencees = ["Me"]\n',
     "provenance.toml:5: unknown setting 'licencees' in [[source]] 'AP'; did you mean 'licensees'?"),
    ('publisher = "Me"\n[[source]]\nname = "AP"\npolicy = "attribution-requried"\n',
     "provenance.toml:4: policy 'attribution-requried' is not one of free, attribution-required, attribution-and-link, "
     "no-reprint; did you mean 'attribution-required'? (source 'AP')"),
    ('publisher = "Me"\n[defaults]\npolicy = "attribution-requried"\n',
     "did you mean 'attribution-required'?"),
    ('publisher = "Me"\n[scan]\nfial_on = "error"\n',
     "provenance.toml:3: unknown setting 'fial_on' in [scan]; did you mean 'fail_on'?"),
    ('publisher = "Me"\n[defaults]\nexcerpt_maxx = 0.2\n', "did you mean 'excerpt_max'?"),
    ('publisher = "Me"\n[limits]\nfile_byte = 10\n', "provenance.toml:3: unknown setting 'file_byte' in [limits]"),
    ('publisher = "Me"\n[scan]\nformat = "jsn"\n', "did you mean 'json'?"),
])
def test_did_you_mean(project: Path, text: str, expected: str) -> None:
    write(project / "provenance.toml", text)
    linted = lint("provenance.toml")
    assert linted.exit_code == 1 and expected in linted.stdout, linted.stdout


def test_pyproject_keys_point_at_their_own_lines(project: Path) -> None:
    write(project / "pyproject.toml", '[project]\nname = "x"\n\n[tool.provenance]\npublsher = "Me"\n')
    assert "pyproject.toml:5: unknown setting 'publsher'" in lint("pyproject.toml").stdout


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("PROVENANCE_JOBS", "two", "PROVENANCE_JOBS='two': must be a whole number ≥ 1"),
    ("PROVENANCE_JOBS", "0", "PROVENANCE_JOBS='0': must be a whole number ≥ 1"),
    ("PROVENANCE_FAIL_ON", "warnings", "PROVENANCE_FAIL_ON='warnings': must be one of error, info, never"),
    ("PROVENANCE_FAIL_ON", "eror", "PROVENANCE_FAIL_ON='eror': must be one of error, info, never; did you mean 'error'?"),
    ("PROVENANCE_FORMAT", "jsn", "PROVENANCE_FORMAT='jsn': must be one of html, json, sarif, table; did you mean 'json'?"),
])
def test_a_bad_environment_variable_is_named(project: Path, index: Path, variable: str, value: str,
                                             expected: str) -> None:
    rules = write(project / "provenance.toml", 'publisher = "Me"\n')
    linted = lint("provenance.toml", env={variable: value})
    assert linted.exit_code == 1 and linted.stdout.splitlines() == [expected], linted.stdout
    scanned = scan(index, rules, env={variable: value})
    assert scanned.exit_code == 2 and expected in scanned.stderr, scanned.stderr


def test_a_missing_rules_file_named_by_a_variable_names_it(project: Path, index: Path) -> None:
    env = {"PROVENANCE_RULES": "nowhere.toml"}
    assert "PROVENANCE_RULES" in lint(env=env).stdout
    assert "PROVENANCE_RULES" in scan(index, None, env=env).stderr


BAD = [
    ISSUE,
    'publsher = "Me"\n',
    'publisher = "Me"\n[[source]]\nname = "AP"\npolicy = "no-reprint"\nlicencees = ["Me"]\n',
    'publisher = "Me"\n[[source]]\nname = "AP"\npolicy = "attribution-requried"\n',
    'publisher = "Me"\n[defaults]\nexcerpt_max = 1.5\n',
    'publisher = "Me"\n[scan]\nfial_on = "error"\n',
    'publisher = "Me"\n[scan]\nformat = "yaml"\n',
    'publisher = "Me"\n[scan]\njobs = true\n',
    'publisher = "Me"\n[scan]\njobs = 0\n',
    'publisher = "Me"\n[scan]\ninclude = [1]\n',
    'publisher = "Me"\n[scan]\ncorpus = 5\n',
    'publisher = "Me"\nscan = 3\n',
    'publisher = "Me"\n[index]\npth = "x.sqlite"\n',
    'publisher = "Me"\n[limits]\nfile_bytes = -1\n',
    'publisher = "Me"\n[fingerprint]\nnum_prem = 3\n',
]
GOOD = [
    'publisher = "Me"\n',
    'publisher = "Me"\n[scan]\nfail_on = "never"\njobs = 1\nformat = "json"\ninclude = "*.txt"\nexclude = []\n'
    '[[source]]\nname = "Harbour Daily"\npolicy = "free"\nurl = "https://harbour.example/"\n',
]


@pytest.mark.parametrize("text", BAD + GOOD, ids=[f"bad{k}" for k in range(len(BAD))] + [f"good{k}" for k in range(len(GOOD))])
def test_lint_fails_exactly_when_scan_exits_2(project: Path, index: Path, text: str) -> None:
    write(project / "provenance.toml", text)
    linted, scanned = lint("provenance.toml"), scan(index, Path("provenance.toml"))
    assert (linted.exit_code != 0) == (scanned.exit_code == 2) == (text in BAD), (linted.stdout, scanned.stderr)
    if text in BAD:  # scan's problems in the same words (lint adds consistency checks of its own)
        shown = scanned.stderr.replace("provenance: error: ", "").replace("invalid configuration:\n", "")
        assert set(shown.splitlines()) <= set(linted.stdout.splitlines())


def test_a_discovered_rules_file_pointing_outside_fails_lint_too(project: Path, tmp_path_factory: pytest.TempPathFactory,
                                                                 index: Path) -> None:
    outside = tmp_path_factory.mktemp("outside")
    write(project / "provenance.toml", f'publisher = "Me"\n\n[scan]\ncorpus = ["{outside}"]\n')
    write(project / "a.txt", "A note of our own.\n")
    linted = lint()
    assert linted.exit_code == 1 and "provenance.toml:4: scan.corpus points outside" in linted.stdout, linted.stdout
    scanned = CliRunner().invoke(app, ["scan", "a.txt", "--index", str(index / "index.sqlite"), "-q"])
    assert scanned.exit_code == 2 and "provenance.toml:4: scan.corpus points outside" in scanned.stderr
