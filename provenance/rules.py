"""The rules file (``provenance.toml`` or ``[tool.provenance]`` in pyproject.toml): load and validate.

Every value keeps the file and line it came from, so a policy can say where it was set and an
error can point at the line to fix.
"""

from __future__ import annotations

import bisect
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli as tomllib  # the compiled tomli: twice as fast as the standard library on large rules files

from provenance.errors import ConfigError, did_you_mean
from provenance.limits import DEFAULT_LIMITS, RULES_FILE_BYTES, Limits, TooLarge, parse_limits, read_text_file
from provenance.params import FingerprintParams
from provenance.verdicts import FAIL_ON

DF_FLOOR = 10
POLICIES = ("free", "attribution-required", "attribution-and-link", "no-reprint")
_DEFAULT_KEYS = {
    "policy": str, "excerpt_max": float, "min_passage": int, "no_edits": bool, "max_df": int, "max_df_share": float,
}
_SOURCE_KEYS = {
    "name": str, "aliases": list, "url": str, "policy": str, "licensees": list, "excerpt_max": float,
    "min_passage": int, "no_edits": bool, "own": bool,
}
_TOP_KEYS = ("publisher", "subscriptions", "defaults", "source", "index", "fingerprint", "scan", "limits")
# The [scan] table; config.py gives each a PROVENANCE_* variable and a flag that override it.
SCAN_KEYS = {
    "paths": list, "corpus": list, "fail_on": str, "format": str, "jobs": int, "baseline": str, "include": list,
    "exclude": list,
}


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
    # Where it is written, looked up on first use (100,000 sources need not all be located).
    lines: _Lines | None = field(default=None, repr=False, compare=False)
    index: int = -1  # among the file's [[source]] tables
    _where: str | None = field(default=None, repr=False, compare=False)
    _policy_where: str | None = field(default=None, repr=False, compare=False)

    @property
    def where(self) -> str:
        """``file:line`` of its ``[[source]]`` header."""
        if self._where is None:
            self._where = self.lines.at(self.lines.table("source", self.index)) if self.lines else ""
        return self._where

    @property
    def policy_where(self) -> str:
        """``file:line`` of its ``policy`` key ('' when the source sets none)."""
        if self._policy_where is None:
            found = self.policy is not None and self.lines is not None
            self._policy_where = self.lines.at(self.lines.key("policy", "source", self.index)) if found else ""
        return self._policy_where


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
    # Sources the publisher licenses (wire contracts): it is a licensee of each (DESIGN §4).
    subscriptions: list[str] = field(default_factory=list)
    defaults: Defaults = field(default_factory=Defaults)
    sources: list[SourceRule] = field(default_factory=list)
    fingerprint: FingerprintParams = field(default_factory=FingerprintParams)
    index: str | None = None
    scan: dict[str, Any] = field(default_factory=dict)  # the valid [scan] values, a lone string made a list
    limits: Limits = DEFAULT_LIMITS
    path: str | None = None
    problems: list[str] = field(default_factory=list)  # sorted by line
    where: dict[str, str] = field(default_factory=dict)  # file:line of "index" and of each "scan.KEY"


