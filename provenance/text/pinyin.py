"""Pinyin annotations after Han characters, as republishers insert them: ``區(qū)``, ``會（huì）``.

An annotation is a parenthesised run of one to six pinyin syllables (tone marks, tone digits or
none) directly after a Han character. Only lowercase Latin text that segments into syllables
counts, so ordinary glosses such as ``(WTO)`` or ``(2022)`` are left alone.
"""

from __future__ import annotations

import re
import unicodedata

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CANDIDATE = re.compile(rf"(?<=[{_HAN}])[ \t]?\(([^()\n]{{1,48}})\)")
_INITIAL = r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINAL = (
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|uai|uan|ian|iao|van|ai|ei|ao|ou|an|en|er|in|un|vn|"
    r"ia|ie|iu|io|ua|uo|ui|ue|ve|a|o|e|i|u|v|ng|n|m)"
)
_SYLLABLE = _INITIAL + _FINAL + r"[1-5]?"
_WORD = re.compile(rf"{_SYLLABLE}(?:[ '\-·]?{_SYLLABLE}){{0,5}}")


def _plain(content: str) -> str:
    """Strip tone marks (ü is kept as v) so that only the letters are checked."""
    decomposed = unicodedata.normalize("NFD", content.replace("ü", "v").replace("Ü", "V"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def is_pinyin(content: str) -> bool:
    plain = _plain(content)
    if not plain or plain != plain.lower() or not plain.isascii():
        return False
    return _WORD.fullmatch(plain) is not None


def annotation_spans(text: str) -> list[tuple[int, int]]:
    """Spans ``[start, end)`` of pinyin annotations (parentheses included) in ``text``."""
    if "(" not in text:
        return []
    return [(m.start(), m.end()) for m in _CANDIDATE.finditer(text) if is_pinyin(m.group(1))]
