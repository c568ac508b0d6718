"""Scraped news pages (issue 15): provider and contributor lines, names of sites, photo captions,
stock phrases of one news subject, and a publishing group's template shared by sister sites.

Every text was written for these tests (outlets, places and people are invented).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_kit import front_matter, write

from provenance.credits.claims import caption_lines, extract, resolve_claims
from provenance.credits.names import NameRegistry
from provenance.engine import build_index, scan
from provenance.match import WORD_TEXT_FACTOR
from provenance.rules import load_rules
from provenance.text.blocks import classify_lines
from provenance.text.normalize import normalise

RULES = '[defaults]\npolicy = "attribution-required"\nexcerpt_max = 0.3\n'

STORY = (
    "Lakeport council approves a new ferry pier\n"
    "The Lakeport city council voted on Tuesday to build a second ferry pier on the east shore, a project "
    "expected to cost 31 million dollars and to take three years.\n"
    "The harbour master said the current pier handles twice the traffic it was designed for, and that "
    "queues of cars on summer weekends now reach the old lighthouse.\n"
    "Residents of the east shore asked for noise barriers and a limit on night crossings; the council "
    "promised a public hearing on both before construction begins next spring.\n"
)


def _claims(text: str, registry: NameRegistry | None = None) -> list[tuple[str, str, bool]]:
    normalized = normalise(text)
    attribution = extract(normalized, classify_lines(normalized), registry=registry)
    if registry is not None:
        resolve_claims(attribution, registry)
    return [(c.kind, c.resolved or c.name, c.origin) for c in attribution.claims]


@pytest.mark.parametrize(("line", "name"), [
    ("Harbour Gazette•", "Harbour Gazette"),
    ("Lakeport Daily News •", "Lakeport Daily News"),
    ("Channel 9 Lakeport• July 15, 2018", "Channel 9 Lakeport"),
    ("Northshore Radio • 2 hours ago", "Northshore Radio"),
])
def test_an_aggregators_provider_line_credits_the_provider(line: str, name: str) -> None:
    text = f"Council backs new pier\n{line}\nCouncil backs new pier\nMore\n{STORY}"
    assert ("provider", name, True) in _claims(text)


@pytest.mark.parametrize("line", [
    "• The council also approved a budget for the library, which reopens in May after repairs.",
    "Harbour Gazette• Opinion: the pier is a mistake that the city will regret for many years",
    "•",
])
def test_bullets_that_are_not_provider_lines(line: str) -> None:
    text = f"Council backs new pier\n{line}\n{STORY}"
    assert not [c for c in _claims(text) if c[0] == "provider"]


def test_a_contributor_line_credits_each_outlet_but_not_as_the_origin() -> None:
    text = STORY + "Harbour Gazette's Mia Lind and The Associated Press contributed to this report.\n"
    claims = _claims(text)
    assert ("trailer", "Harbour Gazette", False) in claims
    assert ("trailer", "The Associated Press", False) in claims
    assert not _claims(STORY + "Mia Lind contributed to this report.\n")


def test_a_name_written_as_its_site_resolves_to_the_site() -> None:
    registry = NameRegistry()
    registry.add("harbourgazette.com", [], "http://harbourgazette.com/")
    registry.add("abc.example", [], "http://abc.example/")
    assert registry.resolve("Harbour Gazette") == "harbourgazette.com"
    assert registry.resolve("HARBOUR GAZETTE") == "harbourgazette.com"
    assert registry.resolve("Harbour") is None
    assert registry.resolve("ABC") is None  # a short site label names too many things


def test_a_caption_and_its_photo_credit_are_caption_lines() -> None:
    text = ("Lakeport council approves a new ferry pier\n"
            "The mayor of Lakeport, left, greets ferry workers at the old pier in Lakeport, Sunday, July 15, 2018.\n"
            "(AP Photo/Jon Berg)\n"
            + STORY.split("\n", 1)[1])
    normalized = normalise(text)
    assert caption_lines(normalized) == {1, 2}
    kinds = {b.kind for b in classify_lines(normalized, caption_lines=caption_lines(normalized))}
    assert "caption" in kinds


def _build(tmp_path: Path) -> tuple[Path, str]:
    (tmp_path / "provenance.toml").write_text(RULES, encoding="utf-8")
    return tmp_path / "provenance.toml", str(tmp_path / "index.sqlite")


CAPTION = "Ferry workers wave from the old pier in Lakeport, Finland, Sunday, July 15, 2018 ahead of the council vote."
OWN = ("The ferry operator's new timetable adds four crossings on weekdays and a late boat on Fridays. Its chief "
       "executive told shareholders the company would order two electric ferries before the end of the decade, and "
       "that fares for commuters would stay the same for at least another year.\n")


def test_a_shared_photo_caption_is_no_evidence(tmp_path: Path) -> None:
    rules, index = _build(tmp_path)
    write(tmp_path / "corpus" / "g1.md", front_matter(f"{CAPTION}\n(AP Photo/Jon Berg)\n{STORY}", id="g1",
                                                       source="Harbour Gazette", published="2024-07-15"))
    build_index([tmp_path / "corpus"], index, load_rules(rules))
    write(tmp_path / "in" / "captioned.md", f"Operator adds crossings\n{CAPTION}\n(AP Photo/Jon Berg)\n{OWN}")
    write(tmp_path / "in" / "copied.md", STORY)
    items = {Path(i.path).name: i for i in scan([tmp_path / "in"], index, load_rules(rules)).items}
    assert items["captioned.md"].verdict == "original", items["captioned.md"].message
    assert items["copied.md"].verdict == "unattributed"


PHRASE = "President Ann Holm and her Nordland counterpart Erik Vale of Westmark"  # 59 letters: a stock phrase
SENTENCE = ("The Lakeport city council voted on Tuesday to build a second ferry pier on the east shore, a project "
            "expected to cost 31 million dollars")


def test_text_in_words_needs_more_letters_than_a_cjk_passage(tmp_path: Path) -> None:
    rules, index = _build(tmp_path)
    write(tmp_path / "corpus" / "g1.md", front_matter(f"{STORY}{PHRASE} met in Lakeport on Monday.\n", id="g1",
                                                       source="Harbour Gazette", published="2024-07-15"))
    build_index([tmp_path / "corpus"], index, load_rules(rules))
    write(tmp_path / "in" / "phrase.md", f"{OWN}{PHRASE} spoke about trade on Friday.\n")
    write(tmp_path / "in" / "sentence.md", f"{OWN}{SENTENCE}, the paper said.\n")
    items = {Path(i.path).name: i for i in scan([tmp_path / "in"], index, load_rules(rules)).items}
    letters = sum(not ch.isspace() for ch in PHRASE)
    assert 50 <= letters < 50 * WORD_TEXT_FACTOR  # long enough for a CJK passage, not for words
    assert items["phrase.md"].verdict == "original", items["phrase.md"].message
    assert items["sentence.md"].verdict == "excerpt", items["sentence.md"].message


WEATHER = ("Enter City and State or Zip Code\nCongratulations!\nYour weather is set to . You can change the location "
           "at any time.\nWeatherWorks Quick Look\nYou are signed in as\nEdit\n")
STORIES = [
    "Lakeport school board hires new superintendent\nThe board chose a former principal from Ridgeview after a "
    "search of eight months; she starts in August and will earn 190,000 dollars a year.\n",
    "Storm knocks out power to 12,000 homes\nCrews worked through the night after falling trees brought down lines "
    "across the county; the utility expects most homes to have power again by Thursday.\n",
    "Farmers market moves to the old rail depot\nThe market's 60 stalls will open on Saturdays from June; the city "
    "paved the depot's yard and added a covered hall for bad weather.\n",
]


def test_a_template_shared_by_sister_sites_is_chrome(tmp_path: Path) -> None:
    rules, index = _build(tmp_path)
    for k, (site, story) in enumerate(zip(("lakeport.example", "ridgeview.example", "millbay.example"), STORIES,
                                          strict=True)):
        write(tmp_path / "corpus" / f"s{k}.md", front_matter(WEATHER + story, id=f"s{k}", source=site,
                                                              published="2024-07-10"))
    write(tmp_path / "corpus" / "g1.md", front_matter(STORY, id="g1", source="Harbour Gazette", published="2024-07-15"))
    build_index([tmp_path / "corpus"], index, load_rules(rules))
    write(tmp_path / "in" / "own.md", "Operator adds crossings\n" + WEATHER + OWN)
    write(tmp_path / "in" / "copy.md", WEATHER + STORY)
    items = {Path(i.path).name: i for i in scan([tmp_path / "in"], index, load_rules(rules)).items}
    assert items["own.md"].verdict == "original", items["own.md"].message
    assert items["copy.md"].verdict == "unattributed" and items["copy.md"].source["id"] == "g1"
    assert [m["id"] for m in items["copy.md"].matches] == ["g1"]


@pytest.mark.parametrize(("line", "expected"), [
    ("Associated Press", [("byline", "Associated Press", True)]),
    ("Reuters", [("byline", "Reuters", True)]),
    ("新华社", [("byline", "新华社", True)]),
    ("Politics", []),  # a section label names no known outlet
    ("Associated Press.", []),
    ("The Associated Press reported that the council would vote again", []),
])
def test_a_known_outlets_name_alone_under_the_title_is_a_byline(line: str, expected: list[tuple[str, str, bool]]) -> None:
    from provenance.credits.wires import wire_registry

    text = f"Council backs new pier\n{line}\n{STORY}"
    assert [c for c in _claims(text, wire_registry()) if c[0] == "byline"] == expected
    # further down, the same line is a sentence fragment or a caption's credit, not the page's byline
    assert not [c for c in _claims(f"{STORY}{line}\nMore text follows.\n", wire_registry()) if c[0] == "byline"]


def test_a_sites_brands_name_the_site() -> None:
    registry = NameRegistry()
    registry.add("news.portal.example", [], "https://news.portal.example/")
    registry.add("Lakeport Daily", ["lakeportdaily.example"])
    assert registry.names_site("Portal View", "news.portal.example")
    assert registry.names_site("Portal News Video", "https://news.portal.example/a/1.html")
    assert registry.names_site("Lakeport Daily", "lakeportdaily.example")
    assert registry.names_site("Lakeport Daily Radio", "Lakeport Daily")  # a registered outlet's site
    assert not registry.names_site("Harbour Gazette", "news.portal.example")
    assert not registry.names_site("News View", "news.portal.example")  # "news" is not the site's name
    assert not registry.names_site("Port View", "port.example")  # labels under five letters name too much


def test_the_pages_own_site_named_on_it_is_no_credit(tmp_path: Path) -> None:
    """An aggregator's page labels its own channel ("Portal View •"): that names the page, not the
    story's source, so a copy carrying only that label is unattributed, not misattributed."""
    rules, index = _build(tmp_path)
    write(tmp_path / "corpus" / "g1.md", front_matter(STORY, id="g1", source="Harbour Gazette", published="2024-07-15"))
    write(tmp_path / "corpus" / "p1.md", front_matter(OWN, id="p1", source="news.portal.example",
                                                       published="2024-07-14"))
    build_index([tmp_path / "corpus"], index, load_rules(rules))
    page = "Council backs new pier\nPortal View •\n" + STORY
    write(tmp_path / "in" / "on-portal.md", front_matter(page, source="news.portal.example"))
    write(tmp_path / "in" / "elsewhere.md", front_matter(page, source="ridgeview.example"))
    write(tmp_path / "in" / "site-name.html",
          '<html><head><meta property="og:site_name" content="news.portal.example"></head><body><article>'
          + "".join(f"<p>{line}</p>" for line in page.splitlines()) + "</article></body></html>")
    items = {Path(i.path).name: i for i in scan([tmp_path / "in"], index, load_rules(rules)).items}
    assert items["on-portal.md"].verdict == "unattributed", items["on-portal.md"].message
    assert items["site-name.html"].verdict == "unattributed", items["site-name.html"].message
    assert items["elsewhere.md"].verdict == "misattributed"  # on another site it credits the portal
    assert "Portal View" in items["elsewhere.md"].message


