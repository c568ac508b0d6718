"""Redis prefixes in the layouts of older provenance versions, for the tests that they are refused
and copied: the documents of an index, written as schemas 3 to 5 kept them (one hash per document,
``ids`` and ``hashes`` hashes; no postings, which ``index copy`` never reads).
"""

from __future__ import annotations

import json

import redis

from provenance.analysis import analyse
from provenance.documents.model import Article
from provenance.index import open_index
from provenance.index.codec import pack_text
from provenance.index.redis_backend import _split_url


def write_old_layout(source: str, destination: str, schema: int = 5) -> int:
    """Write the documents of the index at ``source`` under ``destination``'s prefix as schema
    ``schema`` did (schema 3 without ``live`` flags); returns the documents written."""
    url, prefix = _split_url(destination)
    client = redis.Redis.from_url(url)
    written = 0
    with open_index(source, None, readonly=True) as index:
        params = index.params
        client.hset(f"{prefix}:meta", mapping={"schema": str(schema), "created": "2024-01-01T00:00:00+00:00",
                                               "params": json.dumps(params.to_dict(), sort_keys=True),
                                               "created_by": "provenance 0.9"})
        for batch in index.iter_docs():
            for doc in batch:
                written += 1
                analysis = analyse(Article(id=doc.id, path=doc.path, text=doc.text), params, detect=False)
                record = {name: getattr(doc, name) or "" for name in
                          ("id", "path", "title", "source", "url", "published", "publisher", "license", "language",
                           "content_hash", "policy", "policy_from")}
                record.update({"text_z": pack_text(doc.text), "screen_z": pack_text(doc.text),
                               "minhash": analysis.fingerprint.hashvalues.astype("<u4").tobytes(),
                               "simhash": str(doc.simhash), "shingle_count": str(doc.shingle_count),
                               "no_edits": int(doc.no_edits), "aggregator": int(doc.aggregator),
                               "claims": json.dumps(doc.claims, ensure_ascii=False)})
                if schema > 3:
                    record["live"] = 1
                client.hset(f"{prefix}:doc:{written}", mapping=record)
                client.hset(f"{prefix}:ids", doc.id, written)
                client.hset(f"{prefix}:hashes", doc.id, doc.content_hash)
                client.sadd(f"{prefix}:p:{written:x}", written)  # a set per key, as schemas 4 and 5 kept
    client.set(f"{prefix}:next", written)
    return written
