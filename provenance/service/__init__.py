"""The HTTP service (``provenance serve``): the library behind a small JSON API.

One module per job:

- :mod:`.settings` — the service's settings (index, rules, limits, token, check processes);
- :mod:`.articles` — request payloads (JSON articles, uploaded files) into :class:`Article` objects,
  through the same loaders as the command line;
- :mod:`.state` — the open index: one reader and :class:`~provenance.engine.Scanner` per scan
  thread, the shared snapshot (policies, chrome, counts) replaced whole after every change, and
  the single writer;
- :mod:`.answers` — what ``/v1/check`` and ``/v1/scan`` answer, worked out where the index is read;
- :mod:`.checkers` — ``--workers N``: N check processes taking checks from one queue;
- :mod:`.limits` — the ASGI middleware: body size limit, per-request timeout, JSON errors for
  whatever escapes, the JSON access log;
- :mod:`.errors` — the ``{"error": …, "detail": …}`` bodies and exception handlers;
- :mod:`.auth` — the optional bearer token;
- :mod:`.models` — request and response models (validation and the OpenAPI document);
- :mod:`.app` — the application factory and the routes.

``static/index.html`` is the page served at ``/``.

FastAPI, uvicorn and python-multipart come with the ``serve`` extra
(``pip install 'provenance[serve]'``); nothing here is imported by the rest of the package.
"""

from __future__ import annotations

SERVE_EXTRA = "pip install 'provenance[serve]'"


def missing_packages() -> list[str]:
    """The packages of the ``serve`` extra that are not installed (by their PyPI names)."""
    from importlib.util import find_spec

    wanted = {"fastapi": ("fastapi",), "uvicorn": ("uvicorn",), "python-multipart": ("python_multipart", "multipart")}
    return [name for name, modules in wanted.items() if not any(find_spec(module) for module in modules)]