def test_the_publishers_own_name_on_a_copy_is_no_credit(tmp_path: Path) -> None:
    rules, index = _build(tmp_path)
    rules.write_text('publisher = "Ridgeview Courier"\n' + RULES, encoding="utf-8")
    write(tmp_path / "corpus" / "g1.md", front_matter(STORY, id="g1", source="Harbour Gazette", published="2024-07-15"))
    build_index([tmp_path / "corpus"], index, load_rules(rules))
    write(tmp_path / "in" / "copy.md", f"Council backs new pier\nRidgeview Courier •\n{STORY}")
    item = scan([tmp_path / "in"], index, load_rules(rules)).items[0]
    assert item.verdict == "unattributed", item.message
    assert "“Ridgeview Courier” is the article's own label, not a credit" in item.message


TABLE = ("4th qtr\n    Shr nine cts vs four cts\n    Net 658,159 vs 299,930\n    Revs 3,770,341 vs 2,614,224\n"
         "    Avg shrs 7,382,802 vs 6,747,442\n    Year\n    Oper shr 33 cts vs 18 cts\n"
         "    Oper net 2,287,179 vs 1,045,799\n    Revs 13.1 mln vs 8,577,853\n    Avg shrs 6,874,505 vs 5,951,612\n")


def test_versions_of_a_table_are_no_shared_template(tmp_path: Path) -> None:
    """Three outlets' versions of one earnings table share only short lines (no paragraph ties them
    as versions of one story); its rows of figures are the story's data, not a sister sites' template."""
    rules, index = _build(tmp_path)
    notes = ("NOTE: 1985 year net excludes 131,000 dlr tax credit.", "NOTE: corrects the tax credit to 13,000 dlrs.",
             "NOTE: 1985 year net includes a tax credit.")
    for k, (site, note) in enumerate(zip(("lakeport.example", "ridgeview.example", "millbay.example"), notes,
                                         strict=True)):
        write(tmp_path / "corpus" / f"t{k}.md", front_matter(TABLE + note + "\n", id=f"t{k}", source=site,
                                                              published=f"2024-07-1{k}"))
    build_index([tmp_path / "corpus"], index, load_rules(rules))
    write(tmp_path / "in" / "copy.md", TABLE + notes[0] + "\n")
    items = {Path(i.path).name: i for i in scan([tmp_path / "in"], index, load_rules(rules)).items}
    assert items["copy.md"].matches and items["copy.md"].matches[0]["id"] == "t0", items["copy.md"].message


