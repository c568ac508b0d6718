"""The compressed texts an index keeps (loaded text, screen text): zstd when written, zstd or zlib
when read.

A scan decompresses the screen text of every candidate it verifies and the loaded text of every
match, so reading speed counts: zstd reads news text back 2.5 times as fast as zlib, for 2–3 %
more bytes. Indexes written with zlib before stay readable: a zstd frame starts with its
magic number, a zlib stream never does.
"""

from __future__ import annotations

import threading
import zlib

import zstandard

from provenance.errors import IndexError_
from provenance.limits import STORED_TEXT_BYTES, TooLarge, describe

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_LEVEL = 6  # as small as level 9 on news text, in two thirds of the time
# One compressor and decompressor per thread: zstd contexts must never be used by two threads at
# once (they release the GIL while they work; a shared one corrupts texts or crashes), and the
# HTTP service reads the index from several threads.
_contexts = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    made = getattr(_contexts, "compressor", None)
    if made is None:
        made = _contexts.compressor = zstandard.ZstdCompressor(level=_LEVEL)
    return made


def _decompressor() -> zstandard.ZstdDecompressor:
    made = getattr(_contexts, "decompressor", None)
    if made is None:
        made = _contexts.decompressor = zstandard.ZstdDecompressor()
    return made


def pack_text(text: str) -> bytes:
    return _compressor().compress(text.encode("utf-8"))


def unpack_text(data: bytes, index: str = "", cap: int = STORED_TEXT_BYTES) -> str:
    """The text of :func:`pack_text`'s bytes (or of zlib's, from an older index); ``index`` names
    the index in the error a damaged text raises.

    An index may be shared, so its bytes are untrusted: no text is decompressed beyond ``cap``
    bytes (a 2 MB blob can hold gigabytes), whatever size its header claims.
    """
    where = f"{index}: " if index else ""
    try:
        raw = _unzstd(data, cap) if data[:4] == _ZSTD_MAGIC else _unzlib(data, cap)
        return raw.decode("utf-8")
    except (zstandard.ZstdError, zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise IndexError_(f"{where}a stored text is damaged ({exc}); rebuild the index") from None
    except TooLarge:
        raise IndexError_(f"{where}a stored text is larger than {describe(cap)} once decompressed; the index is "
                          "damaged or was tampered with; rebuild the index") from None


def pack_texts(texts: list[str]) -> bytes:
    """Several texts in one zstd frame (each but the last preceded by its UTF-8 length as a LEB128
    varint): a text and its screen text share most of their words, so one frame of both is a
    third smaller than two frames."""
    parts = [text.encode("utf-8") for text in texts]
    head = bytearray()
    for part in parts[:-1]:
        size = len(part)
        while size >= 0x80:
            head.append(0x80 | (size & 0x7F))
            size >>= 7
        head.append(size)
    return _compressor().compress(bytes(head) + b"".join(parts))


def unpack_texts(data: bytes, count: int, index: str = "", cap: int = 2 * STORED_TEXT_BYTES) -> list[str]:
    """The ``count`` texts of :func:`pack_texts`'s frame, with :func:`unpack_text`'s checks (the
    frame is never inflated beyond ``cap`` bytes; lengths that do not fit are damage)."""
    return [_decoded(part, index) for part in _parts(data, count, index, cap)]


def unpack_nth(data: bytes, count: int, nth: int, index: str = "", cap: int = 2 * STORED_TEXT_BYTES) -> str:
    """Text ``nth`` of :func:`pack_texts`'s frame of ``count`` texts (checked as
    :func:`unpack_texts` checks the frame; only that text is decoded)."""
    return _decoded(_parts(data, count, index, cap)[nth], index)


def _parts(data: bytes, count: int, index: str, cap: int) -> list[bytes]:
    """The UTF-8 bytes of each text of a frame (not yet decoded)."""
    where = f"{index}: " if index else ""
    try:
        if data[:4] != _ZSTD_MAGIC:
            raise ValueError("not a zstd frame")
        raw = _unzstd(data, cap)
        sizes, at = [], 0
        for _ in range(count - 1):
            size = shift = 0
            while True:
                if at >= len(raw) or shift > 35:
                    raise ValueError("a text length is cut short")
                byte = raw[at]
                at += 1
                size |= (byte & 0x7F) << shift
                shift += 7
                if byte < 0x80:
                    break
            sizes.append(size)
        if at + sum(sizes) > len(raw):
            raise ValueError("the texts are shorter than their lengths")
        out = []
        for size in sizes:
            out.append(raw[at : at + size])
            at += size
        out.append(raw[at:])
        return out
    except (zstandard.ZstdError, ValueError) as exc:
        raise IndexError_(f"{where}a stored text is damaged ({exc}); rebuild the index") from None
    except TooLarge:
        raise IndexError_(f"{where}a stored text is larger than {describe(cap)} once decompressed; the index is "
                          "damaged or was tampered with; rebuild the index") from None


def _decoded(part: bytes, index: str) -> str:
    try:
        return part.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = f"{index}: " if index else ""
        raise IndexError_(f"{where}a stored text is damaged ({exc}); rebuild the index") from None


def _unzstd(data: bytes, cap: int) -> bytes:
    # A frame states its size (pack_text's do): refused above the cap before anything is
    # allocated; without one, zstd stops at max_output_size. A size that lies is an error.
    if zstandard.frame_content_size(data) > cap:  # -1 when the frame does not say
        raise TooLarge
    try:
        return _decompressor().decompress(data, max_output_size=cap)
    except zstandard.ZstdError as exc:
        if "max_output_size" in str(exc) or "output buffer" in str(exc):
            raise TooLarge from None
        raise


def _unzlib(data: bytes, cap: int) -> bytes:
    inflater = zlib.decompressobj()
    raw = inflater.decompress(data, cap + 1)
    if len(raw) > cap or inflater.unconsumed_tail:
        raise TooLarge
    if not inflater.eof:
        raise ValueError("the compressed data ends early")
    return raw
