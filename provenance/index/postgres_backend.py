"""The durable shared index: PostgreSQL, for several builders and many scanners at once.

The URL is ``postgresql://user:password@host:port/database?schema=NAME`` (``postgres://`` too;
other query parameters go to libpq). One index is one PostgreSQL schema (default ``provenance``),
so several indexes (and tests) can share a database:

    meta        key → value: kind, schema version, fingerprint parameters (JSON), created, created_by
    rowids      the sequence row ids come from (never reused)
    docs        one row per document: metadata, compressed texts (index.codec), the screen's
                offset map, MinHash (little-endian uint32), SimHash, claims (JSON)
    bands, simblocks, postings
                posting lists as the embedded index keeps them: one row per key with its document
                count and its documents packed (:mod:`provenance.index.postings`); band and passage
                keys as their low 32 bits
    sources     per-source summary (documents, domain, strictest policy), numbered
    lines       per-source line lists (source number, line key) → count and packed documents,
                with a partial index on the lines of three or more documents

Writing: a batch is one transaction, so readers never see half of it. Documents go in with
``COPY``, their keys with ``COPY`` into a temporary table, then one ``INSERT … ON CONFLICT DO
UPDATE`` per table that appends to the lists (``n = n + excluded.n, docs = docs || excluded.docs``)
in key order. Several builders may write at once:

* each writer first takes a transaction-scoped advisory lock per document id of its batch (in
  hash order), so two writers of the same id take turns and the second sees the first's row;
* batches that only add documents share a per-index advisory lock and append in key order (no
  lock cycles); a batch that replaces or removes documents takes that lock exclusively, since it
  rewrites lists;
* source summaries are merged in SQL (``documents = documents + delta``, the stricter policy
  wins), so counts and document frequencies are exact whatever order builders commit in.

Everything read back is untrusted (anyone with write access to the schema may have changed it):
no pickle or eval, types and sizes are checked, texts are decompressed through
:func:`codec.unpack_text` with its cap, and anything malformed stops the run with an
``IndexError_`` naming the index.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from provenance import __version__
from provenance.errors import IndexError_
from provenance.fingerprint import band_keys, simhash_keys
from provenance.index import postings, readback
from provenance.index.base import (
    POLICY_RANK,
    Candidates,
    IndexBackend,
    IndexedDoc,
    Screen,
    SourceSummary,
    StoredDoc,
    batch_changes,
    grouped_lines,
    held_lines,
    holders_asked,
    merge_source,
)
from provenance.index.location import mask_in, mask_url
from provenance.index.readback import MAX_JSON
from provenance.params import FingerprintParams
from provenance.text.chrome import SourceLines

SCHEMA_VERSION = 1
KIND = "provenance index"
SCHEMES = ("postgresql://", "postgres://")
DEFAULT_SCHEMA = "provenance"
_MAX_U64 = (1 << 64) - 1
_MAX_INT4 = (1 << 31) - 1
_SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_RETRIES = 5  # a batch that loses a deadlock is tried again (whole: its transaction was rolled back)
_KINDS = {"bands": 0, "simblocks": 1, "postings": 2}
_LINES = 3
_DOC_COLUMNS = ("rowid", "id", "path", "title", "source", "url", "published", "publisher", "license", "language",
                "content_hash", "text_z", "screen_z", "offsets", "minhash", "simhash", "shingle_count", "policy",
                "policy_from", "no_edits", "aggregator", "claims")
_DOC_TYPES = ("int8", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "bytea",
              "bytea", "bytea", "bytea", "int8", "int4", "text", "text", "bool", "bool", "text")
_STORED = ("rowid, id, path, text_z, title, source, url, published, publisher, license, language, simhash,"
           " shingle_count, policy, policy_from, no_edits, aggregator, claims, content_hash, minhash")

_DDL = """
CREATE TABLE {s}.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE SEQUENCE {s}.rowids AS bigint;
CREATE TABLE {s}.docs (
    rowid bigint PRIMARY KEY, id text NOT NULL UNIQUE,
    path text, title text, source text, url text, published text, publisher text, license text, language text,
    content_hash text NOT NULL, text_z bytea NOT NULL, screen_z bytea, offsets bytea, minhash bytea NOT NULL,
    simhash bigint NOT NULL, shingle_count integer NOT NULL, policy text, policy_from text,
    no_edits boolean NOT NULL DEFAULT false, aggregator boolean NOT NULL DEFAULT false, claims text
);
CREATE TABLE {s}.bands (key integer PRIMARY KEY, n integer NOT NULL, docs bytea NOT NULL);
CREATE TABLE {s}.simblocks (key bigint PRIMARY KEY, n integer NOT NULL, docs bytea NOT NULL);
CREATE TABLE {s}.postings (key integer PRIMARY KEY, n integer NOT NULL, docs bytea NOT NULL);
CREATE TABLE {s}.sources (
    number integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE, domain text,
    documents integer NOT NULL DEFAULT 0, policy text, policy_rank smallint NOT NULL DEFAULT 0, policy_from text,
    no_edits boolean NOT NULL DEFAULT false, aggregator boolean NOT NULL DEFAULT false
);
CREATE TABLE {s}.lines (
    source integer NOT NULL, key bigint NOT NULL, n integer NOT NULL, docs bytea NOT NULL, PRIMARY KEY (source, key)
);
CREATE INDEX lines_held ON {s}.lines (source, key) WHERE n >= 3;
ALTER TABLE {s}.docs ALTER COLUMN text_z SET STORAGE EXTERNAL, ALTER COLUMN screen_z SET STORAGE EXTERNAL;
ALTER TABLE {s}.bands ALTER COLUMN docs SET STORAGE EXTERNAL;
ALTER TABLE {s}.simblocks ALTER COLUMN docs SET STORAGE EXTERNAL;
ALTER TABLE {s}.postings ALTER COLUMN docs SET STORAGE EXTERNAL;
ALTER TABLE {s}.lines ALTER COLUMN docs SET STORAGE EXTERNAL
"""
# (zstd texts and varint lists do not compress further: spare TOAST the attempt)
_TABLES = ("meta", "docs", "bands", "simblocks", "postings", "sources", "lines")


def split_url(url: str) -> tuple[str, str]:
    """``(connection URL for libpq, schema name)``: the ``schema`` query parameter is ours."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = DEFAULT_SCHEMA
    rest = []
    for name, value in query:
        if name == "schema":
            schema = value
        else:
            rest.append((name, value))
    if not _SCHEMA_NAME.fullmatch(schema):
        raise ValueError(f"schema {schema!r} is not a plain PostgreSQL name (letters, digits and _, at most 63)")
    scheme = "postgresql" if parts.scheme == "postgres" else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(rest), parts.fragment)), schema


