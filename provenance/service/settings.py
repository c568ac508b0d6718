"""The service's settings: what the command line resolved (index, rules, fail_on) plus the
service's own knobs (limits, threads, token), and their trip to worker processes.

Precedence, as everywhere in provenance: built-in default < ``PROVENANCE_API_*`` variable <
command-line flag. The token is read from the environment only (a flag would show it in ``ps``).

With ``--workers N`` uvicorn starts N processes that import the app by name
(:func:`provenance.service.app.factory`): the parent writes the resolved settings to
``PROVENANCE_SERVE_SETTINGS`` (JSON, without the token) before it starts them, and each worker
reads them back with :meth:`ServiceSettings.from_environ`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from provenance.config import Settings, resolve
from provenance.errors import ConfigError, did_you_mean
from provenance.index.location import is_url
from provenance.rules import Rules

TOKEN_ENV = "PROVENANCE_API_TOKEN"
SCOPE_ENV = "PROVENANCE_API_TOKEN_SCOPE"
SETTINGS_ENV = "PROVENANCE_SERVE_SETTINGS"
SCOPES = ("writes", "all")
MIB = 1 << 20

# Knob → (environment variable, type, default, smallest value allowed)
KNOBS: dict[str, tuple[str, type, float | int, float | int]] = {
    "max_body": ("PROVENANCE_API_MAX_BODY", int, 16 * MIB, 1024),  # bytes of one request body
    "timeout": ("PROVENANCE_API_TIMEOUT", float, 30.0, 0.0),  # seconds per request (0: none)
    "max_articles": ("PROVENANCE_API_MAX_ARTICLES", int, 100, 1),  # articles per POST /v1/scan
    "max_documents": ("PROVENANCE_API_MAX_DOCUMENTS", int, 1000, 1),  # documents per POST /v1/documents
    "threads": ("PROVENANCE_API_THREADS", int, 0, 0),  # scan threads per process (0: one per core, at least 2)
    "refresh": ("PROVENANCE_API_REFRESH", float, 2.0, 0.0),  # seconds between looks for other writers (0: never)
}


def default_threads(workers: int = 1) -> int:
    """Scan threads per process when none are asked for: one per core, at least 2, for a single
    process; with several worker processes the cores are shared out among them (at least one
    thread each): checking holds the GIL, so a second thread in a process that already has a
    core to itself adds no throughput, only a second index connection, mapping and cache."""
    cores = os.cpu_count() or 2
    return max(2, cores) if workers <= 1 else max(1, cores // workers)


@dataclass
class ServiceSettings:
    """Everything :func:`provenance.service.app.create_app` needs."""

    index: str
    rules: Rules = field(default_factory=Rules)
    rules_path: str | None = None
    fail_on: str = "error"
    token: str | None = None
    token_scope: str = "writes"  # "writes": only POST /v1/documents needs the token; "all": every /v1 route
    max_body: int = 16 * MIB
    timeout: float = 30.0
    max_articles: int = 100
    max_documents: int = 1000
    threads: int = field(default_factory=default_threads)
    refresh: float = 2.0
    origins: dict[str, str] = field(default_factory=dict)  # where index and rules came from (GET /v1/index)
    workers: int = 1  # processes serving (--workers): with several, busy ones pass connections on (limits)

    @property
    def writes_enabled(self) -> bool:
        return bool(self.token)

    @classmethod
    def build(cls, settings: Settings, location: str, flags: Mapping[str, Any] | None = None,
              environ: Mapping[str, str] | None = None, workers: int = 1) -> ServiceSettings:
        """The service settings from a resolved configuration (:func:`provenance.config.resolve`),
        the index location the command line settled on, ``flags`` (knob → value, None: not given)
        and the ``PROVENANCE_API_*`` variables; ``workers``: the processes that will serve (the
        default number of scan threads shares the cores among them). Raises :class:`ConfigError`
        naming a bad value."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for knob, (variable, kind, default, least) in KNOBS.items():
            flag = (flags or {}).get(knob)
            if flag is not None:
                value, origin = flag, f"--{knob.replace('_', '-')}"
            elif environ.get(variable, "").strip():
                raw = environ[variable].strip()
                try:
                    value = kind(raw)
                except ValueError:
                    raise ConfigError(f"{variable}={raw!r}: not a{'n integer' if kind is int else ' number'}") from None
                origin = variable
            else:
                value, origin = default, "default"
            if value < least:
                raise ConfigError(f"{origin}: {knob.replace('_', ' ')} must be at least {least}, not {value}")
            values[knob] = value
        values["threads"] = values["threads"] or default_threads(workers)
        token = environ.get(TOKEN_ENV, "").strip() or None
        scope = environ.get(SCOPE_ENV, "").strip().lower() or "writes"
        if scope not in SCOPES:
            raise ConfigError(f"{SCOPE_ENV}={environ[SCOPE_ENV]!r}: must be one of {', '.join(SCOPES)}"
                              f"{did_you_mean(scope, SCOPES)}")
        return cls(index=location, rules=settings.rules, rules_path=settings["rules"], fail_on=settings["fail_on"],
                   token=token, token_scope=scope, origins={"index": settings.origins.get("index", "default"),
                                                            "rules": settings.origins.get("rules", "none found")},
                   workers=max(1, workers), **values)

    # -- to worker processes and back -----------------------------------------------------------
    def to_environ(self) -> dict[str, str]:
        """The variables a worker process reads its settings from (paths made absolute: uvicorn's
        workers start in the same folder, but nothing should depend on it)."""
        index = self.index if is_url(self.index) else os.path.abspath(self.index)
        payload = {
            "index": index, "rules": os.path.abspath(self.rules_path) if self.rules_path else None,
            "fail_on": self.fail_on, "origins": self.origins, "workers": self.workers,
            **{knob: getattr(self, knob) for knob in KNOBS},
        }
        return {SETTINGS_ENV: json.dumps(payload)}

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ServiceSettings:
        """The settings :meth:`to_environ` wrote, the rules file read again with the same
        configuration code as the command line; the token from ``PROVENANCE_API_TOKEN``."""
        environ = os.environ if environ is None else environ
        raw = environ.get(SETTINGS_ENV)
        if not raw:
            raise ConfigError(f"{SETTINGS_ENV} is not set: start the service with 'provenance serve'")
        payload = json.loads(raw)
        rules_file = Path(payload["rules"]) if payload.get("rules") else None
        resolved = resolve(rules_file, [], {"index": payload["index"], "fail_on": payload["fail_on"]}, environ)
        if rules_file is None:  # the parent found none: the worker uses the built-in rules too
            resolved.rules = Rules()
            resolved.set("rules", None, "none found")
        made = cls.build(resolved, payload["index"], {knob: payload.get(knob) for knob in KNOBS}, environ,
                         workers=int(payload.get("workers") or 1))
        return replace(made, origins=payload.get("origins") or made.origins)
