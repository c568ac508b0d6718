"""The shared index: Redis, for teams whose CI runners check against one corpus.

LSH runs through datasketch's ``MinHashLSH`` with ``storage_config`` type redis and a fixed
basename (``<prefix>:lsh``); documents, SimHash blocks, passage postings (whose set sizes are the
document frequencies) and source summaries are plain Redis structures under the same prefix.
A document becomes visible to readers only when its id is published last, so a scan running
beside a writer never sees half a document. The URL is ``redis://host:port/db?prefix=NAME``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import numpy as np

from provenance import __version__
from provenance.errors import IndexError_
from provenance.fingerprint import LEAN_SCHEME, simhash_keys
from provenance.index.base import Candidates, IndexBackend, IndexedDoc, Screen, SourceSummary, StoredDoc, merge_source
from provenance.index.codec import unpack_text
from provenance.params import FingerprintParams

SCHEMA_VERSION = 3
_FIELDS = ("id", "path", "title", "source", "url", "published", "publisher", "license", "language",
           "content_hash", "policy", "policy_from")


def _split_url(url: str) -> tuple[str, str]:
    """``(connection URL, prefix)``: the ``prefix`` query parameter is ours, not redis-py's."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    prefix = (query.pop("prefix", ["provenance"])[0] or "provenance").strip(":")
    rest = urlencode({k: v[0] for k, v in query.items()})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment)), prefix


def _key(value: int) -> str:
    """Redis key suffix for a 64-bit lookup key (hex keeps keys short and unambiguous)."""
    return format(value & ((1 << 64) - 1), "x")


