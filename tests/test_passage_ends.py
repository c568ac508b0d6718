"""Passage ends take in the digits, Latin letters and punctuation both texts print beside them
(issue 16: "5月19日" was highlighted from 月, in every output)."""

from __future__ import annotations

import json
from pathlib import Path

from corpus_kit import front_matter, write

from provenance.align import WIDEN_MAX, Passage, widen
from provenance.engine import build_index, scan
from provenance.report.formatters import formatter
from provenance.rules import load_rules


def _passage(article: tuple[int, int], source: tuple[int, int]) -> Passage:
    return Passage(article_tokens=(0, 1), source_tokens=(0, 1), article_shingles=(0, 1), article=article,
                   source=source, chars=article[1] - article[0], identical=1.0)


def test_ends_take_in_shared_digits_letters_and_punctuation() -> None:
    article = "会议于5月19日在青山县召开，GDP增长百分之五。其他"
    source = "今年5月19日在青山县召开，GDP增长百分之五。另外"
    a0, s0 = article.index("月"), source.index("月")
    a1, s1 = article.index("增长"), source.index("增长")
    (widened,) = widen([_passage((a0, a1), (s0, s1))], article, source)
    assert article[widened.article[0]:widened.article[1]] == "5月19日在青山县召开，GDP"
    assert source[widened.source[0]:widened.source[1]] == "5月19日在青山县召开，GDP"


def test_ends_stop_at_a_difference_a_cjk_character_a_space_and_the_next_passage() -> None:
    article, source = "甲5月乙", "丙5月丁"
    (kept,) = widen([_passage((2, 3), (2, 3))], article, source)
    assert kept.article == (1, 3)  # the 5, not 甲/丙 (different) — and never CJK text
    same = "青山县5月"
    (cjk,) = widen([_passage((4, 5), (4, 5))], same, same)
    assert cjk.article == (3, 5)
    spaced = "the 2024 report"
    (word,) = widen([_passage((9, 15), (9, 15))], spaced, spaced)
    assert word.article == (9, 15)  # a space stops it
    digits = "1" * 40 + "月"
    (capped,) = widen([_passage((40, 41), (40, 41))], digits, digits)
    assert capped.article == (40 - WIDEN_MAX, 41)
    two = widen([_passage((0, 3), (0, 3)), _passage((4, 6), (4, 6))], "abc1de", "abc1de")
    assert [p.article for p in two] == [(0, 4), (4, 6)]  # the "1" between them goes to one only


def test_every_output_shows_the_widened_passage(tmp_path: Path) -> None:
    original = ("5月19日，青山县第二届农民丰收节在城关镇开幕，来自全县十二个乡镇的两百多家合作社带来了特色农产品。"
                "活动持续三天，现场还设置了农技咨询和电商直播专区，预计带动农产品销售额超过三百万元。\n")
    write(tmp_path / "corpus" / "qs.md", front_matter(original, id="qs-0519", source="青山日报", published="2024-05-19"))
    rules = write(tmp_path / "provenance.toml", '[defaults]\npolicy = "attribution-required"\n')
    index = str(tmp_path / "index.sqlite")
    build_index([tmp_path / "corpus"], index, load_rules(rules))
    write(tmp_path / "in" / "copy.txt", "本报讯 " + original)
    report = scan([tmp_path / "in"], index, load_rules(rules))
    item = report.items[0]
    start, end = item.matches[0]["passages"][0]["article"]
    assert item.text[start:end].startswith("5月19日")
    sarif = json.loads(formatter("sarif")(report))
    snippet = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]
    assert snippet.startswith("5月19日")
    assert json.loads(formatter("json")(report))["items"][0]["matches"][0]["passages"][0]["article"][0] == start
    assert "5月19日" in formatter("html")(report).split("<mark", 1)[1][:200]
