"""Hostile and careless input cannot hurt a run: no blow-up, no hang, no lost report, no write to
what a command only reads, no file read from outside what was asked.

Each test reproduces one way a run went wrong before (an attacker's file or a user's slip) and
checks the run now ends as a tool should: the bad file is an ``unreadable`` item or a skipped
file with a one-line reason, the rest of the run goes on, and the report is written.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from corpus_kit import EN_ORIGINAL, ZH_ORIGINAL, front_matter, write

from provenance.documents.loaders import load_paths
from provenance.engine import build_index, scan
from provenance.rules import load_rules

RULES = """publisher = "本地日报"
[defaults]
policy = "attribution-required"
[[source]]
name = "青山日报"
aliases = ["青山日報"]
"""
PYTHON_MEMORY_CAP = 1536 << 20  # address space for a child that must not blow up (imports take ~600 MB)


def cli(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120,
        memory: int | None = None) -> subprocess.CompletedProcess[str]:
    """``provenance ARGS`` in a child process (a hang or a blow-up cannot take the test run down)."""
    preexec = None
    if memory is not None:
        import resource

        def preexec() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    environment = {k: v for k, v in os.environ.items() if not k.startswith("PROVENANCE_")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "provenance", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=environment, preexec_fn=preexec)


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    """A repository of articles: rules, a corpus of two originals, an index of it, no articles yet."""
    root = tmp_path / "newsroom"
    (root / ".git").mkdir(parents=True)  # the repository root (discovery stops here)
    write(root / "provenance.toml", RULES)
    write(root / "corpus" / "qs.md", front_matter(ZH_ORIGINAL, id="qs-1", source="青山日报", published="2024-04-08"))
    write(root / "corpus" / "rt.md", front_matter(EN_ORIGINAL, id="rt-1", source="Ridgeview Tribune",
                                                  published="2024-05-01"))
    build_index([root / "corpus"], str(root / "index.sqlite"), load_rules(root / "provenance.toml"))
    (root / "articles").mkdir()
    write(root / "articles" / "copy.txt", ZH_ORIGINAL)
    return root


def _items(report_text: str) -> dict[str, dict]:
    return {Path(item["path"]).name: item for item in json.loads(report_text)["items"]}


# -- 2. resource exhaustion --------------------------------------------------------------------

ALIAS_BOMB = "---\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n" if prev else f"{name}: &{name} [{', '.join(['lol'] * 9)}]\n"
    for prev, name in zip([None, "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi", strict=True)
) + "title: *i\n---\n"


def test_a_yaml_alias_bomb_is_refused_and_the_rest_is_scanned(newsroom: Path) -> None:
    assert len(ALIAS_BOMB) < 600  # a few hundred bytes that expand to 9^9 strings
    write(newsroom / "articles" / "bomb.md", ALIAS_BOMB + EN_ORIGINAL)
    done = cli("scan", "articles", "--index", "index.sqlite", "-f", "json", cwd=newsroom, memory=PYTHON_MEMORY_CAP)
    assert done.returncode == 1, done.stderr
    items = _items(done.stdout)
    assert items["bomb.md"]["verdict"] == "unreadable"
    assert "aliases (*name) are not allowed in front matter" in items["bomb.md"]["message"]
    assert items["copy.txt"]["verdict"] == "unattributed"


def _gzip_of_spaces(size: int) -> bytes:
    """``size`` bytes of spaces as concatenated gzip members: a 2 MB file for 2 GiB."""
    member = gzip.compress(b" " * (1 << 20), 9)
    return member * (size >> 20)


def test_a_gzip_bomb_is_refused_without_being_decompressed(newsroom: Path) -> None:
    bomb = _gzip_of_spaces(2 << 30)
    assert len(bomb) < 4 << 20
    write(newsroom / "articles" / "feed.jsonl.gz", bomb)
    done = cli("scan", "articles", "--index", "index.sqlite", "-f", "sarif", cwd=newsroom,
               memory=PYTHON_MEMORY_CAP)
    assert done.returncode == 1, done.stderr[-2000:]
    results = json.loads(done.stdout)["runs"][0]["results"]
    messages = [r["message"]["text"] for r in results if "feed.jsonl.gz" in json.dumps(r["locations"])]
    assert messages and "once decompressed" in messages[0] and "decompressed_bytes" in messages[0]
    assert "Traceback" not in done.stderr


def test_the_decompression_cap_is_a_setting(tmp_path: Path) -> None:
    record = json.dumps({"id": "a", "text": EN_ORIGINAL}) + "\n"
    write(tmp_path / "c" / "a.jsonl.gz", gzip.compress((record + " " * 5000).encode()))
    assert next(load_paths([tmp_path / "c"])).readable
    write(tmp_path / "provenance.toml", "[limits]\ndecompressed_bytes = 4096\n")
    limits = load_rules(tmp_path / "provenance.toml").limits
    refused = next(load_paths([tmp_path / "c"], limits=limits))
    assert not refused.readable and "4 KiB" in (refused.error or "")


def test_a_decompression_bomb_in_an_index_is_an_index_error(newsroom: Path) -> None:
    bomb = zlib.compress(b" " * (256 << 20), 9)
    with sqlite3.connect(newsroom / "index.sqlite") as conn:
        conn.execute("UPDATE docs SET screen_z = ?", (bomb,))
    done = cli("scan", "articles", "--index", "index.sqlite", cwd=newsroom, memory=PYTHON_MEMORY_CAP)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "once decompressed" in done.stderr and "rebuild the index" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_rules_file_of_thirty_thousand_sources_loads(newsroom: Path) -> None:
    """Looking up where each of N sources is written was N × the file's lines; now linear."""
    sources = "".join(f'[[source]]\nname = "Outlet {k}"\naliases = ["O{k}", "outlet{k}.example.com"]\n'
                      f'policy = "no-reprint"\n\n' for k in range(30_000))
    write(newsroom / "provenance.toml", RULES + sources)
    done = cli("scan", "articles", "--index", "index.sqlite", "-f", "json", cwd=newsroom, timeout=90)
    assert done.returncode == 1, done.stderr
    assert _items(done.stdout)["copy.txt"]["verdict"] == "unattributed"
    rules = load_rules(newsroom / "provenance.toml")
    last = rules.sources[-1]
    assert last.name == "Outlet 29999"
    assert last.policy_where.endswith(f"provenance.toml:{RULES.count(chr(10)) + 5 * 29_999 + 4}")


