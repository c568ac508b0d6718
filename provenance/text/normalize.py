"""Normalisation with an offset map back to the loaded text.

Two levels are produced, each a string with one offset per character into the loaded text:

``mid``   NFKC (full-width → half-width), invisible characters removed (zero-width, format,
          variation selectors, controls), pinyin annotations removed, Traditional → Simplified
          script (OpenCC, with Taiwan and Hong Kong variants). Case, punctuation, line breaks and
          wording kept: claims, disclaimers and boilerplate are read here.
``norm``  ``mid`` in one canonical vocabulary (mainland and Taiwan phrasing meet: 软件/软体,
          出租车/计程车, see ``tools/generate_vocabulary.py``), lower-cased, with every run of
          punctuation, symbols and whitespace folded into one space: the text that is tokenised
          and fingerprinted.

The steps run as numpy operations over code-point arrays; a name or a title of a few characters
goes through the same steps on strings (:func:`normalise_levels`), where the arrays' cost per call
would be most of the work. :data:`NORMALISER_VERSION` changes whenever their output may change,
and is recorded in every index.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import opencc

from provenance.text.codepoints import CharMap, to_codepoints, to_text
from provenance.text.offsets import covering_span
from provenance.text.pinyin import OPENING_BRACKETS, annotation_spans

NORMALISER_VERSION = 4

# Letter-like characters that render as nothing and are used to break up copied text.
_INVISIBLE_LETTERS = {0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x034F, 0x17B4, 0x17B5, 0x180E}


def _stage1_rule(ch: str) -> str:
    """NFKC per character; invisible characters dropped; tabs and other breaks become spaces."""
    cp = ord(ch)
    if ch == "\n":
        return "\n"
    if ch in "\t\f\v\u2028\u2029\x85":
        return "\n" if ch in "\u2028\u2029\x85" else " "
    cat = unicodedata.category(ch)
    if cat in ("Cf", "Cc", "Cs", "Co", "Cn") or cp in _INVISIBLE_LETTERS:
        return ""
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:  # variation selectors
        return ""
    out = unicodedata.normalize("NFKC", ch)
    return out


def _stage4_rule(ch: str) -> str:
    """Lower-case letters and digits; punctuation, symbols and spaces become one space."""
    cat = unicodedata.category(ch)
    if cat[0] in "PSZ" or cat == "Cc" or ch == "\n":
        return " "
    if cat[0] == "M":
        return ""
    low = ch.lower()
    low = low if len(low) == 1 else ch
    return _CONFUSABLES.get(low, low)


_IS_BRACKET = np.zeros(0x110000, dtype=bool)
_IS_BRACKET[[ord(c) for c in OPENING_BRACKETS]] = True
# Latin look-alikes from other scripts (Cyrillic, Greek) used to disguise copied English text. Both
# sides of a comparison are folded alike, so folding a real Cyrillic or Greek text is harmless.
_CONFUSABLES = dict(zip("авсеһіјкмнорѕтухԁԛԝαβεικνορτυχ", "abcehijkmhopstyxdqwabeiknoptux", strict=True))
_STAGE1 = CharMap(_stage1_rule)
_STAGE4 = CharMap(_stage4_rule)


@cache
def _converters() -> tuple[opencc.OpenCC, ...]:
    # Traditional (incl. Taiwan and Hong Kong variants) → Simplified script, then the canonical
    # vocabulary: one OpenCC pass over a table derived from OpenCC's own phrase dictionaries, in
    # place of the two full phrase conversions s2twp and tw2sp (six times the cost).
    vocabulary = Path(__file__).parent / "data" / "vocabulary.json"
    return opencc.OpenCC("tw2s"), opencc.OpenCC("hk2s"), opencc.OpenCC(str(vocabulary))


_SCRIPT_STAGES = slice(0, 2)
_VOCABULARY_STAGES = slice(2, None)


def _convert_whole(text: str, stages: slice) -> str:
    for converter in _converters()[stages]:
        text = converter.convert(text)
    return text


def _script_rule(ch: str) -> str:
    return _convert_whole(ch, _SCRIPT_STAGES)


# Which characters the script stages change, learnt one character at a time: a text without any
# (any Simplified text) skips those two OpenCC passes, whose phrases all hold such a character.
_SCRIPT_CHARS = CharMap(_script_rule)
_SHORT_TEXT = 256  # characters up to which str.translate beats the arrays' cost per call


def _needs_script_stages(text: str) -> bool:
    if len(text) <= _SHORT_TEXT:
        return text.translate(_SCRIPT_TEXT) != text
    return _SCRIPT_CHARS.changes(to_codepoints(text))


def _line_map(source: str, converted: str) -> list[int]:
    """For each character of ``converted``, the index of the ``source`` character it came from."""
    if len(source) == len(converted):
        return list(range(len(source)))
    # difflib is quadratic: align only what lies between the common head and tail.
    a, b = to_codepoints(source), to_codepoints(converted)
    shortest = min(a.size, b.size)
    differ = np.flatnonzero(a[:shortest] != b[:shortest])
    head = int(differ[0]) if differ.size else shortest
    differ = np.flatnonzero(a[::-1][: shortest - head] != b[::-1][: shortest - head])
    tail = int(differ[0]) if differ.size else shortest - head
    middle = source[head : len(source) - tail]
    if not middle:
        anchor = min(head, len(source) - 1)
        inner = [anchor] * (len(converted) - head - tail)
    else:
        inner = [head + k for k in _diff_map(middle, converted[head : len(converted) - tail])]
    return list(range(head)) + inner + list(range(len(source) - tail, len(source)))


def _diff_map(source: str, converted: str) -> list[int]:
    mapping: list[int] = []
    matcher = difflib.SequenceMatcher(None, source, converted, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            mapping.extend(range(i1, i2))
        elif tag in ("replace", "insert"):
            width = max(1, i2 - i1)
            anchor = i1 if i1 < len(source) else max(0, len(source) - 1)
            mapping.extend(min(anchor + (k * width) // (j2 - j1), max(anchor, i2 - 1)) for k in range(j2 - j1))
    return mapping


# Clause breaks: no phrase of a conversion table holds punctuation or a space, and difflib, which
# aligns a changed clause, is quadratic in its length.
_CLAUSE = re.compile(r"(?<=[\s，。！？；、,.!?;：:])")


def convert_mapped(text: str, stages: slice) -> tuple[str, np.ndarray | None]:
    """``text`` through OpenCC stages, with a map back to ``text`` when the length changed.

    OpenCC converts phrases, which almost always keeps the length; where it does not (隨身碟 → U盘),
    the changed clauses are aligned with difflib and every character keeps an offset.
    """
    converted = _convert_whole(text, stages)
    if len(converted) == len(text):
        return converted, None
    # Phrases never cross punctuation, so the converted text splits into the converted clauses;
    # only the clauses whose length changed need aligning.
    clauses = [c for c in _CLAUSE.split(text) if c]
    parts = [c for c in _CLAUSE.split(converted) if c]
    if len(parts) != len(clauses) or any(a[-1] != b[-1] for a, b in zip(clauses[:-1], parts[:-1], strict=True)):
        separator = next((chr(cp) for cp in range(0xE000, 0xF900) if chr(cp) not in text), None)
        parts = _convert_clauses(clauses, stages, separator)
        converted = "".join(parts)
    pieces: list[np.ndarray] = []
    run = position = 0  # unchanged clauses since ``run`` map one to one
    for clause, part in zip(clauses, parts, strict=True):
        if len(part) != len(clause):
            pieces.append(np.arange(run, position))
            pieces.append(position + np.array(_line_map(clause, part), dtype=np.int64))
            run = position + len(clause)
        position += len(clause)
    pieces.append(np.arange(run, position))
    return converted, np.concatenate(pieces)


def to_simplified(text: str) -> tuple[str, np.ndarray | None]:
    """Simplified script (any text without a Traditional character is returned as it is)."""
    return convert_mapped(text, _SCRIPT_STAGES) if _needs_script_stages(text) else (text, None)


def to_canonical_vocabulary(text: str) -> tuple[str, np.ndarray | None]:
    """Simplified text in the canonical vocabulary (软件 and 软体 → 软体), with a map as above."""
    return convert_mapped(text, _VOCABULARY_STAGES)


def _convert_clauses(clauses: list[str], stages: slice, separator: str | None) -> list[str]:
    """Each clause converted; one OpenCC call when a separator (a private-use character absent
    from the text, which no OpenCC phrase holds) keeps them apart."""
    if separator is not None:
        parts = _convert_whole(separator.join(clauses), stages).split(separator)
        if len(parts) == len(clauses):
            return parts
    return [_convert_whole(clause, stages) for clause in clauses]


def _has_han(cps: np.ndarray) -> bool:
    return bool(_IS_HAN[cps].any())


_HAN_RANGES = ((0x3400, 0x9FFF), (0xF900, 0xFAFF))  # the Han characters the conversions run for
_IS_HAN = np.zeros(0x110000, dtype=bool)  # one lookup, not four comparisons
for _low, _high in _HAN_RANGES:
    _IS_HAN[_low : _high + 1] = True
_HAN_BMP = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _HAN_RANGES) + "]")  # on a str


@dataclass
class Normalized:
    """The loaded text and its two normalised levels, each with offsets into the loaded text."""

    loaded: str
    mid: str
    mid_off: np.ndarray
    norm: str
    norm_off: np.ndarray

    def loaded_span(self, norm_start: int, norm_end: int) -> tuple[int, int]:
        """Span in the loaded text covering ``norm[norm_start:norm_end]`` (end exclusive)."""
        return covering_span(self.norm_off, norm_start, norm_end, len(self.loaded))

    def mid_span(self, mid_start: int, mid_end: int) -> tuple[int, int]:
        return covering_span(self.mid_off, mid_start, mid_end, len(self.loaded))


def normalise_mid(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Stages 1–3 (NFKC, invisible characters, pinyin annotations, script) as code points + offsets."""
    cps = to_codepoints(text)
    offsets = np.arange(cps.size, dtype=np.int64)
    cps, offsets = _STAGE1.apply(cps, offsets)
    if cps.size and _has_han(cps) and _IS_BRACKET[cps].any():
        spans = annotation_spans(to_text(cps))
        if spans:
            keep = np.ones(cps.size, dtype=bool)
            for start, end in spans:
                keep[start:end] = False
            cps, offsets = cps[keep], offsets[keep]
    if cps.size and _has_han(cps):
        cps, offsets = _mapped(to_simplified, cps, offsets)
    return cps, offsets


