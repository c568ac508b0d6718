"""The shared index: Redis, for teams whose CI runners check against one corpus.

The URL is ``redis://host:port/db?prefix=NAME``; every key lives under ``NAME:`` (schema 5):

    meta           hash: schema, params (JSON), created, created_by
    next           the last row id handed out
    doc:<row>      hash: metadata, compressed texts, offset map, MinHash (little-endian uint32),
                   SimHash, claims (JSON), and ``live`` = 1 while the row is published
    ids, hashes    hashes: document id → row id, document id → content hash
    sources        hash: source name → summary (JSON)
    b:<hex>        set of row ids: one LSH band key (``fingerprint.band_keys``, as the embedded
                   index uses), so a query is the union of the article's band sets
    sim:<hex>      set of row ids: one SimHash block
    p:<hex>        set of row ids: one passage key (its size is the key's document frequency)
    l:<src>:<hex>  set of row ids: the documents of one source holding one line (``<src>``: 16 hex
                   digits of BLAKE2b of the source's name; ``<hex>``: the line key, text.chrome)
    lz:<src>       sorted set: the source's line keys (hex) scored by how many of its documents
                   hold them, so a scan reads the lines of three or more documents by score

Anyone who can write to the server must not be able to run code on the machines that read it:
nothing read back is unpickled or evaluated. Row ids, numbers, blobs and JSON are checked as
untrusted bytes, and anything malformed stops the run with an ``IndexError_`` naming the key.

A batch is written as its rows and their keys first, then its ids and ``live`` flags in one
transaction, so a scan beside a writer never sees half a document, and a row a killed build left
unpublished is ignored (its line counts stay, as its passage-set entries do: a killed build can
only add a holder to a line, never hide one). Deleting clears the id and ``live`` first. Schema 3
(datasketch's ``MinHashLSH``, which pickles its bucket members) is refused; ``index copy`` reads
its documents, never its ``lsh`` keys, into a new prefix. Schema 4 (no line counts) is refused
with the way to rebuild it or copy its documents.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import numpy as np

from provenance import __version__
from provenance.errors import IndexError_
from provenance.fingerprint import band_keys, simhash_keys
from provenance.index.base import (
    POLICY_RANK,
    Candidates,
    IndexBackend,
    IndexedDoc,
    Rekeyed,
    Screen,
    SourceSummary,
    StoredDoc,
    merge_source,
)
from provenance.index.codec import unpack_text
from provenance.index.location import mask_in, mask_url
from provenance.params import FingerprintParams
from provenance.text.chrome import SourceLines

SCHEMA_VERSION = 5
LEGACY_SCHEMA = 3  # datasketch's pickled LSH buckets: read by ``index copy`` only
UNCOUNTED_SCHEMA = 4  # the layout before line counts: read by ``index copy`` only
MAX_JSON = 1 << 20  # bytes of a JSON field (claims, a source summary, the parameters)
MAX_ROWID = (1 << 63) - 1
_MAX_U64 = (1 << 64) - 1
_PIPELINE = 10_000  # commands sent in one round trip when writing
_META = ("schema", "params", "created", "created_by")
_FIELDS = ("id", "path", "title", "source", "url", "published", "publisher", "license", "language",
           "content_hash", "policy", "policy_from")
_DOC = (*_FIELDS, "text_z", "minhash", "simhash", "shingle_count", "no_edits", "aggregator", "claims", "live")
_SCREEN = ("source", "screen_z", "offsets", "simhash", "live")
_CLAIM_TEXT = ("text", "name", "kind", "url", "resolved")


def _split_url(url: str) -> tuple[str, str]:
    """``(connection URL, prefix)``: the ``prefix`` query parameter is ours, not redis-py's."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    prefix = (query.pop("prefix", ["provenance"])[0] or "provenance").strip(":")
    rest = urlencode({k: v[0] for k, v in query.items()})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment)), prefix


def _with_prefix(url: str, prefix: str) -> str:
    """``url`` naming another prefix (the rest kept as written)."""
    if re.search(r"[?&]prefix=", url):
        return re.sub(r"([?&])prefix=[^&#]*", lambda m: f"{m.group(1)}prefix={prefix}", url)
    return f"{url}{'&' if '?' in url else '?'}prefix={prefix}"


def _key(value: int) -> str:
    """Redis key suffix for a 64-bit lookup key (hex keeps keys short and unambiguous)."""
    return format(value & _MAX_U64, "x")


def _source_tag(name: str) -> str:
    """The part of a source's line keys that names it: 16 hex digits of BLAKE2b of the name."""
    return hashlib.blake2b(name.encode("utf-8"), digest_size=8).hexdigest()