def test_of_two_texts_holding_the_copy_the_nearer_ranks_first(tmp_path: Path) -> None:
    """A copy of a story that another document holds inside a longer version: both explain all of
    it, and the version nearest the copy as a whole ranks first (not the first id)."""
    rules, index = _build(tmp_path)
    write(tmp_path / "corpus" / "a-long.md", front_matter(STORY + OWN, id="a-long", source="Harbour Gazette",
                                                          published="2024-07-15"))
    write(tmp_path / "corpus" / "b-short.md", front_matter(STORY, id="b-short", source="Lakeport Daily",
                                                           published="2024-07-15"))
    build_index([tmp_path / "corpus"], index, load_rules(rules))
    write(tmp_path / "in" / "copy.md", STORY)
    items = {Path(i.path).name: i for i in scan([tmp_path / "in"], index, load_rules(rules)).items}
    assert [m["id"] for m in items["copy.md"].matches] == ["b-short", "a-long"]


def _wrapped(text: str, width: int = 52) -> str:
    """``text`` hard-wrapped as a plain-text wire feed is: lines too short to tie versions."""
    import textwrap

    return "\n".join(textwrap.fill(paragraph, width) for paragraph in text.splitlines()) + "\n"


def test_hard_wrapped_copies_of_one_wire_story_are_no_shared_template(tmp_path: Path) -> None:
    """Three outlets carry one hard-wrapped wire story, each with a line of its own. Their lines
    are shorter than the version rule reads, but each copy is mostly the article's own story:
    the copies count as one story, so the story's lines stay evidence, not a sister sites'
    template, and the article is matched to the earliest copy."""
    rules, index = _build(tmp_path)
    story = _wrapped(STORY)
    assert max(len(line) for line in story.splitlines()) < 60
    for k, site in enumerate(("lakeport.example", "ridgeview.example", "millbay.example")):
        write(tmp_path / "corpus" / f"w{k}.md", front_matter(f"{story}Posted by the {site} desk.\n", id=f"w{k}",
                                                              source=site, published=f"2024-07-1{k}"))
    build_index([tmp_path / "corpus"], index, load_rules(rules))
    write(tmp_path / "in" / "copy.md", story)
    item = scan([tmp_path / "in"], index, load_rules(rules)).items[0]
    assert not [b for b in item.boilerplate if b["kind"] == "chrome"], item.boilerplate
    assert {m["id"] for m in item.matches} == {"w0", "w1", "w2"}
    assert item.source is not None and item.source["id"] == "w0", item.message
    assert min(m["scores"]["containment"] for m in item.matches) > 0.9