class RedisIndex(IndexBackend):
    backend_name = "redis"

    def __init__(self, url: str, client: Any, prefix: str, params: FingerprintParams, meta: dict[str, str]) -> None:
        self.location = url
        self.client = client
        self.prefix = prefix
        self.params = params
        self.meta = meta
        self._lsh: Any = None

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str, params: FingerprintParams | None, *, create: bool = False) -> RedisIndex:
        try:
            import redis
        except ImportError:
            raise IndexError_(f"{url}: the Redis backend needs the 'redis' package: pip install 'provenance[redis]'") from None
        connection_url, prefix = _split_url(url)
        try:
            client = redis.Redis.from_url(connection_url, socket_connect_timeout=5, socket_timeout=30)
            client.ping()
            meta = {k.decode(): v.decode() for k, v in client.hgetall(f"{prefix}:meta").items()}
        except (redis.exceptions.RedisError, ValueError, OSError) as exc:
            raise IndexError_(f"cannot reach Redis at {url}: {exc}") from None
        if not meta:
            if not create:
                raise IndexError_(f"{url}: no index under prefix {prefix!r}; build one with "
                                  f"'provenance index build CORPUS --index {url}'")
            params = params or FingerprintParams()
            meta = {
                "schema": str(SCHEMA_VERSION), "params": json.dumps(params.to_dict(), sort_keys=True),
                "created": datetime.now(UTC).isoformat(timespec="seconds"), "created_by": f"provenance {__version__}",
            }
            # HSETNX on the schema field makes concurrent creators agree on one set of parameters.
            if client.hsetnx(f"{prefix}:meta", "schema", meta["schema"]):
                client.hset(f"{prefix}:meta", mapping=meta)
            else:
                meta = {k.decode(): v.decode() for k, v in client.hgetall(f"{prefix}:meta").items()}
        if int(meta.get("schema", "0")) != SCHEMA_VERSION or "params" not in meta:
            raise IndexError_(f"{url}: prefix {prefix!r} holds no provenance index of schema {SCHEMA_VERSION}")
        stored = FingerprintParams.from_dict(json.loads(meta["params"]))
        index = cls(url, client, prefix, stored, meta)
        if params is not None:
            index.check_params(params)
        return index

    def _k(self, *parts: object) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    @property
    def lsh(self) -> Any:
        if self._lsh is None:
            from datasketch import MinHashLSH

            kwargs = self.client.connection_pool.connection_kwargs
            config = {"type": "redis", "basename": self._k("lsh").encode(),
                      "redis": {k: kwargs[k] for k in ("host", "port", "db", "password", "username", "path")
                                if kwargs.get(k) is not None}}
            self._lsh = MinHashLSH(threshold=self.params.lsh_threshold, num_perm=self.params.num_perm,
                                   storage_config=config)
        return self._lsh

    def _minhash(self, values: np.ndarray) -> Any:
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.params.seed, hashvalues=values.astype(np.uint32), scheme=LEAN_SCHEME)

    def _errors(self) -> tuple[type[BaseException], ...]:
        import redis

        return (redis.exceptions.RedisError, OSError)

    # -- writing ----------------------------------------------------------------------------
    def content_hashes(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.client.hgetall(self._k("hashes")).items()}

    def add(self, docs: Iterable[IndexedDoc]) -> dict[str, int]:
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        try:
            for doc in docs:
                rowid = self.client.hget(self._k("ids"), doc.id)
                if rowid is not None:
                    old_hash = self.client.hget(self._k("doc", int(rowid)), "content_hash")
                    if old_hash is not None and old_hash.decode() == doc.content_hash:
                        counts["unchanged"] += 1
                        continue
                    self._delete(int(rowid))
                    counts["updated"] += 1
                else:
                    counts["added"] += 1
                self._insert(doc)
        except self._errors() as exc:
            raise IndexError_(f"{self.location}: cannot write to the index: {exc}") from None
        return counts

    def _insert(self, doc: IndexedDoc) -> None:
        rowid = int(self.client.incr(self._k("next")))
        record: dict[str, Any] = {k: getattr(doc, k) or "" for k in _FIELDS}
        record.update({
            "text_z": doc.text_z, "screen_z": doc.screen_z, "offsets": doc.offsets,
            "minhash": doc.minhash.astype("<u4").tobytes(), "simhash": str(doc.simhash),
            "shingle_count": str(doc.shingle_count), "no_edits": int(doc.no_edits), "aggregator": int(doc.aggregator),
            "claims": json.dumps(doc.claims, ensure_ascii=False),
        })
        pipe = self.client.pipeline(transaction=False)
        pipe.hset(self._k("doc", rowid), mapping=record)
        for key in doc.simhash_keys:
            pipe.sadd(self._k("sim", _key(key)), rowid)
        for key in doc.passage_keys.tolist():
            pipe.sadd(self._k("p", _key(int(key))), rowid)
        pipe.execute()
        self.lsh.insert(rowid, self._minhash(doc.minhash), check_duplication=False)
        if doc.source:
            self._bump_source(doc)
        # Published last: readers only see documents whose id maps to their row.
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self._k("ids"), doc.id, rowid)
        pipe.hset(self._k("hashes"), doc.id, doc.content_hash)
        pipe.execute()

    def _bump_source(self, doc: IndexedDoc) -> None:
        import redis

        key = self._k("sources")
        with self.client.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.hget(key, doc.source)
                    summary = merge_source(json.loads(raw) if raw else None, doc)
                    pipe.multi()
                    pipe.hset(key, doc.source, json.dumps(summary, ensure_ascii=False))
                    pipe.execute()
                    return
                except redis.exceptions.WatchError:
                    continue

    def _delete(self, rowid: int) -> None:
        data = self.client.hgetall(self._k("doc", rowid))
        if not data:
            return
        doc_id = data[b"id"].decode()
        pipe = self.client.pipeline(transaction=True)
        pipe.hdel(self._k("ids"), doc_id)
        pipe.hdel(self._k("hashes"), doc_id)
        pipe.execute()
        simhash = int(data[b"simhash"])
        pipe = self.client.pipeline(transaction=False)
        for key in simhash_keys(simhash, self.params):
            pipe.srem(self._k("sim", _key(key)), rowid)
        if self._rekey is not None:
            for key in self._rekey(unpack_text(data[b"text_z"], self.location)).passage_keys.tolist():
                pipe.srem(self._k("p", _key(int(key))), rowid)
        pipe.delete(self._k("doc", rowid))
        pipe.execute()
        if rowid in self.lsh:
            self.lsh.remove(rowid)
        source = data.get(b"source", b"").decode()
        if source:
            raw = self.client.hget(self._k("sources"), source)
            if raw:
                summary = json.loads(raw)
                summary["documents"] = max(0, int(summary["documents"]) - 1)
                self.client.hset(self._k("sources"), source, json.dumps(summary, ensure_ascii=False))

    _rekey: Any = None

    def set_rekey(self, rekey: Any) -> None:
        self._rekey = rekey

    def remove(self, ids: Iterable[str]) -> int:
        removed = 0
        try:
            for doc_id in ids:
                rowid = self.client.hget(self._k("ids"), doc_id)
                if rowid is not None:
                    self._delete(int(rowid))
                    removed += 1
        except self._errors() as exc:
            raise IndexError_(f"{self.location}: cannot write to the index: {exc}") from None
        return removed

    # -- reading ----------------------------------------------------------------------------
    def candidates(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray,
                   max_simhash_distance: int) -> Candidates:
        found = Candidates()
        try:
            found.lsh_hits.update(int(k) for k in self.lsh.query(self._minhash(minhash)))
            blocks = [self._k("sim", _key(k)) for k in simhash_keys(simhash, self.params)]
            near = [int(r) for r in self.client.sunion(blocks)] if blocks else []
            if near:
                pipe = self.client.pipeline(transaction=False)
                for rowid in near:
                    pipe.hget(self._k("doc", rowid), "simhash")
                for rowid, value in zip(near, pipe.execute(), strict=True):
                    if value is None:
                        continue
                    distance = bin(int(value) ^ simhash).count("1")
                    if distance <= max_simhash_distance:
                        found.simhash_hits[rowid] = distance
            pipe = self.client.pipeline(transaction=False)
            keys = [int(key) for key in passage_keys.tolist()]
            for key in keys:
                pipe.smembers(self._k("p", _key(key)))
            docs: list[int] = []
            shared: list[int] = []
            for key, members in zip(keys, pipe.execute(), strict=True):
                docs.extend(int(member) for member in members)
                shared.extend([key] * len(members))
            found.pair_docs = np.array(docs, dtype=np.int64)
            found.pair_keys = np.array(shared, dtype=np.uint64)
        except self._errors() as exc:
            raise IndexError_(f"{self.location}: cannot read the index: {exc}") from None
        return found

    def document_frequencies(self, passage_keys: np.ndarray, cap: int | None = None) -> dict[int, int]:
        keys = [int(k) for k in passage_keys.tolist()]
        try:
            pipe = self.client.pipeline(transaction=False)
            for key in keys:
                pipe.scard(self._k("p", _key(key)))
            counts = pipe.execute()
        except self._errors() as exc:
            raise IndexError_(f"{self.location}: cannot read the index: {exc}") from None
        return {k: int(n) for k, n in zip(keys, counts, strict=True) if int(n) >= 2}

    def _stored(self, rowid: int, data: dict[bytes, bytes]) -> StoredDoc:
        text = {k.decode(): v for k, v in data.items()}

        def field(name: str) -> str | None:
            value = text.get(name)
            return value.decode() if value else None

        return StoredDoc(
            rowid=rowid, id=field("id") or "", path=field("path") or "",
            text=unpack_text(text["text_z"], self.location), title=field("title"), source=field("source"),
            url=field("url"), published=field("published"), publisher=field("publisher"), license=field("license"),
            language=field("language"), simhash=int(text["simhash"]), shingle_count=int(text["shingle_count"]),
            policy=field("policy"), policy_from=field("policy_from"), no_edits=text.get("no_edits") == b"1",
            aggregator=text.get("aggregator") == b"1", claims=json.loads(field("claims") or "[]"),
            content_hash=field("content_hash") or "", minhash=np.frombuffer(text["minhash"], dtype="<u4").copy(),
        )

    def screens(self, rowids: Iterable[int]) -> dict[int, Screen]:
        rowids = list(rowids)
        try:
            pipe = self.client.pipeline(transaction=False)
            for rowid in rowids:
                pipe.hmget(self._k("doc", rowid), "source", "screen_z", "offsets", "simhash")
            rows = pipe.execute()
        except self._errors() as exc:
            raise IndexError_(f"{self.location}: cannot read the index: {exc}") from None
        return {rowid: Screen(source.decode() if source else None, unpack_text(screen, self.location),
                              offsets or b"", int(simhash))
                for rowid, (source, screen, offsets, simhash) in zip(rowids, rows, strict=True) if screen is not None}

    def get(self, rowids: Iterable[int]) -> list[StoredDoc]:
        rowids = list(rowids)
        try:
            pipe = self.client.pipeline(transaction=False)
            for rowid in rowids:
                pipe.hgetall(self._k("doc", rowid))
            rows = pipe.execute()
        except self._errors() as exc:
            raise IndexError_(f"{self.location}: cannot read the index: {exc}") from None
        return [self._stored(rowid, data) for rowid, data in zip(rowids, rows, strict=True) if data and b"text_z" in data]

    def get_by_id(self, doc_id: str) -> StoredDoc | None:
        rowid = self.client.hget(self._k("ids"), doc_id)
        found = self.get([int(rowid)]) if rowid is not None else []
        return found[0] if found else None

    def sources(self) -> list[SourceSummary]:
        out = []
        for name, raw in sorted(self.client.hgetall(self._k("sources")).items()):
            data = json.loads(raw)
            if int(data.get("documents", 0)) <= 0:
                continue
            out.append(SourceSummary(name.decode(), data.get("domain"), int(data["documents"]), data.get("policy"),
                                     data.get("policy_from"), bool(data.get("no_edits")), bool(data.get("aggregator"))))
        return out

    def count(self) -> int:
        return int(self.client.hlen(self._k("ids")))

    def iter_ids(self) -> Iterator[str]:
        yield from sorted(k.decode() for k in self.client.hkeys(self._k("ids")))

    def iter_docs(self, batch: int = 500) -> Iterator[list[StoredDoc]]:
        rowids = sorted(int(v) for v in self.client.hvals(self._k("ids")))
        for i in range(0, len(rowids), batch):
            yield self.get(rowids[i : i + batch])

    def stats(self) -> dict[str, Any]:
        memory = self.client.info("memory").get("used_memory")
        return {
            "backend": self.backend_name, "location": self.location, "prefix": self.prefix,
            "documents": self.count(), "sources": len(self.sources()), "bytes": memory,
            "created": self.meta.get("created"), "written_by": self.meta.get("created_by"),
            "params": self.params.to_dict(),
        }

    def close(self) -> None:
        try:
            self.client.close()
        except self._errors():
            pass

