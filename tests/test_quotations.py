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
    ("He said “we stay. They left.\nNext", "“we stay."),  # closing mark lost: its first sentence
    ('A 12" pizza and "rates" too', '"rates"'),  # inches open nothing
    ('Trump said.\n" We are fine," he said.', '" We are fine,"'),  # scraped spacing inside the marks
])
def test_what_lies_inside_quotation_marks(text: str, quoted: str) -> None:
    prefix = quoted_prefix(text)
    assert "".join(ch for i, ch in enumerate(text) if prefix[i + 1] - prefix[i]) == quoted
    assert quoted_share(prefix, 0, len(text)) == pytest.approx(len(quoted) / len(text))


# Quotation without marks, and single marks around apostrophes (texts written for these tests).
TRANSCRIPT = ("Tonight on the program, the mayor on the water budget.\n"
              "HOST:\nMayor, will the rates go up?\n"
              "ELENA RUIZ:\nNo. Not this year.\nAnd not next year either.\n"
              "HOST:\nThank you.\n"
              "The program returns next week.")
TURNS = ("HOST:\nMayor, will the rates go up?\nELENA RUIZ:\nNo. Not this year.\nAnd not next year either.\n"
         "HOST:\nThank you.")


@pytest.mark.parametrize(("text", "quoted"), [
    # an apostrophe between letters neither opens nor closes a single-quoted quote
    pytest.param("She said ‘We’re fine, it’s done’ and left.", "‘We’re fine, it’s done’", id="apostrophe-curly"),
    pytest.param("He said: 'The mayor's plan won't work,' and left.", "'The mayor's plan won't work,'",
                 id="apostrophe-straight"),
    pytest.param("The leaders' summit was 'historic' for them.", "'historic'", id="plural-apostrophe"),
    pytest.param("‘‘It wasn’t enough!’’ he wrote.", "‘It wasn’t enough!’", id="doubled-single-marks"),
    pytest.param("他称之为‘脱钩’。", "‘脱钩’", id="single-marks-between-cjk"),
    # a closing mark ends its quote and one left open inside it
    pytest.param("Paul said “it is a ‘farce” and left the room.", "“it is a ‘farce”", id="inner-left-open"),
    # transcript turns: from the first label to the end of the last turn's first paragraph
    pytest.param(TRANSCRIPT, TURNS, id="transcript"),
    pytest.param("Q: Why now?\nA: The rains come in May.\nQ: And the cost?\nA: Four million.\nThe mayor left.",
                 "Q: Why now?\nA: The rains come in May.\nQ: And the cost?\nA: Four million.", id="q-and-a"),
    pytest.param("记者手记\n问：为什么现在动工？\n答：雨季五月就到。\n问：花多少钱？\n答：四百万元。\n采访结束。",
                 "问：为什么现在动工？\n答：雨季五月就到。\n问：花多少钱？\n答：四百万元。", id="q-and-a-zh"),
    # an embedded tweet: its text before the signature; a tweet whose signature was lost ends in its link
    pytest.param("The mayor answered:\nRates stay as they are. pic.twitter.com/Ab12\n"
                 "— Elena Ruiz (@MayorRuiz) June 3, 2024\nThen",
                 "Rates stay as they are. pic.twitter.com/Ab12\n— Elena Ruiz (@MayorRuiz) June 3, 2024", id="tweet"),
    pytest.param("Readers replied.\nwhat a week https://t.co/Xy9\nMore later.", "what a week https://t.co/Xy9",
                 id="tweet-link"),
    # an Instagram signature alone: the caption above it is often lost, the narration stays
    pytest.param("The star posted a photo.\nA post shared by Ann Lee (@annlee) on\nJul 1",
                 "A post shared by Ann Lee (@annlee) on", id="instagram"),
    # a quotation displayed after a verb of saying and a colon, as many paragraphs as fit
    pytest.param("She wrote in full:\nWe are proud.\nThank you all.\n" + "The council met later. " * 20,
                 "\nWe are proud.\nThank you all.", id="displayed"),
])
def test_quotations_without_marks_and_apostrophes(text: str, quoted: str) -> None:
    prefix = quoted_prefix(text)
    assert "".join(ch for i, ch in enumerate(text) if prefix[i + 1] - prefix[i]) == quoted