# -- 3. one bad file never ends or hangs the run -------------------------------------------------

def _hostile_folder(folder: Path) -> None:
    write(folder / "bad-date.md", "---\npublished: 2024-13-45\n---\n" + EN_ORIGINAL)
    write(folder / "surrogate.json", '{"id": "s", "text": "' + "A lone surrogate \\ud800 here. " * 5 + '"}')
    os.symlink("loop-b.txt", folder / "loop-a.txt")
    os.symlink("loop-a.txt", folder / "loop-b.txt")
    os.mkfifo(folder / "pipe.txt")
    bad = os.fsencode(str(folder)) + b"/caf\xe9-latin1.txt"
    with open(bad, "wb") as handle:
        handle.write(ZH_ORIGINAL.encode("utf-8"))


def test_bad_files_are_unreadable_items_and_the_report_is_written(newsroom: Path) -> None:
    _hostile_folder(newsroom / "articles")
    done = cli("scan", "articles", "--index", "index.sqlite", "-f", "json", cwd=newsroom, timeout=60)
    assert done.returncode == 1, done.stderr
    items = _items(done.stdout)
    assert items["copy.txt"]["verdict"] == "unattributed"
    reasons = {name: items[name]["message"] for name in items if items[name]["verdict"] == "unreadable"}
    assert "'published' is not an ISO 8601 date" in reasons["bad-date.md"]
    assert "lone surrogate" in reasons["surrogate.json"]
    assert "symbolic link loop" in reasons["loop-a.txt"] and "symbolic link loop" in reasons["loop-b.txt"]
    assert "not valid UTF-8" in reasons["caf\\xe9-latin1.txt"]
    assert "pipe.txt" not in items
    assert "pipe.txt: skipped: a named pipe (FIFO), not a regular file" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_html_report_survives_them_and_exit_zero_means_zero(newsroom: Path) -> None:
    _hostile_folder(newsroom / "articles")
    done = cli("scan", "articles", "--index", "index.sqlite", "-f", "html", "-o", "report.html", "--exit-zero",
               cwd=newsroom, timeout=60)
    assert done.returncode == 0, done.stderr
    html = (newsroom / "report.html").read_text(encoding="utf-8")
    assert "surrogate.json" in html and "caf\\xe9-latin1.txt" in html and "</html>" in html
    sarif = cli("scan", "articles", "--index", "index.sqlite", "-f", "sarif", cwd=newsroom, timeout=60)
    assert sarif.returncode == 1 and json.loads(sarif.stdout)["runs"]


