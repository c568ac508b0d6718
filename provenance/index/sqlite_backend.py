"""The embedded index: one SQLite file in WAL mode, no server.

Documents live in ``docs`` (metadata, compressed text and screen text (index.codec), the screen's offset
map, SimHash); lookup keys in three ``WITHOUT ROWID`` tables of posting lists, one row per key
with its document count and its documents packed (see :mod:`provenance.index.postings`), so a
query is a handful of index seeks and opening the file reads only the ``meta`` table. Band and
passage keys are stored as their low 32 bits (4-byte integers): a chance collision only adds a
candidate, which screening drops. Writes happen one transaction per batch; a batch appends to
the lists of the keys it shares with earlier documents.

Schema 6 adds the per-source line lists a scan learns each source's chrome from
(:mod:`provenance.text.chrome`): ``lines``, a ``WITHOUT ROWID`` table keyed by (source number,
line key) — the source's number is its row in ``sources`` — with the count and the packed row ids
of the source's documents holding the line, kept like the posting lists; a partial index on the
rows held by three or more documents lets a scan read those without reading the rest.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from provenance import __version__
from provenance.credits.names import domain_of
from provenance.errors import IndexError_
from provenance.fingerprint import band_keys, simhash_keys
from provenance.index import postings
from provenance.index.base import (
    Candidates,
    IndexBackend,
    IndexedDoc,
    Screen,
    SourceSummary,
    StoredDoc,
    grouped_lines,
    held_lines,
    holders_asked,
    summary_domain,
    summary_policy,
)
from provenance.index.codec import unpack_text
from provenance.index.location import CACHE_FOLDER
from provenance.limits import file_kind
from provenance.params import FingerprintParams
from provenance.text.chrome import SourceLines

SCHEMA_VERSION = 6
APPLICATION_ID = 0x70726F76  # "prov" in the database header: marks the file as a provenance index
_CHUNK = 500
PAGE_SIZE = 65536
WRITE_CACHE_KIB = 131072
READ_CACHE_KIB = 65536
READ_MMAP_BYTES = 1 << 31

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    path TEXT, title TEXT, source TEXT, url TEXT, published TEXT, publisher TEXT, license TEXT,
    language TEXT, content_hash BLOB NOT NULL, text_z BLOB NOT NULL,
    simhash INTEGER NOT NULL, shingle_count INTEGER NOT NULL,
    policy TEXT, policy_from TEXT, no_edits INTEGER NOT NULL DEFAULT 0, aggregator INTEGER NOT NULL DEFAULT 0,
    claims TEXT, screen_z BLOB, offsets BLOB
);
CREATE TABLE IF NOT EXISTS bands (key INTEGER PRIMARY KEY, n INTEGER NOT NULL, docs BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS simblocks (key INTEGER PRIMARY KEY, n INTEGER NOT NULL, docs BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS postings (key INTEGER PRIMARY KEY, n INTEGER NOT NULL, docs BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources (
    number INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, domain TEXT, documents INTEGER NOT NULL DEFAULT 0,
    policy TEXT, policy_from TEXT, no_edits INTEGER NOT NULL DEFAULT 0, aggregator INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS lines (
    source INTEGER NOT NULL, key INTEGER NOT NULL, n INTEGER NOT NULL, docs BLOB NOT NULL, PRIMARY KEY (source, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lines_held ON lines (source, key) WHERE n >= 3;
"""
_LINES_INDEXED = 3  # the partial index holds the line rows of at least this many documents


@dataclass(frozen=True)
class _Header:
    """What the first 100 bytes of an SQLite file say (https://sqlite.org/fileformat.html)."""

    page_size: int
    pages: int
    application_id: int