@pytest.mark.parametrize("text", [
    pytest.param("The mayor met Russia 's council today; they don 't agree.", id="apostrophe-after-a-space"),
    pytest.param("WASHINGTON: The council met on Monday.\nIt voted twice.", id="dateline"),
    pytest.param("THE BUDGET:\nThe council met.\nTHE WEATHER:\nIt rained.\nTHE SCHOOLS:\nThey opened.",
                 id="headings-each-once"),
    pytest.param("WATCH:\nThe council met.\nWATCH:\nIt voted.", id="one-label-no-dialogue"),
    pytest.param("Here is what we know:\nThe council met on Monday.\nIt voted twice.", id="colon-without-saying"),
    pytest.param("The mayor said:\n“Rates stay.”\nThe council met on Monday.", id="marks-tell"),
    pytest.param("A reply from Ann Lee (@annlee) came later.\nThe council met.", id="handle-in-narration"),
    pytest.param("Members who said that the council should wait:\nThe council met on Monday.", id="saying-not-last"),
    pytest.param("The council answered with a photo:\n— Town Hall (@townhall) June 3, 2024", id="post-text-lost"),
    # a quote whose closing mark was lost is its first sentence, not the narration after it
    pytest.param("He said “rates stay. The council met on Monday.\nIt voted.", id="unclosed-first-sentence"),
    # a straight mark closing a quote a line break ended opens nothing; nor does an attribute's
    pytest.param('"Rates stay,\nthe mayor said." The council met on Monday. "Yes," he said.', id="wrapped-line"),
    pytest.param('<span style="font-family: Times New\nRoman">The council met.</span>', id="attribute-value"),
])
def test_no_quotation_is_read_into_narration(text: str) -> None:
    prefix = quoted_prefix(text)
    quoted = "".join(ch for i, ch in enumerate(text) if prefix[i + 1] - prefix[i])
    assert "council" not in quoted and "rained" not in quoted, quoted


def _world(tmp_path: Path, quote: str, own: str, other: str, source_quote: str | None = None) -> Path:
    """The Herald's text (its narration and the quote as it prints it) in the corpus; an article of
    other reporting with the quote, and a copy of the Herald's narration with it, incoming."""
    write(tmp_path / "provenance.toml", RULES)
    write(tmp_path / "corpus" / "herald.md",
          front_matter(own + "\n\n" + (source_quote or quote) + "\n", id="herald-1", source="Lakeside Herald",
                       published="2024-06-03"))
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


# The mayor's words without marks as the Herald prints them, and as another paper quotes them.
SPEECH_EN = ("We will not raise the water rates this year, and we will finish the reservoir repairs before the "
             "autumn rains, whatever the council decides about the budget.")
APOSTROPHES_EN = ("We won’t raise the water rates this year, and we’ll finish the reservoir repairs before the "
                  "autumn rains, whatever the council’s budget says about it.")
SPEECH_ZH = "今年水价不会上调，水库维修工程将在秋汛前全部完工，不论议会最终如何决定明年的预算，我们都会保证北岸居民的日常用水和消防用水。"
PRINTED = {  # id → (the Herald's text of the quote, the other papers' quote, own, other)
    "transcript": ("MARK HOLLOWAY:\nMayor, will the rates go up?\nELENA RUIZ:\n" + SPEECH_EN
                   + "\nMARK HOLLOWAY:\nThank you, Mayor.\nELENA RUIZ:\nThank you.", QUOTE_EN, OWN_EN, OTHER_EN),
    "tweet": (SPEECH_EN + " pic.twitter.com/Rz81Qa\n— Elena Ruiz (@MayorRuiz) June 3, 2024", QUOTE_EN, OWN_EN,
              OTHER_EN),
    "displayed": ("The mayor wrote in full:\n" + SPEECH_EN, QUOTE_EN, OWN_EN, OTHER_EN),
    "straight-single": ("“" + APOSTROPHES_EN + "” Mayor Elena Ruiz told reporters.",
                        "'" + APOSTROPHES_EN + "' Mayor Elena Ruiz told reporters.", OWN_EN, OTHER_EN),
    "curly-single": ("“" + APOSTROPHES_EN + "” Mayor Elena Ruiz told reporters.",
                     "‘" + APOSTROPHES_EN + "’ Mayor Elena Ruiz told reporters.", OWN_EN, OTHER_EN),
    "qa-zh": ("问：今年水价会上调吗？\n答：" + SPEECH_ZH + "\n问：北岸居民夏天还会停水吗？\n答：八月份换上新水泵。",
              QUOTE_ZH, OWN_ZH, OTHER_ZH),
}


@pytest.mark.parametrize("kind", sorted(PRINTED))
def test_a_quotation_printed_without_marks_is_no_copy(tmp_path: Path, kind: str) -> None:
    """A transcript turn, an embedded post, a displayed quotation or single marks around words with
    apostrophes are quotations too: another paper quoting the words does not copy the Herald, a copy
    of the Herald's narration with them still does."""
    source_quote, quote, own, other = PRINTED[kind]
    root = _world(tmp_path, quote, own, other, source_quote)
    report = scan([root / "incoming"], str(root / "index.sqlite"), load_rules(root / "provenance.toml"))
    verdicts = {Path(item.path).name: item for item in report.items}
    assert verdicts["own-reporting.md"].verdict == "original", verdicts["own-reporting.md"].message
    assert verdicts["copy.md"].verdict == "unattributed"
