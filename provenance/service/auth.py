"""The optional bearer token (``PROVENANCE_API_TOKEN``).

- No token set: reading routes are open; ``POST /v1/documents`` is refused with 403 (writes
  always need a token).
- A token set, scope ``writes`` (the default, ``PROVENANCE_API_TOKEN_SCOPE=writes``): only
  writes need ``Authorization: Bearer <token>``; without it, or with another, 401.
- Scope ``all``: every ``/v1`` route needs it. ``/healthz``, ``/``, ``/static`` and the API
  description (``/docs``, ``/openapi.json``) stay open: they tell nothing about the corpus.

Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from provenance.service.errors import ApiError
from provenance.service.settings import TOKEN_ENV

bearer = HTTPBearer(auto_error=False, description=f"The token in {TOKEN_ENV}: always for writes; for every /v1 "
                                                  "route with PROVENANCE_API_TOKEN_SCOPE=all.")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _check(request: Request, credentials: HTTPAuthorizationCredentials | None) -> None:
    token = request.app.state.settings.token
    if credentials is None:
        raise ApiError(401, "this route needs 'Authorization: Bearer <token>'", headers=_CHALLENGE)
    if not hmac.compare_digest(credentials.credentials.encode("utf-8"), token.encode("utf-8")):
        raise ApiError(401, "the bearer token is not the service's", headers=_CHALLENGE)


async def can_read(request: Request, credentials: Credentials) -> None:
    settings = request.app.state.settings
    if settings.token and settings.token_scope == "all":
        _check(request, credentials)


async def can_write(request: Request, credentials: Credentials) -> None:
    if not request.app.state.settings.token:
        raise ApiError(403, f"writes are disabled: start the service with {TOKEN_ENV} set to enable them")
    _check(request, credentials)
