"""Texts and builders for the test suite: small articles written for these tests, a rules file,
and a corpus + incoming folder that exercises every verdict of DESIGN §5.

Every text here was composed for provenance's tests (places, outlets and people are invented).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"

# -- originals -------------------------------------------------------------------------------
# The Simplified-Chinese original (~400 characters) of 青山日报.
ZH_ORIGINAL = (
    "4月8日，青山县第二水厂扩建工程正式通水运行。县水务局局长王立群在通水仪式上介绍，扩建工程总投资一亿两千万元，"
    "新增日供水能力五万吨，可满足城区及周边六个乡镇约二十万居民的用水需求。\n\n"
    "据介绍，新水厂采用臭氧活性炭深度处理工艺，出厂水质各项指标均优于国家标准。工程建设期间，施工方克服雨季施工和"
    "管线迁改等困难，比原计划提前四十天完成主体建设。水厂还建成了智能化调度中心，管网压力、水质和流量数据可实时上传，"
    "一旦出现异常，系统会在五分钟内自动报警。\n\n"
    "王立群表示，下一步将加快老旧供水管网改造，今年计划更换铸铁管道三十八公里，力争把管网漏损率从百分之十四降到"
    "百分之九以下。同时，县里将推进城乡供水一体化，让山区群众也能喝上和城里一样的放心水。\n\n"
    "城关镇居民李秀英说，过去一到夏天用水高峰，楼上经常停水，希望新水厂投用后这种情况能彻底改善。"
    "县水务局还公布了二十四小时供水服务热线，市民遇到水压不足等问题可随时反映。\n"
)

# The English original (~130 words) of the Ridgeview Tribune.
EN_ORIGINAL = (
    "The Ridgeview town council voted on Tuesday to convert the disused rail yard north of the river into a public "
    "park with playing fields, a skate area and a community garden. The project is expected to cost 4.2 million "
    "dollars, most of it covered by a state grant awarded last spring.\n\n"
    "Council member Dana Whitfield said residents had asked for more green space for years and that the rail yard "
    "had become a place for illegal dumping. Work on clearing contaminated soil will begin in September and should "
    "take about six months.\n\n"
    "Planting is scheduled for the following spring, and the council hopes to open the park to the public before "
    "the summer holidays. A public meeting on the design will be held next month at the library.\n"
)

# 白河晚报 (no-reprint, licensee 松林商报)
ZH_SIGNALS = (
    "白河市交警支队昨日发布消息，自下月一日起，市区三十二个路口将启用新型智能信号灯。这批信号灯能够根据车流量自动"
    "调整红绿灯时长，早晚高峰期间主干道通行效率预计提高两成以上。\n\n"
    "交警支队相关负责人介绍，前期在人民路试点的三个路口，平均排队长度缩短了四十米，车辆等候时间减少近一半。此外，"
    "部分学校周边路口还将增设行人过街请求按钮，方便学生安全通过。市民如对信号灯配时有意见，可通过交警支队微信"
    "公众号留言反映。\n"
)

# 松林商报 (free)
ZH_BAYBERRY = (
    "松林镇今年首届杨梅文化节于本周六开幕，吸引了周边县市近三万名游客前来采摘。镇党委书记陈国华介绍，全镇杨梅种植"
    "面积已达一万二千亩，今年预计总产量四千吨，产值超过一亿元。\n\n"
    "为方便游客，镇里新开通了三条杨梅采摘专线公交，并在主要果园设置了停车场和休息点。电商服务中心还与快递企业合作，"
    "推出冷链直发服务，下单后二十四小时内可送达省内大部分城市。不少种植户表示，借助直播带货，今年的杨梅价格比往年"
    "每斤高出三到五元。\n"
)

# 东江网 (attribution-and-link)
ZH_PORT = (
    "东江港集装箱码头三期工程日前通过竣工验收，新增五个万吨级泊位，年设计吞吐能力提升至二百八十万标准箱。港务集团"
    "总经理林志强表示，三期工程全面应用自动化岸桥和无人驾驶集卡，单箱作业能耗比传统码头下降约百分之二十。\n\n"
    "码头投用后，东江港将新开辟至东南亚的四条国际航线，进一步降低本地外贸企业的物流成本。据统计，今年前五个月，"
    "东江港货物吞吐量同比增长百分之十一点三，其中外贸集装箱增长尤为明显。\n"
)

# 北岭新闻网 (not in the rules file): a disclaimer under one of its articles
ZH_SCHOOL = (
    "北岭区第三实验小学新校区近日完成主体封顶，计划于明年秋季学期投入使用。新校区占地四十五亩，规划四十八个教学班，"
    "可提供学位二千一百个。校园内将建设标准田径场、室内体育馆和科创实验室，教学楼全部采用装配式建筑技术。\n\n"
    "区教育局负责人表示，新校区建成后将有效缓解城北片区入学压力，周边几个新建小区的适龄儿童可以就近入学。区里还将"
    "同步配建一条校门口接送通道，减少上下学时段的交通拥堵。\n"
)
NO_REPRINT_NOTICE = "未经授权，不得转载。"
ZH_LIBRARY = (
    "北岭区图书馆分馆本周在滨河社区开放，面积八百平方米，藏书三万册，设有少儿阅览区、自习区和数字阅读区。分馆实行"
    "通借通还，读者凭社保卡即可免费借阅，每天开放至晚上九点。\n\n"
    "社区工作人员介绍，开放首日就有四百多名居民前来办理借阅手续，自习区的座位在上午十点前就已坐满。区文旅局表示，"
    "今年还将在另外三个街道建成类似的分馆，打造十五分钟阅读圈。\n"
)

# 南湖日报 (attribution-required): the original of a chain (松林商报 reprints it, crediting 南湖日报)
ZH_PARK = (
    "南湖公园改造提升工程本月全面完工，改造后的公园新增步道三点六公里，沿湖种植樱花、海棠等观赏树木两千余株。园林"
    "部门介绍，此次改造保留了公园原有的古树和石桥，同时对湖底淤泥进行了清理，湖水透明度明显提高。\n\n"
    "公园东侧新建的儿童游乐区和健身广场已向市民开放，夜间照明系统也完成了升级。为减少对周边居民的影响，广场舞活动"
    "区域被调整到远离住宅楼的西北角，并设置了音量提示牌。\n"
)

# 本地日报: the publisher's own article
ZH_TOILETS = (
    "我市今年将新建和改造城市公共厕所八十座，其中主城区五十座、新区三十座。市城管局介绍，新建公厕将统一配备无障碍"
    "设施、母婴室和第三卫生间，部分公厕还将试点安装智能除臭和客流监测系统。\n\n"
    "为解决找厕难问题，市民可通过城市服务小程序查询附近公厕位置和空闲情况。城管部门同时要求各管理单位落实保洁责任，"
    "做到地面无积水、墙面无污渍、设施无损坏，市民如发现问题可拨打城市服务热线投诉。\n"
)

# Unrelated to the corpus.
ZH_UNRELATED = (
    "社区老年大学秋季班日前开课，今年共开设书法、摄影、智能手机使用等十八门课程，报名人数超过六百人。授课老师多为"
    "退休教师和志愿者，课程全部免费。\n\n"
    "不少学员表示，学会用手机挂号、缴费和视频通话后，生活方便了许多。社区负责人说，下学期还将根据学员建议增设中医"
    "养生和合唱课程。\n"
)

# Own commentary quoting about a fifth of ZH_ORIGINAL.
ZH_QUOTE = (
    "据介绍，新水厂采用臭氧活性炭深度处理工艺，出厂水质各项指标均优于国家标准。工程建设期间，施工方克服雨季施工和"
    "管线迁改等困难，比原计划提前四十天完成主体建设。"
)
ZH_COMMENTARY = (
    "评论：供水设施建设要算好长远账\n\n"
    "近日，邻县水厂扩建的消息引起不少读者关注。报道提到：“" + ZH_QUOTE + "”\n\n"
    "水是城市运行的命脉，供水设施的投入往往看不见、摸不着，却直接关系到千家万户的日常生活。过去一些地方重地上、"
    "轻地下，新城区道路修得宽阔漂亮，地下管网却年久失修，一到盛夏就频频出问题。补上这块短板，需要持续稳定的资金"
    "投入，更需要科学的规划和长期的维护机制。\n\n"
    "我们也注意到，本市部分老旧小区至今仍在使用上世纪铺设的管道，居民反映水压低、水有异味的情况时有发生。有关部门"
    "不妨借鉴周边地区的做法，把管网改造列入年度民生实事，公开进度、接受监督，让群众真正感受到变化。\n"
)


def seed_text() -> str:
    """ZH_ORIGINAL republished the way the seed case was: Traditional script, a pinyin annotation after
    every Han character (ASCII and full-width parentheses, tone marks and tone digits), a breadcrumb and
    date line, an editor line, a site notice and a stock-ticker run; no credit."""
    return (FIXTURES / "qingshan-seed.txt").read_text(encoding="utf-8")


def seed_body() -> str:
    """The annotated Traditional body of :func:`seed_text` (no title, breadcrumb or boilerplate)."""
    lines = seed_text().splitlines()
    end = next(i for i, line in enumerate(lines) if line.startswith("（責任編輯"))
    return "\n".join(lines[2:end]) + "\n"


def seed_credited_text() -> str:
    """The seed case with a credit line 來源：青山日報 after the body."""
    text = seed_text()
    return text.replace("（責任編輯", "來源：青山日報\n（責任編輯", 1)


RULES = """\
# Rules written for provenance's tests.
publisher = "本地日报"

