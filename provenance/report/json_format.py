"""JSON formatter: the ``provenance-report/1`` contract (DESIGN §6)."""

from __future__ import annotations

import json

from provenance.report.formatters import register
from provenance.report.model import Report


@register("json")
def render_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