def _lock_key(text: str) -> int:
    """A 64-bit advisory lock key (signed, as PostgreSQL takes it) for a name."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def _key32(values: np.ndarray) -> np.ndarray:
    """Band and passage keys as stored: their low 32 bits as a signed 4-byte integer (as SQLite)."""
    return (np.asarray(values).astype(np.uint64) & np.uint64(0xFFFFFFFF)).astype(np.int64) - (1 << 31)


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= (1 << 63) else value


class _Check(readback.Check):
    """Values read back, checked: a violation raises ``IndexError_`` naming the index and table."""

    noun = "column"
    advice = "the index is damaged or was tampered with; rebuild it"

    def text(self, value: object, table: str, name: str, required: bool = False) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise self.fail(table, f"column {name!r} is not text")
        return value

    def integer(self, value: object, table: str, name: str, low: int, high: int) -> int:
        if type(value) is not int or not low <= value <= high:
            raise self.fail(table, f"column {name!r} is not a whole number from {low} to {high}")
        return value

    def flag(self, value: object, table: str, name: str) -> bool:
        if type(value) is not bool:
            raise self.fail(table, f"column {name!r} is not a boolean")
        return value

    def simhash(self, value: object, table: str) -> int:
        return self.integer(value, table, "simhash", -(1 << 63), (1 << 63) - 1) & _MAX_U64


class PostgresIndex(IndexBackend):
    backend_name = "postgres"

    def __init__(self, url: str, conn: Any, schema: str, params: FingerprintParams, meta: dict[str, str],
                 readonly: bool) -> None:
        from psycopg import sql

        self.location = mask_url(url)
        self._url = url  # only to mask the password in messages quoting it
        self.conn = conn
        self.schema = schema
        self.params = params
        self.meta = meta
        self.readonly = readonly
        self.check = _Check(self.location)
        self._staged = False
        self._s = sql.Identifier(schema).as_string(conn)  # the quoted schema name, for statements

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str, params: FingerprintParams | None, *, create: bool = False,
             readonly: bool = False) -> PostgresIndex:
        """Open (or with ``create``, make) the index in the URL's schema; ``readonly`` sessions
        cannot write (``default_transaction_read_only``)."""
        shown = mask_url(url)
        try:
            import psycopg
            from psycopg import sql
        except ImportError:
            raise IndexError_(f"{shown}: the PostgreSQL backend needs the 'psycopg' package: "
                              "pip install 'provenance[postgres]'") from None
        try:
            conninfo, schema = split_url(url)
        except ValueError as exc:
            raise IndexError_(f"{shown}: not a usable PostgreSQL URL: {mask_in(str(exc), url)}") from None
        try:
            extra = {} if "connect_timeout" in conninfo else {"connect_timeout": 10}
            conn = psycopg.connect(conninfo, autocommit=True, application_name="provenance", **extra)
        except (psycopg.Error, ValueError, OSError) as exc:
            raise IndexError_(f"cannot reach PostgreSQL at {shown}: {mask_in(str(exc).strip(), url)}") from None
        try:
            if readonly:
                conn.execute("SET default_transaction_read_only = on")
            quoted = sql.Identifier(schema).as_string(conn)
            raw = cls._read_meta(conn, schema, quoted, shown)
            if raw is None:
                if not create:
                    raise IndexError_(f"{shown}: no index in schema {schema!r}; build one with "
                                      f"'provenance index build CORPUS --index {shown}'")
                if readonly:
                    raise IndexError_(f"{shown}: no index in schema {schema!r} (opened read-only)")
                raw = cls._create(conn, schema, quoted, params or FingerprintParams(), shown)
        except IndexError_:
            conn.close()
            raise
        except psycopg.Error as exc:
            conn.close()
            raise IndexError_(f"{shown}: cannot open the index: {mask_in(str(exc).strip(), url)}") from None
        check = _Check(shown)
        if raw.get("kind") != KIND:
            conn.close()
            raise IndexError_(f"{shown}: schema {schema!r} holds a table named meta but no provenance index; "
                              "left untouched")
        if raw.get("schema") != str(SCHEMA_VERSION):
            conn.close()
            raise IndexError_(f"{shown}: index schema {raw.get('schema')!r} in {schema!r} is not supported (this "
                              f"provenance reads schema {SCHEMA_VERSION}); rebuild the index into a new schema, or "
                              "copy it with 'provenance index copy'")
        try:
            stored = check.params(raw.get("params"), "meta")
        except IndexError_:
            conn.close()
            raise
        index = cls(url, conn, schema, stored, raw, readonly)
        if params is not None:
            try:
                index.check_params(params)
            except IndexError_:
                conn.close()
                raise
        return index

    @staticmethod
    def _read_meta(conn: Any, schema: str, quoted: str, shown: str) -> dict[str, str] | None:
        """The meta rows of the schema's index; None when the schema holds no tables at all."""
        import psycopg

        tables = [row[0] for row in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f')", (schema,))]
        if not tables:
            return None
        if "meta" not in tables:
            raise IndexError_(f"{shown}: schema {schema!r} holds tables but no provenance index; choose another "
                              "schema with ?schema=NAME (nothing was written)")
        try:
            rows = conn.execute(f"SELECT key, value FROM {quoted}.meta LIMIT 100").fetchall()
        except psycopg.Error:
            raise IndexError_(f"{shown}: schema {schema!r} holds a table named meta but no provenance index; "
                              "left untouched") from None
        if not all(isinstance(k, str) and isinstance(v, str) and len(v) <= MAX_JSON for k, v in rows):
            raise IndexError_(f"{shown}: schema {schema!r} holds a table named meta but no provenance index; "
                              "left untouched")
        return dict(rows)

    @classmethod
    def _create(cls, conn: Any, schema: str, quoted: str, params: FingerprintParams, shown: str) -> dict[str, str]:
        """Make the tables and meta in one transaction, unless another creator did first (builders
        started together take turns on an advisory lock)."""
        meta = {"kind": KIND, "schema": str(SCHEMA_VERSION), "params": json.dumps(params.to_dict(), sort_keys=True),
                "created": datetime.now(UTC).isoformat(timespec="seconds"), "created_by": f"provenance {__version__}"}
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(f"provenance create {schema}"),))
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
            found = cls._read_meta(conn, schema, quoted, shown)
            if found is not None:
                return found
            for statement in _DDL.format(s=quoted).split(";"):
                conn.execute(statement)
            with conn.cursor() as cur:
                cur.executemany(f"INSERT INTO {quoted}.meta (key, value) VALUES (%s, %s)", list(meta.items()))
        return meta

    def _t(self, table: str) -> str:
        return f"{self._s}.{table}"

    @contextlib.contextmanager
    def _talking(self, writing: bool = False) -> Iterator[None]:
        import psycopg

        try:
            yield
        except psycopg.Error as exc:
            doing = "write to" if writing else "read"
            raise IndexError_(f"{self.location}: cannot {doing} the index: "
                              f"{mask_in(str(exc).strip(), self._url)}") from None

    def change_marker(self) -> tuple[int, int]:
        """Documents and the last row id handed out: any committed write changes one of them."""
        with self._talking():
            count, last = self.conn.execute(
                f"SELECT (SELECT count(*) FROM {self._t('docs')}), last_value FROM {self._t('rowids')}").fetchone()
        return int(count), int(last)

    # -- writing ----------------------------------------------------------------------------
    def content_hashes(self) -> dict[str, str]:
        with self._talking():
            rows = self.conn.execute(f"SELECT id, content_hash FROM {self._t('docs')}").fetchall()
        return {self.check.text(i, "docs", "id", True) or "": self.check.text(h, "docs", "content_hash", True) or ""
                for i, h in rows}

    def add(self, docs: Iterable[IndexedDoc]) -> dict[str, int]:
        docs = list(docs)
        return self._retrying(lambda: self._add(docs))

    def remove(self, ids: Iterable[str]) -> int:
        wanted = sorted(set(ids))
        return self._retrying(lambda: self._remove(wanted))

    def _retrying(self, write: Any) -> Any:
        """Run one write transaction, again if PostgreSQL chose it as a deadlock's victim."""
        import psycopg

        if self.readonly:
            raise IndexError_(f"{self.location}: the index was opened read-only")
        with self._talking(writing=True):
            self._stage()
        for attempt in range(_RETRIES):
            try:
                with self.conn.transaction():
                    return write()
            except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
                if attempt == _RETRIES - 1:
                    raise IndexError_(f"{self.location}: cannot write to the index: it kept deadlocking with "
                                      "other writers") from None
            except psycopg.Error as exc:
                raise IndexError_(f"{self.location}: cannot write to the index: "
                                  f"{mask_in(str(exc).strip(), self._url)}") from None
        raise AssertionError("unreachable")

    def _lock_ids(self, ids: Sequence[str], exclusive: bool | None) -> None:
        """Advisory locks held to the end of the transaction: one per document id (in hash order, so
        writers never wait on each other in a cycle), then, unless ``exclusive`` is None, the
        index's writer lock (shared for adding, exclusive for rewriting lists)."""
        keys = sorted({_lock_key(f"{self.schema}\x00{doc_id}") for doc_id in ids})
        if keys:
            self.conn.execute("SELECT count(pg_advisory_xact_lock(k)) FROM"
                              " (SELECT k FROM unnest(%s::bigint[]) AS k ORDER BY k) AS sorted", (keys,))
        if exclusive is not None:
            function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
            self.conn.execute(f"SELECT {function}(%s)", (_lock_key(f"provenance writers {self.schema}"),))

    def _add(self, docs: list[IndexedDoc]) -> dict[str, int]:
        ids = list(dict.fromkeys(doc.id for doc in docs))
        self._lock_ids(ids, None)
        stored: dict[str, tuple[int, str]] = {}
        for rowid, doc_id, content_hash in self.conn.execute(
                f"SELECT rowid, id, content_hash FROM {self._t('docs')} WHERE id = ANY(%s)", (ids,)):
            stored[self.check.text(doc_id, "docs", "id", True) or ""] = (
                self.check.integer(rowid, "docs", "rowid", 1, (1 << 63) - 1),
                self.check.text(content_hash, "docs", "content_hash", True) or "")
        counts, latest = batch_changes(docs, {doc_id: content_hash for doc_id, (_, content_hash) in stored.items()})
        replaced = [stored[doc_id][0] for doc_id in latest if doc_id in stored]
        if not latest:
            return counts
        self._lock_ids([], exclusive=bool(replaced))
        removed = self._delete_rows(replaced) if replaced else {}
        self._insert(list(latest.values()), removed)
        return counts

    def _remove(self, ids: list[str]) -> int:
        self._lock_ids(ids, None)
        rows = [int(r[0]) for r in self.conn.execute(f"SELECT rowid FROM {self._t('docs')} WHERE id = ANY(%s)",
                                                     (ids,))]
        if not rows:
            return 0
        self._lock_ids([], exclusive=True)
        removed = self._delete_rows(rows)
        self._merge_sources([], removed)
        return len(rows)

    def _stage(self) -> None:
        """The session's staging table for one batch's keys (emptied at every commit)."""
        if not self._staged:
            self.conn.execute("CREATE TEMPORARY TABLE IF NOT EXISTS provenance_stage (kind smallint NOT NULL,"
                              " source integer, key bigint NOT NULL, n integer NOT NULL, docs bytea NOT NULL)"
                              " ON COMMIT DELETE ROWS")
            self._staged = True

    def _insert(self, docs: list[IndexedDoc], removed: dict[str, int]) -> None:
        conn = self.conn
        rowids = sorted(int(r[0]) for r in conn.execute(
            f"SELECT nextval('{self._t('rowids')}') FROM generate_series(1, %s)", (len(docs),)))
        with conn.cursor() as cur, cur.copy(
                f"COPY {self._t('docs')} ({', '.join(_DOC_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(list(_DOC_TYPES))
            for rowid, doc in zip(rowids, docs, strict=True):
                copy.write_row((
                    rowid, doc.id, doc.path, doc.title, doc.source, doc.url, doc.published, doc.publisher,
                    doc.license, doc.language, doc.content_hash, doc.text_z, doc.screen_z if doc.screen else None,
                    doc.offsets or None, np.asarray(doc.minhash).astype("<u4").tobytes(), _signed(doc.simhash),
                    int(doc.shingle_count), doc.policy, doc.policy_from, bool(doc.no_edits), bool(doc.aggregator),
                    json.dumps(doc.claims, ensure_ascii=False) if doc.claims else None,
                ))
        numbers = self._merge_sources(docs, removed)
        owners = np.array(rowids, dtype=np.int64)
        staged: list[tuple[int, int | None, list[int], list[int], list[bytes]]] = []
        for table, keys in (
                ("bands", [_key32(np.array(d.band_keys, dtype=np.int64)) for d in docs]),
                ("simblocks", [np.array(d.simhash_keys, dtype=np.int64) for d in docs]),
                ("postings", [_key32(np.asarray(d.passage_keys)) for d in docs])):
            flat = np.concatenate(keys)
            staged.append((_KINDS[table], None, *postings.pack(flat, np.repeat(owners, [k.size for k in keys]))))
        held = [(numbers[d.source], np.asarray(d.line_keys, dtype=np.uint64).view(np.int64), rowid)
                for d, rowid in zip(docs, rowids, strict=True) if d.source and d.line_keys.size]
        if held:
            sizes = [k.size for _, k, _ in held]
            groups, keys, ns, blobs = postings.pack_grouped(
                np.repeat(np.array([n for n, _, _ in held], dtype=np.int64), sizes),
                np.concatenate([k for _, k, _ in held]),
                np.repeat(np.array([r for _, _, r in held], dtype=np.int64), sizes))
            with conn.cursor() as cur, cur.copy("COPY provenance_stage (kind, source, key, n, docs) FROM STDIN"
                                                " (FORMAT BINARY)") as copy:
                copy.set_types(["int2", "int4", "int8", "int4", "bytea"])
                for row in zip(groups, keys, ns, blobs, strict=True):
                    copy.write_row((_LINES, *row))
        with conn.cursor() as cur, cur.copy("COPY provenance_stage (kind, key, n, docs) FROM STDIN"
                                            " (FORMAT BINARY)") as copy:
            copy.set_types(["int2", "int8", "int4", "bytea"])
            for kind, _, keys, ns, blobs in staged:
                for row in zip(keys, ns, blobs, strict=True):
                    copy.write_row((kind, *row))
        # Appended in key order, table after table: writers lock rows in one order, never in a cycle.
        for table, kind in _KINDS.items():
            cast = "bigint" if table == "simblocks" else "integer"
            conn.execute(f"INSERT INTO {self._t(table)} AS t (key, n, docs) SELECT key::{cast}, n, docs FROM"
                         f" provenance_stage WHERE kind = {kind} ORDER BY key ON CONFLICT (key) DO UPDATE"
                         " SET n = t.n + excluded.n, docs = t.docs || excluded.docs")
        if held:
            conn.execute(f"INSERT INTO {self._t('lines')} AS t (source, key, n, docs) SELECT source, key, n, docs"
                         f" FROM provenance_stage WHERE kind = {_LINES} ORDER BY source, key"
                         " ON CONFLICT (source, key) DO UPDATE SET n = t.n + excluded.n, docs = t.docs || excluded.docs")
        conn.execute(f"UPDATE {self._t('meta')} SET value = %s WHERE key = 'created_by' AND value <> %s",
                     (f"provenance {__version__}",) * 2)

    _NEW_POLICY_WINS = ("(excluded.policy_rank > s.policy_rank OR (excluded.policy_rank = s.policy_rank"
                        " AND excluded.policy_rank > 0 AND COALESCE(excluded.policy_from, '') COLLATE \"C\""
                        " < COALESCE(s.policy_from, '') COLLATE \"C\"))")

    def _merge_sources(self, docs: list[IndexedDoc], removed: dict[str, int]) -> dict[str, int]:
        """Merge a batch's added documents (and the removed ones' counts) into the source summaries
        in one statement whose SQL does the merging, so concurrent writers add up; returns the
        numbers of the sources of ``docs``."""
        summaries: dict[str, dict[str, Any]] = {}
        for doc in docs:
            if doc.source:
                summaries[doc.source] = merge_source(summaries.get(doc.source), doc)
        for name, n in removed.items():
            summary = summaries.setdefault(name, {"documents": 0, "domain": None, "policy": None,
                                                  "policy_from": None, "no_edits": False, "aggregator": False})
            summary["documents"] -= n
        if not summaries:
            return {}
        names = sorted(summaries)
        columns = [names, [summaries[n]["domain"] for n in names], [summaries[n]["documents"] for n in names],
                   [summaries[n]["policy"] for n in names], [POLICY_RANK.get(summaries[n]["policy"], 0) for n in names],
                   [summaries[n]["policy_from"] for n in names], [bool(summaries[n]["no_edits"]) for n in names],
                   [bool(summaries[n]["aggregator"]) for n in names]]
        rows = self.conn.execute(
            f"INSERT INTO {self._t('sources')} AS s (name, domain, documents, policy, policy_rank, policy_from,"
            " no_edits, aggregator) SELECT name, domain, GREATEST(0, documents), policy, rank, policy_from, no_edits,"
            " aggregator FROM unnest(%s::text[], %s::text[], %s::integer[], %s::text[], %s::smallint[], %s::text[],"
            " %s::boolean[], %s::boolean[]) AS v (name, domain, documents, policy, rank, policy_from, no_edits,"
            " aggregator) ORDER BY name ON CONFLICT (name) DO UPDATE SET"
            " documents = GREATEST(0, s.documents + excluded.documents),"
            # as base.merge_source merges (code point order: "C" collation), whatever order writers come in
            " domain = CASE WHEN s.domain IS NULL OR (excluded.domain IS NOT NULL AND (length(excluded.domain)"
            " < length(s.domain) OR (length(excluded.domain) = length(s.domain) AND excluded.domain COLLATE \"C\""
            " < s.domain COLLATE \"C\"))) THEN excluded.domain ELSE s.domain END,"
            " policy = CASE WHEN " + self._NEW_POLICY_WINS + " THEN excluded.policy ELSE s.policy END,"
            " policy_from = CASE WHEN " + self._NEW_POLICY_WINS + " THEN excluded.policy_from ELSE s.policy_from END,"
            " policy_rank = GREATEST(s.policy_rank, excluded.policy_rank),"
            " no_edits = s.no_edits OR excluded.no_edits, aggregator = s.aggregator OR excluded.aggregator"
            " RETURNING name, number", columns).fetchall()
        return {name: int(number) for name, number in rows}

    def _delete_rows(self, rowids: list[int]) -> dict[str, int]:
        """Take documents out of every list they are in and delete them (under the exclusive writer
        lock: no other writer touches a list meanwhile); returns documents removed per source."""
        conn = self.conn
        unlist: dict[str, dict[int, list[int]]] = {table: {} for table in _KINDS}
        lines: dict[tuple[int, int], list[int]] = {}
        removed: dict[str, int] = {}
        numbers = {name: int(number) for name, number in conn.execute(
            f"SELECT name, number FROM {self._t('sources')} WHERE name IN"
            f" (SELECT source FROM {self._t('docs')} WHERE rowid = ANY(%s))", (rowids,))}
        for rowid, simhash, minhash, text_z, source in conn.execute(
                f"SELECT rowid, simhash, minhash, text_z, source FROM {self._t('docs')} WHERE rowid = ANY(%s)",
                (rowids,)).fetchall():
            minhash = self.check.minhash(minhash, "docs", self.params.num_perm)
            rekeyed = self._rekeyed(self.check.packed(text_z, "docs", "text_z"))
            source = self.check.text(source, "docs", "source")
            for table, keys in (
                    ("bands", _key32(np.array(band_keys(minhash, self.params), dtype=np.int64))),
                    ("simblocks", np.array(simhash_keys(self.check.simhash(simhash, "docs"), self.params))),
                    ("postings", _key32(np.asarray(rekeyed.fingerprint.passage_keys)))):
                for key in set(keys.tolist()):
                    unlist[table].setdefault(key, []).append(rowid)
            if source:
                removed[source] = removed.get(source, 0) + 1
                if source in numbers:
                    for key in np.asarray(rekeyed.line_keys, dtype=np.uint64).view(np.int64).tolist():
                        lines.setdefault((numbers[source], key), []).append(rowid)
        for table, gone in unlist.items():
            if not gone:
                continue
            found = conn.execute(f"SELECT key, docs FROM {self._t(table)} WHERE key = ANY(%s) ORDER BY key",
                                 (sorted(gone),)).fetchall()
            keep = self._kept([(key, blob, gone[key]) for key, blob in found], table)
            self._rewrite(table, "key", [((k,), n, b) for k, n, b in keep])
        if lines:
            wanted = sorted(lines)
            found = conn.execute(
                f"SELECT source, key, docs FROM {self._t('lines')} WHERE (source, key) IN"
                " (SELECT * FROM unnest(%s::integer[], %s::bigint[])) ORDER BY source, key",
                ([s for s, _ in wanted], [k for _, k in wanted])).fetchall()
            keep = self._kept([((s, k), blob, lines[(s, k)]) for s, k, blob in found], "lines")
            self._rewrite("lines", "source, key", [(sk, n, b) for sk, n, b in keep])
        conn.execute(f"DELETE FROM {self._t('docs')} WHERE rowid = ANY(%s)", (rowids,))
        return removed

    def _kept(self, found: list[tuple[Any, Any, list[int]]], table: str) -> list[tuple[Any, int, bytes]]:
        """Each list without the given rows: (key, count left, packed list left)."""
        out = []
        for key, blob, gone in found:
            docs, _ = self._unpack(table, [self.check.blob(blob, table, "docs")])
            kept = docs[~np.isin(docs, np.array(gone, dtype=np.int64))]
            out.append((key, int(kept.size), postings.encode(kept).tobytes()))
        return out

    def _rewrite(self, table: str, key_columns: str, rows: list[tuple[tuple[int, ...], int, bytes]]) -> None:
        """Store the lists left (a list left empty goes)."""
        emptied = [key for key, n, _ in rows if n == 0]
        kept = [(key, n, blob) for key, n, blob in rows if n > 0]
        width = len(key_columns.split(","))
        types = ["integer", "bigint"] if table == "lines" else ["bigint"]
        names = [c.strip() for c in key_columns.split(",")]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        if kept:
            args = [[key[i] for key, _, _ in kept] for i in range(width)]
            match = " AND ".join(f"t.{c} = v.{c}" for c in names)
            self.conn.execute(
                f"UPDATE {self._t(table)} AS t SET n = v.n, docs = v.docs FROM unnest({arrays}, %s::integer[],"
                f" %s::bytea[]) AS v ({key_columns}, n, docs) WHERE {match}",
                [*args, [n for _, n, _ in kept], [blob for _, _, blob in kept]])
        if emptied:
            args = [[key[i] for key in emptied] for i in range(width)]
            self.conn.execute(f"DELETE FROM {self._t(table)} WHERE ({key_columns}) IN (SELECT * FROM unnest({arrays}))",
                              args)

    def _unpack(self, table: str, blobs: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        try:
            return postings.unpack(blobs)
        except ValueError as exc:
            raise IndexError_(f"{self.location}: a posting list in {table} is damaged ({exc}); rebuild the index") from None

    # -- reading ----------------------------------------------------------------------------
    def candidates(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray,
                   max_simhash_distance: int) -> Candidates:
        return self._lookup(minhash, simhash, passage_keys, max_simhash_distance, None)[0]

    def candidates_and_frequencies(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray,
                                   max_simhash_distance: int, max_df: int) -> tuple[Candidates, dict[int, int]]:
        return self._lookup(minhash, simhash, passage_keys, max_simhash_distance, max_df)

    def _lookup(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray, max_distance: int,
                max_df: int | None) -> tuple[Candidates, dict[int, int]]:
        """Two statements: the band, block and passage lists (a frequent key's list left unread),
        then the SimHash of the rows found near."""
        found = Candidates()
        counts: dict[int, int] = {}
        full: dict[int, int] = {}
        for key, stored in zip(passage_keys.tolist(), _key32(passage_keys).tolist(), strict=True):
            full[stored] = key
        bands = _key32(np.array(band_keys(minhash, self.params), dtype=np.int64)).tolist()
        blocks = simhash_keys(simhash, self.params)
        limit = _MAX_INT4 if max_df is None else max_df
        with self._talking():
            rows = self.conn.execute(
                f"SELECT 0, key::bigint, n, docs FROM {self._t('bands')} WHERE key = ANY(%s::integer[])"
                f" UNION ALL SELECT 1, key, n, docs FROM {self._t('simblocks')} WHERE key = ANY(%s::bigint[])"
                f" UNION ALL SELECT 2, key::bigint, n, CASE WHEN n <= %s THEN docs END FROM {self._t('postings')}"
                " WHERE key = ANY(%s::integer[])", (bands, blocks, limit, list(full))).fetchall()
            lists: dict[int, list[bytes]] = {0: [], 1: [], 2: []}
            keys: list[int] = []
            for kind, key, n, blob in rows:
                table = ("bands", "simblocks", "postings")[kind]
                n = self.check.integer(n, table, "n", 0, _MAX_INT4)
                if kind == 2:
                    if key not in full:
                        raise self.check.fail(table, "returned a key that was not asked for")
                    if max_df is not None and n >= 2:
                        counts[full[key]] = min(n, max_df + 1)
                    if blob is None:
                        continue
                    keys.append(full[key])
                lists[kind].append(self.check.blob(blob, table, "docs"))
            found.lsh_hits.update(self._unpack("bands", lists[0])[0].tolist())
            near = sorted(set(self._unpack("simblocks", lists[1])[0].tolist()))
            if near:
                for rowid, value in self.conn.execute(
                        f"SELECT rowid, simhash FROM {self._t('docs')} WHERE rowid = ANY(%s::bigint[])", (near,)):
                    distance = (self.check.simhash(value, "docs") ^ simhash).bit_count()
                    if distance <= max_distance:
                        found.simhash_hits[int(rowid)] = distance
        docs, owner = self._unpack("postings", lists[2])
        found.pair_docs = docs.astype(np.int64)
        found.pair_keys = np.array(keys, dtype=np.uint64)[owner] if keys else np.zeros(0, dtype=np.uint64)
        return found, counts

    def document_frequencies(self, passage_keys: np.ndarray, cap: int | None = None) -> dict[int, int]:
        full = dict(zip(_key32(passage_keys).tolist(), passage_keys.tolist(), strict=True))
        with self._talking():
            rows = self.conn.execute(f"SELECT key, n FROM {self._t('postings')} WHERE key = ANY(%s::integer[])",
                                     (list(full),)).fetchall()
        out = {}
        for key, n in rows:
            n = self.check.integer(n, "postings", "n", 0, _MAX_INT4)
            if n >= 2 and key in full:
                out[full[key]] = n if cap is None else min(n, cap)
        return out

    def line_counts(self, source: str) -> dict[int, int]:
        with self._talking():
            rows = self.conn.execute(
                f"SELECT l.key, l.n FROM {self._t('lines')} AS l JOIN {self._t('sources')} AS s"
                " ON s.number = l.source WHERE s.name = %s", (source,)).fetchall()
        return {self.check.integer(key, "lines", "key", -(1 << 63), (1 << 63) - 1) & _MAX_U64:
                self.check.integer(n, "lines", "n", 0, _MAX_INT4) for key, n in rows}

    def line_holders(self, keys: Iterable[int], docs: Iterable[tuple[int, str]]) -> dict[int, set[int]] | None:
        wanted, by_source = holders_asked(keys, docs)
        if not wanted or not by_source:
            return {}
        signed = np.array(wanted, dtype=np.uint64).view(np.int64).tolist()
        with self._talking():
            rows = self.conn.execute(
                f"SELECT s.name, l.key, l.docs FROM {self._t('lines')} AS l JOIN {self._t('sources')} AS s"
                " ON s.number = l.source WHERE s.name = ANY(%s::text[]) AND l.key = ANY(%s::bigint[])",
                (sorted(by_source), signed)).fetchall()
        if not rows:
            return {}
        blobs = [self.check.blob(blob, "lines", "docs") for _, _, blob in rows]
        found = [(int(key) & _MAX_U64, by_source.get(name)) for name, key, _ in rows]
        return held_lines(found, *self._unpack("lines", blobs))

    def frequent_lines(self, min_count: int, sample: int) -> dict[str, SourceLines]:
        if min_count < 3:
            raise ValueError("frequent_lines reads lines held by 3 or more documents")
        found: dict[str, tuple[list[int], list[int], list[bytes]]] = {}
        with self._talking():
            rows = self.conn.execute(
                f"SELECT s.name, l.key, l.n, substring(l.docs FROM 1 FOR %s) FROM {self._t('lines')} AS l"
                f" JOIN {self._t('sources')} AS s ON s.number = l.source WHERE l.n >= 3 AND l.n >= %s"
                " ORDER BY l.source, l.key", (10 * sample, min_count)).fetchall()
        for name, key, n, head in rows:
            name = self.check.text(name, "sources", "name", True) or ""
            keys, counts, blobs = found.setdefault(name, ([], [], []))
            keys.append(self.check.integer(key, "lines", "key", -(1 << 63), (1 << 63) - 1) & _MAX_U64)
            counts.append(self.check.integer(n, "lines", "n", 0, _MAX_INT4))
            blobs.append(postings.whole(self.check.blob(head, "lines", "docs")))
        out = {}
        for name, (keys, counts, blobs) in found.items():
            out[name] = grouped_lines(keys, counts, *self._unpack("lines", blobs), sample)
        return out

    def screens(self, rowids: Iterable[int]) -> dict[int, Screen]:
        rowids = [int(r) for r in rowids]
        if not rowids:
            return {}
        with self._talking():
            rows = self.conn.execute(f"SELECT rowid, source, screen_z, offsets, simhash FROM {self._t('docs')}"
                                     " WHERE rowid = ANY(%s::bigint[])", (rowids,)).fetchall()
        out = {}
        for rowid, source, screen, offsets, simhash in rows:
            text = self.check.packed(screen, "docs", "screen_z") if screen is not None else ""
            out[int(rowid)] = Screen(self.check.text(source, "docs", "source"), text,
                                     self.check.blob(offsets, "docs", "offsets") if offsets is not None else b"",
                                     self.check.simhash(simhash, "docs"))
        return out

    def _stored(self, row: tuple[Any, ...]) -> StoredDoc:
        check, t = self.check, "docs"
        texts = [check.text(v, t, name) for v, name in zip(row[4:11], ("title", "source", "url", "published",
                                                                        "publisher", "license", "language"),
                                                           strict=True)]
        return StoredDoc(
            rowid=check.integer(row[0], t, "rowid", 1, (1 << 63) - 1), id=check.text(row[1], t, "id", True) or "",
            path=check.text(row[2], t, "path") or "", text=check.packed(row[3], t, "text_z"),
            title=texts[0], source=texts[1], url=texts[2], published=texts[3], publisher=texts[4], license=texts[5],
            language=texts[6], simhash=check.simhash(row[11], t),
            shingle_count=check.integer(row[12], t, "shingle_count", 0, _MAX_INT4),
            policy=check.policy(row[13], t, "policy"), policy_from=check.text(row[14], t, "policy_from"),
            no_edits=check.flag(row[15], t, "no_edits"), aggregator=check.flag(row[16], t, "aggregator"),
            claims=check.claims(row[17], t), content_hash=check.text(row[18], t, "content_hash", True) or "",
            minhash=check.minhash(row[19], t, self.params.num_perm),
        )

    def get(self, rowids: Iterable[int]) -> list[StoredDoc]:
        rowids = [int(r) for r in rowids]
        if not rowids:
            return []
        with self._talking():
            rows = self.conn.execute(f"SELECT {_STORED} FROM {self._t('docs')} WHERE rowid = ANY(%s::bigint[])",
                                     (rowids,)).fetchall()
        return [self._stored(row) for row in rows]

    def get_by_id(self, doc_id: str) -> StoredDoc | None:
        with self._talking():
            row = self.conn.execute(f"SELECT {_STORED} FROM {self._t('docs')} WHERE id = %s", (doc_id,)).fetchone()
        return self._stored(row) if row else None

    def sources(self) -> list[SourceSummary]:
        with self._talking():
            rows = self.conn.execute(
                f"SELECT name, domain, documents, policy, policy_from, no_edits, aggregator FROM {self._t('sources')}"
                ' WHERE documents > 0 ORDER BY name COLLATE "C"').fetchall()
        check, t = self.check, "sources"
        return [SourceSummary(check.text(name, t, "name", True) or "", check.text(domain, t, "domain"),
                              check.integer(documents, t, "documents", 0, _MAX_INT4), check.policy(policy, t, "policy"),
                              check.text(policy_from, t, "policy_from"), check.flag(no_edits, t, "no_edits"),
                              check.flag(aggregator, t, "aggregator"))
                for name, domain, documents, policy, policy_from, no_edits, aggregator in rows]

    def count(self) -> int:
        with self._talking():
            return int(self.conn.execute(f"SELECT count(*) FROM {self._t('docs')}").fetchone()[0])

    def iter_ids(self) -> Iterator[str]:
        with self._talking():
            rows = self.conn.execute(f'SELECT id FROM {self._t("docs")} ORDER BY id COLLATE "C"').fetchall()
        for (doc_id,) in rows:
            yield self.check.text(doc_id, "docs", "id", True) or ""

    def iter_docs(self, batch: int = 500) -> Iterator[list[StoredDoc]]:
        last = 0
        while True:
            with self._talking():
                rows = self.conn.execute(f"SELECT {_STORED} FROM {self._t('docs')} WHERE rowid > %s ORDER BY rowid"
                                         " LIMIT %s", (last, batch)).fetchall()
            if not rows:
                return
            docs = [self._stored(row) for row in rows]
            last = docs[-1].rowid
            yield docs

    def stats(self) -> dict[str, Any]:
        with self._talking():
            size, text_bytes, sources = self.conn.execute(
                "SELECT (SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n"
                " ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'S')),"
                f" (SELECT COALESCE(sum(octet_length(text_z)), 0) FROM {self._t('docs')}),"
                f" (SELECT count(*) FROM {self._t('sources')} WHERE documents > 0)", (self.schema,)).fetchone()
        return {
            "backend": self.backend_name, "location": self.location, "schema": self.schema,
            "documents": self.count(), "sources": int(sources), "bytes": int(size), "text_bytes": int(text_bytes),
            "created": self.meta.get("created"), "written_by": self.meta.get("created_by"),
            "params": self.params.to_dict(),
        }

    def close(self) -> None:
        import psycopg

        with contextlib.suppress(psycopg.Error, OSError):
            self.conn.close()
