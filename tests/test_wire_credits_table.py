"""Wires and agencies: the built-in registry, the credit forms each wire uses and their claims.

Every line was written for this project (the people and events are invented). Each credit form
is read inside a small article, the way the tool reads it, with a registry that holds only the
built-in wires; it must give a claim of the expected kind, resolving to the wire's canonical
name, that states (or not) the origin of the text.
"""

from __future__ import annotations

import dataclasses

import pytest

from provenance.credits.claims import REPORT_KINDS, Claim, extract, resolve_claims
from provenance.credits.disclaimers import read_disclaimer
from provenance.credits.names import NameRegistry
from provenance.credits.wires import WIRES, notice_owner, register_wires, wire_named, wire_policy
from provenance.schema import report_schema
from provenance.text.blocks import classify_lines
from provenance.text.normalize import normalise

REGISTRY = NameRegistry()
register_wires(REGISTRY)

TITLE_ZH = "赫尔辛基港新客运码头启用"
BODY_ZH = "港口管理部门介绍，新码头投资约九千万欧元，每年可接待旅客约六百万人次。"
TITLE_EN = "Harbour city opens new ferry terminal"
BODY_EN = "The terminal replaces a building from the 1970s, the port authority said in a statement."

AP, REUTERS, AFP = "Associated Press", "Reuters", "Agence France-Presse"

