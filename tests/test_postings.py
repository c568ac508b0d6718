"""Posting lists of the embedded index: varint packing, and lists that grow over many batches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.analysis import analyse
from provenance.documents.model import Article
from provenance.engine import build_index
from provenance.errors import IndexError_
from provenance.index import open_index, postings
from provenance.rules import Rules

SHARED = ("县里今天召开会议，部署今年的防汛抗旱工作，要求各乡镇在五月底前完成堤防巡查并落实责任人，"
          "同时储备足够的抢险物资。")


@given(st.lists(st.integers(min_value=0, max_value=2**63 - 1), max_size=200))
def test_varints_round_trip(values: list[int]) -> None:
    packed = postings.encode(np.array(values, dtype=np.int64))
    assert postings.decode(packed).tolist() == values


@given(st.lists(st.tuples(st.integers(-(2**31), 2**31 - 1), st.integers(1, 5_000_000)), max_size=300))
def test_pack_groups_distinct_pairs_by_key(pairs: list[tuple[int, int]]) -> None:
    keys = np.array([k for k, _ in pairs], dtype=np.int64)
    docs = np.array([d for _, d in pairs], dtype=np.int64)
    found, counts, blobs = postings.pack(keys, docs)
    assert len(set(found)) == len(found)
    ids, owner = postings.unpack(blobs)
    assert set(zip(np.array(found, dtype=np.int64)[owner].tolist(), ids.tolist(), strict=True)) == set(pairs)
    assert counts == [postings.unpack([b])[0].size for b in blobs]


def test_appended_lists_read_as_one() -> None:
    _, _, first = postings.pack(np.array([7, 7]), np.array([3, 300]))
    _, _, second = postings.pack(np.array([7]), np.array([70_000]))
    ids, owner = postings.unpack([first[0] + second[0], second[0]])
    assert ids.tolist() == [3, 300, 70_000, 70_000] and owner.tolist() == [0, 0, 0, 1]


def test_a_truncated_list_is_an_error() -> None:
    _, _, blobs = postings.pack(np.array([1]), np.array([300]))
    with pytest.raises(ValueError, match="ends inside"):
        postings.unpack([blobs[0][:-1]])


def _corpus(folder: Path, first: int, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(first, first + count):
        (folder / f"d{k:04d}.md").write_text(
            f"---\nid: d{k:04d}\nsource: 县报\n---\n第{k}号通知。{SHARED}其余内容编号{k * 7919}。\n", encoding="utf-8")


def test_lists_grow_over_batches_and_shrink_on_removal(tmp_path: Path) -> None:
    """A passage held by 300 documents written in two builds: its keys list every one (row ids
    past 127 need two-byte varints, joined by SQLite), counts say so, and removed
    documents leave the lists."""
    location = str(tmp_path / "i.sqlite")
    _corpus(tmp_path / "corpus", 0, 150)
    build_index([tmp_path / "corpus"], location, Rules())
    _corpus(tmp_path / "corpus", 150, 150)
    assert build_index([tmp_path / "corpus"], location, Rules()).added == 150
    query = analyse(Article(id="q", path="q", text=SHARED), Rules().fingerprint, detect=False).fingerprint
    with open_index(location) as index:
        assert index.count() == 300
        counts = index.document_frequencies(query.passage_keys)
        assert counts and max(counts.values()) == 300
        assert index.document_frequencies(query.passage_keys, cap=50) == {k: min(n, 50) for k, n in counts.items()}
        shared = index.candidates(query.hashvalues, int(query.simhash.value), query.passage_keys, 0).passage_hits
        assert len(shared) == 300
        index.remove([f"d{k:04d}" for k in range(0, 300, 3)])
        after = index.document_frequencies(query.passage_keys)
        assert max(after.values()) == 200
        shared = index.candidates(query.hashvalues, int(query.simhash.value), query.passage_keys, 0).passage_hits
        assert len(shared) == 200
        live = {r for (r,) in index.conn.execute("SELECT rowid FROM docs")}
        assert set(shared) == live


def test_a_damaged_list_names_the_index_and_asks_for_a_rebuild(tmp_path: Path) -> None:
    location = str(tmp_path / "i.sqlite")
    _corpus(tmp_path / "corpus", 0, 3)
    build_index([tmp_path / "corpus"], location, Rules())
    with sqlite3.connect(location) as conn:
        conn.execute("UPDATE postings SET docs = x'80'")
    query = analyse(Article(id="q", path="q", text=SHARED), Rules().fingerprint, detect=False).fingerprint
    with open_index(location) as index:
        with pytest.raises(IndexError_, match=r"damaged.*rebuild the index"):
            index.candidates(query.hashvalues, int(query.simhash.value), query.passage_keys, 0)
        with pytest.raises(IndexError_, match=r"damaged.*rebuild the index"):
            index.remove(["d0001"])
        assert index.count() == 3  # the removal was rolled back, and the connection can go on
        assert not index.conn.in_transaction


@pytest.mark.parametrize("max_df", [1, 50, 299, 300, 10_000])
def test_one_read_of_candidates_and_frequencies_equals_the_two_queries(tmp_path: Path, max_df: int) -> None:
    """The embedded index answers candidates and key counts from one read of the key rows; it
    gives what asking for the counts, dropping the frequent keys and asking for candidates gives."""
    from provenance.index.base import IndexBackend

    location = str(tmp_path / "i.sqlite")
    _corpus(tmp_path / "corpus", 0, 300)
    build_index([tmp_path / "corpus"], location, Rules())
    text = f"第7号通知。{SHARED}其余内容编号{7 * 7919}。另有一段只在这篇稿件里出现的文字，用来核对罕见的键。"
    query = analyse(Article(id="q", path="q", text=text), Rules().fingerprint, detect=False).fingerprint
    args = (query.hashvalues, int(query.simhash.value), query.passage_keys, 3, max_df)
    with open_index(location) as index:
        found, counts = index.candidates_and_frequencies(*args)
        expected, expected_counts = IndexBackend.candidates_and_frequencies(index, *args)
    assert counts == expected_counts and max(counts.values()) == min(300, max_df + 1)
    assert found.passage_hits == expected.passage_hits
    assert {r: sorted(k) for r, k in found.shared_keys.items()} == {r: sorted(k) for r, k in expected.shared_keys.items()}
    assert (found.lsh_hits, found.simhash_hits) == (expected.lsh_hits, expected.simhash_hits)
    assert (len(found.passage_hits) == 300) == (max_df >= 300)  # frequent keys lead nowhere
