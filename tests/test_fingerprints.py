"""Fingerprints: identical across processes, equal to datasketch's own computation, parameters recorded."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from simhash import Simhash

from provenance.analysis import analyse
from provenance.documents.model import Article
from provenance.fingerprint import lsh_bands, simhash_value, winnow_positions
from provenance.params import FingerprintParams

TEXT = ("清河县召开农村公路建设推进会，县长周建民出席会议并讲话。会议要求今年重点抓好在建项目进度、质量管理和养护机制。"
        "The council approved the library budget on Tuesday after a survey of residents.")
SCRIPT = """
import json, sys
from provenance.analysis import analyse
from provenance.documents.model import Article
from provenance.params import FingerprintParams
a = analyse(Article(id='x', path='x', text=sys.argv[1]), FingerprintParams(), detect=False)
print(json.dumps({'minhash': a.fingerprint.hashvalues.tolist(), 'simhash': int(a.fingerprint.simhash.value),
                  'keys': a.fingerprint.passage_keys.tolist()}))
"""


def test_identical_across_processes() -> None:
    here = analyse(Article(id="x", path="x", text=TEXT), FingerprintParams(), detect=False).fingerprint
    for seed in ("0", "12345"):  # Python's own hash randomisation must not matter
        done = subprocess.run([sys.executable, "-c", SCRIPT, TEXT], capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": seed, "PATH": ""})
        there = json.loads(done.stdout)
        assert there["minhash"] == here.hashvalues.tolist()
        assert there["simhash"] == int(here.simhash.value)
        assert there["keys"] == here.passage_keys.tolist()


def test_lean_minhash_and_simhash_objects() -> None:
    fp = analyse(Article(id="x", path="x", text=TEXT), FingerprintParams(), detect=False).fingerprint
    assert fp.minhash.hashvalues.size == 128 and fp.minhash.seed == 1
    assert isinstance(fp.simhash, Simhash) and fp.simhash.f == 64
    same = analyse(Article(id="y", path="y", text=TEXT + " "), FingerprintParams(), detect=False).fingerprint
    assert fp.minhash.jaccard(same.minhash) == 1.0 and fp.simhash.distance(same.simhash) == 0


def test_simhash_is_majority_of_feature_bits() -> None:
    features = np.array([0b1011, 0b0011, 0b1001], dtype=np.uint64)
    assert simhash_value(features) == 0b1011


def test_winnowing_guarantee() -> None:
    rng = np.random.default_rng(3)
    shared = rng.integers(0, 2**63, size=40, dtype=np.uint64)
    a = np.concatenate([rng.integers(0, 2**63, size=100, dtype=np.uint64), shared])
    b = np.concatenate([shared, rng.integers(0, 2**63, size=70, dtype=np.uint64)])
    window = 30  # any shared run of >= window hashes yields a common pick
    assert set(a[winnow_positions(a, window)].tolist()) & set(b[winnow_positions(b, window)].tolist())


def test_parameters_are_complete_and_compared() -> None:
    params = FingerprintParams()
    recorded = params.to_dict()
    for key in ("num_perm", "seed", "minhash_scheme", "shingle_cjk", "shingle_words", "lsh_threshold",
                "simhash_bits", "winnow_cjk", "winnow_words", "normaliser", "tokenizer"):
        assert key in recorded
    assert FingerprintParams.from_dict(recorded) == params
    assert params.differences(FingerprintParams(num_perm=64)) == ["num_perm: index has 128, query uses 64"]
    bands, rows = lsh_bands(params.lsh_threshold, params.num_perm)
    assert bands * rows <= params.num_perm


def test_bands_equal_datasketch() -> None:
    from datasketch.lsh import _optimal_param

    from provenance.fingerprint import _KNOWN_BANDS

    for (threshold, num_perm), bands in _KNOWN_BANDS.items():
        assert _optimal_param(threshold, num_perm, 0.5, 0.5) == bands


@given(st.lists(st.integers(min_value=0, max_value=12), max_size=300))
def test_shingle_order_is_the_stable_hash_order(values: list[int]) -> None:
    """Alignment's hash order puts equal hashes by position (few distinct values: many ties)."""
    from provenance.text.tokens import Shingles

    hashes = np.array(values, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    empty = np.zeros(len(values), dtype=np.int64)
    shingles = Shingles(hashes, empty, empty, 5)
    assert shingles.order.tolist() == np.argsort(hashes, kind="stable").tolist()


@given(st.lists(st.integers(min_value=0, max_value=9), max_size=60), st.lists(st.integers(0, 12), max_size=60))
def test_occurrences_count_each_value_in_a_sorted_array(held: list[int], asked: list[int]) -> None:
    from provenance.text.tokens import occurrences

    ordered = np.sort(np.array(held, dtype=np.uint64))
    values = np.array(asked, dtype=np.uint64)
    left = np.searchsorted(ordered, values, side="left")
    expected = np.searchsorted(ordered, values, side="right") - left
    assert occurrences(ordered, values, left).tolist() == expected.tolist()


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 6)), max_size=30))
def test_spread_lists_every_index_of_each_range(ranges: list[tuple[int, int]]) -> None:
    from provenance.text.tokens import spread

    starts = np.array([s for s, _ in ranges], dtype=np.int64)
    counts = np.array([c for _, c in ranges], dtype=np.int64)
    assert spread(starts, counts).tolist() == [s + k for s, c in ranges for k in range(c)]


