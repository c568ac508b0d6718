"""``--changed-since REV``: the article files git says changed since a revision."""

from __future__ import annotations

import subprocess
from pathlib import Path

from provenance.documents.walk import is_article_file, is_tool_file
from provenance.errors import ProvenanceError


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ProvenanceError("--changed-since needs git, which is not installed") from None
    if done.returncode != 0:
        raise ProvenanceError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def changed_files(paths: list[Path], revision: str) -> list[Path]:
    """New, modified and renamed article files under ``paths`` since ``revision`` (committed or not)."""
    anchor = paths[0] if paths else Path.cwd()
    anchor = anchor if anchor.is_dir() else anchor.parent
    root = Path(_git(["rev-parse", "--show-toplevel"], anchor).strip())
    _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root)
    names = _git(["diff", "--name-only", "-z", "--diff-filter=AMR", "-M", revision, "--"], root).split("\0")
    names += _git(["ls-files", "--others", "--exclude-standard", "-z"], root).split("\0")
    scopes = [p.resolve() for p in paths] or [root]
    out: list[Path] = []
    seen: set[Path] = set()
    for name in names:
        if not name:
            continue
        full = (root / name).resolve()
        if full in seen or not full.is_file() or not is_article_file(full) or is_tool_file(full):
            continue
        if any(full == scope or scope in full.parents for scope in scopes):
            seen.add(full)
            out.append(full)
    return sorted(out)
