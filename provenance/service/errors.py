"""Every error the service answers is JSON: ``{"error": "<what went wrong>", "detail": …}``.

``error`` is the HTTP status's phrase in lower case (``"not found"``, ``"payload too large"``),
``detail`` says more: a sentence, or for a request that fails validation the list of problems
(where, what). No stack trace ever reaches a client; an unexpected failure is a 500 whose detail
names the exception's type, and the access log line on stderr carries the traceback.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from provenance.errors import IndexError_
from provenance.service.answers import Refused
from provenance.service.checkers import ChecksLost
from provenance.service.state import WritesUnavailable

_PHRASES = {413: "payload too large", 408: "request timeout", 422: "invalid request"}


def phrase(status: int) -> str:
    if status in _PHRASES:
        return _PHRASES[status]
    try:
        return HTTPStatus(status).phrase.lower()
    except ValueError:
        return "error"


def error_body(status: int, detail: Any) -> dict[str, Any]:
    return {"error": phrase(status), "detail": detail}


def error_response(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, detail), status_code=status, headers=headers)


class ApiError(HTTPException):
    """An error a route raises on purpose: its status and detail are the response."""


def _problems(errors: Any) -> list[dict[str, Any]]:
    """Validation errors without the offending input echoed back (an article may be megabytes)."""
    out = []
    for error in errors:
        out.append({"loc": [part for part in error.get("loc", ()) if part != "body"] or ["body"],
                    "msg": error.get("msg", "invalid"), "type": error.get("type", "value_error")})
    return out


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail = exc.detail
    if exc.status_code == 404 and detail == "Not Found":  # the router's own: no such route
        detail = f"no route {request.url.path}; the API is described at /docs"
    elif exc.status_code == 405 and detail == "Method Not Allowed":
        detail = f"{request.method} is not allowed on {request.url.path}"
    return error_response(exc.status_code, detail, dict(exc.headers) if exc.headers else None)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, _problems(exc.errors()))


async def _index_error(request: Request, exc: Exception) -> JSONResponse:
    return error_response(503, str(exc))


async def _refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    return error_response(exc.status, exc.detail)


def install(app: FastAPI) -> None:
    """Make every error the app raises a JSON body."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(IndexError_, _index_error)
    app.add_exception_handler(WritesUnavailable, _index_error)
    app.add_exception_handler(ChecksLost, _index_error)
    app.add_exception_handler(Refused, _refused)


def validation_problems(errors: Any) -> list[dict[str, Any]]:
    """:func:`_problems` for a pydantic ``ValidationError`` raised while reading a body by hand."""
    return _problems(errors)
