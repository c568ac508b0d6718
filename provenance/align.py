"""Passage alignment between two analysed texts, PAN style.

Seeds are shingles the two texts share; seeds on the same diagonal with consecutive positions
form runs; runs close to each other in both texts merge into passages; passages shorter than
``min_passage`` normalised characters are dropped. Spans are reported in the loaded texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from provenance.analysis import Analysis

_MAX_REPEATS = 4  # positions kept per repeated shingle, so repeated phrases cannot explode the seeds


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


def _seeds(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with a[i] == b[j], at most ``_MAX_REPEATS`` j per i."""
    order = np.argsort(b, kind="stable")
    sorted_b = b[order]
    left = np.searchsorted(sorted_b, a, side="left")
    right = np.searchsorted(sorted_b, a, side="right")
    counts = np.minimum(right - left, _MAX_REPEATS)
    i = np.repeat(np.arange(a.size), counts)
    if i.size == 0:
        return i, i
    starts = np.repeat(left, counts)
    within = np.arange(i.size) - np.repeat(np.cumsum(counts) - counts, counts)
    j = order[starts + within]
    return i.astype(np.int64), j.astype(np.int64)


def _runs(i: np.ndarray, j: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """Maximal diagonal runs as (i_start, i_end, j_start, j_end, seeds) over shingle positions."""
    if i.size == 0:
        return []
    diag = j - i
    order = np.lexsort((i, diag))
    i, j, diag = i[order], j[order], diag[order]
    breaks = np.flatnonzero((np.diff(diag) != 0) | (np.diff(i) != 1)) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [i.size])) - 1
    return [
        (int(i[s]), int(i[e]), int(j[s]), int(j[e]), int(e - s + 1))
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
    ]


def align(article: Analysis, source: Analysis, min_passage: int, gap: int | None = None) -> list[Passage]:
    """Copied passages of ``source`` in ``article``, longest first by article position."""
    a, b = article.shingles, source.shingles
    if len(a) == 0 or len(b) == 0:
        return []
    n = a.size
    gap = gap if gap is not None else max(2 * n, 8)
    i, j = _seeds(a.hashes, b.hashes)
    runs = _runs(i, j)
    if not runs:
        return []
    # Prefer long runs; drop runs whose article range is already covered by a longer one.
    runs.sort(key=lambda r: (-(r[1] - r[0]), r[0]))
    covered = np.zeros(len(a) + 1, dtype=bool)
    kept: list[tuple[int, int, int, int, int]] = []
    for run in runs:
        lo, hi = run[0], run[1] + 1
        if covered[lo:hi].mean() > 0.5:
            continue
        covered[lo:hi] = True
        kept.append(run)
    kept.sort(key=lambda r: r[0])
    merged: list[list[int]] = []
    members: list[list[tuple[int, int]]] = []  # the runs (shingle ranges) inside each merged passage
    for i0, i1, j0, j1, seeds in kept:
        if merged:
            last = merged[-1]
            if 0 <= i0 - last[1] <= gap and -n <= j0 - last[3] <= gap:
                last[1] = max(last[1], i1)
                last[3] = max(last[3], j1)
                last[4] += seeds
                members[-1].append((i0, i1))
                continue
        merged.append([i0, i1, j0, j1, seeds])
        members.append([(i0, i1)])
    passages: list[Passage] = []
    a_tok, b_tok = article.tokens, source.tokens
    a_norm = np.frombuffer(article.normalized.norm.encode("utf-32-le"), "<u4")
    token_is_char = a_norm != 32
    for (i0, i1, j0, j1, seeds), runs_in in zip(merged, members, strict=True):
        at0, at1 = i0, min(i1 + n, len(a_tok))  # token range [at0, at1)
        bt0, bt1 = j0, min(j1 + n, len(b_tok))
        a_start, a_end = int(a_tok.starts[at0]), int(a_tok.ends[at1 - 1])
        b_start, b_end = int(b_tok.starts[bt0]), int(b_tok.ends[bt1 - 1])
        # Only characters inside shared runs count towards min_passage, not the gaps merged over.
        covered = np.zeros(a_end - a_start, dtype=bool)
        for r0, r1 in runs_in:
            c0 = int(a_tok.starts[r0]) - a_start
            c1 = int(a_tok.ends[min(r1 + n, len(a_tok)) - 1]) - a_start
            covered[c0:c1] = True
        chars = int(np.count_nonzero(covered & token_is_char[a_start:a_end]))
        if chars < min_passage:
            continue
        positions = i1 - i0 + 1
        passages.append(Passage(
            article_tokens=(at0, at1), source_tokens=(bt0, bt1), article_shingles=(i0, i1 + 1),
            article=article.normalized.loaded_span(a_start, a_end),
            source=source.normalized.loaded_span(b_start, b_end),
            chars=chars, identical=min(1.0, seeds / positions),
        ))
    return passages
