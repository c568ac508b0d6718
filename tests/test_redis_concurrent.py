"""Three builders writing one Redis index at once (shards of a corpus that share some document
ids, with the same or another content): no document lost or doubled, every posting list exactly
what the stored documents hold (so document frequencies are exact), source summaries and line
counts exact, whatever order the builders finish in.
"""

from __future__ import annotations

import multiprocessing
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from backends import drop, location, require_redis
from together import run_together

from provenance.analysis import analyse
from provenance.documents.model import Article
from provenance.engine import registry_from_rules
from provenance.fingerprint import band_keys
from provenance.index import open_index
from provenance.index.redis_backend import _KEYED, _LINE, _SIM, _sim_buckets, _source_tag, _split_url
from provenance.rules import load_rules
from provenance.text.chrome import distinct_keys

WORDS = ["council", "harbour", "ferry", "budget", "school", "library", "market", "bridge", "storm", "quota", "fishing", "river", "road", "tax", "vote", "mayor", "teacher", "nurse", "farmer", "port", "train", "bus", "clinic", "museum", "park", "festival", "court", "police", "fire", "water", "power"]
SHARDS = 3


def _text(rng: random.Random, source: str) -> str:
    sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 14))).capitalize() + "."
                 for _ in range(rng.randint(6, 10))]
    return f"{' '.join(sentences)}\nSubscribe to {source} for more local news.\n"


