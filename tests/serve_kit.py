"""A real ``provenance serve`` for the tests: a subprocess on a free port, started and waited for."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample"
RULES = SAMPLE / "provenance.toml"
INCOMING = SAMPLE / "incoming"
# 柳川日报's water-supply story (corpora/sample/sources/liuchuan/lc-2024-0311.md), uncredited
SEED = (INCOMING / "seed-case.txt").read_text(encoding="utf-8")


def without_provenance_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``PROVENANCE_*`` variable of the caller's reaches the service (the tests' own stay)."""
    for name in list(os.environ):
        if name.startswith("PROVENANCE_") and not name.startswith("PROVENANCE_TEST_"):
            monkeypatch.delenv(name)


def sample_index_in(folder: Path) -> str:
    """The shipped sample corpus indexed with its rules into ``folder``."""
    from provenance.engine import build_index
    from provenance.rules import load_rules

    location = str(folder / "sample.sqlite")
    build_index([SAMPLE / "sources"], location, load_rules(RULES))
    return location


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(index: str, rules: Path, cwd: Path, *flags: str, stdout: int | None = subprocess.DEVNULL,
                 **environ: str) -> tuple[subprocess.Popen[str], str]:
    """``provenance serve --index INDEX --rules RULES`` (no token from the caller's environment);
    returns the process and its base URL (ending in /) once /healthz answers 200."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("PROVENANCE_API")}
    env.update(environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    server = subprocess.Popen(
        [sys.executable, "-m", "provenance", "serve", "--index", index, "--rules", str(rules), "--port", str(port),
         "--threads", "2", *flags],
        cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "healthz", timeout=2) as answer:
                assert answer.status == 200
            return server, base
        except OSError:
            if server.poll() is not None:
                raise AssertionError(f"the server stopped: {server.communicate()[1][-2000:]}") from None
            if time.monotonic() > deadline:
                server.kill()
                raise AssertionError("the server did not start within 60 s") from None
            time.sleep(0.1)