[defaults]
policy = "attribution-required"
excerpt_max = 0.3
min_passage = 50

[[source]]
name = "本地日报"
aliases = ["本地日報", "bendi.example.cn"]
url = "https://www.bendi.example.cn/"

[[source]]
name = "青山日报"
aliases = ["青山日報", "qsrb.example.cn"]
url = "https://www.qsrb.example.cn/"
policy = "attribution-required"

[[source]]
name = "白河晚报"
aliases = ["白河晚報", "bhwb.example.cn"]
url = "https://www.bhwb.example.cn/"
policy = "no-reprint"
licensees = ["松林商报"]

[[source]]
name = "松林商报"
aliases = ["松林商報", "slsb.example.cn"]
url = "https://www.slsb.example.cn/"
policy = "free"

[[source]]
name = "东江网"
aliases = ["東江網", "djw.example.cn"]
url = "https://www.djw.example.cn/"
policy = "attribution-and-link"

[[source]]
name = "南湖日报"
aliases = ["南湖日報", "nhrb.example.cn"]
url = "https://www.nhrb.example.cn/"
policy = "attribution-required"

[[source]]
name = "Ridgeview Tribune"
aliases = ["The Ridgeview Tribune", "ridgeviewtribune.example.com"]
url = "https://www.ridgeviewtribune.example.com/"
policy = "attribution-required"

