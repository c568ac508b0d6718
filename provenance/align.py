"""Passage alignment between two analysed texts, PAN style.

Seeds are shingles the two texts share; seeds on the same diagonal with consecutive positions
form runs; runs close to each other in both texts merge into passages; passages shorter than
``min_passage`` normalised characters are dropped. Spans are reported in the loaded texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from provenance.text.tokens import Shingles, Tokens, contains, occurrences

_MAX_REPEATS = 4  # positions kept per repeated shingle, so repeated phrases cannot explode the seeds
_OPEN_PASSAGES = 8  # recent passages a run may continue


@dataclass
class Passage:
    """A copied passage: token ranges (inclusive start, exclusive end) and loaded-text spans."""

    article_tokens: tuple[int, int]
    source_tokens: tuple[int, int]
    article_shingles: tuple[int, int]  # shingle positions [start, end) on the article side
    article: tuple[int, int]
    source: tuple[int, int]
    chars: int  # normalised characters (spaces excluded) on the article side
    identical: float  # share of the article side's shingles found in order in the source side

    def to_dict(self) -> dict[str, object]:
        return {"article": list(self.article), "source": list(self.source), "chars": self.chars,
                "identical": round(self.identical, 3)}


class Side(Protocol):
    """One text of an alignment: an :class:`~provenance.analysis.Analysis`, or a corpus document's
    :class:`~provenance.source_view.SourceView` read from the index."""

    tokens: Tokens
    shingles: Shingles

    @property
    def is_char(self) -> np.ndarray: ...

    @property
    def char_prefix(self) -> np.ndarray: ...

    def loaded_span(self, start: int, end: int) -> tuple[int, int]: ...


def _seeds(article: Shingles, source: Shingles) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) with a[i] == b[j]; for repeated shingles, the few j nearest the main diagonal.

    Shingles that occur once on each side fix the dominant diagonal (j - i); where a shingle
    repeats in the source, only the ``_MAX_REPEATS`` occurrences closest to that diagonal are
    kept, so repeated phrases neither explode the seeds nor break the copied run.
    """
    a, order, sorted_b, b_size = article.hashes, source.order, source.sorted_hashes, source.hashes.size
    # The article side is searched in its own hash order (cached, shared by all its candidates):
    # sorted needles make the binary searches several times faster than text order.
    left = np.empty(a.size, dtype=np.int64)
    left[article.order] = np.searchsorted(sorted_b, article.sorted_hashes, side="left")
    counts = occurrences(sorted_b, a, left)
    single = counts == 1
    anchor = single & ~article.is_repeated
    diagonals = order[left[anchor]] - np.flatnonzero(anchor) if anchor.any() else np.zeros(1, np.int64)
    dominant = int(np.bincount(diagonals - diagonals.min()).argmax() + diagonals.min()) if diagonals.size else 0
    take = np.minimum(counts, _MAX_REPEATS)
    starts = left.copy()
    crowded = np.flatnonzero(counts > _MAX_REPEATS)
    if crowded.size:
        # occurrences of each crowded shingle in the source, ascending; centre the window on i + dominant
        span = b_size + 1
        keys = source.grouped_positions
        targets = keys[left[crowded]] // span * span + np.clip(crowded + dominant, 0, span - 1)
        centre = np.searchsorted(keys, targets) - left[crowded]
        first = np.minimum(np.maximum(0, centre - _MAX_REPEATS // 2), counts[crowded] - _MAX_REPEATS)
        starts[crowded] = left[crowded] + first
    if counts.max(initial=0) <= 1:  # every shared shingle occurs once in the source: one seed each
        i_all = np.flatnonzero(take)
        return i_all, order[starts[i_all]].astype(np.int64)
    i_all = np.repeat(np.arange(a.size), take)
    within = np.arange(i_all.size) - np.repeat(np.cumsum(take) - take, take)
    j_all = order[np.repeat(starts, take) + within]
    return i_all.astype(np.int64), j_all.astype(np.int64)


def _runs(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Maximal diagonal runs over shingle positions (seeds in article order), one row each: i_start, i_end, j_start, j_end,
    seeds; ordered by diagonal, then article position."""
    if i.size == 0:
        return np.zeros((0, 5), dtype=np.int64)
    diag = j - i
    order = np.argsort(diag, kind="stable")  # seeds come in article order: ties stay by position
    i, j, diag = i[order], j[order], diag[order]
    breaks = np.flatnonzero((diag[1:] != diag[:-1]) | (i[1:] - i[:-1] != 1)) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [i.size])) - 1
    return np.stack((i[starts], i[ends], j[starts], j[ends], ends - starts + 1), axis=1)


Run = tuple[int, int, tuple[int, int]]


def _covered_chars(tokens: Tokens, char_prefix: np.ndarray, start: int, end: int, runs: list[tuple[int, int]],
                   n: int) -> int:
    """Normalised characters (spaces excluded) of ``[start, end)`` covered by the shingle runs:
    the runs' character ranges merged, each counted from the prefix sums of body characters."""
    last = len(tokens) - 1
    ranges = sorted(
        (max(start, int(tokens.starts[r0])), min(end, int(tokens.ends[min(r1 + n - 1, last)])))
        for r0, r1 in runs
    )
    total = 0
    lo, hi = ranges[0]
    for r_lo, r_hi in ranges[1:]:
        if r_lo > hi:
            if hi > lo:
                total += int(char_prefix[hi] - char_prefix[lo])
            lo, hi = r_lo, r_hi
        elif r_hi > hi:
            hi = r_hi
    if hi > lo:
        total += int(char_prefix[hi] - char_prefix[lo])
    return total


def _continues(last: list[int], i0: int, j0: int, gap: int, n: int) -> bool:
    """Does a run starting at (i0, j0) continue the passage ``last`` (gaps and drift both small)?

    Overlaps (repeated text at a seam) are allowed only on the passage's own diagonal; forward
    gaps may shift the diagonal by at most ``gap`` (a word or two changed or dropped).
    """
    di, dj = i0 - last[1], j0 - last[3]
    if di < 0 or dj < 0:
        return -n <= di <= 0 and -n <= dj <= 0 and di == dj
    return di <= gap and dj <= gap


def _close_gaps(merged: list[list[int]], members: list[list[Run]],
                gap: int, n: int) -> tuple[list[list[int]], list[list[Run]]]:
    """Join passages that touch or overlap on both sides (repeated text can leave them apart)."""
    order = sorted(range(len(merged)), key=lambda k: (merged[k][0], merged[k][2]))
    out: list[list[int]] = []
    out_members: list[list[Run]] = []
    for k in order:
        i0, i1, j0, j1, seeds = merged[k]
        if out:
            last = out[-1]
            if _continues(last, i0, j0, gap, n):
                last[1], last[3], last[4] = max(last[1], i1), max(last[3], j1), last[4] + seeds
                out_members[-1].extend(members[k])
                continue
        out.append([i0, i1, j0, j1, seeds])
        out_members.append(list(members[k]))
    return out, out_members


def default_gap(n: int) -> int:
    """Shingle positions a passage may skip between two shared runs (a word or two changed)."""
    return max(3 * n, 8)


def align(article: Side, source: Side, min_passage: int, gap: int | None = None) -> list[Passage]:
    """Copied passages of ``source`` in ``article``, longest first by article position."""
    a, b = article.shingles, source.shingles
    if len(a) == 0 or len(b) == 0:
        return []
    n = a.size
    gap = gap if gap is not None else default_gap(n)
    i, j = _seeds(a, b)
    runs = _runs(i, j)
    # A lone seed of a shingle that repeats (in either text) is no evidence of copying: in
    # repetitive text it would stretch a passage over text the other side does not have.
    if runs.size and (a.repeated.size or b.repeated.size):
        lone = (runs[:, 0] == runs[:, 1]) & (a.is_repeated[runs[:, 0]] | contains(b.repeated, a.hashes[runs[:, 0]]))
        runs = runs[~lone]
    if runs.size == 0:
        return []
    # Prefer long runs; drop runs whose article range is already covered by a longer one.
    runs = runs[np.lexsort((runs[:, 0], runs[:, 0] - runs[:, 1]))]  # stable: ties keep diagonal order
    covered = bytearray(len(a) + 1)
    kept: list[list[int]] = []
    for run in runs.tolist():
        lo, hi = run[0], run[1] + 1
        if 2 * covered.count(1, lo, hi) > hi - lo:
            continue
        covered[lo:hi] = b"\x01" * (hi - lo)
        kept.append(run)
    kept.sort(key=lambda r: r[0])
    merged: list[list[int]] = []
    members: list[list[Run]] = []  # the runs (article and source shingle ranges) inside each merged passage
    for i0, i1, j0, j1, seeds in kept:
        # Join the nearest open passage that this run continues on both sides; a stray run from
        # repeated phrases in between must not cut a passage in two.
        best, best_distance = -1, -1
        for k in range(len(merged) - 1, max(-1, len(merged) - 1 - _OPEN_PASSAGES), -1):
            last = merged[k]
            # _continues(last, i0, j0, gap, n), written out: this test runs some 250 times a pair
            di, dj = i0 - last[1], j0 - last[3]
            if (di <= gap and dj <= gap) if di >= 0 and dj >= 0 else (di == dj and -n <= di):
                distance = abs(di) + abs(dj)
                if best_distance < 0 or distance < best_distance:
                    best, best_distance = k, distance
        if best >= 0:
            last = merged[best]
            last[1] = max(last[1], i1)
            last[3] = max(last[3], j1)
            last[4] += seeds
            members[best].append((i0, i1, (j0, j1)))
            continue
        merged.append([i0, i1, j0, j1, seeds])
        members.append([(i0, i1, (j0, j1))])
    merged, members = _close_gaps(merged, members, gap, n)
    passages: list[Passage] = []
    a_tok, b_tok = article.tokens, source.tokens
    a_chars, b_chars = article.char_prefix, source.char_prefix
    # Token ranges [at0, at1) and [bt0, bt1) and their character spans, for all passages at once.
    spans = np.array(merged, dtype=np.int64)
    at1s = np.minimum(spans[:, 1] + n, len(a_tok))
    bt1s = np.minimum(spans[:, 3] + n, len(b_tok))
    a_starts, a_ends = a_tok.starts[spans[:, 0]], a_tok.ends[at1s - 1]
    b_starts, b_ends = b_tok.starts[spans[:, 2]], b_tok.ends[bt1s - 1]
    # Too short even if every character counted: most stray runs end here.
    long_enough = np.flatnonzero(np.minimum(a_ends - a_starts, b_ends - b_starts) >= min_passage)
    for k in long_enough.tolist():
        i0, i1, j0, j1, seeds = merged[k]
        runs_in = members[k]
        at0, at1, bt0, bt1 = i0, int(at1s[k]), j0, int(bt1s[k])
        a_start, a_end, b_start, b_end = int(a_starts[k]), int(a_ends[k]), int(b_starts[k]), int(b_ends[k])
        # Only characters inside shared runs count towards min_passage, not the gaps merged over,
        # and on both sides: text repeated in the article cannot count twice against one source span.
        chars = min(
            _covered_chars(a_tok, a_chars, a_start, a_end, [(r0, r1) for r0, r1, _ in runs_in], n),
            _covered_chars(b_tok, b_chars, b_start, b_end, [(s0, s1) for _, _, (s0, s1) in runs_in], n),
        )
        if chars < min_passage:
            continue
        positions = i1 - i0 + 1
        passages.append(Passage(
            article_tokens=(at0, at1), source_tokens=(bt0, bt1), article_shingles=(i0, i1 + 1),
            article=article.loaded_span(a_start, a_end),
            source=source.loaded_span(b_start, b_end),
            chars=chars, identical=min(1.0, seeds / positions),
        ))
    return passages
