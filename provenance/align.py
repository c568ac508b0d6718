"""Passage alignment between two analysed texts, PAN style.

Seeds are shingles the two texts share; seeds on the same diagonal with consecutive positions
form runs; runs close to each other in both texts merge into passages; passages shorter than
``min_passage`` normalised characters are dropped. Spans are reported in the loaded texts.
An article is aligned with all its candidates at once: seeds and runs of every pair come from one
set of numpy passes (:func:`align_many`), and only joining runs into passages is done pair by pair.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from provenance.text.tokens import LOW_BITS, Shingles, Tokens, spread

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


WIDEN_MAX = 16  # characters a passage's end is widened by at most (see widen)


def _widens(ch: str) -> bool:
    """A character a passage's end may take in: a digit, a Latin letter (any width) or punctuation."""
    if ch.isdigit():
        return True
    category = unicodedata.category(ch)
    return category[0] == "P" or (category[0] == "L" and unicodedata.normalize("NFKC", ch).isascii())


def widen(passages: list[Passage], article: str, source: str) -> list[Passage]:
    """Passages with their loaded-text ends taken over the neighbouring characters both texts share
    there (digits, Latin letters, punctuation; at most ``WIDEN_MAX``), never into another passage.

    Alignment works in tokens and shingles of the normalised text, so a passage can begin just
    after a digit or a Latin word that both texts print beside it ("5月19日" highlighted from 月):
    the reader should see the whole shared phrase. Scores and coverage are not changed.
    """
    ordered = sorted(passages, key=lambda p: p.article)
    out: list[Passage] = []
    for k, passage in enumerate(ordered):
        (a0, a1), (s0, s1) = passage.article, passage.source
        # Bounds: the passages widened so far and those still to come, on both sides.
        others = out + ordered[k + 1:]
        a_floor = out[-1].article[1] if out else 0
        a_ceiling = ordered[k + 1].article[0] if k + 1 < len(ordered) else len(article)
        s_floor = max((q.source[1] for q in others if q.source[1] <= s0), default=0)
        s_ceiling = min((q.source[0] for q in others if q.source[0] >= s1), default=len(source))
        steps = 0
        while (steps < WIDEN_MAX and a0 > a_floor and s0 > s_floor and article[a0 - 1] == source[s0 - 1]
               and _widens(article[a0 - 1])):
            a0, s0, steps = a0 - 1, s0 - 1, steps + 1
        steps = 0
        while (steps < WIDEN_MAX and a1 < a_ceiling and s1 < s_ceiling and article[a1] == source[s1]
               and _widens(article[a1])):
            a1, s1, steps = a1 + 1, s1 + 1, steps + 1
        out.append(replace(passage, article=(a0, a1), source=(s0, s1)) if (a0, a1, s0, s1) != (
            *passage.article, *passage.source) else passage)
    return out


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


