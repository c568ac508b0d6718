"""Verdict rules beyond the sample corpus: licensees, CC BY-ND edits, aggregators, credit lines alone,
round-ups of several sources, ownership through aliases, chains through a crediting reprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.engine import build_index, scan
from provenance.rules import load_rules

A = ("市统计局昨日发布数据，今年前三季度全市地区生产总值同比增长百分之五点六，其中第三产业增加值增长百分之六点八。"
     "规模以上工业企业利润总额增长百分之九，高技术制造业投资增长超过两成，社会消费品零售总额稳步回升。")
B = ("城东新区首座跨江大桥昨日合龙，大桥全长一千六百米，主跨三百二十米，采用双塔斜拉结构。"
     "建设单位介绍，大桥建成后将把两岸通行时间从四十分钟缩短到十分钟以内，预计明年六月通车。")
C = ("The regional water board said on Monday that reservoir levels had recovered to seventy percent of capacity "
     "after weeks of steady rain, easing fears of summer restrictions. Farmers welcomed the news but asked the board "
     "to publish weekly figures so that irrigation could be planned with more confidence.")


OWN = ("The harbour office opened a new visitor centre on the east pier on Saturday, with a small exhibition about "
       "the fishing fleet, a cafe and a viewing deck over the container terminal. Entry is free until the end of "
       "the summer, and school groups can book guided tours through the office's website.")


def corpus(root: Path, docs: dict[str, str]) -> None:
    for name, content in docs.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def doc(doc_id: str, source: str, published: str, body: str, tail: str = "") -> str:
    return f"---\nid: {doc_id}\ntitle: {doc_id}\nsource: {source}\npublished: {published}\n---\n{body}\n{tail}"


RULES = """publisher = "本地日报"
[defaults]
policy = "attribution-required"
[[source]]
name = "本地日报"
aliases = ["Bendi Daily", "本地日報"]
[[source]]
name = "北方时报"
policy = "no-reprint"
licensees = ["本地日报"]
[[source]]
name = "南岭日报"
policy = "no-reprint"
"""


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path]:
    corpus(tmp_path / "corpus", {
        "beifang/a.md": doc("bf-1", "北方时报", "2024-01-05", A),
        "nanling/b.md": doc("nl-1", "南岭日报", "2024-01-06", B),
        "cc/c.md": doc("cc-1", "Valley Water News", "2024-02-01", C, "\nThis work is licensed under CC BY-ND 4.0.\n"),
        "agg/b-copy.md": doc("agg-1", "财讯聚合网", "2024-01-01", B,
                             "\n【声明】凡本站未注明来源为“财讯聚合网”的作品，均转载自其他媒体。\n"),
        "agg/only.md": doc("agg-2", "财讯聚合网", "2024-01-02", A.replace("统计局", "发改委") + "港口货运量同比增长一成，集装箱航线再添三条。",
                           "\n【声明】凡本站未注明来源为“财讯聚合网”的作品，均转载自其他媒体。\n"),
        "bendi/own.md": doc("bd-1", "Bendi Daily", "2024-03-01", OWN),
    })
    (tmp_path / "provenance.toml").write_text(RULES, encoding="utf-8")
    return tmp_path / "corpus", tmp_path / "provenance.toml"


def verdict_of(world: tuple[Path, Path], tmp_path: Path, name: str, text: str) -> tuple[str, dict | None, list]:
    root, rules_file = world
    rules = load_rules(rules_file)
    index = str(tmp_path / "i.sqlite")
    build_index([root], index, rules)
    path = tmp_path / "incoming" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    item = scan([path], index, rules).items[0]
    return item.verdict, item.source, item.matches


def test_licensee_may_republish_with_credit(world, tmp_path) -> None:
    assert verdict_of(world, tmp_path, "a.txt", f"统计数据\n{A}\n来源：北方时报\n")[0] == "attributed"
    assert verdict_of(world, tmp_path, "a2.txt", f"统计数据\n{A}\n")[0] == "unattributed"


def test_no_reprint_without_licence(world, tmp_path) -> None:
    verdict, source, _ = verdict_of(world, tmp_path, "b.txt", f"大桥合龙\n{B}\n来源：南岭日报\n")
    assert verdict == "prohibited" and source["id"] == "nl-1"  # the aggregator's earlier copy is not the original


def test_no_derivatives_licence(world, tmp_path) -> None:
    unchanged = verdict_of(world, tmp_path, "c1.txt", f"Water\n{C}\nSource: Valley Water News\n")
    assert unchanged[0] == "attributed"
    edited = C.replace("Farmers welcomed the news but asked the board to publish weekly figures so that irrigation "
                       "could be planned with more confidence.", "")
    changed = verdict_of(world, tmp_path, "c2.txt", f"Water\n{edited}\nSource: Valley Water News\n")
    assert changed[0] == "prohibited"


def test_aggregator_copy_alone_has_unknown_original(world, tmp_path) -> None:
    text = A.replace("统计局", "发改委") + "港口货运量同比增长一成，集装箱航线再添三条。"
    verdict, source, _ = verdict_of(world, tmp_path, "agg.txt", f"经济数据\n{text}\n")
    assert verdict in ("unattributed", "prohibited")
    assert source["name"].startswith("unknown") or source["id"] in ("bf-1", "agg-2")


def test_credit_line_alone_is_no_match(world, tmp_path) -> None:
    verdict, source, matches = verdict_of(world, tmp_path, "d.txt",
                                          "社区食堂开业\n城西街道社区食堂今天开业，老人凭卡就餐享受补贴。\n来源：北方时报\n")
    assert verdict == "original" and source is None and matches == []


def test_roundup_of_two_sources(world, tmp_path) -> None:
    verdict, source, matches = verdict_of(world, tmp_path, "e.txt", f"本周要闻\n{A}\n来源：北方时报\n\n{B}\n")
    assert {m["id"] for m in matches} >= {"bf-1", "nl-1"}
    verdicts = {m["id"]: m["verdict"] for m in matches}
    assert verdicts["bf-1"] == "attributed" and verdicts["nl-1"] == "prohibited"
    assert verdict == "prohibited" and source["id"] == "nl-1"


def test_own_through_alias(world, tmp_path) -> None:
    assert verdict_of(world, tmp_path, "f.txt", f"Harbour\n{OWN}\n")[0] == "own"
