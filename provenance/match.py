"""Candidates → verified matches → groups of copies → the original of each group.

Candidates come from the index (LSH bands, SimHash blocks, winnowed passage keys). Each is
verified against the article with exact shingle-set scores and passage alignment, on the view of
it the index keeps (no corpus document is normalised again); a candidate
with no shared passage of ``min_passage`` characters is no match. Verified matches that cover
the same part of the article are copies of one text: the earliest-published is its original and
the others form the chain.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import numpy as np

from provenance.align import Passage, align_many, default_gap, widen
from provenance.analysis import Analysis, window_size
from provenance.credits.names import NameRegistry
from provenance.documents.model import parse_published
from provenance.index.base import Candidates, IndexBackend, StoredDoc
from provenance.params import FingerprintParams
from provenance.source_view import SourceView, source_views
from provenance.text.quotes import QUOTED_SHARE, quoted_prefix, quoted_share
from provenance.text.tokens import LOW_BITS, contains, distinct, occurrences, spread

MAX_CANDIDATES = 64
MAX_SINGLE_KEY_CANDIDATES = 3
MAX_SIMHASH_DISTANCE = 6
_FAR_FUTURE = datetime.max.replace(tzinfo=datetime.now().astimezone().tzinfo)


@dataclass
class Scores:
    jaccard: float
    containment: float  # share of the article's shingles found in the source
    source_coverage: float  # share of the source's shingles found in the article
    simhash_distance: int

    def to_dict(self) -> dict[str, float | int]:
        return {"jaccard": round(self.jaccard, 4), "containment": round(self.containment, 4),
                "source_coverage": round(self.source_coverage, 4), "simhash_distance": self.simhash_distance}


@dataclass
class Match:
    """One verified corpus document behind (part of) the article."""

    doc: StoredDoc
    source: SourceView
    scores: Scores
    passages: list[Passage]
    cover: np.ndarray  # bool over article tokens covered by passages
    published: datetime | None = None
    verdict: str | None = None
    kind: str | None = None

    @property
    def copied_chars(self) -> int:
        return sum(p.chars for p in self.passages)


@dataclass
class Group:
    """Copies of one text: the original (earliest) and the chain through later reprints."""

    members: list[Match]
    original: Match
    chain: list[Match] = field(default_factory=list)  # original first, by date
    # Smaller copies of part of the same text (another carrier's fragment): judged with the group,
    # never its original, never a group of their own.
    extras: list[Match] = field(default_factory=list)


def match_rank(match: Match) -> tuple[int, float, float, str]:
    """Sort key of matches, best first: most of the article explained, then containment; ties (the
    same text in several documents, one of them a longer version) go to the document nearest the
    article as a whole (Jaccard), then to the id."""
    return -int(match.cover.sum()), -match.scores.containment, -match.scores.jaccard, match.doc.id


WORD_TEXT_FACTOR = 1.6  # letters of text written in words per CJK character of min_passage


class Matcher:
    """Finds and verifies the corpus documents an article reuses."""

    def __init__(self, index: IndexBackend, params: FingerprintParams, registry: NameRegistry | None,
                 min_passage_for: Callable[[str | None], int], cache_size: int = 128,
                 df_threshold: int | None = None, cache_chars: int | None = None) -> None:
        self.index = index
        self.df_threshold = df_threshold
        self.params = params
        self.registry = registry
        self.min_passage_for = cache(min_passage_for)
        self._views: OrderedDict[int, SourceView] = OrderedDict()
        self._cache_size = cache_size
        self._cache_chars = cache_chars  # the views' screen characters kept at most (None: any)
        self._cached_chars = 0

    def min_passage(self, analysis: Analysis, source: str | None) -> int:
        """The shortest passage (body characters without spaces) that counts as reuse of
        ``source`` in this article. ``min_passage`` counts characters of text written in CJK
        characters; an article written in words needs ``WORD_TEXT_FACTOR`` times as many letters,
        since a letter says less than a character: the default 50 is about 50 Chinese characters
        or 80 letters (some 15 English words), where a stock phrase of news on one subject
        ("President Donald Trump and his Russian counterpart Vladimir Putin", 57 letters) ends."""
        minimum = self.min_passage_for(source)
        return minimum if analysis.tokens.cjk_share >= 0.5 else round(minimum * WORD_TEXT_FACTOR)

    def views(self, rowids: list[int]) -> dict[int, SourceView]:
        """Source views of the given documents (recently used ones kept in memory: at most
        ``cache_size`` of them and ``cache_chars`` characters of their texts, beyond those asked
        for now)."""
        found = {r: self._views[r] for r in rowids if r in self._views}
        for rowid in found:
            self._views.move_to_end(rowid)
        missing = [r for r in rowids if r not in found]
        if missing:
            for rowid, view in source_views(self.index.screens(missing), self.params).items():
                found[rowid] = self._views[rowid] = view
                self._cached_chars += len(view.screen)
            while len(self._views) > max(self._cache_size, len(found)) or (
                    self._cache_chars is not None and self._cached_chars > self._cache_chars
                    and len(self._views) > len(found)):
                self._cached_chars -= len(self._views.popitem(last=False)[1].screen)
        return found

    def sources(self, rowids: list[int]) -> list[tuple[StoredDoc, SourceView]]:
        """Stored documents with their views, in the order given."""
        views = self.views(rowids)
        docs = {doc.rowid: doc for doc in self.index.get([r for r in rowids if r in views])}
        return [(docs[r], views[r]) for r in rowids if r in docs]

    def frequent_keys(self, counts: dict[int, int]) -> np.ndarray:
        """The passage keys that are boilerplate by document frequency (sorted uint64), from the
        counts of a :meth:`lookup`."""
        if self.df_threshold is None:
            return np.zeros(0, dtype=np.uint64)
        return np.array(sorted(k for k, n in counts.items() if n > self.df_threshold), dtype=np.uint64)

    def lookup(self, analysis: Analysis) -> tuple[Candidates, dict[int, int]]:
        """The index's candidates for the article (through its passage keys that are not boilerplate)
        and the documents holding each of its keys held by two or more, counted up to one past the
        boilerplate threshold (none counted without a threshold)."""
        fp = analysis.fingerprint
        if self.df_threshold is None:
            return self.index.candidates(fp.hashvalues, int(fp.simhash.value), fp.passage_keys,
                                         MAX_SIMHASH_DISTANCE), {}
        return self.index.candidates_and_frequencies(fp.hashvalues, int(fp.simhash.value), fp.passage_keys,
                                                     MAX_SIMHASH_DISTANCE, self.df_threshold)

    def candidate_ids(self, analysis: Analysis) -> list[int]:
        """LSH and SimHash candidates, then passage-key candidates by evidence: keys clustered in
        one stretch of the article, then keys shared, then the rarest shared key (a key few
        documents hold says more than one many hold)."""
        near, keyed = self.candidate_kinds(analysis, *self.lookup(analysis))
        return near + keyed

    def candidate_kinds(self, analysis: Analysis, found: Candidates,
                        counts: dict[int, int]) -> tuple[list[int], list[int]]:
        """:meth:`candidate_ids` in two parts, from a :meth:`lookup`: near duplicates (LSH and
        SimHash), then the passage-key candidates by evidence."""
        near: list[int] = []
        seen: set[int] = set()
        for rowid in sorted(found.lsh_hits) + sorted(found.simhash_hits):
            if rowid not in seen:
                seen.add(rowid)
                near.append(rowid)
        room = MAX_CANDIDATES - len(near)
        if room <= 0 or not found.pair_docs.size:
            return near, []
        ranked, evidence = self._ranked(analysis, found, counts)
        # One shared key, or keys scattered over the article, is what unrelated news shares (a
        # stock phrase here and there); a few are still checked so that a short excerpt with a
        # single key is not lost. A near duplicate ranked among them takes its place too.
        single = evidence < 2
        eligible = ~single | (np.cumsum(single) <= MAX_SINGLE_KEY_CANDIDATES)
        keyed = [rowid for rowid in ranked[eligible].tolist() if rowid not in seen]
        return near, keyed[:room]

    def _ranked(self, analysis: Analysis, found: Candidates, counts: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """The documents sharing passage keys, best evidence first, with their evidence: keys
        clustered in one stretch of the article, then keys shared, then the rarest shared key (a
        key few documents hold says more than one many hold), then rowid.

        Keys of one copied passage sit close together in the article; keys a candidate shares
        only by chance are scattered. A stretch is twice the winnowing window plus a shingle; a
        document sharing eight or more keys is a republication whatever their spread.
        """
        docs, keys = found.pair_docs, found.pair_keys
        rowids, doc_of, hits = np.unique(docs, return_inverse=True, return_counts=True)
        rarest = np.full(rowids.size, np.iinfo(np.int64).max, dtype=np.int64)
        held = np.ones(keys.size, dtype=np.int64)  # documents holding each pair's key (1: not counted)
        if counts:
            counted = np.fromiter(counts, dtype=np.uint64, count=len(counts))
            order = np.argsort(counted)
            counted, numbers = counted[order], np.fromiter(counts.values(), dtype=np.int64, count=len(counts))[order]
            at = np.minimum(np.searchsorted(counted, keys), counted.size - 1)
            held = np.where(counted[at] == keys, numbers[at], 1)
        np.minimum.at(rarest, doc_of, held)
        # each pair's key at its positions in the article (a winnowed key can occur more than once)
        fp = analysis.fingerprint
        key_at = analysis.shingles.hashes[fp.passage_positions]
        by_key = np.argsort(key_at)
        ordered = key_at[by_key]
        lo = np.searchsorted(ordered, keys, side="left")
        times = np.searchsorted(ordered, keys, side="right") - lo
        positions = fp.passage_positions[by_key[spread(lo, times)]]
        span = len(analysis.shingles) + 1
        spots = np.sort(np.repeat(doc_of, times) * span + positions)  # (document, position), in order
        stretch = 2 * window_size(analysis.tokens, self.params) + analysis.shingles.size
        owner = spots // span
        reach = np.searchsorted(spots, owner * span + np.maximum(spots - owner * span - stretch, 0))
        clustered = np.zeros(rowids.size, dtype=np.int64)
        np.maximum.at(clustered, owner, np.arange(spots.size) - reach + 1)
        evidence = np.where(hits < 8, clustered, np.maximum(clustered, hits))
        order = np.lexsort((rowids, rarest, -hits, -evidence))
        return rowids[order], evidence[order]

    def screen(self, analysis: Analysis, rowids: list[int]) -> list[int]:
        """The candidates that may hold a passage of ``min_passage`` characters: those whose shared
        shingles cannot add up to a passage long enough are dropped before alignment."""
        views = self.views(rowids)
        present = [r for r in rowids if r in views]
        bounds = passage_bounds(analysis, [views[r].shingles.hashes for r in present])
        return [r for r, bound in zip(present, bounds.tolist(), strict=True)
                if bound >= self.min_passage(analysis, views[r].source)]

    def _evidence(self, analysis: Analysis, source: SourceView, passages: list[Passage],
                  frequent: np.ndarray | None, excluded: np.ndarray | None = None,
                  ) -> tuple[Scores, list[Passage], np.ndarray] | None:
        """Scores, passages and article cover of one candidate from its aligned passages, or None
        when no passage is copied. ``excluded``: article shingles that are no evidence (those of
        shared quotations)."""
        a, b = analysis.unique, source.unique
        if a.size == 0 or b.size == 0:
            return None
        if excluded is not None and excluded.size:
            a = np.setdiff1d(a, excluded, assume_unique=False)
        if frequent is not None and frequent.size and passages:
            passages, dropped = _drop_boilerplate(analysis, passages, frequent)
            if dropped.size:
                a = np.setdiff1d(a, dropped, assume_unique=False)
        if not passages:
            return None
        shared = np.intersect1d(a, b, assume_unique=True).size
        if shared == 0 or a.size == 0:
            return None
        cover = np.zeros(len(analysis.tokens), dtype=bool)
        for p in passages:
            cover[p.article_tokens[0]:p.article_tokens[1]] = True
        scores = Scores(
            jaccard=shared / (a.size + b.size - shared), containment=shared / a.size,
            source_coverage=shared / b.size,
            simhash_distance=source.simhash_distance(int(analysis.fingerprint.simhash.value)),
        )
        return scores, passages, cover

    def find(self, analysis: Analysis) -> list[Match]:
        """Verified matches, best first (most of the article explained first). Candidates are
        aligned from their views; only those with a copied passage are read in full."""
        if len(analysis.unique) == 0:
            return []
        found, counts = self.lookup(analysis)
        frequent = self.frequent_keys(counts)
        near, keyed = self.candidate_kinds(analysis, found, counts)
        views = self.views(near + keyed)
        # Near duplicates are aligned without screening: nearly all hold a passage, and the
        # screen's bound is exact, so it would only confirm what alignment finds anyway.
        screened = [r for r in near if r in views] + self.screen(analysis, keyed)
        aligned = align_many(analysis, [views[r] for r in screened],
                             [self.min_passage(analysis, views[r].source) for r in screened])
        verified = {}
        for rowid, passages in zip(screened, aligned, strict=True):
            evidence = self._evidence(analysis, views[rowid], passages, frequent)
            if evidence is not None:
                verified[rowid] = evidence
        docs = {doc.rowid: doc for doc in self.index.get(list(verified))}
        quotes = quoted_prefix(analysis.article.text) if docs else np.zeros(1, dtype=np.int64)
        matches = []
        attested = None
        source_quotes: dict[int, np.ndarray] = {}
        if quotes[-1]:
            # The article's quotations that some matched text also prints as a quotation: the
            # speaker's words, no evidence against any source (one that prints them unmarked too).
            # Only texts sharing a passage that lies mostly inside the article's quotations are read.
            source_quotes = {rowid: quoted_prefix(docs[rowid].text) for rowid in verified
                             if rowid in docs and any(quoted_share(quotes, *p.article) >= QUOTED_SHARE
                                                      for p in verified[rowid][1])}
            inside = np.zeros(len(analysis.article.text), dtype=bool)
            for rowid, prefix in source_quotes.items():
                for p in verified[rowid][1]:
                    if (quoted_share(quotes, *p.article) >= QUOTED_SHARE
                            and quoted_share(prefix, *p.source) >= QUOTED_SHARE):
                        inside[p.article[0]:p.article[1]] = True
            attested = np.concatenate(([0], np.cumsum(inside)))
        for rowid, evidence in verified.items():
            if rowid not in docs:
                continue
            if rowid in source_quotes:  # the article quotes someone: a quotation both texts share is no evidence
                evidence = self._without_shared_quotations(analysis, views[rowid], evidence, quotes,
                                                           source_quotes[rowid], attested, frequent)
            if evidence is not None:
                scores, passages, cover = evidence
                passages = widen(passages, analysis.article.text, docs[rowid].text)
                matches.append(Match(docs[rowid], views[rowid], scores, passages, cover,
                                     parse_published(docs[rowid].published)))
        matches.sort(key=match_rank)
        return matches


    def _without_shared_quotations(
        self, analysis: Analysis, source: SourceView, evidence: tuple[Scores, list[Passage], np.ndarray],
        article_quotes: np.ndarray, source_quotes: np.ndarray, attested: np.ndarray, frequent: np.ndarray,
    ) -> tuple[Scores, list[Passage], np.ndarray] | None:
        """The evidence without passages that lie mostly inside quotation marks in both texts, or
        inside an article's quotation another matched text prints as one (``attested``): a common
        speaker, not copying (DESIGN §5). The match stands only if what is left would make one on
        its own (a passage of ``min_passage``)."""
        passages = evidence[1]
        shared = [quoted_share(article_quotes, *p.article) >= QUOTED_SHARE
                  and (quoted_share(source_quotes, *p.source) >= QUOTED_SHARE
                       or quoted_share(attested, *p.article) >= QUOTED_SHARE) for p in passages]
        if not any(shared):
            return evidence
        kept = [p for p, quote in zip(passages, shared, strict=True) if not quote]
        if not any(p.chars >= self.min_passage(analysis, source.source) for p in kept):
            return None
        hashes = analysis.shingles.hashes
        quoted = [hashes[p.article_shingles[0]:p.article_shingles[1]]
                  for p, quote in zip(passages, shared, strict=True) if quote]
        return self._evidence(analysis, source, kept, frequent, distinct(np.concatenate(quoted)))


def passage_bound(analysis: Analysis, source_hashes: np.ndarray) -> int:
    """An upper bound on the characters of any passage :func:`align` can find between the article
    and a source with these shingle hashes (repeats allowed): article text covered by shared
    shingles, counted up to the next token (so separators count too), in stretches whose shared
    shingles lie at most the alignment gap apart. The bound is exact about stretches: :func:`align`
    joins a run to a passage only when it starts within the gap of the passage's end, so no passage
    spans a wider break."""
    return int(passage_bounds(analysis, [source_hashes])[0])


def passage_bounds(analysis: Analysis, source_hashes: list[np.ndarray]) -> np.ndarray:
    """:func:`passage_bound` for many sources in one pass over their shared shingles, keyed by
    source and article position together (``source × (tokens + 1) + position``): a fixed number
    of numpy calls whatever the number of candidates, each over the shared shingles only."""
    shingles, tokens = analysis.shingles, analysis.tokens
    out = np.zeros(len(source_hashes), dtype=np.int64)
    count = len(tokens)
    if not source_hashes or len(shingles) == 0:
        return out
    span = count + 1
    values = np.concatenate(source_hashes)
    owner = np.repeat(np.arange(len(source_hashes), dtype=np.int64), [u.size for u in source_hashes])
    # most of a candidate's shingles are not the article's: a table of the article's low hash bits
    # sets most of them aside before the binary search
    maybe = np.flatnonzero(shingles.low_bits[values & LOW_BITS])
    values, owner = values[maybe], owner[maybe]
    ordered = shingles.sorted_hashes
    left = np.searchsorted(ordered, values, side="left")
    found = occurrences(ordered, values, left)
    shared = np.flatnonzero(found)
    if not shared.size:
        return out
    left, found, owner = left[shared], found[shared], owner[shared]
    positions = shingles.order[spread(left, found)]
    # (source, article position) pairs of shared shingles, in order
    hits = np.sort(np.repeat(owner, found) * span + positions)
    source_of = hits // span
    at = hits - source_of * span
    width = min(shingles.size, count)
    same_source = source_of[1:] == source_of[:-1]
    # Each shared shingle covers its tokens up to the next one's start: equal-width spans in order,
    # so these pieces are disjoint and together cover exactly the union of the shingles.
    reach_to = np.minimum(at + width, count)
    reach_to[:-1] = np.where(same_source, np.minimum(reach_to[:-1], at[1:]), reach_to[:-1])
    covered = analysis.reach_prefix[reach_to] - analysis.reach_prefix[at]
    firsts = np.flatnonzero(np.concatenate(([True], ~same_source | (np.diff(at) > default_gap(shingles.size)))))
    np.maximum.at(out, source_of[firsts], np.add.reduceat(covered, firsts))
    return out


def _drop_boilerplate(analysis: Analysis, passages: list[Passage], frequent: np.ndarray,
                      share: float = 0.5) -> tuple[list[Passage], np.ndarray]:
    """Drop passages whose winnowed keys are mostly boilerplate; return kept passages and dropped hashes."""
    positions = analysis.fingerprint.passage_positions  # in text order
    hashes = analysis.shingles.hashes
    before = np.concatenate(([0], np.cumsum(contains(frequent, hashes[positions]))))  # frequent keys before each
    spans = np.array([p.article_shingles for p in passages], dtype=np.int64)
    lo, hi = np.searchsorted(positions, spans[:, 0]), np.searchsorted(positions, spans[:, 1])
    total = hi - lo
    drop = (total > 0) & ((before[hi] - before[lo]) / np.maximum(total, 1) >= share)
    kept = [p for p, gone in zip(passages, drop.tolist(), strict=True) if not gone]
    dropped = [hashes[lo:hi] for lo, hi in spans[drop].tolist()]
    return kept, (distinct(np.concatenate(dropped)) if dropped else np.zeros(0, dtype=np.uint64))


def group_matches(matches: list[Match], overlap: float = 0.5, comparable: float = 0.3) -> list[Group]:
    """Group matches that are copies of one text; the earliest published is the original.

    A match joins a group when most of what it covers in the article is covered by the group
    (``overlap``) and it explains a comparable amount of the article (``comparable`` of the
    group's best), so a stray shared sentence never makes an older document the original. A match
    mostly inside a group's cover but too small to compare is a fragment of the same text (another
    outlet's shorter copy): it goes with the group as an extra, judged with it, not on its own.
    """
    groups: list[list[Match]] = []
    extras: list[list[Match]] = []
    covers: list[np.ndarray] = []
    for match in matches:
        size = int(match.cover.sum())
        placed = False
        for k, cover in enumerate(covers):
            common = int((cover & match.cover).sum())
            best = int(groups[k][0].cover.sum())
            if size and common / size >= overlap:
                if size >= comparable * best:
                    groups[k].append(match)
                    covers[k] = cover | match.cover
                else:
                    extras[k].append(match)
                placed = True
                break
        if not placed:
            groups.append([match])
            extras.append([])
            covers.append(match.cover.copy())
    out = []
    for members, more in zip(groups, extras, strict=True):
        chain = sorted(members, key=lambda m: (m.published or _FAR_FUTURE, m.doc.id))
        out.append(Group(members=members, original=chain[0], chain=chain, extras=more))
    return out
