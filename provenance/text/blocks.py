"""Boilerplate blocks: lines of a page that are not the article's own text.

Editor lines, stock-ticker runs, site notices and disclaimers, breadcrumbs and date lines, credit
lines, and the chrome of indexed sources (lines a source repeats across its pages, learnt from the
corpus: :mod:`provenance.text.chrome`) are separated from the body. They are kept (attribution and
rules read them) but never fingerprinted. Classification reads the ``mid`` level (Simplified,
half-width), so one set of patterns covers both scripts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from provenance.credits.disclaimers import read_disclaimer
from provenance.text.normalize import Normalized

EDITOR = "editor"
TICKER = "ticker"
NOTICE = "notice"
META = "meta"
CREDIT = "credit"
CHROME = "chrome"  # a line that is chrome of an indexed source (scan side only)
CAPTION = "caption"  # a photo caption or its credit: goes with the picture, not the text

_EDITOR_ZH = re.compile(
    r"^[\s(\[【〔<]*(?:责任编辑|责编|编辑|审核|审校|校对|终审|初审|复审|编审|监制|主编|值班编辑|作者|记者|通讯员|"
    r"实习生|摄影|美编|制图|翻译|编译)(?:\s*[:：/]|\s+[\u4e00-\u9fff]{2,4}(?:\s|$))"
)
_EDITOR_EN = re.compile(
    r"^[\s(\[]*(?:edit(?:ed|ing)? by|editor|editors|reporting by|reported by|writing by|written by|"
    r"additional reporting by|compiled by|produced by|reviewed by|by\s+[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}\s*$)",
    re.I,
)
_NOTICE_ZH = re.compile(
    r"转载|转发|版权|免责|声明|不代表本站|不代表本网|撤下|删除|侵权|联系我们|投诉|邮箱|摘编|授权|本站|本网|"
    r"仅供参考|不构成投资建议|据此操作|风险自担|文责自负|观点仅代表"
)
_NOTICE_EN = re.compile(
    r"reproduc|republish|reprint|all rights reserved|copyright|©|takedown|disclaimer|do(?:es)? not "
    r"(?:necessarily )?(?:endorse|represent|reflect)|vouch|views expressed|terms of use|"
    r"may not be (?:published|broadcast|rewritten|redistributed|reproduced)|creative commons|cc by|"
    r"^notice\s*:|not investment advice|contact us|e-?mail\s*:",
    re.I,
)
# Any text holding a notice line or sentence holds a match of one of these (a superset of both
# patterns): a text without one skips the notice tests of every line and sentence. IGNORECASE
# makes a search many times slower, so the English words are searched case-sensitively in the
# lower-cased text, which finds the same (the words are lower case, no class holds a letter),
# except where a character folds to an ASCII letter only under IGNORECASE.
_ANY_NOTICE_EN = _NOTICE_EN.pattern.replace(r"^notice\s*:", r"notice\s*:")
_ANY_NOTICE_LOWER = re.compile(_ANY_NOTICE_EN)
_ANY_NOTICE_FOLDED = re.compile(_ANY_NOTICE_EN, re.I)
FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")  # İ ı ſ K: IGNORECASE matches them to i, s, k
_NOTICE_LEAD = re.compile(r"^\s*(?:notice|disclaimer|copyright|声明|免责声明|版权声明|特别声明|郑重声明)\s*[:：]", re.I)
_BRACKET_HEAD = re.compile(r"^\s*[【\[〖][^】\]〗]{1,12}[】\]〗]")
_NUMERIC = re.compile(r"^[\s\d.,:%+\-–—/()]*$")
_DATE = re.compile(
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}"
    r"|\d{1,2}:\d{2}",
    re.I,
)
_DATE_DIGITS = re.compile(r"\d(?:\d\d\d|:\d)")
_SEPARATORS = re.compile(r"\s[>|›»/]\s|[>›»]")
# The look-behind refuses starts inside a run of address characters, each of which would scan
# the rest of the run (it changes nothing for fullmatch).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+")
_SENTENCE_END = re.compile(r"[。！？!?；;]|\.\s|\.$")


@dataclass
class Block:
    """A boilerplate line (or run of lines) with its kind and span in the loaded text."""

    kind: str
    start: int
    end: int
    text: str  # the line(s) at the ``mid`` level


@dataclass
class Line:
    start: int  # in mid
    end: int
    text: str


def split_lines(normalized: Normalized) -> list[Line]:
    return split_lines_of(normalized.mid)


def split_lines_of(mid: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for piece in mid.split("\n"):
        lines.append(Line(pos, pos + len(piece), piece))
        pos += len(piece) + 1
    return lines


def _is_ticker_line(text: str) -> bool:
    stripped = text.strip()
    if not stripped:
        return False
    if _NUMERIC.match(stripped):
        return True
    return len(stripped) <= 16 and not _SENTENCE_END.search(stripped)


def _is_numeric_line(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and bool(_NUMERIC.match(stripped)) and any(c.isdigit() or c in "-–—" for c in stripped)


_CREDIT_START = re.compile(
    r"^[\s(\[【]*(?:(?:本文|此文|该文)?(?:转载|转引|转)自|本文来(?:自|源于)|(?:文章|信息|新闻)?(?:来源|稿源)|原载|"
    r"source\s*:|reprinted (?:with permission )?from|courtesy of)",
    re.I,
)
_TERMS = re.compile(r"请|不得|禁止|严禁|须|需|注明|保留|授权|许可|must|may not|prohibit|permission of", re.I)


# A literal (lower case) that every match of _ANY_NOTICE_EN holds, one alternative or more each:
# an ASCII text holding none of them once lower-cased is not searched (the search tries its
# alternatives at every character; the literals are found about three times faster). Other texts
# are searched at once: in a text of wider characters the literals are found no faster.
_ANY_NOTICE_WORDS = (
    "repr", "republish", "all rights reserved", "copyright", "takedown", "disclaimer", "do not ", "does not ", "vouch",
    "views expressed", "terms of use", "may not be ", "creative commons", "cc by", "notice", "investment advice",
    "contact us", "mail",
)


@lru_cache(maxsize=4)  # asked of one text in turn by classify_lines (once or twice) and the credit reader
def may_hold_notice(text: str) -> bool:
    """False when no line or sentence of ``text`` can be a notice (no notice wording anywhere)."""
    if text.isascii():  # no Han wording, no character that folds to an ASCII letter
        lower = text.lower()
        return any(word in lower for word in _ANY_NOTICE_WORDS) and _ANY_NOTICE_LOWER.search(lower) is not None
    if _NOTICE_ZH.search(text) or _ANY_NOTICE_LOWER.search(text.lower()):
        return True
    return FOLDS_TO_ASCII.search(text) is not None and _ANY_NOTICE_FOLDED.search(text) is not None


def _holds_notice_en(text: str) -> bool:
    """``_NOTICE_EN.search(text)``, searched only when the lower-cased text holds a match of its
    wider case-sensitive form (or a character that folds to ASCII only under IGNORECASE): that
    search is many times cheaper, and most sentences asked about (body text) hold none."""
    if _ANY_NOTICE_LOWER.search(text.lower()) is None and (text.isascii() or FOLDS_TO_ASCII.search(text) is None):
        return False
    return _NOTICE_EN.search(text) is not None


def is_notice(text: str) -> bool:
    """A site notice or disclaimer sentence (reprint terms, takedown, copyright, views disclaimers)."""
    stripped = text.strip()
    if not stripped:
        return False
    if len(stripped) > 600 and not _BRACKET_HEAD.match(stripped):
        return False  # a paragraph of body text, however it is worded
    if not (_NOTICE_ZH.search(stripped) or _holds_notice_en(stripped)):
        return False
    if _CREDIT_START.match(stripped) and len(stripped) <= 80 and not _TERMS.search(stripped):
        return False  # a credit line ("本文转载自X"), not a notice about reprinting
    hits = len(_NOTICE_ZH.findall(stripped)) + len(_NOTICE_EN.findall(stripped))
    if _BRACKET_HEAD.match(stripped) or _NOTICE_LEAD.match(stripped):
        return True
    if len(stripped) <= 80:
        return True
    # Longer lines are notices only when short enough to be nothing else; a long paragraph that
    # ends (or opens) with a notice sentence is split sentence by sentence instead.
    if len(stripped) <= 200 and read_disclaimer(stripped) is not None:
        return True
    return hits >= 3 and len(stripped) <= 200 and hits * 40 >= len(stripped) / 2


def is_editor_line(text: str) -> bool:
    stripped = text.strip()
    if len(stripped) > 120 or not stripped:
        return False
    return bool(_EDITOR_ZH.match(stripped) or _EDITOR_EN.match(stripped))


def is_meta_line(text: str) -> bool:
    """Breadcrumbs, date/time lines, bare e-mail lines."""
    stripped = text.strip()
    if not stripped or len(stripped) > 90:
        return False
    if _EMAIL.fullmatch(stripped):
        return True
    # every form of _DATE holds four digits in a row or a digit, a colon and a digit: a search for
    # those alone is several times cheaper than the date search (and most lines hold neither)
    has_date = _DATE_DIGITS.search(stripped) is not None and _DATE.search(stripped) is not None
    if has_date and _SEPARATORS.search(stripped):
        return True
    return bool(has_date and len(_DATE.sub("", stripped).strip(" -:/|")) <= 3)


_SENTENCE_END_AT = re.compile(r"(?<=[。！？!?])|(?<=\.\s)")


def _notice_sentences(line: Line) -> list[tuple[int, int, str]]:
    """Notice sentences appended to (or opening) a paragraph of body text: ``[start, end)`` in mid.

    Only a run of notice sentences at the start or at the end of the paragraph counts, so a
    sentence about copyright in the middle of a news story stays part of the story.
    """
    pieces: list[tuple[int, int, str]] = []
    position = line.start
    for piece in _SENTENCE_END_AT.split(line.text):
        if piece:
            pieces.append((position, position + len(piece), piece))
            position += len(piece)
    if len(pieces) < 2:
        return []
    flags = [is_notice(text) and len(text.strip()) <= 200 for _, _, text in pieces]
    found: list[tuple[int, int, str]] = []
    k = len(pieces)
    while k > 0 and flags[k - 1]:
        k -= 1
    if 0 < k < len(pieces):
        found.append((pieces[k][0], pieces[-1][1], "".join(p[2] for p in pieces[k:])))
    j = 0
    while j < k and flags[j]:
        j += 1
    if 0 < j < k:
        found.append((pieces[0][0], pieces[j - 1][1], "".join(p[2] for p in pieces[:j])))
    return found


class LineKinds:
    """The lines of a ``mid`` text and what each is by its own wording (editor, notice, meta or
    None), as :func:`classify_lines` reads them before credits, chrome and captions are known."""

    def __init__(self, mid: str) -> None:
        self.lines = split_lines_of(mid)
        self.notices = may_hold_notice(mid)
        kinds: list[str | None] = []
        for line in self.lines:
            text = line.text
            if not text.strip():
                kinds.append(None)
            elif is_editor_line(text):
                kinds.append(EDITOR)
            elif self.notices and is_notice(text):
                kinds.append(NOTICE)
            elif is_meta_line(text):
                kinds.append(META)
            else:
                kinds.append(None)
        self.kinds: tuple[str | None, ...] = tuple(kinds)
        self._sentences: dict[int, list[tuple[int, int, str]]] = {}

    def sentences(self, number: int) -> list[tuple[int, int, str]]:
        """The notice sentences inside line ``number`` (see :func:`_notice_sentences`)."""
        found = self._sentences.get(number)
        if found is None:
            found = self._sentences[number] = _notice_sentences(self.lines[number])
        return found


# A text is classified once before its credits are read and again, with them, in most documents
# (photo captions are common); the credit reader asks the same of each line in between.
@lru_cache(maxsize=4)
def line_kinds(mid: str) -> LineKinds:
    """The :class:`LineKinds` of ``mid`` (shared: read it, never change it)."""
    return LineKinds(mid)


def classify_lines(normalized: Normalized, credit_lines: set[int] | None = None,
                   credit_spans: list[tuple[int, int]] | None = None,
                   chrome_lines: set[int] | None = None, caption_lines: set[int] | None = None) -> list[Block]:
    """Boilerplate blocks of a normalised text.

    ``credit_lines`` are line numbers that are credit lines; ``credit_spans`` are credits inside
    other lines (loaded-text spans), which become blocks of their own. ``chrome_lines`` are line
    numbers that are chrome of an indexed source: they become ``chrome`` blocks unless they are
    editor lines, notices or meta lines (already boilerplate, and read as such); consecutive
    chrome lines make one block. ``caption_lines`` (photo captions and their credits, as
    :func:`provenance.credits.claims.caption_lines` finds them) become ``caption`` blocks the same way.
    """
    own = line_kinds(normalized.mid)
    lines = own.lines
    kinds: list[str | None] = list(own.kinds)
    sentence_notices: list[tuple[int, int, str]] = []  # notices inside paragraphs (mid offsets)
    for i, line in enumerate(lines):
        if not line.text.strip():
            continue
        if credit_lines and i in credit_lines and not (chrome_lines and i in chrome_lines):
            kinds[i] = CREDIT
        elif kinds[i] is not None:
            pass
        elif chrome_lines and i in chrome_lines:
            kinds[i] = CHROME
        elif caption_lines and i in caption_lines:
            kinds[i] = CAPTION
        elif own.notices and len(line.text) > 80:
            sentence_notices.extend(own.sentences(i))
    # Ticker runs: consecutive short or numeric lines with at least two numeric ones.
    i = 0
    while i < len(lines):
        if kinds[i] is None and _is_ticker_line(lines[i].text):
            j = i
            numeric = 0
            while j < len(lines) and (not lines[j].text.strip() or (kinds[j] is None and _is_ticker_line(lines[j].text))):
                numeric += _is_numeric_line(lines[j].text)
                j += 1
            nonblank = sum(1 for k in range(i, j) if lines[k].text.strip())
            if numeric >= 2 and nonblank >= 3:
                for k in range(i, j):
                    if lines[k].text.strip():
                        kinds[k] = TICKER
            i = max(j, i + 1)
        else:
            i += 1
    blocks: list[Block] = []
    texts: list[list[str]] = []  # each block's lines, joined at the end (not copied per line added)
    previous = -2  # line number of the last boilerplate line, blank lines skipped
    for number, (line, kind) in enumerate(zip(lines, kinds, strict=True)):
        if kind is None:
            if line.text.strip():
                previous = -2  # body text in between: the next notice starts a block of its own
            continue
        start, end = normalized.mid_span(line.start, line.end)
        if blocks and previous >= 0 and blocks[-1].kind == kind and kind in (TICKER, NOTICE, CHROME, CAPTION):
            blocks[-1].end = end
            texts[-1].append(line.text)
        else:
            blocks.append(Block(kind, start, end, line.text))
            texts.append([line.text])
        previous = number
    for block, block_lines in zip(blocks, texts, strict=True):
        block.text = "\n".join(block_lines)
    for lo, hi, text in sentence_notices:
        start, end = normalized.mid_span(lo, hi)
        blocks.append(Block(NOTICE, start, end, text))
    for start, end in credit_spans or ():
        blocks.append(Block(CREDIT, start, end, normalized.loaded[start:end]))
    blocks.sort(key=lambda b: b.start)
    return blocks


def body_mask(normalized: Normalized, blocks: list[Block]) -> np.ndarray:
    """Boolean mask over ``norm`` characters: True where the character belongs to the body."""
    size = len(normalized.norm)
    if not blocks:
        return np.ones(size, dtype=bool)
    # One search for all the blocks (searching the int32 offsets for one Python int at a time
    # copies them to int64 each time: quadratic in a text of many credit lines), and the covered
    # ranges marked by counting starts and ends rather than a slice each (they may overlap).
    # A few blocks (most texts have one to three) are cleared a slice each: counting costs more there.
    found = np.searchsorted(normalized.norm_off, np.array([(block.start, block.end) for block in blocks],
                                                          dtype=np.int64).ravel(), side="left")
    if len(blocks) <= _FEW_BLOCKS:
        mask = np.ones(size, dtype=bool)
        bounds = found.tolist()
        for k in range(0, len(bounds), 2):
            mask[bounds[k]:bounds[k + 1]] = False
        return mask
    lo, hi = found[0::2], found[1::2]
    some = lo < hi
    depth = np.bincount(lo[some], minlength=size + 1) - np.bincount(hi[some], minlength=size + 1)
    return np.cumsum(depth[:size]) == 0


_FEW_BLOCKS = 16
