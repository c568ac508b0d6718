"""Fingerprints: datasketch-compatible MinHash, simhash-compatible SimHash, equal across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from corpus_kit import EN_ORIGINAL, ZH_ORIGINAL, seed_text

from provenance.analysis import Analysis, analyse
from provenance.documents.model import Article
from provenance.fingerprint import minhash_values, permutations, simhash_value
from provenance.params import FingerprintParams

PARAMS = FingerprintParams()


def _analyse(text: str, params: FingerprintParams = PARAMS) -> Analysis:
    return analyse(Article(id="t", path="t", text=text), params)


def _hashes32(analysis: Analysis) -> np.ndarray:
    """The 32-bit shingle hashes the MinHash is computed over (the high half of each 64-bit hash)."""
    return (analysis.unique >> np.uint64(32)).astype(np.uint32)


@pytest.mark.parametrize("text", [ZH_ORIGINAL, EN_ORIGINAL], ids=["zh", "en"])
def test_minhash_equals_datasketch(text: str) -> None:
    from datasketch import MinHash

    analysis = _analyse(text)
    hashes = _hashes32(analysis)
    assert hashes.size > 50
    reference = MinHash(num_perm=128, seed=1, hashfunc=lambda x: x)
    reference.update_batch(hashes.tolist())
    assert np.array_equal(minhash_values(hashes, 128, 1), reference.hashvalues)
    assert np.array_equal(analysis.fingerprint.hashvalues, reference.hashvalues)
    assert analysis.fingerprint.hashvalues.dtype == np.uint32
    # the LeanMinHash view is a datasketch object that compares with datasketch MinHashes
    assert analysis.fingerprint.minhash.jaccard(reference) == 1.0


@pytest.mark.parametrize(("num_perm", "seed", "size"), [(128, 1, 1), (64, 7, 1000), (256, 42, 9000)])
def test_minhash_equals_datasketch_other_parameters(num_perm: int, seed: int, size: int) -> None:
    from datasketch import MinHash

    rng = np.random.default_rng(size)
    hashes = rng.integers(0, 1 << 32, size, dtype=np.uint64).astype(np.uint32)
    reference = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda x: x)
    reference.update_batch(hashes.tolist())
    assert np.array_equal(minhash_values(hashes, num_perm, seed), reference.hashvalues)


def test_permutations_are_datasketchs() -> None:
    from datasketch import MinHash

    a, b = permutations(128, 1)
    ref_a, ref_b = MinHash(num_perm=128, seed=1).permutations
    assert np.array_equal(a, ref_a) and np.array_equal(b, ref_b)


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
