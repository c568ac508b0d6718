"""SARIF 2.1.0 formatter (``--format sarif``): findings for code-scanning dashboards.

* One rule per verdict with a stable id (:data:`RULE_IDS`); a rule's default level follows the
  verdict's default severity (error → ``error``, info → ``note``, none → ``none``).
* One result per item whose verdict is not ``original``/``own``: ``permitted``, ``attributed``
  and ``excerpt`` come as notes so that dashboards can show them, ``unreadable`` as an error.
* The result is located at the first copied passage of the match behind the verdict (the whole
  text when there is none). Lines and columns are 1-based and counted in characters (code points,
  ``columnKind: unicodeCodePoints``). They are counted in the file when the loaded text can be
  found in it — a text or Markdown file, front matter included, where the loaded text is the
  file's tail; otherwise the passage itself (or its first line) is looked up in the file (HTML,
  JSON, a JSON Lines record's line). When the file cannot be read they fall back to the loaded
  text, as the JSON report's offsets are; ``properties.locatedBy`` says which applies.
* A Word (``.docx``) or PDF file has no lines of its own: the artifact is still the file, and the
  region counts lines and columns in the text extracted from it (paragraphs separated by a blank
  line, page headers and footers after the body: :mod:`provenance.documents.extracted`), the
  text the JSON report's offsets and ``provenance explain`` show (``locatedBy: extractedText``;
  ``charOffset`` and the snippet are of that text too).
* The original and the rest of its chain are related locations; ``partialFingerprints``
  hashes the article's path and id, the original's id and the verdict, so it survives edits elsewhere in
  the file and changes when the verdict does.
* Nothing depends on the clock or the working folder's absolute path: paths are relative URIs
  under ``%SRCROOT%`` (the folder provenance ran from), and no times are written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from provenance import __version__
from provenance.documents.encoding import decode_bytes
from provenance.documents.loaders import EXTRACTED_SUFFIXES, JSONL_SUFFIXES
from provenance.limits import DEFAULT_LIMITS, gunzip, read_regular_file
from provenance.report.formatters import register
from provenance.report.model import Item, Report
from provenance.verdicts import (
    ATTRIBUTED,
    EXCERPT,
    MISATTRIBUTED,
    ORIGINAL,
    OWN,
    PERMITTED,
    PROHIBITED,
    SEVERITY,
    UNATTRIBUTED,
    UNREADABLE,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "provenanceFinding/v1"

# Stable rule ids, one per verdict: never renumber or reuse an id; a new verdict gets the next number.
RULE_IDS: dict[str, str] = {
    UNATTRIBUTED: "PROV001",
    MISATTRIBUTED: "PROV002",
    PROHIBITED: "PROV003",
    UNREADABLE: "PROV004",
    EXCERPT: "PROV005",
    ATTRIBUTED: "PROV006",
    PERMITTED: "PROV007",
    OWN: "PROV008",
    ORIGINAL: "PROV009",
}
# Verdicts that produce no result (nothing to act on or to show).
NOT_REPORTED = frozenset({ORIGINAL, OWN})
LEVELS = {"error": "error", "warning": "warning", "info": "note", "none": "none"}
SNIPPET_CHARS = 200


@dataclass(frozen=True)
class RuleText:
    name: str
    short: str
    full: str
    fix: str
    tags: tuple[str, ...]


RULE_TEXTS: dict[str, RuleText] = {
    UNATTRIBUTED: RuleText(
        "UnattributedRepublication",
        "Republished text without the attribution its source requires",
        "The article republishes a corpus document (most of the article, or at least the excerpt allowance of the "
        "source) whose reprint policy requires attribution, and no credit naming the original source, or an "
        "intermediate that itself credits it, was found. For an attribution-and-link source, a credit by name "
        "without a link to the source's site is also unattributed.",
        "Add a credit line naming the original source given in the finding, e.g. `来源：<source>` or "
        "`Source: <source>`. If the source's policy is attribution-and-link, also give a link to the original "
        "(its URL, or the source's domain). Crediting an intermediate counts only when that intermediate itself "
        "credits the original.",
        ("attribution", "republication")),
    MISATTRIBUTED: RuleText(
        "Misattribution",
        "The credit names a source other than the original",
        "The article republishes a corpus document but credits a source that is neither the original publisher of "
        "the text nor an intermediate in the chain of copies that itself credits the original.",
        "Replace the credit with the original source named in the finding (or an intermediate that credits it). "
        "If the credited name is another name of the original, add it to that source's `aliases` in "
        "`provenance.toml`.",
        ("attribution", "republication")),
    PROHIBITED: RuleText(
        "ProhibitedRepublication",
        "Republication of a source that forbids it",
        "The original source's policy is no-reprint and the publisher is not among its licensees: the reuse goes "
        "beyond the excerpt allowance, and no credit line makes it acceptable.",
        "Remove the copied text or cut it below the excerpt allowance, or obtain a licence from the source and "
        "list the publisher under the source's `licensees` in `provenance.toml`.",
        ("licensing", "republication")),
    UNREADABLE: RuleText(
        "UnreadableFile",
        "The file could not be read or decoded",
        "The file is empty, binary, in an encoding that could not be recognised, malformed (JSON, JSON Lines, "
        "front matter, a corrupt Word or PDF file), encrypted, or a PDF without a text layer (a scanned image), so it "
        "could not be checked.",
        "Fix the problem the message names: save the article as text (UTF-8, GB18030, Big5 or UTF-16), HTML, "
        "Markdown, JSON with a `text` field, Word (.docx, without a password) or PDF with a text layer (OCR a "
        "scanned page first). Keep files that are not articles out of the scan with `--exclude`.",
        ("input",)),
    EXCERPT: RuleText(
        "Excerpt",
        "Reuse below the excerpt allowance",
        "The article shares at least one passage of `min_passage` characters with a corpus document but reuses "
        "less than the source's excerpt allowance: an excerpt, whatever the source's policy.",
        "No change is needed; naming the source of a quotation is still good practice.",
        ("attribution", "excerpt")),
    ATTRIBUTED: RuleText(
        "AttributedRepublication",
        "Republication credited as its source's policy requires",
        "The article republishes a corpus document and its credit satisfies the original source's policy.",
        "No change is needed.",
        ("attribution", "republication")),
    PERMITTED: RuleText(
        "PermittedRepublication",
        "Republication of a source that is free to republish",
        "The article republishes a corpus document whose source allows republication without attribution.",
        "No change is needed; crediting the source is still good practice.",
        ("republication",)),
    OWN: RuleText(
        "OwnArticle",
        "The original is the publisher's own article",
        "The text found in the corpus was first published by the publisher itself.",
        "No change is needed.",
        ("republication",)),
    ORIGINAL: RuleText(
        "Original",
        "No corpus source explains the article",
        "No document in the corpus shares enough text with the article to explain it.",
        "No change is needed.",
        ("original",)),
}

# The rules in id order; a result's ruleIndex points into this list.
RULE_ORDER: tuple[str, ...] = tuple(sorted(RULE_IDS, key=RULE_IDS.__getitem__))
_RULE_INDEX = {verdict: index for index, verdict in enumerate(RULE_ORDER)}

# Characters left as they are in a relative path reference: unreserved, sub-delims, "@" and "/".
# ":" is encoded so that a first segment such as "a:b.md" cannot be read as a URI scheme.
_PATH_SAFE = "/-._~!$&'()*+,;=@"
_URL_SAFE = _PATH_SAFE + ":?#[]%"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_RECORD = re.compile(r"^(?P<file>.*(?:" + "|".join(re.escape(s) for s in JSONL_SUFFIXES) + r")):(?P<line>[0-9]+)$",
                     re.IGNORECASE)
_HTTP = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}")


def sarif_rules() -> list[dict[str, Any]]:
    """The reportingDescriptors, one per verdict, in :data:`RULE_ORDER`."""
    rules = []
    for verdict in RULE_ORDER:
        text = RULE_TEXTS[verdict]
        rules.append({
            "id": RULE_IDS[verdict],
            "name": text.name,
            "shortDescription": {"text": text.short + "."},
            "fullDescription": {"text": text.full},
            "help": {
                "text": f"{text.fix.replace('`', '')}\n\n(provenance verdict '{verdict}')",
                "markdown": f"**{text.short}** (verdict `{verdict}`)\n\n**How to fix:** {text.fix}",
            },
            "defaultConfiguration": {"level": LEVELS[SEVERITY[verdict]]},
            "properties": {"tags": ["provenance", verdict, *text.tags]},
        })
    return rules


def finding_fingerprint(item: Item) -> str:
    """sha256 of the article's path and id, the original's id and the verdict: stable across runs and
    line shifts, and distinct for two files whose front matter gives the same id."""
    original = (item.source or {}).get("id") or (item.source or {}).get("name") or ""  # a wire has no id
    path = artifact_location(item.path)["uri"]
    key = f"{path}\x00{item.id}\x00{original}\x00{item.verdict}"
    return hashlib.sha256(key.encode("utf-8", "backslashreplace")).hexdigest()


# -- where: artifact and region ----------------------------------------------------------------

def _split_record(path: str) -> tuple[str, int | None]:
    """``data/a.jsonl:3`` → (``data/a.jsonl``, 3): a JSON Lines record is a line of its file."""
    match = _RECORD.match(path)
    if match:
        return match.group("file"), int(match.group("line"))
    return path, None


def artifact_location(path: str) -> dict[str, Any]:
    """The file as a relative URI under %SRCROOT% (POSIX separators, percent-encoded).

    A file outside the working folder (or on another drive) gets an absolute ``file:`` URI instead
    of a ``../`` path that no dashboard could map onto the repository.
    """
    absolute = os.path.abspath(path)
    try:
        relative = PurePath(os.path.relpath(absolute)).as_posix()
    except ValueError:  # another drive (Windows)
        relative = None
    if relative is None or relative == ".." or relative.startswith("../"):
        return {"uri": Path(absolute).as_uri()}
    return {"uri": quote(relative, safe=_PATH_SAFE), "uriBaseId": SRCROOT}


def _source_uri(url: str | None, doc_id: str) -> str:
    if url and _HTTP.match(url.strip()):
        return quote(url.strip(), safe=_URL_SAFE)
    return "corpus:" + quote(doc_id, safe=_PATH_SAFE + ":")


class _Lines:
    """Offsets → SARIF lines and columns (1-based; CR, LF and CRLF end lines)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def region(self, start: int, end: int) -> dict[str, Any]:
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        start_line, start_column = self.position(start)
        if end > start:
            end_line, last_column = self.position(end - 1)
            end_column = last_column + 1  # SARIF: the column after the region's last character
        else:
            end_line, end_column = start_line, start_column
        region: dict[str, Any] = {"startLine": start_line, "startColumn": start_column, "endLine": end_line,
                                  "endColumn": end_column, "charOffset": start, "charLength": end - start}
        if end > start:
            snippet = self.text[start:end]
            if len(snippet) > SNIPPET_CHARS:
                snippet = snippet[:SNIPPET_CHARS] + "…"
            region["snippet"] = {"text": snippet}
        return region


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without white space at its edges (a region should not begin or end on a line break)."""
    trimmed_start, trimmed_end = start, end
    while trimmed_start < trimmed_end and text[trimmed_start].isspace():
        trimmed_start += 1
    while trimmed_end > trimmed_start and text[trimmed_end - 1].isspace():
        trimmed_end -= 1
    return (trimmed_start, trimmed_end) if trimmed_end > trimmed_start else (start, end)


def _read(path: str, cache: dict[str, str | None]) -> str | None:
    """The file decoded as the loaders decode it (within their default caps), or None when it
    cannot be read now."""
    if path not in cache:
        try:
            data = read_regular_file(path, DEFAULT_LIMITS.file_bytes)
            if path.lower().endswith(".gz"):
                data = gunzip(data, DEFAULT_LIMITS.decompressed_bytes)
            cache[path] = decode_bytes(data)[0]
        except Exception:  # a region is a convenience: never fail the report over it
            cache[path] = None
    return cache[path]


def _record_range(content: str, number: int) -> tuple[int, int] | None:
    """Offsets of line ``number`` as the JSON Lines loader counts lines (str.splitlines)."""
    offset = 0
    for index, line in enumerate(content.splitlines(keepends=True), start=1):
        if index == number:
            body = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
            return offset, offset + len(body)
        offset += len(line)
    return None


def _search_from(path: str, content: str) -> int:
    """Where the article's text starts in a file whose text is extracted (skip the head, the metadata)."""
    lowered = path.lower()
    if lowered.endswith((".html", ".htm", ".xhtml")):
        body = content.lower().find("<body")
        return max(body, 0)
    if lowered.endswith(".json"):
        return max(content.find('"text"'), 0)
    return 0


