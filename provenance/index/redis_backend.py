"""The shared index: Redis, for teams whose CI runners check against one corpus.

The URL is ``redis://host:port/db?prefix=NAME``; every key lives under ``NAME:`` (schema 6):

    meta            hash: schema, layout, params (JSON), created, created_by
    next            the last row id handed out (row ids are 32-bit: 1 … 2**32 - 1)
    d:<row>         string: one document record (below): metadata, offset map, SimHash and one
                    zstd frame of its loaded text and screen text
    ids             hash: document id → ``<row>:<source tag>:<content hash>``
    live            bitmap: bit <row> is set while the row is published
    sources         set of source tags; src:<tag> hash: name, documents, domain, policy,
                    policy_from, no_edits, aggregator (a source's summary, ``base.merge_source``)
    b:<bucket>      the LSH band keys (low 32 bits) whose top 16 bits are <bucket> (4 hex digits):
                    6-byte records (low 16 bits of the key, row), little-endian
    p:<bucket>      the same for the winnowed passage keys: a key's records are its documents, so
                    counting them gives its exact document frequency
    s:<i>:<bucket>  SimHash block <i>, by the block value's top 10 bits: 12-byte records (row,
                    the row's whole SimHash), so a query needs no document to measure distances
    l:<tag>:<b>     the lines of the source whose tag is <tag> (16 hex digits of BLAKE2b of its
                    name), by bits 16-23 of the line key: 12-byte records (line key, row); a line's
                    records are the source's documents holding it (text.chrome)

A key costs Redis about 70 bytes before its value, so postings live in a fixed number of buckets
of packed records instead of one set per key (schema 5 spent about 24 KB of memory per article
that way). Records are appended with ``APPEND``, which two writers may do at once; a record is
taken out by a Lua script that rewrites its bucket atomically. Band and passage keys keep their
low 32 bits, as the embedded index does: a chance collision only adds a candidate, which
screening drops.

A document record is ``0x06``, the frame's length (varint) and frame, the SimHash (8 bytes), the
shingle count (varint), a flag byte (no_edits, aggregator), then id, path, title, source, url,
published, publisher, license, language, content hash, policy, policy_from, claims (JSON) and the
offset map, each as a varint length and UTF-8 bytes (empty for none).

Anyone who can write to the server must not be able to run code on the machines that read it:
nothing read back is unpickled or evaluated. Records, row ids, numbers and JSON are checked as
untrusted bytes, texts are never inflated beyond a cap, and anything malformed stops the run with
an ``IndexError_`` naming the key.

A batch is written as its records and postings first, then published by one Lua script (atomic,
like MULTI): the ids, the ``live`` bits and the sources' summaries together. So a scan beside a
writer never sees half a document, and several builders may write at once: a document id
published meanwhile by another builder is displaced by the script (its bit cleared, its source
counted down) and only the builder that displaced it takes its postings out, so no document is
lost or doubled and document frequencies stay exact in any order. Removing is the same claim in
reverse. A row that a killed build left unpublished is ignored by readers: it may come up as a
candidate, but its screen and record are never returned (its postings stay: a killed build can
only add a candidate or a holder, never hide one).

A scan reads an article's candidates in one round trip and their records (screens and texts) in
another; ``get`` then reuses the records read since the article's lookup (a row's record never
changes, rows are not reused), so a document removed meanwhile may be reported as a read a
moment earlier would report it.

Schemas 3 to 5 (3: datasketch's pickled ``MinHashLSH`` buckets; 4 and 5: one hash per document
and one set per key) are refused with the way to migrate: ``index copy`` reads their documents
(never their ``lsh`` keys) into a schema-6 prefix.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import numpy as np

from provenance import __version__
from provenance.errors import IndexError_
from provenance.fingerprint import band_keys
from provenance.index import readback
from provenance.index.base import (
    POLICY_RANK,
    Candidates,
    IndexBackend,
    IndexedDoc,
    Screen,
    SourceSummary,
    StoredDoc,
    batch_changes,
    holders_asked,
    summary_domain,
    summary_policy,
)
from provenance.index.codec import pack_texts, unpack_nth, unpack_texts
from provenance.index.location import mask_in, mask_url
from provenance.params import FingerprintParams
from provenance.text.chrome import SourceLines

SCHEMA_VERSION = 6
LEGACY_SCHEMA = 3  # datasketch's pickled LSH buckets: read by ``index copy`` only
OLD_SCHEMAS = (3, 4, 5)  # documents read by ``index copy`` only
LAYOUT = "b16 p16 s10 l8"  # bucket bits of each kind of posting: an index of another layout is refused
MAX_ROWID = (1 << 32) - 1  # 4 bytes in a record, and an offset of the live bitmap
_OLD_MAX_ROWID = (1 << 63) - 1
_MAX_U64 = (1 << 64) - 1
_PIPELINE = 10_000  # commands (or a script's keys) sent in one round trip when writing
_RECENT = 256  # records kept between a lookup and the next, for ``get`` of the rows just screened
_RECORD_VERSION = 6
_META = ("schema", "params", "created", "created_by", "layout")
_FIELDS = ("id", "path", "title", "source", "url", "published", "publisher", "license", "language",
           "content_hash", "policy", "policy_from", "claims", "offsets")
_SOURCE_FIELDS = ("name", "documents", "domain", "policy", "policy_from", "no_edits", "aggregator")
# Schemas 4 and 5: one hash per document (read by ``index copy`` only).
_OLD_TEXT = ("id", "path", "title", "source", "url", "published", "publisher", "license", "language",
             "content_hash", "policy", "policy_from")
_OLD_DOC = (*_OLD_TEXT, "text_z", "minhash", "simhash", "shingle_count", "no_edits", "aggregator", "claims", "live")

_KEYED = np.dtype([("key", "<u2"), ("row", "<u4")])  # b: and p: records
_SIM = np.dtype([("row", "<u4"), ("simhash", "<u8")])  # s: records
_LINE = np.dtype([("key", "<u8"), ("row", "<u4")])  # l: records
_KEY_BITS = 16  # b:/p: buckets: the top 16 of a key's low 32 bits
_SIM_BITS = 10  # s: buckets per block: the top 10 bits of the block value
_LINE_BUCKETS = 256  # l: buckets per source
_IDS_VALUE = re.compile(rb"([1-9][0-9]{0,9}):([0-9a-f]{16})?:(.*)", re.DOTALL)

# Appends records to buckets: KEYS are buckets, ARGV[i] the records for KEYS[i]; a key of another type
# stops it with its name.
_APPEND = """
for i = 1, #KEYS do
  local reply = redis.pcall('APPEND', KEYS[i], ARGV[i])
  if type(reply) == 'table' and reply.err then return {err = 'BADLIST ' .. KEYS[i]} end
