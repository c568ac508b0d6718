"""Fingerprints: one-permutation MinHash estimates Jaccard, simhash-compatible SimHash, winnowing,
batches equal single texts, equal across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from corpus_kit import EN_ORIGINAL, ZH_ORIGINAL, seed_text

from provenance.analysis import Analysis, analyse, analyse_many
from provenance.documents.model import Article
from provenance.fingerprint import minhash_many, minhash_values, simhash_value, winnow_many, winnow_positions
from provenance.params import FingerprintParams

PARAMS = FingerprintParams()


def _analyse(text: str, params: FingerprintParams = PARAMS) -> Analysis:
    return analyse(Article(id="t", path="t", text=text), params)


def _random_pair(rng: np.random.Generator, size: int, jaccard: float) -> tuple[np.ndarray, np.ndarray]:
    """Two sets of ``size`` random 64-bit hashes whose Jaccard similarity is ``jaccard`` (nearly)."""
    shared = round(2 * size * jaccard / (1 + jaccard))
    pool = rng.integers(0, 1 << 63, 2 * size, dtype=np.uint64)
    return pool[:size], np.concatenate((pool[:shared], pool[size : 2 * size - shared]))


@pytest.mark.parametrize("size", [20, 300, 3000])
@pytest.mark.parametrize("jaccard", [0.1, 0.4, 0.8])
def test_minhash_estimates_jaccard(size: int, jaccard: float) -> None:
    """One-permutation hashing with densification: agreement per bin is an unbiased Jaccard
    estimate, for long texts (every bin filled) and short ones (most bins borrowed)."""
    rng = np.random.default_rng(int(size * 10 + jaccard * 10))
    estimates = []
    for _ in range(60):
        a, b = _random_pair(rng, size, jaccard)
        exact = np.intersect1d(a, b).size / np.union1d(a, b).size
        sa, sb = minhash_many([a, b], 128, 1)
        estimates.append(float(np.mean(sa == sb)) - exact)
    assert abs(float(np.mean(estimates))) < 0.03  # unbiased
    assert float(np.std(estimates)) < 0.1  # about sqrt(J(1-J)/128) for long texts


def test_minhash_is_a_function_of_the_set() -> None:
    rng = np.random.default_rng(5)
    values = rng.integers(0, 1 << 63, 500, dtype=np.uint64)
    shuffled = np.concatenate((rng.permutation(values), values[:50]))  # order and repeats do not matter
    assert np.array_equal(minhash_values(values, 128, 1), minhash_values(shuffled, 128, 1))
    assert not np.array_equal(minhash_values(values, 128, 1), minhash_values(values, 128, 2))  # the seed does
    few = minhash_values(values[:3], 128, 1)
    assert (few != np.uint32(0xFFFFFFFF)).all() and len(set(few.tolist())) <= 3  # every bin borrows one of three
    assert (minhash_values(np.zeros(0, np.uint64), 128, 1) == np.uint32(0xFFFFFFFF)).all()


def test_batches_equal_single_texts() -> None:
    """A text's fingerprint does not depend on the texts it is computed with."""
    texts = [ZH_ORIGINAL, EN_ORIGINAL, "", "短", seed_text()]
    together = analyse_many([Article(id=str(k), path=str(k), text=t) for k, t in enumerate(texts)], PARAMS,
                            detect=False)
    for text, batched in zip(texts, together, strict=True):
        alone = analyse(Article(id="x", path="x", text=text), PARAMS, detect=False)
        assert np.array_equal(alone.tokens.hashes, batched.tokens.hashes)
        assert np.array_equal(alone.shingles.starts, batched.shingles.starts)
        assert np.array_equal(alone.fingerprint.hashvalues, batched.fingerprint.hashvalues)
        assert alone.fingerprint.simhash.value == batched.fingerprint.simhash.value
        assert np.array_equal(alone.fingerprint.passage_keys, batched.fingerprint.passage_keys)
        assert np.array_equal(alone.fingerprint.passage_positions, batched.fingerprint.passage_positions)


