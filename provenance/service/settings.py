"""The service's settings: what the command line resolved (index, rules, fail_on) plus the
service's own knobs (limits, threads, token, check processes).

Precedence, as everywhere in provenance: built-in default < ``PROVENANCE_API_*`` variable <
command-line flag. The token is read from the environment only (a flag would show it in ``ps``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from provenance.config import Settings
from provenance.errors import ConfigError, did_you_mean
from provenance.rules import Rules

TOKEN_ENV = "PROVENANCE_API_TOKEN"
SCOPE_ENV = "PROVENANCE_API_TOKEN_SCOPE"
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
    """Scan threads of the serving process when none are asked for. One process checks on them:
    one per core, at least 2. With ``--workers N`` the N check processes check and the threads
    only read index statistics and documents to add: one."""
    return max(2, os.cpu_count() or 2) if workers <= 1 else 1


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
    workers: int = 1  # check processes (--workers): with several, checks run in them (checkers), not on threads

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
