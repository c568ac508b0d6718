"""Loaders (DESIGN §3): every format, front matter, source.toml defaults, ids, encodings, unreadable files."""

from __future__ import annotations

import gzip
import json
import random
import struct
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import opencc
import pytest
from corpus_kit import EN_ORIGINAL, ZH_ORIGINAL, ZH_PORT, front_matter, write
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.documents.loaders import load_paths
from provenance.documents.model import Article

CST = timezone(timedelta(hours=8))


def load_all(*paths: Path) -> dict[str, Article]:
    """Articles by id (all of them, readable or not)."""
    return {a.id: a for a in load_paths(list(paths))}


# -- .txt / .md ------------------------------------------------------------------------------
def test_plain_txt_id_is_path_relative_to_root(tmp_path: Path) -> None:
    write(tmp_path / "root" / "local" / "2024" / "water.txt", ZH_ORIGINAL)
    articles = load_all(tmp_path / "root")
    assert list(articles) == ["local/2024/water.txt"]
    article = articles["local/2024/water.txt"]
    assert article.readable, article.error
    assert article.text == ZH_ORIGINAL
    assert article.format == "txt"
    assert article.encoding == "utf-8"
    assert article.path.replace("\\", "/").endswith("root/local/2024/water.txt")


def test_md_yaml_front_matter(tmp_path: Path) -> None:
    write(tmp_path / "c" / "a.md", front_matter(
        ZH_ORIGINAL, id="qs-yaml", title="青山县第二水厂扩建工程通水", source="青山日报",
        url="https://www.qsrb.example.cn/a.html", published="2024-04-08T09:00:00+08:00", publisher="青山日报社",
        license="CC BY 4.0"))
    article = load_all(tmp_path / "c")["qs-yaml"]
    assert article.readable, article.error
    assert article.text == ZH_ORIGINAL  # the front matter is not part of the text
    assert article.title == "青山县第二水厂扩建工程通水"
    assert article.source == "青山日报"
    assert article.url == "https://www.qsrb.example.cn/a.html"
    assert article.published == datetime(2024, 4, 8, 9, 0, tzinfo=CST)
    assert article.publisher == "青山日报社"
    assert article.license == "CC BY 4.0"
    assert article.format == "md"


def test_md_yaml_date_only(tmp_path: Path) -> None:
    write(tmp_path / "c" / "a.md", front_matter(EN_ORIGINAL, published="2024-09-02"))
    article = load_all(tmp_path / "c")["a.md"]
    assert article.published is not None
    assert (article.published.year, article.published.month, article.published.day) == (2024, 9, 2)


def test_md_toml_front_matter(tmp_path: Path) -> None:
    head = ('+++\nid = "rv-toml"\ntitle = "Council backs park"\nsource = "Ridgeview Tribune"\n'
            'url = "https://www.ridgeviewtribune.example.com/p.html"\npublished = "2024-09-02T07:30:00Z"\n'
            'publisher = "Ridgeview Media"\nlicense = "all rights reserved"\n+++\n')
    write(tmp_path / "c" / "council.md", head + EN_ORIGINAL)
    article = load_all(tmp_path / "c")["rv-toml"]
    assert article.readable, article.error
    assert article.text == EN_ORIGINAL
    assert article.title == "Council backs park"
    assert article.source == "Ridgeview Tribune"
    assert article.url == "https://www.ridgeviewtribune.example.com/p.html"
    assert article.published == datetime(2024, 9, 2, 7, 30, tzinfo=UTC)
    assert article.publisher == "Ridgeview Media"
    assert article.license == "all rights reserved"


def test_txt_front_matter_is_read_too(tmp_path: Path) -> None:
    write(tmp_path / "c" / "a.txt", front_matter(ZH_ORIGINAL, id="txt-fm", source="青山日报"))
    article = load_all(tmp_path / "c")["txt-fm"]
    assert article.source == "青山日报" and article.text == ZH_ORIGINAL


# -- .html -----------------------------------------------------------------------------------
def _page(with_canonical: bool = True) -> str:
    paragraphs = "".join(f"<p>{p}</p>\n" for p in ZH_PORT.strip().split("\n\n"))
    canonical = '<link rel="canonical" href="https://www.haifeng.example.com/port/0619.html">' if with_canonical else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta charset="utf-8">
