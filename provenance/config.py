"""Effective configuration: built-in defaults < rules file < ``PROVENANCE_*`` variables < flags.

The rules file (``provenance.toml`` or ``[tool.provenance]`` in pyproject.toml) is found by walking
up from the scanned path. Besides the rules it may hold ``index = "…"`` and a ``[scan]`` table
(``paths``, ``corpus``, ``fail_on``, ``format``, ``jobs``, ``baseline``, ``include``, ``exclude``). Every value
remembers where it came from, for ``provenance config``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.errors import ConfigError
from provenance.rules import Rules, find_rules, load_rules
from provenance.verdicts import FAIL_ON

DEFAULT_INDEX = ".provenance/index.sqlite"
_SCAN_KEYS: dict[str, type] = {
    "paths": list, "corpus": list, "fail_on": str, "format": str, "jobs": int, "baseline": str, "include": list, "exclude": list,
}
_DEFAULTS: dict[str, Any] = {
    "paths": ["."], "index": DEFAULT_INDEX, "corpus": [], "fail_on": "error", "format": "table", "jobs": 1, "baseline": None,
    "include": [], "exclude": [],
}
ENV = {
    "index": "PROVENANCE_INDEX", "rules": "PROVENANCE_RULES", "corpus": "PROVENANCE_CORPUS",
    "fail_on": "PROVENANCE_FAIL_ON", "format": "PROVENANCE_FORMAT", "jobs": "PROVENANCE_JOBS",
    "baseline": "PROVENANCE_BASELINE",
}


@dataclass
class Settings:
    rules: Rules
    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def set(self, key: str, value: Any, origin: str) -> None:
        self.values[key] = value
        self.origins[key] = origin


def _scan_table(path: Path) -> tuple[dict[str, Any], dict[str, Any], Path]:
    """``(scan table, top-level table, folder relative paths are resolved against)``."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("provenance", {})
    scan = data.get("scan", {})
    if not isinstance(scan, dict):
        raise ConfigError(f"{path}: [scan] must be a table")
    return scan, data, path.parent


def resolve(
    rules_file: Path | None = None, near: list[Path] | None = None, flags: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Work out every setting and its origin."""
    environ = dict(os.environ if environ is None else environ)
    flags = {k: v for k, v in (flags or {}).items() if v not in (None, [], ())}
    origin_rules = "--rules"
    if rules_file is None and environ.get(ENV["rules"]):
        rules_file, origin_rules = Path(environ[ENV["rules"]]), ENV["rules"]
    if rules_file is None:
        for start in [*(near or []), Path.cwd()]:
            rules_file = find_rules(start)
            if rules_file:
                origin_rules = "found by walking up from " + str(start)
                break
    rules = load_rules(rules_file) if rules_file else Rules()
    settings = Settings(rules)
    for key, value in _DEFAULTS.items():
        settings.set(key, value, "default")
    settings.set("rules", str(rules_file) if rules_file else None, origin_rules if rules_file else "none found")
    if rules_file:
        scan, top, base = _scan_table(Path(rules_file))
        if isinstance(top.get("index"), str):
            settings.set("index", _relative(top["index"], base), f"{rules_file} (index)")
        for key, value in scan.items():
            kind = _SCAN_KEYS.get(key)
            if kind is None:
                raise ConfigError(f"{rules_file}: unknown setting {key!r} in [scan]")
            if kind is list and isinstance(value, str):
                value = [value]
            if not isinstance(value, kind):
                raise ConfigError(f"{rules_file}: scan.{key} must be a {kind.__name__}")
            if key in ("corpus", "paths"):
                value = [_relative(v, base) for v in value]
            if key == "baseline":
                value = _relative(value, base)
            settings.set(key, value, f"{rules_file} [scan]")
    for key, variable in ENV.items():
        if key == "rules" or not environ.get(variable):
            continue
        raw = environ[variable]
        value: Any = raw
        if key == "jobs":
            try:
                value = int(raw)
            except ValueError:
                raise ConfigError(f"{variable}={raw!r}: must be a whole number") from None
        if key == "corpus":
            value = [p for p in raw.split(os.pathsep) if p]
        settings.set(key, value, variable)
    for key, value in flags.items():
        settings.set(key, value, "command line")
    if settings["fail_on"] not in FAIL_ON:
        raise ConfigError(f"fail_on ({settings.origins['fail_on']}) must be one of {', '.join(FAIL_ON)}, "
                          f"not {settings['fail_on']!r}")
    return settings


def _relative(value: str, base: Path) -> str:
    if "://" in value or os.path.isabs(value):
        return value
    return os.path.relpath(base / value)
