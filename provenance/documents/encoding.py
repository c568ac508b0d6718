"""Decoding bytes into text: BOMs, strict UTF-8, UTF-16 without BOM, then charset-normalizer.

Chinese legacy encodings (GB18030, Big5) are told apart by charset-normalizer; a file that no
encoding decodes cleanly, or that looks binary, raises :class:`LoadError` with the reason.
"""

from __future__ import annotations

import codecs
import unicodedata

from charset_normalizer import from_bytes

from provenance.errors import LoadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Encodings a news file is realistically in; limiting the candidates keeps detection fast and
# stops short Chinese files from being decoded as some exotic code page.
_CANDIDATES = ["utf_8", "gb18030", "big5", "big5hkscs", "utf_16", "cp1252", "latin_1", "shift_jis", "euc_kr"]


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: many NUL bytes on one parity of positions."""
    if len(data) < 4 or len(data) % 2:
        return None
    even = data[0::2]
    odd = data[1::2]
    zeros_even = even.count(0) / len(even)
    zeros_odd = odd.count(0) / len(odd)
    if zeros_odd > 0.3 and zeros_even < 0.05:
        return "utf-16-le"
    if zeros_even > 0.3 and zeros_odd < 0.05:
        return "utf-16-be"
    return None


_CONTROLS = {cp: None for cp in [*range(32), *range(0x7F, 0xA0)] if chr(cp) not in "\t\n\r\f\v"}
_SAMPLE = 1 << 16  # characters a heuristic looks at: enough to tell text from binary, bounded on huge input


def _control_share(text: str) -> float:
    return (len(text) - len(text.translate(_CONTROLS))) / max(1, len(text))


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)`` or raise :class:`LoadError` explaining why the bytes are not text."""
    if not data:
        raise LoadError("empty file (0 bytes)")
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as exc:
                raise LoadError(f"invalid {name} after its byte-order mark at byte {exc.start}") from None
            return text.removeprefix("\ufeff"), name.replace("-sig", "")
    if b"\x00" in data:
        # UTF-16 without a BOM (NUL bytes on one parity for Latin text, fewer for CJK) or binary.
        guesses = [_looks_utf16(data)] if _looks_utf16(data) else []
        guesses += [name for name in ("utf-16-le", "utf-16-be") if name not in guesses]
        for name in guesses:
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                continue
            sample = text[:_SAMPLE]
            marks = sum(unicodedata.category(ch).startswith("M") for ch in sample)
            if (_control_share(text) <= 0.02 and sum(ch.isalpha() for ch in sample) >= len(sample) / 3
                    and marks <= len(sample) / 10 and (len(sample) < 32 or len(set(sample)) >= 8)):
                return text, name
        raise LoadError("binary content (NUL bytes), not a text file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None or best.encoding is None:
        raise LoadError(
            f"not decodable as UTF-8 (invalid byte at {utf8_error.start}) nor as GB18030, Big5, UTF-16"
            " or another common encoding"
        )
    text = str(best)
    if _control_share(text) > 0.02:
        raise LoadError(f"binary content: decodes as {best.encoding} only into control characters")
    return text, best.encoding.replace("_", "-")
