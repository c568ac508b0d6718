"""Loaders for every supported format, and folder walking with ``source.toml`` defaults.

Every problem with one file becomes an ``Article`` with ``error`` set (an ``unreadable`` item);
loading never raises and never stops on a bad file. Files are read read-only, without blocking,
within the caps of :mod:`provenance.limits`; which files are read at all is :mod:`.walk`'s job.

Text files (``.txt``, Markdown with front matter), HTML, JSON and JSON Lines are decoded here;
the text of Word (``.docx``, :mod:`.office`) and PDF (``.pdf``, :mod:`.pdf`) files is extracted,
and that extracted text is the article's loaded text (:mod:`.extracted`).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from provenance.documents.encoding import decode_bytes
from provenance.documents.extracted import Extracted
from provenance.documents.frontmatter import split_front_matter
from provenance.documents.html import parse_html
from provenance.documents.model import Article, parse_published
from provenance.documents.office import parse_docx
from provenance.documents.pdf import parse_pdf
from provenance.documents.walk import (
    ARTICLE_SUFFIXES,
    CONFIG_NAMES,
    DOCX_SUFFIXES,
    EXTRACTED_SUFFIXES,
    HTML_SUFFIXES,
    JSON_SUFFIXES,
    JSONL_SUFFIXES,
    PDF_SUFFIXES,
    TEXT_SUFFIXES,
    FileWalk,
    FoundFile,
    Skipped,
    is_article_file,
    suffix_of,
)
from provenance.errors import LoadError
from provenance.limits import (
    DEFAULT_LIMITS,
    SOURCE_TOML_BYTES,
    STRUCTURE_DEPTH,
    Limits,
    TooLarge,
    depth_of,
    describe,
    gunzip,
    read_regular_file,
)

__all__ = [
    "ARTICLE_SUFFIXES", "CONFIG_NAMES", "DOCX_SUFFIXES", "EXTRACTED_SUFFIXES", "HTML_SUFFIXES", "JSONL_SUFFIXES",
    "JSON_SUFFIXES", "PDF_SUFFIXES", "TEXT_SUFFIXES", "FileWalk", "FoundFile", "Skipped", "is_article_file", "iter_files", "load_bytes", "load_file", "load_found", "load_one",
    "load_paths",
]

_FIELDS = ("id", "title", "source", "url", "published", "publisher", "license")


def _apply_fields(article: Article, fields: dict[str, Any], strict_dates: bool = True) -> None:
    """Copy known metadata fields onto the article (explicit values win over defaults already set).

    A ``published`` value that is not an ISO 8601 date raises :class:`LoadError` (``strict_dates``:
    the file states it); a page's guessed metadata (``strict_dates=False``) is dropped instead.
    """
    for key, value in fields.items():
        if value is None or key == "text":
            continue
        if key == "published":
            parsed = parse_published(value)
            if parsed is not None:
                article.published = parsed
            elif strict_dates and value != "":
                raise LoadError(f"'published' is not an ISO 8601 date or date-time: {_quote(value)}")
        elif key in _FIELDS:
            setattr(article, key, str(value))
        else:
            article.meta[key] = value


def _quote(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return repr(text[:60] + ("…" if len(text) > 60 else ""))


def _from_record(record: Any, base: Article, where: str, limits: Limits = DEFAULT_LIMITS,
                 surrogates: bool = True) -> Article:
    """The article of a JSON object (``surrogates``: whether its JSON text could have held a
    surrogate escape, which decoded text never holds otherwise)."""
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
    try:
        _apply_fields(article, record)
    except LoadError as exc:
        raise LoadError(f"{where}: {exc}") from None
    if not text.strip():
        raise LoadError(f"{where}: empty 'text'")
    _check_length(article, limits, where)
    if surrogates:
        _check_unicode(article, where)
    return article


def _parse_json(text: str, where: str) -> Any:
    """A JSON value; invalid, too deep or too large values raise :class:`LoadError`."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{where}invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise LoadError(f"{where}JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise LoadError(f"{where}invalid JSON: {exc}") from None
    if text.count("[") + text.count("{") > STRUCTURE_DEPTH and depth_of(value) > STRUCTURE_DEPTH:
        raise LoadError(f"{where}JSON nested more than {STRUCTURE_DEPTH} levels deep")
    return value


