"""Baselines: record today's findings, later report only findings that are new.

A finding's identity is the article (its path relative to the working folder, which is the
repository root for hooks and CI jobs), the original's id and the verdict, hashed: it does not
move when lines are added elsewhere in the file, and it changes when the verdict does.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePath

from provenance.errors import ConfigError
from provenance.limits import BASELINE_FILE_BYTES, TooLarge, read_text_file
from provenance.report.model import Item, Report

SCHEMA = "provenance-baseline/1"


def article_identity(item: Item) -> str:
    """The article's path relative to the working folder, with / separators (``a.jsonl:3`` kept)."""
    path, _, line = item.path.partition(".jsonl:")
    if line:
        path += ".jsonl"
    relative = PurePath(os.path.relpath(os.path.abspath(path))).as_posix()
    return f"{relative}:{line}" if line else relative


def fingerprint(item: Item) -> str:
    original = (item.source or {}).get("id") or (item.source or {}).get("name") or ""  # a wire has no id
    return hashlib.sha256(f"{article_identity(item)}\x00{original}\x00{item.verdict}".encode()).hexdigest()


def is_finding(item: Item) -> bool:
    return item.severity != "none"


def write_baseline(report: Report, path: Path) -> int:
    findings = [
        {"fingerprint": fingerprint(item), "article": article_identity(item), "verdict": item.verdict,
         "original": (item.source or {}).get("id")}
        for item in report.items if is_finding(item)
    ]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"schema": SCHEMA, "findings": findings}, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the baseline: {exc.strerror}") from None
    return len(findings)


def read_baseline(path: Path) -> set[str]:
    try:
        data = json.loads(read_text_file(path, BASELINE_FILE_BYTES))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found (create it with --write-baseline)") from None
    except TooLarge as exc:
        raise ConfigError(f"{path}: baseline file too large: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: not a readable baseline: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ConfigError(f"{path}: not a readable baseline: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("findings"), list):
        raise ConfigError(f"{path}: not a {SCHEMA} file")
    return {f["fingerprint"] for f in data["findings"] if isinstance(f, dict) and isinstance(f.get("fingerprint"), str)}


def apply_baseline(report: Report, known: set[str]) -> int:
    """Drop findings already in the baseline; returns how many were dropped."""
    before = len(report.items)
    report.items = [item for item in report.items if not (is_finding(item) and fingerprint(item) in known)]
    return before - len(report.items)
