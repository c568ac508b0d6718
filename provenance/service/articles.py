"""Request payloads into articles, through the loaders the command line reads files with.

- a JSON article with ``text`` is read as a ``.json`` article file holding the same object;
- a JSON article with ``html`` is read as an ``.html`` file, then the fields given beside it
  (``title``, ``url``, ``published``…) win over what the page says;
- an uploaded file is read as a file of its name: its suffix picks the format (``.txt``, ``.md``,
  ``.html``, ``.json``, ``.jsonl``, ``.docx``, ``.pdf``…), its bytes may be in any encoding.

So the same article gives the same item here as in ``provenance scan``. A payload that cannot be
read (no text, a bad date, a Word file without text) is an ``unreadable`` article, as a file is.

A request's articles travel as :class:`Upload` values (plain data: the JSON fields, or a file's
bytes and name) to wherever they are read and checked: a scan thread, or a check process of
``--workers N``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from provenance.documents.loaders import load_bytes
from provenance.documents.model import Article, parse_published
from provenance.documents.walk import ARTICLE_SUFFIXES, suffix_of
from provenance.limits import Limits

FIELDS = ("title", "source", "url", "published", "publisher", "license")


class UnsupportedUpload(ValueError):
    """An uploaded file whose name says no format the loaders read (HTTP 415)."""


class TooManyArticles(ValueError):
    """The uploaded files hold more articles than a request may carry (HTTP 413)."""


@dataclass(frozen=True)
class Upload:
    """One article of a request as sent: its JSON fields (``fields``, read with ``name`` as the
    default id) or a file (``data``, read as a file called ``name``)."""

    name: str
    fields: dict[str, Any] | None = None
    data: bytes | None = None

    def read(self, limits: Limits) -> list[Article]:
        if self.fields is not None:
            return [from_json(self.fields, self.name, limits)]
        return from_upload(self.data or b"", self.name, limits)


def read_uploads(uploads: list[Upload], cap: int, limits: Limits) -> list[list[Article]]:
    """The articles of each upload; raises :class:`TooManyArticles` when files hold more than
    ``cap`` articles in all (a JSON Lines file may hold many)."""
    loaded = [upload.read(limits) for upload in uploads]
    total = sum(len(group) for group in loaded)
    if total > cap > 1:
        raise TooManyArticles(f"the files hold {total} articles; at most {cap} per request (--max-articles)")
    return loaded


def from_json(payload: dict[str, Any], default_id: str, limits: Limits) -> Article:
    """The article of one JSON payload (``text`` or ``html``, and optional fields)."""
    article_id = str(payload.get("id") or default_id)
    if payload.get("html") is not None:
        loaded = load_bytes(str(payload["html"]).encode("utf-8", "surrogatepass"), f"{article_id}.html",
                            article_id=article_id, display_path=article_id, limits=limits)[0]
        if loaded.readable:
            _override(loaded, {k: payload.get(k) for k in FIELDS})
        loaded.id = article_id
        return loaded
    record = {k: v for k, v in payload.items() if k != "html" and v is not None}
    record["id"] = article_id
    # ASCII escapes: a lone surrogate reaches the loader as the escape it checks for
    data = json.dumps(record, ensure_ascii=True).encode("ascii")
    return load_bytes(data, f"{article_id}.json", article_id=article_id, display_path=article_id, limits=limits)[0]


def _override(article: Article, fields: dict[str, Any]) -> None:
    """Fields given beside an HTML page win over the page's own; a bad date makes it unreadable."""
    for key, value in fields.items():
        if value is None or value == "":
            continue
        if key == "published":
            parsed = parse_published(value)
            if parsed is None:
                article.error = f"'published' is not an ISO 8601 date or date-time: {str(value)[:60]!r}"
                article.text = ""
                return
            article.published = parsed
        else:
            setattr(article, key, str(value))


def upload_name(filename: str | None) -> str:
    """The base name of an uploaded file (no folders, whichever slashes the client used)."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    if not name or suffix_of(Path(name)) not in ARTICLE_SUFFIXES:
        shown = repr(name) if name else "a file without a name"
        raise UnsupportedUpload(f"{shown}: not a format provenance reads; name the file with one of "
                                f"{' '.join(ARTICLE_SUFFIXES)}")
    return name


def from_upload(data: bytes, filename: str | None, limits: Limits) -> list[Article]:
    """The articles of an uploaded file (a JSON Lines file may hold several)."""
    name = upload_name(filename)
    return load_bytes(data, name, article_id=name, display_path=name, limits=limits)
