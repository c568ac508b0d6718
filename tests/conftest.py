"""Shared test set-up: every JSON report rendered in-process is validated against the shipped schema;
the test corpus ("world", built once from corpus_kit) and small fixtures of texts and rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus_kit import EN_ORIGINAL, RULES, ZH_ORIGINAL, World, build_world, write

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


# -- shared fixtures of the suite written from corpus_kit ------------------------------------
# (texts composed for these tests; the world is built once per session and only read)

@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """Corpus + rules + incoming folder, the index built from the corpus, and one scan of incoming/."""
    return build_world(tmp_path_factory.mktemp("world"))


@pytest.fixture
def zh_original() -> str:
    return ZH_ORIGINAL


@pytest.fixture
def en_original() -> str:
    return EN_ORIGINAL


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    return write(tmp_path / "provenance.toml", RULES)