def _first_line(piece: str) -> str:
    first = _LINE_BREAK.split(piece, 1)[0].strip()
    return first if len(first) >= 8 and first != piece else ""


def locate(item: Item, span: tuple[int, int] | None, cache: dict[str, str | None] | None = None,
           ) -> tuple[dict[str, Any], str]:
    """The SARIF region for ``item.text[span]`` (the whole text without a span) and how it was found."""
    cache = {} if cache is None else cache
    text = item.text or ""
    start, end = _trim(text, *span) if span else (0, len(text))
    piece = text[start:end]
    file_path, record = _split_record(item.path)
    if file_path.lower().endswith(EXTRACTED_SUFFIXES):
        return _Lines(text).region(start, end), "extractedText"  # a binary file: its extracted text
    content = _read(file_path, cache)
    if content is not None:
        lines = _Lines(content)
        if record is None and text and content.endswith(text):
            offset = len(content) - len(text)  # the loaded text is the file's tail (after any front matter)
            return lines.region(offset + start, offset + end), "file"
        if record is None:
            low, high = _search_from(file_path, content), len(content)
        else:
            bounds = _record_range(content, record)
            low, high = bounds if bounds else (len(content), len(content))
        for needle, how in ((piece, "passage"), (_first_line(piece), "passageStart")):
            found = content.find(needle, low, high) if needle else -1
            if found >= 0:
                return lines.region(found, found + len(needle)), how
        if record is not None and high > low:
            return lines.region(low, high), "record"
    elif record is not None:
        return {"startLine": record}, "record"
    return _Lines(text).region(start, end), "loadedText"


