"""Lines that name a wire or an outlet without crediting the text (DESIGN §5): no claims.

Photo, graphic and video credits, widgets and ad units, related-article lists and social-media
embeds name Reuters, AP or 新华社 all the time; none of them says where the article's text comes
from. Each line of the table is set into an article written for this project (the events and
people are invented) that carries a real credit elsewhere: no claim may come from the line, and
the article's own credit must still be read.
"""

from __future__ import annotations

import pytest

from provenance.credits.claims import Claim, extract, resolve_claims
from provenance.credits.names import NameRegistry
from provenance.credits.wires import register_wires
from provenance.text.blocks import classify_lines
from provenance.text.normalize import normalise

REGISTRY = NameRegistry()
REGISTRY.add("港城日报", ["港城日報", "gangcheng.example.cn"], "https://www.gangcheng.example.cn/")
register_wires(REGISTRY)

# Articles, each with the place of the line under test ({line}) and the credit it really carries.
ARTICLES = {
    "ap": ("""Harbour city opens new ferry terminal

HELSINKI (AP) — A new ferry terminal opened on Monday in the west harbour, city officials said, with the first departures to Tallinn leaving in the morning.

{line}

The terminal cost about 90 million euros and replaces a building from the 1970s, the port authority said in a statement. Ferry operators expect more than six million passengers a year.
""", ("dateline", "Associated Press")),
    "reuters": ("""Nordic lender raises profit forecast

STOCKHOLM, July 15 (Reuters) - A Nordic lender raised its full-year profit forecast on Tuesday after a stronger second quarter, sending its shares up 4 percent in early trading.

{line}

The bank said lending margins had widened as interest rates rose across the region, while loan losses stayed low.

(Reporting by Anna Lindqvist; Editing by Tom Barker)
""", ("dateline", "Reuters")),
    "xinhua": ("""赫尔辛基港新客运码头启用

新华社赫尔辛基7月16日电（记者陈明）芬兰首都赫尔辛基西港新客运码头16日正式启用，首批班轮当天上午驶往塔林。

{line}

据港口管理部门介绍，新码头投资约9000万欧元，每年可接待旅客约600万人次，候船大厅面积比旧楼扩大一倍。
""", ("dateline", "新华社")),
    "local": ("""港城新开三条公交线路

本报讯 为方便市民出行，港城公交集团自本周一起新开三条公交线路，串联新客运码头、高铁站和市中心商圈。

{line}

公交集团有关负责人表示，新线路开通首周客流平稳，下一步将根据客流情况调整发车间隔。

来源：港城日报
""", ("explicit", "港城日报")),
    "cna": ("""赫爾辛基港新客運碼頭啟用

（中央社記者陳明赫爾辛基16日專電）芬蘭首都赫爾辛基西港新客運碼頭今天正式啟用，首批班輪上午駛往塔林。

{line}

港口管理部門表示，新碼頭投資約9000萬歐元，每年可接待旅客約600萬人次。
""", ("dateline", "中央社")),
}