# A JSON escape of a UTF-16 surrogate: the only way a lone surrogate gets into decoded text.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _load_jsonl(path: Path, data: bytes, base: Article, limits: Limits) -> list[Article]:
    if path.name.lower().endswith(".gz"):
        data = gunzip(data, limits.decompressed_bytes, "decompressed_bytes")
    text, encoding = decode_bytes(data)
    base.encoding = encoding
    articles: list[Article] = []
    for number, line in _nonempty_lines(text):
        if not line.strip():
            continue
        item_base = Article(
            id=f"{base.id}:{number}", path=f"{base.path}:{number}", format="jsonl", encoding=encoding,
            source=base.source, url=base.url, published=base.published, publisher=base.publisher,
            license=base.license, meta=dict(base.meta),
        )
        try:
            articles.append(_from_record(_parse_json(line, f"line {number}: "), item_base, f"line {number}", limits,
                                         _SURROGATE_ESCAPE.search(line) is not None))
        except LoadError as exc:
            item_base.error = str(exc)
            articles.append(item_base)
    if not articles:
        raise LoadError("no articles in JSON Lines file")
    return articles


# Where str.splitlines breaks lines (the SARIF report counts a record's line the same way).
_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE = re.compile(f"[^{_BREAKS}]+")


def _nonempty_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of the lines of ``text`` that are not empty, numbered as
    ``str.splitlines`` numbers them, without a list of every line: a file of millions of blank
    lines is crossed at the regex engine's speed."""
    number, last = 1, 0
    for match in _LINE.finditer(text):
        between = text[last : match.start()]  # line breaks only
        number += len(between) - between.count("\r\n")
        yield number, match.group()
        last = match.end()


def load_file(
    path: Path, *, display_path: str | None = None, article_id: str | None = None,
    defaults: dict[str, Any] | None = None, limits: Limits = DEFAULT_LIMITS,
) -> list[Article]:
    """Load one file into one or more articles; failures come back as articles with ``error`` set."""
    suffix = suffix_of(path)
    fmt = {".md": "md", ".markdown": "md"}.get(suffix, suffix.lstrip(".").split(".")[0])
    if suffix in HTML_SUFFIXES:
        fmt = "html"
    base = Article(id=article_id or path.name, path=display_path or str(path), format=fmt)
    try:
        if defaults:
            _apply_fields(base, {k: v for k, v in defaults.items() if k != "id"})
        data = read_regular_file(path, limits.file_bytes, "file_bytes")
    except OSError as exc:
        base.error = f"cannot read file: {exc.strerror or exc}"
        return [base]
    except TooLarge as exc:
        base.error = f"file too large: {exc}"
        return [base]
    except LoadError as exc:
        base.error = f"source.toml defaults: {exc}"
        return [base]
    return _parse_safely(path, suffix, data, base, limits)


