"""Vectorised per-code-point mapping tables (numpy) with a lazily filled cache.

Normalisation applies character maps to whole texts as numpy arrays of code points, carrying an
offset array along, so no Python call is made per character except the first time a code point
is seen in this process.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

UNKNOWN = -3
EXPAND = -2
DELETE = -1
SIZE = 0x110000


def to_codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64)


def to_text(cps: np.ndarray) -> str:
    return cps.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")


class CharMap:
    """Maps each code point to one code point, to nothing, or to several (rare, slow path)."""

    def __init__(self, rule: Callable[[str], str]) -> None:
        self._rule = rule
        self._table = np.full(SIZE, UNKNOWN, dtype=np.int32)
        self._expansions: dict[int, np.ndarray] = {}

    def _values(self, cps: np.ndarray) -> np.ndarray:
        """The table's entries for ``cps``, every code point first seen here filled in."""
        values = self._table[cps]
        if values.min() != UNKNOWN:
            return values
        for cp in np.unique(cps[values == UNKNOWN]).tolist():
            self._learn(cp)
        return self._table[cps]

    def _learn(self, cp: int) -> int:
        """Run the rule for one code point; its table entry."""
        out = self._rule(chr(cp))
        if out == "":
            self._table[cp] = DELETE
        elif len(out) == 1:
            self._table[cp] = ord(out)
        else:
            self._table[cp] = EXPAND
            self._expansions[cp] = np.array([ord(c) for c in out], dtype=np.int64)
        return int(self._table[cp])

    def text_of(self, cp: int) -> str:
        """What the map makes of one code point, as text (the table filled for it if need be)."""
        value = int(self._table[cp])
        if value == UNKNOWN:
            value = self._learn(cp)
        if value == DELETE:
            return ""
        if value == EXPAND:
            return "".join(map(chr, self._expansions[cp].tolist()))
        return chr(value)

    def changes(self, cps: np.ndarray) -> bool:
        """Whether the map changes any of ``cps`` (maps one to another, to nothing or to several)."""
        return bool(cps.size) and bool((self._values(cps) != cps).any())

    def apply(self, cps: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Map ``cps`` (with their ``offsets`` into the loaded text); return the new pair."""
        if cps.size == 0:
            return cps, offsets
        values = self._values(cps)
        low = int(values.min())
        if low >= 0:  # every code point maps to one: nothing removed or added
            return values.astype(np.int64), offsets
        values = values.astype(np.int64)
        if low == DELETE:
            keep = values >= 0
            return values[keep], offsets[keep]
        expand = values == EXPAND
        # Rare multi-character expansions (e.g. "…" → "..."): repeat, then fill those few slots.
        lengths = np.where(values >= 0, 1, 0)
        where = np.flatnonzero(expand)
        pieces = [self._expansions[int(cp)] for cp in cps[where].tolist()]
        lengths[where] = [piece.size for piece in pieces]
        out = np.repeat(values, lengths)
        out_offsets = np.repeat(offsets, lengths)
        starts = np.cumsum(lengths) - lengths
        for position, piece in zip(starts[where].tolist(), pieces, strict=True):
            out[position : position + piece.size] = piece
        return out, out_offsets
