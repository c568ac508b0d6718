"""Loaders for every supported format, and folder walking with ``source.toml`` defaults.

Every problem with one file becomes an ``Article`` with ``error`` set (an ``unreadable`` item);
the walk never stops on a bad file.
"""

from __future__ import annotations

import fnmatch
import gzip
import json
import os
import tomllib
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from provenance.documents.encoding import decode_bytes
from provenance.documents.frontmatter import split_front_matter
from provenance.documents.html import parse_html
from provenance.documents.model import Article, parse_published
from provenance.errors import LoadError

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSON_SUFFIXES = (".json",)
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
ARTICLE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES + JSONL_SUFFIXES
# Files that configure the corpus rather than being articles.
CONFIG_NAMES = {"source.toml", "provenance.toml", "pyproject.toml", "labels.jsonl", "expected.jsonl"}
_FIELDS = ("id", "title", "source", "url", "published", "publisher", "license")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in JSONL_SUFFIXES + ARTICLE_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def is_article_file(path: Path) -> bool:
    return path.name not in CONFIG_NAMES and _suffix(path) in ARTICLE_SUFFIXES


def _apply_fields(article: Article, fields: dict[str, Any]) -> None:
    """Copy known metadata fields onto the article (explicit values win over defaults already set)."""
    for key, value in fields.items():
        if value is None or key == "text":
            continue
        if key == "published":
            parsed = parse_published(value)
            if parsed is None:
                article.meta.setdefault("warnings", []).append(f"unparseable published date {value!r}")
            else:
                article.published = parsed
        elif key in _FIELDS:
            setattr(article, key, str(value))
        else:
            article.meta[key] = value


def _from_record(record: Any, base: Article, where: str) -> Article:
    if not isinstance(record, dict):
        raise LoadError(f"{where}: expected a JSON object with a 'text' field")
    text = record.get("text")
    if not isinstance(text, str):
        raise LoadError(f"{where}: missing or non-string 'text' field")
    article = Article(
        id=base.id, path=base.path, format=base.format, encoding=base.encoding,
        source=base.source, url=base.url, published=base.published, publisher=base.publisher,
        license=base.license, meta=dict(base.meta),
    )
    article.text = text
    _apply_fields(article, record)
    if not text.strip():
        raise LoadError(f"{where}: empty 'text'")
    return article


def _load_jsonl(path: Path, data: bytes, base: Article) -> list[Article]:
    if path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise LoadError(f"corrupt gzip data: {exc}") from None
    text, encoding = decode_bytes(data)
    base.encoding = encoding
    articles: list[Article] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        item_base = Article(
            id=f"{base.id}:{number}", path=f"{base.path}:{number}", format="jsonl", encoding=encoding,
            source=base.source, url=base.url, published=base.published, publisher=base.publisher,
            license=base.license, meta=dict(base.meta),
        )
        try:
            record = json.loads(line)
            articles.append(_from_record(record, item_base, f"line {number}"))
        except json.JSONDecodeError as exc:
            item_base.error = f"line {number}: invalid JSON ({exc.msg} at column {exc.colno})"
            articles.append(item_base)
        except LoadError as exc:
            item_base.error = str(exc)
            articles.append(item_base)
    if not articles:
        raise LoadError("no articles in JSON Lines file")
    return articles


