"""Candidate screening and verification on stored views: the screen text the index keeps tokenises
to the document's own tokens at the same positions, aligning with a view finds what aligning with
a full analysis finds, the passage bound never falls below what alignment finds, and screening
changes no scan result."""

from __future__ import annotations

import random
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
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.align import align
from provenance.analysis import Analysis, analyse, screen_offsets, screen_text
from provenance.documents.model import Article
from provenance.index.base import Candidates, IndexBackend, Screen
from provenance.match import MAX_SINGLE_KEY_CANDIDATES, Matcher, passage_bound, passage_bounds
from provenance.params import FingerprintParams
from provenance.source_view import SourceView, source_views
from provenance.text.tokens import tokenize

PARAMS = FingerprintParams()


def _analyse(text: str) -> Analysis:
    return analyse(Article(id="t", path="t", text=text), PARAMS, detect=False)


def _view(analysis: Analysis) -> SourceView:
    screen = Screen("src", screen_text(analysis), screen_offsets(analysis), int(analysis.fingerprint.simhash.value))
    return source_views({7: screen}, PARAMS)[7]


@pytest.mark.parametrize("text", [ZH_ORIGINAL, EN_ORIGINAL, seed_text(), "广告\n\n" + ZH_PORT + "\n（责任编辑：王五）"])
def test_screen_text_gives_the_documents_own_tokens(text: str) -> None:
    analysis = _analyse(text)
    tokens = tokenize(screen_text(analysis))
    if tokens.cjk_share >= PARAMS.cjk_share:
        tokens = tokens.only_cjk()
    assert np.array_equal(tokens.hashes, analysis.tokens.hashes)
    assert np.array_equal(tokens.starts, analysis.tokens.starts) and np.array_equal(tokens.ends, analysis.tokens.ends)
    assert len(screen_text(analysis)) == len(analysis.normalized.norm)


PAIRS = [
    (seed_text(), ZH_ORIGINAL),  # a whole republication
    (ZH_COMMENTARY, ZH_ORIGINAL),  # quotes part of it
    (ZH_QUOTE + ZH_UNRELATED, ZH_ORIGINAL),
    (ZH_UNRELATED, ZH_ORIGINAL),  # unrelated
    (EN_ORIGINAL[:300] + " The weather was fine. " + EN_ORIGINAL[600:], EN_ORIGINAL),
    ("Other news entirely. " + EN_ORIGINAL[200:420], EN_ORIGINAL),
]


@pytest.mark.parametrize(("article", "source"), PAIRS)
def test_aligning_with_the_stored_view_finds_the_same_passages(article: str, source: str) -> None:
    a, b = _analyse(article), _analyse(source)
    view = _view(b)
    assert np.array_equal(view.unique, b.unique)
    assert view.simhash_distance(int(b.fingerprint.simhash.value)) == 0
    for min_passage in (1, 20, 50):
        assert align(a, view, min_passage) == align(a, b, min_passage)


def test_stored_view_places_passages_in_the_loaded_text() -> None:
    """Boilerplate, full-width forms, pinyin and Traditional script in the source: the span found
    through the stored offsets is the span of the copied words in the source's loaded text."""
    source_text = "广告：点击下载\n" + ZH_ORIGINAL.replace("水厂", "水(shuǐ)廠(chǎng)").replace("，", "，　") + "\n（责任编辑：王五）"
    a, b = _analyse(ZH_ORIGINAL), _analyse(source_text)
    passages = align(a, _view(b), 50)
    assert passages == align(a, b, 50)
    start, end = passages[0].source
    copied = source_text[start:end]
    assert "广告" not in copied and "责任编辑" not in copied
    last = ZH_ORIGINAL.rstrip("。\n")[-4:]
    assert copied == source_text[source_text.index("月8日"):source_text.rindex(last) + 4]
    assert "青山县第二水(shuǐ)廠(chǎng)扩建" in copied


@pytest.mark.parametrize(("article", "source"), PAIRS)
def test_passage_bound_is_never_below_alignment(article: str, source: str) -> None:
    a, b = _analyse(article), _analyse(source)
    bound = passage_bound(a, b.unique)
    for min_passage in (1, 20, 50):
        passages = align(a, b, min_passage)
        assert all(p.chars <= bound for p in passages)
        if bound < min_passage:
            assert not passages


_WORDS = [*[w.strip(".,") for w in EN_ORIGINAL.split()][:60], "alpha", "beta", "gamma", "delta", "omega"]
_HAN = list(dict.fromkeys(ch for ch in ZH_ORIGINAL if "\u4e00" <= ch <= "\u9fff"))


