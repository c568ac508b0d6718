"""Quotations: which characters of a text lie inside quotation marks.

Many outlets quote the same sentence of a press conference or a statement; a passage that lies
mostly inside quotation marks in both texts is evidence of a common speaker, not of copying
(DESIGN §5). Quotes are read in one pass: an opening mark (“ ‘ 「 『 « „ ＂ and the straight ")
opens a quote that its closing mark ends, or the end of the paragraph when that comes soon (a
quotation running over several paragraphs reopens each one with a mark). A closing mark with
nothing open is an apostrophe or a stray and opens nothing; an opening mark repeated before the
first is closed drops the unclosed one (scraped text loses marks).
"""

from __future__ import annotations

import re

import numpy as np

# Opening mark → its closing marks. Straight and full-width double quotes close themselves.
_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』", "«": "»", "„": "“”", "\"": "\"", "＂": "＂", "﹁": "﹂", "﹃": "﹄"}
_EVENTS = re.compile("[\n" + re.escape("".join(sorted(set("".join(_PAIRS) + "".join(_PAIRS.values()))))) + "]")
QUOTED_SHARE = 0.5  # a passage mostly inside quotes (in both texts) is a shared quotation
# A quote the paragraph ends before its closing mark counts up to this length (a quotation over
# several paragraphs); a longer one is a stray mark.
UNCLOSED_MAX = 400


def quoted_prefix(text: str) -> np.ndarray:
    """Characters inside quotation marks (the marks included) before each position of ``text``:
    ``prefix[e] - prefix[s]`` counts them in ``text[s:e]`` (one entry more than characters)."""
    inside = np.zeros(len(text), dtype=bool)
    closers: list[str] = []  # the marks that close the quotes open here, innermost last
    opener = ""
    start = 0
    for event in _EVENTS.finditer(text):
        position, ch = event.start(), event.group()
        if ch == "\n":
            if closers and position - start <= UNCLOSED_MAX:
                inside[start:position] = True
            closers.clear()
            continue
        if closers and ch in closers[-1]:
            closers.pop()
            if not closers:
                inside[start : position + 1] = True
            continue
        if ch not in _PAIRS:
            continue
        if not closers or ch == opener:
            # The outermost mark again before its close: the open quote was never closed (scraped
            # text loses marks), so it is dropped and a new one starts here.
            closers.clear()
            start, opener = position, ch
        closers.append(_PAIRS[ch])
    if closers and len(text) - start <= UNCLOSED_MAX:
        inside[start:] = True
    return np.concatenate(([0], np.cumsum(inside)))


def quoted_share(prefix: np.ndarray, start: int, end: int) -> float:
    """Share of ``text[start:end]`` inside quotation marks (``prefix`` from :func:`quoted_prefix`)."""
    start, end = max(0, start), min(end, len(prefix) - 1)
    if end <= start:
        return 0.0
    return float(prefix[end] - prefix[start]) / (end - start)
