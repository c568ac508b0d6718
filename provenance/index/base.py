"""The index interface: what every backend stores and answers.

A backend keeps, per document, its metadata, the compressed loaded text (re-analysed for exact
verification and evidence), the MinHash and SimHash, and three kinds of lookup keys: LSH band
keys (Jaccard candidates), SimHash block keys (near duplicates) and winnowed passage keys
(containment and excerpt candidates). It also keeps per-source summaries (domains, policies
stated in disclaimers), per-source line counts (which documents of a source hold each line, from
which a scan learns the source's chrome: :mod:`provenance.text.chrome`) and the parameters every
fingerprint was made with.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from provenance.errors import IndexError_
from provenance.index.codec import pack_text
from provenance.index.location import mask_url
from provenance.params import FingerprintParams
from provenance.text.chrome import SourceLines


@dataclass
class IndexedDoc:
    """A document ready to be written: metadata, text and every key derived from it."""

    id: str
    path: str
    text: str
    content_hash: str
    title: str | None
    source: str | None
    url: str | None
    published: str | None
    publisher: str | None
    license: str | None
    language: str | None
    minhash: np.ndarray  # uint32 × num_perm
    simhash: int
    band_keys: list[int]
    simhash_keys: list[int]
    passage_keys: np.ndarray  # uint64
    shingle_count: int
    policy: str | None = None
    policy_from: str | None = None
    no_edits: bool = False
    aggregator: bool = False
    claims: list[dict[str, Any]] = field(default_factory=list)
    screen: str = ""  # the body as tokenisation sees it (see analysis.screen_text)
    offsets: bytes = b""  # screen positions → loaded text (see text.offsets)
    # the distinct keys of its lines (text.chrome.line_keys), counted per source
    line_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))

    # Compressed when made: a build makes documents in its worker processes, sparing the single
    # writer process the work.
    text_z: bytes = field(init=False, repr=False)
    screen_z: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.text_z = pack_text(self.text)
        self.screen_z = pack_text(self.screen)

    # A build's workers send their documents to the writer: arrays travel as their bytes, a third
    # of the cost of numpy's own pickling for arrays of this size.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for name in _ARRAYS:
            array = state[name]
            if isinstance(array, np.ndarray) and array.ndim == 1:
                state[name] = (array.dtype.str, array.tobytes())
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name in _ARRAYS:
            packed = state[name]
            if isinstance(packed, tuple):
                state[name] = np.frombuffer(packed[1], dtype=np.dtype(packed[0])).copy()
        self.__dict__.update(state)


_ARRAYS = ("minhash", "passage_keys", "line_keys")


@dataclass
class Rekeyed:
    """The keys a stored text was indexed under, derived again from the text (the index keeps no
    per-document key lists): to take a replaced or removed document out of its lists."""

    fingerprint: Any  # fingerprint.Fingerprint: its MinHash values and passage keys
    line_keys: np.ndarray  # distinct line keys (uint64)


@dataclass
class Screen:
    """What verifying a candidate reads of it: no text to normalise again."""

    source: str | None
    text: str  # screen text: the normalised body, positions as in ``norm`` (analysis.screen_text)
    offsets: bytes  # screen positions → loaded text (text.offsets)
    simhash: int


@dataclass
class StoredDoc:
    """A document as read back from the index (text included)."""

    rowid: int
    id: str
    path: str
    text: str
    title: str | None
    source: str | None
    url: str | None
    published: str | None
    publisher: str | None
    license: str | None
    language: str | None
    simhash: int
    shingle_count: int
    policy: str | None
    policy_from: str | None
    no_edits: bool
    aggregator: bool
    claims: list[dict[str, Any]]
    content_hash: str = ""
    minhash: np.ndarray | None = None  # uint32 × num_perm


@dataclass
class SourceSummary:
    """What the corpus says about one source: a domain, and reprint terms from its disclaimers."""

    name: str
    domain: str | None
    documents: int
    policy: str | None
    policy_from: str | None
    no_edits: bool
    aggregator: bool


@dataclass
class Candidates:
    """Candidate documents for a query with the evidence that found them."""

    lsh_hits: set[int] = field(default_factory=set)
    simhash_hits: dict[int, int] = field(default_factory=dict)  # rowid → Hamming distance
    # The passage keys' posting lists as read: one entry per (document, shared key), in no order.
    pair_docs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # rowids
    pair_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))  # keys

    @property
    def passage_hits(self) -> dict[int, int]:
        """rowid → the number of passage keys it shares."""
        rowids, hits = np.unique(self.pair_docs, return_counts=True)
        return dict(zip(rowids.tolist(), hits.tolist(), strict=True))

    @property
    def shared_keys(self) -> dict[int, list[int]]:
        """rowid → the passage keys it shares."""
        out: dict[int, list[int]] = {}
        for rowid, key in zip(self.pair_docs.tolist(), self.pair_keys.tolist(), strict=True):
            out.setdefault(rowid, []).append(key)
        return out


POLICY_RANK = {None: 0, "free": 1, "attribution-required": 2, "attribution-and-link": 3, "no-reprint": 4}


def summary_domain(kept: str | None, new: str | None) -> str | None:
    """The domain a source summary keeps of two: the shorter, then the first in code point order.

    Like :func:`summary_policy`, a choice that does not depend on the order the source's documents
    were added in (the builders of a sharded build write in any order); the shorter keeps a site's
    main domain over its longer mobile or regional ones."""
    if not kept or not new:
        return kept or new
    return min(kept, new, key=lambda domain: (len(domain), domain))


def summary_policy(kept: tuple[str | None, str | None],
                   new: tuple[str | None, str | None]) -> tuple[str | None, str | None]:
    """The ``(policy, policy_from)`` a source summary keeps of two: the more restrictive policy;
    between equally restrictive ones, the smaller ``policy_from`` (``"<document id>: <disclaimer>"``),
    so that which document is named does not depend on the order documents were added in."""
    kept_rank, new_rank = POLICY_RANK.get(kept[0], 0), POLICY_RANK.get(new[0], 0)
    if new_rank > kept_rank or (new_rank == kept_rank > 0 and (new[1] or "") < (kept[1] or "")):
        return new
    return kept


def merge_source(old: dict[str, Any] | None, doc: IndexedDoc) -> dict[str, Any]:
    """A source summary after adding ``doc``: the most restrictive disclaimer policy wins. The
    summary of a set of documents is the same whatever order they are merged in."""
    from provenance.credits.names import domain_of

    summary = dict(old or {"documents": 0, "domain": None, "policy": None, "policy_from": None,
                           "no_edits": False, "aggregator": False})
    summary["documents"] = int(summary["documents"]) + 1
    summary["domain"] = summary_domain(summary.get("domain"), domain_of(doc.url) if doc.url else None)
    if doc.policy:
        summary["policy"], summary["policy_from"] = summary_policy(
            (summary.get("policy"), summary.get("policy_from")), (doc.policy, f"{doc.id}: {doc.policy_from}"))
    summary["no_edits"] = bool(summary.get("no_edits")) or doc.no_edits
    summary["aggregator"] = bool(summary.get("aggregator")) or doc.aggregator
    return summary


class IndexBackend(abc.ABC):
    """One interface for the embedded, the Redis and the PostgreSQL index."""

    location: str
    backend_name: str
    params: FingerprintParams
    _rekey: Any = None

    def set_rekey(self, rekey: Any) -> None:
        """Function ``text -> Rekeyed`` used to take a replaced or removed document out of its
        lists (the build's own analysis; by default the document is analysed again here)."""
        self._rekey = rekey

    def _rekeyed(self, text: str) -> Rekeyed:
        if self._rekey is not None:
            return self._rekey(text)
        from provenance.analysis import analyse
        from provenance.documents.model import Article
        from provenance.text.chrome import distinct_keys

        analysis = analyse(Article(id="", path="", text=text), self.params, detect=False)
        return Rekeyed(analysis.fingerprint, distinct_keys(analysis.line_keys))

    @abc.abstractmethod
    def add(self, docs: Iterable[IndexedDoc]) -> dict[str, int]:
        """Upsert documents by id in one batch; returns counts of added/updated/unchanged."""

    @abc.abstractmethod
    def content_hashes(self) -> dict[str, str]:
        """id → content hash of every document (to skip unchanged files before analysing them)."""

    @abc.abstractmethod
    def remove(self, ids: Iterable[str]) -> int:
        """Remove documents by id; returns how many were removed."""

    @abc.abstractmethod
    def candidates(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray,
                   max_simhash_distance: int) -> Candidates:
        """Documents sharing LSH bands (of the MinHash values), SimHash blocks within a distance, or passage keys.

        Callers leave out passage keys that are boilerplate (see :meth:`document_frequencies`).
        """

    @abc.abstractmethod
    def document_frequencies(self, passage_keys: np.ndarray, cap: int | None = None) -> dict[int, int]:
        """Documents holding each passage key, for keys held by two or more (uint64 key → count);
        with ``cap``, a count may stop at ``cap``."""

    def candidates_and_frequencies(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray,
                                   max_simhash_distance: int, max_df: int) -> tuple[Candidates, dict[int, int]]:
        """:meth:`candidates` through the passage keys held by at most ``max_df`` documents, and the
        :meth:`document_frequencies` of all the keys (counted up to ``max_df + 1``). A backend may
        answer both from one read of the key lists."""
        counts = self.document_frequencies(passage_keys, cap=max_df + 1) if passage_keys.size else {}
        frequent = np.array([k for k, n in counts.items() if n > max_df], dtype=np.uint64)
        keys = passage_keys[~np.isin(passage_keys, frequent)] if frequent.size else passage_keys
        return self.candidates(minhash, simhash, keys, max_simhash_distance), counts

    @abc.abstractmethod
    def line_counts(self, source: str) -> dict[int, int]:
        """Every line of ``source`` the index has counted: line key (uint64) → documents of the
        source holding it."""

    def line_holders(self, keys: Iterable[int], docs: Iterable[tuple[int, str]]) -> dict[int, set[int]] | None:
        """For each line key (uint64) of ``keys``, which of ``docs`` (row id, source name) hold
        that line, as the lines counted per source say; keys no document holds are left out. None
        when the backend cannot tell cheaply (the caller then reads the documents' texts)."""
        return None

    @abc.abstractmethod
    def frequent_lines(self, min_count: int, sample: int) -> dict[str, SourceLines]:
        """For each source, its lines held by at least ``min_count`` (3 or more) of its documents,
        with their counts and the row ids of at most ``sample`` of their holders."""

    @abc.abstractmethod
    def screens(self, rowids: Iterable[int]) -> dict[int, Screen]:
        """``rowid -> Screen`` of the given rows, for verifying candidates without their text."""

    @abc.abstractmethod
    def get(self, rowids: Iterable[int]) -> list[StoredDoc]:
        """Stored documents (with text) for the given row ids."""

    @abc.abstractmethod
    def get_by_id(self, doc_id: str) -> StoredDoc | None: ...

    @abc.abstractmethod
    def sources(self) -> list[SourceSummary]:
        """Per-source summaries (domain, derived policy)."""

    @abc.abstractmethod
    def count(self) -> int: ...

    @abc.abstractmethod
    def stats(self) -> dict[str, Any]: ...

    @abc.abstractmethod
    def iter_ids(self) -> Iterator[str]: ...

    @abc.abstractmethod
    def iter_docs(self, batch: int = 500) -> Iterator[list[StoredDoc]]:
        """Every stored document (text, MinHash and SimHash included), in batches."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> IndexBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check_params(self, wanted: FingerprintParams) -> None:
        """Fail with a clear message when the index was built with other parameters."""
        differences = self.params.differences(wanted)
        if differences:
            raise IndexError_(
                f"{self.location}: index was built with other fingerprint parameters; rebuild it or use the"
                " same settings:\n  " + "\n  ".join(differences)
            )


def batch_changes(docs: Iterable[IndexedDoc], current: dict[str, str]) -> tuple[dict[str, int], dict[str, IndexedDoc]]:
    """What a batch of ``docs`` changes in an index holding ``current`` (id → content hash):
    the added/updated/unchanged counts, and the documents to write, the last version of each id
    (a backend that writes the batch whole)."""
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    current = dict(current)
    latest: dict[str, IndexedDoc] = {}
    for doc in docs:
        if current.get(doc.id) == doc.content_hash:
            counts["unchanged"] += 1
            continue
        counts["updated" if doc.id in current else "added"] += 1
        current[doc.id] = doc.content_hash
        latest[doc.id] = doc
    return counts, latest


def holders_asked(keys: Iterable[int], docs: Iterable[tuple[int, str]]) -> tuple[list[int], dict[str, set[int]]]:
    """The question of :meth:`IndexBackend.line_holders` as the backends ask it: the distinct line
    keys (sorted) and the row ids of the documents of each source."""
    by_source: dict[str, set[int]] = {}
    for rowid, source in docs:
        by_source.setdefault(source, set()).add(int(rowid))
    return sorted({int(key) for key in keys}), by_source


def held_lines(found: Sequence[tuple[int, set[int] | None]], holders: np.ndarray,
               owner: np.ndarray) -> dict[int, set[int]]:
    """:meth:`IndexBackend.line_holders`' answer from the line lists read: ``found[i]`` is the key
    of list ``i`` and the documents asked about in its source; ``holders``/``owner`` the lists
    unpacked (``owner``: the list index of each holder)."""
    out: dict[int, set[int]] = {}
    for (key, mine), held in zip(found, np.split(holders, np.searchsorted(owner, np.arange(1, len(found)))),
                                 strict=True):
        kept = mine.intersection(held.tolist()) if mine else set()
        if kept:
            out.setdefault(key, set()).update(kept)
    return out


def grouped_lines(keys: list[int], counts: list[int], docs: np.ndarray, owner: np.ndarray,
                  sample: int) -> SourceLines:
    """A source's counted lines as :meth:`IndexBackend.frequent_lines` returns them, from its line
    keys, their counts and the unpacked holder lists (``owner``: the key index of each holder)."""
    split = np.searchsorted(owner, np.arange(1, len(keys)))
    return SourceLines(np.array(keys, dtype=np.uint64), np.array(counts, dtype=np.int64),
                       [part[:sample] for part in np.split(docs, split)])


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_index(location: str, params: FingerprintParams | None = None, *, create: bool = False,
               readonly: bool = False, legacy: bool = False) -> IndexBackend:
    """Open an index by path, ``redis://`` or ``postgresql://`` URL. ``params`` is checked against
    the stored ones; ``legacy`` also opens an older Redis layout whose documents can still be read safely (to copy
    them: see :meth:`RedisIndex.open`)."""
    if location.startswith(REDIS_SCHEMES):
        from provenance.index.redis_backend import RedisIndex

        return RedisIndex.open(location, params, create=create, legacy=legacy)
    if location.startswith(POSTGRES_SCHEMES):
        from provenance.index.postgres_backend import PostgresIndex

        return PostgresIndex.open(location, params, create=create, readonly=readonly)
    if "://" in location:  # "postgresql://…" is no file name: never create ./postgresql:/…
        scheme = location.split("://", 1)[0]
        raise IndexError_(f"{mask_url(location)}: unsupported index URL scheme {scheme!r}; an index is a file path "
                          f"or a {', '.join(REDIS_SCHEMES + POSTGRES_SCHEMES)} URL")
    from provenance.index.sqlite_backend import SqliteIndex

    return SqliteIndex.open(location, params, create=create, readonly=readonly)