def _corpus(root: Path) -> dict[str, set[str]]:
    """Three shard folders; returns each id's possible texts (two for ids written with two contents)."""
    rng = random.Random(18)
    texts: dict[str, set[str]] = {}
    shards: list[list[str]] = [[] for _ in range(SHARDS)]
    for k in range(90):
        source = f"Outlet {k % 4}"
        text = _text(rng, source)
        doc_id = f"doc-{k:03d}"
        texts[doc_id] = {text}
        record = f'{{"id": "{doc_id}", "source": "{source}", "text": {text!r}}}'.replace("'", '"')
        shards[k % SHARDS].append(record)
        if k % 6 == 0:  # the same document in the next shard too
            shards[(k + 1) % SHARDS].append(record)
        elif k % 6 == 1:  # the same id with another text in the next shard
            other = _text(rng, source)
            texts[doc_id].add(other)
            shards[(k + 1) % SHARDS].append(
                f'{{"id": "{doc_id}", "source": "{source}", "text": {other!r}}}'.replace("'", '"'))
    for n, records in enumerate(shards):
        folder = root / f"shard{n}"
        folder.mkdir(parents=True)
        (folder / "docs.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    return texts


def _builder(loc: str, rules_file: str, folder: str, queue: multiprocessing.Queue) -> None:
    try:
        import provenance.engine as engine

        engine.BATCH = 4  # many small batches: the builders' writes interleave
        result = engine.build_index([folder], loc, load_rules(rules_file))
        queue.put(("ok", result.added + result.updated))
    except Exception as exc:
        queue.put(("error", repr(exc)))


def _stored(client, prefix: str, kind: str, dtype: np.dtype) -> Counter:  # type: ignore[no-untyped-def]
    """Every record of one kind of bucket: (bucket name, record bytes) → how many times stored."""
    out: Counter = Counter()
    for name in client.scan_iter(match=f"{prefix}:{kind}:*"):
        blob = client.get(name)
        for i in range(0, len(blob), dtype.itemsize):
            out[(name.decode(), blob[i : i + dtype.itemsize])] += 1
    return out


def test_three_builders_at_once(tmp_path: Path) -> None:
    require_redis()
    texts = _corpus(tmp_path / "corpus")
    rules_file = tmp_path / "provenance.toml"
    rules_file.write_text("", encoding="utf-8")
    rules = load_rules(rules_file)
    loc = location("redis", tmp_path)
    try:
        results = run_together([(_builder, (loc, str(rules_file), str(tmp_path / "corpus" / f"shard{n}")))
                                for n in range(SHARDS)])
        assert all(status == "ok" for status, _ in results), results

        url, prefix = _split_url(loc)
        import redis

        client = redis.Redis.from_url(url)
        registry = registry_from_rules(rules)
        with open_index(loc, rules.fingerprint) as index:
            params = index.params
            docs = [doc for batch in index.iter_docs() for doc in batch]
            assert sorted(doc.id for doc in docs) == sorted(texts) and index.count() == len(texts)
            assert all(doc.text in texts[doc.id] for doc in docs)
            rows = {doc.rowid for doc in docs}
            assert len(rows) == len(docs)
            # the postings the stored documents hold, each exactly once
            expected: dict[str, Counter] = {"b": Counter(), "p": Counter(), "s": Counter(), "l": Counter()}
            lines: dict[str, Counter] = {}
            for doc in docs:
                analysis = analyse(Article(id="", path="", text=doc.text), params, registry, detect=False)
                fp = analysis.fingerprint
                for kind, keys in (("b", band_keys(fp.hashvalues, params)), ("p", fp.passage_keys.tolist())):
                    for key in {int(k) & 0xFFFFFFFF for k in keys}:
                        record = np.array([(key & 0xFFFF, doc.rowid)], dtype=_KEYED).tobytes()
                        expected[kind][(f"{prefix}:{kind}:{key >> 16:04x}", record)] += 1
                for block, bucket, _ in _sim_buckets(doc.simhash, params):
                    record = np.array([(doc.rowid, doc.simhash)], dtype=_SIM).tobytes()
                    expected["s"][(f"{prefix}:s:{block}:{bucket:x}", record)] += 1
                tag = _source_tag(doc.source or "")
                for line in distinct_keys(analysis.line_keys).tolist():
                    record = np.array([(line, doc.rowid)], dtype=_LINE).tobytes()
                    expected["l"][(f"{prefix}:l:{tag}:{(line >> 16) % 256:x}", record)] += 1
                    lines.setdefault(doc.source or "", Counter())[line] += 1
            for kind, dtype in (("b", _KEYED), ("p", _KEYED), ("s", _SIM), ("l", _LINE)):
                assert _stored(client, prefix, kind, dtype) == expected[kind], kind
            # exact document frequencies and line counts, and one summary per source
            for doc in docs[:10]:
                keys = analyse(Article(id="", path="", text=doc.text), params, registry,
                               detect=False).fingerprint.passage_keys
                frequencies = index.document_frequencies(keys)
                held = Counter(int(k) & 0xFFFFFFFF for d in docs for k in set(
                    analyse(Article(id="", path="", text=d.text), params, registry,
                            detect=False).fingerprint.passage_keys.tolist()))
                assert frequencies == {int(k): held[int(k) & 0xFFFFFFFF] for k in keys.tolist()
                                       if held[int(k) & 0xFFFFFFFF] >= 2}
            per_source = Counter(doc.source for doc in docs)
            assert {s.name: s.documents for s in index.sources()} == dict(per_source)
            for source, counted in lines.items():
                assert index.line_counts(source) == dict(counted)
            assert set(index.frequent_lines(3, 256)) == set(per_source)  # the "Subscribe to …" line
            assert int(client.bitcount(f"{prefix}:live")) == len(docs)
            assert sorted(int(k.split(b":")[-1]) for k in client.scan_iter(match=f"{prefix}:d:*")) == sorted(rows)
    finally:
        drop(loc)


@pytest.mark.parametrize("n", [2])
def test_same_document_from_two_builders_is_stored_once(tmp_path: Path, n: int) -> None:
    """Two builders of the same shard at once: each document once, its source counted once."""
    require_redis()
    texts = _corpus(tmp_path / "corpus")
    rules_file = tmp_path / "provenance.toml"
    rules_file.write_text("", encoding="utf-8")
    loc = location("redis", tmp_path)
    try:
        results = run_together([(_builder, (loc, str(rules_file), str(tmp_path / "corpus" / "shard0")))] * n)
        assert all(status == "ok" for status, _ in results), results
        shard = (tmp_path / "corpus" / "shard0" / "docs.jsonl").read_text(encoding="utf-8")
        with open_index(loc, None) as index:
            ids = set(index.iter_ids())
            assert ids == {doc_id for doc_id in texts if f'"{doc_id}"' in shard}
            docs = [doc for batch in index.iter_docs() for doc in batch]
            assert {s.name: s.documents for s in index.sources()} == dict(Counter(doc.source for doc in docs))
    finally:
        drop(loc)
