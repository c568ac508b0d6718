"""Tokens and shingles over the folded text, as 64-bit hashes computed with numpy.

Han, kana and hangul characters are one token each; runs of other letters and digits are word
tokens. A shingle is ``n`` consecutive tokens: character n-grams for CJK text, word n-grams
elsewhere. Hashes come from fixed arithmetic (polynomial + splitmix64 mixing), never from
Python's ``hash()``, so they are identical across processes and machines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from provenance.text.codepoints import to_codepoints

_P = np.uint64(0x100000001B3)
_Q = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def splitmix64(values: np.ndarray) -> np.ndarray:
    z = values.astype(np.uint64)
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def is_cjk(cps: np.ndarray) -> np.ndarray:
    return (
        ((cps >= 0x3040) & (cps <= 0x30FF))  # kana
        | ((cps >= 0x3400) & (cps <= 0x4DBF))
        | ((cps >= 0x4E00) & (cps <= 0x9FFF))
        | ((cps >= 0xAC00) & (cps <= 0xD7AF))  # hangul syllables
        | ((cps >= 0xF900) & (cps <= 0xFAFF))
        | ((cps >= 0x20000) & (cps <= 0x3134F))
    )


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
    cps = to_codepoints(norm)
    if cps.size == 0:
        empty = np.zeros(0, np.int64)
        return Tokens(np.zeros(0, np.uint64), empty, empty, 0.0)
    valid = cps != 0x20
    if mask is not None:
        valid &= mask
    cjk = is_cjk(cps)
    word = valid & ~cjk
    prev_word = np.concatenate(([False], word[:-1]))
    start = valid & (cjk | ~prev_word)
    next_word = np.concatenate((word[1:], [False]))
    end = valid & (cjk | ~next_word)
    starts = np.flatnonzero(start)
    ends = np.flatnonzero(end) + 1
    if starts.size == 0:
        empty = np.zeros(0, np.int64)
        return Tokens(np.zeros(0, np.uint64), empty, empty, 0.0)
    positions = np.flatnonzero(valid)
    token_of = np.cumsum(start)[positions] - 1
    within = positions - starts[token_of]
    longest = int(within.max()) + 1
    powers = np.cumprod(np.concatenate(([np.uint64(1)], np.full(longest - 1, _P, dtype=np.uint64))))
    contrib = cps[positions].astype(np.uint64) * powers[within]
    first_of_token = np.searchsorted(positions, starts)
    sums = np.add.reduceat(contrib, first_of_token)
    lengths = (ends - starts).astype(np.uint64)
    hashes = splitmix64(sums ^ (lengths << np.uint64(56)))
    cjk_tokens = cjk[starts]
    return Tokens(hashes, starts.astype(np.int64), ends.astype(np.int64), float(cjk_tokens.mean()), cjk_tokens)


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
        return np.unique(self.hashes)


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
