"""The embedded index: build, stats, incremental rebuilds, removal, parameter checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from corpus_kit import EN_ORIGINAL, RULES, ZH_ORIGINAL, ZH_PORT, front_matter, write, write_corpus

from provenance.engine import build_index, scan
from provenance.errors import IndexError_
from provenance.index import open_index
from provenance.params import FingerprintParams
from provenance.rules import load_rules


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("index-corpus")
    docs = write_corpus(root / "corpus")
    write(root / "provenance.toml", RULES)
    return root, docs


@pytest.fixture(scope="module")
def built(corpus: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> str:
    """An index of the corpus built once (read-only for the tests that use it)."""
    root, _ = corpus
    location = str(tmp_path_factory.mktemp("index") / "corpus.sqlite")
    build_index([root / "corpus"], location, load_rules(root / "provenance.toml"))
    return location


def test_build_and_stats(corpus: tuple[Path, dict[str, str]], built: str) -> None:
    _, docs = corpus
    with open_index(built) as index:
        stats = index.stats()
        assert index.count() == len(docs) == stats["documents"]
        assert set(index.iter_ids()) == set(docs)
        assert stats["backend"] == "sqlite"
        assert stats["params"] == FingerprintParams().to_dict()
        assert stats["sources"] == 8
        stored = index.get_by_id("qs-0408")
        assert stored is not None
        screen = index.screens([stored.rowid])[stored.rowid]
    assert stored.text == ZH_ORIGINAL  # the loaded text, as the report's offsets need it
    assert stored.source == "青山日报"  # from qingshan/source.toml
    assert stored.url == "https://www.qsrb.example.cn/"
    assert stored.published is not None and stored.published.startswith("2024-04-08")
    assert stored.minhash is None  # the embedded index derives its keys from the text, keeping no MinHash
    assert screen.source == "青山日报" and screen.text.strip() and len(screen.text) < len(ZH_ORIGINAL)
    assert screen.offsets and screen.simhash == stored.simhash


def test_sources_keep_disclaimer_policies(built: str) -> None:
    with open_index(built) as index:
        sources = {s.name: s for s in index.sources()}
    assert sources["北岭新闻网"].policy == "no-reprint"
    assert "未经授权" in (sources["北岭新闻网"].policy_from or "")
    assert sources["北岭新闻网"].documents == 2
    assert sources["青山日报"].policy is None


def test_round_trip_unchanged_updated_added_removed(tmp_path: Path) -> None:
    docs = write_corpus(tmp_path / "corpus")
    rules = load_rules(write(tmp_path / "provenance.toml", RULES))
    location = str(tmp_path / "i.sqlite")

    first = build_index([tmp_path / "corpus"], location, rules)
    assert (first.added, first.updated, first.unchanged, first.removed) == (len(docs), 0, 0, 0)
    assert first.unreadable == []

    again = build_index([tmp_path / "corpus"], location, rules)
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, len(docs), 0)

    # modify one document: it is updated, the rest unchanged
    write(tmp_path / "corpus" / "ridgeview" / "rv-0902.md",
          front_matter(EN_ORIGINAL.replace("six months", "eight months"), id="rv-0902", source="Ridgeview Tribune",
                       published="2024-09-02"))
    modified = build_index([tmp_path / "corpus"], location, rules)
    assert (modified.added, modified.updated, modified.unchanged) == (0, 1, len(docs) - 1)
    with open_index(location) as index:
        stored = index.get_by_id("rv-0902")
        assert stored is not None and "eight months" in stored.text
        assert index.count() == len(docs)

    # a new file is added; an unreadable one is reported and not indexed
    write(tmp_path / "corpus" / "extra" / "new.txt", ZH_PORT.replace("东江港", "西山港"))
    write(tmp_path / "corpus" / "extra" / "empty.txt", b"")
    added = build_index([tmp_path / "corpus"], location, rules)
    assert (added.added, added.updated, added.unchanged) == (1, 0, len(docs))
    assert [a.id for a in added.unreadable] == ["extra/empty.txt"]

    # a file removed from the corpus goes with --prune
    (tmp_path / "corpus" / "extra" / "new.txt").unlink()
    kept = build_index([tmp_path / "corpus"], location, rules)
    assert kept.removed == 0
    with open_index(location) as index:
        assert index.get_by_id("extra/new.txt") is not None
    pruned = build_index([tmp_path / "corpus"], location, rules, prune=True)
    assert pruned.removed == 1
    with open_index(location) as index:
        assert index.get_by_id("extra/new.txt") is None
        assert index.count() == len(docs)

    # remove by id
    with open_index(location) as index:
        assert index.remove(["bh-0512", "no-such-id"]) == 1
        assert index.get_by_id("bh-0512") is None
        assert index.count() == len(docs) - 1
    back = build_index([tmp_path / "corpus"], location, rules)
    assert (back.added, back.unchanged) == (1, len(docs) - 1)


def test_removed_document_is_no_longer_found(tmp_path: Path) -> None:
    write_corpus(tmp_path / "corpus")
    rules = load_rules(write(tmp_path / "provenance.toml", RULES))
    location = str(tmp_path / "i.sqlite")
    build_index([tmp_path / "corpus"], location, rules)
    article = write(tmp_path / "in" / "water.txt", ZH_ORIGINAL)
    assert scan([article], location, rules).items[0].verdict == "unattributed"
    with open_index(location) as index:
        index.remove(["qs-0408"])
    assert scan([article], location, rules).items[0].verdict == "original"


def test_parallel_build_stores_the_same_fingerprints(corpus: tuple[Path, dict[str, str]], built: str,
                                                     tmp_path: Path) -> None:
    root, docs = corpus
    location = str(tmp_path / "parallel.sqlite")
    result = build_index([root / "corpus"], location, load_rules(root / "provenance.toml"), jobs=2)
    assert result.added == len(docs)
    with open_index(built) as one, open_index(location) as two:
        for doc_id in docs:
            a, b = one.get_by_id(doc_id), two.get_by_id(doc_id)
            assert a is not None and b is not None
            assert a.simhash == b.simhash and a.shingle_count == b.shingle_count
            assert one.screens([a.rowid])[a.rowid] == two.screens([b.rowid])[b.rowid]
            assert a.content_hash == b.content_hash


# -- parameters ------------------------------------------------------------------------------
def test_parameter_mismatch_names_the_parameter(built: str) -> None:
    with pytest.raises(IndexError_) as raised:
        open_index(built, FingerprintParams(shingle_cjk=4))
    message = str(raised.value)
    assert "shingle_cjk" in message
    assert "num_perm" not in message  # only what differs
    with pytest.raises(IndexError_, match="num_perm"):
        open_index(built, FingerprintParams(num_perm=64))
    with open_index(built, FingerprintParams()) as index:  # the same parameters open fine
        assert index.count() > 0


def test_scan_and_build_refuse_other_parameters(corpus: tuple[Path, dict[str, str]], built: str,
                                                tmp_path: Path) -> None:
    root, _ = corpus
    rules = load_rules(write(tmp_path / "provenance.toml", RULES + "\n[fingerprint]\nshingle_cjk = 4\n"))
    assert rules.fingerprint.shingle_cjk == 4
    article = write(tmp_path / "in" / "a.txt", ZH_ORIGINAL)
    with pytest.raises(IndexError_, match="shingle_cjk"):
        scan([article], built, rules)
    with pytest.raises(IndexError_, match="shingle_cjk"):
        build_index([root / "corpus"], built, rules)


def test_missing_and_foreign_index_files(tmp_path: Path) -> None:
    with pytest.raises(IndexError_):
        open_index(str(tmp_path / "absent.sqlite"))
    assert not (tmp_path / "absent.sqlite").exists()
    junk = write(tmp_path / "junk.sqlite", b"this is not a database at all, just some bytes" * 20)
    with pytest.raises(IndexError_):
        open_index(str(junk))


def test_changed_folder_defaults_update_the_documents_below(tmp_path: Path) -> None:
    docs = write_corpus(tmp_path / "corpus")
    rules = load_rules(write(tmp_path / "provenance.toml", RULES))
    location = str(tmp_path / "i.sqlite")
    build_index([tmp_path / "corpus"], location, rules)
    write(tmp_path / "corpus" / "qingshan" / "source.toml",
          'source = "青山日报"\nurl = "https://news.qsrb.example.cn/"\n')
    result = build_index([tmp_path / "corpus"], location, rules)
    assert (result.updated, result.unchanged) == (1, len(docs) - 1)
    with open_index(location) as index:
        stored = index.get_by_id("qs-0408")
        assert stored is not None and stored.url == "https://news.qsrb.example.cn/"


def test_no_key_outlives_its_document(tmp_path: Path) -> None:
    """Updates and removals delete every band, SimHash block and posting of the old text (the
    embedded index derives them from the stored text, keeping no per-document key list)."""
    import sqlite3

    docs = write_corpus(tmp_path / "corpus")
    rules = load_rules(write(tmp_path / "provenance.toml", RULES))
    location = str(tmp_path / "i.sqlite")
    build_index([tmp_path / "corpus"], location, rules)
    write(tmp_path / "corpus" / "ridgeview" / "rv-0902.md",
          front_matter(EN_ORIGINAL.replace("six months", "eight months"), id="rv-0902", source="Ridgeview Tribune",
                       published="2024-09-02"))
    build_index([tmp_path / "corpus"], location, rules)
    with open_index(location) as index:
        index.remove(["bh-0512"])
    conn = sqlite3.connect(location)
    live = {r for (r,) in conn.execute("SELECT rowid FROM docs")}
    assert len(live) == len(docs) - 1
    for table in ("bands", "simblocks", "postings"):
        assert listed_docs(conn, table) == live, table  # none lists a removed or replaced document
    conn.close()


def test_one_id_twice_in_a_batch_leaves_no_orphan_keys(tmp_path: Path) -> None:
    import sqlite3

    write(tmp_path / "corpus" / "a.md", front_matter(ZH_ORIGINAL, id="same", source="青山日报"))
    write(tmp_path / "corpus" / "b.md", front_matter(ZH_PORT, id="same", source="青山日报"))
    location = str(tmp_path / "i.sqlite")
    build_index([tmp_path / "corpus"], location, load_rules(write(tmp_path / "provenance.toml", RULES)))
    conn = sqlite3.connect(location)
    (rowid,) = conn.execute("SELECT rowid FROM docs").fetchone()
    assert conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0] == 1
    for table in ("bands", "simblocks", "postings"):
        assert listed_docs(conn, table) == {rowid}, table
    conn.close()


def listed_docs(conn: Any, table: str) -> set[int]:
    """Every document a key table lists, checking each row's count against its list."""
    from provenance.index import postings

    out: set[int] = set()
    for n, blob in conn.execute(f"SELECT n, docs FROM {table}"):
        docs, _ = postings.unpack([blob])
        assert len(docs) == n > 0
        out.update(docs.tolist())
    return out