# (line, kind, canonical wire, origin)
FORMS = [
    # datelines opening the story
    ("HELSINKI (AP) — The west harbour reopened to ferries on Monday.", "dateline", AP, True),
    ("HELSINKI, Finland (AP) — The west harbour reopened to ferries on Monday.", "dateline", AP, True),
    ("WASHINGTON, July 15 (Reuters) - The agency said ferry safety rules would change.", "dateline", REUTERS, True),
    ("MOSCOW (AFP) - Port officials said the new route would open in the autumn.", "dateline", AFP, True),
    ("BERLIN (dpa) - The shipyard delivered its third ferry this year.", "dateline", "dpa", True),
    ("MADRID, July 15 (EFE) - The port of Valencia reported record traffic.", "dateline", "EFE", True),
    ("ROME (ANSA) - A new ferry line to Sardinia starts next week.", "dateline", "ANSA", True),
    ("TOKYO, July 15 (Kyodo) -- A ferry operator ordered two new ships.", "dateline", "Kyodo News", True),
    ("SEOUL, July 15 (Yonhap) -- Ferry bookings rose sharply in June.", "dateline", "Yonhap", True),
    ("LONDON (PA) - Ferry passengers faced delays at Dover on Saturday.", "dateline", "PA Media", True),
    ("WASHINGTON, July 15 (UPI) -- Coast guard crews inspected the ferry.", "dateline", "UPI", True),
    ("BEIJING, July 15 (Xinhua) -- A new ferry route across the bay opened.", "dateline", "新华社", True),
    ("By Tom Barker. ABOARD THE FERRY (Reuters) - The crossing took two hours.", "dateline", REUTERS, True),
    ("新华社北京7月15日电（记者王明）交通运输部15日发布新的客运规定。", "dateline", "新华社", True),
    ("新华社赫尔辛基7月16日电 芬兰首都赫尔辛基西港新客运码头16日启用。", "dateline", "新华社", True),
    ("新華社北京7月15日電 交通運輸部今天發布新的客運規定。", "dateline", "新华社", True),
    ("中新网7月15日电 多地港口客流创下新高。", "dateline", "中新社", True),
    ("中新社北京7月15日电 记者从交通运输部获悉。", "dateline", "中新社", True),
    ("（中央社記者王小明台北15日電）交通部今天宣布新航線。", "dateline", "中央社", True),
    ("（中央社台北15日綜合外電報導）北歐多國港口客流創新高。", "dateline", "中央社", True),
    ("（中央社記者李四華盛頓14日專電）美國海岸防衛隊今天表示。", "dateline", "中央社", True),
    ("人民网北京7月15日电 记者从有关部门获悉。", "dateline", "人民日报", True),
    ("央视网消息（新闻联播）：7月15日，多地港口客流创下新高。", "dateline", "央视", True),
    ("央視新聞消息：多地港口客流創下新高。", "dateline", "央视", True),
    ("澎湃新闻讯 上海港今天开通新的客运航线。", "dateline", "澎湃新闻", True),
    ("路透北京7月15日 - 中国港口客流周一创下新高。", "dateline", REUTERS, True),
    # bylines
    ("By The Associated Press", "byline", AP, True),
    ("By Associated Press", "byline", AP, True),
    ("By Reuters", "byline", REUTERS, True),
    ("By AFP", "byline", AFP, True),
    ("By Reuters Staff", "byline", REUTERS, True),
    ("By MARTA KOVAC and DANIEL REYES, Associated Press", "byline", AP, True),
    ("By MARTA KOVAC Associated Press", "byline", AP, True),
    ("By PETER HOLM, AP Diplomatic Writer", "byline", AP, True),
    ("Marta Kovac and Daniel Reyes, Associated Press", "byline", AP, True),
    ("By Jane Miller | Reuters", "byline", REUTERS, True),
    ("By The Canadian Press", "byline", "The Canadian Press", True),
    ("By Bloomberg News", "byline", "Bloomberg", True),
    ("新华社记者 张三 李四", "byline", "新华社", True),
    ("新華社記者 張三", "byline", "新华社", True),
    ("中新社记者 王明", "byline", "中新社", True),
    # trailers
    ("(Reporting by Anna Lindqvist; Editing by Tom Barker)", "trailer", REUTERS, True),
    ("Reporting by Anna Lindqvist in Helsinki; Writing by Tom Barker; Editing by Sara Holm", "trailer", REUTERS, True),
    ("(Additional reporting by Anna Lindqvist in Stockholm; Writing by Tom Barker; Editing by Sara Holm)",
     "trailer", REUTERS, True),
    ("(Writing by Tom Barker; Editing by Sara Holm)", "trailer", REUTERS, True),
    ("Associated Press writers Marta Kovac and Daniel Reyes contributed to this report.", "trailer", AP, False),
    ("The Associated Press contributed to this report.", "trailer", AP, False),
    ("Harbour Daily's Lena Berg and The Associated Press contributed to this report.", "trailer", AP, False),
    ("Information from Reuters was used in this report.", "trailer", REUTERS, False),
    ("Reuter", "trailer", REUTERS, True),
    # the wires' own notices
    ("© 2018 The Associated Press. All rights reserved. This material may not be published, broadcast, "
     "rewritten or redistributed.", "notice", AP, True),
    ("Copyright 2018 The Associated Press. All rights reserved.", "notice", AP, True),
    ("Copyright 2018 by CNN Newsource. All rights reserved. This material may not be published, broadcast, "
     "rewritten or redistributed.", "notice", "CNN Newsource", True),
    ("(c) Copyright Thomson Reuters 2018", "notice", REUTERS, True),
    ("© 2018 Thomson/Reuters. All rights reserved.", "notice", REUTERS, True),
    ("© AFP 2018", "notice", AFP, True),
    ("© 2018 Bloomberg L.P.", "notice", "Bloomberg", True),
    ("新华社版权所有，未经授权不得转载。", "notice", "新华社", True),
    ("版权所有：新华网", "notice", "新华社", True),
    ("Copyright © 2000-2018 XINHUANET.com All Rights Reserved.", "notice", "新华社", True),
    ("人民网版权所有，未经书面授权禁止使用", "notice", "人民日报", True),
    ("中央社版權所有，未經授權不得轉載。", "notice", "中央社", True),
    # credit lines naming a wire
    ("来源：新华社", "explicit", "新华社", True),
    ("來源：中央社", "explicit", "中央社", True),
    ("来源：美联社", "explicit", AP, True),
    ("稿源：澎湃新闻", "explicit", "澎湃新闻", True),
    ("Source: Reuters", "explicit", REUTERS, True),
    ("Source: apnews.com", "link", AP, True),
    ("原文链接：https://www.thepaper.cn/newsDetail_forward_1234", "link", "澎湃新闻", True),
    ("原文鏈接：https://www.cna.com.tw/news/aopl/201807150001.aspx", "link", "中央社", True),
    # citations inside the narration: a source named, not the text's origin
    ("据新华社报道，当地新建两座客运码头。", "dateline", "新华社", False),
    ("據中央社報導，該市渡輪延長運營時間。", "dateline", "中央社", False),
    ("据美联社7月15日报道，多家渡轮公司调整了票价。", "dateline", AP, False),
    ("路透社報導，北歐多國港口客流創新高。", "dateline", REUTERS, False),
    ("The ferry line was sold last year, Reuters reported on Monday.", "dateline", REUTERS, False),
    ("The port handled a record number of passengers, according to AP.", "dateline", AP, False),
    ("The talks ended without a deal, The Associated Press reported.", "dateline", AP, False),
    ("Ticket prices rose 3 percent, according to Bloomberg.", "dateline", "Bloomberg", False),
]


def _chinese(line: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in line)


def _article(line: str) -> str:
    title, body = (TITLE_ZH, BODY_ZH) if _chinese(line) else (TITLE_EN, BODY_EN)
    return f"{title}\n{line}\n{body}\n"


