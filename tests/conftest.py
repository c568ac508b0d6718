"""Shared test set-up: every JSON report rendered in-process is validated against the shipped schema."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from provenance.report import formatters
from provenance.schema import validate_report


@pytest.fixture(autouse=True)
def _validate_json_reports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    render = formatters.formatter("json")

    def checked(report):  # type: ignore[no-untyped-def]
        text = render(report)
        problems = validate_report(json.loads(text))
        assert not problems, "JSON report does not match provenance-report/1:\n" + "\n".join(problems[:20])
        return text

    monkeypatch.setitem(formatters._FORMATTERS, "json", checked)
    yield
