"""The application: :func:`create_app` builds it from :class:`ServiceSettings`; the routes.

Routes (docs/service.md has the shapes and curl examples):

- ``POST /v1/check`` — one article (JSON, or a file as ``multipart/form-data``) → its report item;
- ``POST /v1/scan`` — up to ``max_articles`` articles → a whole ``provenance-report/1`` report;
- ``POST /v1/documents`` — add or update corpus originals (token required);
- ``GET /v1/sources``, ``GET /v1/index``, ``GET /healthz``; ``/docs`` and ``/openapi.json``;
- ``GET /`` — the editors' page in ``static/index.html``; the folder's other files under
  ``/static/``, and the HTML report's styles and passage script as ``/static/report.css`` and
  ``/static/report.js`` (from :mod:`provenance.report.html_format`, so the page's side-by-side view
  is the report's: ``POST /v1/check?view=true`` answers the report's section for the article).

Route functions only read the request and shape the answer: loading and checking run on the
scan threads of :class:`~provenance.service.state.IndexState` (one process) or in the check
processes of :mod:`provenance.service.checkers` (``--workers N``), the answers worked out by
:mod:`provenance.service.answers` in both.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, TextIO

import anyio.to_thread
from fastapi import Depends, FastAPI, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from provenance import __version__
from provenance.documents.model import Article
from provenance.report import html_format
from provenance.service import answers, errors
from provenance.service import articles as payloads
from provenance.service.articles import Upload
from provenance.service.auth import can_read, can_write
from provenance.service.checkers import CheckProcesses
from provenance.service.errors import ApiError
from provenance.service.heap import steady_heap
from provenance.service.limits import ServiceMiddleware
from provenance.service.models import (
    ArticleIn,
    CheckResponse,
    DocumentIn,
    DocumentsRequest,
    DocumentsResponse,
    ErrorResponse,
    FailOn,
    ScanRequest,
)
from provenance.service.settings import ServiceSettings
from provenance.service.state import IndexState

STATIC = Path(__file__).with_name("static")
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text} for code, text in (
        (401, "No token, or not the service's"), (408, "Not answered within the timeout"),
        (413, "Body or article count over the limit"), (415, "Neither JSON nor multipart/form-data, or a file "
                                                             "in no format provenance reads"),
        (422, "Invalid request"))}
# The page loads everything from this service and nothing from anywhere else; the browser is told so.
PAGE_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'"
ASSET_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
PAGE_HEADERS = {"Content-Security-Policy": PAGE_POLICY, **ASSET_HEADERS}


def create_app(settings: ServiceSettings, *, log: TextIO | None = None, state: IndexState | None = None) -> FastAPI:
    """The ASGI app of the service. ``log``: where the access log goes (default stderr);
    ``state``: an index state to use instead of one made from ``settings``."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        steady_heap()  # its memory must not creep up with the texts it checks
        index: IndexState = app.state.index
        await anyio.to_thread.run_sync(index.start)
        checkers: CheckProcesses | None = app.state.checkers
        if checkers is not None:
            try:
                await checkers.start()
            except BaseException:
                await anyio.to_thread.run_sync(index.close)
                raise
        watcher = asyncio.create_task(index.watch())
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            if checkers is not None:
                await checkers.close()
            await anyio.to_thread.run_sync(index.close)

    app = FastAPI(title="provenance", version=__version__, lifespan=lifespan, description=(
        "Find republished news text, name its original source and judge the attribution. "
        "Errors are JSON: {\"error\": ..., \"detail\": ...}."))
    app.state.settings = settings
    app.state.index = state or IndexState(settings.index, settings.rules, threads=settings.threads,
                                          writable=settings.writes_enabled, refresh=settings.refresh)
    app.state.checkers = CheckProcesses(app.state.index, settings.workers) if settings.workers > 1 else None
    errors.install(app)
    app.add_middleware(ServiceMiddleware, max_body=settings.max_body, timeout=settings.timeout, log=log)
    _routes(app, settings)
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