def _stitched(cjk: bool, pieces: list[tuple[int, int, int]], rng: random.Random) -> tuple[str, list[str], str]:
    """An article of source pieces (start, length), each followed by ``foreign`` random tokens;
    with the source's tokens and the joiner of both texts."""
    vocabulary = _HAN if cjk else _WORDS
    joiner = "" if cjk else " "
    source_tokens = [rng.choice(vocabulary) for _ in range(460)]
    article_tokens: list[str] = []
    for start, length, foreign in pieces:
        article_tokens += source_tokens[start : start + length]
        article_tokens += [rng.choice(vocabulary) for _ in range(foreign)]
    return joiner.join(article_tokens), source_tokens, joiner


@settings(max_examples=150, deadline=None)
@given(st.booleans(), st.lists(st.tuples(st.integers(0, 400), st.integers(1, 60), st.integers(0, 14)),
                               min_size=1, max_size=8),
       st.randoms(use_true_random=False))
def test_passage_bound_holds_for_stitched_copies(cjk: bool, pieces: list[tuple[int, int, int]],
                                                 rng: random.Random) -> None:
    """Pieces of a source, each followed by a few foreign tokens (gaps around the alignment's
    limit), in any order: no passage alignment finds is longer than the bound."""
    article, source_tokens, joiner = _stitched(cjk, pieces, rng)
    a, b = _analyse(article), _analyse(joiner.join(source_tokens))
    bound = passage_bound(a, b.unique)
    for passage in align(a, b, 1):
        assert passage.chars <= bound


def _reference_bound(a: Analysis, source_hashes: set[int]) -> int:
    """The passage bound by its definition, token by token: tokens inside a shingle the source
    shares, each counted with what follows it up to the next token, summed over stretches whose
    shared shingles lie at most the alignment gap apart; the largest stretch."""
    from provenance.align import default_gap

    tokens, shingles = a.tokens, a.shingles
    count = len(tokens)
    width = min(shingles.size, count)
    shared = [p for p, h in enumerate(shingles.hashes.tolist()) if h in source_hashes]
    if not shared:
        return 0
    reach = [int(tokens.starts[k + 1] if k + 1 < count else tokens.ends[-1]) - int(tokens.starts[k])
             for k in range(count)]
    stretches = [[shared[0]]]
    for position in shared[1:]:
        if position - stretches[-1][-1] > default_gap(shingles.size):
            stretches.append([])
        stretches[-1].append(position)
    return max(sum(reach[t] for t in {t for p in stretch for t in range(p, min(p + width, count))})
               for stretch in stretches)


@settings(max_examples=80, deadline=None)
@given(st.booleans(), st.lists(st.tuples(st.integers(0, 400), st.integers(1, 60), st.integers(0, 40)),
                               min_size=1, max_size=8),
       st.randoms(use_true_random=False))
def test_passage_bound_is_its_definition(cjk: bool, pieces: list[tuple[int, int, int]], rng: random.Random) -> None:
    """The vectorised bound (shared shingles only, a table of low hash bits first) equals the
    bound counted token by token, for one source and for several at once."""
    article, source_tokens, joiner = _stitched(cjk, pieces, rng)
    a = _analyse(article)
    sources = [_analyse(joiner.join(source_tokens)), _analyse(joiner.join(source_tokens[::-1])),
               _analyse(joiner.join(rng.sample(source_tokens, 200)))]
    expected = [_reference_bound(a, set(s.unique.tolist())) for s in sources]
    assert passage_bounds(a, [s.unique for s in sources]).tolist() == expected
    assert [passage_bound(a, s.unique) for s in sources] == expected


def test_bounds_of_many_sources_are_each_sources_own() -> None:
    """One pass over many candidates: no source's shared shingles leak into another's bound."""
    article = _analyse(ZH_QUOTE + ZH_UNRELATED + ZH_ORIGINAL[:200])
    sources = [_analyse(t).unique for t in (ZH_ORIGINAL, EN_ORIGINAL, ZH_UNRELATED, ZH_PORT, ZH_COMMENTARY)]
    sources.insert(2, np.zeros(0, dtype=np.uint64))
    together = passage_bounds(article, sources).tolist()
    assert together == [passage_bound(article, u) for u in sources]
    assert together[1] == together[2] == 0 and min(together[0], together[3]) > 50
    assert passage_bounds(article, []).size == 0


