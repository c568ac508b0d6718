"""The stored offset map: exact round trip, small for real text, and a clear error when damaged."""

from __future__ import annotations

import numpy as np
import pytest
from corpus_kit import seed_text
from hypothesis import given
from hypothesis import strategies as st

from provenance.errors import IndexError_
from provenance.text.normalize import normalise
from provenance.text.offsets import OffsetMap, covering_span, encode_offsets


@pytest.mark.parametrize("text", [seed_text(), "Ｆｕｌｌ　ｗｉｄｔｈ\u200b text ㈱ and… dots\n\n\n  spaced   out  ", ""])
def test_round_trip_of_normalised_text(text: str) -> None:
    normalized = normalise(text)
    data = encode_offsets(normalized.norm_off)
    mapped = OffsetMap(data, len(normalized.norm))
    assert [mapped[p] for p in range(len(mapped))] == normalized.norm_off.tolist()


def test_few_bytes_even_with_pinyin_after_most_characters() -> None:
    normalized = normalise(seed_text())
    assert len(encode_offsets(normalized.norm_off)) < len(normalized.norm) // 2


def test_damaged_offsets_are_an_index_error() -> None:
    good = encode_offsets(np.arange(5, 15))
    late = encode_offsets(np.concatenate((np.arange(12), np.arange(20, 40))))
    for data in (b"", b"\x05\x00", good[:-2], late):
        with pytest.raises(IndexError_, match="rebuild the index"):
            OffsetMap(data, 10)


@given(st.lists(st.integers(min_value=0, max_value=2**40), max_size=300), st.data())
def test_round_trip_of_any_offsets(values: list[int], data: st.DataObject) -> None:
    """Every position's offset read back from the break points, and spans as covering_span
    places them on the full array."""
    offsets = np.array(values, dtype=np.int64)
    mapped = OffsetMap(encode_offsets(offsets), offsets.size)
    assert [mapped[p] for p in range(offsets.size)] == offsets.tolist()
    past_end = int(offsets[-1]) + 1 if offsets.size else 0
    start = data.draw(st.integers(0, offsets.size))
    end = data.draw(st.integers(0, offsets.size))
    assert mapped.span(start, end) == covering_span(offsets, start, end, past_end)
    with pytest.raises(IndexError):
        mapped[offsets.size]
