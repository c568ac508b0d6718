"""Every loader and every encoding; bad files become unreadable items and the run goes on."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from provenance.documents.loaders import load_paths

ZH = "清河县召开农村公路建设推进会，会议要求各乡镇加快项目进度。"
TRAD = "清河縣召開農村公路建設推進會，會議要求各鄉鎮加快項目進度。"
EN = "The council approved the library budget on Tuesday."


def load(path: Path) -> list:
    return list(load_paths([path]))


def test_txt_and_first_line_title(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(f"标题一行\n{ZH}\n", encoding="utf-8")
    [article] = load(tmp_path / "a.txt")
    assert article.readable and article.id == "a.txt" and article.format == "txt"
    assert article.text.startswith("标题一行") and article.meta["first_line_title"] == "标题一行"


def test_markdown_yaml_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        f"---\nid: doc-1\ntitle: \"会议\"\nsource: 清河日报\nurl: https://x.example.cn/1\npublished: 2024-03-11T09:20:00+08:00\n"
        f"license: CC-BY-4.0\n---\n\n{ZH}\n", encoding="utf-8")
    [article] = load(tmp_path / "a.md")
    assert (article.id, article.title, article.source, article.url) == ("doc-1", "会议", "清河日报", "https://x.example.cn/1")
    assert article.published.isoformat() == "2024-03-11T09:20:00+08:00"
    assert article.license == "CC-BY-4.0" and article.text.strip() == ZH and article.format == "md"


def test_markdown_toml_front_matter_and_date_only(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text(f"+++\nid = \"doc-2\"\nsource = \"Harbor Line\"\npublished = 2024-05-03\n+++\n{EN}\n",
                                   encoding="utf-8")
    [article] = load(tmp_path / "b.md")
    assert article.id == "doc-2" and article.source == "Harbor Line"
    assert article.published.date().isoformat() == "2024-05-03" and article.text.strip() == EN


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Page title - Site</title>"
        "<meta property='og:site_name' content='Harbor Line'>"
        "<meta property='og:title' content='Dredging plan approved'>"
        "<meta property='article:published_time' content='2024-05-03T14:05:00Z'>"
        "<link rel='canonical' href='https://www.harborline.example.com/a.html'></head>"
        "<body><nav><a href='https://www.harborline.example.com/'>Home</a></nav><article><h1>Dredging plan approved</h1>"
        f"<p>{EN} The authority said work starts in autumn and lasts two years.</p>"
        "<p>Shipping lines welcomed the decision and said they would add weekly calls.</p></article>"
        "<footer>Contact us</footer></body></html>", encoding="utf-8")
    [article] = load(tmp_path / "a.html")
    assert article.readable and article.format == "html"
    assert "library budget" in article.text and "Shipping lines welcomed" in article.text
    assert article.title == "Dredging plan approved"
    assert article.url == "https://www.harborline.example.com/a.html"
    assert article.meta["site_name"] == "Harbor Line"
    assert article.published.isoformat() == "2024-05-03T14:05:00+00:00"
    assert article.links == []  # navigation links are not part of the article


def test_json_and_jsonl_and_gzip(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(json.dumps({"id": "j1", "title": "T", "text": ZH, "source": "清河日报"}),
                                       encoding="utf-8")
    lines = [json.dumps({"id": f"l{i}", "text": f"{EN} {i}"}) for i in range(3)]
    lines.insert(1, "{not json")
    lines.append(json.dumps({"id": "no-text"}))
    (tmp_path / "many.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "many.jsonl.gz").write_bytes(gzip.compress("\n".join(lines[:1]).encode("utf-8")))
    articles = {a.path.rsplit("/", 1)[-1]: a for a in load_paths([tmp_path])}
    assert articles["one.json"].id == "j1" and articles["one.json"].source == "清河日报"
    assert articles["many.jsonl:1"].id == "l0" and articles["many.jsonl:1"].readable
    assert not articles["many.jsonl:2"].readable and "line 2: invalid JSON" in articles["many.jsonl:2"].error
    assert articles["many.jsonl:3"].id == "l1" and articles["many.jsonl:4"].id == "l2"
    assert "missing or non-string 'text'" in articles["many.jsonl:5"].error
    assert articles["many.jsonl.gz:1"].id == "l0"


def test_source_toml_defaults_nearest_wins(tmp_path: Path) -> None:
    (tmp_path / "source.toml").write_text('source = "清河日报"\nurl = "https://qh.example.cn/"\n', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "source.toml").write_text('source = "山城商报"\npublished = 2024-01-02\n', encoding="utf-8")
    (tmp_path / "a.txt").write_text(ZH, encoding="utf-8")
    (tmp_path / "sub" / "b.md").write_text(f"---\ntitle: B\n---\n{ZH}", encoding="utf-8")
    (tmp_path / "sub" / "c.md").write_text(f"---\nsource: 江州晚报\n---\n{ZH}", encoding="utf-8")
    articles = {a.id: a for a in load_paths([tmp_path])}
    assert articles["a.txt"].source == "清河日报" and articles["a.txt"].url == "https://qh.example.cn/"
    assert articles["sub/b.md"].source == "山城商报" and articles["sub/b.md"].url == "https://qh.example.cn/"
    assert articles["sub/b.md"].published.date().isoformat() == "2024-01-02"
    assert articles["sub/c.md"].source == "江州晚报"  # the file's own front matter wins


@pytest.mark.parametrize(
    ("name", "data", "expected", "encoding"),
    [
        ("utf8.txt", ZH.encode("utf-8"), ZH, "utf-8"),
        ("utf8bom.txt", b"\xef\xbb\xbf" + ZH.encode("utf-8"), ZH, "utf-8"),
        ("utf16le.txt", b"\xff\xfe" + ZH.encode("utf-16-le"), ZH, "utf-16-le"),
        ("utf16be.txt", b"\xfe\xff" + ZH.encode("utf-16-be"), ZH, "utf-16-be"),
        ("utf16nobom.txt", (EN + " " + EN).encode("utf-16-le"), EN + " " + EN, "utf-16-le"),
        ("gb18030.txt", (ZH * 3).encode("gb18030"), ZH * 3, None),
        ("big5.txt", (TRAD * 3).encode("big5"), TRAD * 3, None),
    ],
)
def test_encodings(tmp_path: Path, name: str, data: bytes, expected: str, encoding: str | None) -> None:
    (tmp_path / name).write_bytes(data)
    [article] = load(tmp_path / name)
    assert article.readable, article.error
    assert article.text == expected
    if encoding:
        assert article.encoding == encoding
    else:
        assert article.encoding.replace("_", "") in ("gb18030", "big5", "big5hkscs", "cp950", "gbk", "gb2312")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
        ("blank.md", b"---\ntitle: x\n---\n   \n", "no article text"),
        ("bad.json", b"{\"text\": ", "invalid JSON"),
        ("badfm.md", b"---\ntitle: [unclosed\n---\nbody", "invalid front matter"),
    ],
)
def test_unreadable_files_name_the_problem(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text(ZH, encoding="utf-8")
    articles = {a.path.rsplit("/", 1)[-1]: a for a in load_paths([tmp_path])}
    assert articles["good.txt"].readable
    assert not articles[name].readable and reason in articles[name].error


def test_invalid_bytes_are_unreadable(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\x81\xff\xfe\x80\x00" * 50)
    [article] = load(tmp_path / "bad.txt")
    assert not article.readable and article.error


def test_missing_path_is_an_unreadable_item(tmp_path: Path) -> None:
    [article] = load(tmp_path / "nope.txt")
    assert not article.readable and "no such file" in article.error