class _Lines:
    """Finds the line of a key inside the n-th ``[[source]]`` table or a plain table.

    Table headers are found in one pass over the text; a table's keys are indexed on first use,
    so looking up every key of 100,000 sources takes time linear in the file, and a rules object
    sent to worker processes carries the text, not the indexes.
    """

    _HEADER = re.compile(r"^[ \t]*\[[^\n]*", re.M)
    _KEY = re.compile(r"[ \t]*([A-Za-z0-9_-]+)[ \t]*=")

    def __init__(self, text: str, path: str, table_prefix: str = "") -> None:
        self.text = text
        self.path = path
        self.prefix = table_prefix
        self.headers: dict[str, list[int]] = {}
        self.starts: list[int] = []  # every line that opens a table, in order
        line = last = 0
        for match in self._HEADER.finditer(text):
            line += text.count("\n", last, match.start())
            last = match.start()
            self.starts.append(line)
            self.headers.setdefault(match.group().strip().split("#", 1)[0].rstrip(), []).append(line)
        self._lines: list[str] | None = None
        self._keys: dict[int, dict[str, int]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_lines": None, "_keys": {}}

    def table(self, name: str, index: int | None = None) -> int | None:
        full = f"{self.prefix}{name}" if self.prefix else name
        found = self.headers.get(f"[[{full}]]" if index is not None else f"[{full}]", [])
        if index is None:
            return found[0] if found else None
        return found[index] if index < len(found) else None

    def _keys_from(self, start: int) -> dict[str, int]:
        """The first line of each key from line ``start`` to the next table header."""
        if start not in self._keys:
            if self._lines is None:
                self._lines = self.text.split("\n")
            keys: dict[str, int] = {}
            at = bisect.bisect_left(self.starts, start)
            end = self.starts[at] if at < len(self.starts) else len(self._lines)
            for number in range(start, end):
                match = self._KEY.match(self._lines[number])
                if match:
                    keys.setdefault(match.group(1), number)
            self._keys[start] = keys
        return self._keys[start]

    def key(self, key: str, table: str | None = None, index: int | None = None) -> int | None:
        start = 0
        if table is not None:
            head = self.table(table, index)
            if head is None:
                return None
            start = head + 1
        elif self.prefix:  # top-level keys of [tool.provenance] follow its header
            root = self.headers.get(f"[{self.prefix.rstrip('.')}]")
            start = root[0] + 1 if root else 0
        return self._keys_from(start).get(key)

    def at(self, line: int | None) -> str:
        return f"{self.path}:{(line or 0) + 1}"

    def source_at(self, index: int) -> str:
        """``file:line`` of the ``index``-th ``[[source]]`` header."""
        return self.at(self.table("source", index))


def _type_name(kind: type) -> str:
    return {str: "a string", float: "a number", int: "an integer", list: "a list of strings", bool: "true or false"}[kind]


def _check_type(value: Any, kind: type) -> bool:
    if kind is str:
        return isinstance(value, str)
    if kind is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _first(*lines: int | None) -> int | None:
    return next((line for line in lines if line is not None), None)


def by_line(problems: list[str], path: str | None) -> list[str]:
    """``problems`` sorted by the line of ``path`` they point at; the others (environment variables) last."""
    head = f"{path}:"

    def line(problem: str) -> float:
        if path is None or not problem.startswith(head):
            return float("inf")
        digits = re.match(r"\d+", problem[len(head):])
        return int(digits.group()) if digits else 0

    return sorted(problems, key=line)


def scan_value_problem(key: str, value: Any) -> tuple[str, str] | None:
    """What the ``[scan]`` setting ``key`` must be and a "did you mean" hint, when ``value`` is not
    that (None when it is). ``PROVENANCE_*`` variables are checked with it too."""
    kind = SCAN_KEYS[key]
    if key in ("fail_on", "format"):
        from provenance.report.formatters import names  # loads the formatters: only when asked

        choices = list(FAIL_ON) if key == "fail_on" else names()
        if not isinstance(value, str) or value not in choices:
            return f"must be one of {', '.join(choices)}", did_you_mean(value, choices)
    elif kind is int:
        if not _check_type(value, int) or value < 1:
            return "must be a whole number ≥ 1", ""
    elif not _check_type(value, kind):
        return f"must be {_type_name(kind)}", ""
    return None


def parse_rules(data: dict[str, Any], text: str, path: str, prefix: str = "") -> Rules:
    """Validate a rules mapping; problems are collected as ``file:line: message``."""
    lines = _Lines(text, path, prefix)
    rules = Rules(path=path)
    problems = rules.problems
    if not isinstance(data, dict):
        problems.append(f"{path}: the rules must be a table of settings")
        return rules
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(f"{lines.at(_first(lines.key(key), lines.table(key)))}: unknown setting {key!r}"
                            f"{did_you_mean(key, _TOP_KEYS)}")
    publisher = data.get("publisher")
    if publisher is not None:
        if isinstance(publisher, str) and publisher.strip():
            rules.publisher = publisher.strip()
        else:
            problems.append(f"{lines.at(lines.key('publisher'))}: 'publisher' must be a non-empty string")
    subscriptions = data.get("subscriptions", [])
    if isinstance(subscriptions, list) and all(isinstance(s, str) and s.strip() for s in subscriptions):
        rules.subscriptions = [s.strip() for s in subscriptions]
    else:
        problems.append(f"{lines.at(lines.key('subscriptions'))}: 'subscriptions' must be a list of source names")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.append(f"{lines.at(lines.key('defaults'))}: [defaults] must be a table")
        defaults = {}
    for key, value in defaults.items():
        where = lines.at(lines.key(key, "defaults"))
        if key not in _DEFAULT_KEYS:
            problems.append(f"{where}: unknown setting {key!r} in [defaults]{did_you_mean(key, _DEFAULT_KEYS)}")
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
    seen: dict[str, int] = {}
    for index, entry in enumerate(sources):
        if not isinstance(entry, dict):
            problems.append(f"{lines.source_at(index)}: each [[source]] must be a table")
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{lines.source_at(index)}: [[source]] needs a 'name'")
            continue
        rule = SourceRule(name=name.strip(), lines=lines, index=index)
        bad = False
        for key, value in entry.items():
            kind = _SOURCE_KEYS.get(key)
            if kind is None:
                problems.append(f"{lines.at(lines.key(key, 'source', index))}: unknown setting {key!r} in [[source]]"
                                f" {name!r}{did_you_mean(key, _SOURCE_KEYS)}")
                continue
            problem = None if _check_type(value, kind) else f"{key} of source {name!r} must be {_type_name(kind)}"
            if problem is None and key in _CHECKED:
                checked = _check_value(key, value)
                problem = f"{checked} (source {name!r})" if checked else None
            if problem:
                problems.append(f"{lines.at(lines.key(key, 'source', index))}: {problem}")
                bad = True
            elif key not in ("name", "own"):
                setattr(rule, key, float(value) if key == "excerpt_max" else value)
        key_name = name.strip().casefold()
        if key_name in seen:
            problems.append(f"{lines.source_at(index)}: source {name!r} is defined twice (first at "
                            f"{lines.source_at(seen[key_name])})")
        seen[key_name] = index
        if not bad:
            rules.sources.append(rule)
    for table in ("fingerprint", "index"):
        value = data.get(table)
        if value is None:
            continue
        where = lines.at(_first(lines.table(table), lines.key(table)))
        if table == "index":
            unknown = [key for key in value if key not in ("path", "url")] if isinstance(value, dict) else []
            for key in unknown:
                problems.append(f"{lines.at(_first(lines.key(key, 'index'), lines.table('index')))}: unknown setting "
                                f"{key!r} in [index]{did_you_mean(key, ('path', 'url'))}")
            if isinstance(value, str):
                rules.index = value
            elif isinstance(value, dict) and isinstance(value.get("path", value.get("url")), str):
                rules.index = value.get("path", value.get("url"))
            elif not unknown:
                problems.append(f"{where}: 'index' must be a path/URL string or a table with 'path'")
            rules.where["index"] = where
            continue
        if not isinstance(value, dict):
            problems.append(f"{where}: [fingerprint] must be a table")
            continue
        known = FingerprintParams().to_dict()
        before = len(problems)
        for key, item in value.items():
            key_where = lines.at(lines.key(key, "fingerprint"))
            if key not in known or key in ("normaliser", "tokenizer"):
                settable = [k for k in known if k not in ("normaliser", "tokenizer")]
                problems.append(f"{key_where}: unknown setting {key!r} in [fingerprint]{did_you_mean(key, settable)}")
            elif type(item) is not type(known[key]) and not (isinstance(known[key], float) and isinstance(item, int)):
                problems.append(f"{key_where}: fingerprint.{key} must be {type(known[key]).__name__}")
        if len(problems) == before:
            merged = {**known, **{k: v for k, v in value.items() if k in known}}
            candidate = FingerprintParams.from_dict(merged)
            problems += [f"{where}: fingerprint.{problem}" for problem in candidate.problems()]
            if len(problems) == before:
                rules.fingerprint = candidate
    if isinstance(data.get("scan"), dict):
        _parse_scan(data["scan"], lines, rules)
    elif "scan" in data:
        problems.append(f"{lines.at(lines.key('scan'))}: [scan] must be a table")
    if "limits" in data:
        limits_at = _first(lines.table("limits"), lines.key("limits"))
        rules.limits, found = parse_limits(data["limits"], lines.at(limits_at),
                                           lambda key: lines.at(_first(lines.key(key, "limits"), limits_at)))
        problems.extend(found)
    if rules.publisher:
        for rule in rules.sources:
            if rule.name == rules.publisher:
                rules.publisher_aliases = list(rule.aliases)
    rules.problems = by_line(problems, path)
    return rules


def _parse_scan(table: dict[str, Any], lines: _Lines, rules: Rules) -> None:
    head = _first(lines.table("scan"), lines.key("scan"))
    for key, value in table.items():
        where = lines.at(_first(lines.key(key, "scan"), head))
        if key not in SCAN_KEYS:
            rules.problems.append(f"{where}: unknown setting {key!r} in [scan]{did_you_mean(key, SCAN_KEYS)}")
            continue
        if SCAN_KEYS[key] is list and isinstance(value, str):
            value = [value]
        bad = scan_value_problem(key, value)
        if bad:
            rules.problems.append(f"{where}: scan.{key} {bad[0]}, not {value!r}{bad[1]}")
            continue
        rules.scan[key] = value
        rules.where[f"scan.{key}"] = where


_CHECKED = {"policy", "excerpt_max", "max_df_share", "max_df", "min_passage"}


def _check_value(key: str, value: Any) -> str | None:
    if key == "policy" and value not in POLICIES:
        return f"policy {value!r} is not one of {', '.join(POLICIES)}{did_you_mean(value, POLICIES)}"
    if key in ("excerpt_max", "max_df_share") and not 0 <= value <= 1:
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
        text = read_text_file(file, RULES_FILE_BYTES)
    except FileNotFoundError:
        raise ConfigError(f"{file}: rules file not found") from None
    except TooLarge as exc:
        raise ConfigError(f"{file}: rules file too large: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read rules file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: cannot read rules file: not UTF-8 (byte {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+), column (\d+)", str(exc))
        where = f"{file}:{match.group(1)}:{match.group(2)}" if match else str(file)
        raise ConfigError(f"{where}: invalid TOML: {str(exc).split(' (at line')[0]}") from None
    except RecursionError:
        raise ConfigError(f"{file}: invalid TOML: values nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    prefix = ""
    if file.name == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("provenance", {}) if isinstance(tool, dict) else None
        if not isinstance(data, dict):
            raise ConfigError(f"{file}: [tool.provenance] must be a table")
        prefix = "tool.provenance."
    rules = parse_rules(data, text, str(file), prefix)
    if strict and rules.problems:
        raise ConfigError("invalid rules:\n" + "\n".join(rules.problems))
    return rules


@dataclass
class Discovery:
    """Where walking up from a folder found a rules file, and where it stopped looking."""

    path: Path | None
    start: Path
    stop: Path | None = None  # the last folder searched
    stop_reason: str = "the file system's root"
    repository: Path | None = None  # the folder holding .git at or above the rules file
    ignored: list[str] = field(default_factory=list)  # candidates not trusted, with the reason

    @property
    def boundary(self) -> Path:
        """The folder a discovered rules file may point into: its repository, else its own folder."""
        if self.repository is not None:
            return self.repository
        return (self.path.resolve().parent if self.path else self.start)


def _untrusted(candidate: Path) -> str | None:
    """Why a rules file found by walking up must not be used (None when it may)."""
    try:
        info = candidate.stat()
        folder = candidate.parent.stat()
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if folder.st_mode & stat.S_IWOTH:
        return "its folder is writable by every user, so anyone could have put it there"
    uid = os.getuid() if hasattr(os, "getuid") else None
    if uid not in (None, 0) and info.st_uid != uid:
        return f"it belongs to another user (uid {info.st_uid})"
    return None


def discover_rules(start: str | Path) -> Discovery:
    """Walk up from ``start`` to the first trusted ``provenance.toml`` (or pyproject.toml with
    ``[tool.provenance]``).

    The walk ends at the repository root (the folder holding ``.git``) and never climbs above
    the home folder: a rules file in a checkout's parent, in ``/tmp`` or in ``/home`` is not the
    repository's and could name an index or paths an attacker chose. A candidate in a folder
    every user may write to, or owned by another user, is ignored and reported.
    """
    here = Path(start).resolve()
    if here.is_file():
        here = here.parent
    found = Discovery(path=None, start=here)
    try:
        home: Path | None = Path.home().resolve()
    except (KeyError, RuntimeError, OSError):
        home = None
    for folder in [here, *here.parents]:
        found.stop = folder
        for candidate in (folder / "provenance.toml", folder / "pyproject.toml"):
            if not candidate.is_file() or (candidate.name == "pyproject.toml" and not _mentions_provenance(candidate)):
                continue
            reason = _untrusted(candidate)
            if reason:
                found.ignored.append(f"{candidate}: not used: {reason}")
                continue
            found.path = _short(candidate)
            break
        is_repository = (folder / ".git").exists()
        if is_repository:
            found.repository = folder
        if found.path is not None:
            if found.repository is None:
                found.repository = _repository_of(folder, home)
            found.stop_reason = "the rules file"
            return found
        if is_repository:
            found.stop_reason = "the repository root"
            return found
        if home is not None and folder == home:
            found.stop_reason = "the home folder"
            return found
    return found


def _repository_of(folder: Path, home: Path | None) -> Path | None:
    for candidate in [folder, *folder.parents]:
        if (candidate / ".git").exists():
            return candidate
        if candidate == home:
            return None
    return None


def _mentions_provenance(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(read_text_file(pyproject, RULES_FILE_BYTES))
    except (OSError, TooLarge, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return False
    tool = data.get("tool", {})
    return isinstance(tool, dict) and "provenance" in tool


def find_rules(start: str | Path) -> Path | None:
    """The rules file :func:`discover_rules` finds from ``start``, or None."""
    return discover_rules(start).path


def _short(path: Path) -> Path:
    """The path relative to the working folder when that is shorter (for messages like file:line)."""
    try:
        relative = Path(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return path
    return relative if len(str(relative)) < len(str(path)) else path
