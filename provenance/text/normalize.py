"""Normalisation with an offset map back to the loaded text.

Two levels are produced, each a string with one offset per character into the loaded text:

``mid``   NFKC (full-width → half-width), invisible characters removed (zero-width, format,
          variation selectors, controls), pinyin annotations removed, Traditional → Simplified
          (OpenCC, with Taiwan and Hong Kong variants). Case, punctuation and line breaks kept:
          claims, disclaimers and boilerplate are read here.
``norm``  ``mid`` lower-cased, with every run of punctuation, symbols and whitespace folded into
          one space: the text that is tokenised and fingerprinted.

The steps run as numpy operations over code-point arrays; :data:`NORMALISER_VERSION` changes
whenever their output may change, and is recorded in every index.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
import opencc

from provenance.text.codepoints import CharMap, to_codepoints, to_text
from provenance.text.pinyin import annotation_spans

NORMALISER_VERSION = 2

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


_BRACKETS = np.array([ord(c) for c in "([〔【〖"], dtype=np.int64)
# Latin look-alikes from other scripts (Cyrillic, Greek) used to disguise copied English text. Both
# sides of a comparison are folded alike, so folding a real Cyrillic or Greek text is harmless.
_CONFUSABLES = dict(zip("авсеһіјкмнорѕтухԁԛԝαβεικνορτυχ", "abcehijkmhopstyxdqwabeiknoptux", strict=True))
_STAGE1 = CharMap(_stage1_rule)
_STAGE4 = CharMap(_stage4_rule)


@cache
def _converters() -> tuple[opencc.OpenCC, ...]:
    return tuple(opencc.OpenCC(name) for name in ("tw2s", "hk2s"))


def _convert_whole(text: str) -> str:
    for converter in _converters():
        text = converter.convert(text)
    return text


def to_simplified(text: str) -> str:
    """Traditional (incl. Taiwan/Hong Kong variants) → Simplified, keeping the length.

    OpenCC converts phrases, which almost always keeps the length; where a line's length changes,
    that line is converted character by character so offsets stay one-to-one.
    """
    converted = _convert_whole(text)
    if len(converted) == len(text):
        return converted
    lines = text.split("\n")
    out_lines = []
    for line in lines:
        conv = _convert_whole(line)
        if len(conv) != len(line):
            conv = "".join(c if len(c) == 1 else ch for ch, c in ((ch, _convert_whole(ch)) for ch in line))
        out_lines.append(conv)
    return "\n".join(out_lines)


def _has_han(cps: np.ndarray) -> bool:
    return bool(((cps >= 0x3400) & (cps <= 0x9FFF)).any() or ((cps >= 0xF900) & (cps <= 0xFAFF)).any())


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
        if norm_end <= norm_start:
            pos = int(self.norm_off[norm_start]) if norm_start < len(self.norm_off) else len(self.loaded)
            return pos, pos
        return int(self.norm_off[norm_start]), int(self.norm_off[norm_end - 1]) + 1

    def mid_span(self, mid_start: int, mid_end: int) -> tuple[int, int]:
        if mid_end <= mid_start:
            pos = int(self.mid_off[mid_start]) if mid_start < len(self.mid_off) else len(self.loaded)
            return pos, pos
        return int(self.mid_off[mid_start]), int(self.mid_off[mid_end - 1]) + 1


def normalise_mid(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Stages 1–3 (NFKC, invisible characters, pinyin annotations, script) as code points + offsets."""
    cps = to_codepoints(text)
    offsets = np.arange(cps.size, dtype=np.int64)
    cps, offsets = _STAGE1.apply(cps, offsets)
    if cps.size and _has_han(cps) and np.isin(cps, _BRACKETS).any():
        spans = annotation_spans(to_text(cps))
        if spans:
            keep = np.ones(cps.size, dtype=bool)
            for start, end in spans:
                keep[start:end] = False
            cps, offsets = cps[keep], offsets[keep]
    if cps.size and _has_han(cps):
        simplified = to_codepoints(to_simplified(to_text(cps)))
        if simplified.size == cps.size:
            cps = simplified
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
    norm_cps, norm_off = fold(mid_cps, mid_off)
    return Normalized(
        loaded=text, mid=to_text(mid_cps), mid_off=mid_off.astype(np.int32),
        norm=to_text(norm_cps), norm_off=norm_off.astype(np.int32),
    )


def normalise_name(name: str) -> str:
    """Key for comparing outlet names and aliases: script, width, case and punctuation ignored."""
    cps, off = normalise_mid(name)
    cps, _ = fold(cps, off)
    return to_text(cps).replace(" ", "")
