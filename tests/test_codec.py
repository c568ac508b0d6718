"""The texts an index keeps: written with zstd, read back exactly; zlib from older indexes still
read; damage is an index error naming the remedy, not a traceback."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.errors import IndexError_
from provenance.index.codec import pack_text, unpack_text


@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_round_trip(text: str) -> None:
    packed = pack_text(text)
    assert unpack_text(packed) == text
    assert packed[:4] == b"\x28\xb5\x2f\xfd"  # a zstd frame


@pytest.mark.parametrize("text", ["", "清河县召开农村公路建设推进会。" * 30, "The council approved the budget. " * 20])
def test_texts_of_an_older_zlib_index_are_read(text: str) -> None:
    assert unpack_text(zlib.compress(text.encode("utf-8"), 4)) == text


def test_news_text_is_as_small_as_with_zlib() -> None:
    text = "清河县召开农村公路建设推进会，县长周建民出席会议并讲话。会议要求今年重点抓好在建项目进度。" * 12
    assert len(pack_text(text)) <= 1.05 * len(zlib.compress(text.encode("utf-8"), 4))


@pytest.mark.parametrize("data", [b"", b"\x28\xb5\x2f\xfd garbage", b"x\x9c not zlib", zlib.compress(b"\xff\xfe")])
def test_damaged_text_is_an_index_error(data: bytes) -> None:
    with pytest.raises(IndexError_, match="rebuild the index"):
        unpack_text(data)