_HEX_KEY = re.compile(rb"[0-9a-f]{1,16}")


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def _decimal(value: object, limit: int) -> int | None:
    """``value`` if it is the bytes of a plain decimal in ``[0, limit]`` (ASCII digits only, no
    sign, spaces, underscores or leading zeros), else None. ``int()`` is laxer than that."""
    if not isinstance(value, bytes) or not 0 < len(value) <= len(str(limit)) or not value.isdigit():
        return None
    if len(value) > 1 and value[0] == 0x30:
        return None
    number = int(value)
    return number if number <= limit else None


def parse_rowid(value: object) -> int | None:
    """A row id as stored (``1 … 2**63 - 1``), or None."""
    number = _decimal(value, MAX_ROWID)
    return number if number else None


class _Check:
    """Validation of bytes read back: a violation raises ``IndexError_`` naming the index and key."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, problem: str) -> IndexError_:
        return IndexError_(f"{self.where}: {key} {problem}; rebuild the index")

    def rowids(self, members: Iterable[object], key: str) -> list[int]:
        out = []
        for member in members:
            rowid = parse_rowid(member)
            if rowid is None:
                raise self.fail(key, "holds a member that is not a row id")
            out.append(rowid)
        return out

    def number(self, value: object, key: str, name: str, limit: int = _MAX_U64) -> int:
        number = _decimal(value, limit)
        if number is None:
            raise self.fail(key, f"field {name!r} is not a decimal number up to {limit}")
        return number

    def text(self, value: object, key: str, name: str, required: bool = False) -> str | None:
        if value is None or value == b"":
            if required:
                raise self.fail(key, f"field {name!r} is missing")
            return None
        if not isinstance(value, bytes):
            raise self.fail(key, f"field {name!r} is not text")
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail(key, f"field {name!r} is not UTF-8 text") from None

    def blob(self, value: object, key: str, name: str) -> bytes:
        if not isinstance(value, bytes):
            raise self.fail(key, f"field {name!r} is missing")
        return value

    def packed(self, value: object, key: str, name: str) -> str:
        """A compressed text (the codec checks the bytes and names the index in its own error)."""
        return unpack_text(self.blob(value, key, name), f"{self.where}: {key} field {name!r}")

    def flag(self, value: object, key: str, name: str) -> bool:
        if value not in (b"0", b"1"):
            raise self.fail(key, f"field {name!r} is not 0 or 1")
        return value == b"1"

    def json(self, value: object, key: str, name: str) -> Any:
        if not isinstance(value, bytes) or len(value) > MAX_JSON:
            raise self.fail(key, f"field {name!r} is not JSON of at most {MAX_JSON} bytes")
        try:
            return json.loads(value.decode("utf-8"), parse_constant=_no_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise self.fail(key, f"field {name!r} is not valid JSON") from None

    def policy(self, value: object, key: str, name: str) -> str | None:
        if value is not None and (not isinstance(value, str) or value not in POLICY_RANK):
            raise self.fail(key, f"field {name!r} is not a policy")
        return value

    def claims(self, value: object, key: str) -> list[dict[str, Any]]:
        if value is None or value == b"":
            return []
        data = self.json(value, key, "claims")
        if not isinstance(data, list) or not all(isinstance(c, dict) and _claim_ok(c) for c in data):
            raise self.fail(key, "field 'claims' is not a list of claims")
        return data

    def line_key(self, value: object, key: str) -> int:
        """A line key as a sorted-set member: 1 to 16 lower-case hex digits, not zero."""
        if not isinstance(value, bytes) or not _HEX_KEY.fullmatch(value) or (len(value) > 1 and value[0] == 0x30):
            raise self.fail(key, "holds a member that is not a line key")
        number = int(value, 16)
        if not number:
            raise self.fail(key, "holds a member that is not a line key")
        return number

    def count(self, value: object, key: str) -> int:
        """A line's count as a sorted-set score: a whole number from 0 to ``MAX_ROWID``."""
        if type(value) is not float or not value.is_integer() or not 0 <= value <= MAX_ROWID:
            raise self.fail(key, "holds a score that is not a document count")
        return int(value)

    def minhash(self, value: object, key: str, num_perm: int) -> np.ndarray:
        if not isinstance(value, bytes) or len(value) != num_perm * 4:
            raise self.fail(key, f"field 'minhash' is not {num_perm * 4} bytes")
        return np.frombuffer(value, dtype="<u4").astype(np.uint32)

    def offsets(self, value: object, key: str, length: int) -> bytes:
        """An offset map whose inflated size fits a text of ``length`` characters (a varint count
        and two varints per break point at most), so no small value inflates to gigabytes."""
        if value is None or value == b"":
            return b""
        data = self.blob(value, key, "offsets")
        bound = 10 * (1 + 2 * length)
        try:
            inflater = zlib.decompressobj(-15)
            inflated = inflater.decompress(data, bound + 1)
        except zlib.error:
            raise self.fail(key, "field 'offsets' is not an offset map") from None
        if len(inflated) > bound or inflater.unconsumed_tail:
            raise self.fail(key, "field 'offsets' is larger than its text allows")
        return data

    def summary(self, value: object, key: str, name: str) -> dict[str, Any]:
        data = self.json(value, key, name)
        if (not isinstance(data, dict) or type(data.get("documents")) is not int or data["documents"] < 0
                or not all(data.get(k) is None or isinstance(data[k], str) for k in ("domain", "policy_from"))
                or not all(isinstance(data.get(k, False), bool) for k in ("no_edits", "aggregator"))):
            raise self.fail(key, f"field {name!r} is not a source summary")
        self.policy(data.get("policy"), key, name)
        return data

    def params(self, value: object, key: str) -> FingerprintParams:
        data = self.json(value, key, "params")
        defaults = FingerprintParams()
        if not isinstance(data, dict):
            raise self.fail(key, "field 'params' is not fingerprint parameters")
        for spec in fields(FingerprintParams):
            if spec.name not in data:
                continue
            wanted, got = type(getattr(defaults, spec.name)), data[spec.name]
            if not (type(got) is wanted or (wanted is float and type(got) is int)):
                raise self.fail(key, f"field 'params' has a bad {spec.name!r}")
        params = FingerprintParams.from_dict(data)
        if params.problems():
            raise self.fail(key, f"field 'params' is out of range ({params.problems()[0]})")
        return params


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _claim_ok(claim: dict[str, Any]) -> bool:
    span, line = claim.get("span"), claim.get("line")
    return (all(claim.get(k) is None or isinstance(claim[k], str) for k in _CLAIM_TEXT)
            and (span is None or (isinstance(span, list) and len(span) == 2
                                  and all(type(v) is int and v >= 0 for v in span)))
            and (line is None or type(line) is int))