@pytest.mark.parametrize("window", [1, 4, 24])
def test_winnowing_picks_the_leftmost_minimum_of_every_window(window: int) -> None:
    rng = np.random.default_rng(window)
    lists = [rng.integers(0, 1 << 63, n, dtype=np.uint64) for n in (0, 3, window, window + 1, 200)]
    lists.append(np.repeat(lists[-1][:20], 5))  # repeated shingles: ties
    for hashes, positions in zip(lists, winnow_many(lists, [window] * len(lists)), strict=True):
        ranks = hashes >> np.uint64(24)  # the order winnowing uses (ties: leftmost)
        expected = sorted({start + int(np.argmin(ranks[start : start + window]))
                           for start in range(max(1, hashes.size - window + 1))}) if hashes.size else []
        assert positions.tolist() == expected
        assert np.array_equal(positions, winnow_positions(hashes, window))


@pytest.mark.parametrize("text", [ZH_ORIGINAL, EN_ORIGINAL], ids=["zh", "en"])
def test_simhash_equals_the_simhash_package(text: str) -> None:
    from simhash import Simhash

    analysis = _analyse(text)
    features = analysis.unique

    def as_bytes(feature: bytes) -> bytes:  # the feature's own 64-bit hash, big-endian
        return b"\0" * 8 if feature == b"test" else int(feature.decode()).to_bytes(8, "big")

    reference = Simhash([str(int(f)) for f in features], f=64, hashfunc=as_bytes)
    assert simhash_value(features, 64) == reference.value
    assert analysis.fingerprint.simhash.value == reference.value
    assert isinstance(analysis.fingerprint.simhash, Simhash)


_CHILD = """
import json, sys
from provenance.analysis import analyse
from provenance.documents.model import Article
from provenance.params import FingerprintParams
out = {}
for name in sys.argv[1:]:
    text = open(name, encoding="utf-8").read()
    a = analyse(Article(id="t", path="t", text=text), FingerprintParams())
    out[name] = {"minhash": [int(v) for v in a.fingerprint.hashvalues], "simhash": int(a.fingerprint.simhash.value),
                 "passage_keys": [int(k) for k in a.fingerprint.passage_keys], "language": a.language}
print(json.dumps(out))
"""


def test_fingerprints_equal_across_processes(tmp_path: Path) -> None:
    texts = {"zh.txt": ZH_ORIGINAL, "en.txt": EN_ORIGINAL, "seed.txt": seed_text()}
    names = []
    for name, text in texts.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        names.append(str(path))
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # Python's own hash() must play no part
    done = subprocess.run([sys.executable, "-c", _CHILD, *names], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    child = json.loads(done.stdout)
    for name in names:
        analysis = _analyse(Path(name).read_text(encoding="utf-8"))
        assert child[name]["minhash"] == [int(v) for v in analysis.fingerprint.hashvalues], name
        assert child[name]["simhash"] == int(analysis.fingerprint.simhash.value), name
        assert child[name]["passage_keys"] == [int(k) for k in analysis.fingerprint.passage_keys], name
        assert child[name]["language"] == analysis.language


def test_same_text_same_fingerprint_and_disguise_does_not_change_it() -> None:
    plain = _analyse(ZH_ORIGINAL).fingerprint
    again = _analyse(ZH_ORIGINAL).fingerprint
    assert np.array_equal(plain.hashvalues, again.hashvalues) and plain.simhash.value == again.simhash.value
    # full-width, zero-width characters and Traditional script do not change the fingerprint
    import opencc

    disguised = opencc.OpenCC("s2t").convert(ZH_ORIGINAL).replace("，", "\u200b，").replace("4", "４")
    other = _analyse(disguised).fingerprint
    assert np.array_equal(plain.hashvalues, other.hashvalues)
    assert plain.simhash.value == other.simhash.value


def test_seed_republication_is_near_identical() -> None:
    original = _analyse(ZH_ORIGINAL).fingerprint
    seed = _analyse(seed_text()).fingerprint
    assert original.minhash.jaccard(seed.minhash) >= 0.85
    assert original.simhash.distance(seed.simhash) <= 8
    shared = np.intersect1d(original.passage_keys, seed.passage_keys).size
    assert shared >= 0.8 * original.passage_keys.size


def test_unrelated_texts_differ() -> None:
    zh = _analyse(ZH_ORIGINAL).fingerprint
    en = _analyse(EN_ORIGINAL).fingerprint
    assert zh.minhash.jaccard(en.minhash) < 0.05
    assert np.intersect1d(zh.passage_keys, en.passage_keys).size == 0


def test_parameters_change_the_fingerprint() -> None:
    default = _analyse(ZH_ORIGINAL).fingerprint
    other = _analyse(ZH_ORIGINAL, FingerprintParams(shingle_cjk=4)).fingerprint
    assert not np.array_equal(default.hashvalues, other.hashvalues)