def _table_rows(location: str) -> dict[str, list[tuple[Any, ...]]]:
    import sqlite3

    with sqlite3.connect(f"file:{location}?mode=ro", uri=True) as conn:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("docs", "bands", "simblocks", "postings", "sources", "lines")}


def test_parallel_build_in_many_pieces_writes_what_one_process_writes(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of four, pieces of one, ids met twice (the later copy wins): the parallel build's
    tables are the one-process build's, row for row."""
    import json

    monkeypatch.setattr("provenance.engine.BATCH", 4)
    chrome = "Advertisement\nShare this story\n"
    rows = [{"id": f"d{i:02d}", "source": ("Daily A", "Daily B")[i % 2], "title": f"Story {i}",
             "text": chrome + f"Paragraph {i} of its own.\n" + (EN_ORIGINAL if i % 3 else ZH_ORIGINAL)}
            for i in range(23)]
    rows += [dict(rows[4], text=rows[4]["text"] + "\nA correction."), dict(rows[17], source="Daily C")]
    write(tmp_path / "corpus" / "a.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:13]) + "\n")
    write(tmp_path / "corpus" / "b.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows[13:]) + "\n")
    rules = load_rules(write(tmp_path / "provenance.toml", RULES))
    one, two = str(tmp_path / "one.sqlite"), str(tmp_path / "two.sqlite")
    build_index([tmp_path / "corpus"], one, rules)
    result = build_index([tmp_path / "corpus"], two, rules, jobs=2)
    assert (result.added, result.updated) == (23, 2)
    assert _table_rows(one) == _table_rows(two)
    with open_index(two) as index:
        assert index.get_by_id("d04").text.endswith("A correction.")  # type: ignore[union-attr]
        assert index.line_counts("Daily A")  # the sources' lines were counted


def test_a_document_crosses_to_the_writer_whole() -> None:
    """A build's workers pickle their documents for the writer process: every field comes back,
    arrays with their dtype and values."""
    import pickle

    import numpy as np

    from provenance.index.base import IndexedDoc

    doc = IndexedDoc(id="a", path="a.txt", text="正文 text", content_hash="h", title="T", source="S", url=None,
                     published=None, publisher=None, license=None, language="zh",
                     minhash=np.arange(128, dtype=np.uint32), simhash=(1 << 64) - 1, band_keys=[1, 2],
                     simhash_keys=[3], passage_keys=np.array([2**63 + 5, 7], dtype=np.uint64), shingle_count=9,
                     claims=[{"kind": "source", "line": 0}], screen="正文 text", offsets=b"\x01",
                     line_keys=np.array([11, 12], dtype=np.uint64))
    back = pickle.loads(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
    for name, value in vars(doc).items():
        got = getattr(back, name)
        if isinstance(value, np.ndarray):
            assert got.dtype == value.dtype and np.array_equal(got, value), name
        else:
            assert got == value, name
