"""Tokens and shingles over the folded text, as 64-bit hashes computed with numpy.

Han, kana and hangul characters are one token each; runs of other letters and digits are word
tokens. A shingle is ``n`` consecutive tokens: character n-grams for CJK text, word n-grams
elsewhere. Hashes come from fixed arithmetic (polynomial + splitmix64 mixing), never from
Python's ``hash()``, so they are identical across processes and machines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from provenance.text.codepoints import to_codepoints

_P = np.uint64(0x100000001B3)
_Q = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
LOW_BITS = np.uint64(0xFFFF)  # mask of the bits in Shingles.low_bits
_P_INVERSE = np.uint64(pow(int(_P), -1, 1 << 64))
_power_tables: tuple[np.ndarray, np.ndarray] = (np.ones(0, np.uint64), np.ones(0, np.uint64))
_KEPT_POWERS = 1 << 18  # 4 MB for both tables: a scan's batches fit, an index build's are made per call


def splitmix64(values: np.ndarray) -> np.ndarray:
    z = values.astype(np.uint64)
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    """P**k and P**-k (mod 2**64) for k below at least ``size``: kept between calls up to
    ``_KEPT_POWERS`` entries (a scan's batches), made for the call alone beyond (an index build's)."""
    global _power_tables
    if _power_tables[0].size >= size:
        return _power_tables
    # Straight to the kept size (not doubling): a long-running service's memory would otherwise
    # step up each time a longer batch arrives.
    length = max(size, _KEPT_POWERS)
    with np.errstate(over="ignore"):
        tables = (np.cumprod(np.full(length, _P, dtype=np.uint64)) * _P_INVERSE,
                  np.cumprod(np.full(length, _P_INVERSE, dtype=np.uint64)) * _P)
    if length <= _KEPT_POWERS:
        _power_tables = tables
    return tables


def groups(sizes: Sequence[int], limit: int) -> list[tuple[int, int]]:
    """Consecutive index ranges whose sizes add up to at most ``limit`` (one item larger than the
    limit makes a range of its own)."""
    ranges, lo, total = [], 0, 0
    for k, size in enumerate(sizes):
        if k > lo and total + size > limit:
            ranges.append((lo, k))
            lo, total = k, 0
        total += size
    ranges.append((lo, len(sizes)))
    return ranges


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values: ``np.unique`` without its hash-table path, which is many times
    slower on arrays of random 64-bit hashes."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def contains(ordered: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.isin(values, ordered)`` for a sorted array of distinct values, by binary search."""
    if ordered.size == 0:
        return np.zeros(values.size, dtype=bool)
    at = np.minimum(np.searchsorted(ordered, values), ordered.size - 1)
    return ordered[at] == values