class RedisIndex(IndexBackend):
    backend_name = "redis"

    def __init__(self, url: str, client: Any, prefix: str, params: FingerprintParams, meta: dict[str, str],
                 schema: int = SCHEMA_VERSION) -> None:
        self.location = mask_url(url)
        self._url = url  # only to mask the password in messages quoting it
        self.client = client
        self.prefix = prefix
        self.params = params
        self.meta = meta
        self.schema = schema
        self.check = _Check(self.location)
        self._rekey: Any = None

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str, params: FingerprintParams | None, *, create: bool = False,
             legacy: bool = False) -> RedisIndex:
        """Open (or with ``create``, start) the index at ``url``. ``legacy`` also opens a schema-3
        prefix, read-only and through its documents only (for ``index copy``)."""
        shown = mask_url(url)
        try:
            import redis
        except ImportError:
            raise IndexError_(f"{shown}: the Redis backend needs the 'redis' package: "
                              "pip install 'provenance[redis]'") from None
        connection_url, prefix = _split_url(url)
        meta_key = f"{prefix}:meta"
        try:
            client = redis.Redis.from_url(connection_url, socket_connect_timeout=5, socket_timeout=30)
            client.ping()
        except (redis.exceptions.RedisError, ValueError, OSError) as exc:
            raise IndexError_(f"cannot reach Redis at {shown}: {mask_in(str(exc), url)}") from None
        try:
            raw = dict(zip(_META, client.hmget(meta_key, *_META), strict=True))
            if raw["schema"] is None and create:
                raw = cls._start(client, prefix, params or FingerprintParams(), shown)
        except (redis.exceptions.RedisError, OSError) as exc:
            raise IndexError_(f"{shown}: cannot read the index: {mask_in(str(exc), url)}") from None
        if all(v is None for v in raw.values()):
            raise IndexError_(f"{shown}: no index under prefix {prefix!r}; build one with "
                              f"'provenance index build CORPUS --index {shown}'")
        schema = raw["schema"]
        if schema == str(LEGACY_SCHEMA).encode() and not legacy:
            raise IndexError_(
                f"{shown}: prefix {prefix!r} holds a schema-{LEGACY_SCHEMA} index, whose LSH buckets are pickled"
                f" and unsafe to read; this provenance reads schema {SCHEMA_VERSION}. Rebuild it into a new prefix"
                f" with 'provenance index build CORPUS --index URL', or copy its documents: provenance index copy"
                f" '{shown}' '{_with_prefix(shown, prefix + f'-v{SCHEMA_VERSION}')}'")
        if schema == str(UNCOUNTED_SCHEMA).encode() and not legacy:
            raise IndexError_(
                f"{shown}: prefix {prefix!r} holds a schema-{UNCOUNTED_SCHEMA} index, which keeps no per-source line"
                f" counts; this provenance reads schema {SCHEMA_VERSION}; rebuild the index with 'provenance index"
                f" build CORPUS --index URL', or copy its documents into a new prefix: provenance index copy"
                f" '{shown}' '{_with_prefix(shown, prefix + f'-v{SCHEMA_VERSION}')}'")
        older = {str(LEGACY_SCHEMA).encode(), str(UNCOUNTED_SCHEMA).encode()}
        allowed = {str(SCHEMA_VERSION).encode()} | (older if legacy else set())
        if schema not in allowed or raw["params"] is None:
            raise IndexError_(f"{shown}: prefix {prefix!r} holds no provenance index of schema {SCHEMA_VERSION}")
        check = _Check(shown)
        stored = check.params(raw["params"], meta_key)
        meta = {name: check.text(value, meta_key, name) or "" for name, value in raw.items()}
        index = cls(url, client, prefix, stored, meta, schema=int(schema))
        if params is not None:
            index.check_params(params)
        return index

    @staticmethod
    def _start(client: Any, prefix: str, params: FingerprintParams, shown: str) -> dict[str, bytes | None]:
        """Write the meta of a new index, unless another creator did first; a prefix holding keys
        but no meta is someone else's and is left alone."""
        import redis

        meta_key = f"{prefix}:meta"
        meta = {"schema": str(SCHEMA_VERSION), "params": json.dumps(params.to_dict(), sort_keys=True),
                "created": datetime.now(UTC).isoformat(timespec="seconds"), "created_by": f"provenance {__version__}"}
        with client.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(meta_key)
                    raw = dict(zip(_META, pipe.hmget(meta_key, *_META), strict=True))
                    if any(v is not None for v in raw.values()):
                        return raw
                    for _ in client.scan_iter(match=f"{_glob_escape(prefix)}:*", count=10_000):
                        raise IndexError_(f"{shown}: prefix {prefix!r} holds keys but no provenance index;"
                                          " choose another prefix (nothing was written)")
                    pipe.multi()
                    pipe.hset(meta_key, mapping=meta)
                    pipe.execute()
                    return {k: v.encode() for k, v in meta.items()}
                except redis.exceptions.WatchError:
                    continue

    def _k(self, *parts: object) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    @contextlib.contextmanager
    def _talking(self, writing: bool = False) -> Iterator[None]:
        import redis

        try:
            yield
        except (redis.exceptions.RedisError, OSError) as exc:
            doing = "write to" if writing else "read"
            raise IndexError_(f"{self.location}: cannot {doing} the index: {mask_in(str(exc), self._url)}") from None

    def _writable(self) -> None:
        if self.schema != SCHEMA_VERSION:
            raise IndexError_(f"{self.location}: a schema-{self.schema} index is opened only to copy from")

    def set_rekey(self, rekey: Any) -> None:
        """Function ``text -> Rekeyed`` used to delete the passage and line keys of a replaced document."""
        self._rekey = rekey

    def _rekeyed(self, text: str) -> Rekeyed:
        if self._rekey is not None:
            return self._rekey(text)
        from provenance.analysis import analyse
        from provenance.documents.model import Article
        from provenance.text.chrome import distinct_keys

        analysis = analyse(Article(id="", path="", text=text), self.params, detect=False)
        return Rekeyed(analysis.fingerprint, distinct_keys(analysis.line_keys))

    # -- writing ----------------------------------------------------------------------------
    def content_hashes(self) -> dict[str, str]:
        key = self._k("hashes")
        with self._talking():
            raw = self.client.hgetall(key)
        return {self.check.text(k, key, "id", True) or "": self.check.text(v, key, "content hash") or ""
                for k, v in raw.items()}

    def add(self, docs: Iterable[IndexedDoc]) -> dict[str, int]:
        self._writable()
        docs = list(docs)
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        with self._talking(writing=True):
            ids = list(dict.fromkeys(doc.id for doc in docs))
            stored = self._published(ids)
            current = dict(zip(ids, self._hmget(self._k("hashes"), ids), strict=True))
            current = {k: self.check.text(v, self._k("hashes"), k) for k, v in current.items() if v is not None}
            latest: dict[str, IndexedDoc] = {}  # the last version of each id in the batch is written
            for doc in docs:
                if current.get(doc.id) == doc.content_hash:
                    counts["unchanged"] += 1
                    continue
                counts["updated" if doc.id in current or doc.id in stored else "added"] += 1
                current[doc.id] = doc.content_hash
                latest[doc.id] = doc
            replaced = {doc_id: stored[doc_id] for doc_id in latest if doc_id in stored}
            if replaced:
                self._delete(replaced)
            if latest:
                self._insert(list(latest.values()))
        return counts

    def _hmget(self, key: str, names: Sequence[str]) -> list[Any]:
        return list(self.client.hmget(key, *names)) if names else []

    def _published(self, ids: Sequence[str]) -> dict[str, int]:
        """id → row id of the given ids that are published."""
        key = self._k("ids")
        out = {}
        for doc_id, value in zip(ids, self._hmget(key, ids), strict=True):
            if value is not None:
                rowid = parse_rowid(value)
                if rowid is None:
                    raise self.check.fail(key, f"field {doc_id!r} is not a row id")
                out[doc_id] = rowid
        return out

    def _insert(self, docs: list[IndexedDoc]) -> None:
        last = self.client.incrby(self._k("next"), len(docs))
        if type(last) is not int or not len(docs) <= last <= MAX_ROWID:
            raise self.check.fail(self._k("next"), "is not a row counter")
        rowids = list(range(last - len(docs) + 1, last + 1))
        pipe = self.client.pipeline(transaction=False)
        for rowid, doc in zip(rowids, docs, strict=True):
            record: dict[str, Any] = {k: getattr(doc, k) or "" for k in _FIELDS}
            record.update({
                "text_z": doc.text_z, "screen_z": doc.screen_z, "offsets": doc.offsets,
                "minhash": doc.minhash.astype("<u4").tobytes(), "simhash": str(doc.simhash),
                "shingle_count": str(doc.shingle_count), "no_edits": int(doc.no_edits),
                "aggregator": int(doc.aggregator), "claims": json.dumps(doc.claims, ensure_ascii=False),
            })
            pipe.hset(self._k("doc", rowid), mapping=record)
        owners = np.array(rowids, dtype=np.int64)
        for kind, keys in (("b", [np.array(d.band_keys, dtype=np.int64).view(np.uint64) for d in docs]),
                           ("sim", [np.array(d.simhash_keys, dtype=np.uint64) for d in docs]),
                           ("p", [np.asarray(d.passage_keys, dtype=np.uint64) for d in docs])):
            for name, members in self._grouped(kind, keys, owners):
                pipe.sadd(name, *members)
                if len(pipe) >= _PIPELINE:
                    pipe.execute()
        for tag, lines in self._line_groups([(doc.source, doc.line_keys) for doc in docs], rowids):
            for line, members in lines:
                pipe.sadd(self._k("l", tag, _key(line)), *members)
                pipe.zincrby(self._k("lz", tag), len(members), _key(line))
                if len(pipe) >= _PIPELINE:
                    pipe.execute()
        pipe.execute()
        self._bump_sources(docs)
        # Published last, in one transaction: readers only see rows whose id and live flag are set.
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self._k("ids"), mapping={doc.id: rowid for rowid, doc in zip(rowids, docs, strict=True)})
        pipe.hset(self._k("hashes"), mapping={doc.id: doc.content_hash for doc in docs})
        for rowid in rowids:
            pipe.hset(self._k("doc", rowid), "live", 1)
        pipe.execute()

    def _grouped(self, kind: str, keys: list[np.ndarray], owners: np.ndarray) -> Iterator[tuple[str, list[int]]]:
        """``(set name, row ids)`` per distinct key of a batch: one command per key, not per row."""
        flat = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
        if not flat.size:
            return
        rows = np.repeat(owners, [k.size for k in keys])
        order = np.argsort(flat, kind="stable")
        flat, rows = flat[order], rows[order]
        starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
        bounds = np.append(starts, flat.size).tolist()
        for i, value in enumerate(flat[starts].tolist()):
            yield self._k(kind, _key(value)), rows[bounds[i] : bounds[i + 1]].tolist()

    @staticmethod
    def _line_groups(held: list[tuple[str | None, np.ndarray]],
                     rowids: list[int]) -> Iterator[tuple[str, list[tuple[int, list[int]]]]]:
        """Per source tag: its distinct line keys in the batch, each with the rows holding it."""
        by_tag: dict[str, dict[int, list[int]]] = {}
        for (source, keys), rowid in zip(held, rowids, strict=True):
            if not source or not len(keys):
                continue
            lines = by_tag.setdefault(_source_tag(source), {})
            for line in np.asarray(keys, dtype=np.uint64).tolist():
                lines.setdefault(line, []).append(rowid)
        for tag, lines in by_tag.items():
            yield tag, sorted(lines.items())

    def _bump_sources(self, docs: Iterable[IndexedDoc | tuple[str, int]]) -> None:
        """Merge added documents into their sources' summaries, or take removed ones (given as
        ``(source, count)``) off the counts, under WATCH so that concurrent writers add up."""
        import redis

        key = self._k("sources")
        items = list(docs)
        names = sorted({item.source if isinstance(item, IndexedDoc) else item[0] for item in items} - {None, ""})
        if not names:
            return
        with self.client.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.hmget(key, *names)
                    summaries = {name: self.check.summary(value, key, name) if value is not None else None
                                 for name, value in zip(names, raw, strict=True)}
                    for item in items:
                        if isinstance(item, IndexedDoc):
                            if item.source:
                                summaries[item.source] = merge_source(summaries[item.source], item)
                        elif summaries.get(item[0]) is not None:
                            summary = summaries[item[0]]
                            summary["documents"] = max(0, summary["documents"] - item[1])
                    pipe.multi()
                    pipe.hset(key, mapping={name: json.dumps(summary, ensure_ascii=False)
                                            for name, summary in summaries.items() if summary is not None})
                    pipe.execute()
                    return
                except redis.exceptions.WatchError:
                    continue

    def _delete(self, rows: dict[str, int]) -> None:
        """Delete published rows (id → row id): unpublished first, then taken out of their sets."""
        pipe = self.client.pipeline(transaction=False)
        for rowid in rows.values():
            pipe.hmget(self._k("doc", rowid), "simhash", "minhash", "text_z", "source")
        found = []
        for rowid, (simhash, minhash, text_z, source) in zip(rows.values(), pipe.execute(), strict=True):
            key = self._k("doc", rowid)
            if simhash is None and minhash is None and text_z is None:
                continue  # only the id was left: unpublishing it is all there is to do
            found.append((rowid, self.check.number(simhash, key, "simhash"),
                          self.check.minhash(minhash, key, self.params.num_perm),
                          self.check.packed(text_z, key, "text_z"), self.check.text(source, key, "source")))
        pipe = self.client.pipeline(transaction=True)
        pipe.hdel(self._k("ids"), *rows)
        pipe.hdel(self._k("hashes"), *rows)
        for rowid in rows.values():
            pipe.hdel(self._k("doc", rowid), "live")
        pipe.execute()
        pipe = self.client.pipeline(transaction=False)
        tags: set[str] = set()
        for rowid, simhash, minhash, text, source in found:
            rekeyed = self._rekeyed(text)
            for kind, keys in (("b", band_keys(minhash, self.params)), ("sim", simhash_keys(simhash, self.params)),
                               ("p", rekeyed.fingerprint.passage_keys.tolist())):
                for key in keys:
                    pipe.srem(self._k(kind, _key(int(key))), rowid)
            if source and rekeyed.line_keys.size:
                tag = _source_tag(source)
                tags.add(tag)
                for line in rekeyed.line_keys.tolist():
                    pipe.srem(self._k("l", tag, _key(line)), rowid)
                    pipe.zincrby(self._k("lz", tag), -1, _key(line))
            pipe.delete(self._k("doc", rowid))
            if len(pipe) >= _PIPELINE:
                pipe.execute()
        for tag in sorted(tags):
            pipe.zremrangebyscore(self._k("lz", tag), "-inf", 0)
        pipe.execute()
        removed: dict[str, int] = {}
        for *_, source in found:
            if source:
                removed[source] = removed.get(source, 0) + 1
        self._bump_sources(list(removed.items()))

    def remove(self, ids: Iterable[str]) -> int:
        self._writable()
        with self._talking(writing=True):
            rows = self._published(list(dict.fromkeys(ids)))
            if rows:
                self._delete(rows)
        return len(rows)

    # -- reading ----------------------------------------------------------------------------
    def candidates(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray,
                   max_simhash_distance: int) -> Candidates:
        return self._lookup(minhash, simhash, passage_keys, max_simhash_distance, None)[0]

    def candidates_and_frequencies(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray,
                                   max_simhash_distance: int, max_df: int) -> tuple[Candidates, dict[int, int]]:
        return self._lookup(minhash, simhash, passage_keys, max_simhash_distance, max_df)

    def _lookup(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray, max_distance: int,
                max_df: int | None) -> tuple[Candidates, dict[int, int]]:
        """Two round trips: the band and block unions with the passage sets (or, with ``max_df``,
        their sizes); then the SimHash and live flag of the near rows (and the sets of the keys
        held by at most ``max_df`` documents)."""
        found = Candidates()
        counts: dict[int, int] = {}
        keys = [int(k) for k in passage_keys.tolist()]
        names = [self._k("p", _key(k)) for k in keys]
        with self._talking():
            pipe = self.client.pipeline(transaction=False)
            pipe.sunion([self._k("b", _key(k)) for k in band_keys(minhash, self.params)])
            pipe.sunion([self._k("sim", _key(k)) for k in simhash_keys(simhash, self.params)])
            for name in names:
                if max_df is None:
                    pipe.smembers(name)
                else:
                    pipe.scard(name)
            bands, blocks, *listed = pipe.execute()
            lsh = set(self.check.rowids(bands, self._k("b", "*")))
            near = set(self.check.rowids(blocks, self._k("sim", "*")))
            if max_df is not None:
                read = []
                for key, name, n in zip(keys, names, listed, strict=True):
                    if type(n) is not int:
                        raise self.check.fail(name, "has no size")
                    if n >= 2:
                        counts[key] = min(n, max_df + 1)
                    if 0 < n <= max_df:
                        read.append((key, name))
                keys, names = [k for k, _ in read], [name for _, name in read]
            rows = sorted(lsh | near)
            pipe = self.client.pipeline(transaction=False)
            for rowid in rows:
                pipe.hmget(self._k("doc", rowid), "simhash", "live")
            if max_df is not None:
                for name in names:
                    pipe.smembers(name)
            replies = pipe.execute()
            if max_df is not None:
                listed = replies[len(rows):]
        for rowid, (value, live) in zip(rows, replies[: len(rows)], strict=True):
            key = self._k("doc", rowid)
            if not self._live(live, key):
                continue
            if rowid in lsh:
                found.lsh_hits.add(rowid)
            if rowid in near:
                distance = (self.check.number(value, key, "simhash") ^ simhash).bit_count()
                if distance <= max_distance:
                    found.simhash_hits[rowid] = distance
        docs: list[int] = []
        shared: list[int] = []
        for key, name, members in zip(keys, names, listed, strict=True):
            docs.extend(self.check.rowids(members, name))
            shared.extend([key] * len(members))
        found.pair_docs = np.array(docs, dtype=np.int64)
        found.pair_keys = np.array(shared, dtype=np.uint64)
        return found, counts

    def _live(self, value: object, key: str) -> bool:
        """Whether a row is published: its ``live`` flag (schema 3 had none; its rows are reached
        through published ids only)."""
        if self.schema == LEGACY_SCHEMA or value == b"1":
            return True
        if value is None:
            return False
        raise self.check.fail(key, "field 'live' is not 1")

    def document_frequencies(self, passage_keys: np.ndarray, cap: int | None = None) -> dict[int, int]:
        keys = [int(k) for k in passage_keys.tolist()]
        with self._talking():
            pipe = self.client.pipeline(transaction=False)
            for key in keys:
                pipe.scard(self._k("p", _key(key)))
            sizes = pipe.execute()
        out = {}
        for key, n in zip(keys, sizes, strict=True):
            if type(n) is not int:
                raise self.check.fail(self._k("p", _key(key)), "has no size")
            if n >= 2:
                out[key] = n if cap is None else min(n, cap)
        return out

    def line_counts(self, source: str) -> dict[int, int]:
        key = self._k("lz", _source_tag(source))
        with self._talking():
            scored = self.client.zrange(key, 0, -1, withscores=True)
        out = {}
        for member, score in scored:
            count = self.check.count(score, key)
            if count:
                out[self.check.line_key(member, key)] = count
        return out

    def frequent_lines(self, min_count: int, sample: int) -> dict[str, SourceLines]:
        """Each source's lines scored ``min_count`` or more, and their holders (all of a set of at
        most ``sample`` members, else ``sample`` drawn by ``SRANDMEMBER``)."""
        names = [summary.name for summary in self.sources()]
        with self._talking():
            pipe = self.client.pipeline(transaction=False)
            for name in names:
                pipe.zrangebyscore(self._k("lz", _source_tag(name)), min_count, "+inf", withscores=True)
            scored = pipe.execute()
            wanted: list[tuple[str, str, int]] = []  # (source, set name, count)
            found: dict[str, tuple[list[int], list[int]]] = {}
            for name, members in zip(names, scored, strict=True):
                tag = _source_tag(name)
                key = self._k("lz", tag)
                for member, score in members:
                    line = self.check.line_key(member, key)
                    keys, counts = found.setdefault(name, ([], []))
                    keys.append(line)
                    counts.append(self.check.count(score, key))
                    wanted.append((name, self._k("l", tag, _key(line)), counts[-1]))
            pipe = self.client.pipeline(transaction=False)
            for _, set_name, count in wanted:
                if count <= sample:
                    pipe.smembers(set_name)
                else:
                    pipe.srandmember(set_name, sample)
            listed = pipe.execute()
        holders: dict[str, list[np.ndarray]] = {}
        for (name, set_name, _), members in zip(wanted, listed, strict=True):
            holders.setdefault(name, []).append(np.array(sorted(self.check.rowids(members, set_name)), dtype=np.int64))
        out = {}
        for name, (keys, counts) in found.items():
            out[name] = SourceLines(np.array(keys, dtype=np.uint64), np.array(counts, dtype=np.int64), holders[name])
        return out

    def screens(self, rowids: Iterable[int]) -> dict[int, Screen]:
        rowids = list(rowids)
        with self._talking():
            pipe = self.client.pipeline(transaction=False)
            for rowid in rowids:
                pipe.hmget(self._k("doc", rowid), *_SCREEN)
            rows = pipe.execute()
        out = {}
        for rowid, (source, screen_z, offsets, simhash, live) in zip(rowids, rows, strict=True):
            key = self._k("doc", rowid)
            if not self._live(live, key) or (self.schema == LEGACY_SCHEMA and screen_z is None):
                continue
            text = self.check.packed(screen_z, key, "screen_z")
            out[rowid] = Screen(self.check.text(source, key, "source"), text,
                                self.check.offsets(offsets, key, len(text)), self.check.number(simhash, key, "simhash"))
        return out

    def get(self, rowids: Iterable[int]) -> list[StoredDoc]:
        rowids = list(rowids)
        with self._talking():
            pipe = self.client.pipeline(transaction=False)
            for rowid in rowids:
                pipe.hmget(self._k("doc", rowid), *_DOC)
            rows = pipe.execute()
        out = []
        for rowid, values in zip(rowids, rows, strict=True):
            data = dict(zip(_DOC, values, strict=True))
            key = self._k("doc", rowid)
            if not self._live(data["live"], key) or (self.schema == LEGACY_SCHEMA and data["text_z"] is None):
                continue
            out.append(self._stored(rowid, key, data))
        return out

    def _stored(self, rowid: int, key: str, data: dict[str, Any]) -> StoredDoc:
        check = self.check
        text = {name: check.text(data[name], key, name) for name in _FIELDS}
        return StoredDoc(
            rowid=rowid, id=check.text(data["id"], key, "id", required=True) or "", path=text["path"] or "",
            text=check.packed(data["text_z"], key, "text_z"), title=text["title"], source=text["source"],
            url=text["url"], published=text["published"], publisher=text["publisher"], license=text["license"],
            language=text["language"], simhash=check.number(data["simhash"], key, "simhash"),
            shingle_count=check.number(data["shingle_count"], key, "shingle_count", MAX_ROWID),
            policy=check.policy(text["policy"], key, "policy"), policy_from=text["policy_from"],
            no_edits=check.flag(data["no_edits"], key, "no_edits"),
            aggregator=check.flag(data["aggregator"], key, "aggregator"),
            claims=check.claims(data["claims"], key), content_hash=text["content_hash"] or "",
            minhash=check.minhash(data["minhash"], key, self.params.num_perm),
        )

    def get_by_id(self, doc_id: str) -> StoredDoc | None:
        with self._talking():
            rowid = self._published([doc_id]).get(doc_id)
        found = self.get([rowid]) if rowid is not None else []
        return found[0] if found else None

    def sources(self) -> list[SourceSummary]:
        key = self._k("sources")
        with self._talking():
            raw = self.client.hgetall(key)
        out = []
        for name_bytes, value in raw.items():
            name = self.check.text(name_bytes, key, "name", required=True) or ""
            data = self.check.summary(value, key, name)
            if data["documents"] > 0:
                out.append(SourceSummary(name, data.get("domain"), data["documents"], data.get("policy"),
                                         data.get("policy_from"), bool(data.get("no_edits")),
                                         bool(data.get("aggregator"))))
        return sorted(out, key=lambda s: s.name)

    def count(self) -> int:
        with self._talking():
            return int(self.client.hlen(self._k("ids")))

    def iter_ids(self) -> Iterator[str]:
        key = self._k("ids")
        with self._talking():
            names = self.client.hkeys(key)
        yield from sorted(self.check.text(name, key, "id", required=True) or "" for name in names)

    def iter_docs(self, batch: int = 500) -> Iterator[list[StoredDoc]]:
        key = self._k("ids")
        with self._talking():
            values = self.client.hvals(key)
        rowids = sorted(self.check.rowids(values, key))
        for i in range(0, len(rowids), batch):
            yield self.get(rowids[i : i + batch])

    def stats(self) -> dict[str, Any]:
        with self._talking():
            memory = self.client.info("memory").get("used_memory")
        return {
            "backend": self.backend_name, "location": self.location, "prefix": self.prefix,
            "documents": self.count(), "sources": len(self.sources()),
            "bytes": memory if type(memory) is int else None,
            "created": self.meta.get("created"), "written_by": self.meta.get("created_by"),
            "params": self.params.to_dict(),
        }

    def close(self) -> None:
        import redis

        with contextlib.suppress(redis.exceptions.RedisError, OSError):
            self.client.close()