def test_index_build_goes_on_past_bad_files(newsroom: Path) -> None:
    corpus = newsroom / "corpus"
    _hostile_folder(corpus)
    done = cli("index", "build", "corpus", "--index", "fresh.sqlite", cwd=newsroom, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "corpus/pipe.txt: skipped: a named pipe (FIFO)" in done.stderr
    assert "corpus/loop-a.txt: symbolic link loop (not indexed)" in done.stderr
    assert "lone surrogate" in done.stderr and "not valid UTF-8" in done.stderr
    stats = json.loads(cli("index", "stats", "--index", "fresh.sqlite", "--json", cwd=newsroom).stdout)
    assert stats["documents"] == 2


def test_a_fifo_given_by_name_is_skipped_not_opened(newsroom: Path) -> None:
    os.mkfifo(newsroom / "articles" / "pipe.md")
    done = cli("check", "articles/pipe.md", "articles/copy.txt", "--index", "index.sqlite", cwd=newsroom, timeout=60)
    assert done.returncode == 1
    assert "articles/copy.txt:" in done.stdout and "pipe.md: skipped" in done.stderr


# -- 4. read commands do not write --------------------------------------------------------------

def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file() and ".provenance" not in p.parts}


def test_read_commands_leave_the_index_folder_as_it_was(newsroom: Path) -> None:
    before = _snapshot(newsroom)
    for args in (["scan", "articles"], ["check", "articles/copy.txt"], ["explain", "articles/copy.txt"],
                 ["index", "stats"], ["rules", "show"]):
        done = cli(*args, "--index", "index.sqlite", cwd=newsroom)
        assert done.returncode in (0, 1), (args, done.stderr)
        assert _snapshot(newsroom) == before, args


def test_a_truncated_index_is_refused_without_files_appearing(newsroom: Path) -> None:
    index = newsroom / "index.sqlite"
    index.write_bytes(index.read_bytes()[: 3 * 65536 + 100])
    before = sorted(p.name for p in newsroom.iterdir())
    done = cli("index", "stats", "--index", "index.sqlite", cwd=newsroom)
    assert done.returncode == 2 and "truncated" in done.stderr, done.stderr
    assert sorted(p.name for p in newsroom.iterdir()) == before


@pytest.mark.parametrize("application_id", [0, 0x0F0F0F0F])
def test_an_sqlite_file_of_another_application_is_left_byte_for_byte(newsroom: Path, application_id: int) -> None:
    other = newsroom / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute(f"PRAGMA application_id = {application_id}")
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.close()
    before = other.read_bytes()
    listing = sorted(p.name for p in newsroom.iterdir())
    for args in (["scan", "articles", "--index", "other.db"], ["index", "stats", "--index", "other.db"],
                 ["index", "build", "corpus", "--index", "other.db"], ["index", "remove", "qs-1", "--index", "other.db"],
                 ["index", "copy", "other.db", "copied.sqlite"], ["index", "copy", "index.sqlite", "other.db"]):
        done = cli(*args, cwd=newsroom)
        assert done.returncode == 2, (args, done.stderr)
        assert "not a provenance index" in done.stderr, (args, done.stderr)
        assert other.read_bytes() == before, args
        assert sorted(p.name for p in newsroom.iterdir() if p.name != "copied.sqlite") == listing, args


def test_a_text_file_named_as_the_index_is_not_overwritten(newsroom: Path) -> None:
    notes = write(newsroom / "notes.sqlite", "my notes, not an index\n" * 10)
    done = cli("index", "build", "corpus", "--index", "notes.sqlite", cwd=newsroom)
    assert done.returncode == 2 and "not an SQLite database" in done.stderr
    assert notes.read_text(encoding="utf-8") == "my notes, not an index\n" * 10