def load_file(
    path: Path, *, display_path: str | None = None, article_id: str | None = None,
    defaults: dict[str, Any] | None = None,
) -> list[Article]:
    """Load one file into one or more articles; failures come back as articles with ``error`` set."""
    suffix = _suffix(path)
    fmt = {".md": "md", ".markdown": "md"}.get(suffix, suffix.lstrip(".").split(".")[0])
    if suffix in HTML_SUFFIXES:
        fmt = "html"
    base = Article(id=article_id or path.name, path=display_path or str(path), format=fmt)
    if defaults:
        _apply_fields(base, {k: v for k, v in defaults.items() if k != "id"})
    try:
        data = path.read_bytes()
    except OSError as exc:
        base.error = f"cannot read file: {exc.strerror or exc}"
        return [base]
    try:
        if suffix in JSONL_SUFFIXES:
            return _load_jsonl(path, data, base)
        text, base.encoding = decode_bytes(data)
        if suffix in JSON_SUFFIXES:
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                raise LoadError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
            return [_from_record(record, base, "JSON")]
        if suffix in HTML_SUFFIXES:
            fields = parse_html(text)
            base.text = fields["text"]
            base.links = fields["links"]
            meta = fields["meta"]
            base.meta.update({k: v for k, v in meta.items() if v})
            _apply_fields(base, {
                "title": fields["title"], "url": meta.get("url"), "published": meta.get("published"),
            })
            if meta.get("site_name"):
                base.meta["site_name"] = meta["site_name"]
        else:
            fields, body = split_front_matter(text)
            base.text = body
            _apply_fields(base, fields)
            if base.title is None:
                first = next((line.strip() for line in body.splitlines() if line.strip()), "")
                if 0 < len(first) <= 120:
                    base.meta["first_line_title"] = first
        if not base.text.strip():
            raise LoadError("no article text (file has only whitespace or markup)")
    except LoadError as exc:
        base.error = str(exc)
        base.text = ""
    return [base]


def _read_defaults(folder: Path, cache: dict[Path, dict[str, Any]], stop: Path) -> dict[str, Any]:
    """Merged ``source.toml`` defaults for a folder: nearest folder wins, up to the walk root."""
    if folder in cache:
        return cache[folder]
    inherited: dict[str, Any] = {}
    if folder != stop and stop in folder.parents:
        inherited = dict(_read_defaults(folder.parent, cache, stop))
    candidate = folder / "source.toml"
    if candidate.is_file():
        try:
            inherited.update(tomllib.loads(candidate.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            inherited["__error__"] = f"{candidate}: {exc}"
    cache[folder] = inherited
    return inherited


def _matches(rel: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(os.path.basename(rel), p) for p in patterns)


def iter_files(
    paths: Iterable[str | Path], include: Iterable[str] = (), exclude: Iterable[str] = (),
) -> Iterator[tuple[Path, Path, str]]:
    """Yield ``(file, root, display_path)`` for every article file under the given paths, sorted."""
    include = list(include)
    exclude = list(exclude)
    for given in paths:
        given_str = str(given)
        root = Path(given_str)
        if root.is_file():
            yield root, root.parent, given_str
            continue
        if not root.is_dir():
            yield root, root.parent, given_str  # load_file reports it as unreadable
            continue
        found: list[tuple[str, Path]] = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
            for name in filenames:
                full = Path(dirpath) / name
                if name.startswith(".") or not is_article_file(full):
                    continue
                rel = full.relative_to(root).as_posix()
                if include and not _matches(rel, include):
                    continue
                if exclude and _matches(rel, exclude):
                    continue
                found.append((rel, full))
        for rel, full in sorted(found):
            yield full, root, os.path.join(given_str, rel) if given_str not in (".", "") else rel


def load_paths(
    paths: Iterable[str | Path], include: Iterable[str] = (), exclude: Iterable[str] = (),
) -> Iterator[Article]:
    """Load every article under ``paths``; ids default to the path relative to the given root."""
    cache: dict[Path, dict[str, Any]] = {}
    for full, root, display in iter_files(paths, include, exclude):
        yield from load_one(full, root, display, cache)


def load_one(
    full: Path, root: Path, display: str, cache: dict[Path, dict[str, Any]] | None = None,
) -> list[Article]:
    """Load one file found under ``root`` (``source.toml`` defaults applied)."""
    cache = {} if cache is None else cache
    if not full.exists():
        return [Article(id=full.name, path=display, error="no such file or directory")]
    rel = full.relative_to(root).as_posix() if root in full.parents else full.name
    defaults = _read_defaults(full.parent, cache, root) if full.parent.is_dir() else {}
    if "__error__" in defaults:
        return [Article(id=rel, path=display, error=f"invalid source.toml: {defaults['__error__']}")]
    return load_file(full, display_path=display, article_id=rel, defaults=defaults)