def _seeds(article: Shingles, sources: list[Shingles], width: int) -> np.ndarray:
    """Seeds of the article with every source at once: rows (source, i, j, count) with
    ``a[i] == b[j]``, ``count`` the occurrences of ``a[i]`` in that source; where it repeats,
    only the ``_MAX_REPEATS`` occurrences closest to the source's dominant diagonal are kept.

    Shingles that occur once on each side fix a source's dominant diagonal (j - i), so repeated
    phrases neither explode the seeds nor break the copied run. All sources' shingles are
    sorted together once, so the cost is a fixed number of numpy passes per article, not per
    pair. ``width`` exceeds every diagonal ``j - i + len(article)``. Rows come in no particular order.
    """
    m = article.hashes.size
    sizes = np.array([s.hashes.size for s in sources], dtype=np.int64)
    firsts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    joined = np.concatenate([s.hashes for s in sources])
    # only source shingles that may be the article's are sorted (a table of its low hash bits)
    kept = np.flatnonzero(article.low_bits[joined & LOW_BITS])
    by_hash = kept[np.argsort(joined[kept])]
    ordered = joined[by_hash]
    # the article searched in its own hash order (cached): sorted needles search several times faster
    left = np.empty(m, dtype=np.int64)
    right = np.empty(m, dtype=np.int64)
    left[article.order] = np.searchsorted(ordered, article.sorted_hashes, side="left")
    right[article.order] = np.searchsorted(ordered, article.sorted_hashes, side="right")
    found = right - left
    total = int(found.sum())
    if total == 0:
        return np.zeros((0, 4), dtype=np.int64)
    i = np.repeat(np.arange(m, dtype=np.int64), found)
    at = by_hash[spread(left, found)]
    source = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)[at]
    j = at - firsts[source]
    pair = i * sizes.size + source  # one article shingle in one source
    count = np.bincount(pair, minlength=m * sizes.size)[pair]
    anchor = (count == 1) & ~article.is_repeated[i]
    dominant = np.zeros(sizes.size, dtype=np.int64)
    if anchor.any():
        keys, votes = np.unique(source[anchor] * width + (j[anchor] - i[anchor] + m), return_counts=True)
        owner = keys // width
        starts = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
        best = np.maximum.reduceat(votes, starts)
        # the most voted diagonal of each source; on a tie the smallest, as bincount's argmax gives
        winners = np.flatnonzero(votes == np.repeat(best, np.diff(np.append(starts, votes.size))))
        first = winners[np.searchsorted(winners, starts)]
        dominant[owner[starts]] = keys[first] - owner[starts] * width - m
    crowded = np.flatnonzero(count > _MAX_REPEATS)
    if crowded.size:
        # each crowded shingle's occurrences in its source by position; keep the window centred
        # on the source's dominant diagonal
        crowded = crowded[np.argsort(pair[crowded] * (int(sizes.max()) + 1) + j[crowded])]
        group_first = np.concatenate(([True], pair[crowded][1:] != pair[crowded][:-1]))
        starts = np.flatnonzero(group_first)
        group = np.cumsum(group_first) - 1
        rank = np.arange(crowded.size) - starts[group]
        target = np.clip(i[crowded] + dominant[source[crowded]], 0, sizes[source[crowded]])
        centre = np.bincount(group, weights=j[crowded] < target).astype(np.int64)[group]
        window = np.minimum(np.maximum(0, centre - _MAX_REPEATS // 2), count[crowded] - _MAX_REPEATS)
        keep = np.ones(total, dtype=bool)
        keep[crowded[(rank < window) | (rank >= window + _MAX_REPEATS)]] = False
        source, i, j, count = source[keep], i[keep], j[keep], count[keep]
    return np.stack((source, i, j, count), axis=1)


def _runs(seeds: np.ndarray, m: int, width: int) -> np.ndarray:
    """Maximal diagonal runs of every source's seeds, one row each: source, i_start, i_end,
    j_start, j_end, seeds, and the source count of the first seed's shingle; ordered by source,
    diagonal, then article position."""
    if seeds.size == 0:
        return np.zeros((0, 7), dtype=np.int64)
    source, i, j, count = seeds.T
    diag = j - i + m
    order = np.argsort((source * width + diag) * (m + 1) + i)  # distinct keys: the order is total
    source, i, j, diag, count = source[order], i[order], j[order], diag[order], count[order]
    breaks = np.flatnonzero((source[1:] != source[:-1]) | (diag[1:] != diag[:-1]) | (i[1:] - i[:-1] != 1)) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [i.size])) - 1
    return np.stack((source[starts], i[starts], i[ends], j[starts], j[ends], ends - starts + 1, count[starts]),
                    axis=1)


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
    """Join passages that touch or overlap on both sides (repeated text can leave them apart).

    ``merged`` is in article order already: a passage starts where its first run starts, runs
    are merged in article order, and no two kept runs start at one position (the shorter would
    be wholly covered by the longer).
    """
    out: list[list[int]] = []
    out_members: list[list[Run]] = []
    for passage, runs in zip(merged, members, strict=True):
        if out and _continues(out[-1], passage[0], passage[2], gap, n):
            last = out[-1]
            last[1], last[3], last[4] = max(last[1], passage[1]), max(last[3], passage[3]), last[4] + passage[4]
            out_members[-1].extend(runs)
            continue
        out.append(passage)
        out_members.append(runs)
    return out, out_members


def default_gap(n: int) -> int:
    """Shingle positions a passage may skip between two shared runs (a word or two changed)."""
    return max(3 * n, 8)


def align(article: Side, source: Side, min_passage: int, gap: int | None = None) -> list[Passage]:
    """Copied passages of ``source`` in ``article``, longest first by article position."""
    return align_many(article, [source], [min_passage], gap)[0]