# 北岭新闻网 is not listed: its policy comes from the disclaimer under its articles.
"""

LICENSEE_RULES = RULES.replace('publisher = "本地日报"', 'publisher = "松林商报"', 1)


def front_matter(body: str, **fields: str) -> str:
    head = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return f"---\n{head}---\n{body}"


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding=encoding)
    return path


def write_corpus(root: Path) -> dict[str, str]:
    """Write the test corpus under ``root``; returns id → loaded text of every document."""
    docs: dict[str, str] = {}

    def doc(rel: str, body: str, **fields: str) -> None:
        write(root / rel, front_matter(body, **fields))
        docs[fields.get("id", rel)] = body

    # source.toml gives source and url to everything under qingshan/
    write(root / "qingshan" / "source.toml", 'source = "青山日报"\nurl = "https://www.qsrb.example.cn/"\n')
    doc("qingshan/qs-0408.md", ZH_ORIGINAL, id="qs-0408", title="青山县第二水厂扩建工程通水",
        published="2024-04-08T09:00:00+08:00")
    doc("baihe/bh-0512.md", ZH_SIGNALS, id="bh-0512", title="市区32个路口将启用智能信号灯", source="白河晚报",
        url="https://www.bhwb.example.cn/2024/05/12/signals.html", published="2024-05-12")
    doc("songlin/sl-0620.md", ZH_BAYBERRY, id="sl-0620", title="松林镇杨梅文化节开幕", source="松林商报",
        url="https://www.slsb.example.cn/2024/06/20/bayberry.html", published="2024-06-20")
    doc("dongjiang/dj-0618.md", ZH_PORT, id="dj-0618", title="东江港三期工程通过验收", source="东江网",
        url="https://www.djw.example.cn/2024/06/18/port.html", published="2024-06-18")
    doc("beiling/bl-0601.md", ZH_SCHOOL + "\n" + NO_REPRINT_NOTICE + "\n", id="bl-0601",
        title="北岭区第三实验小学新校区封顶", source="北岭新闻网", url="https://news.beiling.example.cn/0601.html",
        published="2024-06-01")
    doc("beiling/bl-0603.md", ZH_LIBRARY, id="bl-0603", title="北岭区图书馆滨河分馆开放", source="北岭新闻网",
        url="https://news.beiling.example.cn/0603.html", published="2024-06-03")
    doc("nanhu/nh-0301.md", ZH_PARK, id="nh-0301", title="南湖公园改造提升工程完工", source="南湖日报",
        url="https://www.nhrb.example.cn/2024/03/01/park.html", published="2024-03-01")
    doc("songlin/sl-0304.md", ZH_PARK + "\n来源：南湖日报\n", id="sl-0304", title="南湖公园改造完工",
        source="松林商报", url="https://www.slsb.example.cn/2024/03/04/park.html", published="2024-03-04")
    doc("bendi/bd-0701.md", ZH_TOILETS, id="bd-0701", title="我市今年新建改造公厕80座", source="本地日报",
        url="https://www.bendi.example.cn/2024/07/01/toilets.html", published="2024-07-01")
    doc("ridgeview/rv-0902.md", EN_ORIGINAL, id="rv-0902", title="Council backs park on old rail yard",
        source="Ridgeview Tribune", url="https://www.ridgeviewtribune.example.com/2024/09/02/park.html",
        published="2024-09-02T07:30:00-05:00")
    return docs


@dataclass
class Case:
    """One incoming article and what the judge must say about it."""

    name: str
    content: str | bytes
    verdict: str
    source_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


CASES: list[Case] = [
    Case("seed.txt", "", "unattributed", "qs-0408"),  # content filled in by incoming_cases()
    Case("seed-credited.txt", "", "attributed", "qs-0408"),
    Case("water-misattributed.md", ZH_ORIGINAL + "\n来源：白河晚报\n", "misattributed", "qs-0408"),
    Case("water-commentary.md", ZH_COMMENTARY, "excerpt", "qs-0408"),
    Case("signals-credited.md", ZH_SIGNALS + "\n来源：白河晚报\n", "prohibited", "bh-0512"),
    Case("bayberry.txt", ZH_BAYBERRY, "permitted", "sl-0620"),
    Case("port-name-only.txt", ZH_PORT + "\n来源：东江网\n", "unattributed", "dj-0618"),
    Case("port-link.txt", ZH_PORT + "\n来源：东江网 https://www.djw.example.cn/2024/06/18/port.html\n", "attributed",
         "dj-0618"),
    Case("port-domain.txt", ZH_PORT + "\n来源：djw.example.cn\n", "attributed", "dj-0618"),
    Case("school.txt", ZH_SCHOOL, "prohibited", "bl-0601"),
    Case("library.txt", ZH_LIBRARY, "prohibited", "bl-0603"),
    Case("park-chain.txt", ZH_PARK + "\n来源：松林商报\n", "attributed", "nh-0301"),
    Case("park-original-credit.txt", ZH_PARK + "\n来源：南湖日报\n", "attributed", "nh-0301"),
    Case("toilets.md", ZH_TOILETS, "own", "bd-0701"),
    Case("council.md", EN_ORIGINAL, "unattributed", "rv-0902"),
    Case("council-credited.md", EN_ORIGINAL + "\nSource: Ridgeview Tribune\n", "attributed", "rv-0902"),
    Case("council-misattributed.md", EN_ORIGINAL + "\nSource: 白河晚报\n", "misattributed", "rv-0902"),
    Case("unrelated.txt", ZH_UNRELATED, "original"),
    Case("credit-only.txt", ZH_UNRELATED + "\n来源：青山日报\n", "original"),
    Case("two-sources.txt", ZH_SIGNALS + "\n" + ZH_BAYBERRY, "prohibited", "bh-0512"),
    Case("empty.txt", b"", "unreadable"),
]


def incoming_cases() -> list[Case]:
    cases = []
    for case in CASES:
        if case.name == "seed.txt":
            case = Case(case.name, seed_text(), case.verdict, case.source_id)
        elif case.name == "seed-credited.txt":
            case = Case(case.name, seed_credited_text(), case.verdict, case.source_id)
        cases.append(case)
    return cases


def write_incoming(root: Path) -> list[Case]:
    cases = incoming_cases()
    for case in cases:
        write(root / case.name, case.content)
    return cases


@dataclass
class World:
    """A corpus, a rules file, an incoming folder, an index built from the corpus, and one scan."""

    root: Path
    corpus: Path
    incoming: Path
    rules_file: Path
    index: str
    docs: dict[str, str]
    cases: list[Case]
    report: Any = None

    def item(self, name: str) -> Any:
        return next(i for i in self.report.items if Path(i.path).name == name)

    def report_dict(self) -> dict[str, Any]:
        from provenance.report.formatters import formatter

        return json.loads(formatter("json")(self.report))


def build_world(root: Path, scan_incoming: bool = True) -> World:
    from provenance.engine import build_index, scan
    from provenance.rules import load_rules

    corpus = root / "corpus"
    docs = write_corpus(corpus)
    rules_file = write(root / "provenance.toml", RULES)
    incoming = root / "incoming"
    cases = write_incoming(incoming)
    index = str(root / "index.sqlite")
    rules = load_rules(rules_file)
    build_index([corpus], index, rules)
    world = World(root, corpus, incoming, rules_file, index, docs, cases)
    if scan_incoming:
        world.report = scan([incoming], index, rules)
    return world
