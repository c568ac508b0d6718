"""The JSON Schema of the ``provenance-report/1`` report, shipped inside the package, and a validator."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def report_schema() -> dict[str, Any]:
    text = resources.files("provenance").joinpath("schemas/provenance-report-1.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def validate_report(data: Any) -> list[str]:
    """Problems with a report (``path: message``); empty when it is valid. Needs ``jsonschema``."""
    try:
        from jsonschema import Draft202012Validator
    except ImportError as exc:  # pragma: no cover - jsonschema is in the test extra
        raise RuntimeError("validating reports needs jsonschema: pip install 'provenance[test]'") from exc
    validator = Draft202012Validator(report_schema())
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    ]
