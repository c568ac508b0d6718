"""The JSON Schema of the ``provenance-report/1`` report, shipped inside the package, and a validator.

``report_schema()`` loads ``schemas/provenance-report-1.schema.json`` (draft 2020-12) through
importlib.resources, so it works from a wheel, a zip or an editable install. ``validate_report()``
checks a report against it with ``jsonschema`` (in the ``test`` extra) and, once the shape is right,
the consistency a schema cannot express: the summary counts agree with the items, each item's
severity is its verdict's, spans do not run backwards.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from importlib import resources
from typing import Any

from provenance.verdicts import SEVERITY

SCHEMA_RESOURCE = "schemas/provenance-report-1.schema.json"


@cache
def _schema_text() -> str:
    return resources.files("provenance").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


def report_schema() -> dict[str, Any]:
    """The report schema as a fresh dict (callers may change their copy)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


def _pointer(path: Any) -> str:
    """A JSON path such as ``$.items[0].matches[1].passages[0].article``."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _consistency(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    items = data["items"]
    summary = data["summary"]
    if summary["scanned"] != len(items):
        problems.append(f"$.summary.scanned: {summary['scanned']} but the report has {len(items)} items")
    counted = dict(sorted(Counter(item["verdict"] for item in items).items()))
    if summary["by_verdict"] != counted:
        problems.append(f"$.summary.by_verdict: {summary['by_verdict']} does not count the items ({counted})")
    for i, item in enumerate(items):
        where = f"$.items[{i}]"
        if item["severity"] != SEVERITY[item["verdict"]]:
            problems.append(f"{where}.severity: {item['severity']!r} is not the severity of "
                            f"{item['verdict']!r} ({SEVERITY[item['verdict']]!r})")
        source = item.get("source")
        if source is not None and ((source["id"] is None) != bool(source.get("external"))
                                   or bool(source.get("external")) != ("via" in source)):
            problems.append(f"{where}.source: an external original has a null id, external true and a via; "
                            "a corpus original has an id and neither")
        spans = [(f"{where}.attribution.claims[{k}].span", c["span"]) for k, c in enumerate(item["attribution"]["claims"])]
        spans += [(f"{where}.attribution.people[{k}].span", p["span"])
                  for k, p in enumerate(item["attribution"].get("people", []))]
        for m, match in enumerate(item["matches"]):
            for p, passage in enumerate(match["passages"]):
                base = f"{where}.matches[{m}].passages[{p}]"
                spans += [(f"{base}.article", passage["article"]), (f"{base}.source", passage["source"])]
        problems += [f"{path}: start {span[0]} is after end {span[1]}" for path, span in spans if span[0] > span[1]]
    return problems


def validate_report(data: Any) -> list[str]:
    """Problems with a report, each ``<JSON path>: <message>``; empty when it is valid.

    Needs ``jsonschema`` (``pip install 'provenance[test]'``); without it a RuntimeError says so
    rather than passing an unchecked report as valid.
    """
    try:
        from jsonschema import Draft202012Validator
    except ImportError as exc:  # pragma: no cover - jsonschema is in the test extra
        raise RuntimeError("validating reports needs jsonschema: pip install 'provenance[test]'") from exc
    validator = Draft202012Validator(report_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    problems = [f"{_pointer(error.absolute_path)}: {_message(error)}" for error in errors]
    return problems or _consistency(data)


def _message(error: Any) -> str:
    """jsonschema's message with a long instance shortened and 'not {}' said plainly."""
    if error.validator == "not" and error.validator_value == {}:
        return "must be absent here"
    text: str = error.message
    shown = repr(error.instance)
    if len(shown) > 80 and text.startswith(shown):
        text = shown[:60] + "…" + shown[-10:] + text[len(shown):]
    return text