def _claims(text: str) -> list[Claim]:
    normalized = normalise(text)
    attribution = extract(normalized, classify_lines(normalized), registry=REGISTRY)
    resolve_claims(attribution, REGISTRY)
    return attribution.claims


@pytest.mark.parametrize(("line", "kind", "wire", "origin"), FORMS, ids=[f[0][:40] for f in FORMS])
def test_credit_forms_of_wires(line: str, kind: str, wire: str, origin: bool) -> None:
    text = _article(line)
    start = text.index(line)
    found = [c for c in _claims(text) if start <= c.span[0] < start + len(line)]
    assert found, f"no claim read from {line!r}"
    claim = next((c for c in found if c.resolved == wire), found[0])  # "X's Y and AP contributed": two outlets
    assert (claim.kind, claim.resolved, claim.origin) == (kind, wire, origin)
    assert text[claim.span[0]:claim.span[1]] == claim.text and claim.text.strip()


def test_forms_table_size() -> None:
    assert len(FORMS) >= 60
    assert {kind for _, kind, _, _ in FORMS} >= {"dateline", "byline", "trailer", "notice", "explicit", "link"}


def test_a_notice_stays_a_notice_block_and_keeps_its_terms() -> None:
    # The notice names AP and also states AP's terms: the claim must not turn the line into a
    # credit block, or the disclaimer behind AP's no-reprint policy would no longer be read.
    from provenance.analysis import analyse
    from provenance.documents.model import Article
    from provenance.params import FingerprintParams

    notice = next(line for line, kind, wire, _ in FORMS if kind == "notice" and wire == AP)
    text = _article(FORMS[0][0]) + notice + "\n"
    analysis = analyse(Article(id="a", path="a.txt", text=text), FingerprintParams(), REGISTRY, language="en")
    assert [d.policy for d in analysis.disclaimers] == ["no-reprint"]
    assert any(c.kind == "notice" and REGISTRY.resolve(c.name) == AP for c in analysis.attribution.claims)


def test_claims_in_the_report_keep_to_the_report_schema() -> None:
    from jsonschema import Draft202012Validator

    schema = report_schema()
    claim_schema = schema["$defs"]["item"]["properties"]["attribution"]["properties"]["claims"]["items"]
    assert claim_schema["properties"]["kind"]["enum"] == list(REPORT_KINDS)
    validator = Draft202012Validator({**claim_schema, "$defs": schema["$defs"]})
    for line, _, _, _ in FORMS:
        for claim in _claims(_article(line)):
            record = claim.to_dict()
            validator.validate(record)  # provenance-report/1 has no "origin" and only the four kinds
            assert "origin" not in record


# -- the registry ---------------------------------------------------------------------------------

NAMES = [
    ("美联社", AP), ("美聯社", AP), ("The Associated Press", AP), ("AP", AP), ("ＡＰ", AP), ("apnews.com", AP),
    ("https://apnews.com/article/ferry-1234", AP), ("ap.org", AP),
    ("路透社", REUTERS), ("REUTERS", REUTERS), ("Thomson Reuters", REUTERS), ("https://www.reuters.com/world/", REUTERS),
    ("法新社", AFP), ("AFP", AFP), ("Agence France Presse", AFP), ("afp.com", AFP),
    ("彭博社", "Bloomberg"), ("彭博新聞社", "Bloomberg"), ("bloomberg.com", "Bloomberg"),
    ("德新社", "dpa"), ("Deutsche Presse-Agentur", "dpa"), ("埃菲社", "EFE"), ("安莎社", "ANSA"),
    ("共同社", "Kyodo News"), ("Kyodo", "Kyodo News"), ("韩联社", "Yonhap"), ("韓聯社", "Yonhap"),
    ("Press Association", "PA Media"), ("Canadian Press", "The Canadian Press"), ("加通社", "The Canadian Press"),
    ("合众国际社", "UPI"), ("United Press International", "UPI"),
    ("新华社", "新华社"), ("新華社", "新华社"), ("新华网", "新华社"), ("Xinhua", "新华社"), ("xinhuanet.com", "新华社"),
    ("news.cn", "新华社"), ("http://english.news.cn/20180715/a.htm", "新华社"),
    ("中新社", "中新社"), ("中新網", "中新社"), ("中國新聞網", "中新社"), ("China News Service", "中新社"),
    ("chinanews.com", "中新社"), ("www.chinanews.com.cn", "中新社"),
    ("中央社", "中央社"), ("中央通訊社", "中央社"), ("Central News Agency", "中央社"), ("cna.com.tw", "中央社"),
    ("人民日报", "人民日报"), ("人民日報", "人民日报"), ("人民網", "人民日报"), ("People's Daily", "人民日报"),
    ("people.com.cn", "人民日报"),
    ("央视", "央视"), ("央視", "央视"), ("CCTV", "央视"), ("央視新聞", "央视"), ("央视网", "央视"), ("CGTN", "央视"),
    ("cctv.com", "央视"),
    ("澎湃新闻", "澎湃新闻"), ("澎湃新聞", "澎湃新闻"), ("The Paper", "澎湃新闻"), ("thepaper.cn", "澎湃新闻"),
    ("CNN Newsource", "CNN Newsource"), ("CNN NewSource", "CNN Newsource"),
]


