"""A table of credit, editor and disclaimer lines (Simplified, Traditional, English) with their parse.

Every line was written for this project. Each row: the line as it appears in an article, the
expected claim kind and credited name (None: no claim), and the outlet it must resolve to
(None: kept but unresolved). Lines are read inside a small article, the way the tool reads them.
"""

from __future__ import annotations

import pytest

from provenance.credits.claims import extract, resolve_claims
from provenance.credits.disclaimers import read_disclaimer
from provenance.credits.names import NameRegistry
from provenance.text.blocks import classify_lines
from provenance.text.normalize import normalise

REGISTRY = NameRegistry()
REGISTRY.add("新华社", ["新華社", "新华网", "Xinhua", "xinhuanet.com"], "https://www.news.cn/")
REGISTRY.add("人民网", ["人民網", "people.com.cn"], "http://www.people.com.cn/")
REGISTRY.add("中国新闻网", ["中新网", "中國新聞網", "中新社", "chinanews.com.cn"])
REGISTRY.add("江城晚报", ["江城晚報", "jcwb.example.cn"], "https://www.jcwb.example.cn/")
REGISTRY.add("东方快报", ["東方快報", "dongfangkb.example.cn"])
REGISTRY.add("华夏财经网", ["華夏財經網", "hxcj.example.com"], "https://www.hxcj.example.com/")
REGISTRY.add("Reuters", ["路透社", "reuters.com"])
REGISTRY.add("Associated Press", ["AP", "apnews.com"])
REGISTRY.add("Harbor Wire", ["Harbor Wire Service", "harborwire.example.com"])
REGISTRY.add("Midland Ledger", ["The Midland Ledger", "midlandledger.example.com"])

BODY_ZH = "今年以来，全市新增就业岗位两万余个，重点企业复工率达到九成以上。"
BODY_EN = "The city added more than twenty thousand jobs this year, officials said on Monday."