def _mapped(convert: Callable[[str], tuple[str, np.ndarray | None]], cps: np.ndarray,
            offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    converted, mapping = convert(to_text(cps))
    out = to_codepoints(converted)
    if mapping is None:
        return out, offsets
    if len(mapping) != out.size:
        return cps, offsets
    return out, offsets[mapping]


def canonical_vocabulary(cps: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The canonical vocabulary of ``mid`` code points (unchanged without Han characters)."""
    if cps.size and _has_han(cps):
        return _mapped(to_canonical_vocabulary, cps, offsets)
    return cps, offsets


def fold(cps: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stage 4: lower-case, punctuation/space runs → one space, no leading or trailing space."""
    cps, offsets = _STAGE4.apply(cps, offsets)
    if cps.size == 0:
        return cps, offsets
    space = cps == 0x20
    prev_space = np.concatenate(([True], space[:-1]))
    keep = ~(space & prev_space)
    cps, offsets = cps[keep], offsets[keep]
    if cps.size and cps[-1] == 0x20:
        cps, offsets = cps[:-1], offsets[:-1]
    return cps, offsets


def normalise(text: str) -> Normalized:
    """Normalise a loaded text into its ``mid`` and ``norm`` levels with offsets."""
    mid_cps, mid_off = normalise_mid(text)
    norm_cps, norm_off = fold(*canonical_vocabulary(mid_cps, mid_off))
    return Normalized(
        loaded=text, mid=to_text(mid_cps), mid_off=mid_off.astype(np.int32),
        norm=to_text(norm_cps), norm_off=norm_off.astype(np.int32),
    )


@lru_cache(maxsize=8192)  # outlet names recur across every match and claim of a scan
def normalise_name(name: str) -> str:
    """Key for comparing outlet names and aliases: script, width, case and punctuation ignored."""
    if name.isascii():  # as normalise_names does: each ASCII character on its own
        return name.translate(_ascii_table())
    return _normalise_name_stages(name)


def _normalise_name_stages(name: str) -> str:
    """:func:`normalise_name` through every stage of the normaliser."""
    return normalise_levels(name)[1].replace(" ", "")


class _Translation(dict[int, str]):
    """A ``str.translate`` table of a :class:`CharMap`, filled one code point at a time from the
    map's own table (each rule runs once a process for the arrays and the strings alike);
    bounded, as a text may bring any number of code points."""

    def __init__(self, char_map: CharMap) -> None:
        super().__init__()
        self._map = char_map

    def __missing__(self, cp: int) -> str:
        if len(self) >= _TRANSLATION_SIZE:
            self.clear()
        out = self[cp] = self._map.text_of(cp)
        return out


_TRANSLATION_SIZE = 1 << 16
_STAGE1_TEXT = _Translation(_STAGE1)
_STAGE4_TEXT = _Translation(_STAGE4)
_SCRIPT_TEXT = _Translation(_SCRIPT_CHARS)


def normalise_levels(text: str) -> tuple[str, str]:
    """:func:`normalise`'s ``mid`` and ``norm`` of ``text``, without offsets.

    The same stages on strings: for a name or a one-line title this is several times faster than
    the arrays, whose cost per call is most of the work on a few characters; a longer text goes
    through the arrays, faster there.
    """
    if len(text) > _SHORT_TEXT:
        normalized = normalise(text)
        return normalized.mid, normalized.norm
    mid = text.translate(_STAGE1_TEXT)
    if _HAN_BMP.search(mid):
        if spans := annotation_spans(mid):
            keep = bytearray(b"\1") * len(mid)
            for start, end in spans:
                keep[start:end] = bytes(end - start)
            mid = "".join(ch for ch, kept in zip(mid, keep, strict=True) if kept)
        if _HAN_BMP.search(mid):
            mid = _converted_text(to_simplified, mid)
    norm = _converted_text(to_canonical_vocabulary, mid) if _HAN_BMP.search(mid) else mid
    return mid, " ".join(part for part in norm.translate(_STAGE4_TEXT).split(" ") if part)


def _converted_text(convert: Callable[[str], tuple[str, np.ndarray | None]], text: str) -> str:
    """As :func:`_mapped`: a conversion whose map does not fit its text is not taken."""
    converted, mapping = convert(text)
    return converted if mapping is None or len(mapping) == len(converted) else text


@lru_cache(maxsize=1)
def _ascii_table() -> dict[int, str]:
    """Each ASCII character's part of a name key (``str.translate`` table)."""
    return {code: _normalise_name_stages(chr(code)) for code in range(128)}


def normalise_names(names: list[str]) -> list[str]:
    """:func:`normalise_name` of many names in one pass (a rules file may list 100,000 sources).

    The names are normalised as one text, a line each, and every character of the result goes
    back to its name by its offset; no stage looks across a line break (conversion phrases never
    hold one, an annotation never spans one), so each key equals the name's own.
    """
    if not names:
        return []
    if len(names) < _BULK_NAMES or any("\n" in name or "\r" in name for name in names):
        return [normalise_name(name) for name in names]
    # Names in ASCII go through a table: every stage maps an ASCII character on its own (the
    # conversions and annotations need Han characters), and spaces are dropped from keys.
    keys: dict[int, str] = {i: name.translate(_ascii_table()) for i, name in enumerate(names) if name.isascii()}
    # The conversions run on a text only when it holds a Han character of the ranges _has_han
    # looks at: names with one and names without are normalised as two texts, as each alone.
    groups: tuple[list[int], list[int]] = ([], [])
    for i, name in enumerate(names):
        if i not in keys:
            groups[_converted(name)].append(i)
    for group in groups:
        if group:
            keys.update(zip(group, _normalise_lines([names[i] for i in group]), strict=True))
    return [keys[i] for i in range(len(names))]


_BULK_NAMES = 128  # fewer names go one by one: a name on strings costs less than the arrays' cost per call


def _converted(name: str) -> bool:
    """Whether the conversions run on ``name`` normalised alone: its first stage holds a Han
    character of _has_han's ranges. Only a compatibility form can bring one in (㋀ is 1月), so a
    name already in NFKC is looked at as it is."""
    if unicodedata.is_normalized("NFKC", name):
        return _HAN_BMP.search(name) is not None
    return _has_han(normalise_mid(name)[0])


def _normalise_lines(names: list[str]) -> list[str]:
    """Keys of names normalised as one text, a line each (see :func:`normalise_names`)."""
    if len(names) == 1:
        return [normalise_name(names[0])]
    text = "\n".join(names)
    cps, offsets = fold(*canonical_vocabulary(*normalise_mid(text)))
    starts = np.cumsum([0] + [len(name) + 1 for name in names[:-1]])
    owner = np.searchsorted(starts, offsets, side="right") - 1
    keep = cps != 0x20
    cps, owner = cps[keep], owner[keep]
    bounds = np.searchsorted(owner, np.arange(len(names) + 1))
    folded = to_text(cps)
    return [folded[bounds[i] : bounds[i + 1]] for i in range(len(names))]
