"""Effective configuration: built-in defaults < rules file < ``PROVENANCE_*`` variables < flags.

The rules file (``provenance.toml`` or ``[tool.provenance]`` in pyproject.toml) is found by walking
up from the scanned path, no further than the repository root or the home folder (see
:func:`provenance.rules.discover_rules`). Besides the rules it may hold ``index = "…"`` and a
``[scan]`` table (``paths``, ``corpus``, ``fail_on``, ``format``, ``jobs``, ``baseline``,
``include``, ``exclude``). A discovered file is the repository's: its paths must lie inside the
repository. A file given with ``--rules`` or ``PROVENANCE_RULES`` is trusted as given. Every value
remembers where it came from, for ``provenance config``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.errors import ConfigError
from provenance.index.location import DEFAULT_INDEX, is_url, mask_url
from provenance.rules import Discovery, Rules, discover_rules, load_rules
from provenance.verdicts import FAIL_ON

_SCAN_KEYS: dict[str, type] = {
    "paths": list, "corpus": list, "fail_on": str, "format": str, "jobs": int, "baseline": str, "include": list, "exclude": list,
}
_PATH_KEYS = ("paths", "corpus", "baseline", "index")
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
    warnings: list[str] = field(default_factory=list)  # for stderr: rules files found but not used
    discovery: Discovery | None = None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def set(self, key: str, value: Any, origin: str) -> None:
        self.values[key] = value
        self.origins[key] = origin

    def shown(self, key: str) -> Any:
        """A value as ``provenance config`` prints it (an index URL's password masked)."""
        value = self.values[key]
        return mask_url(value) if key == "index" and isinstance(value, str) else value


def resolve(
    rules_file: Path | None = None, near: list[Path] | None = None, flags: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Work out every setting and its origin."""
    environ = dict(os.environ if environ is None else environ)
    flags = {k: v for k, v in (flags or {}).items() if v not in (None, [], ())}
    origin_rules = "--rules"
    discovery: Discovery | None = None
    ignored: list[str] = []
    if rules_file is None and environ.get(ENV["rules"]):
        rules_file, origin_rules = Path(environ[ENV["rules"]]), ENV["rules"]
    if rules_file is None:
        for start in [*(near or []), Path.cwd()]:
            searched = discover_rules(start)
            ignored += searched.ignored
            discovery = discovery or searched  # the first search is the one `config` shows when none finds
            if searched.path:
                discovery = searched
                rules_file = searched.path
                origin_rules = f"found by walking up from {start} (stops at {searched.stop_reason})"
                break
    rules = load_rules(rules_file) if rules_file else Rules()
    settings = Settings(rules, warnings=ignored, discovery=discovery)
    for key, value in _DEFAULTS.items():
        settings.set(key, value, "default")
    settings.set("rules", str(rules_file) if rules_file else None, origin_rules if rules_file else "none found")
    if rules_file:
        base = Path(rules_file).parent
        if isinstance(rules.index, str):
            settings.set("index", _relative(rules.index, base), f"{rules_file} (index)")
        for key, value in rules.scan.items():
            kind = _SCAN_KEYS.get(key)
            if kind is None:
                raise ConfigError(f"{rules_file}: unknown setting {key!r} in [scan]")
            if kind is list and isinstance(value, str):
                value = [value]
            if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)):
                raise ConfigError(f"{rules_file}: scan.{key} must be a {'list of strings' if kind is list else kind.__name__}")
            if key in ("corpus", "paths"):
                value = [_relative(v, base) for v in value]
            if key == "baseline":
                value = _relative(value, base)
            settings.set(key, value, f"{rules_file} [scan]")
        if discovery is not None and discovery.path is not None:
            _check_inside(settings, discovery)
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


def _check_inside(settings: Settings, discovery: Discovery) -> None:
    """A rules file found by walking up may only point inside its repository (or its folder)."""
    boundary = discovery.boundary.resolve()
    for key in _PATH_KEYS:
        if not settings.origins.get(key, "").startswith(str(settings["rules"])):
            continue
        values = settings[key] if isinstance(settings[key], list) else [settings[key]]
        for value in values:
            if not isinstance(value, str) or is_url(value):
                continue
            real = Path(os.path.realpath(value))
            if real != boundary and boundary not in real.parents:
                shown = "scan." + key if key != "index" else "index"
                raise ConfigError(
                    f"{settings['rules']}: {shown} points outside {boundary} ({value!r}); a rules file found by "
                    "walking up may only name paths inside its repository (give it with --rules to allow this)")


def _relative(value: str, base: Path) -> str:
    if is_url(value) or os.path.isabs(value):
        return value
    return os.path.relpath(base / value)