@pytest.mark.parametrize(("name", "wire"), NAMES)
def test_wire_names_resolve_in_both_scripts(name: str, wire: str) -> None:
    assert REGISTRY.resolve(name) == wire


@pytest.mark.parametrize("word", ["中国", "中央", "人民", "共同", "德国", "法国", "China", "Paper", "中国新闻", "美联储"])
def test_ordinary_words_are_not_wire_names(word: str) -> None:
    assert REGISTRY.resolve(word) is None


def test_wires_are_frozen_and_each_has_names_and_a_site() -> None:
    assert len(WIRES) >= 19
    assert len({wire.name for wire in WIRES}) == len(WIRES)
    for wire in WIRES:
        assert wire.aliases and wire.domains
        with pytest.raises(dataclasses.FrozenInstanceError):
            wire.name = "x"  # type: ignore[misc]


def test_register_wires_is_one_add_many_call(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = NameRegistry.add_many

    def counting(self: NameRegistry, outlets, variants: bool = True) -> None:  # type: ignore[no-untyped-def]
        outlets = list(outlets)
        calls.append(len(outlets))
        original(self, outlets, variants)

    monkeypatch.setattr(NameRegistry, "add_many", counting)
    register_wires(NameRegistry())
    assert calls == [len(WIRES)]


def test_a_wire_the_rules_already_name_joins_that_outlet() -> None:
    registry = NameRegistry()
    registry.add("新华网", ["xinhuanet.com"])
    registry.add("Harbour Daily", ["harbourdaily.example.com"])
    register_wires(registry)
    assert registry.resolve("新華社") == "新华网"
    assert registry.resolve("news.cn") == "新华网"
    assert registry.resolve("Xinhua") == "新华网"
    assert registry.resolve("美聯社") == AP
    assert registry.resolve("Harbour Daily") == "Harbour Daily"


def test_an_ambiguous_short_alias_does_not_merge_a_wire_into_another_outlet() -> None:
    registry = NameRegistry()
    registry.add("CNA", [], "https://www.channelnewsasia.com/")
    register_wires(registry)
    assert registry.resolve("CNA") == "CNA"  # the rules file's outlet keeps its name
    assert registry.resolve("中央社") == "中央社"
    assert registry.resolve("cna.com.tw") == "中央社"


NOTICES = [
    ("© 2018 The Associated Press. All rights reserved. This material may not be published, broadcast, "
     "rewritten or redistributed.", AP),
    ("Copyright 2018 by CNN NewSource. All rights reserved.", "CNN Newsource"),
    ("(c) Copyright Thomson Reuters 2018", REUTERS),
    ("© AFP 2018", AFP),
    ("新华社版权所有，未经授权不得转载", "新华社"),
    ("新華社版權所有", "新华社"),
    ("版权归人民日报社所有", "人民日报"),
    ("Copyright © 2000-2018 XINHUANET.com All Rights Reserved", "新华社"),
    # not a wire's notice
    ("© Reuters/Tomas Berg", None),  # a photo credit
    ("Copyright 2018 by KXYZ Channel 9. The Associated Press contributed to this report. All rights reserved.", None),
    ("Copyright 2018 Harbour Daily Media, Inc.", None),
    ("Copyright law protects the ferry company's timetable design.", None),
    ("Section 3(c) of the port act sets the fees.", None),
]


@pytest.mark.parametrize(("sentence", "wire"), NOTICES, ids=[n[0][:30] for n in NOTICES])
def test_notice_owner(sentence: str, wire: str | None) -> None:
    assert notice_owner(sentence) == wire


def test_policies_come_only_from_the_wires_own_notices() -> None:
    stated = {wire.name: wire.policy for wire in WIRES if wire.policy}
    assert stated == {AP: "no-reprint", "CNN Newsource": "no-reprint"}
    for name in ("美聯社", "apnews.com", "CNN NewSource"):
        policy, notice = wire_policy(name)  # type: ignore[misc]
        found = read_disclaimer(normalise(notice).mid)
        assert found is not None and found.policy == policy == "no-reprint"
        assert notice_owner(notice) == wire_named(name).name  # type: ignore[union-attr]
    assert wire_policy("路透社") is None and wire_policy("Harbour Daily") is None