# -- routes --------------------------------------------------------------------------------------
def _routes(app: FastAPI, settings: ServiceSettings) -> None:
    index: IndexState = app.state.index
    checkers: CheckProcesses | None = app.state.checkers
    limits = settings.rules.limits
    check_on = checkers.check if checkers is not None else index.read  # where a check runs

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        if not (STATIC / "index.html").is_file():
            raise ApiError(404, "no page is installed at /; the API is described at /docs")
        return FileResponse(STATIC / "index.html", media_type="text/html", headers=PAGE_HEADERS)

    # The HTML report's styles and passage script, for the page (routes before the /static mount win)
    @app.get("/static/report.css", include_in_schema=False)
    async def report_css() -> Response:
        return Response(html_format.CSS, media_type="text/css", headers=ASSET_HEADERS)

    @app.get("/static/report.js", include_in_schema=False)
    async def report_js() -> Response:
        return Response(html_format.PASSAGES_SCRIPT, media_type="text/javascript", headers=ASSET_HEADERS)

    @app.get("/healthz", tags=["service"], summary="Liveness and the index in use")
    async def healthz() -> dict[str, Any]:
        snapshot = index.snapshot
        return {"status": "ok", "version": __version__, "documents": snapshot.documents,
                "generation": snapshot.generation}

    @app.post("/v1/check", tags=["check"], summary="Check one article", response_model=CheckResponse,
              dependencies=[Depends(can_read)], responses=_ERRORS, openapi_extra=_body(
                  "ArticleIn", "One article as JSON, or one file (any format provenance reads) as the part "
                  "'file' of multipart/form-data."))
    async def check(request: Request, fail_on: FailOn | None = None,
                    sources: Annotated[bool, Query(description="Also answer the matched documents' texts.")] = False,
                    view: Annotated[bool, Query(description="Also answer the HTML report's section for the article "
                                                           "(what the page at / shows).")] = False,
                    ) -> JSONResponse:
        """The article's item as in the JSON report, HTTP 200 whatever the verdict; ``exit_code``
        is what ``provenance check`` would exit with at ``fail_on`` (default: the configuration's)."""
        uploads = await _read_articles(request, settings, many=False)
        body = await check_on(answers.check, uploads[0], limits, fail_on or settings.fail_on, view, sources)
        return Response(body, media_type="application/json")

    @app.post("/v1/scan", tags=["check"], summary="Check several articles", dependencies=[Depends(can_read)],
              responses={200: {"description": "A provenance-report/1 report, as 'provenance scan --format json' "
                                              "writes it (JSON Schema: 'provenance schema report')."}, **_ERRORS},
              openapi_extra=_body("ScanRequest", f"Up to {settings.max_articles} articles as JSON, or files (any "
                                  "format provenance reads) as parts of multipart/form-data."))
    async def scan(request: Request, fail_on: FailOn | None = None) -> JSONResponse:
        """A whole report; HTTP 200 whatever the verdicts, the run's exit code in ``summary``."""
        uploads = await _read_articles(request, settings, many=True)
        body = await check_on(answers.scan, uploads, limits, settings.max_articles, fail_on or settings.fail_on)
        return Response(body, media_type="application/json")

    @app.post("/v1/documents", tags=["corpus"], summary="Add or update corpus originals",
              response_model=DocumentsResponse, dependencies=[Depends(can_write)],
              responses={403: {"model": ErrorResponse, "description": "No token is configured: writes are off"},
                         503: {"model": ErrorResponse, "description": "The index cannot be written"}, **_ERRORS},
              openapi_extra=_body("DocumentsRequest", f"Up to {settings.max_documents} documents, as "
                                  "{\"documents\": [...]} or the bare list.", multipart=False))
    async def documents(request: Request) -> JSONResponse:
        """Written in one transaction: a reader sees all of them or none; the answer comes once the
        next check sees them. A document whose id is indexed already replaces it; an unchanged one
        is left alone."""
        payload = await _json_body(request)
        if isinstance(payload, list):
            payload = {"documents": payload}
        listed = payload.get("documents") if isinstance(payload, dict) else None
        if isinstance(listed, list) and len(listed) > settings.max_documents:
            raise ApiError(413, f"{len(listed)} documents; at most {settings.max_documents} per request "
                                "(--max-documents)")
        model = _validated(DocumentsRequest, payload)

        def load() -> list[Article]:
            return [payloads.from_json(_fields(doc), doc.id, limits) for doc in model.documents]

        loaded = await index.run(load)
        unreadable = [{"id": a.id, "error": a.error} for a in loaded if not a.readable]
        if unreadable:
            raise ApiError(422, {"message": "nothing was written: these documents cannot be read",
                                 "documents": unreadable})
        counts = await index.write(loaded)
        snapshot = index.snapshot
        return JSONResponse({**counts, "documents": snapshot.documents, "generation": snapshot.generation})

    @app.get("/v1/sources", tags=["corpus"], summary="Rules and policies in effect", dependencies=[Depends(can_read)],
             responses=_ERRORS)
    async def sources() -> dict[str, Any]:
        """Every known source (rules file and index) with its effective policy and where it
        comes from, as ``provenance rules show --json`` prints them."""
        rows = await index.policies()
        return {"publisher": settings.rules.publisher, "rules": settings.rules_path, "sources": rows}

    @app.get("/v1/index", tags=["corpus"], summary="The index: documents, parameters, last update",
             dependencies=[Depends(can_read)], responses=_ERRORS)
    async def index_info() -> dict[str, Any]:
        """``provenance index stats --json``, and what this service knows: the snapshot
        generation, when it last saw the index change, its last write, whether writes are on."""
        stats = await index.stats()
        snapshot = index.snapshot
        return {**stats, "generation": snapshot.generation, "updated": snapshot.updated,
                "last_write": index.last_write, "writes": {"enabled": index.write_error is None,
                                                           "reason": index.write_error},
                "index_from": settings.origins.get("index"), "rules": settings.rules_path,
                "publisher": settings.rules.publisher}


