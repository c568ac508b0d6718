"""The open index of a running service: readers, the shared snapshot, the one writer.

Threads
-------
Scanning is CPU-bound, so it runs on a pool of scan threads, never on the event loop (or, with
``--workers N``, in check processes that each keep an IndexState of their own:
:mod:`provenance.service.checkers`). Each scan thread opens its own read-only connection to the
index once (SQLite connections belong to one thread) and keeps one
:class:`~provenance.engine.Scanner` on it, so a request opens nothing.
One more thread, the *index thread*, does everything that writes or rebuilds: adding documents
(``POST /v1/documents``), rebuilding the snapshot, looking for other writers' changes.

Snapshot
--------
A Scanner caches what is costly to read: the :class:`~provenance.credits.policy.PolicyBook`
(every source's policy and names), the :class:`~provenance.text.chrome.Chrome` learnt from the
corpus, the document count behind the boilerplate threshold. The service makes them once per
version of the index, as one frozen :class:`Snapshot`, off to the side on the index thread, and
swaps it in with one assignment; scan threads pick it up at their next request and make a new
Scanner from it (cheap: the costly parts are shared, read-only). A request never waits for a
rebuild and never sees half of one.

Consistency
-----------
- A write is one transaction of the index backend (SQLite: one ``BEGIN IMMEDIATE … COMMIT``;
  Redis: the batch is published by one ``MULTI``), so no reader sees half a document or half a
  batch. The write's response is sent after the new snapshot is in place: a check sent after it
  sees the new documents.
- On SQLite each request reads inside one read transaction, so all of its reads see one version
  of the index; the connection's ``PRAGMA data_version`` tells when another connection committed
  since the thread's Scanner was made, and the Scanner (whose cache is keyed by row ids, which
  SQLite may reuse) is then made again. A writer keeps the file in WAL mode while the service runs,
  so reads and the write go on side by side.
- Other writers (another service, a ``provenance index build`` on the same file, Redis prefix
  or PostgreSQL schema) are noticed by the index thread every ``refresh`` seconds, which then
  rebuilds the snapshot. A check running in the instant between another writer's commit and that
  rebuild reads the new documents with the previous policies and chrome.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from provenance.analysis import analyse_many
from provenance.credits.claims import resolve_claims
from provenance.credits.names import NameRegistry
from provenance.credits.policy import PolicyBook
from provenance.documents.model import Article
from provenance.engine import Scanner, _set_rekey, indexed_doc, registry_from_rules
from provenance.errors import IndexError_
from provenance.index.base import IndexBackend, IndexedDoc, SourceSummary, open_index
from provenance.index.sqlite_backend import SqliteIndex
from provenance.params import FingerprintParams
from provenance.rules import Rules
from provenance.rules_report import effective_policies
from provenance.service.heap import release_after
from provenance.text.chrome import Chrome

T = TypeVar("T")
# A service checks unrelated articles one after another: a candidate's view is seldom of use to the
# next request (7 % of views on the load benchmark), while 128 views of long documents kept across
# requests made a check process's memory wander by 15 MB. Views are kept up to this many
# characters of their texts (some 4 MB), beyond those of the request under way.
VIEW_CHARS = 100_000


class WritesUnavailable(Exception):
    """The index cannot be written by this service (HTTP 503); the message says why."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Snapshot:
    """What every scan thread shares, read from one version of the index and never changed."""

    generation: int  # 1 for the index as opened, one more for each rebuild
    book: PolicyBook
    chrome: Chrome
    documents: int
    sources: list[SourceSummary]
    info: dict[str, Any]  # the report's "index" object: backend, location, documents, params
    updated: str  # when this service opened the index or last saw it change (ISO 8601, UTC)
    marker: Any  # what the index thread's connection said about the version it read