<title>东江港三期工程通过验收</title>
<meta property="og:site_name" content="海风财经">
<meta property="og:url" content="https://m.haifeng.example.com/port/0619">
<meta property="article:published_time" content="2024-06-19T08:30:00+08:00">
{canonical}
</head><body>
<header><nav><a href="https://www.haifeng.example.com/">首页</a> | <a href="https://www.haifeng.example.com/f">财经频道</a>
 | <a href="https://www.haifeng.example.com/login">登录注册</a></nav></header>
<div class="main"><article><h1>东江港三期工程通过验收</h1>
{paragraphs}</article></div>
<aside><h3>热门推荐</h3><ul><li><a href="https://www.haifeng.example.com/a">明星演唱会门票开售</a></li>
<li><a href="https://www.haifeng.example.com/b">本周油价上调</a></li></ul></aside>
<footer><p>版权所有 海风财经网 联系我们 关于我们 广告服务</p></footer>
</body></html>"""


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    write(tmp_path / "c" / "port.html", _page())
    article = load_all(tmp_path / "c")["port.html"]
    assert article.readable, article.error
    assert article.format == "html"
    for paragraph in ZH_PORT.strip().split("\n\n"):
        assert paragraph in article.text
    for chrome in ("首页", "登录注册", "热门推荐", "明星演唱会", "版权所有", "广告服务"):
        assert chrome not in article.text, f"page chrome {chrome!r} extracted as article text"
    assert article.title == "东江港三期工程通过验收"
    assert article.url == "https://www.haifeng.example.com/port/0619.html"  # canonical wins over og:url
    assert article.published == datetime(2024, 6, 19, 8, 30, tzinfo=CST)
    assert (article.source or article.meta.get("site_name")) == "海风财经"


def test_html_og_url_without_canonical(tmp_path: Path) -> None:
    write(tmp_path / "c" / "port.htm", _page(with_canonical=False))
    article = load_all(tmp_path / "c")["port.htm"]
    assert article.url == "https://m.haifeng.example.com/port/0619"


def test_html_site_name_becomes_the_indexed_source(tmp_path: Path) -> None:
    from provenance.engine import build_index
    from provenance.index import open_index
    from provenance.rules import Rules

    write(tmp_path / "c" / "port.html", _page())
    location = str(tmp_path / "i.sqlite")
    build_index([tmp_path / "c"], location, Rules())
    with open_index(location) as index:
        doc = index.get_by_id("port.html")
    assert doc is not None
    assert doc.source == "海风财经"
    assert doc.published is not None and doc.published.startswith("2024-06-19")
    assert doc.url == "https://www.haifeng.example.com/port/0619.html"


# -- .json / .jsonl / .jsonl.gz --------------------------------------------------------------
RECORD = {"id": "bh-json", "title": "智能信号灯", "source": "白河晚报", "url": "https://www.bhwb.example.cn/j.html",
          "published": "2024-05-12", "publisher": "白河报业", "license": "all rights reserved", "text": ZH_ORIGINAL}


def test_json_one_article(tmp_path: Path) -> None:
    write(tmp_path / "c" / "a.json", json.dumps(RECORD, ensure_ascii=False))
    article = load_all(tmp_path / "c")["bh-json"]
    assert article.readable, article.error
    assert article.text == ZH_ORIGINAL
    assert (article.title, article.source, article.url) == ("智能信号灯", "白河晚报", "https://www.bhwb.example.cn/j.html")
    assert (article.publisher, article.license) == ("白河报业", "all rights reserved")
    assert article.published is not None and article.published.date().isoformat() == "2024-05-12"


def test_json_without_id_uses_relative_path(tmp_path: Path) -> None:
    record = {k: v for k, v in RECORD.items() if k != "id"}
    write(tmp_path / "c" / "sub" / "a.json", json.dumps(record, ensure_ascii=False))
    assert list(load_all(tmp_path / "c")) == ["sub/a.json"]


@pytest.mark.parametrize("content", ['{"title": "no text"}', "[1, 2, 3]", '{"text": "broken"'])
def test_json_without_text_is_unreadable(tmp_path: Path, content: str) -> None:
    write(tmp_path / "c" / "bad.json", content)
    write(tmp_path / "c" / "good.txt", EN_ORIGINAL)
    articles = load_all(tmp_path / "c")
    assert not articles["bad.json"].readable and articles["bad.json"].error
    assert articles["good.txt"].readable and articles["good.txt"].text == EN_ORIGINAL


def _lines() -> list[str]:
    return [
        json.dumps({"id": "line-a", "source": "青山日报", "text": ZH_ORIGINAL}, ensure_ascii=False),
        json.dumps({"source": "Ridgeview Tribune", "text": EN_ORIGINAL}),
        "",
        json.dumps({"id": "line-c", "text": ZH_PORT, "published": "2024-06-18"}, ensure_ascii=False),
    ]


def test_jsonl_one_article_per_line(tmp_path: Path) -> None:
    write(tmp_path / "c" / "feed.jsonl", "\n".join(_lines()) + "\n")
    articles = list(load_paths([tmp_path / "c"]))
    assert len(articles) == 3
    assert all(a.readable for a in articles), [a.error for a in articles]
    by_id = {a.id: a for a in articles}
    assert by_id["line-a"].text == ZH_ORIGINAL and by_id["line-a"].source == "青山日报"
    assert by_id["line-c"].text == ZH_PORT
    unnamed = [a for a in articles if a.id not in ("line-a", "line-c")]
    assert len(unnamed) == 1
    assert unnamed[0].id.startswith("feed.jsonl")  # no explicit id: derived from the path relative to the root
    assert unnamed[0].text == EN_ORIGINAL and unnamed[0].source == "Ridgeview Tribune"


def test_jsonl_gz_bad_line_is_one_unreadable_item(tmp_path: Path) -> None:
    lines = _lines()
    lines.insert(1, '{"id": "broken", "text": "unterminated')
    lines.append(json.dumps({"id": "no-text", "title": "only a title"}))
    write(tmp_path / "c" / "feed.jsonl.gz", gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    write(tmp_path / "c" / "other.txt", ZH_PORT)
    articles = list(load_paths([tmp_path / "c"]))
    readable = [a for a in articles if a.readable]
    unreadable = [a for a in articles if not a.readable]
    assert {a.id for a in readable} >= {"line-a", "line-c", "other.txt"}
    assert len(readable) == 4  # three good lines and the .txt
    assert len(unreadable) == 2
    for bad in unreadable:
        assert bad.error and "line" in bad.error
        assert bad.path.replace("\\", "/").split("feed.jsonl.gz")[1].startswith(":")  # names its line
    assert {bad.path.rsplit(":", 1)[1] for bad in unreadable} == {"2", "6"}


def test_corrupt_gzip_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path / "c" / "feed.jsonl.gz", b"\x1f\x8b\x08\x00 definitely not gzip")
    write(tmp_path / "c" / "other.txt", ZH_PORT)
    articles = load_all(tmp_path / "c")
    assert not articles["feed.jsonl.gz"].readable and articles["feed.jsonl.gz"].error
    assert articles["other.txt"].readable


# -- source.toml -----------------------------------------------------------------------------
def test_source_toml_defaults_and_overrides(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "qingshan" / "source.toml",
          'source = "青山日报"\nurl = "https://www.qsrb.example.cn/"\npublished = "2024-04-01"\n'
          'license = "all rights reserved"\n')
    write(root / "qingshan" / "a.md", ZH_ORIGINAL)
    write(root / "qingshan" / "b.md", front_matter(ZH_PORT, source="东江网", published="2024-06-18"))
    write(root / "qingshan" / "weekend" / "source.toml", 'source = "青山日报周末版"\n')
    write(root / "qingshan" / "weekend" / "c.txt", EN_ORIGINAL)
    write(root / "other" / "d.txt", EN_ORIGINAL)
    articles = load_all(root)
    assert set(articles) == {"qingshan/a.md", "qingshan/b.md", "qingshan/weekend/c.txt", "other/d.txt"}
    a = articles["qingshan/a.md"]
    assert (a.source, a.url, a.license) == ("青山日报", "https://www.qsrb.example.cn/", "all rights reserved")
    assert a.published is not None and a.published.date().isoformat() == "2024-04-01"
    b = articles["qingshan/b.md"]  # explicit front matter wins over folder defaults
    assert b.source == "东江网"
    assert b.published is not None and b.published.date().isoformat() == "2024-06-18"
    assert b.url == "https://www.qsrb.example.cn/"  # not overridden: the default stays
    c = articles["qingshan/weekend/c.txt"]  # nearest source.toml wins, the rest is inherited
    assert c.source == "青山日报周末版"
    assert c.url == "https://www.qsrb.example.cn/"
    d = articles["other/d.txt"]
    assert d.source is None and d.url is None


def test_config_files_are_not_articles(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "source.toml", 'source = "青山日报"\n')
    write(root / "provenance.toml", 'publisher = "本地日报"\n')
    write(root / "a.txt", ZH_ORIGINAL)
    assert list(load_all(root)) == ["a.txt"]


def test_file_given_directly(tmp_path: Path) -> None:
    path = write(tmp_path / "c" / "one.md", front_matter(ZH_ORIGINAL, title="t"))
    articles = list(load_paths([path]))
    assert len(articles) == 1
    assert articles[0].id == "one.md" and articles[0].text == ZH_ORIGINAL


# -- encodings -------------------------------------------------------------------------------
TRADITIONAL = opencc.OpenCC("s2tw").convert(ZH_ORIGINAL)

ENCODED = [
    ("utf-8", ZH_ORIGINAL, lambda t: t.encode("utf-8")),
    ("utf-8-bom", ZH_ORIGINAL, lambda t: t.encode("utf-8-sig")),
    ("utf-16-le-bom", ZH_ORIGINAL, lambda t: b"\xff\xfe" + t.encode("utf-16-le")),
    ("utf-16-be-bom", ZH_ORIGINAL, lambda t: b"\xfe\xff" + t.encode("utf-16-be")),
    ("utf-16-le-no-bom", ZH_ORIGINAL, lambda t: t.encode("utf-16-le")),
    ("gb18030", ZH_ORIGINAL, lambda t: t.encode("gb18030")),
    ("big5", TRADITIONAL, lambda t: t.encode("big5")),
    ("en-utf-8-bom", EN_ORIGINAL, lambda t: t.encode("utf-8-sig")),
    ("en-utf-16-le-bom", EN_ORIGINAL, lambda t: b"\xff\xfe" + t.encode("utf-16-le")),
    ("en-utf-16-be-bom", EN_ORIGINAL, lambda t: b"\xfe\xff" + t.encode("utf-16-be")),
    ("en-utf-16-le-no-bom", EN_ORIGINAL, lambda t: t.encode("utf-16-le")),
]


@pytest.mark.parametrize(("name", "text", "encode"), ENCODED, ids=[e[0] for e in ENCODED])
def test_encodings_decode_to_the_original_text(tmp_path: Path, name: str, text: str, encode) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path / "c" / "article.txt", encode(text))
    article = load_all(tmp_path / "c")["article.txt"]
    assert article.readable, f"{name}: {article.error}"
    assert article.text == text
    assert article.encoding


def test_legacy_encodings_with_front_matter(tmp_path: Path) -> None:
    write(tmp_path / "c" / "gb.md", front_matter(ZH_ORIGINAL, id="gb", source="青山日报").encode("gb18030"))
    write(tmp_path / "c" / "big5.md", front_matter(TRADITIONAL, id="b5", source="青山日報").encode("big5"))
    articles = load_all(tmp_path / "c")
    assert articles["gb"].text == ZH_ORIGINAL and articles["gb"].source == "青山日报"
    assert articles["b5"].text == TRADITIONAL and articles["b5"].source == "青山日報"


def _invalid_bytes() -> bytes:
    """Bytes no text encoding makes sense of: C1 controls, 0xFF and C0 controls, no NUL."""
    rng = random.Random(7)
    alphabet = [0x80, 0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xFF, 0x01, 0x03, 0x06, 0x0E, 0x12, 0x15, 0x1A, 0x1C, 0x7F]
    return bytes(rng.choice(alphabet) for _ in range(600))


UNREADABLE = [
    ("zero-byte", b""),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4),
    ("binary-16-bit-integers", struct.pack("<256H", *range(256))),  # NUL in every other byte, like UTF-16
    ("nul-bytes-in-text", ZH_ORIGINAL.encode("utf-8")[:60] + b"\x00\x00\x00\x00" + ZH_ORIGINAL.encode("utf-8")[60:]),
    ("invalid-bytes", _invalid_bytes()),
    ("only-whitespace", b" \n\t\n   \n"),
]


@pytest.mark.parametrize(("name", "data"), UNREADABLE, ids=[u[0] for u in UNREADABLE])
def test_unreadable_files_get_a_reason_and_the_run_goes_on(tmp_path: Path, name: str, data: bytes) -> None:
    write(tmp_path / "c" / "a-good.txt", ZH_ORIGINAL)
    write(tmp_path / "c" / "b-bad.txt", data)
    write(tmp_path / "c" / "c-good.md", front_matter(EN_ORIGINAL, id="en"))
    articles = load_all(tmp_path / "c")
    bad = articles["b-bad.txt"]
    assert not bad.readable, f"{name} was read as {bad.encoding}: {bad.text[:40]!r}"
    assert isinstance(bad.error, str) and len(bad.error) > 5
    assert bad.text == ""
    assert articles["a-good.txt"].readable and articles["a-good.txt"].text == ZH_ORIGINAL
    assert articles["en"].readable and articles["en"].text == EN_ORIGINAL


def test_zero_byte_reason_says_empty(tmp_path: Path) -> None:
    write(tmp_path / "c" / "empty.md", b"")
    error = load_all(tmp_path / "c")["empty.md"].error or ""
    assert "empty" in error.lower() or "0 bytes" in error


def test_missing_path_is_unreadable(tmp_path: Path) -> None:
    articles = list(load_paths([tmp_path / "nowhere.txt"]))
    assert len(articles) == 1 and not articles[0].readable and articles[0].error


@pytest.mark.parametrize(("head", "expected"), [
    ('+++\npublished = 2024-04-08T09:00:00+08:00\n+++\n', datetime(2024, 4, 8, 9, 0, tzinfo=CST)),  # TOML datetime
    ('+++\npublished = 2024-04-08\n+++\n', datetime(2024, 4, 8, tzinfo=UTC)),  # TOML local date
    ("---\npublished: 2024-04-08T09:00:00+08:00\n---\n", datetime(2024, 4, 8, 9, 0, tzinfo=CST)),
    ('---\npublished: "2024-04-08T01:00:00Z"\n---\n', datetime(2024, 4, 8, 1, 0, tzinfo=UTC)),
])
def test_published_dates(tmp_path: Path, head: str, expected: datetime | None) -> None:
    write(tmp_path / "c" / "a.md", head + EN_ORIGINAL)
    article = load_all(tmp_path / "c")["a.md"]
    assert article.readable and article.text == EN_ORIGINAL
    assert article.published == expected


@pytest.mark.parametrize("head", [
    "---\npublished: yesterday\n---\n",  # not ISO 8601
    "---\npublished: 2024-13-45\n---\n",  # looks like a YAML date, is none
    "---\npublished: 2024-02-30T10:00:00\n---\n",
])
def test_a_date_that_is_none_makes_the_file_unreadable_with_the_reason(tmp_path: Path, head: str) -> None:
    write(tmp_path / "c" / "a.md", head + EN_ORIGINAL)
    article = load_all(tmp_path / "c")["a.md"]
    assert not article.readable
    assert article.error is not None and article.error.startswith("front matter: 'published' is not an ISO 8601")


def test_non_string_front_matter_values(tmp_path: Path) -> None:
    write(tmp_path / "c" / "a.md", "---\nid: 42\ntitle: 2024\n---\n" + EN_ORIGINAL)
    article = load_all(tmp_path / "c")["42"]
    assert article.title == "2024"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "{}", " ", "\n", "\r", "\r\n", "\u2028", "\x0b", "\x85", "b c", "\x1c"]),
                max_size=20).map("".join))
def test_json_lines_are_numbered_as_splitlines_numbers_them(text: str) -> None:
    """Records keep the line numbers SARIF regions count with str.splitlines, without a list of
    every line (a file of millions of blank lines)."""
    from provenance.documents.loaders import _nonempty_lines

    assert list(_nonempty_lines(text)) == [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line]