def _preflight(file: Path) -> _Header | None:
    """The header of an existing index file, read without SQLite (None: no file, or an empty one).

    Everything SQLite would do to a file happens only after this: a file that is not an SQLite
    database, or one that another application marked as its own, or a truncated one, is refused
    untouched.
    """
    try:
        data = _head(file)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexError_(f"{file}: cannot open the index: {exc.strerror or exc}") from None
    size, head = data
    if size == 0:
        return None
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        raise IndexError_(f"{file}: not a provenance index (not an SQLite database); left untouched")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    application_id = int.from_bytes(head[68:72], "big")
    if application_id not in (APPLICATION_ID, 0):
        raise IndexError_(f"{file}: not a provenance index (an SQLite database of another application, id "
                          f"{application_id:#010x}); left untouched")
    header_size_valid = head[24:28] == head[92:96] and pages > 0
    if header_size_valid and size < pages * page_size:
        raise IndexError_(f"{file}: the index is damaged: the file is truncated ({size} bytes where its header "
                          f"says {pages * page_size}); rebuild it")
    return _Header(page_size, pages, application_id)


def _head(file: Path) -> tuple[int, bytes]:
    """``(size, first 100 bytes)`` of a regular file, opened read-only without blocking."""
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IndexError_(f"{file}: not a provenance index ({file_kind(info.st_mode)}); left untouched")
        return info.st_size, os.pread(fd, 100, 0)
    finally:
        os.close(fd)


def _create(file: Path, params: FingerprintParams) -> None:
    """Write a new, empty index at ``file`` whole or not at all.

    The tables and parameters are made in one transaction in a file of a temporary name, which
    is then linked into place: a build killed while it creates the index leaves no half-made
    file behind (only the temporary one, removed by the next creation). If another process
    created the index first, its file is kept.
    """
    try:
        made = not file.parent.exists()
        file.parent.mkdir(parents=True, exist_ok=True)
        if made and file.parent.name == CACHE_FOLDER:  # the tool's own folder stays out of git status
            (file.parent / ".gitignore").write_text("# Created by provenance: its index, not yours to commit.\n*\n",
                                                    encoding="utf-8")
    except OSError as exc:
        raise IndexError_(f"{file}: cannot create the index folder: {exc.strerror}") from None
    for stale in file.parent.glob(f".{glob.escape(file.name)}.*.creating"):
        pid = stale.name[len(file.name) + 2 : -len(".creating")]
        if pid.isdigit() and not _alive(int(pid)):
            stale.unlink(missing_ok=True)
    temporary = file.with_name(f".{file.name}.{os.getpid()}.creating")
    meta = {
        "schema": str(SCHEMA_VERSION), "params": json.dumps(params.to_dict(), sort_keys=True),
        "created": datetime.now(UTC).isoformat(timespec="seconds"), "created_by": f"provenance {__version__}",
    }
    try:
        temporary.unlink(missing_ok=True)
        conn = sqlite3.connect(str(temporary), isolation_level=None)
        try:
            # Documents of a few KB each: 64 KB pages hold many, where small pages waste about
            # half a document each (set before the first table).
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute("BEGIN")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            conn.execute("COMMIT")
        finally:
            conn.close()
        try:
            if file.exists() and file.stat().st_size == 0:
                os.replace(temporary, file)  # an empty file is no index: replaced
            else:
                os.link(temporary, file)  # never over a file another process created meanwhile
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not file.exists():
                os.replace(temporary, file)
    except (OSError, sqlite3.Error) as exc:
        raise IndexError_(f"{file}: cannot create the index: {getattr(exc, 'strerror', None) or exc}") from None
    finally:
        temporary.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _uri(file: Path) -> str:
    return file.absolute().as_uri()


def _check_legacy(file: Path) -> None:
    """An index written before the application id was set: recognised by its ``meta`` table, read
    with SQLite's ``immutable`` flag (no lock, no journal file, nothing written)."""
    try:
        conn = sqlite3.connect(f"{_uri(file)}?immutable=1", uri=True)
        try:
            found = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('schema', 'params')").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        found = {}
    if "params" not in found or "schema" not in found:
        raise IndexError_(f"{file}: not a provenance index (an SQLite database without provenance's tables); "
                          "left untouched")


def _signed(values: Iterable[int]) -> list[int]:
    return [v - (1 << 64) if v >= (1 << 63) else v for v in values]


def _in_chunks(values: list[Any]) -> Iterator[tuple[list[Any], str]]:
    """``values`` in pieces small enough for one ``IN (…)``, each with its placeholders."""
    for i in range(0, len(values), _CHUNK):
        chunk = values[i : i + _CHUNK]
        yield chunk, ",".join("?" * len(chunk))