def align_many(article: Side, sources: list[Side], min_passages: list[int],
               gap: int | None = None) -> list[list[Passage]]:
    """:func:`align` of the article with each source: seeds and runs of all pairs in one set of
    numpy passes, then each pair's runs joined into passages."""
    out: list[list[Passage]] = [[] for _ in sources]
    a = article.shingles
    live = [k for k, source in enumerate(sources) if len(source.shingles)]
    if len(a) == 0 or not live:
        return out
    n = a.size
    gap = gap if gap is not None else default_gap(n)
    m = len(a)
    width = m + max(len(sources[k].shingles) for k in live) + 1  # diagonals j - i + m lie below it
    runs = _runs(_seeds(a, [sources[k].shingles for k in live], width), m, width)
    # A lone seed of a shingle that repeats (in either text) is no evidence of copying: in
    # repetitive text it would stretch a passage over text the other side does not have.
    lone = (runs[:, 1] == runs[:, 2]) & (a.is_repeated[runs[:, 1]] | (runs[:, 6] > 1))
    runs = runs[~lone]
    # Per source, prefer long runs (stable: ties keep diagonal order).
    runs = runs[np.lexsort((runs[:, 1], runs[:, 1] - runs[:, 2], runs[:, 0]))]
    bounds = np.searchsorted(runs[:, 0], np.arange(len(live) + 1))
    for slot, k in enumerate(live):
        lo, hi = int(bounds[slot]), int(bounds[slot + 1])
        if hi > lo:
            out[k] = _passages(article, sources[k], runs[lo:hi, 1:6].tolist(), min_passages[k], gap, n)
    return out


def _passages(article: Side, source: Side, runs: list[list[int]], min_passage: int, gap: int,
              n: int) -> list[Passage]:
    """One pair's runs (longest first) joined into passages of at least ``min_passage`` characters."""
    a = article.shingles
    covered = bytearray(len(a) + 1)
    kept: list[list[int]] = []
    for run in runs:
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
            # _continues(last, i0, j0, gap, n), written out: it runs ~150 times a pair in the bench
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
    # Token ranges [at0, at1) and [bt0, bt1) and their character spans, for all passages at once.
    spans = np.array(merged, dtype=np.int64)
    at1s = np.minimum(spans[:, 1] + n, len(a_tok))
    bt1s = np.minimum(spans[:, 3] + n, len(b_tok))
    a_starts, a_ends = a_tok.starts[spans[:, 0]], a_tok.ends[at1s - 1]
    b_starts, b_ends = b_tok.starts[spans[:, 2]], b_tok.ends[bt1s - 1]
    # Too short even if every character counted: most stray runs end here.
    long_enough = np.flatnonzero(np.minimum(a_ends - a_starts, b_ends - b_starts) >= min_passage)
    if not long_enough.size:
        return passages
    a_chars, b_chars = article.char_prefix, source.char_prefix
    at1s, bt1s = at1s[long_enough].tolist(), bt1s[long_enough].tolist()
    a_starts, a_ends = a_starts[long_enough], a_ends[long_enough]
    b_starts, b_ends = b_starts[long_enough], b_ends[long_enough]
    # A passage of one run covers its whole span on both sides: its characters in two lookups.
    whole = np.minimum(a_chars[a_ends] - a_chars[a_starts], b_chars[b_ends] - b_chars[b_starts]).tolist()
    for k, at1, bt1, a_start, a_end, b_start, b_end, chars in zip(
            long_enough.tolist(), at1s, bt1s, a_starts.tolist(), a_ends.tolist(), b_starts.tolist(), b_ends.tolist(),
            whole, strict=True):
        i0, i1, j0, j1, seeds = merged[k]
        runs_in = members[k]
        if len(runs_in) > 1:
            # Only characters inside shared runs count towards min_passage, not the gaps merged
            # over, and on both sides: text repeated in the article cannot count twice against
            # one source span.
            chars = min(
                _covered_chars(a_tok, a_chars, a_start, a_end, [(r0, r1) for r0, r1, _ in runs_in], n),
                _covered_chars(b_tok, b_chars, b_start, b_end, [(s0, s1) for _, _, (s0, s1) in runs_in], n),
            )
        if chars < min_passage:
            continue
        passages.append(Passage(
            article_tokens=(i0, at1), source_tokens=(j0, bt1), article_shingles=(i0, i1 + 1),
            article=article.loaded_span(a_start, a_end),
            source=source.loaded_span(b_start, b_end),
            chars=chars, identical=min(1.0, seeds / (i1 - i0 + 1)),
        ))
    return passages