def _passage(item: Item) -> tuple[dict[str, Any] | None, tuple[int, int] | None]:
    """The match behind the verdict and its first copied passage (article span)."""
    with_passages = [m for m in item.matches if m.get("passages")]
    chain = {step.get("id") for step in item.chain}
    same = [m for m in with_passages if m.get("verdict") == item.verdict]
    match = next(iter([m for m in same if m.get("id") in chain] or same or with_passages), None)
    if match is None:
        return (item.matches[0] if item.matches else None), None
    first = min(match["passages"], key=lambda p: (p["article"][0], p["article"][1]))
    return match, (int(first["article"][0]), int(first["article"][1]))


def item_position(item: Item, cache: dict[str, str | None] | None = None) -> tuple[int, int]:
    """1-based line and column in the file of the passage behind the verdict (as SARIF places it;
    1:1 when there is none): what ``check`` prints."""
    region, _ = locate(item, _passage(item)[1], cache) if item.text else ({}, "")
    return int(region.get("startLine", 1)), int(region.get("startColumn", 1))


# -- results -----------------------------------------------------------------------------------

def _date(published: Any) -> str:
    if not published:
        return "undated"
    found = _DATE.match(str(published))
    return found.group(0) if found else str(published)


def _related(item: Item) -> list[dict[str, Any]]:
    related: list[dict[str, Any]] = []
    source = item.source or {}
    if source.get("id"):
        related.append({
            "physicalLocation": {"artifactLocation": {"uri": _source_uri(source.get("url"), source["id"])}},
            "message": {"text": f"original: {source.get('name') or 'unknown source'} {source['id']} "
                                f"({_date(source.get('published'))})"},
        })
    elif source.get("external") and source.get("via"):  # a wire's story, located by the copy that credits it
        related.append({
            "physicalLocation": {"artifactLocation": {"uri": _source_uri(source.get("url"), source["via"])}},
            "message": {"text": f"original: {source.get('name') or 'unknown source'} (outside the corpus), "
                                f"credited by {source['via']}"},
        })
    for step in item.chain:
        if not step.get("id") or step.get("id") in (source.get("id"), source.get("via")):
            continue
        related.append({
            "physicalLocation": {"artifactLocation": {"uri": _source_uri(None, step["id"])}},
            "message": {"text": f"reprint: {step.get('name') or 'unknown source'} {step['id']} "
                                f"({_date(step.get('published'))})"},
        })
    for number, location in enumerate(related, start=1):
        location["id"] = number
    return related


