"""Shared quotations (DESIGN §5): a passage that lies mostly inside quotation marks in both texts is
a common speaker, not copying; a copy of the narration around the quote still matches."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_kit import front_matter, write

from provenance.engine import build_index, scan
from provenance.rules import load_rules
from provenance.text.quotes import quoted_prefix, quoted_share

# Texts written for these tests: a mayor's statement quoted by two papers with their own reporting.
QUOTE_EN = ("“We will not raise the water rates this year, and we will finish the reservoir repairs before the "
            "autumn rains, whatever the council decides about the budget,” Mayor Elena Ruiz told reporters.")
OWN_EN = ("The Lakeside Herald learned on Monday that the city's water department has spent most of its repair "
          "money for the year. Engineers found cracks in the eastern spillway during a routine inspection in May, "
          "and the work is expected to take eleven weeks. Residents of the north shore have complained about low "
          "pressure since the spring.")
OTHER_EN = ("At a crowded news conference at city hall, the mayor faced questions about the delayed budget. Two "
            "council members walked out before the end, saying they had not seen the figures. The budget vote has "
            "been postponed twice, and the city treasurer has warned that the reserve fund is running low.")
QUOTE_ZH = ("“今年水价不会上调，水库维修工程将在秋汛前全部完工，不论议会最终如何决定明年的预算，我们都会保证北岸居民的"
            "日常用水和消防用水，”市长李文华对记者说。")
OWN_ZH = ("湖滨日报记者周一获悉，市水务部门今年的维修资金已基本用完。工程人员五月在例行检查中发现东侧溢洪道出现裂缝，"
          "维修工作预计需要十一周。北岸居民自春季以来一直反映水压偏低。")
OTHER_ZH = ("在市政厅举行的新闻发布会上，市长就推迟的预算回答了提问。两名议员在会议结束前离场，称他们没有看到相关数字。"
            "预算表决已两次推迟，市财政官员警告储备基金即将见底。")
RULES = 'publisher = "Valley Times"\n[defaults]\npolicy = "attribution-required"\n'


@pytest.mark.parametrize(("text", "quoted"), [
    ('He said “we will meet” today.', "“we will meet”"),
    ('Officials said "no" twice.', '"no"'),
    ("「我们不会让步」，他说。", "「我们不会让步」"),
    ("The council’s view: ‘wait’.", "‘wait’"),  # an apostrophe opens nothing
    ("“First paragraph of a statement\n“and its second.” he said", "“First paragraph of a statement“and its second.”"),
    ("a stray “ mark in a long line " + "x" * 500 + "\nnext “line”", "“line”"),  # unclosed and long: no quote
    ("“broken “mark” here", "“mark”"),  # the outer mark again: the unclosed one is dropped
])
def test_what_lies_inside_quotation_marks(text: str, quoted: str) -> None:
    prefix = quoted_prefix(text)
    assert "".join(ch for i, ch in enumerate(text) if prefix[i + 1] - prefix[i]) == quoted
    assert quoted_share(prefix, 0, len(text)) == pytest.approx(len(quoted) / len(text))


def _world(tmp_path: Path, quote: str, own: str, other: str) -> Path:
    write(tmp_path / "provenance.toml", RULES)
    write(tmp_path / "corpus" / "herald.md",
          front_matter(own + "\n\n" + quote + "\n", id="herald-1", source="Lakeside Herald", published="2024-06-03"))
    build_index([tmp_path / "corpus"], str(tmp_path / "index.sqlite"), load_rules(tmp_path / "provenance.toml"))
    write(tmp_path / "incoming" / "own-reporting.md", other + "\n\n" + quote + "\n")
    write(tmp_path / "incoming" / "copy.md", own + "\n\n" + quote + "\n")
    return tmp_path


@pytest.mark.parametrize(("quote", "own", "other"), [(QUOTE_EN, OWN_EN, OTHER_EN), (QUOTE_ZH, OWN_ZH, OTHER_ZH)],
                         ids=["en", "zh"])
def test_a_shared_quotation_alone_is_no_copy_but_the_narration_is(tmp_path: Path, quote: str, own: str,
                                                                 other: str) -> None:
    root = _world(tmp_path, quote, own, other)
    report = scan([root / "incoming"], str(root / "index.sqlite"), load_rules(root / "provenance.toml"))
    verdicts = {Path(item.path).name: item for item in report.items}
    assert verdicts["own-reporting.md"].verdict == "original", verdicts["own-reporting.md"].message
    assert verdicts["copy.md"].verdict == "unattributed"
    assert verdicts["copy.md"].source is not None and verdicts["copy.md"].source["id"] == "herald-1"