end
return #KEYS
"""

# Takes records out of buckets. ARGV[1]: record width; then per key: how many records, the
# records. Returns the number taken out, or the name of a bucket that is not whole records.
_REMOVE = """
local width = tonumber(ARGV[1])
local at, removed = 2, 0
for k = 1, #KEYS do
  local n = tonumber(ARGV[at])
  local gone = {}
  for i = 1, n do gone[ARGV[at + i]] = true end
  at = at + n + 1
  local blob = redis.pcall('GET', KEYS[k])
  if blob then
    if type(blob) ~= 'string' or #blob % width ~= 0 then return {err = 'BADLIST ' .. KEYS[k]} end
    local kept, hit = {}, 0
    for i = 1, #blob, width do
      local record = string.sub(blob, i, i + width - 1)
      if gone[record] then hit = hit + 1 else kept[#kept + 1] = record end
    end
    if hit > 0 then
      if #kept == 0 then redis.call('DEL', KEYS[k]) else redis.call('SET', KEYS[k], table.concat(kept)) end
      removed = removed + hit
    end
  end
end
return removed
"""

_RANKS = ", ".join(f"['{name}'] = {rank}" for name, rank in POLICY_RANK.items() if name)
# Shared by the two scripts below: an ids value's row and source tag, and counting a source down.
_LUA_COMMON = f"""
local RANK = {{{_RANKS}}}
local function parse(value)
  local row, tag = string.match(value, '^([1-9]%d*):(%x*):')
  if not row or #row > 10 or tonumber(row) > {MAX_ROWID} or (#tag ~= 0 and #tag ~= 16) then return nil end
  return row, tag
end
-- a < b in code point order (UTF-8 bytes compare so), as Python orders str; Lua's own < collates
local function before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local function count_down(prefix, tag)
  if tag == '' then return end
  local key = prefix .. ':src:' .. tag
  local n = redis.call('HGET', key, 'documents')
  if n and string.match(n, '^%d+$') and tonumber(n) > 0 then redis.call('HINCRBY', key, 'documents', -1) end
end
"""

# Publishes a batch. KEYS: ids, live, sources. ARGV: prefix; the number of documents and (id, row,
# ids value) of each; the number of sources and (tag, name, documents, domain, policy rank,
# policy, policy_from, no_edits, aggregator) of each. Returns the rows it displaced (ids another
# writer published meanwhile), or {'bad', key or id} and writes nothing.
_PUBLISH = _LUA_COMMON + """
local prefix, n = ARGV[1], tonumber(ARGV[2])
local old = {}
for i = 0, n - 1 do
  local value = redis.call('HGET', KEYS[1], ARGV[3 + 3 * i])
  if value then
    local row, tag = parse(value)
    if not row then return {'bad', ARGV[3 + 3 * i]} end
    old[i] = {row, tag}
  end
end
local at = 3 + 3 * n
local m = tonumber(ARGV[at])
for j = 0, m - 1 do
  local key = prefix .. ':src:' .. ARGV[at + 1 + 9 * j]
  local documents = redis.call('HGET', key, 'documents')
  if documents and not string.match(documents, '^%d+$') then return {'bad', key} end
end
for j = 0, m - 1 do
  local base = at + 1 + 9 * j
  local key = prefix .. ':src:' .. ARGV[base]
  redis.call('SADD', KEYS[3], ARGV[base])
  redis.call('HSETNX', key, 'name', ARGV[base + 1])
  redis.call('HINCRBY', key, 'documents', ARGV[base + 2])
  local domain = ARGV[base + 3]
  local kept = redis.call('HGET', key, 'domain')
  if domain ~= '' and (not kept or #domain < #kept or (#domain == #kept and before(domain, kept))) then
    redis.call('HSET', key, 'domain', domain)
  end
  local rank = tonumber(ARGV[base + 4])
  local kept_rank = RANK[redis.call('HGET', key, 'policy') or ''] or 0
  if rank > kept_rank or (rank == kept_rank and rank > 0
                          and before(ARGV[base + 6], redis.call('HGET', key, 'policy_from') or '')) then
    redis.call('HSET', key, 'policy', ARGV[base + 5], 'policy_from', ARGV[base + 6])
  end
  if ARGV[base + 7] == '1' then redis.call('HSET', key, 'no_edits', '1') end
  if ARGV[base + 8] == '1' then redis.call('HSET', key, 'aggregator', '1') end
end
local displaced = {}
for i = 0, n - 1 do
  local row = ARGV[4 + 3 * i]
  redis.call('HSET', KEYS[1], ARGV[3 + 3 * i], ARGV[5 + 3 * i])
  redis.call('SETBIT', KEYS[2], row, 1)
  if old[i] and old[i][1] ~= row then
    redis.call('SETBIT', KEYS[2], old[i][1], 0)
    count_down(prefix, old[i][2])
    displaced[#displaced + 1] = old[i][1]
  end
end
return displaced
"""

# Unpublishes documents. KEYS: ids, live. ARGV: prefix, then (id, row) pairs: a pair whose id still
# names the row is unpublished and its row returned (the caller then owns its postings).
_UNPUBLISH = _LUA_COMMON + """
local prefix, gone = ARGV[1], {}
for i = 2, #ARGV, 2 do
  local value = redis.call('HGET', KEYS[1], ARGV[i])
  if value then
    local row, tag = parse(value)
    if row == ARGV[i + 1] then
      redis.call('HDEL', KEYS[1], ARGV[i])
      redis.call('SETBIT', KEYS[2], row, 0)
      count_down(prefix, tag)
      gone[#gone + 1] = row
    end
  end
end
return gone
"""


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


def _source_tag(name: str) -> str:
    """The part of a source's keys that names it: 16 hex digits of BLAKE2b of the name."""
    return hashlib.blake2b(name.encode("utf-8"), digest_size=8).hexdigest()


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


def parse_rowid(value: object, limit: int = _OLD_MAX_ROWID) -> int | None:
    """A row id as stored (``1 … limit``), or None."""
    number = _decimal(value, limit)
    return number if number else None


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def _key32(values: Iterable[int] | np.ndarray) -> np.ndarray:
    """The stored part of band and passage keys: their low 32 bits (uint32)."""
    keys = np.asarray(values if isinstance(values, np.ndarray) else list(values))
    return (keys.astype(np.int64).view(np.uint64) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def _keyed_records(keys: np.ndarray, rows: np.ndarray) -> Iterator[tuple[int, bytes]]:
    """``(bucket, records)`` of distinct (32-bit key, row) pairs, one bucket at a time."""
    if not keys.size:
        return
    pairs = np.unique((keys.astype(np.uint64) << np.uint64(32)) | rows.astype(np.uint64))
    keys32 = (pairs >> np.uint64(32)).astype(np.uint32)
    records = np.empty(pairs.size, dtype=_KEYED)
    records["key"] = keys32 & 0xFFFF
    records["row"] = pairs & np.uint64(0xFFFFFFFF)
    buckets = keys32 >> _KEY_BITS
    starts = np.flatnonzero(np.concatenate(([True], buckets[1:] != buckets[:-1])))
    bounds = np.append(starts, pairs.size).tolist()
    for i, bucket in enumerate(buckets[starts].tolist()):
        yield bucket, records[bounds[i] : bounds[i + 1]].tobytes()


_BITS = np.array([bin(b).count("1") for b in range(256)], dtype=np.int64)


def _popcount(values: np.ndarray) -> np.ndarray:
    """Set bits of each uint64 (``np.bitwise_count`` needs numpy 2)."""
    return _BITS[np.ascontiguousarray(values, dtype="<u8").view(np.uint8).reshape(-1, 8)].sum(axis=1)


def _member(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in ``wanted`` (sorted, same dtype): one binary search each."""
    if not wanted.size:
        return np.zeros(values.size, dtype=bool)
    at = np.minimum(np.searchsorted(wanted, values), wanted.size - 1)
    return wanted[at] == values


def _sim_buckets(simhash: int, params: FingerprintParams) -> list[tuple[int, int, int]]:
    """``(block, bucket, block value)`` of each SimHash block (``fingerprint.simhash_keys``)."""
    width = params.simhash_bits // params.simhash_blocks
    mask = (1 << width) - 1
    shift = max(0, width - _SIM_BITS)
    out = []
    for i in range(params.simhash_blocks):
        value = (simhash >> (i * width)) & mask
        out.append((i, value >> shift, value))
    return out


class _Check(readback.Check):
    """Validation of bytes read back: a violation raises ``IndexError_`` naming the index and key."""

    def _json_text(self, value: object) -> str | None:
        if not isinstance(value, bytes) or len(value) > readback.MAX_JSON:  # measured before decoding
            return None
        return value.decode("utf-8")

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

    def flag(self, value: object, key: str, name: str) -> bool:
        if value not in (b"0", b"1"):
            raise self.fail(key, f"field {name!r} is not 0 or 1")
        return value == b"1"

    def offsets(self, value: bytes, key: str, length: int) -> bytes:
        """An offset map whose inflated size fits a text of ``length`` characters (a varint count
        and two varints per break point at most), so no small value inflates to gigabytes."""
        import zlib

        if not value:
            return b""
        bound = 10 * (1 + 2 * length)
        try:
            inflater = zlib.decompressobj(-15)
            inflated = inflater.decompress(value, bound + 1)
        except zlib.error:
            raise self.fail(key, "field 'offsets' is not an offset map") from None
        if len(inflated) > bound or inflater.unconsumed_tail:
            raise self.fail(key, "field 'offsets' is larger than its text allows")
        return value

    def records(self, value: object, key: str, dtype: np.dtype) -> np.ndarray:
        """A bucket of packed records (nothing stored: no records)."""
        if value is None:
            return np.zeros(0, dtype=dtype)
        if not isinstance(value, bytes) or len(value) % dtype.itemsize:
            raise self.fail(key, f"is not a list of {dtype.itemsize}-byte records")
        return np.frombuffer(value, dtype=dtype)

    def ids_value(self, value: object, key: str, doc_id: str) -> tuple[int, str, str]:
        """``(row, source tag, content hash)`` of an ``ids`` value."""
        found = _IDS_VALUE.fullmatch(value) if isinstance(value, bytes) else None
        rowid = parse_rowid(found.group(1), MAX_ROWID) if found else None
        if found is None or rowid is None:
            raise self.fail(key, f"field {doc_id!r} is not a row, a source tag and a content hash")
        content = self.text(found.group(3), key, doc_id) or ""
        return rowid, (found.group(2) or b"").decode("ascii"), content

    def summary(self, values: Sequence[object], key: str) -> SourceSummary | None:
        """A source's summary (None: not a source, e.g. one whose first batch is still being written)."""
        raw = dict(zip(_SOURCE_FIELDS, values, strict=True))
        if raw["name"] is None and raw["documents"] is None:
            return None
        name = self.text(raw["name"], key, "name", required=True) or ""
        documents = self.number(raw["documents"], key, "documents", MAX_ROWID)
        flags = [raw[k] is not None and self.flag(raw[k], key, k) for k in ("no_edits", "aggregator")]
        policy = self.policy(self.text(raw["policy"], key, "policy"), key, "policy")
        return SourceSummary(name, self.text(raw["domain"], key, "domain"), documents, policy,
                             self.text(raw["policy_from"], key, "policy_from"), flags[0], flags[1])


@dataclass
class _Record:
    """A document record, parsed (its texts still compressed)."""

    frame: bytes
    simhash: int
    shingle_count: int
    no_edits: bool
    aggregator: bool
    values: dict[str, bytes]


def _pack_record(doc: IndexedDoc) -> bytes:
    values = {}
    for name in _FIELDS:
        if name == "claims":
            values[name] = json.dumps(doc.claims, ensure_ascii=False).encode("utf-8") if doc.claims else b""
        elif name == "offsets":
            values[name] = doc.offsets
        else:
            values[name] = (getattr(doc, name) or "").encode("utf-8")
    return _encode_record(_Record(pack_texts([doc.text, doc.screen]), doc.simhash & _MAX_U64, doc.shingle_count,
                                  doc.no_edits, doc.aggregator, values))


def _encode_record(record: _Record) -> bytes:
    parts = [bytes([_RECORD_VERSION]), _varint(len(record.frame)), record.frame, record.simhash.to_bytes(8, "little"),
             _varint(record.shingle_count), bytes([int(record.no_edits) | int(record.aggregator) << 1])]
    for name in _FIELDS:
        parts += [_varint(len(record.values[name])), record.values[name]]
    return b"".join(parts)


def _parse_record(data: object, key: str, check: _Check) -> _Record:
    if not isinstance(data, bytes) or not data or data[0] != _RECORD_VERSION:
        raise check.fail(key, "is not a document record")
    at = 1

    def varint() -> int:
        nonlocal at
        value = shift = 0
        while True:
            if at >= len(data) or shift > 63:
                raise check.fail(key, "is a document record cut short")
            byte = data[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    def take(size: int) -> bytes:
        nonlocal at
        if at + size > len(data):
            raise check.fail(key, "is a document record cut short")
        at += size
        return data[at - size : at]

    frame = take(varint())
    simhash = int.from_bytes(take(8), "little")
    shingles = varint()
    flags = take(1)[0]
    values = {name: take(varint()) for name in _FIELDS}
    if at != len(data) or flags > 3 or shingles > _OLD_MAX_ROWID:
        raise check.fail(key, "is not a document record")
    return _Record(frame, simhash, shingles, bool(flags & 1), bool(flags & 2), values)


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
        self._scripts: dict[str, Any] = {}
        self._recent: OrderedDict[int, tuple[str, _Record]] = OrderedDict()  # row -> (key, record)
        self._recent_lock = threading.Lock()  # the HTTP service reads one index from several threads

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str, params: FingerprintParams | None, *, create: bool = False,
             legacy: bool = False) -> RedisIndex:
        """Open (or with ``create``, start) the index at ``url``. ``legacy`` also opens an older
        prefix (schema 3 to 5), read-only and through its documents only (for ``index copy``)."""
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
        older = {str(n).encode(): n for n in OLD_SCHEMAS}
        if schema in older and not legacy:
            why = {3: "whose LSH buckets are pickled and unsafe to read",
                   4: "which keeps no per-source line counts",
                   5: "whose one set per key costs about 24 KB of Redis memory per article"}[older[schema]]
            raise IndexError_(
                f"{shown}: prefix {prefix!r} holds a schema-{older[schema]} index, {why}; this provenance reads"
                f" schema {SCHEMA_VERSION}. Rebuild it with 'provenance index build CORPUS --index URL', or copy"
                f" its documents into a new prefix: provenance index copy"
                f" '{shown}' '{_with_prefix(shown, prefix + f'-v{SCHEMA_VERSION}')}'")
        allowed = {str(SCHEMA_VERSION).encode()} | (set(older) if legacy else set())
        if schema not in allowed or raw["params"] is None:
            raise IndexError_(f"{shown}: prefix {prefix!r} holds no provenance index of schema {SCHEMA_VERSION}")
        check = _Check(shown)
        if schema == str(SCHEMA_VERSION).encode() and raw["layout"] != LAYOUT.encode():
            raise check.fail(meta_key, f"field 'layout' is not {LAYOUT!r}")
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
                "created": datetime.now(UTC).isoformat(timespec="seconds"), "created_by": f"provenance {__version__}",
                "layout": LAYOUT}
        with client.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(meta_key)
                    raw = dict(zip(_META, pipe.hmget(meta_key, *_META), strict=True))
                    if any(v is not None for v in raw.values()):
                        return raw
                    for _ in client.scan_iter(match=f"{_glob_escape(prefix)}:*", count=10_000):
                        raw = dict(zip(_META, client.hmget(meta_key, *_META), strict=True))
                        if any(v is not None for v in raw.values()):
                            return raw  # another builder started the index meanwhile
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

    _readable = _writable

    def _script(self, name: str, source: str) -> Any:
        if name not in self._scripts:
            self._scripts[name] = self.client.register_script(source)
        return self._scripts[name]

    def _values(self, names: Sequence[str], command: str = "get") -> list[Any]:
        """One command per key in one round trip; a key of the wrong type is named in the error."""
        import redis

        if not names:
            return []
        pipe = self.client.pipeline(transaction=False)
        for name in names:
            getattr(pipe, command)(name)
        replies = pipe.execute(raise_on_error=False)
        for name, reply in zip(names, replies, strict=True):
            if isinstance(reply, redis.exceptions.ResponseError):
                raise self.check.fail(name, f"cannot be read ({reply})")
        return replies

    def _buckets(self, names: Sequence[str]) -> list[Any]:
        """The values of many posting buckets in one command (a key of another type reads as
        empty: it can only hide candidates, never add them)."""
        out: list[Any] = []
        for i in range(0, len(names), _PIPELINE):
            out += self.client.mget(names[i : i + _PIPELINE])
        return out

    def _live_command(self, pipe: Any, rows: list[int]) -> None:
        """Queue the read of the live bits of ``rows`` (one command)."""
        args: list[Any] = []
        for rowid in rows:
            args += ["GET", "u1", rowid]
        pipe.execute_command("BITFIELD_RO", self._k("live"), *args)

    def _live_rows(self, rowids: Iterable[int]) -> set[int]:
        """The published rows among ``rowids``."""
        rows = sorted(set(rowids))
        if not rows:
            return set()
        pipe = self.client.pipeline(transaction=False)
        self._live_command(pipe, rows)
        return self._live_reply(rows, pipe.execute()[0])

    def _live_reply(self, rows: list[int], bits: Any) -> set[int]:
        if not isinstance(bits, list) or len(bits) != len(rows):
            raise self.check.fail(self._k("live"), "is not a bitmap")
        return {rowid for rowid, bit in zip(rows, bits, strict=True) if bit == 1}

    # -- writing ----------------------------------------------------------------------------
    def content_hashes(self) -> dict[str, str]:
        if self.schema != SCHEMA_VERSION:
            self._writable()
        key = self._k("ids")
        with self._talking():
            raw = self.client.hgetall(key)
        out = {}
        for name, value in raw.items():
            doc_id = self.check.text(name, key, "id", True) or ""
            out[doc_id] = self.check.ids_value(value, key, doc_id)[2]
        return out

    def add(self, docs: Iterable[IndexedDoc]) -> dict[str, int]:
        self._writable()
        self._forget()
        docs = list(docs)
        with self._talking(writing=True):
            ids = list(dict.fromkeys(doc.id for doc in docs))
            counts, latest = batch_changes(docs, {doc_id: found[2] for doc_id, found in self._published(ids).items()})
            if latest:
                # The replaced versions are displaced when the new ones are published (atomically):
                # a reader sees the old or the new version of a document, never neither.
                self._insert(list(latest.values()))
        return counts

    def _published(self, ids: Sequence[str]) -> dict[str, tuple[int, str, str]]:
        """id → (row, source tag, content hash) of the given ids that are published."""
        key = self._k("ids")
        out = {}
        values = list(self.client.hmget(key, *ids)) if ids else []
        for doc_id, value in zip(ids, values, strict=True):
            if value is not None:
                out[doc_id] = self.check.ids_value(value, key, doc_id)
        return out

    def _insert(self, docs: list[IndexedDoc]) -> None:
        last = self.client.incrby(self._k("next"), len(docs))
        if type(last) is not int or not len(docs) <= last:
            raise self.check.fail(self._k("next"), "is not a row counter")
        if last > MAX_ROWID:
            raise IndexError_(f"{self.location}: the index has used all {MAX_ROWID} row ids; copy it into a new "
                              f"prefix (provenance index copy), which numbers its rows afresh")
        rowids = list(range(last - len(docs) + 1, last + 1))
        pipe = self.client.pipeline(transaction=False)
        for rowid, doc in zip(rowids, docs, strict=True):
            pipe.set(self._k("d", rowid), _pack_record(doc))
            if len(pipe) >= 500:
                pipe.execute()
        pipe.execute()
        owners = np.array(rowids, dtype=np.uint32)
        appends: list[tuple[str, bytes]] = []
        for kind, keys in (("b", [_key32(d.band_keys) for d in docs]),
                           ("p", [_key32(d.passage_keys) for d in docs])):
            rows = np.repeat(owners, [k.size for k in keys])
            flat = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint32)
            appends += [(self._k(kind, f"{bucket:04x}"), blob) for bucket, blob in _keyed_records(flat, rows)]
        appends += self._sim_appends([doc.simhash for doc in docs], rowids)
        appends += self._line_appends([(doc.source, doc.line_keys) for doc in docs], rowids)
        append = self._script("append", _APPEND)
        for i in range(0, len(appends), _PIPELINE):
            chunk = appends[i : i + _PIPELINE]
            self._run(append, [name for name, _ in chunk], [blob for _, blob in chunk], None)
        displaced = self._publish(docs, rowids)
        if displaced:
            self._clean(displaced)

    def _sim_appends(self, simhashes: list[int], rowids: list[int]) -> list[tuple[str, bytes]]:
        grouped: dict[str, list[bytes]] = {}
        for simhash, rowid in zip(simhashes, rowids, strict=True):
            record = np.array([(rowid, simhash & _MAX_U64)], dtype=_SIM).tobytes()
            for block, bucket, _ in _sim_buckets(simhash, self.params):
                grouped.setdefault(self._k("s", block, f"{bucket:x}"), []).append(record)
        return [(name, b"".join(records)) for name, records in grouped.items()]

    def _line_appends(self, held: list[tuple[str | None, np.ndarray]], rowids: list[int]) -> list[tuple[str, bytes]]:
        grouped: dict[str, list[np.ndarray]] = {}
        for (source, keys), rowid in zip(held, rowids, strict=True):
            keys = np.unique(np.asarray(keys, dtype=np.uint64))
            if not source or not keys.size:
                continue
            records = np.empty(keys.size, dtype=_LINE)
            records["key"] = keys
            records["row"] = rowid
            tag = _source_tag(source)
            buckets = ((keys >> np.uint64(16)) % np.uint64(_LINE_BUCKETS)).astype(np.int64)
            for bucket in np.unique(buckets).tolist():
                grouped.setdefault(self._k("l", tag, f"{bucket:x}"), []).append(records[buckets == bucket])
        return [(name, np.concatenate(parts).tobytes()) for name, parts in grouped.items()]

    def _publish(self, docs: list[IndexedDoc], rowids: list[int]) -> list[int]:
        """Publish a batch (ids, live bits, source summaries: one atomic script); returns the rows
        it displaced, whose postings are then this writer's to take out."""
        from provenance.credits.names import domain_of

        args: list[Any] = [self.prefix, len(docs)]
        summaries: dict[str, dict[str, Any]] = {}
        for doc, rowid in zip(docs, rowids, strict=True):
            tag = _source_tag(doc.source) if doc.source else ""
            args += [doc.id, rowid, f"{rowid}:{tag}:{doc.content_hash}"]
            if not doc.source:
                continue
            summary = summaries.setdefault(doc.source, {"tag": tag, "documents": 0, "domain": "", "rank": 0,
                                                        "policy": "", "policy_from": "", "no_edits": 0,
                                                        "aggregator": 0})
            summary["documents"] += 1
            # merged as base.merge_source merges, so that no order of writers changes the summary
            summary["domain"] = summary_domain(summary["domain"] or None, domain_of(doc.url) if doc.url else None) or ""
            if doc.policy:
                policy, policy_from = summary_policy((summary["policy"] or None, summary["policy_from"] or None),
                                                     (doc.policy, f"{doc.id}: {doc.policy_from}"))
                summary.update(rank=POLICY_RANK.get(policy, 0), policy=policy or "", policy_from=policy_from or "")
            summary["no_edits"] |= int(doc.no_edits)
            summary["aggregator"] |= int(doc.aggregator)
        args.append(len(summaries))
        for name, s in summaries.items():
            args += [s["tag"], name, s["documents"], s["domain"], s["rank"], s["policy"], s["policy_from"],
                     s["no_edits"], s["aggregator"]]
        reply = self._script("publish", _PUBLISH)(keys=[self._k("ids"), self._k("live"), self._k("sources")],
                                                  args=args)
        return self._rows_reply(reply)

    def _run(self, script: Any, keys: list[str], args: list[Any], width: int | None) -> Any:
        """Run a bucket script; a bucket it cannot use is named in the error."""
        import redis

        try:
            return script(keys=keys, args=args)
        except redis.exceptions.ResponseError as exc:
            message = str(exc)
            if "BADLIST " not in message:
                raise
            bad = message.split("BADLIST ", 1)[1].split()[0]
            what = f"a list of {width}-byte records" if width else "a list of records"
            raise self.check.fail(bad, f"is not {what}") from None

    def _rows_reply(self, reply: Any) -> list[int]:
        if reply and reply[0] == b"bad":
            name = reply[1].decode("utf-8", "replace")
            if name.startswith(f"{self.prefix}:src:"):
                raise self.check.fail(name, "field 'documents' is not a decimal number")
            raise self.check.fail(self._k("ids"), f"field {name!r} is not a row, a source tag and a content hash")
        return [int(row) for row in reply]

    def _clean(self, rowids: list[int]) -> None:
        """Take rows that this writer unpublished out of their postings, then delete their records."""
        names = [self._k("d", rowid) for rowid in rowids]
        removals: dict[str, dict[str, list[bytes]]] = {"keyed": {}, "sim": {}, "line": {}}
        for rowid, name, data in zip(rowids, names, self._values(names), strict=True):
            if data is None:
                continue
            record = _parse_record(data, name, self.check)
            text = unpack_texts(record.frame, 2, f"{self.location}: {name}")[0]
            source = self.check.text(record.values["source"], name, "source")
            rekeyed = self._rekeyed(text)
            owner = np.array([rowid], dtype=np.uint32)
            for kind, keys in (("b", _key32(band_keys(rekeyed.fingerprint.hashvalues, self.params))),
                               ("p", _key32(rekeyed.fingerprint.passage_keys))):
                for bucket, blob in _keyed_records(keys, np.repeat(owner, keys.size)):
                    removals["keyed"].setdefault(self._k(kind, f"{bucket:04x}"), []).extend(
                        blob[i : i + _KEYED.itemsize] for i in range(0, len(blob), _KEYED.itemsize))
            for bucket_name, blob in self._sim_appends([record.simhash], [rowid]):
                removals["sim"].setdefault(bucket_name, []).append(blob[: _SIM.itemsize])
            for bucket_name, blob in self._line_appends([(source, rekeyed.line_keys)], [rowid]):
                removals["line"].setdefault(bucket_name, []).extend(
                    blob[i : i + _LINE.itemsize] for i in range(0, len(blob), _LINE.itemsize))
        remove = self._script("remove", _REMOVE)
        for kind, width in (("keyed", _KEYED.itemsize), ("sim", _SIM.itemsize), ("line", _LINE.itemsize)):
            items = list(removals[kind].items())
            for i in range(0, len(items), 1000):
                chunk = items[i : i + 1000]
                args: list[Any] = [width]
                for _, records in chunk:
                    args += [len(records), *records]
                self._run(remove, [name for name, _ in chunk], args, width)
        pipe = self.client.pipeline(transaction=False)
        for name in names:
            pipe.delete(name)
        pipe.execute()

    def remove(self, ids: Iterable[str]) -> int:
        self._writable()
        self._forget()
        with self._talking(writing=True):
            rows = self._published(list(dict.fromkeys(ids)))
            if not rows:
                return 0
            args: list[Any] = [self.prefix]
            for doc_id, (rowid, _, _) in rows.items():
                args += [doc_id, rowid]
            reply = self._script("unpublish", _UNPUBLISH)(keys=[self._k("ids"), self._k("live")], args=args)
            gone = self._rows_reply(reply)
            if gone:
                self._clean(gone)
        return len(gone)

    # -- reading ----------------------------------------------------------------------------
    def candidates(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray,
                   max_simhash_distance: int) -> Candidates:
        return self._lookup(minhash, simhash, passage_keys, max_simhash_distance, None)[0]

    def candidates_and_frequencies(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray,
                                   max_simhash_distance: int, max_df: int) -> tuple[Candidates, dict[int, int]]:
        return self._lookup(minhash, simhash, passage_keys, max_simhash_distance, max_df)

    def _keyed(self, kind: str, keys: np.ndarray, replies: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """The (32-bit key, row) records of ``keys`` (uint32) among the buckets read."""
        buckets = np.unique(keys >> _KEY_BITS).tolist()
        blobs, counts = [], []
        for bucket in buckets:
            name = self._k(kind, f"{bucket:04x}")
            value = replies[name]
            if value is not None and (not isinstance(value, bytes) or len(value) % _KEYED.itemsize):
                raise self.check.fail(name, f"is not a list of {_KEYED.itemsize}-byte records")
            blobs.append(value or b"")
            counts.append(len(value or b"") // _KEYED.itemsize)
        records = np.frombuffer(b"".join(blobs), dtype=_KEYED)
        high = np.repeat(np.array(buckets, dtype=np.uint32) << np.uint32(_KEY_BITS), counts)
        found = records["key"].astype(np.uint32) | high
        wanted = _member(found, np.unique(keys))
        return found[wanted], records["row"][wanted].astype(np.int64)

    def _bucket_names(self, kind: str, keys: np.ndarray) -> list[str]:
        return [self._k(kind, f"{bucket:04x}") for bucket in np.unique(keys >> _KEY_BITS).tolist()]

    def _lookup(self, minhash: np.ndarray, simhash: int, passage_keys: np.ndarray, max_distance: int,
                max_df: int | None) -> tuple[Candidates, dict[int, int]]:
        """One round trip: the band, SimHash block and passage buckets of the article."""
        self._readable()
        self._forget()  # records read for the previous article are not reused for this one
        found = Candidates()
        counts: dict[int, int] = {}
        full = {int(k): int(f) for k, f in zip(_key32(passage_keys).tolist(), passage_keys.tolist(), strict=True)}
        keys = np.array(sorted(full), dtype=np.uint32)
        bands = _key32(band_keys(minhash, self.params))
        blocks = _sim_buckets(simhash, self.params)
        sim_names = [self._k("s", block, f"{bucket:x}") for block, bucket, _ in blocks]
        names = [*self._bucket_names("b", bands), *sim_names, *self._bucket_names("p", keys)]
        with self._talking():
            replies = dict(zip(names, self._buckets(names), strict=True))
            lsh = set(self._keyed("b", bands, replies)[1].tolist())
            near: dict[int, int] = {}
            width = self.params.simhash_bits // self.params.simhash_blocks
            mask = np.uint64((1 << width) - 1)
            for (block, _, value), name in zip(blocks, sim_names, strict=True):
                records = self.check.records(replies[name], name, _SIM)
                others = records["simhash"]
                same = ((others >> np.uint64(block * width)) & mask) == np.uint64(value)
                distances = _popcount(others[same] ^ np.uint64(simhash & _MAX_U64))
                close = distances <= max_distance
                near.update(zip(records["row"][same][close].tolist(), distances[close].tolist(), strict=True))
            pair_keys, pair_rows = self._keyed("p", keys, replies)
            if pair_keys.size:
                listed, sizes = np.unique(pair_keys, return_counts=True)
                for key, n in zip(listed.tolist(), sizes.tolist(), strict=True):
                    if n >= 2 and max_df is not None:
                        counts[full[key]] = min(n, max_df + 1)
                if max_df is not None:
                    kept = np.isin(pair_keys, listed[sizes <= max_df])
                    pair_keys, pair_rows = pair_keys[kept], pair_rows[kept]
        # No live bits are read here (one round trip fewer): an unpublished row may be a candidate,
        # but its screen and record are never returned, so it is never verified nor reported.
        found.lsh_hits = lsh
        found.simhash_hits = near
        found.pair_docs = pair_rows
        if pair_keys.size:
            stored, where = np.unique(pair_keys, return_inverse=True)
            found.pair_keys = np.array([full[k] for k in stored.tolist()], dtype=np.uint64)[where]
        return found, counts

    def document_frequencies(self, passage_keys: np.ndarray, cap: int | None = None) -> dict[int, int]:
        self._readable()
        full = {int(k): int(f) for k, f in zip(_key32(passage_keys).tolist(), passage_keys.tolist(), strict=True)}
        keys = np.array(sorted(full), dtype=np.uint32)
        names = self._bucket_names("p", keys)
        with self._talking():
            replies = dict(zip(names, self._buckets(names), strict=True))
        listed, sizes = np.unique(self._keyed("p", keys, replies)[0], return_counts=True)
        return {full[k]: (n if cap is None else min(n, cap))
                for k, n in zip(listed.tolist(), sizes.tolist(), strict=True) if n >= 2}

    def _lines(self, tag: str, buckets: Iterable[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The (line key, row) records of one source (of some of its buckets)."""
        names = [self._k("l", tag, f"{b:x}") for b in (range(_LINE_BUCKETS) if buckets is None else buckets)]
        parts = [self.check.records(value, name, _LINE) for name, value in zip(names, self._buckets(names), strict=True)]
        records = np.concatenate(parts) if parts else np.zeros(0, dtype=_LINE)
        return records["key"].astype(np.uint64), records["row"].astype(np.int64)

    def line_counts(self, source: str) -> dict[int, int]:
        self._readable()
        with self._talking():
            keys, _ = self._lines(_source_tag(source))
        listed, sizes = np.unique(keys, return_counts=True)
        return dict(zip(listed.tolist(), sizes.tolist(), strict=True))

    def line_holders(self, keys: Iterable[int], docs: Iterable[tuple[int, str]]) -> dict[int, set[int]] | None:
        self._readable()
        asked, by_source = holders_asked(keys, docs)
        out: dict[int, set[int]] = {}
        if not asked:
            return out
        wanted = np.array(asked, dtype=np.uint64)
        buckets = np.unique((wanted >> np.uint64(16)) % np.uint64(_LINE_BUCKETS)).tolist()
        sources = sorted(by_source)
        names = [self._k("l", _source_tag(source), f"{b:x}") for source in sources for b in buckets]
        with self._talking():
            values = self._buckets(names)
        for k, source in enumerate(sources):
            part = slice(k * len(buckets), (k + 1) * len(buckets))
            records = [self.check.records(v, n, _LINE) for n, v in zip(names[part], values[part], strict=True)]
            joined = np.concatenate(records)
            lines, rows = joined["key"].astype(np.uint64), joined["row"].astype(np.int64)
            held = np.isin(lines, wanted) & np.isin(rows, np.array(sorted(by_source[source]), dtype=np.int64))
            for key, rowid in zip(lines[held].tolist(), rows[held].tolist(), strict=True):
                out.setdefault(key, set()).add(rowid)
        return out

    def frequent_lines(self, min_count: int, sample: int) -> dict[str, SourceLines]:
        """Each source's lines held by ``min_count`` or more of its documents, with the first
        ``sample`` holders as stored."""
        self._readable()
        out = {}
        sources = [summary.name for summary in self.sources()]
        names = [self._k("l", _source_tag(source), f"{b:x}") for source in sources for b in range(_LINE_BUCKETS)]
        with self._talking():
            values = self._buckets(names)
        # every bucket checked, then parsed at once: a Python step per bucket costs more than reading it
        sizes = np.zeros(len(names), dtype=np.int64)
        for k, (name, value) in enumerate(zip(names, values, strict=True)):
            if value is not None:
                if not isinstance(value, bytes) or len(value) % _LINE.itemsize:
                    raise self.check.fail(name, f"is not a list of {_LINE.itemsize}-byte records")
                sizes[k] = len(value) // _LINE.itemsize
        records = np.frombuffer(b"".join(value for value in values if value), dtype=_LINE)
        ends = np.cumsum(sizes.reshape(len(sources), _LINE_BUCKETS).sum(axis=1)) if sources else sizes
        start = 0
        for source, end in zip(sources, ends.tolist(), strict=True):
            part, start = records[start:end], end
            if part.size < min_count:
                continue
            lines = part["key"]
            order = np.argsort(lines, kind="stable")  # holders stay in stored order
            lines = lines[order]
            listed, starts, counts = np.unique(lines, return_index=True, return_counts=True)
            chosen = np.flatnonzero(counts >= min_count)
            if not chosen.size:
                continue
            rows = part["row"][order].astype(np.int64)
            holders = [np.sort(rows[starts[i] : starts[i] + min(counts[i], sample)]) for i in chosen.tolist()]
            out[source] = SourceLines(listed[chosen].astype(np.uint64), counts[chosen].astype(np.int64), holders)
        return out

    def _forget(self) -> None:
        with self._recent_lock:
            self._recent.clear()

    def _records(self, rowids: list[int], reuse: bool = False) -> list[tuple[int, str, _Record]]:
        """The parsed records of the published rows among ``rowids`` (in their order): one round
        trip (a record of another type reads as missing), none with ``reuse`` when all of them
        were read since the last lookup (a row's record never changes: rows are not reused)."""
        if not rowids:
            return []
        kept: dict[int, tuple[str, _Record]] = {}
        if reuse:
            with self._recent_lock:
                for rowid in rowids:
                    found = self._recent.get(rowid)
                    if found is not None:
                        kept[rowid] = found
        wanted = [rowid for rowid in dict.fromkeys(rowids) if rowid not in kept]
        if wanted:
            names = [self._k("d", rowid) for rowid in wanted]
            with self._talking():
                pipe = self.client.pipeline(transaction=False)
                pipe.mget(names)
                self._live_command(pipe, sorted(wanted))
                values, bits = pipe.execute()
            live = self._live_reply(sorted(wanted), bits)
            read = {rowid: (name, _parse_record(value, name, self.check))
                    for rowid, name, value in zip(wanted, names, values, strict=True)
                    if rowid in live and value is not None}
            with self._recent_lock:
                self._recent.update(read)
                while len(self._recent) > _RECENT:
                    self._recent.popitem(last=False)
            kept.update(read)
        return [(rowid, *kept[rowid]) for rowid in rowids if rowid in kept]

    def screens(self, rowids: Iterable[int]) -> dict[int, Screen]:
        self._readable()
        out = {}
        for rowid, name, record in self._records(list(rowids)):
            screen = unpack_nth(record.frame, 2, 1, f"{self.location}: {name}")
            out[rowid] = Screen(self.check.text(record.values["source"], name, "source"), screen,
                                self.check.offsets(record.values["offsets"], name, len(screen)), record.simhash)
        return out

    def get(self, rowids: Iterable[int]) -> list[StoredDoc]:
        rowids = list(rowids)
        if self.schema != SCHEMA_VERSION:
            return self._old_get(rowids)
        out = []
        for rowid, name, record in self._records(rowids, reuse=True):
            check, values = self.check, record.values
            text = {field: check.text(values[field], name, field) for field in _FIELDS[:12]}
            out.append(StoredDoc(
                rowid=rowid, id=check.text(values["id"], name, "id", required=True) or "", path=text["path"] or "",
                text=unpack_nth(record.frame, 2, 0, f"{self.location}: {name}"), title=text["title"],
                source=text["source"], url=text["url"], published=text["published"], publisher=text["publisher"],
                license=text["license"], language=text["language"], simhash=record.simhash,
                shingle_count=record.shingle_count, policy=check.policy(text["policy"], name, "policy"),
                policy_from=text["policy_from"], no_edits=record.no_edits, aggregator=record.aggregator,
                claims=check.claims(values["claims"], name), content_hash=text["content_hash"] or "",
            ))
        return out

    def get_by_id(self, doc_id: str) -> StoredDoc | None:
        with self._talking():
            if self.schema != SCHEMA_VERSION:
                rowid = self._old_rowids([doc_id]).get(doc_id)
            else:
                found = self._published([doc_id]).get(doc_id)
                rowid = found[0] if found else None
        docs = self.get([rowid]) if rowid is not None else []
        return docs[0] if docs else None

    def sources(self) -> list[SourceSummary]:
        self._readable()
        with self._talking():
            tags = sorted(self.client.smembers(self._k("sources")))
            names = [self._k("src", self.check.text(tag, self._k("sources"), "tag") or "") for tag in tags]
            pipe = self.client.pipeline(transaction=False)
            for name in names:
                pipe.hmget(name, *_SOURCE_FIELDS)
            replies = pipe.execute(raise_on_error=False)
        out = []
        for name, values in zip(names, replies, strict=True):
            if not isinstance(values, list):
                raise self.check.fail(name, "is not a source summary")
            summary = self.check.summary(values, name)
            if summary is not None and summary.documents > 0:
                out.append(summary)
        return sorted(out, key=lambda s: s.name)

    def count(self) -> int:
        with self._talking():
            return int(self.client.hlen(self._k("ids")))

    def _rows(self) -> list[int]:
        key = self._k("ids")
        with self._talking():
            if self.schema != SCHEMA_VERSION:
                return sorted(self.check.rowids(self.client.hvals(key), key))
            raw = self.client.hgetall(key)
        return sorted(self.check.ids_value(value, key, self.check.text(name, key, "id") or "")[0]
                      for name, value in raw.items())

    def iter_ids(self) -> Iterator[str]:
        key = self._k("ids")
        with self._talking():
            names = self.client.hkeys(key)
        yield from sorted(self.check.text(name, key, "id", required=True) or "" for name in names)

    def iter_docs(self, batch: int = 500) -> Iterator[list[StoredDoc]]:
        rowids = self._rows()
        for i in range(0, len(rowids), batch):
            yield self.get(rowids[i : i + batch])

    def text_bytes(self) -> int:
        """Bytes of the compressed text frames stored (what a document costs beyond its postings)."""
        self._readable()
        rowids = self._rows()
        total = 0
        with self._talking():
            for i in range(0, len(rowids), _PIPELINE):
                pipe = self.client.pipeline(transaction=False)
                for rowid in rowids[i : i + _PIPELINE]:
                    pipe.getrange(self._k("d", rowid), 0, 10)
                for head in pipe.execute():
                    size = shift = 0
                    for byte in head[1:]:
                        size |= (byte & 0x7F) << shift
                        shift += 7
                        if byte < 0x80:
                            break
                    total += size
        return total

    def stats(self) -> dict[str, Any]:
        with self._talking():
            memory = self.client.info("memory").get("used_memory")
        return {
            "backend": self.backend_name, "location": self.location, "prefix": self.prefix,
            "documents": self.count(), "sources": len(self.sources()) if self.schema == SCHEMA_VERSION else None,
            "bytes": memory if type(memory) is int else None,
            "created": self.meta.get("created"), "written_by": self.meta.get("created_by"),
            "params": self.params.to_dict(),
        }

    def close(self) -> None:
        import redis

        with contextlib.suppress(redis.exceptions.RedisError, OSError):
            self.client.close()

    # -- schemas 3 to 5, read by ``index copy`` ------------------------------------------------
    def _old_rowids(self, ids: Sequence[str]) -> dict[str, int]:
        key = self._k("ids")
        out = {}
        for doc_id, value in zip(ids, self.client.hmget(key, *ids) if ids else [], strict=True):
            if value is not None:
                rowid = parse_rowid(value)
                if rowid is None:
                    raise self.check.fail(key, f"field {doc_id!r} is not a row id")
                out[doc_id] = rowid
        return out

    def _old_get(self, rowids: list[int]) -> list[StoredDoc]:
        with self._talking():
            pipe = self.client.pipeline(transaction=False)
            for rowid in rowids:
                pipe.hmget(self._k("doc", rowid), *_OLD_DOC)
            rows = pipe.execute()
        out = []
        check = self.check
        for rowid, values in zip(rowids, rows, strict=True):
            data = dict(zip(_OLD_DOC, values, strict=True))
            key = self._k("doc", rowid)
            if data["text_z"] is None:
                continue
            if self.schema != LEGACY_SCHEMA and data["live"] != b"1":
                if data["live"] is None:
                    continue
                raise check.fail(key, "field 'live' is not 1")
            text = {name: check.text(data[name], key, name) for name in _OLD_TEXT}
            out.append(StoredDoc(
                rowid=rowid, id=check.text(data["id"], key, "id", required=True) or "", path=text["path"] or "",
                text=check.packed(data["text_z"], key, "text_z"), title=text["title"], source=text["source"],
                url=text["url"], published=text["published"], publisher=text["publisher"], license=text["license"],
                language=text["language"], simhash=check.number(data["simhash"], key, "simhash"),
                shingle_count=check.number(data["shingle_count"], key, "shingle_count", _OLD_MAX_ROWID),
                policy=check.policy(text["policy"], key, "policy"), policy_from=text["policy_from"],
                no_edits=check.flag(data["no_edits"], key, "no_edits"),
                aggregator=check.flag(data["aggregator"], key, "aggregator"),
                claims=check.claims(data["claims"], key), content_hash=text["content_hash"] or "",
                minhash=check.minhash(data["minhash"], key, self.params.num_perm),
            ))
        return out