# -- 5. nothing is read from outside what was asked ------------------------------------------------

SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- provenance-test-secret-material"


def test_a_symlink_to_a_file_outside_the_folder_is_skipped(newsroom: Path, tmp_path: Path) -> None:
    secret = write(tmp_path / "home" / ".ssh" / "id_rsa.txt", SECRET + "\n" + EN_ORIGINAL)
    os.symlink(secret, newsroom / "articles" / "leak.txt")
    os.symlink(tmp_path / "home" / ".ssh", newsroom / "articles" / "keys")
    for fmt in ("json", "sarif", "html", "table"):
        done = cli("scan", "articles", "--index", "index.sqlite", "-f", fmt, cwd=newsroom)
        assert done.returncode == 1, done.stderr
        assert "provenance-test-secret-material" not in done.stdout, fmt
        assert "leak.txt: skipped: symbolic link to a file outside the scanned folders" in done.stderr
        assert "keys: skipped: symbolic link to a folder outside the scanned folders" in done.stderr
    check = cli("check", "articles/leak.txt", "--index", "index.sqlite", cwd=newsroom)
    assert "secret" not in check.stdout and "leak.txt: skipped" in check.stderr
    followed = cli("scan", "articles", "--index", "index.sqlite", "-f", "json", "--follow-symlinks", cwd=newsroom)
    assert _items(followed.stdout)["leak.txt"]["verdict"] == "unattributed"
    assert "id_rsa.txt" in _items(followed.stdout)


def test_a_symlink_inside_the_folder_is_read(newsroom: Path) -> None:
    (newsroom / "articles" / "sub").mkdir()
    os.symlink("../copy.txt", newsroom / "articles" / "sub" / "alias.txt")
    done = cli("scan", "articles", "--index", "index.sqlite", "-f", "json", cwd=newsroom)
    assert _items(done.stdout)["alias.txt"]["verdict"] == "unattributed"


def test_every_file_walked_carries_its_real_path(tmp_path: Path) -> None:
    from provenance.documents.walk import FileWalk

    real = tmp_path / "real"
    write(real / "a.txt", EN_ORIGINAL)
    write(real / "deep" / "b.md", EN_ORIGINAL)
    os.symlink(real / "a.txt", real / "deep" / "link.txt")
    os.symlink(real, tmp_path / "through")  # the folder given by a link to it
    write(tmp_path / "elsewhere" / "c.txt", EN_ORIGINAL)
    os.symlink(tmp_path / "elsewhere", real / "linked")  # a linked folder, walked with follow_symlinks
    for follow in (False, True):
        found = list(FileWalk([tmp_path / "through"], (), (), follow))
        assert all(f.real == Path(os.path.realpath(f.path)) for f in found), follow
        assert {f.rel for f in found} == {"a.txt", "deep/b.md", "deep/link.txt"} | ({"linked/c.txt"} if follow else set())


@pytest.mark.parametrize(("key", "value"), [("corpus", "{outside}"), ("paths", "../outside"),
                                            ("baseline", "{outside}/baseline.json")])
def test_a_discovered_rules_file_may_not_point_outside_its_repository(newsroom: Path, tmp_path: Path, key: str,
                                                                     value: str) -> None:
    outside = tmp_path / "outside"
    write(outside / "a.md", front_matter(ZH_ORIGINAL, source="青山日报"))
    shown = value.format(outside=outside)
    quoted = json.dumps(shown) if key == "baseline" else json.dumps([shown])
    write(newsroom / "provenance.toml", RULES + f"[scan]\n{key} = {quoted}\n")
    done = cli("scan", "articles", "--index", "index.sqlite", cwd=newsroom)
    assert done.returncode == 2, done.stderr
    assert f"scan.{key} points outside" in done.stderr and "--rules" in done.stderr
    trusted = cli("scan", "articles", "--index", "index.sqlite", "--rules", "provenance.toml", cwd=newsroom)
    assert "points outside" not in trusted.stderr


