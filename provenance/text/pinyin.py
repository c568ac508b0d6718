"""Reading annotations after Han characters, as republishers insert them: ``區(qū)``, ``會（huì）``,
``區[qū]``, ``區〔qu1〕``, or zhuyin ``區(ㄑㄩ)``.

An annotation is a bracketed run of one to six pinyin syllables (tone marks, tone digits or none),
or of zhuyin (bopomofo) symbols, directly after a Han character. Only lowercase Latin text that
segments into syllables counts, so ordinary glosses such as ``(WTO)`` or ``(2022)`` are left alone.
"""

from __future__ import annotations

import re
import unicodedata

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A bracketed run; an annotation when a Han character comes right before its bracket, or before
# one space or tab before it. The pattern starts at the bracket, so a search skips to brackets;
# the character before is looked at after (a look-behind first was tried at every position).
OPENING_BRACKETS = "([〔【〖"  # what an annotation opens with (as _BRACKETED's first class)
_BRACKETED = re.compile(r"[(\[〔【〖]([^()\[\]〔〕【】〖〗\n]{1,48})[)\]〕】〗]")
_HAN_CHAR = re.compile(f"[{_HAN}]")
_ZHUYIN = re.compile(r"[\u3105-\u312f\u31a0-\u31bfˊˇˋ˙ \u02c9]+")
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
    """Pinyin syllables (any tone notation) or zhuyin symbols."""
    if _ZHUYIN.fullmatch(content) and any("\u3105" <= ch <= "\u312f" for ch in content):
        return True
    plain = _plain(content)
    if not plain or plain != plain.lower() or not plain.isascii():
        return False
    return _WORD.fullmatch(plain) is not None


def annotation_spans(text: str) -> list[tuple[int, int]]:
    """Spans ``[start, end)`` of pinyin annotations (parentheses included) in ``text``."""
    if not any(bracket in text for bracket in OPENING_BRACKETS):
        return []
    spans = []
    for m in _BRACKETED.finditer(text):
        start = m.start()
        if start and text[start - 1] in " \t" and start > 1 and _HAN_CHAR.match(text, start - 2):
            start -= 1
        elif not (start and _HAN_CHAR.match(text, start - 1)):
            continue
        if is_pinyin(m.group(1)):
            spans.append((start, m.end()))
    return spans
