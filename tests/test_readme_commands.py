"""Every command the README prints runs as printed (issue 16): its ``sh`` blocks in order, in a
copy of the repository's sample corpus, and its library example.

Left out, with the reason: ``pip install …`` (installing is the CI's own first step) and
``pytest`` (this is the suite). The shared-index recipe runs against the test Redis server
(``PROVENANCE_TEST_REDIS``, by default the README's own ``redis://127.0.0.1:6379/0``) under a
prefix of its own, removed afterwards.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from backends import require_redis

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
README_REDIS = "redis://127.0.0.1:6379/0"


def _blocks(language: str) -> list[str]:
    """The README's fenced blocks of ``language`` ("" for blocks without one), in order."""
    blocks, current, kind = [], [], None
    for line in README.splitlines():
        if line.startswith("```"):
            if kind is None:
                kind, current = line[3:].strip(), []
            else:
                if kind == language:
                    blocks.append("\n".join(current) + "\n")
                kind = None
        elif kind is not None:
            current.append(line)
    return blocks


def _commands() -> list[str]:
    commands = []
    for block in _blocks("sh"):
        for line in block.splitlines():
            for part in line.split("&&"):
                part = part.strip()
                if part and not part.startswith(("pip ", "pytest")):
                    commands.append(part)
    return commands


def _argv(command: str) -> list[str]:
    words = shlex.split(command)
    assert words[0] == "provenance", command
    installed = shutil.which("provenance")
    return [installed, *words[1:]] if installed else [sys.executable, "-m", "provenance", *words[1:]]


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "corpora", tmp_path / "corpora")
    return tmp_path


def test_the_readme_has_commands() -> None:
    commands = _commands()
    assert any(c.startswith("provenance scan corpora/sample/incoming --corpus") for c in commands)
    assert any(c.startswith("provenance explain") for c in commands)
    assert any(c.startswith("provenance index copy .provenance/index.sqlite") for c in commands)


def _run_all(work: Path, commands: list[str], url: str | None = None, prefix: str = "") -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for command in commands:
        shown = command.replace(f"{README_REDIS}?prefix=newsroom", f"{url}?prefix={prefix}") if url else command
        done = subprocess.run(_argv(shown), cwd=work, env=env, capture_output=True, text=True, timeout=600,
                              check=False)
        # The sample holds error findings: a scan exits 1 by design; anything else must succeed.
        expected = (0, 1) if " scan " in f" {command} " else (0,)
        assert done.returncode in expected, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr, done.stderr


def test_every_local_readme_command_runs_as_printed(work: Path) -> None:
    _run_all(work, [c for c in _commands() if "redis://" not in c])


def test_the_shared_index_recipe_runs_as_printed(work: Path) -> None:
    url = require_redis()
    prefix = f"readme-{uuid.uuid4().hex[:8]}"
    try:
        _run_all(work, _commands(), url, prefix)
    finally:
        import redis

        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)


def test_the_first_readme_output_is_what_the_scan_prints(work: Path) -> None:
    """The table the README shows is the scan's output, line for line."""
    first = _commands()[0]
    done = subprocess.run(_argv(first), cwd=work, env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "140"},
                          capture_output=True, text=True, timeout=600, check=False)
    shown = next(b for b in _blocks("") if "scanned:" in b)
    assert done.returncode == 1
    assert done.stdout.strip() == "\n".join(shown.strip().splitlines()[1:]), "regenerate the README's output"
    assert shown.splitlines()[0] == done.stderr.strip().splitlines()[-1]


def test_the_library_example_runs(work: Path) -> None:
    (code,) = _blocks("python")
    done = subprocess.run([sys.executable, "-c", code], cwd=work, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1 {")
