"""Candidate screening: the screen text the index keeps tokenises to the document's own tokens, the
passage bound never falls below what alignment finds, and screening changes no scan result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from corpus_kit import (
    EN_ORIGINAL,
    ZH_COMMENTARY,
    ZH_ORIGINAL,
    ZH_PORT,
    ZH_QUOTE,
    ZH_UNRELATED,
    build_world,
    seed_text,
)

from provenance.align import align
from provenance.analysis import analyse, screen_text
from provenance.documents.model import Article
from provenance.match import Matcher, passage_bound
from provenance.params import FingerprintParams
from provenance.text.tokens import tokenize

PARAMS = FingerprintParams()


def _analyse(text: str) -> object:
    return analyse(Article(id="t", path="t", text=text), PARAMS, detect=False)


@pytest.mark.parametrize("text", [ZH_ORIGINAL, EN_ORIGINAL, seed_text(), "广告\n\n" + ZH_PORT + "\n（责任编辑：王五）"])
def test_screen_text_gives_the_documents_own_tokens(text: str) -> None:
    analysis = _analyse(text)
    tokens = tokenize(screen_text(analysis))
    if tokens.cjk_share >= PARAMS.cjk_share:
        tokens = tokens.only_cjk()
    assert np.array_equal(tokens.hashes, analysis.tokens.hashes)
    assert len(screen_text(analysis)) <= len(analysis.normalized.norm)


PAIRS = [
    (seed_text(), ZH_ORIGINAL),  # a whole republication
    (ZH_COMMENTARY, ZH_ORIGINAL),  # quotes part of it
    (ZH_QUOTE + ZH_UNRELATED, ZH_ORIGINAL),
    (ZH_UNRELATED, ZH_ORIGINAL),  # unrelated
    (EN_ORIGINAL[:300] + " The weather was fine. " + EN_ORIGINAL[600:], EN_ORIGINAL),
    ("Other news entirely. " + EN_ORIGINAL[200:420], EN_ORIGINAL),
]


@pytest.mark.parametrize(("article", "source"), PAIRS)
def test_passage_bound_is_never_below_alignment(article: str, source: str) -> None:
    a, b = _analyse(article), _analyse(source)
    bound = passage_bound(a, b.unique)
    for min_passage in (1, 20, 50):
        passages = align(a, b, min_passage)
        assert all(p.chars <= bound for p in passages)
        if bound < min_passage:
            assert not passages


def test_unrelated_text_has_a_small_bound() -> None:
    a, b = _analyse(ZH_UNRELATED), _analyse(ZH_ORIGINAL)
    assert passage_bound(a, b.unique) < 30
    assert passage_bound(_analyse(seed_text()), b.unique) > 200


def test_screening_changes_no_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus-kit world scanned with and without screening gives the same report."""
    screened = build_world(tmp_path / "screened")
    calls: list[int] = []
    original_screen = Matcher.screen

    def no_screening(self: Matcher, analysis: object, rowids: list[int]) -> list[int]:
        calls.append(len(original_screen(self, analysis, rowids)))  # still exercised, result ignored
        return rowids

    monkeypatch.setattr(Matcher, "screen", no_screening)
    unscreened = build_world(tmp_path / "unscreened")
    assert calls, "screening never ran"

    def summary(world: object) -> list[tuple[str, str, list[str]]]:
        return sorted((Path(i.path).name, i.verdict, [m["id"] for m in i.matches])
                      for i in world.report.items)  # type: ignore[attr-defined]

    assert summary(screened) == summary(unscreened)
