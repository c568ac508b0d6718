"""Each normalisation step, with offsets back to the loaded text; boilerplate; language; shingles."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from provenance.analysis import analyse
from provenance.documents.model import Article
from provenance.params import FingerprintParams
from provenance.text.normalize import normalise
from provenance.text.pinyin import annotation_spans, is_pinyin

PARAMS = FingerprintParams()


def check_offsets(text: str) -> None:
    n = normalise(text)
    for name, level, offsets in (("mid", n.mid, n.mid_off), ("norm", n.norm, n.norm_off)):
        assert len(level) == len(offsets)
        for ch, off in zip(level, offsets.tolist(), strict=True):
            assert 0 <= off < len(text)
            if ch != " ":
                # every kept character comes from the loaded character its offset names
                assert ch in getattr(normalise(text[off]), name)


def test_full_width_to_half_width() -> None:
    n = normalise("ＡＢＣ１２３，ｘｙｚ")
    assert n.mid == "ABC123,xyz"
    assert n.norm == "abc123 xyz"
    assert n.mid_off.tolist() == list(range(10))
    check_offsets("ＡＢＣ１２３，ｘｙｚ")


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\ufe0f", "\u180e",
                                       "\U000e0041", "\u202e"])
def test_invisible_characters_removed(invisible: str) -> None:
    text = f"清{invisible}河{invisible}县"
    n = normalise(text)
    assert n.norm == "清河县"
    assert n.norm_off.tolist() == [0, 1 + len(invisible), 2 + 2 * len(invisible)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("區(qū)委", "区委"),
        ("會（huì）議", "会议"),
        ("議(yi4)題", "议题"),
        ("長(zhǎng)", "长"),
        ("綠(lǜ)化", "绿化"),
        ("西安(xī ān)市", "西安市"),
        ("世貿組織(WTO)成員", "世贸组织 wto 成员"),
        ("2022年(2022)", "2022年 2022"),
        ("路透社(Reuters)報道", "路透社 reuters 报道"),
        ("蘋果(apple) 公司", "苹果 apple 公司"),
    ],
)
def test_pinyin_annotations(text: str, expected: str) -> None:
    assert normalise(text).norm == expected


def test_pinyin_offsets_point_at_the_characters() -> None:
    text = "郾城區(qū)組織召開(kāi)會(huì)議"
    n = normalise(text)
    assert n.norm == "郾城区组织召开会议"
    assert [text[o] for o in n.norm_off.tolist()] == list("郾城區組織召開會議")
    assert annotation_spans("區(qū)組") == [(1, 5)]
    assert is_pinyin("zhuāng") and is_pinyin("nü3") and not is_pinyin("WTO") and not is_pinyin("hello world")


def test_traditional_to_simplified_keeps_offsets() -> None:
    text = "臺灣與香港的經濟發展"
    n = normalise(text)
    assert n.mid == "台湾与香港的经济发展"
    assert n.mid_off.tolist() == list(range(len(text)))


def test_taiwan_and_hong_kong_variants() -> None:
    assert normalise("著名的裏面").norm == normalise("著名的里面").norm
    assert normalise("為了").norm == "为了"


def test_whitespace_and_punctuation_folding() -> None:
    text = "  Hello,\t\u3000World!!  新闻——“标题”…  "
    n = normalise(text)
    assert n.norm == "hello world 新闻 标题"
    assert n.norm_off[0] == text.index("H")
    assert text[n.norm_off[-1]] == "题"


def test_expanding_characters_keep_offsets() -> None:
    text = "A…B㈱ﬁ"
    n = normalise(text)
    assert n.mid == "A...B(株)fi"
    assert n.mid_off.tolist() == [0, 1, 1, 1, 2, 3, 3, 3, 4, 4]


SEED_LIKE = (
    "臨河縣(xiàn)召開(kāi)防(fáng)汛工(gōng)作會(huì)議\n\n"
    "財經頻道 > 地方新聞 > 正文　2024-03-12 08:15\n"
    "3月10日，臨(lín)河縣(xiàn)召(zhào)開防(fáng)汛工(gōng)作會(huì)議。縣(xiàn)長(zhǎng)周(zhōu)建民(mín)出(chū)席"
    "會(huì)議並(bìng)講(jiǎng)話(huà)，要(yào)求(qiú)各(gè)鄉(xiāng)鎮(zhèn)做(zuò)好(hǎo)堤(dī)防(fáng)"
    "巡(xún)查(chá)，落(luò)實(shí)責(zé)任(rèn)人(rén)，確(què)保(bǎo)安(ān)全(quán)度(dù)汛(xùn)。\n"
    "（責任編輯：陳思遠 審核：林曉）\n"
    "【慎重聲明】 凡本站未註明來源為“中原財訊網”的所有作品，均轉載自其他媒體，其他媒體轉載使用時必須保留本站註明的文章來源。\n"
    "【特別提醒】：如您不希望作品出現在本站，可聯繫我們要求撤下。郵箱：service@zycx.example.cn\n"
    "上證指數\n深證成指\n創業板\n--\n-- -- --\n3051.28\n-- -- --\n"
)


def test_seed_like_text_is_chinese_after_cleaning() -> None:
    from provenance.text.language import detect_language

    analysis = analyse(Article(id="s", path="s", text=SEED_LIKE), PARAMS)
    assert analysis.language == "zh"
    kinds = [b.kind for b in analysis.blocks]
    assert {"editor", "notice", "ticker", "meta"} <= set(kinds)
    body = "".join(ch for ch, keep in zip(analysis.normalized.norm, analysis.mask.tolist(), strict=True) if keep)
    assert "责任编辑" not in body and "上证指数" not in body and "声明" not in body
    assert "临河县召开防汛工作会议" in body.replace(" ", "")
    assert "xiàn" not in analysis.normalized.norm
    assert detect_language("防汛工作會議。縣長要求各鄉鎮做好堤防巡查") == "zh"


def test_shingles_by_script() -> None:
    zh = analyse(Article(id="z", path="z", text="清河县召开农村公路建设推进会议"), PARAMS, detect=False)
    en = analyse(Article(id="e", path="e", text="The council approved a new budget for libraries"), PARAMS, detect=False)
    assert zh.shingles.size == PARAMS.shingle_cjk and len(zh.tokens) == 15
    assert en.shingles.size == PARAMS.shingle_words and len(en.tokens) == 8
    assert len(en.shingles) == 8 - PARAMS.shingle_words + 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("區[qū]委〔wěi〕會【huì】議", "区委会议"),  # other brackets
        ("區(ㄑㄩ)委(ㄨㄟˇ)", "区委"),  # zhuyin instead of pinyin
        ("Thе соuncil аpproved", "the council approved"),  # Cyrillic look-alikes in English
    ],
)
def test_other_disguises(text: str, expected: str) -> None:
    assert normalise(text).norm == expected


def test_ruby_readings_in_html_are_dropped(tmp_path) -> None:
    from provenance.documents.loaders import load_paths

    page = tmp_path / "r.html"
    page.write_text("<html><body><article><p><ruby>區<rp>(</rp><rt>qū</rt><rp>)</rp></ruby>委召開會議，"
                    "研究部署今年的農村公路建設工作，要求各鄉鎮加快進度。</p></article></body></html>", encoding="utf-8")
    [article] = list(load_paths([page]))
    assert "qū" not in article.text
    assert normalise(article.text).norm.replace(" ", "").startswith("区委召开会议")


def test_notices_apart_do_not_swallow_the_body() -> None:
    text = ("转载\n" + "今年以来，全市新增就业岗位两万余个，重点企业复工率达到九成以上。" * 5 + "\n"
            "特别声明：以上文章内容仅代表作者本人观点，不代表本站观点或立场。\n")
    analysis = analyse(Article(id="x", path="x", text=text), PARAMS, detect=False)
    notices = [b for b in analysis.blocks if b.kind == "notice"]
    assert len(notices) == 2 and all(b.end - b.start < 60 for b in notices)
    assert len(analysis.tokens) == 29 * 5  # the whole body, punctuation aside


def test_disclaimer_appended_to_a_paragraph_is_boilerplate() -> None:
    body = "今年以来，全市新增就业岗位两万余个，重点企业复工率达到九成以上。" * 4
    text = body + "特别声明：以上文章内容仅代表作者本人观点，不代表本站观点或立场。\n"
    analysis = analyse(Article(id="x", path="x", text=text), PARAMS, detect=False)
    notices = [b for b in analysis.blocks if b.kind == "notice"]
    assert len(notices) == 1 and analysis.normalized.loaded[notices[0].start:notices[0].end].startswith("特别声明")
    assert len(analysis.tokens) == 29 * 4
    middle = "市民反映，一些网站未经授权转载本地新闻。" + body
    kept = analyse(Article(id="y", path="y", text=body + middle + body), PARAMS, detect=False)
    assert not [b for b in kept.blocks if b.kind == "notice"]  # a sentence about reprinting inside the story


def test_taiwan_vocabulary_meets_mainland_vocabulary() -> None:
    import opencc

    mainland = "出租车司机用U盘拷贝软件文件，网络信息和打印机都由本地服务商提供。"
    for config in ("s2t", "s2tw", "s2twp", "s2hk"):
        copy = opencc.OpenCC(config).convert(mainland)
        n = normalise(copy)
        assert n.norm == normalise(mainland).norm, config
        assert all(0 <= o < len(copy) for o in n.norm_off.tolist())
        assert (n.norm_off[1:] >= n.norm_off[:-1]).all()


def test_long_paragraph_ending_in_a_disclaimer_keeps_its_body() -> None:
    body = "宫颈细胞学检查是发现早期病变的重要方法，也是诊断的必需步骤，相对于其他检查方式，它的特异性更高。" * 6
    analysis = analyse(Article(id="x", path="x", text=body + "本文为作者原创，未经授权不得转载"), PARAMS, detect=False)
    [notice] = [b for b in analysis.blocks if b.kind == "notice"]
    assert analysis.normalized.loaded[notice.start:notice.end] == "本文为作者原创，未经授权不得转载"
    assert len(analysis.tokens) > 250


def test_latin_and_digits_slipped_between_characters_do_not_break_shingles() -> None:
    clean = "清河县召开农村公路建设推进会，县长周建民出席会议并讲话，要求各乡镇加快在建项目进度。"
    disguised = "".join(ch + ("x7" if k % 3 == 0 and "\u4e00" <= ch <= "\u9fff" else "") for k, ch in enumerate(clean))
    a = analyse(Article(id="a", path="a", text=clean), PARAMS, detect=False)
    b = analyse(Article(id="b", path="b", text=disguised), PARAMS, detect=False)
    assert (a.unique == b.unique).all()


# The annotation pattern as first written: a look-behind for the Han character, tried at every
# position. annotation_spans searches from the brackets instead and must find the same spans.
_LOOK_BEHIND = re.compile(r"(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])[ \t]?[(\[〔【〖]([^()\[\]〔〕【】〖〗\n]{1,48})"
                          r"[)\]〕】〗]")
_ANNOTATION_PIECES = st.sampled_from(["區", "會", "𠀀", "a", " ", "  ", "\t", "\n", "(", ")", "[", "]", "〔", "〕", "【",
                                      "】", "〖", "〗", "（", "）", "qū", "huì", "zhong1", "ㄑㄩ", "WTO", "2022", "ü"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_ANNOTATION_PIECES, max_size=30).map("".join))
@example("區 (qū)域 會\t(huì)")  # a space or a tab between the character and the bracket
@example("a (qū) 區  (qū)")  # a Latin letter, two spaces: no annotation
def test_annotation_spans_as_the_look_behind_pattern(text: str) -> None:
    expected = [(m.start(), m.end()) for m in _LOOK_BEHIND.finditer(text) if is_pinyin(m.group(1))]
    assert annotation_spans(text) == expected
