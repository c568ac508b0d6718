"""MinHash (datasketch ``LeanMinHash``) and 64-bit SimHash (``simhash.Simhash``), vectorised.

The MinHash is exactly what ``datasketch.MinHash(num_perm, seed).update_batch`` computes (its
default ``affine32`` scheme: MurmurHash3 finaliser, then ``a*h + b mod 2**32``) when its hash
function returns the 32-bit shingle hashes used here, but it is computed as one numpy expression
over all shingles instead of a Python call per shingle.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from simhash import Simhash

from provenance.params import FingerprintParams

SCHEME = "affine32"
_MAX_HASH = np.uint32((1 << 32) - 1)
_CHUNK = 4096


@cache
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The permutation parameters ``(a, b)`` (uint32) datasketch draws for ``(num_perm, seed)``.

    Drawn the way ``datasketch.MinHash(scheme="affine32")`` draws them (a test checks they are
    equal), so that a command line start need not import datasketch, which imports scipy.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (the pre-mix of datasketch's affine schemes)."""
    h = values.astype(np.uint32)
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


# datasketch's optimal (bands, rows) for the thresholds in use, so that no query has to import it;
# other values are computed by datasketch (a test checks this table against it).
_KNOWN_BANDS = {(0.3, 128): (37, 3), (0.4, 128): (32, 4), (0.5, 128): (25, 5)}


@cache
def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's optimal ``(bands, rows)`` for a Jaccard threshold (equal false-positive and
    false-negative weights)."""
    known = _KNOWN_BANDS.get((round(threshold, 6), num_perm))
    if known:
        return known
    from datasketch.lsh import _optimal_param

    return _optimal_param(threshold, num_perm, 0.5, 0.5)


def minhash_values(hashes32: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """MinHash signature (uint32, ``num_perm`` values) of a set of 32-bit hashes."""
    a, b = permutations(num_perm, seed)
    result = np.full(num_perm, _MAX_HASH, dtype=np.uint32)
    hv = fmix32(hashes32)
    for i in range(0, hv.size, _CHUNK):
        chunk = hv[i : i + _CHUNK, None]
        np.minimum(result, (chunk * a + b).min(axis=0), out=result)
    return result


def simhash_value(hashes64: np.ndarray, bits: int = 64) -> int:
    """Charikar SimHash of equally weighted 64-bit features: bit i is set when most features have it."""
    if hashes64.size == 0:
        return 0
    planes = np.unpackbits(hashes64.astype("<u8").view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    counts = planes.sum(axis=0, dtype=np.int64)[:bits]
    on = np.flatnonzero(counts * 2 > hashes64.size)
    return int(sum(1 << int(i) for i in on))


def winnow_positions(hashes: np.ndarray, window: int) -> np.ndarray:
    """Winnowing (Schleimer et al. 2003): positions of the minimum of every window of ``window`` hashes.

    Any passage of at least ``window + n - 1`` tokens shared by two texts yields at least one
    hash that both texts pick.
    """
    if hashes.size == 0:
        return np.zeros(0, dtype=np.int64)
    if hashes.size <= window:
        return np.array([int(hashes.argmin())], dtype=np.int64)
    view = np.lib.stride_tricks.sliding_window_view(hashes, window)
    picks = view.argmin(axis=1) + np.arange(view.shape[0])
    return np.unique(picks).astype(np.int64)


def winnow(hashes: np.ndarray, window: int) -> np.ndarray:
    """The distinct winnowed hashes (the passage keys of a text)."""
    return np.unique(hashes[winnow_positions(hashes, window)])


@dataclass
class Fingerprint:
    """A document's signature: MinHash values, SimHash, and the winnowed passage keys."""

    hashvalues: np.ndarray  # uint32 × num_perm (datasketch's affine32 scheme)
    seed: int
    simhash: Simhash
    passage_keys: np.ndarray  # uint64 winnowed shingle hashes, distinct
    shingle_count: int
    passage_positions: np.ndarray  # shingle positions picked by winnowing, in text order

    @property
    def minhash(self) -> Any:
        """The MinHash as a datasketch ``LeanMinHash`` (datasketch is imported on first use)."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.seed, hashvalues=self.hashvalues, scheme=SCHEME)

    def band_keys(self, params: FingerprintParams) -> list[int]:
        return band_keys(self.hashvalues, params)

    def simhash_keys(self, params: FingerprintParams) -> list[int]:
        return simhash_keys(int(self.simhash.value), params)


def band_keys(hashvalues: np.ndarray, params: FingerprintParams) -> list[int]:
    """One signed 64-bit key per LSH band (band number mixed in), for SQLite INTEGER columns."""
    bands, rows = lsh_bands(params.lsh_threshold, params.num_perm)
    values = hashvalues[: bands * rows].astype(np.uint64).reshape(bands, rows)
    acc = np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for r in range(rows):
        acc = (acc ^ values[:, r]) * np.uint64(0x100000001B3)
    return [int(k) for k in acc.view(np.int64)]


def simhash_keys(value: int, params: FingerprintParams) -> list[int]:
    """Block keys: each of the ``simhash_blocks`` bit blocks, tagged with its block number."""
    width = params.simhash_bits // params.simhash_blocks
    mask = (1 << width) - 1
    return [(i << 32) | ((value >> (i * width)) & mask) for i in range(params.simhash_blocks)]


def fingerprint(hashes: np.ndarray, unique: np.ndarray, params: FingerprintParams, window: int) -> Fingerprint:
    """Fingerprint from shingle hashes in text order (``hashes``) and their unique set."""
    hashes32 = (unique >> np.uint64(32)).astype(np.uint32)
    values = minhash_values(hashes32, params.num_perm, params.seed)
    sim = Simhash(simhash_value(unique, params.simhash_bits), f=params.simhash_bits)
    positions = winnow_positions(hashes, window)
    return Fingerprint(values, params.seed, sim, np.unique(hashes[positions]), int(unique.size), positions)

