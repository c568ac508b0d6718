"""The compressed texts an index keeps (loaded text, screen text): zstd when written, zstd or zlib
when read.

A scan decompresses the screen text of every candidate it verifies and the loaded text of every
match, so reading speed counts: zstd reads news text back 2.5 times as fast as zlib, for 2–3 %
more bytes. Indexes written with zlib before stay readable: a zstd frame starts with its
magic number, a zlib stream never does.
"""

from __future__ import annotations

import zlib

import zstandard

from provenance.errors import IndexError_

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_LEVEL = 6  # as small as level 9 on news text, in two thirds of the time
_compressor = zstandard.ZstdCompressor(level=_LEVEL)
_decompressor = zstandard.ZstdDecompressor()


def pack_text(text: str) -> bytes:
    return _compressor.compress(text.encode("utf-8"))


def unpack_text(data: bytes, index: str = "") -> str:
    """The text of :func:`pack_text`'s bytes (or of zlib's, from an older index); ``index`` names
    the index in the error a damaged text raises."""
    try:
        raw = _decompressor.decompress(data) if data[:4] == _ZSTD_MAGIC else zlib.decompress(data)
        return raw.decode("utf-8")
    except (zstandard.ZstdError, zlib.error, UnicodeDecodeError) as exc:
        where = f"{index}: " if index else ""
        raise IndexError_(f"{where}a stored text is damaged ({exc}); rebuild the index") from None