def test_repeated_shingles_do_not_change_a_bound() -> None:
    """Screening reads a candidate's shingles in text order, repeats included: the bound is the
    one of its distinct shingles, alone and beside other candidates."""
    article = _analyse(ZH_ORIGINAL + ZH_QUOTE)
    sources = [_analyse(t) for t in (ZH_ORIGINAL * 3, ZH_QUOTE + ZH_QUOTE[:90] + ZH_UNRELATED, ZH_PORT * 2)]
    raw = passage_bounds(article, [s.shingles.hashes for s in sources]).tolist()
    assert raw == passage_bounds(article, [s.unique for s in sources]).tolist()
    assert raw == [passage_bound(article, s.shingles.hashes) for s in sources] and min(raw[:2]) > 50


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


class _KeysOnlyIndex:
    """Stands in for an index that shares one passage key with each of six documents."""

    def __init__(self, keys: list[int], frequencies: dict[int, int]) -> None:
        self.keys, self.frequencies = keys, frequencies

    def candidates(self, *_: object) -> Candidates:
        return Candidates(pair_docs=np.arange(1, 7), pair_keys=np.array(self.keys, dtype=np.uint64))

    def document_frequencies(self, keys: np.ndarray, cap: int | None = None) -> dict[int, int]:
        return {k: n for k, n in self.frequencies.items() if k in set(keys.tolist())}

    candidates_and_frequencies = IndexBackend.candidates_and_frequencies


def test_single_key_candidates_with_the_rarest_key_come_first() -> None:
    """Of many documents sharing one key each, those whose key few documents hold are verified:
    a stock phrase held by several documents is weaker evidence than a key held by one."""
    analysis = _analyse(ZH_ORIGINAL)
    positions = np.linspace(0, analysis.fingerprint.passage_keys.size - 1, 6).astype(int)
    keys = [int(analysis.fingerprint.passage_keys[p]) for p in positions]
    common = {k: 5 for k in keys[:4]}  # documents 1-4 share a common key, 5 and 6 a rare one
    matcher = Matcher(_KeysOnlyIndex(keys, common), PARAMS, None, lambda _: 50,  # type: ignore[arg-type]
                      df_threshold=16)
    chosen = matcher.candidate_ids(analysis)
    assert len(chosen) == MAX_SINGLE_KEY_CANDIDATES
    assert {5, 6} <= set(chosen)


@settings(max_examples=60, deadline=None)
@given(st.randoms(use_true_random=False), st.floats(min_value=0.1, max_value=0.9))
def test_boilerplate_passages_are_those_mostly_of_frequent_keys(rng: random.Random, share: float) -> None:
    """A passage is dropped when at least ``share`` of the winnowed keys inside it are frequent
    (counted one passage at a time), and the dropped passages' shingles are returned."""
    from provenance.align import Passage
    from provenance.match import _drop_boilerplate

    analysis = _analyse(ZH_ORIGINAL + EN_ORIGINAL)
    positions = analysis.fingerprint.passage_positions
    hashes = analysis.shingles.hashes
    keys = hashes[positions]
    frequent = np.unique(keys[[rng.random() < 0.4 for _ in range(keys.size)]])
    passages = []
    for _ in range(rng.randint(1, 8)):
        lo = rng.randrange(len(hashes))
        hi = rng.randint(lo, len(hashes))
        passages.append(Passage((lo, hi), (0, 0), (lo, hi), (0, 0), (0, 0), hi - lo, 1.0))
    kept, dropped = _drop_boilerplate(analysis, passages, frequent, share)
    expected_kept, expected_dropped = [], []
    for p in passages:
        lo, hi = p.article_shingles
        inside = [k for pos, k in zip(positions.tolist(), keys.tolist(), strict=True) if lo <= pos < hi]
        if inside and sum(k in set(frequent.tolist()) for k in inside) / len(inside) >= share:
            expected_dropped.extend(hashes[p.article_shingles[0]:p.article_shingles[1]].tolist())
        else:
            expected_kept.append(p)
    assert kept == expected_kept
    assert dropped.tolist() == sorted(set(expected_dropped))