def load_bytes(
    data: bytes, name: str, *, display_path: str | None = None, article_id: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[Article]:
    """Load the bytes of one file called ``name`` (an upload: its suffix picks the format, as
    :func:`load_file`'s does) into one or more articles; failures come back as articles with
    ``error`` set. ``limits.file_bytes`` caps ``data`` as it caps a file on disk."""
    path = Path(name)
    suffix = suffix_of(path)
    fmt = {".md": "md", ".markdown": "md"}.get(suffix, suffix.lstrip(".").split(".")[0])
    if suffix in HTML_SUFFIXES:
        fmt = "html"
    base = Article(id=article_id or path.name, path=display_path or name, format=fmt)
    if suffix not in ARTICLE_SUFFIXES:
        base.error = f"not a format provenance reads ({' '.join(ARTICLE_SUFFIXES)})"
        return [base]
    if len(data) > limits.file_bytes:
        base.error = f"file too large: {describe(len(data))}, larger than the limit of {describe(limits.file_bytes)}"
        return [base]
    return _parse_safely(path, suffix, data, base, limits)


def _parse_safely(path: Path, suffix: str, data: bytes, base: Article, limits: Limits) -> list[Article]:
    """:func:`_parse`, with every failure an article with ``error`` set."""
    try:
        return _parse(path, suffix, data, base, limits)
    except LoadError as exc:
        base.error = str(exc)
    except TooLarge as exc:
        base.error = f"too large once decompressed: {exc}"
    except RecursionError:
        base.error = "nested too deeply to parse"
    except MemoryError:
        base.error = "too large to parse in the memory available"
    except Exception as exc:  # a parser's own bug must not end the run: the file is reported instead
        base.error = f"could not be parsed ({type(exc).__name__}: {exc}); please report this with the file"
    base.text = ""
    return [base]


def _parse(path: Path, suffix: str, data: bytes, base: Article, limits: Limits) -> list[Article]:
    if suffix in JSONL_SUFFIXES:
        return _load_jsonl(path, data, base, limits)
    if suffix in EXTRACTED_SUFFIXES:
        if not data:
            raise LoadError("empty file (0 bytes)")
        _apply_extracted(base, parse_docx(data, limits) if suffix in DOCX_SUFFIXES else parse_pdf(data, limits))
        if not base.text.strip():
            raise LoadError("no text in the Word document" if suffix in DOCX_SUFFIXES else "no text in the PDF")
        _check_length(base, limits, "")
        _check_unicode(base, "")
        return [base]
    text, base.encoding = decode_bytes(data)
    if suffix in JSON_SUFFIXES:
        return [_from_record(_parse_json(text, ""), base, "JSON", limits)]
    if suffix in HTML_SUFFIXES:
        fields = parse_html(text)
        base.text = fields["text"]
        base.links = fields["links"]
        meta = fields["meta"]
        base.meta.update({k: v for k, v in meta.items() if v})
        _apply_fields(base, {"title": fields["title"], "url": meta.get("url")})
        _apply_fields(base, {"published": meta.get("published")}, strict_dates=False)
        if meta.get("site_name"):
            base.meta["site_name"] = meta["site_name"]
    else:
        fields, body = split_front_matter(text, limits.front_matter_bytes)
        base.text = body
        try:
            _apply_fields(base, fields)
        except LoadError as exc:
            raise LoadError(f"front matter: {exc}") from None
        if base.title is None:
            first = next((line.strip() for line in body.splitlines() if line.strip()), "")
            if 0 < len(first) <= 120:
                base.meta["first_line_title"] = first
    if not base.text.strip():
        raise LoadError("no article text (file has only whitespace or markup)")
    _check_length(base, limits, "")
    _check_unicode(base, "")
    return [base]


def _apply_extracted(article: Article, extracted: Extracted) -> None:
    """Text, links and metadata of a Word or PDF file (:mod:`.extracted`); the file's own title
    and date win over ``source.toml`` defaults, as an HTML page's do."""
    article.text = extracted.text()
    article.links = extracted.links
    fields = extracted.fields()
    article.meta.update(fields["meta"])
    if fields["title"]:
        article.title = fields["title"]
    if fields["published"] is not None:
        article.published = fields["published"]
    if article.title is None:
        first = next((line.strip() for line in article.text.splitlines() if line.strip()), "")
        if 0 < len(first) <= 120:
            article.meta["first_line_title"] = first


def _surrogate_at(text: str) -> int | None:
    """Index of the first lone surrogate (not Unicode text: no UTF-8 encoding exists)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def _check_length(article: Article, limits: Limits, where: str) -> None:
    if len(article.text) > limits.text_chars:
        prefix = f"{where}: " if where else ""
        raise LoadError(f"{prefix}text of {len(article.text)} characters, longer than the limit of {limits.text_chars};"
                        " raise [limits] text_chars in the rules file to read it")


def _check_unicode(article: Article, where: str) -> None:
    """Refuse text no report could be written in: a lone surrogate (``"\\ud800"`` in JSON)."""
    prefix = f"{where}: " if where else ""
    values: list[tuple[str, Any]] = [(name, getattr(article, name)) for name in ("text", *_FIELDS)]
    values += [(f"meta {key!r}", value) for key, value in article.meta.items()]
    for name, value in values:
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                at = _surrogate_at(item)
                if at is not None:
                    raise LoadError(f"{prefix}{name} holds a lone surrogate (U+{ord(item[at]):04X}) at character "
                                    f"{at}: not valid Unicode text")
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list | tuple):
                stack.extend(item)


def _read_defaults(folder: Path, cache: dict[Path, dict[str, Any]], stop: Path) -> dict[str, Any]:
    """Merged ``source.toml`` defaults for a folder: nearest folder wins, up to the walk root."""
    if folder in cache:
        return cache[folder]
    inherited: dict[str, Any] = {}
    if folder != stop and stop in folder.parents:
        inherited = dict(_read_defaults(folder.parent, cache, stop))
    candidate = folder / "source.toml"
    if os.path.lexists(candidate):
        try:
            inherited.update(tomllib.loads(read_regular_file(candidate, SOURCE_TOML_BYTES).decode("utf-8")))
        except (OSError, TooLarge, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
            inherited["__error__"] = f"{candidate}: {exc}"
    cache[folder] = inherited
    return inherited


def iter_files(
    paths: Iterable[str | Path], include: Iterable[str] = (), exclude: Iterable[str] = (),
    follow_symlinks: bool = False,
) -> Iterator[FoundFile]:
    """Every article file under the given paths (see :class:`FileWalk`; skipped files are dropped)."""
    yield from FileWalk(paths, include, exclude, follow_symlinks)


def load_paths(
    paths: Iterable[str | Path], include: Iterable[str] = (), exclude: Iterable[str] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Article]:
    """Load every article under ``paths``; ids default to the path relative to the given root."""
    cache: dict[Path, dict[str, Any]] = {}
    for found in iter_files(paths, include, exclude):
        yield from load_found(found, cache, limits)


def load_found(found: FoundFile, cache: dict[Path, dict[str, Any]] | None = None,
               limits: Limits = DEFAULT_LIMITS) -> list[Article]:
    """Load a file the walk found (``source.toml`` defaults of its folders applied)."""
    cache = {} if cache is None else cache
    if found.problem is not None or found.real is None:
        return [Article(id=found.rel, path=found.display, error=found.problem or "cannot read file")]
    defaults = _read_defaults(found.path.parent, cache, found.root)
    if "__error__" in defaults:
        return [Article(id=found.rel, path=found.display, error=f"invalid source.toml: {defaults['__error__']}")]
    return load_file(found.real, display_path=found.display, article_id=found.rel, defaults=defaults, limits=limits)


def load_one(full: Path, root: Path, display: str, cache: dict[Path, dict[str, Any]] | None = None,
             limits: Limits = DEFAULT_LIMITS) -> list[Article]:
    """Load the file ``full``, named under the folder ``root`` (links outside it are not read)."""
    walk = FileWalk([full])
    found = list(walk)
    if walk.skipped:
        return [Article(id=full.name, path=display, error=walk.skipped[0].reason)]
    if not found:
        return [Article(id=full.name, path=display, error="no such file or directory")]
    rel = full.relative_to(root).as_posix() if root in full.parents else full.name
    entry = found[0]
    return load_found(FoundFile(entry.path, root, display, rel, entry.problem, entry.real), cache, limits)