# -- reading requests ------------------------------------------------------------------------------
def _fields(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(exclude_none=True)


def _validated(model: type[Any], payload: Any) -> Any:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise ApiError(422, errors.validation_problems(exc.errors())) from None


async def _json_body(request: Request) -> Any:
    kind = _content_type(request)
    if kind != "application/json" and not kind.endswith("+json"):
        raise ApiError(415, f"send JSON (Content-Type: application/json), not {kind or 'no content type'}")
    body = await request.body()
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ApiError(422, f"the body is not valid JSON: {exc}") from None


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def _read_articles(request: Request, settings: ServiceSettings, *, many: bool) -> list[Upload]:
    """The request's articles (JSON) or files, checked for shape and count, not read yet: reading
    runs where the check does."""
    cap = settings.max_articles if many else 1
    if _content_type(request) == "multipart/form-data":
        async with request.form() as form:  # its spooled files are closed on the way out
            files = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
            if not files:
                raise ApiError(415, "no file in the form: send the article as a file part (e.g. curl -F file=@a.docx)")
            if len(files) > cap:
                raise ApiError(413 if many else 422, f"{len(files)} files; {'at most ' + str(cap) if many else 'one'}"
                                                     f" per request{' (--max-articles)' if many else ' (/v1/scan takes several)'}")
            uploads = []
            for file in files:
                try:
                    name = payloads.upload_name(file.filename)
                except payloads.UnsupportedUpload as exc:
                    raise ApiError(415, str(exc)) from None
                uploads.append(Upload(name, data=await file.read()))
        return uploads
    payload = await _json_body(request)
    if not many:
        return [Upload("article", fields=_fields(_validated(ArticleIn, payload)))]
    if isinstance(payload, list):
        payload = {"articles": payload}
    listed = payload.get("articles") if isinstance(payload, dict) else None
    if isinstance(listed, list) and len(listed) > cap:
        raise ApiError(413, f"{len(listed)} articles; at most {cap} per request (--max-articles)")
    request_model = _validated(ScanRequest, payload)
    return [Upload(f"article-{k}", fields=_fields(article)) for k, article in enumerate(request_model.articles, 1)]


# -- the API description -----------------------------------------------------------------------------
def _body(model: str, description: str, multipart: bool = True) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}}
    if multipart:
        content["multipart/form-data"] = {"schema": {
            "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}}
    return {"requestBody": {"required": True, "description": description, "content": content}}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's description, with the request models the routes read by hand."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ArticleIn, ScanRequest, DocumentIn, DocumentsRequest):
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(found.pop("$defs", {}))
        components[model.__name__] = found
    app.openapi_schema = schema
    return schema