@contextlib.contextmanager
def consistent(index: IndexBackend) -> Iterator[Any]:
    """Reads of ``index`` that all see one version of it; yields a marker that changes when
    another connection has committed (SQLite's ``data_version``; None for Redis, whose batches
    are published whole and whose row ids are never reused)."""
    if not isinstance(index, SqliteIndex):
        yield None
        return
    conn = index.conn
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT 1 FROM meta LIMIT 1").fetchone()  # the read that fixes the version
        yield conn.execute("PRAGMA data_version").fetchone()[0]
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def _redis_marker(index: IndexBackend) -> Any:
    """Documents and the row counter of a Redis index: a write by anyone changes one of them (a
    backend with its own ``change_marker``, PostgreSQL, says so itself)."""
    marker = getattr(index, "change_marker", None)
    if marker is not None:
        return marker()
    client, key = getattr(index, "client", None), getattr(index, "_k", None)
    counter = client.get(key("next")) if client is not None and key is not None else None
    return index.count(), counter


def index_documents(articles: list[Article], params: FingerprintParams, registry: NameRegistry) -> list[IndexedDoc]:
    """The index documents of readable ``articles``, made as ``provenance index build`` makes them."""
    docs = []
    for article, analysis in zip(articles, analyse_many(articles, params, registry, detect=False), strict=True):
        resolve_claims(analysis.attribution, registry)
        docs.append(indexed_doc(article, analysis, params, registry))
    return docs


