"""The texts an index keeps: written with zstd, read back exactly; zlib from older indexes still
read; damage is an index error naming the remedy, not a traceback."""

from __future__ import annotations

import threading
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.errors import IndexError_
from provenance.index.codec import pack_text, unpack_text


@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_round_trip(text: str) -> None:
    packed = pack_text(text)
    assert unpack_text(packed) == text
    assert packed[:4] == b"\x28\xb5\x2f\xfd"  # a zstd frame


@pytest.mark.parametrize("text", ["", "清河县召开农村公路建设推进会。" * 30, "The council approved the budget. " * 20])
def test_texts_of_an_older_zlib_index_are_read(text: str) -> None:
    assert unpack_text(zlib.compress(text.encode("utf-8"), 4)) == text


def test_news_text_is_as_small_as_with_zlib() -> None:
    text = "清河县召开农村公路建设推进会，县长周建民出席会议并讲话。会议要求今年重点抓好在建项目进度。" * 12
    assert len(pack_text(text)) <= 1.05 * len(zlib.compress(text.encode("utf-8"), 4))


@pytest.mark.parametrize("data", [b"", b"\x28\xb5\x2f\xfd garbage", b"x\x9c not zlib", zlib.compress(b"\xff\xfe")])
def test_damaged_text_is_an_index_error(data: bytes) -> None:
    with pytest.raises(IndexError_, match="rebuild the index"):
        unpack_text(data)


def test_a_scan_over_damaged_texts_names_the_index_and_exits_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A candidate whose stored text cannot be read ends the scan with the index named and the
    remedy given (exit 2), not with a traceback."""
    import sqlite3

    from typer.testing import CliRunner

    from provenance.cli import app
    from provenance.engine import build_index
    from provenance.rules import Rules

    body = "县里今天召开会议，部署今年的防汛抗旱工作，要求各乡镇在五月底前完成堤防巡查并落实责任人，同时储备足够的抢险物资。"
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.md").write_text(f"---\nid: a\nsource: 县报\n---\n{body}\n", encoding="utf-8")
    (tmp_path / "incoming").mkdir()
    (tmp_path / "incoming" / "copy.txt").write_text(body, encoding="utf-8")
    location = str(tmp_path / "i.sqlite")
    build_index([tmp_path / "corpus"], location, Rules())
    with sqlite3.connect(location) as conn:
        conn.execute("UPDATE docs SET screen_z = ?", (pack_text(body)[:12],))
    result = CliRunner().invoke(app, ["scan", str(tmp_path / "incoming"), "--index", location, "--quiet"])
    assert result.exit_code == 2
    assert location in result.output and "stored text is damaged" in result.output
    assert "rebuild the index" in result.output and "Traceback" not in result.output


def test_threads_read_texts_side_by_side() -> None:
    """The HTTP service reads the index from several threads: zstd contexts are per thread (a
    shared one corrupted texts read at the same time, and could crash the process)."""
    texts = [f"第{k}篇新闻，县里今天召开会议。" * (1500 + 200 * k) for k in range(8)]
    packed = [pack_text(text) for text in texts]
    wrong: list[object] = []

    def read(k: int) -> None:
        for _ in range(300):
            try:
                if unpack_text(packed[k]) != texts[k]:
                    wrong.append(k)
            except IndexError_ as exc:
                wrong.append(exc)

    threads = [threading.Thread(target=read, args=(k,)) for k in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
