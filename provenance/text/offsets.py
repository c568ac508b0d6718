"""A compact, stored form of the map from normalised-text positions back to the loaded text.

Normalisation keeps one loaded-text offset per normalised character. Almost everywhere the next
character's offset is the previous one plus one; the map changes step only where characters were
removed, folded together or expanded. Only those break points are kept, as LEB128 varints of
their deltas, deflated: a few dozen bytes for a news article, a few hundred for one annotated
with pinyin after every other character. An index keeps them beside each document's
screen text, so a copied passage found in a corpus document can be placed in its loaded text
without normalising the document again.
"""

from __future__ import annotations

import zlib
from bisect import bisect_right
from itertools import accumulate

import numpy as np

from provenance.errors import IndexError_


def _zigzag(values: list[int]) -> list[int]:
    return [(v << 1) ^ (v >> 63) for v in values]


def _varints(values: list[int]) -> bytearray:
    out = bytearray()
    for value in values:
        while value > 0x7F:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)
    return out


def encode_offsets(offsets: np.ndarray) -> bytes:
    """Break points of ``offsets`` (one loaded-text offset per normalised character), as bytes."""
    offsets = np.asarray(offsets, dtype=np.int64)
    if offsets.size == 0:
        return b""
    breaks = np.flatnonzero((offsets[1:] - offsets[:-1]) != 1)
    starts = np.zeros(breaks.size + 1, dtype=np.int64)
    starts[1:] = breaks + 1
    values = offsets[starts]
    # count, then (position delta, value delta − position delta) per break point (the deltas
    # written out: np.diff with a prepended value costs more than the work on a short array)
    deltas = np.empty(2 * starts.size, dtype=np.int64)
    deltas[0::2] = starts
    deltas[2::2] -= starts[:-1]
    deltas[1::2] = values
    deltas[3::2] -= values[:-1]
    deltas[1::2] -= deltas[0::2]
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: no header for a few dozen bytes
    return packer.compress(bytes(_varints([len(starts), *_zigzag(deltas.tolist())]))) + packer.flush()


def _break_points(data: bytes, length: int) -> tuple[list[int], list[int]]:
    """The break points of :func:`encode_offsets`'s bytes: the position where each stretch starts
    and the shift (loaded offset minus position) along it."""
    # An index may be shared: its bytes are untrusted. A map holds at most one break point per
    # position, two varints of at most ten bytes each, so anything longer is damage, not a map.
    cap = 10 + 20 * (length + 1)
    try:
        inflater = zlib.decompressobj(-15)
        packed = inflater.decompress(data, cap + 1)
    except zlib.error:
        packed = b""
    if len(packed) > cap:
        raise IndexError_("a stored offset map is larger than its screen text allows; rebuild the index")
    numbers: list[int] = []
    value = shift = 0
    for byte in packed:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        numbers.append(value)
        value = shift = 0
    if not numbers or len(numbers) != 1 + 2 * numbers[0] or numbers[0] == 0:
        raise IndexError_("a stored offset map is damaged; rebuild the index")
    pairs = [(v >> 1) ^ -(v & 1) for v in numbers[1:]]
    starts = list(accumulate(pairs[0::2]))
    shifts = list(accumulate(pairs[1::2]))
    if starts[0] != 0 or starts[-1] >= length:
        raise IndexError_("a stored offset map does not fit its screen text; rebuild the index")
    return starts, shifts


class OffsetMap:
    """The loaded-text offset of each position, looked up from the break points (a binary search
    each) instead of expanded to one entry per position: a text of which only a few spans are
    ever placed."""

    def __init__(self, data: bytes, length: int) -> None:
        self.length = length
        self._starts, self._shifts = _break_points(data, length) if length else ([], [])

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, position: int) -> int:
        if not 0 <= position < self.length:
            raise IndexError(position)
        return position + self._shifts[bisect_right(self._starts, position) - 1]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """:func:`covering_span` of positions ``[start, end)``."""
        return covering_span(self, start, end, self[self.length - 1] + 1 if self.length else 0)


def covering_span(offsets: np.ndarray | OffsetMap, start: int, end: int, past_end: int) -> tuple[int, int]:
    """Span in the loaded text covering positions ``[start, end)`` of a text with these offsets;
    an empty range maps to one point (``past_end`` beyond the last position)."""
    if end <= start:
        point = int(offsets[start]) if start < len(offsets) else past_end
        return point, point
    return int(offsets[start]), int(offsets[end - 1]) + 1
