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

Route functions only read the request and shape the answer: loading and scanning run on the
scan threads of :class:`~provenance.service.state.IndexState`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
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
from provenance.report.model import Report
from provenance.service import articles as payloads
from provenance.service import errors
from provenance.service.auth import can_read, can_write
from provenance.service.errors import ApiError
from provenance.service.heap import steady_heap
from provenance.service.limits import SPREAD, ServiceMiddleware
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
        steady_heap()  # in every worker process: its memory must not creep up with the texts it checks
        index: IndexState = app.state.index
        await anyio.to_thread.run_sync(index.start)
        watcher = asyncio.create_task(index.watch())
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await anyio.to_thread.run_sync(index.close)

    app = FastAPI(title="provenance", version=__version__, lifespan=lifespan, description=(
        "Find republished news text, name its original source and judge the attribution. "
        "Errors are JSON: {\"error\": ..., \"detail\": ...}."))
    app.state.settings = settings
    app.state.index = state or IndexState(settings.index, settings.rules, threads=settings.threads,
                                          writable=settings.writes_enabled, refresh=settings.refresh)
    errors.install(app)
    app.add_middleware(ServiceMiddleware, max_body=settings.max_body, timeout=settings.timeout, log=log,
                       spread=SPREAD if settings.workers > 1 else 0.0)
    _routes(app, settings)
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def factory() -> FastAPI:
    """The app of a worker process (``uvicorn provenance.service.app:factory --factory``): its
    settings come from the environment ``provenance serve`` prepared."""
    return create_app(ServiceSettings.from_environ())


# -- routes --------------------------------------------------------------------------------------
def _routes(app: FastAPI, settings: ServiceSettings) -> None:
    index: IndexState = app.state.index
    limits = settings.rules.limits

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
        loaders = await _read_articles(request, settings, many=False)
        threshold = fail_on or settings.fail_on

        def work(scanner: Any, snapshot: Any) -> tuple[Any, str | None, Any]:
            loaded = _load(loaders, 1)
            if len(loaded[0]) != 1:
                raise ApiError(422, f"the file holds {len(loaded[0])} articles; /v1/check takes one (/v1/scan takes "
                                    "several)")
            item = index.scan_items(scanner, loaded)[0][0]
            return item, html_format.item_section(1, item) if view else None, snapshot

        item, section, snapshot = await index.read(work)
        report = Report(items=[item], index=snapshot.info, fail_on=threshold)
        return JSONResponse({
            "item": item.to_dict(), "verdict": item.verdict, "severity": item.severity,
            "exit_code": report.exit_code, "fail_on": threshold, "text": item.text or "",
            "source_texts": item.source_texts if sources else None, "view": section,
            "index": {"documents": snapshot.documents, "generation": snapshot.generation},
        })

    @app.post("/v1/scan", tags=["check"], summary="Check several articles", dependencies=[Depends(can_read)],
              responses={200: {"description": "A provenance-report/1 report, as 'provenance scan --format json' "
                                              "writes it (JSON Schema: 'provenance schema report')."}, **_ERRORS},
              openapi_extra=_body("ScanRequest", f"Up to {settings.max_articles} articles as JSON, or files (any "
                                  "format provenance reads) as parts of multipart/form-data."))
    async def scan(request: Request, fail_on: FailOn | None = None) -> JSONResponse:
        """A whole report; HTTP 200 whatever the verdicts, the run's exit code in ``summary``."""
        loaders = await _read_articles(request, settings, many=True)

        def work(scanner: Any, snapshot: Any) -> tuple[Any, Any]:
            loaded = _load(loaders, settings.max_articles)
            return index.scan_items(scanner, loaded), snapshot

        items, snapshot = await index.read(work)
        report = Report(items=[item for group in items for item in group], index=snapshot.info,
                        fail_on=fail_on or settings.fail_on)
        return JSONResponse(report.to_dict())

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
Loader = Callable[[], list[Article]]


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


async def _read_articles(request: Request, settings: ServiceSettings, *, many: bool) -> list[Loader]:
    """One loader per article (JSON) or uploaded file: loading runs on a scan thread."""
    limits = settings.rules.limits
    cap = settings.max_articles if many else 1
    if _content_type(request) == "multipart/form-data":
        async with request.form() as form:  # its spooled files are closed on the way out
            uploads = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
            if not uploads:
                raise ApiError(415, "no file in the form: send the article as a file part (e.g. curl -F file=@a.docx)")
            if len(uploads) > cap:
                raise ApiError(413 if many else 422, f"{len(uploads)} files; {'at most ' + str(cap) if many else 'one'}"
                                                     f" per request{' (--max-articles)' if many else ' (/v1/scan takes several)'}")
            loaders = []
            for upload in uploads:
                try:
                    payloads.upload_name(upload.filename)
                except payloads.UnsupportedUpload as exc:
                    raise ApiError(415, str(exc)) from None
                data = await upload.read()
                loaders.append(lambda data=data, name=upload.filename: payloads.from_upload(data, name, limits))
        return loaders
    payload = await _json_body(request)
    if not many:
        article = _validated(ArticleIn, payload)
        return [lambda: [payloads.from_json(_fields(article), "article", limits)]]
    if isinstance(payload, list):
        payload = {"articles": payload}
    listed = payload.get("articles") if isinstance(payload, dict) else None
    if isinstance(listed, list) and len(listed) > cap:
        raise ApiError(413, f"{len(listed)} articles; at most {cap} per request (--max-articles)")
    request_model = _validated(ScanRequest, payload)
    return [lambda article=article, k=k: [payloads.from_json(_fields(article), f"article-{k}", limits)]
            for k, article in enumerate(request_model.articles, 1)]


def _load(loaders: list[Loader], cap: int) -> list[list[Article]]:
    loaded = [loader() for loader in loaders]
    total = sum(len(group) for group in loaded)
    if total > cap > 1:
        raise ApiError(413, f"the files hold {total} articles; at most {cap} per request (--max-articles)")
    return loaded


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