# (article, line or lines that are not credits of the text)
NOT_CREDITS = [
    # photo and graphic credits
    ("ap", "Passengers board the first ferry at the new terminal in Helsinki on Monday. (Maria Lindqvist/Reuters)"),
    ("ap", "(AP Photo/Daniel Okafor)"),
    ("ap", "Passengers wait at the new terminal in Helsinki, Finland, Monday, July 16, 2018. (AP Photo/Lena Virtanen)"),
    ("ap", "AP Photo/Lena Virtanen"),
    ("reuters", "Photo: Reuters"),
    ("reuters", "REUTERS/Tomas Berg"),
    ("reuters", "Cranes stand in the west harbour of Stockholm, July 15, 2018. REUTERS/Tomas Berg"),
    ("ap", "(Photo by Anna Kask / AFP)"),
    ("ap", "(Photo credit should read PETER HOLM/AFP via Getty Images)"),
    ("ap", "Photo credit: Associated Press"),
    ("ap", "The new terminal seen from the water (Photo: Jonas Ek, AP)"),
    ("reuters", "Image: Bloomberg"),
    ("reuters", "Graphic: Reuters"),
    ("ap", "Video: AFP"),
    ("reuters", "© Reuters/Tomas Berg"),
    ("ap", "Ferry passengers walk along the pier in Helsinki. (Mika Salo/Lehtikuva via AP)\nCredit: The Associated Press"),
    ("ap", "FILE - In this file photo, a ferry leaves the west harbour of Helsinki, Finland.\nMika Salo, AP"),
    ("ap", "Mika Salo | AP\nTwo ferries pass each other, left, and a tug, right, outside the harbour of Helsinki on Monday."),
    ("reuters", "Traders work at the exchange in Stockholm | Tomas Berg | TASS | Getty Images"),
    ("reuters", "Marcus Lind | Reuters\nA trader watches screens, left, and a colleague, right, at the exchange on Monday."),
    ("ap", "Photo source: Reuters"),
    ("reuters", "Image credit: Bloomberg"),
    # widgets and ad units
    ("ap", "Provided by Bloomberg Media Distribution"),
    ("ap", "AccuWeather.com Quick Look"),
    ("ap", "Weather provided by AccuWeather"),
    ("reuters", "Sponsored by Harbour Bank"),
    ("reuters", "Powered by Reuters Connect"),
    ("reuters", "Market data provided by Reuters. Quotes delayed at least 15 minutes."),
    ("ap", "Paid content by Ferry Lines Oy"),
    ("ap", "Sponsored content: Ferry holidays from apnews.com partners"),
    ("ap", "Sponsored · apnews.com"),
    ("ap", "Forecast source: AccuWeather.com"),
    ("reuters", "Powered by Reuters Connect | reuters.com"),
    # related-article lists
    ("ap", "Related: Ferry traffic to Tallinn hits record (AP)"),
    ("ap", "RELATED: Port workers approve new contract"),
    ("reuters", "Read more: https://www.reuters.com/world/europe/ferry-terminal-opens"),
    ("ap", "Read more: Helsinki port expansion, explained - AP"),
    ("reuters", "See also: Xinhua explainer on Baltic shipping"),
    ("ap", "Related stories:\nFerry operators add summer routes\napnews.com/article/ferry-routes"),
    ("ap", "RELATED: apnews.com/article/port-workers-contract"),
    ("ap", "Read more at xinhuanet.com"),
    # social-media embeds
    ("ap", "— Anna Rossi (@annarossi_news) July 16, 2018"),
    ("ap", "pic.twitter.com/Xy12AbCd34"),
    ("ap", "View this post on Instagram"),
    ("ap", "A post shared by Helsinki Harbour (@hki_harbour) on Jul 15, 2018 at 9:04am PDT"),
    ("ap", "The first ferry is here! pic.twitter.com/Qw3rTy9Uio — Port of Helsinki (@porthelsinki_x) July 16, 2018"),
    ("reuters", "https://twitter.com/Reuters/status/1018877000000000000"),
    ("ap", "BREAKING: Ferry terminal opens in Helsinki (AP) — Port of Helsinki (@porthelsinki_x) July 16, 2018"),
    # 图片、视频来源与图说
    ("xinhua", "图片来源：视觉中国"),
    ("xinhua", "图片来源于新华网"),
    ("xinhua", "首批乘客在新码头候船。（图片来源：视觉中国）"),
    ("xinhua", "图/新华社"),
    ("xinhua", "图：新华社记者 张三 摄"),
    ("xinhua", "图为7月15日拍摄的赫尔辛基西港新客运码头。新华社记者 李四 摄"),
    ("xinhua", "（新华社记者 王五 摄）"),
    ("xinhua", "新华社发（赵六 摄）"),
    ("xinhua", "视频来源：央视新闻"),
    ("xinhua", "图源：路透社"),
    ("local", "图片来自网络"),
    ("local", "资料图：新华社"),
    ("local", "乘客在新码头候车。（图片来源：澎湃新闻）"),
    ("cna", "圖片來源：中央社"),
    ("cna", "新碼頭候船大廳。（圖／中央社）"),
    ("cna", "資料照（中央社記者王小明攝）"),
    # 广告与小工具
    ("local", "广告：赫尔辛基旅游局"),
    ("local", "天气预报由中国天气网提供"),
    ("local", "天气预报由中国天气网提供 weather.com.cn"),
    ("local", "广告：赫尔辛基旅游局 www.visit-helsinki.example.com"),
    # 相关阅读
    ("xinhua", "相关阅读：新华社记者直击赫尔辛基港"),
    ("xinhua", "延伸阅读：路透社：北欧航运业前景"),
    ("local", "相关新闻\n美联社：芬兰港口扩建计划获批\n中新网：波罗的海航线客流创新高"),
    ("local", "推荐阅读：人民网 北欧观察"),
    ("local", "推荐阅读：人民网 http://world.people.com.cn/n1/2018/0715/c1002.html"),
    ("local", "相关新闻\n新华社北京7月15日电 芬兰港口扩建计划获批"),
    ("local", "延伸阅读\n路透社报道：北欧航运业前景"),
    ("local", "更多精彩：\n港口导航 https://www.port-guide.example.com"),
    ("cna", "延伸閱讀：中央社 北歐航運報導"),
]


