"""The ASGI middleware around every request: body size limit, timeout, JSON errors, access log.

- **Size**: a body larger than ``max_body`` bytes is refused with 413 — at once when its
  ``Content-Length`` says so, else as soon as the bytes read pass the limit.
- **Timeout**: a request not answered within ``timeout`` seconds gets 408; the check it waited for
  is dropped if it has not started, or finishes on its thread or check process, unused. Writes (``POST
  /v1/documents``) have no timeout: a write is whole or not at all, so it is never cut off.
- **Errors**: anything that escapes the app becomes a 500 JSON body naming the exception's type.
- **Access log**: one JSON line per request on stderr: ``time``, ``method``, ``path``,
  ``status``, ``ms``, ``bytes`` (of the response body), ``client``; a 500 adds the ``error`` and
  its ``traceback`` (for the operator, never the client).
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any, TextIO

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from provenance.service.errors import ApiError, error_body


class BodyTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes (--max-body)")


class ServiceMiddleware:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, *, max_body: int, timeout: float, log: TextIO | None = None,
                 untimed: Collection[str] = ("/v1/documents",), clock: Callable[[], float] = time.perf_counter) -> None:
        self.app = app
        self.max_body = max_body
        self.timeout = timeout
        self.log = log
        self.untimed = set(untimed)
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        sent: dict[str, Any] = {"status": None, "bytes": 0}
        failure: dict[str, str] = {}

        async def send_counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
            elif message["type"] == "http.response.body":
                sent["bytes"] += len(message.get("body", b""))
            await send(message)

        received = 0

        async def receive_counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        try:
            declared = _content_length(scope)
            if declared is not None and declared > self.max_body:
                await _answer(send_counted, 413, BodyTooLarge(self.max_body).detail)
            elif self.timeout > 0 and scope.get("path") not in self.untimed:
                try:
                    with anyio.fail_after(self.timeout):
                        await self.app(scope, receive_counted, send_counted)
                except TimeoutError:
                    if sent["status"] is None:
                        await _answer(send_counted, 408, f"no answer within {self.timeout:g} s (--timeout)")
            else:
                await self.app(scope, receive_counted, send_counted)
        except BodyTooLarge as exc:
            if sent["status"] is None:
                await _answer(send_counted, 413, exc.detail)
        except Exception as exc:
            failure = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
            if sent["status"] is None:
                await _answer(send_counted, 500, f"{type(exc).__name__}; the service log has the details")
        finally:
            self._write(scope, sent, started, failure)

    def _write(self, scope: Scope, sent: dict[str, Any], started: float, failure: dict[str, str]) -> None:
        client = scope.get("client")
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"), "method": scope.get("method"),
            "path": scope.get("path"), "status": sent["status"], "ms": round((self.clock() - started) * 1000, 2),
            "bytes": sent["bytes"], "client": f"{client[0]}:{client[1]}" if client else None, **failure,
        }
        stream = self.log or sys.stderr
        try:
            stream.write(json.dumps(line, ensure_ascii=False) + "\n")
            stream.flush()
        except (OSError, ValueError):  # a closed stderr must not fail the request
            pass


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps(error_body(status, detail), ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