def _reference_token_hash(word: str) -> int:
    """A token's hash as the tokenizer defines it, one character at a time in Python integers."""
    mask = (1 << 64) - 1
    total = sum(ord(ch) * pow(0x100000001B3, k, 1 << 64) for k, ch in enumerate(word)) & mask
    z = total ^ (len(word) << 56)
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


@given(st.lists(st.text(alphabet="ab z中文\u3042\U00020001é1", max_size=40), min_size=1, max_size=6),
       st.randoms(use_true_random=False))
def test_token_hashes_equal_the_per_character_definition(texts: list[str], rng) -> None:  # type: ignore[no-untyped-def]
    """Batched token hashing (sums over the whole text, moved to each token's start) gives every
    token the hash of its own characters, with and without a body mask, whatever its neighbours."""
    from provenance.text.tokens import is_cjk, tokenize_many

    masks = [np.array([rng.random() < 0.8 for _ in text], dtype=bool) if rng.random() < 0.5 else None
             for text in texts]
    for text, mask, tokens in zip(texts, masks, tokenize_many(texts, masks), strict=True):
        body = [ch != " " and (mask is None or bool(mask[k])) for k, ch in enumerate(text)]
        expected: list[tuple[int, int]] = []
        k = 0
        while k < len(text):
            if not body[k]:
                k += 1
                continue
            end = k + 1
            if not is_cjk(np.array([ord(text[k])]))[0]:
                while end < len(text) and body[end] and not is_cjk(np.array([ord(text[end])]))[0]:
                    end += 1
            expected.append((k, end))
            k = end
        assert [(int(s), int(e)) for s, e in zip(tokens.starts, tokens.ends, strict=True)] == expected
        assert tokens.hashes.tolist() == [_reference_token_hash(text[s:e]) for s, e in expected]


def test_token_hashes_past_the_kept_power_tables(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Texts longer than the power tables kept between calls (an index build's batches) hash the
    same, with tables made for the call that are not kept."""
    from provenance.text import tokens

    text = "council budget 清河 " * 5000
    monkeypatch.setattr(tokens, "_KEPT_POWERS", 1 << 16)
    monkeypatch.setattr(tokens, "_power_tables", (np.ones(0, np.uint64), np.ones(0, np.uint64)))
    hashes = tokens.tokenize_many([text])[0].hashes.tolist()
    assert tokens._power_tables[0].size == 0  # 85,000 characters: made for the call only
    expected = [_reference_token_hash(w) for w in ("council", "budget", "清", "河")] * 5000
    assert hashes == expected
    assert tokens.tokenize_many(["council budget"])[0].hashes.tolist() == expected[:2]
    assert tokens._power_tables[0].size == 1 << 16  # a short text's tables are kept


def test_texts_are_tokenised_and_shingled_in_groups_as_alone(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Texts longer together than GROUP_CHARS are tokenised and shingled group by group, each text
    exactly as alone (CJK text keeps its characters only, word text its words)."""
    import random

    from provenance import analysis

    GROUP_CHARS = analysis.GROUP_CHARS
    rng = random.Random(11)
    words = ["港口", "码头", "council", "budget", "清河", "river", "1200", "é"]
    batch = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 300))) for _ in range(40)]
    masks = [np.array([rng.random() < 0.9 for _ in text], dtype=bool) if rng.random() < 0.3 else None
             for text in batch]
    params = FingerprintParams()
    alone = [analysis.tokens_and_shingles([text], [mask], params) for text, mask in zip(batch, masks, strict=True)]
    monkeypatch.setattr(analysis, "GROUP_CHARS", 2000)
    calls: list[int] = []
    many = analysis.tokenize_many
    monkeypatch.setattr(analysis, "tokenize_many", lambda norms, masks: calls.append(len(norms)) or many(norms, masks))
    tokens, shingles = analysis.tokens_and_shingles(batch, masks, params)
    assert len(calls) > 3 and sum(calls) == len(batch)
    from provenance.text.tokens import _KEPT_POWERS

    assert GROUP_CHARS <= _KEPT_POWERS  # a group never makes power tables of its own
    for (one_tokens, one_shingles), token, shingle in zip(alone, tokens, shingles, strict=True):
        assert one_tokens[0].hashes.tolist() == token.hashes.tolist()
        assert one_shingles[0].hashes.tolist() == shingle.hashes.tolist()
        assert one_shingles[0].starts.tolist() == shingle.starts.tolist()
