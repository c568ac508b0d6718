"""The rules file (``provenance.toml`` or ``[tool.provenance]`` in pyproject.toml): load and validate.

Every value keeps the file and line it came from, so a policy can say where it was set and an
error can point at the line to fix.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.errors import ConfigError
from provenance.params import FingerprintParams

DF_FLOOR = 10
POLICIES = ("free", "attribution-required", "attribution-and-link", "no-reprint")
_DEFAULT_KEYS = {
    "policy": str, "excerpt_max": float, "min_passage": int, "no_edits": bool, "max_df": int, "max_df_share": float,
}
_SOURCE_KEYS = {
    "name": str, "aliases": list, "url": str, "policy": str, "licensees": list, "excerpt_max": float,
    "min_passage": int, "no_edits": bool, "own": bool,
}
_TOP_KEYS = {"publisher", "defaults", "source", "index", "fingerprint", "scan"}


@dataclass
class SourceRule:
    name: str
    aliases: list[str] = field(default_factory=list)
    url: str | None = None
    policy: str | None = None
    licensees: list[str] = field(default_factory=list)
    excerpt_max: float | None = None
    min_passage: int | None = None
    no_edits: bool | None = None
    where: str = ""  # "file:line" of its [[source]] header
    policy_where: str = ""


@dataclass
class Defaults:
    policy: str = "attribution-required"
    excerpt_max: float = 0.3
    min_passage: int = 50
    no_edits: bool = False
    # Passage keys held by more than max_df documents, or by more than max_df_share of the corpus
    # (and at least DF_FLOOR), are boilerplate: they never create candidates or count as reuse.
    max_df: int = 100
    max_df_share: float = 0.01
    where: dict[str, str] = field(default_factory=dict)

    def df_threshold(self, documents: int) -> int:
        return max(DF_FLOOR, min(self.max_df, int(self.max_df_share * documents)))


@dataclass
class Rules:
    """Validated rules: publisher, defaults, per-source rules, fingerprint and scan settings."""

    publisher: str | None = None
    publisher_aliases: list[str] = field(default_factory=list)
    defaults: Defaults = field(default_factory=Defaults)
    sources: list[SourceRule] = field(default_factory=list)
    fingerprint: FingerprintParams = field(default_factory=FingerprintParams)
    index: str | None = None
    path: str | None = None
    problems: list[str] = field(default_factory=list)


class _Lines:
    """Finds the line of a key inside the n-th ``[[source]]`` table or a plain table."""

    def __init__(self, text: str, path: str, table_prefix: str = "") -> None:
        self.lines = text.splitlines()
        self.path = path
        self.prefix = table_prefix

    def _header_lines(self, header: str) -> list[int]:
        pattern = re.compile(r"^\s*" + re.escape(header) + r"\s*(#.*)?$")
        return [i for i, line in enumerate(self.lines) if pattern.match(line)]

    def table(self, name: str, index: int | None = None) -> int | None:
        full = f"{self.prefix}{name}" if self.prefix else name
        header = f"[[{full}]]" if index is not None else f"[{full}]"
        found = self._header_lines(header)
        if index is None:
            return found[0] if found else None
        return found[index] if index < len(found) else None

    def key(self, key: str, table: str | None = None, index: int | None = None) -> int | None:
        start = 0
        if table is not None:
            head = self.table(table, index)
            if head is None:
                return None
            start = head + 1
        for i in range(start, len(self.lines)):
            line = self.lines[i]
            if re.match(r"^\s*\[", line) and i >= start and table is not None:
                break
            if re.match(r"^\s*\[", line) and table is None:
                break
            if re.match(r"^\s*" + re.escape(key) + r"\s*=", line):
                return i
        return None

    def at(self, line: int | None) -> str:
        return f"{self.path}:{(line or 0) + 1}"


def _type_name(kind: type) -> str:
    return {str: "a string", float: "a number", int: "an integer", list: "a list of strings", bool: "true or false"}[kind]


def _check_type(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, kind)


def parse_rules(data: dict[str, Any], text: str, path: str, prefix: str = "") -> Rules:
    """Validate a rules mapping; problems are collected as ``file:line: message``."""
    lines = _Lines(text, path, prefix)
    rules = Rules(path=path)
    problems = rules.problems
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(f"{lines.at(lines.key(key) or lines.table(key))}: unknown setting {key!r}")
    publisher = data.get("publisher")
    if publisher is not None:
        if isinstance(publisher, str) and publisher.strip():
            rules.publisher = publisher.strip()
        else:
            problems.append(f"{lines.at(lines.key('publisher'))}: 'publisher' must be a non-empty string")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.append(f"{lines.at(lines.key('defaults'))}: [defaults] must be a table")
        defaults = {}
    for key, value in defaults.items():
        where = lines.at(lines.key(key, "defaults"))
        if key not in _DEFAULT_KEYS:
            problems.append(f"{where}: unknown setting {key!r} in [defaults]")
            continue
        if not _check_type(value, _DEFAULT_KEYS[key]):
            problems.append(f"{where}: defaults.{key} must be {_type_name(_DEFAULT_KEYS[key])}")
            continue
        problem = _check_value(key, value)
        if problem:
            problems.append(f"{where}: defaults.{problem}")
            continue
        setattr(rules.defaults, key, float(value) if key in ("excerpt_max", "max_df_share") else value)
        rules.defaults.where[key] = where
    sources = data.get("source", [])
    if not isinstance(sources, list):
        problems.append(f"{lines.at(lines.key('source'))}: 'source' must be an array of tables ([[source]])")
        sources = []
    seen: dict[str, str] = {}
    for index, entry in enumerate(sources):
        head = lines.table("source", index)
        where = lines.at(head)
        if not isinstance(entry, dict):
            problems.append(f"{where}: each [[source]] must be a table")
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: [[source]] needs a 'name'")
            continue
        rule = SourceRule(name=name.strip(), where=where)
        bad = False
        for key, value in entry.items():
            key_where = lines.at(lines.key(key, "source", index))
            if key not in _SOURCE_KEYS:
                problems.append(f"{key_where}: unknown setting {key!r} in [[source]] {name!r}")
                continue
            if not _check_type(value, _SOURCE_KEYS[key]):
                problems.append(f"{key_where}: {key} of source {name!r} must be {_type_name(_SOURCE_KEYS[key])}")
                bad = True
                continue
            problem = _check_value(key, value)
            if problem:
                problems.append(f"{key_where}: {problem} (source {name!r})")
                bad = True
                continue
            if key == "name":
                continue
            if key == "own":
                continue
            setattr(rule, key, float(value) if key == "excerpt_max" else value)
            if key == "policy":
                rule.policy_where = key_where
        key_name = name.strip().casefold()
        if key_name in seen:
            problems.append(f"{where}: source {name!r} is defined twice (first at {seen[key_name]})")
        seen[key_name] = where
        if not bad:
            rules.sources.append(rule)
    for table in ("fingerprint", "index"):
        value = data.get(table)
        if value is None:
            continue
        where = lines.at(lines.table(table) or lines.key(table))
        if table == "index":
            if isinstance(value, str):
                rules.index = value
            elif isinstance(value, dict) and isinstance(value.get("path", value.get("url")), str):
                rules.index = value.get("path", value.get("url"))
            else:
                problems.append(f"{where}: 'index' must be a path/URL string or a table with 'path'")
            continue
        if not isinstance(value, dict):
            problems.append(f"{where}: [fingerprint] must be a table")
            continue
        known = FingerprintParams().to_dict()
        before = len(problems)
        for key, item in value.items():
            key_where = lines.at(lines.key(key, "fingerprint"))
            if key not in known or key in ("normaliser", "tokenizer"):
                problems.append(f"{key_where}: unknown setting {key!r} in [fingerprint]")
            elif type(item) is not type(known[key]) and not (isinstance(known[key], float) and isinstance(item, int)):
                problems.append(f"{key_where}: fingerprint.{key} must be {type(known[key]).__name__}")
        if len(problems) == before:
            merged = {**known, **{k: v for k, v in value.items() if k in known}}
            rules.fingerprint = FingerprintParams.from_dict(merged)
    if rules.publisher:
        for rule in rules.sources:
            if rule.name == rules.publisher:
                rules.publisher_aliases = list(rule.aliases)
    return rules


def _check_value(key: str, value: Any) -> str | None:
    if key == "policy" and value not in POLICIES:
        return f"policy {value!r} is not one of {', '.join(POLICIES)}"
    if key in ("excerpt_max", "max_df_share") and not 0 <= float(value) <= 1:
        return f"{key} must be between 0 and 1, not {value}"
    if key == "max_df" and value < 1:
        return f"max_df must be a positive number of documents, not {value}"
    if key == "min_passage" and value < 1:
        return f"min_passage must be a positive number of characters, not {value}"
    return None


def load_rules(path: str | Path | None, strict: bool = True) -> Rules:
    """Load rules from a ``provenance.toml`` or a ``pyproject.toml`` (``[tool.provenance]``).

    With ``strict`` (the default), problems raise :class:`ConfigError` listing every one.
    """
    if path is None:
        return Rules()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: rules file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read rules file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+), column (\d+)", str(exc))
        where = f"{file}:{match.group(1)}:{match.group(2)}" if match else str(file)
        raise ConfigError(f"{where}: invalid TOML: {str(exc).split(' (at line')[0]}") from None
    prefix = ""
    if file.name == "pyproject.toml":
        data = data.get("tool", {}).get("provenance", {})
        prefix = "tool.provenance."
    rules = parse_rules(data, text, str(file), prefix)
    if strict and rules.problems:
        raise ConfigError("invalid rules:\n" + "\n".join(rules.problems))
    return rules


def find_rules(start: str | Path) -> Path | None:
    """Walk up from ``start`` to the first ``provenance.toml`` or pyproject.toml with ``[tool.provenance]``."""
    here = Path(start).resolve()
    if here.is_file():
        here = here.parent
    for folder in [here, *here.parents]:
        candidate = folder / "provenance.toml"
        if candidate.is_file():
            return _short(candidate)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "provenance" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                    return _short(pyproject)
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
    return None


def _short(path: Path) -> Path:
    """The path relative to the working folder when that is shorter (for messages like file:line)."""
    try:
        relative = Path(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return path
    return relative if len(str(relative)) < len(str(path)) else path