def _key32(value: int) -> int:
    """The stored form of a band or passage key: its low 32 bits as a signed 4-byte integer."""
    return (int(value) & 0xFFFFFFFF) - (1 << 31)


def _hash_bytes(content_hash: str) -> bytes | str:
    """A content hash as stored: the hex digest's bytes (half the size), or the text if not hex."""
    try:
        return bytes.fromhex(content_hash)
    except ValueError:
        return content_hash


def _hash_text(value: bytes | str) -> str:
    return value.hex() if isinstance(value, bytes) else value


def _keys64(values: np.ndarray) -> np.ndarray:
    """Line keys (uint64) as SQLite stores them: the same 64 bits as a signed integer."""
    return np.asarray(values, dtype=np.uint64).view(np.int64)


def _keys32(values: np.ndarray) -> np.ndarray:
    """:func:`_key32` of an array of 64-bit keys (signed or not)."""
    return (values.astype(np.uint64) & np.uint64(0xFFFFFFFF)).astype(np.int64) - (1 << 31)


class SqliteIndex(IndexBackend):
    backend_name = "sqlite"

    def __init__(self, path: str, conn: sqlite3.Connection, params: FingerprintParams, meta: dict[str, str]) -> None:
        self.location = path
        self.conn = conn
        self.params = params
        self.meta = meta
        self.readonly = False

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str, params: FingerprintParams | None, *, create: bool = False,
             readonly: bool = False) -> SqliteIndex:
        """Open (or with ``create``, make) the index at ``path``.

        A file that is not a provenance index is refused before SQLite opens it, so it is left
        byte for byte as it was; ``readonly`` connections never write (see :func:`_preflight`).
        """
        if sqlite3.sqlite_version_info < (3, 24, 0):  # UPSERT appends to the posting lists
            raise IndexError_(f"{path}: the embedded index needs SQLite 3.24 or later; this Python has "
                              f"SQLite {sqlite3.sqlite_version}")
        file = Path(path)
        header = _preflight(file)
        exists = header is not None
        if not exists and not create:
            raise IndexError_(f"{path}: no index here; build one with 'provenance index build CORPUS --index {path}'")
        if not exists:
            _create(file, params or FingerprintParams())
            header = _preflight(file)
            if header is None:
                raise IndexError_(f"{path}: the new index disappeared while it was being opened")
        if header.application_id == 0:
            _check_legacy(file)
        try:
            if readonly:
                conn = sqlite3.connect(f"{_uri(file)}?mode=ro", uri=True, timeout=60, isolation_level=None,
                                       check_same_thread=False)
            else:
                conn = sqlite3.connect(str(file), timeout=60, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 60000")
            if not readonly:
                # WAL while writing (scans may read beside a build); back to a rollback journal
                # when the writer closes, so that read-only connections create no files.
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            # Random key lookups and inserts: keep the B-tree pages in memory.
            conn.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB if not readonly else READ_CACHE_KIB}")
            if not create:
                # Scanning reads a few rows from all over the file: mapped pages are read in place
                # instead of copied 64 KB at a time (SQLite caps the size at its own maximum). Not
                # for building: its resident mapped pages would count against its memory budget.
                conn.execute(f"PRAGMA mmap_size = {READ_MMAP_BYTES}")
            meta_rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise IndexError_(f"{path}: not a readable provenance index ({exc})") from None
        if "params" not in meta_rows:
            raise IndexError_(f"{path}: not a provenance index (no parameters recorded)")
        if not readonly and header.application_id == 0:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # an index written before the marker
        if int(meta_rows.get("schema", "0")) != SCHEMA_VERSION:
            raise IndexError_(f"{path}: index schema {meta_rows.get('schema')} is not supported "
                              f"(this provenance reads schema {SCHEMA_VERSION}); rebuild the index")
        try:
            recorded = json.loads(meta_rows["params"])
            stored = FingerprintParams.from_dict(recorded if isinstance(recorded, dict) else {"num_perm": None})
            problems = stored.problems()
        except (ValueError, TypeError, RecursionError) as exc:
            problems = [str(exc)]
        if problems:
            raise IndexError_(f"{path}: the index's recorded parameters are damaged ({problems[0]}); rebuild the index")
        index = cls(str(path), conn, stored, meta_rows)
        index.readonly = readonly
        if params is not None:
            index.check_params(params)
        return index

    # -- writing ----------------------------------------------------------------------------
    def content_hashes(self) -> dict[str, str]:
        return {doc_id: _hash_text(value) for doc_id, value in self.conn.execute("SELECT id, content_hash FROM docs")}

    def add(self, docs: Iterable[IndexedDoc]) -> dict[str, int]:
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        keys: dict[str, list[tuple[np.ndarray, int]]] = {"bands": [], "simblocks": [], "postings": []}
        lines: list[tuple[int, np.ndarray, int]] = []  # (source number, line keys, row) of the batch
        pending: set[int] = set()  # rows added in this batch, whose keys are not written yet
        with self._writing() as cur:
            for doc in docs:
                row = cur.execute("SELECT rowid, content_hash FROM docs WHERE id = ?", (doc.id,)).fetchone()
                if row and _hash_text(row[1]) == doc.content_hash:
                    counts["unchanged"] += 1
                    continue
                if row:
                    self._delete_rows(cur, [row[0]])
                    if row[0] in pending:  # the same id twice in one batch: drop the first one's rows
                        for table in keys:
                            keys[table] = [part for part in keys[table] if part[1] != row[0]]
                        lines = [part for part in lines if part[2] != row[0]]
                    counts["updated"] += 1
                else:
                    counts["added"] += 1
                pending.add(self._insert(cur, doc, keys, lines))
            # One list per key for all documents of the batch, written in key order: each B-tree
            # page is visited once in order instead of at random for every document.
            for table, parts in keys.items():
                if not parts:
                    continue
                values = np.concatenate([k for k, _ in parts])
                owners = np.repeat(np.array([r for _, r in parts], dtype=np.int64), [k.size for k, _ in parts])
                # || joins the bytes of two blobs (as text, which CAST turns back into a blob)
                cur.executemany(f"INSERT INTO {table} (key, n, docs) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE"
                                " SET n = n + excluded.n, docs = CAST(docs || excluded.docs AS BLOB)",
                                zip(*postings.pack(values, owners), strict=True))
            if lines:
                sizes = [k.size for _, k, _ in lines]
                cur.executemany("INSERT INTO lines (source, key, n, docs) VALUES (?, ?, ?, ?) ON CONFLICT (source, key)"
                                " DO UPDATE SET n = n + excluded.n, docs = CAST(docs || excluded.docs AS BLOB)",
                                zip(*postings.pack_grouped(
                                    np.repeat(np.array([n for n, _, _ in lines], dtype=np.int64), sizes),
                                    np.concatenate([k for _, k, _ in lines]),
                                    np.repeat(np.array([r for _, _, r in lines], dtype=np.int64), sizes)), strict=True))
            cur.execute("UPDATE meta SET value = ? WHERE key = 'created_by'", (f"provenance {__version__}",))
        return counts

    def _insert(self, cur: sqlite3.Cursor, doc: IndexedDoc, keys: dict[str, list[tuple[np.ndarray, int]]],
                lines: list[tuple[int, np.ndarray, int]]) -> int:
        cur.execute(
            "INSERT INTO docs (id, path, title, source, url, published, publisher, license, language,"
            " content_hash, text_z, simhash, shingle_count, policy, policy_from, no_edits, aggregator,"
            " claims, screen_z, offsets) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.id, doc.path, doc.title, doc.source, doc.url, doc.published, doc.publisher, doc.license,
                doc.language, _hash_bytes(doc.content_hash), doc.text_z,
                _signed([doc.simhash])[0], doc.shingle_count,
                doc.policy, doc.policy_from, int(doc.no_edits), int(doc.aggregator),
                json.dumps(doc.claims, ensure_ascii=False) if doc.claims else None,
                doc.screen_z if doc.screen else None,
                doc.offsets or None,
            ),
        )
        rowid = int(cur.lastrowid or 0)
        keys["bands"].append((_keys32(np.array(doc.band_keys, dtype=np.int64)), rowid))
        keys["simblocks"].append((np.array(doc.simhash_keys, dtype=np.int64), rowid))
        keys["postings"].append((_keys32(np.asarray(doc.passage_keys)), rowid))
        if doc.source:
            number = self._bump_source(cur, doc.source, doc.url, +1, doc.policy,
                                       f"{doc.id}: {doc.policy_from}" if doc.policy else None, doc.no_edits,
                                       doc.aggregator)
            if doc.line_keys.size:
                lines.append((number, _keys64(doc.line_keys), rowid))
        return rowid

    def _bump_source(self, cur: sqlite3.Cursor, name: str, url: str | None, delta: int, policy: str | None,
                     policy_from: str | None, no_edits: bool, aggregator: bool) -> int:
        """Count a document in (or out of) its source's summary; returns the source's number."""
        row = cur.execute("SELECT number, domain, documents, policy, policy_from, no_edits, aggregator FROM sources"
                          " WHERE name = ?", (name,)).fetchone()
        domain = domain_of(url) if url else None
        if row is None:
            cur.execute("INSERT INTO sources (name, domain, documents, policy, policy_from, no_edits, aggregator)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (name, domain, max(delta, 0), policy, policy_from, int(no_edits), int(aggregator)))
            return int(cur.lastrowid or 0)
        number, old_domain, documents, old_policy, old_from, old_no_edits, old_aggregator = row
        if delta > 0:  # chosen as base.merge_source chooses: the same whatever order documents come in
            old_policy, old_from = summary_policy((old_policy, old_from), (policy, policy_from))
            old_domain = summary_domain(old_domain, domain)
        cur.execute(
            "UPDATE sources SET domain = ?, documents = ?, policy = ?, policy_from = ?, no_edits = ?, aggregator = ?"
            " WHERE name = ?",
            (old_domain, max(0, documents + delta), old_policy, old_from,
             int(bool(old_no_edits) or (delta > 0 and no_edits)), int(bool(old_aggregator) or (delta > 0 and aggregator)),
             name),
        )
        return int(number)

    def _delete_rows(self, cur: sqlite3.Cursor, rowids: list[int]) -> None:
        for rowid in rowids:
            row = cur.execute("SELECT simhash, text_z, source FROM docs WHERE rowid = ?", (rowid,)).fetchone()
            if row is None:
                continue
            rekeyed = self._rekeyed(unpack_text(row[1], self.location))
            fp = rekeyed.fingerprint
            self._unlist(cur, "bands", [_key32(k) for k in band_keys(fp.hashvalues, self.params)], rowid)
            self._unlist(cur, "simblocks", simhash_keys(row[0] & ((1 << 64) - 1), self.params), rowid)
            self._unlist(cur, "postings", [_key32(k) for k in fp.passage_keys.tolist()], rowid)
            cur.execute("DELETE FROM docs WHERE rowid = ?", (rowid,))
            if row[2]:
                cur.execute("UPDATE sources SET documents = max(0, documents - 1) WHERE name = ?", (row[2],))
                number = cur.execute("SELECT number FROM sources WHERE name = ?", (row[2],)).fetchone()
                if number is not None:
                    self._unlist_lines(cur, int(number[0]), _keys64(rekeyed.line_keys).tolist(), rowid)

    def _unlist(self, cur: sqlite3.Cursor, table: str, keys: Iterable[int], rowid: int) -> None:
        """Take a document out of the lists of its keys (a list left empty goes)."""
        for key in set(keys):
            row = cur.execute(f"SELECT docs FROM {table} WHERE key = ?", (key,)).fetchone()
            if row is None:
                continue
            docs, _ = self._unpack(table, [row[0]])
            kept = docs[docs != rowid]
            n, blob = int(kept.size), postings.encode(kept).tobytes()
            if n:
                cur.execute(f"UPDATE {table} SET n = ?, docs = ? WHERE key = ?", (n, blob, key))
            else:
                cur.execute(f"DELETE FROM {table} WHERE key = ?", (key,))

    def _unlist_lines(self, cur: sqlite3.Cursor, source: int, keys: Iterable[int], rowid: int) -> None:
        """Take a document out of its source's line lists (a list left empty goes)."""
        for key in set(keys):
            row = cur.execute("SELECT docs FROM lines WHERE source = ? AND key = ?", (source, key)).fetchone()
            if row is None:
                continue
            docs, _ = self._unpack("lines", [row[0]])
            kept = docs[docs != rowid]
            if kept.size:
                cur.execute("UPDATE lines SET n = ?, docs = ? WHERE source = ? AND key = ?",
                            (int(kept.size), postings.encode(kept).tobytes(), source, key))
            else:
                cur.execute("DELETE FROM lines WHERE source = ? AND key = ?", (source, key))

    def _listed(self, cur: sqlite3.Cursor, table: str, keys: list[int]) -> tuple[list[int], np.ndarray, np.ndarray]:
        """The keys found in a table, their documents and which found key each document is listed under."""
        found: list[int] = []
        blobs: list[bytes] = []
        for chunk, marks in _in_chunks(keys):
            for key, blob in cur.execute(f"SELECT key, docs FROM {table} WHERE key IN ({marks})", chunk):
                found.append(key)
                blobs.append(blob)
        docs, owner = self._unpack(table, blobs)
        return found, docs, owner

    def _unpack(self, table: str, blobs: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        try:
            return postings.unpack(blobs)
        except ValueError as exc:
            raise IndexError_(f"{self.location}: a posting list in {table} is damaged ({exc}); rebuild the index") from None

    def remove(self, ids: Iterable[str]) -> int:
        ids = list(ids)
        removed = 0
        with self._writing() as cur:
            for chunk, marks in _in_chunks(ids):
                rows = [r[0] for r in cur.execute(f"SELECT rowid FROM docs WHERE id IN ({marks})", chunk)]
                self._delete_rows(cur, rows)
                removed += len(rows)
        return removed

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Cursor]:
        """One write transaction, rolled back on any failure (a damaged list met on the way too)."""
        cur = self.conn.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
            yield cur
            cur.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                cur.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise IndexError_(f"{self.location}: cannot write to the index: {exc}") from None
            raise

    # -- reading ----------------------------------------------------------------------------
    def candidates(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray,
                   max_simhash_distance: int) -> Candidates:
        found = Candidates()
        cur = self.conn.cursor()
        try:
            self._near_duplicates(cur, found, minhash, simhash, max_simhash_distance)
            full = {_key32(k): k for k in passage_keys.tolist()}
            keys, docs, owner = self._listed(cur, "postings", list(full))
            self._store_pairs(found, [full[key] for key in keys], docs, owner)
        except sqlite3.Error as exc:
            raise IndexError_(f"{self.location}: cannot read the index: {exc}") from None
        return found

    def candidates_and_frequencies(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray,
                                   max_simhash_distance: int, max_df: int) -> tuple[Candidates, dict[int, int]]:
        # One read of the passage keys' rows: every count, and the lists of the keys not frequent
        # (a frequent key's list is left unread).
        found = Candidates()
        counts: dict[int, int] = {}
        cur = self.conn.cursor()
        try:
            self._near_duplicates(cur, found, minhash, simhash, max_simhash_distance)
            full = {_key32(k): k for k in passage_keys.tolist()}
            keys: list[int] = []
            blobs: list[bytes] = []
            for chunk, marks in _in_chunks(list(full)):
                for key, n, blob in cur.execute(
                        f"SELECT key, n, CASE WHEN n <= ? THEN docs END FROM postings WHERE key IN ({marks})",
                        [max_df, *chunk]):
                    if n >= 2:
                        counts[full[key]] = min(n, max_df + 1)
                    if blob is not None:
                        keys.append(full[key])
                        blobs.append(blob)
            docs, owner = self._unpack("postings", blobs)
            self._store_pairs(found, keys, docs, owner)
        except sqlite3.Error as exc:
            raise IndexError_(f"{self.location}: cannot read the index: {exc}") from None
        return found, counts

    def _near_duplicates(self, cur: sqlite3.Cursor, found: Candidates, minhash: np.ndarray, simhash: int,
                         max_simhash_distance: int) -> None:
        """LSH band and SimHash block candidates (SimHash ones within the distance)."""
        bands = [_key32(k) for k in band_keys(minhash, self.params)]
        found.lsh_hits.update(self._listed(cur, "bands", bands)[1].tolist())
        near = set(self._listed(cur, "simblocks", simhash_keys(simhash, self.params))[1].tolist())
        for chunk, marks in _in_chunks(sorted(near)):
            for rowid, value in cur.execute(f"SELECT rowid, simhash FROM docs WHERE rowid IN ({marks})", chunk):
                distance = bin((value & ((1 << 64) - 1)) ^ simhash).count("1")
                if distance <= max_simhash_distance:
                    found.simhash_hits[rowid] = distance

    @staticmethod
    def _store_pairs(found: Candidates, keys: list[int], docs: np.ndarray, owner: np.ndarray) -> None:
        found.pair_docs = docs.astype(np.int64)
        found.pair_keys = np.array(keys, dtype=np.uint64)[owner] if keys else np.zeros(0, dtype=np.uint64)

    def document_frequencies(self, passage_keys: np.ndarray, cap: int | None = None) -> dict[int, int]:
        out: dict[int, int] = {}
        full = {_key32(k): k for k in passage_keys.tolist()}
        try:
            for chunk, marks in _in_chunks(list(full)):
                for key, n in self.conn.execute(f"SELECT key, n FROM postings WHERE key IN ({marks})", chunk):
                    if n >= 2:
                        out[full[key]] = n if cap is None else min(n, cap)
        except sqlite3.Error as exc:
            raise IndexError_(f"{self.location}: cannot read the index: {exc}") from None
        return out

    _COLUMNS = ("rowid, id, path, text_z, title, source, url, published, publisher, license, language, simhash,"
                " shingle_count, policy, policy_from, no_edits, aggregator, claims, content_hash")

    def _stored(self, row: tuple[Any, ...]) -> StoredDoc:
        return StoredDoc(
            rowid=row[0], id=row[1], path=row[2], text=unpack_text(row[3], self.location), title=row[4],
            source=row[5], url=row[6], published=row[7], publisher=row[8], license=row[9], language=row[10],
            simhash=row[11] & ((1 << 64) - 1), shingle_count=row[12], policy=row[13], policy_from=row[14],
            no_edits=bool(row[15]), aggregator=bool(row[16]), claims=json.loads(row[17]) if row[17] else [],
            content_hash=_hash_text(row[18]),
        )

    def line_counts(self, source: str) -> dict[int, int]:
        try:
            rows = self.conn.execute("SELECT key, n FROM lines WHERE source = (SELECT number FROM sources WHERE name = ?)",
                                     (source,)).fetchall()
        except sqlite3.Error as exc:
            raise IndexError_(f"{self.location}: cannot read the index: {exc}") from None
        return {key & ((1 << 64) - 1): n for key, n in rows}

    def line_holders(self, keys: Iterable[int], docs: Iterable[tuple[int, str]]) -> dict[int, set[int]] | None:
        wanted, by_source = holders_asked(keys, docs)
        if not wanted or not by_source:
            return {}
        names = sorted(by_source)
        signed = _keys64(np.array(wanted, dtype=np.uint64)).tolist()
        found: list[tuple[int, set[int]]] = []  # (key, the docs of its source)
        blobs: list[bytes] = []
        try:
            numbers: dict[int, str] = {}
            for chunk, marks in _in_chunks(names):
                numbers.update(self.conn.execute(f"SELECT number, name FROM sources WHERE name IN ({marks})", chunk))
            for number, name in numbers.items():
                for chunk, marks in _in_chunks(signed):
                    for key, blob in self.conn.execute(
                            f"SELECT key, docs FROM lines WHERE source = ? AND key IN ({marks})", [number, *chunk]):
                        found.append((key & ((1 << 64) - 1), by_source[name]))
                        blobs.append(blob)
        except sqlite3.Error as exc:
            raise IndexError_(f"{self.location}: cannot read the index: {exc}") from None
        return held_lines(found, *self._unpack("lines", blobs)) if found else {}

    def frequent_lines(self, min_count: int, sample: int) -> dict[str, SourceLines]:
        if min_count < _LINES_INDEXED:
            raise ValueError(f"frequent_lines reads lines held by {_LINES_INDEXED} or more documents")
        found: dict[str, tuple[list[int], list[int], list[bytes]]] = {}
        try:
            for name, key, n, head in self.conn.execute(
                    "SELECT s.name, l.key, l.n, substr(l.docs, 1, ?) FROM lines AS l INDEXED BY lines_held"
                    " JOIN sources AS s ON s.number = l.source WHERE l.n >= 3 AND l.n >= ?"
                    " ORDER BY l.source, l.key", (10 * sample, min_count)):
                keys, counts, blobs = found.setdefault(name, ([], [], []))
                keys.append(key & ((1 << 64) - 1))
                counts.append(n)
                blobs.append(postings.whole(head))
        except sqlite3.Error as exc:
            raise IndexError_(f"{self.location}: cannot read the index: {exc}") from None
        out = {}
        for name, (keys, counts, blobs) in found.items():
            out[name] = grouped_lines(keys, counts, *self._unpack("lines", blobs), sample)
        return out

    def screens(self, rowids: Iterable[int]) -> dict[int, Screen]:
        rowids = list(rowids)
        out: dict[int, Screen] = {}
        try:
            for chunk, marks in _in_chunks(rowids):
                for rowid, source, screen, offsets, simhash in self.conn.execute(
                        f"SELECT rowid, source, screen_z, offsets, simhash FROM docs WHERE rowid IN ({marks})", chunk):
                    text = unpack_text(screen, self.location) if screen else ""
                    out[rowid] = Screen(source, text, offsets or b"", simhash & ((1 << 64) - 1))
        except sqlite3.Error as exc:
            raise IndexError_(f"{self.location}: cannot read the index: {exc}") from None
        return out

    def get(self, rowids: Iterable[int]) -> list[StoredDoc]:
        rowids = list(rowids)
        out: list[StoredDoc] = []
        for chunk, marks in _in_chunks(rowids):
            out.extend(self._stored(r) for r in self.conn.execute(
                f"SELECT {self._COLUMNS} FROM docs WHERE rowid IN ({marks})", chunk))
        return out

    def get_by_id(self, doc_id: str) -> StoredDoc | None:
        row = self.conn.execute(f"SELECT {self._COLUMNS} FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return self._stored(row) if row else None

    def sources(self) -> list[SourceSummary]:
        return [
            SourceSummary(name, domain, documents, policy, policy_from, bool(no_edits), bool(aggregator))
            for name, domain, documents, policy, policy_from, no_edits, aggregator in self.conn.execute(
                "SELECT name, domain, documents, policy, policy_from, no_edits, aggregator FROM sources"
                " WHERE documents > 0 ORDER BY name")
        ]

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def iter_docs(self, batch: int = 500) -> Iterator[list[StoredDoc]]:
        last = 0
        while True:
            rows = self.conn.execute(f"SELECT {self._COLUMNS} FROM docs WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                     (last, batch)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [self._stored(r) for r in rows]

    def iter_ids(self) -> Iterator[str]:
        for (doc_id,) in self.conn.execute("SELECT id FROM docs ORDER BY id").fetchall():
            yield doc_id

    def stats(self) -> dict[str, Any]:
        size = sum(os.path.getsize(p) for p in (self.location, self.location + "-wal") if os.path.exists(p))
        text_bytes = self.conn.execute("SELECT COALESCE(SUM(LENGTH(text_z)), 0) FROM docs").fetchone()[0]
        return {
            "backend": self.backend_name,
            "location": self.location,
            "documents": self.count(),
            "sources": self.conn.execute("SELECT COUNT(*) FROM sources WHERE documents > 0").fetchone()[0],
            "bytes": size,
            "text_bytes": int(text_bytes),
            "created": self.meta.get("created"),
            "written_by": self.meta.get("created_by"),
            "params": self.params.to_dict(),
        }

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            if not self.readonly:
                # Back to a rollback journal (see open); a reader still connected keeps WAL on.
                self.conn.execute("PRAGMA busy_timeout = 100")
                self.conn.execute("PRAGMA journal_mode = DELETE")
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()