# (line, expected kind or None, expected credited name or None, expected resolution or None)
CLAIMS = [
    # explicit, Simplified
    ("来源：新华社", "explicit", "新华社", "新华社"),
    ("来源:人民网", "explicit", "人民网", "人民网"),
    ("（来源：江城晚报）", "explicit", "江城晚报", "江城晚报"),
    ("文章来源：东方快报", "explicit", "东方快报", "东方快报"),
    ("信息来源：华夏财经网", "explicit", "华夏财经网", "华夏财经网"),
    ("稿源：中新网", "explicit", "中新网", "中国新闻网"),
    ("转载自江城晚报", "explicit", "江城晚报", "江城晚报"),
    ("本文转载自东方快报", "explicit", "东方快报", "东方快报"),
    ("转自：人民网", "explicit", "人民网", "人民网"),
    ("本文来自新华网", "explicit", "新华网", "新华社"),
    ("本文来源于华夏财经", "explicit", "华夏财经", "华夏财经网"),
    ("原载江城晚报", "explicit", "江城晚报", "江城晚报"),
    ("本文转载自微信公众号“江城晚报”", "explicit", "江城晚报", "江城晚报"),
    ("来源：江城晚报客户端", "explicit", "江城晚报客户端", "江城晚报"),
    ("来源：东方快报官网", "explicit", "东方快报官网", "东方快报"),
    ("来源：人民网-人民日报", "explicit", "人民网-人民日报", None),
    ("来源：山海晨报", "explicit", "山海晨报", None),
    ("2024-03-02 10:15　来源：新华社　作者：王明", "explicit", "新华社", "新华社"),
    ("新闻来源：中国新闻网", "explicit", "中国新闻网", "中国新闻网"),
    ("图文来源：东方快报", "explicit", "东方快报", "东方快报"),
    # explicit, Traditional
    ("來源：新華社", "explicit", "新华社", "新华社"),
    ("（來源：江城晚報）", "explicit", "江城晚报", "江城晚报"),
    ("稿源：東方快報", "explicit", "东方快报", "东方快报"),
    ("文章來源：華夏財經網", "explicit", "华夏财经网", "华夏财经网"),
    ("本文轉載自人民網", "explicit", "人民网", "人民网"),
    ("轉自：中國新聞網", "explicit", "中国新闻网", "中国新闻网"),
    ("本文來自新華網", "explicit", "新华网", "新华社"),
    ("原載江城晚報", "explicit", "江城晚报", "江城晚报"),
    ("來源：ｊｃｗｂ．ｅｘａｍｐｌｅ．ｃｎ", "link", "jcwb.example.cn", "江城晚报"),
    ("（來源：東方快報網）", "explicit", "东方快报网", "东方快报"),
    # links
    ("原文链接：https://www.hxcj.example.com/2024/03/1234.html", "link",
     "https://www.hxcj.example.com/2024/03/1234.html", "华夏财经网"),
    ("原文地址：http://www.people.com.cn/n1/2024/0302/c1001.html", "link",
     "http://www.people.com.cn/n1/2024/0302/c1001.html", "人民网"),
    ("阅读原文 https://www.jcwb.example.cn/news/88.html", "link", "https://www.jcwb.example.cn/news/88.html", "江城晚报"),
    ("原文鏈接：https://www.hxcj.example.com/a/1.html", "link", "https://www.hxcj.example.com/a/1.html", "华夏财经网"),
    ("（来源：jcwb.example.cn）", "link", "jcwb.example.cn", "江城晚报"),
    ("来源：https://news.example.org/item/5", "link", "https://news.example.org/item/5", None),
    ("Original article: https://www.harborwire.example.com/2024/01/77.html", "link",
     "https://www.harborwire.example.com/2024/01/77.html", "Harbor Wire"),
    ("Read the original: https://www.midlandledger.example.com/a.html", "link",
     "https://www.midlandledger.example.com/a.html", "Midland Ledger"),
    ("midlandledger.example.com", "link", "midlandledger.example.com", "Midland Ledger"),
    ("原文：https://www.jcwb.example.cn/x.html", "link", "https://www.jcwb.example.cn/x.html", "江城晚报"),
    # datelines and inline agency credits, Chinese
    ("新华社北京3月2日电 国务院新闻办公室今天举行发布会。", "dateline", "新华社", "新华社"),
    ("新華社上海3月2日電 上海市今天發布新規。", "dateline", "新华社", "新华社"),
    ("中新网3月2日电 据报道，多地出台措施。", "dateline", "中新网", "中国新闻网"),
    ("人民网北京3月2日电 记者从有关部门获悉。", "dateline", "人民网", "人民网"),
    ("据江城晚报报道，当地新建两座公园。", "dateline", "江城晚报", "江城晚报"),
    ("據東方快報報道，該市地鐵延長運營。", "dateline", "东方快报", "东方快报"),
    ("江城晚报讯 昨日，市区举行马拉松比赛。", "dateline", "江城晚报", "江城晚报"),
    # English explicit
    ("Source: Reuters", "explicit", "Reuters", "Reuters"),
    ("Source: Harbor Wire", "explicit", "Harbor Wire", "Harbor Wire"),
    ("SOURCE: The Midland Ledger", "explicit", "The Midland Ledger", "Midland Ledger"),
    ("Originally published by Harbor Wire Service", "explicit", "Harbor Wire Service", "Harbor Wire"),
    ("Originally published in The Midland Ledger", "explicit", "The Midland Ledger", "Midland Ledger"),
    ("Reprinted with permission from Harbor Wire", "explicit", "Harbor Wire", "Harbor Wire"),
    ("This article first appeared on Midland Ledger", "explicit", "Midland Ledger", "Midland Ledger"),
    ("This story originally appeared in The Valley Courier", "explicit", "The Valley Courier", None),
    ("Courtesy of Harbor Wire", "explicit", "Harbor Wire", "Harbor Wire"),
    ("Source: midlandledger.example.com", "link", "midlandledger.example.com", "Midland Ledger"),
    # English datelines
    ("LONDON (Reuters) - Shares rose on Monday after the central bank held rates.", "dateline", "Reuters", "Reuters"),
    ("WASHINGTON (AP) — Lawmakers agreed on a spending plan late Thursday.", "dateline", "AP", "Associated Press"),
    ("FRANKFURT, March 23 (Harbor Wire) - A bank spokesman declined to comment.", "dateline", "Harbor Wire",
     "Harbor Wire"),
    ("AFP - Rescue teams reached the village on Sunday.", "dateline", "AFP", None),
    ("Reuters - The company cut its forecast for the year.", "dateline", "Reuters", "Reuters"),
    ("By Jane Miller | Reuters", "byline", "Reuters", "Reuters"),
    # Reuters house style: the trailer credits Reuters without naming it
    ("Reporting by Anna Lee; Writing by Tom Brown", "trailer", "Reuters", "Reuters"),
    ("BEIJING, Aug. 17 (Xinhua) -- China launched a new weather satellite.", "dateline", "Xinhua", "新华社"),
    ("TOKYO (Kyodo) - The government approved the plan.", "dateline", "Kyodo", None),
    ("PARIS (AFP) - Museums will stay open later in summer.", "dateline", "AFP", None),
    ("HONG KONG (Dow Jones)--Shares of the airline rose.", "dateline", "Dow Jones", None),
]