class IndexState:
    """The index, its snapshot and the threads that read and write it (see the module docstring)."""

    def __init__(self, location: str, rules: Rules, *, threads: int = 2, writable: bool = False,
                 refresh: float = 2.0) -> None:
        self.location = location
        self.rules = rules
        self.writable = writable
        self.refresh = refresh
        self.write_error: str | None = None if writable else "writes need a token: set PROVENANCE_API_TOKEN"
        self.last_write: str | None = None
        self._scans = ThreadPoolExecutor(threads, thread_name_prefix="provenance-scan")
        self._index_thread = ThreadPoolExecutor(1, thread_name_prefix="provenance-index")
        self._local = threading.local()
        self._opened: list[IndexBackend] = []
        self._opened_lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._reader: IndexBackend | None = None  # the index thread's
        self._writer: IndexBackend | None = None
        self._registry: NameRegistry | None = None
        self._policies: tuple[int, list[dict[str, Any]]] | None = None

    # -- life ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the index (and the writer, if writes are on) and read the first snapshot; raises
        :class:`~provenance.errors.IndexError_` when the index cannot be read."""
        self._index_thread.submit(self._start).result()

    def _start(self) -> None:
        if self.writable:
            try:
                # Opened first: the writer puts an SQLite file in WAL mode, so reads and writes go on side by side.
                self._writer = self._open(readonly=False)
                self._registry = registry_from_rules(self.rules)
                _set_rekey(self._writer, self._writer.params, self._registry)
                self.write_error = None
            except IndexError_ as exc:
                self.write_error = f"the index cannot be written: {exc}"
        self._reader = self._open(readonly=True)
        self._rebuild()

    def close(self) -> None:
        """Let running work finish, then close every connection."""
        self._scans.shutdown(wait=True, cancel_futures=True)
        self._index_thread.shutdown(wait=True, cancel_futures=True)
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for index in opened:
            with contextlib.suppress(Exception):
                index.close()

    def _open(self, readonly: bool) -> IndexBackend:
        index = open_index(self.location, self.rules.fingerprint, readonly=readonly)
        with self._opened_lock:
            self._opened.append(index)
        return index

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            raise IndexError_(f"{self.location}: the index is not open yet")
        return self._snapshot

    # -- the snapshot ----------------------------------------------------------------------------
    def catch_up(self, generation: int) -> None:
        """Read the snapshot again unless it is of ``generation`` already, and number it so: a
        check process follows the generations of the process that serves (:mod:`.checkers`)."""
        if self.snapshot.generation != generation:
            self._index_thread.submit(self._rebuild, generation).result()

    def _rebuild(self, generation: int | None = None) -> Snapshot:
        """Read a new snapshot on the index thread and swap it in (numbered ``generation``, else
        one more than the last)."""
        reader = self._reader
        assert reader is not None
        redis_marker = None if isinstance(reader, SqliteIndex) else _redis_marker(reader)
        with consistent(reader) as version:
            sources = reader.sources()
            documents = reader.count()
            book = PolicyBook(self.rules, sources)
            chrome = Chrome.load(reader)
        previous = self._snapshot
        snapshot = Snapshot(
            generation=generation or (previous.generation + 1 if previous else 1), book=book, chrome=chrome, documents=documents,
            sources=sources, updated=now(), marker=version if redis_marker is None else redis_marker,
            info={"backend": reader.backend_name, "location": reader.location, "documents": documents,
                  "params": reader.params.to_dict()},
        )
        self._snapshot = snapshot
        return snapshot

    def _changed(self) -> bool:
        reader = self._reader
        if reader is None:
            return False
        if isinstance(reader, SqliteIndex):
            with consistent(reader) as version:
                return bool(version != self.snapshot.marker)
        return bool(_redis_marker(reader) != self.snapshot.marker)

    def _look(self) -> bool:
        """Rebuild the snapshot if someone else wrote to the index; True if it did."""
        if self._changed():
            self._rebuild()
            return True
        return False

    async def watch(self) -> None:
        """Look for other writers' changes every ``refresh`` seconds (a background task)."""
        if self.refresh <= 0:
            return
        while True:
            await asyncio.sleep(self.refresh)
            with contextlib.suppress(Exception):  # an unreachable index now may be back next time
                await self._on(self._index_thread, self._look)

    async def look(self) -> bool:
        """Look for other writers' changes now."""
        return await self._on(self._index_thread, self._look)

    # -- reading -----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def reading(self) -> Iterator[tuple[Scanner, Snapshot]]:
        """This thread's Scanner, up to date, and the snapshot it was made from; every read made
        inside sees one version of the index."""
        local = self._local
        reader = getattr(local, "reader", None)
        if reader is None:
            reader = local.reader = self._open(readonly=True)
        with consistent(reader) as version:
            snapshot = self.snapshot
            scanner = getattr(local, "scanner", None)
            if scanner is None or local.generation != snapshot.generation or local.version != version:
                scanner = local.scanner = Scanner(reader, self.rules, book=snapshot.book, chrome=snapshot.chrome,
                                                  documents=snapshot.documents, view_chars=VIEW_CHARS)
                local.generation, local.version = snapshot.generation, version
            yield scanner, snapshot

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on a scan thread (CPU work that needs no index, e.g. loading)."""
        return await self._on(self._scans, fn, *args)

    async def read(self, work: Callable[..., T], *args: Any) -> T:
        """``work(scanner, snapshot, *args)`` on a scan thread."""
        return await self._on(self._scans, self.reading_with, work, *args)

    def reading_with(self, work: Callable[..., T], *args: Any) -> T:
        """``work(scanner, snapshot, *args)`` on this thread, inside :meth:`reading`; after heavy
        work the heap's free pages go back to the system (:func:`~provenance.service.heap.release_after`)."""
        started = time.thread_time()
        with self.reading() as (scanner, snapshot):
            result = work(scanner, snapshot, *args)
        release_after(time.thread_time() - started)
        return result

    async def stats(self) -> dict[str, Any]:
        return await self.read(lambda scanner, _: scanner.index.stats())

    async def policies(self) -> list[dict[str, Any]]:
        """Every source's effective policy (``provenance rules show``), made once per snapshot."""
        snapshot = self.snapshot
        cached = self._policies
        if cached is not None and cached[0] == snapshot.generation:
            return cached[1]
        rows = await self._on(self._scans, effective_policies, self.rules, snapshot.sources)
        self._policies = (snapshot.generation, rows)
        return rows

    # -- writing -----------------------------------------------------------------------------------
    async def write(self, articles: list[Article]) -> dict[str, int]:
        """Add or update corpus documents in one transaction; returns added/updated/unchanged.
        Runs to its end even if the request goes away: a write is whole or not at all."""
        return await asyncio.shield(self._on(self._index_thread, self._write, articles))

    def _write(self, articles: list[Article]) -> dict[str, int]:
        if self._writer is None or self._registry is None:
            raise WritesUnavailable(self.write_error or "the index is not open for writing")
        docs = index_documents(articles, self._writer.params, self._registry)
        counts = self._writer.add(docs)
        if counts["added"] or counts["updated"]:
            self.last_write = now()
            self._rebuild()
        return counts

    # -- threads ---------------------------------------------------------------------------------
    @staticmethod
    async def _on(executor: Executor, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on ``executor``; if the request is cancelled (a timeout) before the work
        starts, it never starts; once started it finishes on its thread, its result unused."""
        return await asyncio.wrap_future(executor.submit(fn, *args))