def sarif_result(item: Item, cache: dict[str, str | None] | None = None) -> dict[str, Any]:
    match, span = _passage(item)
    region, located_by = locate(item, span, cache)
    artifact = artifact_location(_split_record(item.path)[0])
    result: dict[str, Any] = {
        "ruleId": RULE_IDS[item.verdict],
        "ruleIndex": _RULE_INDEX[item.verdict],
        "level": LEVELS[item.severity],
        "message": {"text": item.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": region}}],
        "partialFingerprints": {FINGERPRINT_KEY: finding_fingerprint(item)},
    }
    related = _related(item)
    if related:
        result["relatedLocations"] = related
    properties: dict[str, Any] = {"verdict": item.verdict, "article": item.id, "locatedBy": located_by}
    if item.source:
        properties.update({"original": item.source.get("id"), "originalName": item.source.get("name"),
                           "policy": item.source.get("policy"), "policyFrom": item.source.get("policy_from")})
        if item.source.get("external"):
            properties.update({"originalExternal": True, "originalVia": item.source.get("via")})
    if match is not None:
        properties.update({"match": match.get("id"), "kind": match.get("kind"), "scores": match.get("scores"),
                           "passages": len(match.get("passages") or [])})
    if span is not None:
        properties["articleSpan"] = list(span)
    result["properties"] = properties
    return result


def sarif_log(report: Report) -> dict[str, Any]:
    cache: dict[str, str | None] = {}
    results = [sarif_result(item, cache) for item in report.items if item.verdict not in NOT_REPORTED]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {"name": "provenance", "version": __version__, "semanticVersion": __version__,
                                "rules": sarif_rules()}},
            "invocations": [{"executionSuccessful": True, "exitCode": report.exit_code}],
            "originalUriBaseIds": {SRCROOT: {"description": {
                "text": "The folder provenance was run from (the repository root in CI): article paths are "
                        "relative to it."}}},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {
                "index": {key: report.index[key] for key in ("backend", "documents") if key in report.index},
                "summary": report.by_verdict(),
                "failOn": report.fail_on,
            },
        }],
    }


@register("sarif")
def render_sarif(report: Report) -> str:
    return json.dumps(sarif_log(report), ensure_ascii=False, indent=2) + "\n"