# Lines that are never claims: editors, authors, city datelines, ordinary sentences.
NOT_CLAIMS = [
    "（责任编辑：王小明 审核：李四）",
    "（責任編輯：楊武龍 審核：鄧山）",
    "责编：张三",
    "编辑：赵六 校对：钱七",
    "作者：孙八",
    "记者 周九 通讯员 吴十",
    "(Editing by John Hayes; reviewed by Susan Grant)",
    "Additional reporting by Anna Lee",
    "Editor: Mark Davis",
    "NEW YORK - Stocks closed higher on Friday.",
    "LONDON - The mayor opened a new bridge.",
    "会议要求各地加强来源管理，确保数据真实。",
    "The council said the source of the leak was found.",
    "他说，这些资金来源于社会捐赠。",
    "The mayor thanked residents, courtesy and patience being key.",
]

DISCLAIMERS = [
    ("未经授权，不得转载。", "no-reprint", False, False),
    ("本文版权所有，未经授权不得转载或摘编。", "no-reprint", False, False),
    ("版權所有，禁止轉載。", "no-reprint", False, False),
    ("严禁任何媒体转载本站稿件。", "no-reprint", False, False),
    ("All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
     "no-reprint", False, False),
    ("Republication is strictly prohibited without written permission.", "no-reprint", False, False),
    ("转载请注明出处。", "attribution-required", False, False),
    ("欢迎转发分享，转载请注明来源。", "attribution-required", False, False),
    ("如需轉載，請註明出處。", "attribution-required", False, False),
    ("Anyone reproducing our articles must keep the source we state.", "attribution-required", False, False),
    ("Licensed under CC BY 4.0: you may republish with attribution.", "attribution-required", False, False),
    ("This work is licensed under CC BY-ND 4.0.", "attribution-required", True, False),
    ("凡本站未注明来源为“中国财经新闻网”的所有作品，均转载、编译或摘编自其它媒体，其他媒体转载使用时必须保留本站注明的文章来源。",
     "attribution-required", False, True),
    ("凡本網未註明來源的稿件，均轉載自其他媒體，轉載的目的在於傳遞更多信息。", None, False, True),
    ("Articles on this site not marked as coming from Bendi Daily are reproduced from other media.",
     None, False, True),
]


def _read(line: str, chinese: bool) -> tuple[list, list]:
    text = f"{BODY_ZH if chinese else BODY_EN}\n{line}\n{BODY_ZH if chinese else BODY_EN}"
    normalized = normalise(text)
    attribution = extract(normalized, classify_lines(normalized), registry=REGISTRY)
    resolve_claims(attribution, REGISTRY)
    return attribution.claims, attribution.people


def _chinese(line: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in line)


@pytest.mark.parametrize(("line", "kind", "name", "resolved"), CLAIMS, ids=[c[0][:30] for c in CLAIMS])
def test_claim_lines(line: str, kind: str, name: str, resolved: str | None) -> None:
    claims, _ = _read(line, _chinese(line))
    assert claims, f"no claim read from {line!r}"
    claim = claims[0]
    assert claim.kind == kind
    assert claim.name == name
    assert claim.resolved == resolved
    start, end = claim.span
    text = f"{BODY_ZH if _chinese(line) else BODY_EN}\n{line}\n"
    assert text[start:end] == claim.text and claim.text.strip()


@pytest.mark.parametrize("line", NOT_CLAIMS)
def test_lines_that_are_not_claims(line: str) -> None:
    claims, _ = _read(line, _chinese(line))
    assert claims == []


@pytest.mark.parametrize("line", NOT_CLAIMS[:9])
def test_editor_and_author_lines_are_recognised(line: str) -> None:
    _, people = _read(line, _chinese(line))
    assert people, f"no editor/author read from {line!r}"


@pytest.mark.parametrize(("line", "policy", "no_edits", "aggregator"), DISCLAIMERS, ids=[d[0][:30] for d in DISCLAIMERS])
def test_disclaimer_lines(line: str, policy: str | None, no_edits: bool, aggregator: bool) -> None:
    from provenance.text.normalize import normalise as norm

    found = read_disclaimer(norm(line).mid)
    assert found is not None
    assert (found.policy, found.no_edits, found.aggregator) == (policy, no_edits, aggregator)


def test_table_size() -> None:
    assert len(CLAIMS) + len(NOT_CLAIMS) + len(DISCLAIMERS) >= 80