def spread(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Every index of the ranges ``[starts[k], starts[k] + counts[k])``, range after range: the
    positions behind the matches a binary search found (its left edge and count)."""
    total = int(counts.sum())
    return np.repeat(starts, counts) + np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)


def occurrences(ordered: np.ndarray, values: np.ndarray, left: np.ndarray) -> np.ndarray:
    """How often each value occurs in the sorted ``ordered``, given ``left``, its leftmost insertion
    point: 0 or 1 from one look at ``ordered[left]``; a second search only for values held twice
    or more (seen at ``ordered[left + 1]``)."""
    if ordered.size == 0:
        return np.zeros(values.size, dtype=np.int64)
    last = ordered.size - 1
    counts = (ordered[np.minimum(left, last)] == values).astype(np.int64)
    several = np.flatnonzero(counts.astype(bool) & (ordered[np.minimum(left + 1, last)] == values) & (left < last))
    if several.size:
        counts[several] = np.searchsorted(ordered, values[several], side="right") - left[several]
    return counts


_CJK_RANGES = (
    (0x3040, 0x30FF),  # kana
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),  # hangul syllables
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)
_CJK_TABLE = np.zeros(0x110000, dtype=bool)  # one lookup per code point instead of twelve comparisons
for _low, _high in _CJK_RANGES:
    _CJK_TABLE[_low : _high + 1] = True


def is_cjk(cps: np.ndarray) -> np.ndarray:
    """Per code point: a Han, kana or hangul character."""
    return _CJK_TABLE[cps]


@dataclass
class Tokens:
    """Tokens of the body: hash, and span ``[start, end)`` in the folded text."""

    hashes: np.ndarray  # uint64
    starts: np.ndarray  # int64, norm offsets
    ends: np.ndarray
    cjk_share: float
    cjk: np.ndarray | None = None  # bool per token: a Han/kana/hangul character

    def __len__(self) -> int:
        return int(self.hashes.size)

    def only_cjk(self) -> Tokens:
        """The CJK tokens alone: in CJK text, Latin letters, digits and symbols slipped between
        characters (a disguise) must not break the character shingles."""
        if self.cjk is None or self.cjk.all():
            return self
        keep = self.cjk
        return Tokens(self.hashes[keep], self.starts[keep], self.ends[keep], self.cjk_share, self.cjk[keep])


def tokenize(norm: str, mask: np.ndarray | None = None) -> Tokens:
    """Tokenise ``norm`` restricted to ``mask`` (True = body character)."""
    return tokenize_many([norm], [mask])[0]


def _empty_tokens() -> Tokens:
    empty = np.zeros(0, np.int64)
    return Tokens(np.zeros(0, np.uint64), empty, empty, 0.0)


def tokenize_many(norms: Sequence[str], masks: Sequence[np.ndarray | None] | None = None) -> list[Tokens]:
    """Tokenise many texts in one pass over their concatenation (a space between two texts ends
    any word, so no token spans two texts); ``masks[k]`` restricts text ``k`` to its body."""
    if not norms:
        return []
    lengths = np.fromiter((len(n) for n in norms), dtype=np.int64, count=len(norms))
    bases = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    cps = to_codepoints(" ".join(norms))
    valid = cps != 0x20
    if masks is not None and any(m is not None for m in masks):
        body = np.ones(cps.size, dtype=bool)
        for base, mask in zip(bases.tolist(), masks, strict=True):
            if mask is not None:
                body[base : base + mask.size] = mask
        valid &= body
    cjk = is_cjk(cps)
    word = valid & ~cjk
    prev_word = np.concatenate(([False], word[:-1]))
    start = valid & (cjk | ~prev_word)
    next_word = np.concatenate((word[1:], [False]))
    end = valid & (cjk | ~next_word)
    starts = np.flatnonzero(start)
    if starts.size == 0:
        return [_empty_tokens() for _ in norms]
    ends = np.flatnonzero(end) + 1
    # A token's hash sums its characters times P to the power of their place in the token. With
    # P to the power of the place in the whole text, the sums are taken over the text at once and
    # each is brought back to its token's start by P's inverse power (P is odd: invertible mod 2^64).
    powers, inverses = _powers(cps.size)
    contrib = (cps * valid).view(np.uint64) * powers[: cps.size]  # characters outside tokens add 0
    sums = np.add.reduceat(contrib, starts) * inverses[starts]
    token_lengths = (ends - starts).astype(np.uint64)
    hashes = splitmix64(sums ^ (token_lengths << np.uint64(56)))
    cjk_tokens = cjk[starts]
    bounds = np.searchsorted(starts, np.concatenate((bases, [cps.size + 1])))
    out: list[Tokens] = []
    for k, base in enumerate(bases.tolist()):
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        if lo == hi:
            out.append(_empty_tokens())
            continue
        flags = cjk_tokens[lo:hi]
        out.append(Tokens(hashes[lo:hi], starts[lo:hi] - base, ends[lo:hi] - base,
                          float(np.count_nonzero(flags)) / (hi - lo), flags))
    return out


@dataclass
class Shingles:
    """Shingle hashes in text order, with each shingle's span in the folded text."""

    hashes: np.ndarray  # uint64, one per position
    starts: np.ndarray
    ends: np.ndarray
    size: int  # tokens per shingle

    def __len__(self) -> int:
        return int(self.hashes.size)

    def unique(self) -> np.ndarray:
        return distinct(self.hashes)

    # Alignment looks these up for every candidate pair; a text aligned with many is sorted once.
    @cached_property
    def order(self) -> np.ndarray:
        """Positions in hash order, equal hashes by position (a stable order).

        numpy's stable argsort of 64-bit keys is a merge sort several times slower than its
        default; the default is used and only runs of equal hashes are put in position order.
        """
        order = np.argsort(self.hashes)
        ordered = self.hashes[order]
        differ = ordered[1:] != ordered[:-1]
        if order.size > 1 and not differ.all():
            tied = np.zeros(order.size, dtype=bool)
            tied[1:] |= ~differ
            tied[:-1] |= ~differ
            at = np.flatnonzero(tied)
            group = np.concatenate(([0], np.cumsum(differ)))[at]
            span = order.size + 1
            order[at] = np.sort(group * span + order[at]) % span
        return order

    @cached_property
    def low_bits(self) -> np.ndarray:
        """Per value of a hash's low 16 bits: does any of these shingles have it? (A fast first
        test of membership: most hashes of another text fail it.)"""
        table = np.zeros(LOW_BITS + 1, dtype=bool)
        table[self.hashes & LOW_BITS] = True
        return table

    @cached_property
    def sorted_hashes(self) -> np.ndarray:
        return self.hashes[self.order]

    @cached_property
    def repeated(self) -> np.ndarray:
        """Sorted distinct hashes that occur more than once."""
        ordered = self.sorted_hashes
        return distinct(ordered[1:][ordered[1:] == ordered[:-1]]) if ordered.size > 1 else ordered[:0]

    @cached_property
    def is_repeated(self) -> np.ndarray:
        """Per position: does its hash occur more than once?"""
        return contains(self.repeated, self.hashes)


def shingle(tokens: Tokens, n: int) -> Shingles:
    """Hashes of every run of ``n`` consecutive tokens (one shingle of all tokens if fewer)."""
    count = len(tokens)
    if count == 0:
        empty = np.zeros(0, np.int64)
        return Shingles(np.zeros(0, np.uint64), empty, empty, n)
    width = min(n, count)
    positions = count - width + 1
    acc = np.zeros(positions, dtype=np.uint64)
    for j in range(width):
        acc = acc * _Q + tokens.hashes[j : j + positions]
    hashes = splitmix64(acc)
    return Shingles(hashes, tokens.starts[:positions], tokens.ends[width - 1 :], n)


def shingle_many(token_lists: Sequence[Tokens], sizes: Sequence[int]) -> list[Shingles]:
    """:func:`shingle` of many token sequences, one numpy pass per shingle size."""
    out: list[Shingles | None] = [None] * len(token_lists)
    for n in sorted(set(sizes)):
        members = [k for k, size in enumerate(sizes) if size == n and len(token_lists[k]) >= n]
        for k, size in enumerate(sizes):
            if size == n and len(token_lists[k]) < n:
                out[k] = shingle(token_lists[k], n)
        if not members:
            continue
        joined = np.concatenate([token_lists[k].hashes for k in members])
        positions = joined.size - n + 1
        acc = np.zeros(positions, dtype=np.uint64)
        for j in range(n):
            acc = acc * _Q + joined[j : j + positions]
        hashed = splitmix64(acc)
        offset = 0
        for k in members:
            tokens = token_lists[k]
            count = len(tokens) - n + 1
            out[k] = Shingles(hashed[offset : offset + count], tokens.starts[:count], tokens.ends[n - 1 :], n)
            offset += len(tokens)
    return [s for s in out if s is not None]
