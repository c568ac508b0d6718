"""The Redis index against a hostile server: whoever can write to the shared Redis must not run code
on the machines that scan, and its bad data must end a run with a clear index error (exit 2, the
index named, no traceback), never a traceback or an unpickled object.

Also: schema-3 prefixes (datasketch's pickled LSH buckets) are refused but can be copied from, a
build refuses a prefix holding someone else's keys, unpublished rows are never matched, and a
password in the URL is never shown. Damaged schema-6 values (document records, posting buckets,
ids, source summaries) are refused naming their key.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from backends import drop, location, require_redis
from corpus_kit import EN_ORIGINAL, RULES, ZH_ORIGINAL, ZH_PORT, write, write_corpus
from typer.testing import CliRunner

from provenance.cli import app
from provenance.engine import build_index, copy_index, scan
from provenance.errors import IndexError_
from provenance.index import open_index
from provenance.index.redis_backend import (
    SCHEMA_VERSION,
    _encode_record,
    _parse_record,
    _split_url,
    _varint,
)
from provenance.params import FingerprintParams
from provenance.rules import load_rules

runner = CliRunner()


class Payload:
    """Unpickling this creates the canary file: proof that something read back was unpickled."""

    def __init__(self, canary: Path) -> None:
        self.canary = str(canary)

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.canary, "w"))


@dataclass
class Built:
    loc: str
    prefix: str
    corpus: Path
    rules_file: Path
    incoming: Path
    canary: Path
    payload: bytes

    def client(self):  # type: ignore[no-untyped-def]
        import redis

        return redis.Redis.from_url(_split_url(self.loc)[0])


@pytest.fixture(autouse=True)
def _no_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PROVENANCE_INDEX", "PROVENANCE_RULES", "PROVENANCE_CORPUS", "PROVENANCE_FORMAT",
                 "PROVENANCE_JOBS", "PROVENANCE_FAIL_ON", "PROVENANCE_BASELINE"):
        monkeypatch.delenv(name, raising=False)


def _payload(canary: Path) -> bytes:
    payload = pickle.dumps(Payload(canary))
    pickle.loads(payload)  # the payload works: unpickling it makes the canary
    assert canary.exists()
    canary.unlink()
    return payload


def _corpus(tmp_path: Path) -> tuple[Path, Path, Path]:
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    rules_file = write(tmp_path / "provenance.toml", RULES)
    incoming = tmp_path / "incoming"
    write(incoming / "water.txt", "今日要闻\n" + ZH_ORIGINAL)
    write(incoming / "council.md", EN_ORIGINAL + "\nSource: Ridgeview Tribune\n")
    write(incoming / "port.txt", ZH_PORT + "\n来源：东江网\n")
    return corpus, rules_file, incoming


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path, Path]]:
    """The corpus, built once; each test gets a copy of its keys (see :func:`built`)."""
    root = tmp_path_factory.mktemp("redis-safety")
    loc = location("redis", root)
    corpus, rules_file, incoming = _corpus(root)
    build_index([corpus], loc, load_rules(rules_file))
    yield loc, corpus, rules_file, incoming
    drop(loc)


@pytest.fixture
def built(template: tuple[str, Path, Path, Path], tmp_path: Path) -> Iterator[Built]:
    """A fresh prefix holding a copy of the built corpus (DUMP/RESTORE of every key)."""
    import redis

    source, corpus, rules_file, incoming = template
    loc = location("redis", tmp_path)
    connection, source_prefix = _split_url(source)
    prefix = _split_url(loc)[1]
    client = redis.Redis.from_url(connection)
    keys = list(client.scan_iter(match=f"{source_prefix}:*", count=1000))
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.dump(key)
    dumps = pipe.execute()
    for key, data in zip(keys, dumps, strict=True):
        pipe.restore(prefix.encode() + key[len(source_prefix):], 0, data)
    pipe.execute()
    canary = tmp_path / "CANARY"
    yield Built(loc, prefix, corpus, rules_file, incoming, canary, _payload(canary))
    drop(loc)


def plant(built: Built, select: Callable[[str], bool]) -> int:
    """Put the payload in every selected key of the prefix: every hash field value (and one more
    field), one more member of every set or list, every string. Returns the keys planted."""
    client = built.client()
    planted = 0
    for key in list(client.scan_iter(match=f"{built.prefix}:*", count=1000)):
        if not select(key[len(built.prefix) + 1 :].decode("latin-1")):
            continue
        kind = client.type(key)
        if kind == b"hash":
            for name in client.hkeys(key):
                client.hset(key, name, built.payload)
            client.hset(key, built.payload, built.payload)
        elif kind == b"set":
            client.sadd(key, built.payload)
        elif kind == b"list":
            client.rpush(key, built.payload)
        elif kind == b"string":
            client.set(key, built.payload)
        planted += 1
    return planted


def library_scan(built: Built) -> str | None:
    """The message of the index error a scan ends with, or None when it ran through (anything else
    raises, and no article may have failed as an internal error)."""
    try:
        report = scan([built.incoming], built.loc, load_rules(built.rules_file))
    except IndexError_ as exc:
        return str(exc)
    assert not [item.message for item in report.items if item.rule == "internal error"]
    return None


def cli(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def assert_clear_end(code: int, output: str, built: Built) -> None:
    """Exit 0/1 (the bad data ignored), or 2 with one line naming the index; never a traceback."""
    assert "Traceback" not in output and "could not be analysed" not in output, output
    assert code in (0, 1, 2), output
    if code == 2:
        assert built.prefix in output, output


def assert_refused(exc: IndexError_, built: Built, key: str) -> None:
    message = str(exc)
    assert "\n" not in message and message.startswith(f"{built.loc}: ") and message.endswith("; rebuild the index")
    assert f"{built.prefix}:{key}" in message


# -- pickles planted in the index ---------------------------------------------------------------
SELECTIONS = {
    "every key": lambda name: True,
    "every key but meta": lambda name: name != "meta",
    # the LSH bands of either layout: ours (b:…) and datasketch's (lsh_bucket_…, lsh_keys…)
    "band sets": lambda name: name.startswith(("b:", "lsh")),
    "document records": lambda name: name.startswith("d:"),
    "ids and live bits": lambda name: name in ("ids", "live"),
    "passage buckets": lambda name: name.startswith("p:"),
    "source summaries": lambda name: name.startswith(("src:", "sources")),
}


@pytest.mark.parametrize("where", list(SELECTIONS))
def test_planted_pickles_never_run(built: Built, where: str) -> None:
    assert plant(built, SELECTIONS[where]) > 0
    message = library_scan(built)
    assert message is None or (built.loc in message and "\n" not in message), message
    done = cli("scan", built.incoming, "--index", built.loc, "--rules", built.rules_file, "--quiet",
               "--format", "json")
    assert_clear_end(done.exit_code, done.output, built)
    stats = cli("index", "stats", "--index", built.loc)
    assert_clear_end(stats.exit_code, stats.output, built)
    assert not built.canary.exists()


def test_planted_band_pickles_in_a_separate_process(built: Built) -> None:
    """The old attack path (pickles in the LSH buckets), through ``python -m provenance``."""
    assert plant(built, SELECTIONS["band sets"]) > 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVENANCE_")}
    done = subprocess.run([sys.executable, "-m", "provenance", "scan", str(built.incoming), "--index", built.loc,
                           "--rules", str(built.rules_file), "--quiet"],
                          capture_output=True, text=True, timeout=120, check=False, env=env)
    assert_clear_end(done.returncode, done.stdout + done.stderr, built)
    assert done.returncode == 2 and "rebuild the index" in done.stderr
    assert not built.canary.exists()


# -- malformed values ---------------------------------------------------------------------------
GARBAGE_ROWIDS = [b" 12", b"12 ", b"12_3", b"+5", b"-5", b"0", b"007", b"1e3", b"9" * 19, b"9" * 400,
                  "١٢".encode(), "１２".encode(), b"12\n", b"", b"\x80\x04K\x0c."]


@pytest.mark.parametrize("value", GARBAGE_ROWIDS)
def test_strict_row_ids(value: bytes) -> None:
    from provenance.index.redis_backend import parse_rowid

    assert parse_rowid(value) is None
    assert parse_rowid(b"12") == 12 and parse_rowid(b"9223372036854775807") == (1 << 63) - 1


@pytest.mark.parametrize("value", [b" 3", b"3_0", b"9" * 400, "３".encode()])
def test_garbage_row_id_in_ids_is_an_index_error(built: Built, value: bytes) -> None:
    built.client().hset(f"{built.prefix}:ids", "qs-0408", value)
    with open_index(built.loc) as index, pytest.raises(IndexError_) as caught:
        index.get_by_id("qs-0408")
    assert_refused(caught.value, built, "ids")
    with open_index(built.loc) as index, pytest.raises(IndexError_):
        list(index.iter_docs())
    destination = location("redis", built.corpus.parent)
    try:
        done = cli("index", "copy", built.loc, destination, "--quiet")
        assert done.exit_code == 2 and "Traceback" not in done.output
    finally:
        drop(destination)


@pytest.mark.parametrize("value", [b"\x01", b"12345", None])
def test_malformed_passage_bucket_is_an_index_error(built: Built, value: bytes | None) -> None:
    client = built.client()
    for key in client.scan_iter(match=f"{built.prefix}:p:*"):
        if value is None:  # a key of another type
            client.delete(key)
            client.sadd(key, b"1")
        else:
            client.append(key, value)
    message = library_scan(built)
    if value is None:  # read as empty (it can only hide candidates); a writer names it
        assert message is None
        with open_index(built.loc) as index, pytest.raises(IndexError_) as caught:
            index.remove(["qs-0408"])
        assert f"{built.prefix}:p:" in str(caught.value) and str(caught.value).endswith("; rebuild the index")
        return
    assert message is not None and message.endswith("; rebuild the index") and f"{built.prefix}:p:" in message
    done = cli("scan", built.incoming, "--index", built.loc, "--rules", built.rules_file, "--quiet")
    assert done.exit_code == 2 and "Traceback" not in done.output and "rebuild the index" in done.output


def test_malformed_bucket_met_while_removing_is_an_index_error(built: Built) -> None:
    client = built.client()
    for key in client.scan_iter(match=f"{built.prefix}:b:*"):
        client.append(key, b"\x01")
    with open_index(built.loc) as index, pytest.raises(IndexError_) as caught:
        index.remove(["qs-0408"])
    assert f"{built.prefix}:b:" in str(caught.value) and "6-byte records" in str(caught.value)


def _doc_key(built: Built, doc_id: str = "qs-0408") -> str:
    rowid = int(built.client().hget(f"{built.prefix}:ids", doc_id).split(b":")[0])
    return f"{built.prefix}:d:{rowid}"


def _repack(built: Built, key: str, **values: bytes) -> None:
    """Rewrite a document record with some of its fields replaced (the rest as stored)."""
    client = built.client()
    record = _parse_record(client.get(key), key, None)  # type: ignore[arg-type]
    for name, value in values.items():
        if name in ("frame",):
            record.frame = value
        else:
            record.values[name] = value
    client.set(key, _encode_record(record))


BAD_FIELDS = {
    "claims": json.dumps([{"name": "x" * 100}] * 12_000).encode(),  # valid JSON over 1 MB
    "title": b"\xff\xfe not UTF-8",
    "frame": b"\x28\xb5\x2f\xfd garbage",
    "policy": b"anything goes",
    "id": b"",
}


@pytest.mark.parametrize("name", list(BAD_FIELDS))
def test_malformed_document_field_is_an_index_error(built: Built, name: str) -> None:
    key = _doc_key(built)
    _repack(built, key, **{name: BAD_FIELDS[name]})
    with open_index(built.loc) as index:
        doc_rowid = int(key.rsplit(":", 1)[1])
        with pytest.raises(IndexError_) as caught:
            index.get([doc_rowid])
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{built.loc}: ") and message.endswith("rebuild the index")
    assert key in message and (name in message or "stored text is damaged" in message)


@pytest.mark.parametrize("damage", ["cut short", "another version", "trailing bytes", "flags", "empty", "hash"])
def test_malformed_document_record_is_an_index_error(built: Built, damage: str) -> None:
    key = _doc_key(built)
    client = built.client()
    record = client.get(key)
    damaged = {"cut short": record[:-3], "another version": b"\x05" + record[1:], "trailing bytes": record + b"\x00",
               "flags": None, "empty": b"", "hash": None}[damage]
    if damage == "flags":  # the flag byte follows the frame, the SimHash and the shingle count
        parsed = _parse_record(record, key, None)  # type: ignore[arg-type]
        at = 1 + len(_varint(len(parsed.frame))) + len(parsed.frame) + 8 + len(_varint(parsed.shingle_count))
        damaged = record[:at] + b"\x07" + record[at + 1 :]
    if damage == "hash":  # a key of another type reads as no record: the document is not found
        client.delete(key)
        client.hset(key, "text_z", b"x")
        with open_index(built.loc) as index:
            assert index.get_by_id("qs-0408") is None and index.screens([int(key.rsplit(":", 1)[1])]) == {}
        return
    client.set(key, damaged)
    with open_index(built.loc) as index:
        with pytest.raises(IndexError_) as caught:
            index.get_by_id("qs-0408")
        assert_refused(caught.value, built, key.split(":", 1)[1])
        with pytest.raises(IndexError_) as caught:
            index.screens([int(key.rsplit(":", 1)[1])])
        assert_refused(caught.value, built, key.split(":", 1)[1])


@pytest.mark.parametrize("claims", [b'{"name": "x"}', b"[1, 2]", b'[{"name": ["x"]}]', b'[{"span": [0, "7"]}]',
                                    b"[NaN]", b"[" * 100_000 + b"]" * 100_000])
def test_claims_must_be_a_list_of_claims(built: Built, claims: bytes) -> None:
    key = _doc_key(built)
    _repack(built, key, claims=claims)
    with open_index(built.loc) as index, pytest.raises(IndexError_) as caught:
        index.get_by_id("qs-0408")
    assert_refused(caught.value, built, key.split(":", 1)[1])


@pytest.mark.parametrize("field, value", [("documents", b"1 "), ("documents", b"-1"), ("policy", b"whatever"),
                                          ("name", b"\xff"), ("no_edits", b"yes"), ("domain", b"\xfe")])
def test_malformed_source_summary_is_an_index_error(built: Built, field: str, value: bytes) -> None:
    from provenance.index.redis_backend import _source_tag

    key = f"{built.prefix}:src:{_source_tag('青山日报')}"
    assert built.client().exists(key)
    built.client().hset(key, field, value)
    with open_index(built.loc) as index, pytest.raises(IndexError_) as caught:
        index.sources()
    assert_refused(caught.value, built, key.split(":", 1)[1])
    assert field in str(caught.value)
    done = cli("index", "stats", "--index", built.loc)
    assert done.exit_code == 2 and "Traceback" not in done.output
    if field == "documents":  # a writer publishing into that source stops before writing anything
        done = cli("index", "build", built.corpus, "--index", built.loc, "--rules", built.rules_file, "--quiet")
        assert "Traceback" not in done.output


@pytest.mark.parametrize("params", [b"x" * ((1 << 20) + 1), b"[]", json.dumps({"num_perm": "128"}).encode(),
                                    json.dumps({"num_perm": 10**12}).encode()])
def test_malformed_parameters_are_an_index_error(built: Built, params: bytes) -> None:
    built.client().hset(f"{built.prefix}:meta", "params", params)
    with pytest.raises(IndexError_) as caught:
        open_index(built.loc)
    assert_refused(caught.value, built, "meta")


def test_another_layout_is_an_index_error(built: Built) -> None:
    built.client().hset(f"{built.prefix}:meta", "layout", "b20 p20 s10 l4")
    with pytest.raises(IndexError_) as caught:
        open_index(built.loc)
    assert_refused(caught.value, built, "meta")


def test_screen_fields_are_checked(built: Built) -> None:
    key = _doc_key(built)
    rowid = int(key.rsplit(":", 1)[1])
    client = built.client()
    saved = client.get(key)
    for name, value in (("offsets", b"not deflate \xff\xff"), ("frame", b"not zstd"), ("source", b"\xff")):
        _repack(built, key, **{name: value})
        with open_index(built.loc) as index, pytest.raises(IndexError_) as caught:
            index.screens([rowid])
        assert (name in str(caught.value) or "stored text is damaged" in str(caught.value)), caught.value
        assert str(caught.value).endswith("rebuild the index")
        client.set(key, saved)


# -- unpublished rows ---------------------------------------------------------------------------
def _buckets(client, prefix: str):  # type: ignore[no-untyped-def]
    """Every posting bucket of the prefix with its record dtype."""
    from provenance.index.redis_backend import _KEYED, _LINE, _SIM

    for kind, dtype in (("b", _KEYED), ("p", _KEYED), ("s", _SIM), ("l", _LINE)):
        for name in client.scan_iter(match=f"{prefix}:{kind}:*"):
            yield name, dtype


def test_unpublished_rows_are_never_matched(built: Built) -> None:
    """A row whose record and postings were written but whose id was never published (a build
    killed mid-batch), or one being deleted, is invisible to readers even though its postings name it."""
    from provenance.analysis import analyse
    from provenance.documents.model import Article

    client = built.client()
    key = _doc_key(built)
    rowid = int(key.rsplit(":", 1)[1])
    ghost = 1_000_000
    record = _parse_record(client.get(key), key, None)  # type: ignore[arg-type]
    record.values["id"] = b"ghost"
    client.set(f"{built.prefix}:d:{ghost}", _encode_record(record))
    for name, dtype in _buckets(client, built.prefix):
        records = np.frombuffer(client.get(name), dtype=dtype).copy()
        mine = records[records["row"] == rowid]
        mine["row"] = ghost
        client.append(name, mine.tobytes())
    rules = load_rules(built.rules_file)
    report = scan([built.incoming], built.loc, rules)
    matched = {m["id"] for item in report.items for m in item.matches}
    assert "qs-0408" in matched and "ghost" not in matched
    with open_index(built.loc, rules.fingerprint) as index:
        assert index.screens([ghost]) == {} and index.get([ghost]) == []
        doc = index.get_by_id("qs-0408")
        assert doc is not None
        fp = analyse(Article(id="", path="", text=doc.text), rules.fingerprint, detect=False).fingerprint
        found = index.candidates(fp.hashvalues, doc.simhash, fp.passage_keys, 6)
        assert rowid in found.lsh_hits and rowid in found.simhash_hits and rowid in found.passage_hits
        # the ghost may be a candidate (its postings are there) but is never read back
        assert index.screens(sorted({*found.lsh_hits, *found.simhash_hits})).keys() == {rowid}
        # deleting clears the row's bit with its id: a reader holding the row id no longer sees it
        index.remove(["qs-0408"])
        assert index.screens([rowid]) == {} and index.get([rowid]) == []
    for name, dtype in _buckets(client, built.prefix):  # taken out of its band, block, passage and line lists
        assert rowid not in np.frombuffer(client.get(name), dtype=dtype)["row"].tolist(), name
    assert not client.exists(key)


# -- schema 3 -----------------------------------------------------------------------------------
def make_schema3(built: Built, tmp_path: Path) -> str:
    """A prefix in the layout provenance wrote before schema 4 (its redis_backend.py at commit
    5d56e09), holding the built corpus: meta schema 3, one hash per document without ``live``,
    and datasketch's ``MinHashLSH`` keys under ``<prefix>:lsh``, whose bucket members are pickles
    (here every one is the payload: reading any of them makes the canary)."""
    from redis_legacy import write_old_layout

    loc = location("redis", tmp_path)
    write_old_layout(built.loc, loc, schema=3)
    client = built.client()
    basename = f"{_split_url(loc)[1]}:lsh".encode()
    for band in range(32):
        bucket = basename + b"_bucket_" + band.to_bytes(2, "big")
        client.hset(bucket, b"\x01\x02\x03", bucket + b"\x01\x02\x03")
        client.rpush(bucket + b"\x01\x02\x03", built.payload)
    client.hset(basename + b"_keys", built.payload, basename + b"_keys" + built.payload)
    client.rpush(basename + b"_keys" + built.payload, built.payload)
    return loc


@pytest.fixture
def schema3(built: Built, tmp_path: Path) -> Iterator[str]:
    loc = make_schema3(built, tmp_path)
    yield loc
    drop(loc)


def test_schema3_is_refused_with_the_way_to_migrate(built: Built, schema3: str) -> None:
    prefix = _split_url(schema3)[1]
    with pytest.raises(IndexError_) as caught:
        open_index(schema3)
    message = str(caught.value)
    assert "schema-3" in message and "provenance index copy" in message and "\n" not in message
    assert f"prefix={prefix}-v{SCHEMA_VERSION}" in message and schema3 in message
    with pytest.raises(IndexError_, match="schema-3"):
        build_index([built.corpus], schema3, load_rules(built.rules_file))
    done = cli("scan", built.incoming, "--index", schema3, "--rules", built.rules_file, "--quiet")
    assert done.exit_code == 2 and "index copy" in done.output and "Traceback" not in done.output
    assert cli("index", "stats", "--index", schema3).exit_code == 2
    assert not built.canary.exists()


def test_schema3_can_be_copied_into_a_new_prefix(built: Built, schema3: str, tmp_path: Path) -> None:
    rules = load_rules(built.rules_file)
    before = [(i.path, i.verdict, (i.source or {}).get("id")) for i in scan([built.incoming], built.loc, rules).items]
    new = location("redis", tmp_path)
    cli_new = location("redis", tmp_path)
    try:
        assert copy_index(schema3, new, rules) == 10
        assert built.client().hget(f"{_split_url(new)[1]}:meta", "schema") == str(SCHEMA_VERSION).encode()
        after = [(i.path, i.verdict, (i.source or {}).get("id")) for i in scan([built.incoming], new, rules).items]
        assert after == before
        done = cli("index", "copy", schema3, cli_new, "--quiet")
        assert done.exit_code == 0, done.output
        with open_index(cli_new) as index:
            assert index.count() == 10
        assert not built.canary.exists()
    finally:
        drop(new)
        drop(cli_new)


def test_schema5_is_refused_and_copied(built: Built, tmp_path: Path) -> None:
    from redis_legacy import write_old_layout

    rules = load_rules(built.rules_file)
    old, new = location("redis", tmp_path), location("redis", tmp_path)
    try:
        write_old_layout(built.loc, old, schema=5)
        with pytest.raises(IndexError_) as caught:
            open_index(old)
        assert "schema-5" in str(caught.value) and "provenance index copy" in str(caught.value)
        done = cli("index", "copy", old, new, "--quiet")
        assert done.exit_code == 0, done.output
        with open_index(built.loc) as a, open_index(new) as b:
            assert b.count() == a.count() == 10
            assert [s.name for s in a.sources()] == [s.name for s in b.sources()]
            for doc in (d for batch in a.iter_docs() for d in batch):
                copied = b.get_by_id(doc.id)
                assert copied is not None and (copied.text, copied.title, copied.simhash, copied.claims) == (
                    doc.text, doc.title, doc.simhash, doc.claims)
        after = [(i.path, i.verdict) for i in scan([built.incoming], new, rules).items]
        assert after == [(i.path, i.verdict) for i in scan([built.incoming], built.loc, rules).items]
    finally:
        drop(old)
        drop(new)


# -- someone else's keys ------------------------------------------------------------------------
def test_build_refuses_a_prefix_holding_foreign_keys(tmp_path: Path) -> None:
    import redis

    loc = location("redis", tmp_path)
    connection, prefix = _split_url(loc)
    client = redis.Redis.from_url(connection)
    client.set(f"{prefix}:sessions", "someone else's")
    corpus, rules_file, _ = _corpus(tmp_path)
    try:
        with pytest.raises(IndexError_, match="holds keys but no provenance index"):
            build_index([corpus], loc, load_rules(rules_file))
        done = cli("index", "build", corpus, "--index", loc, "--rules", rules_file, "--quiet")
        assert done.exit_code == 2 and "Traceback" not in done.output
        assert list(client.scan_iter(match=f"{prefix}:*")) == [f"{prefix}:sessions".encode()]
        # a prefix holding glob characters is no pattern: test-…* is not test-…-other
        client.set(f"{prefix}-other:key", "someone else's")
        glob = f"{loc}*"
        build_index([corpus], glob, load_rules(rules_file))
        with open_index(glob) as index:
            assert index.count() == 10
    finally:
        drop(loc)
        drop(f"{loc}*")
        client.delete(f"{prefix}-other:key")


# -- passwords ----------------------------------------------------------------------------------
def _with_password(url: str, userinfo: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{userinfo}@{parts.hostname}:{parts.port}{parts.path}"


def _assert_masked(text: str) -> None:
    assert "secret" not in text, text


def test_password_never_shown_on_a_server_without_one(tmp_path: Path) -> None:
    """``default:secret`` is accepted by a server whose default user needs no password."""
    base = require_redis()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    loc = f"{_with_password(base, 'default:secret')}?prefix={prefix}"
    corpus, rules_file, incoming = _corpus(tmp_path)
    rules = load_rules(rules_file)
    try:
        build_index([corpus], loc, rules)
        report = scan([incoming], loc, rules).to_dict()
        assert report["index"]["location"].startswith("redis://default:***@")
        _assert_masked(json.dumps(report, ensure_ascii=False))
        done = cli("scan", incoming, "--index", loc, "--rules", rules_file, "--quiet", "--format", "json")
        assert done.exit_code in (0, 1) and "***" in done.output
        _assert_masked(done.output)
        for extra in ([], ["--json"]):
            done = cli("index", "stats", "--index", loc, *extra)
            assert done.exit_code == 0 and "***" in done.output
            _assert_masked(done.output)
        with open_index(loc) as index:
            assert index.location.startswith("redis://default:***@") and index.stats()["location"] == index.location
        # error messages: no such prefix, other parameters, bad data, an unreachable server
        with pytest.raises(IndexError_) as caught:
            open_index(loc.replace(prefix, prefix + "-missing"))
        _assert_masked(str(caught.value))
        with pytest.raises(IndexError_) as caught:
            open_index(loc, FingerprintParams(shingle_cjk=4))
        _assert_masked(str(caught.value))
        with pytest.raises(IndexError_) as caught:
            open_index(f"redis://:secret@127.0.0.1:{_free_port()}/0?prefix=x")
        assert "redis://:***@127.0.0.1" in str(caught.value)
        _assert_masked(str(caught.value))
        with pytest.raises(IndexError_) as caught:
            open_index(f"redis://127.0.0.1:{_free_port()}/0?password=secret&prefix=x")
        _assert_masked(str(caught.value))
        connection, _ = _split_url(loc)
        import redis

        client = redis.Redis.from_url(connection)
        for key in client.scan_iter(match=f"{prefix}:p:*"):
            client.append(key, b"bad")
        done = cli("scan", incoming, "--index", loc, "--rules", rules_file, "--quiet")
        assert done.exit_code == 2 and "***" in done.output
        _assert_masked(done.output)
    finally:
        drop(loc)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server_with_password(tmp_path: Path) -> Iterator[str]:
    """A throwaway redis-server that needs the password ``secret`` (this test's own process)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("no redis-server binary to start a server with a password")
    import redis

    port = _free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--requirepass", "secret",
                                "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                redis.Redis(port=port, password="secret", socket_connect_timeout=0.2).ping()
                break
            except (redis.exceptions.ConnectionError, OSError):
                time.sleep(0.05)
        yield f"redis://:secret@127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_password_never_shown_on_a_server_that_needs_one(server_with_password: str, tmp_path: Path) -> None:
    loc = f"{server_with_password}?prefix=pw"
    corpus, rules_file, incoming = _corpus(tmp_path)
    rules = load_rules(rules_file)
    build_index([corpus], loc, rules)
    report = scan([incoming], loc, rules).to_dict()
    assert report["index"]["location"].startswith("redis://:***@127.0.0.1")
    _assert_masked(json.dumps(report, ensure_ascii=False))
    done = cli("index", "stats", "--index", loc)
    assert done.exit_code == 0 and "documents: 10" in done.output
    _assert_masked(done.output)
    wrong = server_with_password.replace(":secret@", ":secretwrong@") + "?prefix=pw"
    with pytest.raises(IndexError_) as caught:
        open_index(wrong)
    _assert_masked(str(caught.value))
    without = server_with_password.replace(":secret@", "") + "?prefix=pw"
    done = cli("scan", incoming, "--index", without, "--rules", rules_file, "--quiet")
    assert done.exit_code == 2 and "Traceback" not in done.output
