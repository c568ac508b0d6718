"""The answers of ``POST /v1/check`` and ``POST /v1/scan``, worked out where the index is read.

Each function takes a :class:`~provenance.engine.Scanner`, the snapshot it was made from and plain
data (the request's :class:`~provenance.service.articles.Upload` values and options), reads the
articles, checks them and returns the answer's JSON bytes. The same functions run on a scan thread
of a one-process service and in a check process of ``--workers N``
(:mod:`provenance.service.checkers`), so both answer alike; a request they refuse raises
:class:`Refused`, which crosses a process boundary whole.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from provenance.documents.model import Article
from provenance.engine import Scanner, _scan_pending
from provenance.report import html_format
from provenance.report.model import Item, Report
from provenance.service.articles import TooManyArticles, Upload, read_uploads

if TYPE_CHECKING:
    from provenance.limits import Limits
    from provenance.service.state import Snapshot


class Refused(Exception):
    """The request cannot be answered as asked: HTTP ``status``, ``detail`` saying why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(status, detail)
        self.status = status
        self.detail = detail


def scan_items(scanner: Scanner, articles: list[list[Article]]) -> list[list[Item]]:
    """The items of each upload's articles, analysed in batches as ``provenance scan`` does."""
    return list(_scan_pending(scanner, articles))


def encode(body: Any) -> bytes:
    """JSON bytes as the service answers them (UTF-8, no escapes, compact)."""
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def check(scanner: Scanner, snapshot: Snapshot, upload: Upload, limits: Limits, fail_on: str, view: bool,
          sources: bool) -> bytes:
    """One article's item with its verdict, severity and exit code at ``fail_on``; with ``view``
    the HTML report's section for it, with ``sources`` the matched documents' texts."""
    loaded = read_uploads([upload], 1, limits)
    if len(loaded[0]) != 1:
        raise Refused(422, f"the file holds {len(loaded[0])} articles; /v1/check takes one (/v1/scan takes several)")
    item = scan_items(scanner, loaded)[0][0]
    report = Report(items=[item], index=snapshot.info, fail_on=fail_on)
    return encode({
        "item": item.to_dict(), "verdict": item.verdict, "severity": item.severity,
        "exit_code": report.exit_code, "fail_on": fail_on, "text": item.text or "",
        "source_texts": item.source_texts if sources else None,
        "view": html_format.item_section(1, item) if view else None,
        "index": {"documents": snapshot.documents, "generation": snapshot.generation},
    })


def scan(scanner: Scanner, snapshot: Snapshot, uploads: list[Upload], limits: Limits, cap: int,
         fail_on: str) -> bytes:
    """A whole ``provenance-report/1`` report of the uploads' articles (at most ``cap``)."""
    try:
        loaded = read_uploads(uploads, cap, limits)
    except TooManyArticles as exc:
        raise Refused(413, str(exc)) from None
    items = scan_items(scanner, loaded)
    report = Report(items=[item for group in items for item in group], index=snapshot.info, fail_on=fail_on)
    return encode(report.to_dict())
