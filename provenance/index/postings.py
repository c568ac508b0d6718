"""Posting lists as the embedded index stores them: one row per key, its documents packed in a blob.

A key (an LSH band, a SimHash block, a winnowed passage hash) is held by one document or by many:
a story and its reprints share most of their keys. One row per (key, document) pays the row's
overhead (about nine bytes) for every pair; one row per key pays it once and packs the document
row ids as LEB128 varints, two or three bytes each, appended as documents arrive (no order is
kept, so a batch appends without reading the list). The row also keeps the list's length, so a
document-frequency query reads no list at all.

Everything here works on numpy arrays for whole batches: encoding one batch's pairs and decoding
one query's lists are a fixed number of numpy passes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_MAX_BYTES = 10  # a 64-bit value takes at most ten 7-bit groups


def _widths(values: np.ndarray) -> np.ndarray:
    """Bytes of each value's varint."""
    widths = np.ones(values.size, dtype=np.int64)
    rest = values >> np.uint64(7)
    while rest.any():
        widths += rest > 0
        rest >>= np.uint64(7)
    return widths


def encode(values: np.ndarray) -> np.ndarray:
    """LEB128 varints of non-negative integers, concatenated (uint8)."""
    values = np.asarray(values, dtype=np.uint64)
    if values.size == 0:
        return np.zeros(0, dtype=np.uint8)
    widths = _widths(values)
    ends = np.cumsum(widths)
    owner = np.repeat(np.arange(values.size), widths)
    group = np.arange(int(ends[-1])) - np.repeat(ends - widths, widths)  # 7-bit group within its value
    out = ((values[owner] >> (np.uint64(7) * group.astype(np.uint64))) & np.uint64(0x7F)).astype(np.uint8)
    out[np.arange(out.size) != (ends - 1).repeat(widths)] |= 0x80  # continuation bit on all but the last
    return out


def decode(packed: np.ndarray) -> np.ndarray:
    """The integers of concatenated LEB128 varints (uint8 in, int64 out)."""
    packed = np.asarray(packed, dtype=np.uint8)
    if packed.size == 0:
        return np.zeros(0, dtype=np.int64)
    last = packed < 0x80
    if not last[-1]:
        raise ValueError("a varint list ends inside a value")
    starts = np.concatenate(([0], np.flatnonzero(last)[:-1] + 1))
    widths = np.diff(np.append(starts, packed.size))
    if int(widths.max()) > _MAX_BYTES:
        raise ValueError("a varint list holds a value too long")
    shift = (np.arange(packed.size) - np.repeat(starts, widths)) * 7
    parts = (packed & 0x7F).astype(np.uint64) << shift.astype(np.uint64)
    return np.add.reduceat(parts, starts).astype(np.int64)


def pack(keys: np.ndarray, docs: np.ndarray) -> tuple[list[int], list[int], list[bytes]]:
    """Distinct (key, document) pairs grouped by key: keys, list lengths and packed lists."""
    keys = np.asarray(keys, dtype=np.int64)
    docs = np.asarray(docs, dtype=np.int64)
    if keys.size == 0:
        return [], [], []
    order = np.lexsort((docs, keys))
    keys, docs = keys[order], docs[order]
    fresh = np.concatenate(([True], (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])))
    keys, docs = keys[fresh], docs[fresh]
    first = np.concatenate(([0], np.flatnonzero(keys[1:] != keys[:-1]) + 1))
    counts = np.diff(np.append(first, keys.size))
    encoded = encode(docs)
    value_ends = np.flatnonzero(encoded < 0x80) + 1  # each id's last byte has no continuation bit
    bounds = np.concatenate(([0], value_ends))[np.append(first, keys.size)].tolist()
    packed = encoded.tobytes()
    blobs = [packed[bounds[k] : bounds[k + 1]] for k in range(len(first))]
    return keys[first].tolist(), counts.tolist(), blobs


def pack_grouped(groups: np.ndarray, keys: np.ndarray, docs: np.ndarray) -> tuple[list[int], list[int], list[int],
                                                                                 list[bytes]]:
    """Distinct (group, key, document) triples grouped by (group, key), in that order: groups,
    keys, list lengths and packed lists (the per-source line lists: a group is a source)."""
    groups = np.asarray(groups, dtype=np.int64)
    keys = np.asarray(keys, dtype=np.int64)
    docs = np.asarray(docs, dtype=np.int64)
    if keys.size == 0:
        return [], [], [], []
    order = np.lexsort((docs, keys, groups))
    groups, keys, docs = groups[order], keys[order], docs[order]
    new_list = np.concatenate(([True], (groups[1:] != groups[:-1]) | (keys[1:] != keys[:-1])))
    fresh = new_list | np.concatenate(([True], docs[1:] != docs[:-1]))
    groups, keys, docs, new_list = groups[fresh], keys[fresh], docs[fresh], new_list[fresh]
    first = np.flatnonzero(new_list)
    counts = np.diff(np.append(first, keys.size))
    encoded = encode(docs)
    value_ends = np.flatnonzero(encoded < 0x80) + 1
    bounds = np.concatenate(([0], value_ends))[np.append(first, keys.size)].tolist()
    packed = encoded.tobytes()
    blobs = [packed[bounds[k] : bounds[k + 1]] for k in range(len(first))]
    return groups[first].tolist(), keys[first].tolist(), counts.tolist(), blobs


def whole(blob: bytes) -> bytes:
    """The complete varints at the start of a list cut short (a prefix read of a stored list)."""
    end = len(blob)
    while end and blob[end - 1] >= 0x80:
        end -= 1
    return blob[:end]


def unpack(blobs: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Document ids of many stored lists, concatenated, and which list each came from."""
    if not blobs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    packed = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    lengths = np.array([len(b) for b in blobs], dtype=np.int64)
    ids = decode(packed)
    ends = np.flatnonzero(packed < 0x80)  # last byte of each id
    return ids, np.searchsorted(np.cumsum(lengths), ends, side="right")