def _reference_kinds(analysis: Analysis, found: Candidates, counts: dict[int, int]) -> tuple[list[int], list[int]]:
    """Candidate selection by its definition, document by document: near duplicates first; then
    documents by clustered keys (most keys within one stretch of the article; eight or more keys
    count in full), keys shared, rarest key, rowid; at most three with scattered keys."""
    from provenance.analysis import window_size
    from provenance.match import MAX_CANDIDATES

    fp = analysis.fingerprint
    where: dict[int, list[int]] = {}
    for position in fp.passage_positions.tolist():
        where.setdefault(int(analysis.shingles.hashes[position]), []).append(position)
    stretch = 2 * window_size(analysis.tokens, PARAMS) + analysis.shingles.size
    evidence = {}
    for rowid, keys in found.shared_keys.items():
        positions = sorted(p for key in keys for p in where[key])
        best = max(sum(1 for q in positions if p - stretch <= q <= p) for p in positions)
        evidence[rowid] = best if len(keys) < 8 else max(best, len(keys))
    hits = found.passage_hits
    rarest = {rowid: min(counts.get(k, 1) for k in keys) for rowid, keys in found.shared_keys.items()}
    ranked = sorted(hits, key=lambda r: (-evidence[r], -hits[r], rarest[r], r))
    chosen: list[int] = []
    for rowid in sorted(found.lsh_hits) + sorted(found.simhash_hits):
        if rowid not in chosen:
            chosen.append(rowid)
    near, singles = len(chosen), 0
    for rowid in ranked:
        if len(chosen) >= MAX_CANDIDATES:
            break
        if evidence[rowid] < 2:
            if singles >= MAX_SINGLE_KEY_CANDIDATES:
                continue
            singles += 1
        if rowid not in chosen:
            chosen.append(rowid)
    return chosen[:near], chosen[near:]


@settings(max_examples=120, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(1, 90), st.integers(0, 70))
def test_candidate_ranking_is_its_definition(rng: random.Random, documents: int, near: int) -> None:
    """The vectorised ranking picks and orders candidates as counting document by document does:
    clustered and scattered keys, ties, frequent keys, near duplicates among them, more than fit."""
    analysis = _analyse(ZH_ORIGINAL + ZH_QUOTE + ZH_PORT)
    keys = analysis.fingerprint.passage_keys.tolist()
    pairs = {(rng.randint(1, documents), key) for _ in range(rng.randint(1, 400))
             for key in [rng.choice(keys[:12] if rng.random() < 0.5 else keys)]}
    found = Candidates(pair_docs=np.array([d for d, _ in pairs], dtype=np.int64),
                       pair_keys=np.array([k for _, k in pairs], dtype=np.uint64),
                       lsh_hits={rng.randint(1, documents + 20) for _ in range(near // 2)},
                       simhash_hits={rng.randint(1, documents + 20): 3 for _ in range(near - near // 2)})
    counts = {k: rng.randint(2, 30) for k in rng.sample(keys, min(len(keys), rng.randint(0, 40)))}
    matcher = Matcher(_KeysOnlyIndex([], {}), PARAMS, None, lambda _: 50, df_threshold=16)  # type: ignore[arg-type]
    assert matcher.candidate_kinds(analysis, found, counts) == _reference_kinds(analysis, found, counts)


class _Screens:
    """An index that only serves screens (rowid k: a text of k × 100 characters), counting reads."""

    def __init__(self) -> None:
        self.read: list[int] = []

    def screens(self, rowids: list[int]) -> dict[int, Screen]:
        self.read += rowids
        return {r: Screen("src", ("港口 " * 50 * r)[: 100 * r], b"", 0) for r in rowids}


def test_the_view_cache_keeps_a_character_budget_beyond_the_views_asked_for() -> None:
    index = _Screens()
    matcher = Matcher(index, PARAMS, None, lambda source: 50, cache_chars=1000)  # type: ignore[arg-type]
    asked = matcher.views([4, 5, 6])  # 1,500 characters: over the budget, all kept while asked for
    assert sorted(asked) == [4, 5, 6] and sorted(matcher.views([4, 5, 6])) == [4, 5, 6]
    assert index.read == [4, 5, 6]  # the second ask read nothing
    matcher.views([1])  # the oldest go until the budget holds
    assert list(matcher._views) == [6, 1]
    assert matcher._cached_chars == 700
    matcher.views([6, 2])
    assert index.read == [4, 5, 6, 1, 2] and list(matcher._views) == [1, 6, 2]
    unbounded = Matcher(_Screens(), PARAMS, None, lambda source: 50)  # type: ignore[arg-type]
    unbounded.views([4, 5, 6])
    unbounded.views([1])
    assert list(unbounded._views) == [4, 5, 6, 1]  # a scan keeps its 128 views whatever their length
