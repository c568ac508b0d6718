"""Fingerprints of many texts at once: MinHash, 64-bit SimHash and winnowed passage keys, in numpy.

Every function takes a batch of texts (their shingle hashes) and works on the concatenation, so
the cost is a fixed number of numpy passes per batch, not per article:

* **MinHash** is one-permutation hashing with optimal densification (Li, Owen & Zhang 2012;
  Shrivastava 2017): each shingle hash falls in one of ``num_perm`` bins, a bin keeps its smallest
  value, and an empty bin borrows the value of the bin that a fixed probe sequence reaches first.
  Two texts agree in a bin with probability equal to their Jaccard similarity, as with
  ``num_perm`` independent permutations, but every shingle is hashed once instead of
  ``num_perm`` times. Both index backends band the values themselves (:func:`band_keys`, with
  datasketch's optimal bands and rows); a datasketch ``LeanMinHash`` holds them for callers that
  want datasketch's own objects.
* **SimHash** (Charikar): bit ``i`` is set when most features have it; features are the distinct
  shingles, equally weighted. Bit counts come from one ``bincount`` over the bytes of all hashes.
* **Winnowing** (Schleimer et al. 2003): the smallest hash of every window of ``window``
  shingles, by a sliding minimum in O(n) (van Herk / Gil-Werman) over keys that carry the
  position, so ties go to the leftmost shingle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from simhash import Simhash

from provenance.params import FingerprintParams
from provenance.text.tokens import distinct, splitmix64

SCHEME = "oph"  # params.minhash_scheme: one-permutation hashing, optimal densification
# datasketch's LeanMinHash only holds the values; its scheme names their layout (32-bit values).
LEAN_SCHEME = "affine32"
_EMPTY = np.uint64(1 << 32)
_LOW32 = np.uint64(0xFFFFFFFF)
_MAX64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_PROBES = 32  # densification probes before falling back to the next filled bin
_POS_BITS = 24  # winnowing keys: top 40 bits of the hash, then the position in the text
_POS_MASK = np.uint64((1 << _POS_BITS) - 1)
_BATCH_SHINGLES = 1 << 18  # shingles per numpy pass: bounds the temporary arrays (~16 MB)
_BIT_TABLE_F = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(np.float64)  # byte value → its 8 bits


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


# -- MinHash ------------------------------------------------------------------------------------
@cache
def _probe_table(num_perm: int, seed: int) -> np.ndarray:
    """``table[t, i]``: the bin an empty bin ``i`` looks at on probe ``t`` (the same for every text)."""
    t = np.arange(_PROBES, dtype=np.uint64)[:, None]
    i = np.arange(num_perm, dtype=np.uint64)[None, :]
    mixed = splitmix64((i * np.uint64(0x100000001B3)) ^ (t * _GOLDEN) ^ np.uint64(seed))
    return ((mixed >> np.uint64(32)) * np.uint64(num_perm) >> np.uint64(32)).astype(np.int64)


def minhash_many(uniques: Sequence[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures (``len(uniques) × num_perm``, uint32) of sets of 64-bit shingle hashes.

    A text without shingles gets all values ``2**32 - 1`` (it matches nothing).
    """
    n = len(uniques)
    sig = np.full((n, num_perm), _EMPTY, dtype=np.uint64)
    counts = np.fromiter((u.size for u in uniques), dtype=np.int64, count=n)
    if counts.sum():
        mixed = splitmix64(np.concatenate(uniques).astype(np.uint64) ^ np.uint64((seed * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF))
        bins = ((mixed >> np.uint64(32)) * np.uint64(num_perm)) >> np.uint64(32)
        slots = np.repeat(np.arange(n, dtype=np.int64) * num_perm, counts) + bins.astype(np.int64)
        np.minimum.at(sig.reshape(-1), slots, mixed & _LOW32)
        _densify(sig, num_perm, seed)
    sig[sig == _EMPTY] = _LOW32
    return sig.astype(np.uint32)


def _densify(sig: np.ndarray, num_perm: int, seed: int) -> None:
    """Fill the empty bins of every non-empty signature in place (optimal densification)."""
    filled = sig != _EMPTY
    rows, cols = np.nonzero(~filled & filled.any(axis=1)[:, None])
    if rows.size == 0:
        return
    original = sig.copy()
    table = _probe_table(num_perm, seed)
    for attempt in range(_PROBES):
        donor = original[rows, table[attempt, cols]]
        hit = donor != _EMPTY
        sig[rows[hit], cols[hit]] = donor[hit]
        rows, cols = rows[~hit], cols[~hit]
        if rows.size == 0:
            return
    # Very short texts (a handful of shingles): the next filled bin to the right, cyclically.
    for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
        step = 1
        while original[row, (col + step) % num_perm] == _EMPTY:
            step += 1
        sig[row, col] = original[row, (col + step) % num_perm]


def minhash_values(unique: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """MinHash signature (uint32 × ``num_perm``) of one set of 64-bit shingle hashes."""
    return minhash_many([unique], num_perm, seed)[0]


# -- SimHash ------------------------------------------------------------------------------------
def simhash_many(uniques: Sequence[np.ndarray], bits: int = 64) -> list[int]:
    """Charikar SimHash of each set of equally weighted 64-bit features (0 for an empty set)."""
    n = len(uniques)
    counts = np.fromiter((u.size for u in uniques), dtype=np.int64, count=n)
    if not counts.sum():
        return [0] * n
    lanes = np.concatenate(uniques).astype("<u8").view(np.uint8).reshape(-1, 8)
    base = np.repeat(np.arange(0, n * 256, 256, dtype=np.int64), counts)
    # Features per (text, byte value), one byte lane at a time (no feature × 8 index array);
    # float64 holds the counts exactly and lets the bit table product run in BLAS.
    per_byte = np.empty((n, 8, 256), dtype=np.float64)
    for lane in range(8):
        per_byte[:, lane, :] = np.bincount(base + lanes[:, lane], minlength=n * 256).reshape(n, 256)
    bit_counts = (per_byte @ _BIT_TABLE_F).reshape(n, 64)[:, :bits]  # bit 8*lane + j
    on = bit_counts * 2 > counts[:, None]
    weights = np.left_shift(np.uint64(1), np.arange(bits, dtype=np.uint64))
    return [int(v) for v in (on.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)]


def simhash_value(hashes64: np.ndarray, bits: int = 64) -> int:
    """SimHash of one set of features."""
    return simhash_many([hashes64.astype(np.uint64)], bits)[0]


# -- winnowing ----------------------------------------------------------------------------------
def _sliding_min(values: np.ndarray, window: int) -> np.ndarray:
    """Minimum of every window of ``window`` consecutive values (van Herk / Gil-Werman)."""
    size = values.size
    padded = np.concatenate((values, np.full((-size) % window, _MAX64, dtype=np.uint64))).reshape(-1, window)
    prefix = np.minimum.accumulate(padded, axis=1).reshape(-1)
    suffix = np.minimum.accumulate(padded[:, ::-1], axis=1)[:, ::-1].reshape(-1)
    return np.minimum(suffix[: size - window + 1], prefix[window - 1 : size])


def winnow_many(hash_lists: Sequence[np.ndarray], windows: Sequence[int]) -> list[np.ndarray]:
    """Winnowing positions of each hash sequence (the leftmost minimum of every window), ascending.

    Any passage of at least ``window + n - 1`` tokens shared by two texts yields at least one
    hash that both texts pick.
    """
    out: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(hash_lists)
    for window in sorted(set(windows)):
        long_ones: list[int] = []
        for k, (hashes, w) in enumerate(zip(hash_lists, windows, strict=True)):
            if w != window or hashes.size == 0:
                continue
            if hashes.size <= window or hashes.size > (1 << _POS_BITS):
                out[k] = winnow_positions(hashes, window)
            else:
                long_ones.append(k)
        if long_ones:
            _winnow_batch(hash_lists, long_ones, window, out)
    return out


def _winnow_batch(hash_lists: Sequence[np.ndarray], members: list[int], window: int, out: list[np.ndarray]) -> None:
    sizes = np.array([hash_lists[k].size for k in members], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    position = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(starts, sizes)
    keys = ((np.concatenate([hash_lists[k] for k in members]).astype(np.uint64) >> np.uint64(_POS_BITS))
            << np.uint64(_POS_BITS)) | position.astype(np.uint64)
    minima = _sliding_min(keys, window)
    # keep windows that lie inside one text: window start s with s + window <= end of its text
    owner_start = np.repeat(starts, sizes)[: minima.size]
    owner_end = np.repeat(starts + sizes, sizes)[: minima.size]
    valid = np.arange(minima.size) + window <= owner_end
    picks = (minima[valid] & _POS_MASK).astype(np.int64) + owner_start[valid]
    # picks never move left as the window slides: dropping repeats leaves each text's positions sorted
    picks = picks[np.concatenate(([True], picks[1:] != picks[:-1]))]
    bounds = np.searchsorted(picks, np.concatenate((starts, [int(sizes.sum())])))
    for j, k in enumerate(members):
        out[k] = picks[bounds[j] : bounds[j + 1]] - starts[j]


def winnow_positions(hashes: np.ndarray, window: int) -> np.ndarray:
    """Winnowing positions of one hash sequence."""
    if hashes.size == 0:
        return np.zeros(0, dtype=np.int64)
    if hashes.size <= window:
        return np.array([int(hashes.argmin())], dtype=np.int64)
    if hashes.size <= (1 << _POS_BITS):
        out: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
        _winnow_batch([hashes], [0], window, out)
        return out[0]
    view = np.lib.stride_tricks.sliding_window_view(hashes >> np.uint64(_POS_BITS), window)
    return np.unique(view.argmin(axis=1) + np.arange(view.shape[0])).astype(np.int64)


def winnow(hashes: np.ndarray, window: int) -> np.ndarray:
    """The distinct winnowed hashes (the passage keys of a text)."""
    return distinct(hashes[winnow_positions(hashes, window)])


# -- fingerprints -------------------------------------------------------------------------------
@dataclass
class Fingerprint:
    """A document's signature: MinHash values, SimHash, and the winnowed passage keys."""

    hashvalues: np.ndarray  # uint32 × num_perm (one-permutation hashing)
    seed: int
    simhash: Simhash
    passage_keys: np.ndarray  # uint64 winnowed shingle hashes, distinct
    shingle_count: int
    passage_positions: np.ndarray  # shingle positions picked by winnowing, in text order

    @property
    def minhash(self) -> Any:
        """The MinHash as a datasketch ``LeanMinHash`` (datasketch is imported on first use)."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.seed, hashvalues=self.hashvalues, scheme=LEAN_SCHEME)

    def band_keys(self, params: FingerprintParams) -> list[int]:
        return band_keys(self.hashvalues, params)

    def simhash_keys(self, params: FingerprintParams) -> list[int]:
        return simhash_keys(int(self.simhash.value), params)


def band_keys(hashvalues: np.ndarray, params: FingerprintParams) -> list[int]:
    """One signed 64-bit key per LSH band (band number mixed in), for SQLite INTEGER columns."""
    bands, rows = lsh_bands(params.lsh_threshold, params.num_perm)
    values = hashvalues[: bands * rows].astype(np.uint64).reshape(bands, rows)
    acc = np.arange(1, bands + 1, dtype=np.uint64) * _GOLDEN
    for r in range(rows):
        acc = (acc ^ values[:, r]) * np.uint64(0x100000001B3)
    return [int(k) for k in acc.view(np.int64)]


def simhash_keys(value: int, params: FingerprintParams) -> list[int]:
    """Block keys: each of the ``simhash_blocks`` bit blocks, tagged with its block number."""
    width = params.simhash_bits // params.simhash_blocks
    mask = (1 << width) - 1
    return [(i << 32) | ((value >> (i * width)) & mask) for i in range(params.simhash_blocks)]


def fingerprint_many(hash_lists: Sequence[np.ndarray], uniques: Sequence[np.ndarray], windows: Sequence[int],
                     params: FingerprintParams) -> list[Fingerprint]:
    """Fingerprints of many texts: shingle hashes in text order, their distinct set, winnowing window."""
    out: list[Fingerprint] = []
    start = 0
    while start < len(hash_lists):
        end, total = start, 0
        while end < len(hash_lists) and (end == start or total + uniques[end].size <= _BATCH_SHINGLES):
            total += uniques[end].size
            end += 1
        values = minhash_many(uniques[start:end], params.num_perm, params.seed)
        sims = simhash_many(uniques[start:end], params.simhash_bits)
        positions = winnow_many(hash_lists[start:end], windows[start:end])
        for j in range(end - start):
            hashes = hash_lists[start + j]
            out.append(Fingerprint(values[j], params.seed, Simhash(sims[j], f=params.simhash_bits),
                                   distinct(hashes[positions[j]]), int(uniques[start + j].size), positions[j]))
        start = end
    return out


def fingerprint(hashes: np.ndarray, unique: np.ndarray, params: FingerprintParams, window: int) -> Fingerprint:
    """Fingerprint of one text from its shingle hashes in text order (``hashes``) and their unique set."""
    return fingerprint_many([hashes], [unique], [window], params)[0]