def _claims(text: str) -> list[Claim]:
    normalized = normalise(text)
    attribution = extract(normalized, classify_lines(normalized), registry=REGISTRY)
    resolve_claims(attribution, REGISTRY)
    return attribution.claims


@pytest.mark.parametrize(("article", "lines"), NOT_CREDITS, ids=[f"{a}:{n[:30]}" for a, n in NOT_CREDITS])
def test_lines_that_credit_no_text(article: str, lines: str) -> None:
    template, (kind, source) = ARTICLES[article]
    text = template.format(line=lines)
    start = text.index(lines)
    end = start + len(lines)
    claims = _claims(text)
    inside = [c for c in claims if c.span[0] < end and start < c.span[1]]
    assert inside == [], f"claims read from {lines!r}: {[(c.kind, c.text) for c in inside]}"
    assert any(c.kind == kind and c.resolved == source and c.origin for c in claims), (
        f"the article's own credit ({kind}, {source}) is no longer read")


def test_articles_credit_their_source_without_the_line() -> None:
    for template, (kind, source) in ARTICLES.values():
        claims = _claims(template.format(line=""))
        assert any(c.kind == kind and c.resolved == source and c.origin for c in claims)


def test_table_size_and_languages() -> None:
    assert len(NOT_CREDITS) >= 40
    chinese = [lines for _, lines in NOT_CREDITS if any("\u4e00" <= ch <= "\u9fff" for ch in lines)]
    assert len(chinese) >= 15 and len(NOT_CREDITS) - len(chinese) >= 15


# The same words as a credit of the text are still credits: the rules above look at the form,
# not at the names.
STILL_CREDITS = [
    ("ap", "By The Associated Press", "byline", "Associated Press"),
    ("reuters", "Source: Reuters", "explicit", "Reuters"),
    ("xinhua", "来源：新华社", "explicit", "新华社"),
    ("xinhua", "图文来源：新华社", "explicit", "新华社"),
    ("ap", "Originally published by apnews.com", "link", "Associated Press"),
]


@pytest.mark.parametrize(("article", "line", "kind", "source"), STILL_CREDITS, ids=[s[1] for s in STILL_CREDITS])
def test_credit_lines_beside_those_rules_are_still_read(article: str, line: str, kind: str, source: str) -> None:
    text = ARTICLES[article][0].format(line=line)
    start = text.index(line)
    claims = [c for c in _claims(text) if start <= c.span[0] < start + len(line)]
    assert claims and (claims[0].kind, claims[0].resolved, claims[0].origin) == (kind, source, True)