def test_rules_discovery_stops_at_the_repository_root(tmp_path: Path, newsroom: Path) -> None:
    write(tmp_path / "provenance.toml", 'publisher = "Attacker"\nindex = "redis://attacker.invalid:6379/0"\n')
    (newsroom / "provenance.toml").unlink()
    done = cli("config", "articles", "--json", cwd=newsroom)
    rows = json.loads(done.stdout)
    assert rows["rules"]["value"] is None and rows["index"]["value"] == ".provenance/index.sqlite"
    scanned = cli("scan", "articles", "--index", "index.sqlite", "-f", "json", cwd=newsroom)
    assert scanned.returncode == 1 and "attacker" not in scanned.stderr.lower()


def test_rules_discovery_never_climbs_above_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(tmp_path / "provenance.toml", 'publisher = "Attacker"\n')
    write(home / "drafts" / "a.txt", EN_ORIGINAL)
    done = cli("config", "drafts", "--json", cwd=home, env={"HOME": str(home)})
    rows = json.loads(done.stdout)
    assert rows["rules"]["value"] is None
    assert rows["rules_search"]["value"]["to"] == str(home.resolve())
    write(home / "provenance.toml", 'publisher = "Me"\n')
    rows = json.loads(cli("config", "drafts", "--json", cwd=home, env={"HOME": str(home)}).stdout)
    assert rows["publisher"]["value"] == "Me" and "found by walking up" in rows["rules"]["from"]


def test_a_rules_file_anyone_could_have_written_is_ignored(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    write(shared / "provenance.toml", 'publisher = "Attacker"\n')
    write(shared / "drafts" / "a.txt", EN_ORIGINAL)
    shared.chmod(0o777)
    done = cli("config", "drafts", "--json", cwd=shared, env={"HOME": str(tmp_path / "nohome")})
    rows = json.loads(done.stdout)
    assert rows["publisher"]["value"] is None
    assert "writable by every user" in done.stderr and "not used" in done.stderr


# -- 6. small leaks and confusions ----------------------------------------------------------------

def test_a_redis_password_is_masked_in_configuration_and_errors(newsroom: Path) -> None:
    url = "redis://:hunter2-secret@127.0.0.1:9/0?prefix=newsroom"
    config = cli("config", "--json", cwd=newsroom, env={"PROVENANCE_INDEX": url})
    assert "hunter2-secret" not in config.stdout and ":***@127.0.0.1:9" in config.stdout
    done = cli("scan", "articles", "--index", url, cwd=newsroom)
    assert done.returncode == 2
    assert "hunter2-secret" not in done.stdout + done.stderr and "***" in done.stderr


def test_a_file_named_like_an_option_is_a_file_after_the_separator(newsroom: Path) -> None:
    write(newsroom / "--rules=x.md", ZH_ORIGINAL)
    done = cli("check", "--index", "index.sqlite", "--", "--rules=x.md", cwd=newsroom)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("--rules=x.md:1:") and ": unattributed: " in done.stdout
    hooks = (Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "entry: provenance check --\n" in hooks


def test_sarif_fingerprints_differ_for_two_files_that_claim_one_id(newsroom: Path) -> None:
    for folder in ("a", "b"):
        write(newsroom / "articles" / folder / "story.md", front_matter(ZH_ORIGINAL, id="same-id"))
    done = cli("scan", "articles/a", "articles/b", "--index", "index.sqlite", "-f", "sarif", cwd=newsroom)
    results = json.loads(done.stdout)["runs"][0]["results"]
    prints = [next(iter(r["partialFingerprints"].values())) for r in results]
    assert len(results) == 2 and len(set(prints)) == 2


def test_scan_results_stay_the_same_through_the_library(newsroom: Path) -> None:
    """The library API gives the same verdicts as the command line for the hostile folder."""
    _hostile_folder(newsroom / "articles")
    report = scan([newsroom / "articles"], str(newsroom / "index.sqlite"), load_rules(newsroom / "provenance.toml"))
    verdicts = {Path(item.path).name: item.verdict for item in report.items}
    assert verdicts["copy.txt"] == "unattributed" and verdicts["bad-date.md"] == "unreadable"
    assert [s.reason for s in report.skipped] == ["a named pipe (FIFO), not a regular file: not opened"]
