"""Effective configuration: built-in defaults < rules file < ``PROVENANCE_*`` variables < flags.

The rules file (``provenance.toml`` or ``[tool.provenance]`` in pyproject.toml) is found by walking
up from the scanned path, no further than the repository root or the home folder (see
:func:`provenance.rules.discover_rules`). Besides the rules it may hold ``index = "…"`` and a
``[scan]`` table (``paths``, ``corpus``, ``fail_on``, ``format``, ``jobs``, ``baseline``,
``include``, ``exclude``). A discovered file is the repository's: its paths must lie inside the
repository. A file given with ``--rules`` or ``PROVENANCE_RULES`` is trusted as given. Every value
remembers where it came from, for ``provenance config``.

Every problem (rules file, ``PROVENANCE_*`` variable, path outside the repository) is collected by
the one :func:`resolve` that both ``scan`` and ``rules lint`` call, so they cannot disagree.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.errors import ConfigError, did_you_mean
from provenance.index.location import DEFAULT_INDEX, is_url, mask_url
from provenance.rules import SCAN_KEYS, Discovery, Rules, by_line, discover_rules, load_rules, scan_value_problem
from provenance.verdicts import FAIL_ON

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
    problems: list[str] = field(default_factory=list)  # what makes it unusable, the rules file's by line first

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
    environ: Mapping[str, str] | None = None, strict: bool = True,
) -> Settings:
    """Work out every setting and its origin.

    Every problem found goes to ``Settings.problems``; with ``strict`` (as ``scan`` runs) any of them
    raises one :class:`ConfigError` listing them all. A rules file that cannot be read or parsed
    raises either way.
    """
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
    try:
        rules = load_rules(rules_file, strict=False) if rules_file else Rules()
    except ConfigError as exc:
        if origin_rules == ENV["rules"]:
            raise ConfigError(f"{ENV['rules']}: {exc}") from None
        raise
    settings = Settings(rules, warnings=ignored, discovery=discovery, problems=list(rules.problems))
    for key, value in _DEFAULTS.items():
        settings.set(key, value, "default")
    settings.set("rules", str(rules_file) if rules_file else None, origin_rules if rules_file else "none found")
    if rules_file:
        base = Path(rules_file).parent
        if isinstance(rules.index, str):
            settings.set("index", _relative(rules.index, base), f"{rules_file} (index)")
        for key, value in rules.scan.items():  # checked by load_rules
            if key in ("corpus", "paths"):
                value = [_relative(v, base) for v in value]
            if key == "baseline":
                value = _relative(value, base)
            settings.set(key, value, f"{rules_file} [scan]")
        if discovery is not None and discovery.path is not None:
            settings.problems = by_line(settings.problems + _outside(settings, discovery), str(rules_file))
    values, problems = read_environment(environ)
    settings.problems += problems
    for key, value in values.items():
        settings.set(key, value, ENV[key])
    for key, value in flags.items():
        settings.set(key, value, "command line")
    if settings["fail_on"] not in FAIL_ON:  # only a flag can still be wrong
        settings.problems.append(f"fail_on ({settings.origins['fail_on']}) must be one of {', '.join(FAIL_ON)}, "
                                 f"not {settings['fail_on']!r}{did_you_mean(settings['fail_on'], FAIL_ON)}")
    if strict and settings.problems:
        problems = settings.problems
        raise ConfigError(problems[0] if len(problems) == 1 else "invalid configuration:\n" + "\n".join(problems))
    return settings


def read_environment(environ: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The settings the ``PROVENANCE_*`` variables give (but the rules file's), and a problem naming
    the variable for each bad value."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, variable in ENV.items():
        raw = environ.get(variable)
        if key == "rules" or not raw:
            continue
        value: Any = raw
        if key == "jobs":
            with contextlib.suppress(ValueError):  # the text is reported below
                value = int(raw)
        if key == "corpus":
            value = [p for p in raw.split(os.pathsep) if p]
        bad = scan_value_problem(key, value) if key in SCAN_KEYS else None
        if bad:
            problems.append(f"{variable}={raw!r}: {bad[0]}{bad[1]}")
        else:
            values[key] = value
    return values, problems


def _outside(settings: Settings, discovery: Discovery) -> list[str]:
    """A rules file found by walking up may only point inside its repository (or its folder)."""
    boundary = discovery.boundary.resolve()
    problems = []
    for key in _PATH_KEYS:
        if not settings.origins.get(key, "").startswith(str(settings["rules"])):
            continue
        values = settings[key] if isinstance(settings[key], list) else [settings[key]]
        shown = "scan." + key if key != "index" else "index"
        for value in values:
            if not isinstance(value, str) or is_url(value):
                continue
            real = Path(os.path.realpath(value))
            if real != boundary and boundary not in real.parents:
                problems.append(
                    f"{settings.rules.where.get(shown, settings['rules'])}: {shown} points outside {boundary} "
                    f"({value!r}); a rules file found by walking up may only name paths inside its repository (give "
                    "it with --rules to allow this)")
    return problems


def _relative(value: str, base: Path) -> str:
    if is_url(value) or os.path.isabs(value):
        return value
    return os.path.relpath(base / value)
