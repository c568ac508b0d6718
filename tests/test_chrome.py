"""Per-source chrome (provenance.text.chrome): lines an outlet repeats across its pages are learnt
from the corpus and are never evidence, never claims, never titles; the paragraphs of several
versions of one story stay evidence; the counts behind it follow the documents in both backends.

Every text here was written for these tests (the outlets, the town and the people are invented).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from backends import BACKENDS, drop, location, require_redis

from provenance.analysis import analyse
from provenance.documents.model import Article
from provenance.engine import Scanner, build_index, copy_index, scan
from provenance.errors import IndexError_
from provenance.index import open_index
from provenance.index.base import StoredDoc
from provenance.params import FingerprintParams
from provenance.rules import load_rules
from provenance.text.blocks import CHROME
from provenance.text.chrome import (
    MIN_HOLDERS,
    Chrome,
    SourceLines,
    chrome_keys,
    distinct_keys,
    key_length,
    text_line_keys,
)

RULES = """publisher = "Daily Local"
[defaults]
policy = "attribution-required"
"""

# -- the Harbor Gazette's chrome ------------------------------------------------------------
TOP = ["A link has been posted to your Facebook feed.", "Join the Harbor Conversation",
       "To find out more about commenting, please read our Conversation Guidelines and FAQs"]
WEATHER = ["Enter City and State or Zip Code", "Your weather is set to Harbor City."]
SPONSOR = "HarborDeals.com"  # a sponsor box: a bare domain, read as a credit line unless it is chrome
SHARE = "SHARE TWEET EMAIL PRINT MORE"
AD = "Advertisement"
NEWSLETTER = ["Get the Harbor Gazette morning briefing", "Sign up for our newsletter."]
CHROME_LINES = [*TOP, *WEATHER, SPONSOR, SHARE, AD, *NEWSLETTER]

# -- stories: a headline and paragraphs each --------------------------------------------------
STORIES = {
    "ferry": ("Ferry terminal to reopen after two-year renovation", [
        "The Harbor City ferry terminal will reopen to passengers on Monday after a renovation that replaced the "
        "rotting timber pier, added a covered waiting hall and rebuilt the ramp used by cars and delivery vans.",
        "Port director Alma Reyes said the project came in slightly under its budget of 18 million dollars, most of "
        "it paid by a federal grant for coastal transport that the city won after two failed applications.",
        "Commuters who spent two years on the temporary landing at Gull Point will again be able to walk from the "
        "terminal to the market square, and the first boat on Monday leaves for the islands at ten past six.",
    ]),
    "school": ("School board backs later start for high schools", [
        "The Harbor City school board voted five to two on Thursday to start high school classes at half past "
        "eight from next autumn, fifty minutes later than now, after a year of debate among parents and teachers.",
        "Board chair Desmond Okafor said studies of teenage sleep had persuaded most members, while the two members "
        "who voted against warned that bus routes and after-school sports would be squeezed into shorter evenings.",
        "The district will publish new bus timetables in the spring and has promised a public meeting in every "
        "neighbourhood before the change takes effect, starting with the east side on the second of March.",
    ]),
    "quota": ("Trawler crews protest cut in herring quota", [
        "About forty trawlers stayed tied up in the inner harbour on Wednesday as crews protested against a cut of "
        "one fifth in the regional herring quota announced by the fisheries council last week.",
        "Skipper Ingrid Halvorsen said the reduction would push smaller family boats out of business within two "
        "seasons and accused the council of ignoring the survey counts gathered by the fleet itself.",
        "The council said its scientists had recorded the lowest spawning numbers in twelve years and offered to "
        "meet the fishermen's association before the quota is confirmed at the end of the month.",
    ]),
    "library": ("Central library tries opening until midnight", [
        "The central library on Anchor Street will stay open until midnight on Fridays and Saturdays for a trial "
        "period of three months, the city's cultural department announced on Tuesday.",
        "Head librarian Tomasz Wierzbicki said students had asked for a quiet place to work late, and that two "
        "security guards and one librarian would staff the reading rooms during the extra hours.",
        "If more than a hundred visitors come on an average night, the council will consider making the late "
        "opening permanent and extending it to the branch library in the north harbour district.",
    ]),
    "bridge": ("Inspection closes two lanes on Tide Bridge", [
        "Two of the four lanes on Tide Bridge will be closed for at least three weeks while engineers inspect "
        "corrosion found on the steel supports during a routine check, the roads department said.",
        "Traffic engineer Priya Natarajan said the bridge was safe for the remaining traffic but that heavy lorries "
        "would be sent around the bay road until the inspection of every support is complete.",
        "Drivers were advised to expect delays of up to twenty minutes at rush hour and to use the ferry or the "
        "shuttle buses that the city will run from the stadium car park every quarter of an hour.",
    ]),
    "market": ("Farmers market moves to the old fish pier", [
        "The Saturday farmers market will move from the car park behind the town hall to the old fish pier from "
        "the first weekend of May, giving its sixty stalls a roof and a view of the harbour.",
        "Market manager Colette Dubois said traders had long complained about wind and rain in the car park, and "
        "that the pier's former auction hall could hold twice as many stalls once its floor has been repaired.",
        "The council will charge the same fees as before for the first year and has asked the bus company to add "
        "a stop at the pier gate for shoppers coming from the hill districts on Saturday mornings.",
    ]),
    "lighthouse": ("Lighthouse museum reopens with restored lamp", [
        "The lighthouse museum on Beacon Rock reopened on Sunday after volunteers spent three winters restoring "
        "the original brass lamp and the spiral staircase that leads to the lantern room.",
        "Curator Henrik Lindqvist said more than nine hundred visitors climbed the tower on the first day, and that "
        "the museum now shows the logbooks kept by the keepers who lived on the rock until 1962.",
        "Tickets cost four dollars for adults and children under twelve enter free; the museum is open every day "
        "except Monday until the end of October and on weekends through the winter.",
    ]),
}
# Four versions of one story, as an outlet updates it through the day (later versions add and
# revise paragraphs): their shared paragraphs must stay evidence.
STORM_HEADLINES = ["Storm surge floods the waterfront", "Storm surge floods waterfront, shops closed",
                   "Waterfront clean-up begins after storm surge", "Storm surge: damage put at two million dollars"]
STORM = [
    "A storm surge driven by gale-force winds pushed seawater over the harbour wall early on Tuesday, flooding the "
    "waterfront promenade and the ground floors of a dozen shops and cafes along Quay Street.",
    "Firefighters pumped water out of basements through the morning while police closed Quay Street and the lower "
    "end of Chandler Road to traffic, sending buses and delivery vans around the old town.",
    "The harbour master said the water reached its highest level in forty years shortly after five in the morning, "
    "half an hour before high tide, when the wind turned to the south-west and strengthened.",
    "Shop owners spent the afternoon carrying ruined stock onto the pavement, and several said their insurance did "
    "not cover flooding from the sea because the waterfront had been classed as protected.",
    "The mayor promised an emergency fund for small businesses and said engineers would study whether the harbour "
    "wall should be raised, a project the council postponed twice in the last ten years.",
    "By evening the city put the damage at about two million dollars and said Quay Street would reopen on Thursday "
    "once the pavements have been cleaned and the street lights checked by electricians.",
]
STORM_VERSIONS = [[0, 1, 2], [0, 1, 2, 3], [0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5]]


def harbor_page(headline: str, paragraphs: list[str]) -> str:
    """A Harbor Gazette page as a scraper saves it: chrome, headline, story, more chrome."""
    return "\n".join([*TOP, headline, *WEATHER, paragraphs[0], AD, *paragraphs[1:], SPONSOR, SHARE, *NEWSLETTER])


def plain(headline: str, paragraphs: list[str]) -> str:
    return "\n".join([headline, *paragraphs])


def write_jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def harbor_records(stories: list[str], versions: bool = True) -> list[dict[str, str]]:
    records = []
    for day, name in enumerate(stories, start=1):
        headline, paragraphs = STORIES[name]
        text = harbor_page(headline, paragraphs)
        # the stored title is the page's first line, as a scraper or the .txt loader takes it
        records.append({"id": f"hg-{name}", "source": "Harbor Gazette", "published": f"2024-05-{day:02d}",
                        "title": text.split("\n")[0], "text": text})
    if versions:
        for k, (headline, picked) in enumerate(zip(STORM_HEADLINES, STORM_VERSIONS, strict=True)):
            records.append({"id": f"hg-storm-{k + 1}", "source": "Harbor Gazette",
                            "published": f"2024-05-20T{8 + 3 * k:02d}:00:00",
                            "title": TOP[0], "text": harbor_page(headline, [STORM[i] for i in picked])})
    return records


OTHER = [  # another outlet, without the Harbor Gazette's chrome
    {"id": "vc-1", "source": "Valley Courier", "published": "2024-05-02", "title": "Orchard growers expect early harvest",
     "text": "Orchard growers in the upper valley expect the apple harvest to begin two weeks early this year after "
             "a warm spring and steady rain in June, the growers' cooperative said on Friday.\nThe cooperative "
             "will open its packing house on the first of August and is hiring forty seasonal workers."},
]

HARBOR = ["ferry", "school", "quota", "library", "bridge", "market"]


@pytest.fixture
def harbor(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Corpus (six Harbor Gazette pages of different stories, four versions of one story, another
    outlet), rules file and incoming folder."""
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "harbor.jsonl", harbor_records(HARBOR))
    write_jsonl(corpus / "valley.jsonl", OTHER)
    rules = tmp_path / "provenance.toml"
    rules.write_text(RULES, encoding="utf-8")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    headline, paragraphs = STORIES["lighthouse"]
    (incoming / "new-harbor-page.txt").write_text(harbor_page(headline, paragraphs), encoding="utf-8")
    (incoming / "storm-copy.txt").write_text(plain(STORM_HEADLINES[3], STORM), encoding="utf-8")
    headline, paragraphs = STORIES["ferry"]
    (incoming / "ferry-copy.txt").write_text(plain(headline, paragraphs), encoding="utf-8")
    return corpus, rules, incoming


def rules_at(folder: Path):  # type: ignore[no-untyped-def]
    path = folder / "provenance.toml"
    path.write_text(RULES, encoding="utf-8")
    return load_rules(path)


def items_by_name(report_items: list) -> dict:  # type: ignore[type-arg]
    return {Path(item.path).name: item for item in report_items}


def scan_with(loc: str, rules_file: Path, incoming: Path, chrome: Chrome | None) -> dict:  # type: ignore[type-arg]
    """Scan every incoming file with a Scanner given ``chrome`` (None: the index's own)."""
    from provenance.documents.loaders import load_paths

    rules = load_rules(rules_file)
    with open_index(loc, rules.fingerprint, readonly=True) as index:
        scanner = Scanner(index, rules, chrome=chrome)
        out = {}
        for article in load_paths([incoming]):
            item, _, _ = scanner.scan_article(article)
            out[Path(article.path).name] = item
    return out


# -- line keys --------------------------------------------------------------------------------
def test_line_keys_ignore_case_width_punctuation_and_spaces() -> None:
    text = "Advertisement\n\nADVERTISEMENT!\nＡｄｖｅｒｔｉｓｅｍｅｎｔ\r\n  advertise-ment  \n---\nShare"
    keys = text_line_keys(text)
    assert len(keys) == text.replace("\r\n", "\n").count("\n") + 1  # one per line, as claims number them
    assert keys[0] == keys[2] == keys[3] == keys[4] != 0
    assert keys[1] == 0 and keys[5] == 0  # blank, and punctuation only
    assert keys[6] not in (0, keys[0])
    assert key_length(int(keys[0])) == len("advertisement")
    assert distinct_keys(keys).tolist() == sorted({int(keys[0]), int(keys[6])})


def test_line_keys_follow_script() -> None:
    assert text_line_keys("來源：新華社")[0] == text_line_keys("来源: 新华社")[0]


# -- the rule -----------------------------------------------------------------------------------
def _key(line: str) -> int:
    return int(text_line_keys(line)[0])


def _lines(rows: list[tuple[str, list[int]]]) -> SourceLines:
    keys = np.array([_key(line) for line, _ in rows], dtype=np.uint64)
    return SourceLines(keys, np.array([len(h) for _, h in rows], dtype=np.int64),
                       [np.array(h, dtype=np.int64) for _, h in rows])


def test_rule_short_line_of_three_different_stories_is_chrome() -> None:
    picked = chrome_keys(_lines([("Advertisement", [1, 2, 3]), ("Back to Gallery", [4, 5])]))
    assert picked.tolist() == [_key("Advertisement")]  # two holders are not enough


def test_rule_paragraphs_of_versions_of_one_story_are_not_chrome() -> None:
    # documents 1-4 are versions of one story (they share its paragraphs); 5-7 are other stories
    rows = [(STORM[0], [1, 2, 3, 4]), (STORM[1], [1, 2, 3, 4]), (STORM[2], [1, 2, 3, 4]), (STORM[3], [2, 3, 4]),
            (STORM_HEADLINES[0], [1, 2, 3]), ("Advertisement", [1, 2, 3, 4, 5, 6, 7]), ("Sign up", [2, 5, 6, 7])]
    picked = set(chrome_keys(_lines(rows)).tolist())
    assert picked == {_key("Advertisement"), _key("Sign up")}
    # the versions share a short line with one other story: two stories, not chrome
    assert not chrome_keys(_lines([*rows[:3], ("Share story", [1, 2, 5])])).size


def test_rule_long_lines_need_more_stories() -> None:
    long_line = " ".join(["word"] * 40)  # a paragraph-long line (160 characters)
    assert key_length(_key(long_line)) > 120
    assert not chrome_keys(_lines([(long_line, [1, 2, 3, 4])])).size
    assert chrome_keys(_lines([(long_line, [1, 2, 3, 4, 5])])).tolist() == [_key(long_line)]


def test_rule_a_long_chrome_line_on_every_page_does_not_make_versions() -> None:
    blurb = ("Sign up for the morning briefing and get the day's top stories from the waterfront, the council "
             "chamber and the schools")
    footer = "Read our guidelines before you comment on any story, and keep your comments civil and on topic"
    holders = list(range(1, 9))  # eight different stories: too many holders to be versions
    picked = chrome_keys(_lines([(blurb, holders), (footer, holders), ("Advertisement", holders)]))
    assert set(picked.tolist()) == {_key(blurb), _key(footer), _key("Advertisement")}


# -- in an index ----------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_chrome_learnt_from_one_outlet(backend: str, tmp_path: Path,
                                       harbor: tuple[Path, Path, Path]) -> None:
    corpus, rules_file, _ = harbor
    loc = location(backend, tmp_path)
    try:
        build_index([corpus], loc, load_rules(rules_file))
        with open_index(loc, None, readonly=True) as index:
            chrome = Chrome.load(index)
        picked = set(chrome.of("Harbor Gazette").tolist())
        assert picked == {_key(line) for line in CHROME_LINES}
        story_lines = {_key(p) for p in STORM} | {_key(h) for h in STORM_HEADLINES}
        story_lines |= {_key(p) for _, ps in STORIES.values() for p in ps}
        assert not picked & story_lines  # the versions' paragraphs stay evidence
        assert not chrome.of("Valley Courier").size
    finally:
        drop(loc)


def test_chrome_stops_pages_of_one_outlet_matching_each_other(tmp_path: Path,
                                                              harbor: tuple[Path, Path, Path]) -> None:
    corpus, rules_file, incoming = harbor
    loc = str(tmp_path / "index.sqlite")
    build_index([corpus], loc, load_rules(rules_file))
    without = scan_with(loc, rules_file, incoming, Chrome())["new-harbor-page.txt"]
    assert without.verdict != "original" and {m["name"] for m in without.matches} == {"Harbor Gazette"}
    item = items_by_name(scan([incoming], loc, load_rules(rules_file)).items)["new-harbor-page.txt"]
    assert item.verdict == "original" and not item.matches
    # the chrome lines are boilerplate blocks of the article
    text = (incoming / "new-harbor-page.txt").read_text(encoding="utf-8")
    chrome_text = "\n".join(text[b["span"][0]:b["span"][1]] for b in item.boilerplate if b["kind"] == CHROME)
    assert all(line in chrome_text for line in CHROME_LINES)
    assert STORIES["lighthouse"][0] not in chrome_text


def test_chrome_gives_no_claim(tmp_path: Path, harbor: tuple[Path, Path, Path]) -> None:
    corpus, rules_file, incoming = harbor
    loc = str(tmp_path / "index.sqlite")
    build_index([corpus], loc, load_rules(rules_file))
    without = scan_with(loc, rules_file, incoming, Chrome())["new-harbor-page.txt"]
    assert SPONSOR in {c["name"] for c in without.claims}  # the weather box reads as a credit
    item = items_by_name(scan([incoming], loc, load_rules(rules_file)).items)["new-harbor-page.txt"]
    assert not item.claims
    with open_index(loc, None, readonly=True) as index:
        chrome = Chrome.load(index)
        doc = index.get_by_id("hg-ferry")
    assert doc is not None and SPONSOR in {c["name"] for c in doc.claims}  # stored as the page was read
    assert not chrome.claims_of(doc)


def test_chrome_is_no_title(tmp_path: Path, harbor: tuple[Path, Path, Path]) -> None:
    corpus, rules_file, incoming = harbor
    loc = str(tmp_path / "index.sqlite")
    build_index([corpus], loc, load_rules(rules_file))
    with open_index(loc, None, readonly=True) as index:
        chrome = Chrome.load(index)
        doc = index.get_by_id("hg-ferry")
    assert doc is not None and doc.title == TOP[0]
    assert chrome.title_of(doc) == STORIES["ferry"][0]
    item = items_by_name(scan([incoming], loc, load_rules(rules_file)).items)["ferry-copy.txt"]
    assert item.source is not None and item.source["id"] == "hg-ferry"
    assert item.source["title"] == STORIES["ferry"][0]
    assert TOP[0] not in item.message and STORIES["ferry"][0] in item.message


def test_versions_of_one_story_keep_their_paragraphs(tmp_path: Path, harbor: tuple[Path, Path, Path]) -> None:
    corpus, rules_file, incoming = harbor
    loc = str(tmp_path / "index.sqlite")
    build_index([corpus], loc, load_rules(rules_file))
    item = items_by_name(scan([incoming], loc, load_rules(rules_file)).items)["storm-copy.txt"]
    assert item.verdict != "original"
    assert {m["id"] for m in item.matches} >= {"hg-storm-4"}
    assert item.matches[0]["kind"] == "republication" and item.matches[0]["scores"]["containment"] > 0.9
    assert not [b for b in item.boilerplate if b["kind"] == CHROME]


def test_chrome_follows_the_corpus(tmp_path: Path) -> None:
    """Two pages of an outlet teach nothing; once a third arrives, their shared lines are chrome."""
    rules = rules_at(tmp_path)
    loc = str(tmp_path / "index.sqlite")
    records = harbor_records(["ferry", "school", "quota"], versions=False)
    write_jsonl(tmp_path / "c1" / "harbor.jsonl", records[:2])
    build_index([tmp_path / "c1"], loc, rules)
    with open_index(loc, None, readonly=True) as index:
        assert not Chrome.load(index).of("Harbor Gazette").size
    write_jsonl(tmp_path / "c2" / "harbor.jsonl", records[2:])
    build_index([tmp_path / "c2"], loc, rules)
    with open_index(loc, None, readonly=True) as index:
        assert set(Chrome.load(index).of("Harbor Gazette").tolist()) == {_key(line) for line in CHROME_LINES}


CREDIT = "Source: Coastal Wire"


def _bay_portal(tmp_path: Path) -> str:
    """The index of a portal's three stories of one wire, each with the wire's credit line
    (``CREDIT``) and a sponsor's line."""
    records = [{"id": f"bp-{name}", "source": "Bay Portal", "published": f"2024-06-0{k + 1}",
                "text": "\n".join([STORIES[name][0], CREDIT, *STORIES[name][1], SPONSOR])}
               for k, name in enumerate(["school", "quota", "library"])]
    write_jsonl(tmp_path / "corpus" / "bay.jsonl", records)
    loc = str(tmp_path / "index.sqlite")
    build_index([tmp_path / "corpus"], loc, rules_at(tmp_path))
    return loc


def test_a_credit_form_repeated_across_stories_stays_a_claim(tmp_path: Path) -> None:
    """A portal carrying many stories of one wire repeats its credit line: the credit stands."""
    loc = _bay_portal(tmp_path)
    with open_index(loc, None, readonly=True) as index:
        chrome = Chrome.load(index)
        doc = index.get_by_id("bp-school")
    assert {_key(CREDIT), _key(SPONSOR)} <= set(chrome.of("Bay Portal").tolist())
    assert doc is not None
    assert {c["name"] for c in chrome.claims_of(doc)} == {"Coastal Wire"}  # the bare domain goes
    article = Article(id="x", path="x.txt", text="\n".join([STORIES["bridge"][0], CREDIT, *STORIES["bridge"][1],
                                                             SPONSOR]))
    analysis = analyse(article, FingerprintParams(), chrome=chrome)
    assert [c.name for c in analysis.attribution.claims] == ["Coastal Wire"]
    assert [b.kind for b in analysis.blocks if b.kind == CHROME] == [CHROME]  # the bare domain's line only


def test_corpus_fingerprints_never_depend_on_chrome(tmp_path: Path, harbor: tuple[Path, Path, Path]) -> None:
    """What the index stores for a document is the same whatever was learnt before it."""
    corpus, rules_file, _ = harbor
    rules = load_rules(rules_file)
    loc = str(tmp_path / "index.sqlite")
    build_index([corpus], loc, rules)
    alone = tmp_path / "alone"
    write_jsonl(alone / "one.jsonl", [r for r in harbor_records(HARBOR) if r["id"] == "hg-bridge"])
    single = str(tmp_path / "single.sqlite")
    build_index([alone], single, rules)

    def stored(path: str) -> tuple[object, ...]:
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT screen_z, offsets, simhash, claims FROM docs WHERE id = 'hg-bridge'").fetchone()
        finally:
            conn.close()

    assert stored(loc) == stored(single)


# -- counts follow the documents, in both backends -------------------------------------------------
def _expected(records: list[dict[str, str]]) -> dict[str, Counter[int]]:
    out: dict[str, Counter[int]] = {}
    for record in records:
        out.setdefault(record["source"], Counter()).update(distinct_keys(text_line_keys(record["text"])).tolist())
    return out


def _check_counts(loc: str, records: list[dict[str, str]]) -> None:
    expected = _expected(records)
    by_id = {r["id"]: r for r in records}
    with open_index(loc, None, readonly=True) as index:
        for source in ("Harbor Gazette", "Valley Courier", "Gull Point News"):
            assert index.line_counts(source) == dict(expected.get(source, Counter())), source
        rowid_of = {doc.id: doc.rowid for batch in index.iter_docs() for doc in batch}
        frequent = index.frequent_lines(MIN_HOLDERS, 256)
        # which documents hold each line, as a scan asks before reading matched texts again (None: cannot tell)
        docs = [(rowid_of[i], r["source"]) for i, r in by_id.items()]
        keys = sorted({key for counts in expected.values() for key in counts} | {_key("No document has this line")})
        holders = index.line_holders(keys, docs)
        if holders is not None:
            held_by: dict[int, set[int]] = {}
            for i, r in by_id.items():
                for key in distinct_keys(text_line_keys(r["text"])).tolist():
                    held_by.setdefault(key, set()).add(rowid_of[i])
            assert holders == held_by
            assert index.line_holders(keys, docs[:1]) == {k: v & {docs[0][0]} for k, v in held_by.items()
                                                          if docs[0][0] in v}
    for source, counts in expected.items():
        wanted = {key for key, n in counts.items() if n >= MIN_HOLDERS}
        lines = frequent.get(source)
        assert set(lines.keys.tolist() if lines else []) == wanted
        if lines is None:
            continue
        for key, n, holders in zip(lines.keys.tolist(), lines.counts.tolist(), lines.holders, strict=True):
            held = {rowid_of[i] for i, r in by_id.items() if r["source"] == source
                    and key in distinct_keys(text_line_keys(r["text"])).tolist()}
            assert n == len(held) and set(holders.tolist()) == held


@pytest.mark.parametrize("backend", BACKENDS)
def test_counts_follow_added_replaced_and_removed_documents(backend: str, tmp_path: Path) -> None:
    rules = rules_at(tmp_path)
    loc = location(backend, tmp_path)
    try:
        records = harbor_records(["ferry", "school", "quota", "library"]) + OTHER
        write_jsonl(tmp_path / "c1" / "all.jsonl", records)
        build_index([tmp_path / "c1"], loc, rules)
        _check_counts(loc, records)
        # replace: one page gets another story, another page moves to another source
        changed = [dict(r) for r in records]
        headline, paragraphs = STORIES["bridge"]
        changed[1]["text"] = harbor_page(headline, paragraphs)
        changed[2]["source"] = "Gull Point News"
        write_jsonl(tmp_path / "c1" / "all.jsonl", changed)
        result = build_index([tmp_path / "c1"], loc, rules)
        assert result.updated == 2
        _check_counts(loc, changed)
        # remove: pruned from the corpus, and removed by id
        kept = [r for r in changed if r["id"] not in ("hg-ferry", "hg-storm-2")]
        write_jsonl(tmp_path / "c1" / "all.jsonl", kept)
        assert build_index([tmp_path / "c1"], loc, rules, prune=True).removed == 2
        _check_counts(loc, kept)
        with open_index(loc, None) as index:
            assert index.remove([r["id"] for r in kept]) == len(kept)
        _check_counts(loc, [])
        with open_index(loc, None, readonly=True) as index:
            assert index.frequent_lines(MIN_HOLDERS, 256) == {}
        if backend == "sqlite":
            conn = sqlite3.connect(loc)
            try:
                assert conn.execute("SELECT COUNT(*) FROM lines").fetchone()[0] == 0
                assert conn.execute("SELECT COUNT(*) FROM postings").fetchone()[0] == 0
            finally:
                conn.close()
        elif backend == "postgres":
            import psycopg

            from provenance.index.postgres_backend import split_url

            url, schema = split_url(loc)
            with psycopg.connect(url) as conn:
                for table in ("lines", "postings", "bands", "simblocks", "docs"):
                    assert conn.execute(f'SELECT count(*) FROM "{schema}".{table}').fetchone()[0] == 0, table
        else:
            import redis

            from provenance.index.redis_backend import _split_url

            url, prefix = _split_url(loc)
            client = redis.Redis.from_url(url)
            assert not list(client.scan_iter(f"{prefix}:l:*")) and not list(client.scan_iter(f"{prefix}:lz:*"))
            assert not list(client.scan_iter(f"{prefix}:p:*"))
    finally:
        drop(loc)


@pytest.mark.parametrize("backend", BACKENDS)
def test_copy_keeps_the_counts(backend: str, tmp_path: Path, harbor: tuple[Path, Path, Path]) -> None:
    corpus, rules_file, _ = harbor
    rules = load_rules(rules_file)
    src = str(tmp_path / "src.sqlite")
    build_index([corpus], src, rules)
    dst = location(backend, tmp_path)
    try:
        assert copy_index(src, dst, rules) == len(HARBOR) + 4 + len(OTHER)
        with open_index(src, None, readonly=True) as a, open_index(dst, None, readonly=True) as b:
            assert a.line_counts("Harbor Gazette") == b.line_counts("Harbor Gazette")
            assert Chrome.load(a).summary() == Chrome.load(b).summary()
    finally:
        drop(dst)


# -- schema ---------------------------------------------------------------------------------------
def test_embedded_index_of_the_previous_schema_is_refused(tmp_path: Path, harbor: tuple[Path, Path, Path]) -> None:
    corpus, rules_file, _ = harbor
    loc = str(tmp_path / "index.sqlite")
    build_index([corpus], loc, load_rules(rules_file))
    conn = sqlite3.connect(loc)
    conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema'")
    conn.commit()
    conn.close()
    with pytest.raises(IndexError_, match=r"schema 5 is not supported.*rebuild the index"):
        open_index(loc, None, readonly=True)


@pytest.mark.parametrize("schema", [4, 5])
def test_redis_index_of_a_previous_schema_is_refused_and_copied(tmp_path: Path, harbor: tuple[Path, Path, Path],
                                                                schema: int) -> None:
    from redis_legacy import write_old_layout

    require_redis()
    corpus, rules_file, _ = harbor
    rules = load_rules(rules_file)
    built = str(tmp_path / "built.sqlite")
    build_index([corpus], built, rules)
    old, new = location("redis", tmp_path), location("redis", tmp_path)
    try:
        write_old_layout(built, old, schema)
        with pytest.raises(IndexError_) as caught:
            open_index(old, None)
        message = str(caught.value)
        assert f"schema-{schema}" in message and "rebuild" in message.lower() and "provenance index copy" in message
        assert copy_index(old, new, rules) == len(HARBOR) + 4 + len(OTHER)
        with open_index(new, None, readonly=True) as index:
            assert set(Chrome.load(index).of("Harbor Gazette").tolist()) == {_key(line) for line in CHROME_LINES}
    finally:
        drop(old)
        drop(new)


@contextmanager
def _harbor_in_redis(tmp_path: Path, harbor: tuple[Path, Path, Path]) -> Iterator[tuple[Any, str, str]]:
    """The harbor corpus built into the test Redis: (client, the Harbor Gazette's key stem, location)."""
    import redis

    from provenance.index.redis_backend import _source_tag, _split_url

    require_redis()
    corpus, rules_file, _ = harbor
    loc = location("redis", tmp_path)
    try:
        build_index([corpus], loc, load_rules(rules_file))
        url, prefix = _split_url(loc)
        yield redis.Redis.from_url(url), f"{prefix}:{{}}:{_source_tag('Harbor Gazette')}", loc
    finally:
        drop(loc)


def _line_buckets(client: Any, stem: str) -> list[bytes]:
    found = sorted(client.scan_iter(f"{stem.format('l')}:*"))
    assert found
    return found


@pytest.mark.parametrize("value", [b"x" * 5, b"\x00" * 13])
def test_redis_line_counts_are_parsed_strictly(tmp_path: Path, harbor: tuple[Path, Path, Path],
                                               value: bytes) -> None:
    with _harbor_in_redis(tmp_path, harbor) as (client, stem, loc):
        bucket = _line_buckets(client, stem)[0]
        client.append(bucket, value)
        with open_index(loc, None, readonly=True) as index, pytest.raises(IndexError_, match=":l:") as caught:
            index.line_counts("Harbor Gazette")
        assert bucket.decode() in str(caught.value) and str(caught.value).endswith("rebuild the index")


def test_redis_holders_are_parsed_strictly(tmp_path: Path, harbor: tuple[Path, Path, Path]) -> None:
    with _harbor_in_redis(tmp_path, harbor) as (client, stem, loc):
        for bucket in _line_buckets(client, stem):
            client.append(bucket, b"1 OR 1")
        with open_index(loc, None, readonly=True) as index, pytest.raises(IndexError_, match=":l:"):
            Chrome.load(index)


def test_stored_doc_without_chrome_is_left_alone() -> None:
    doc = StoredDoc(rowid=1, id="a", path="a", text="Headline\nBody text.", title="Headline", source="Nowhere",
                    url=None, published=None, publisher=None, license=None, language=None, simhash=0,
                    shingle_count=0, policy=None, policy_from=None, no_edits=False, aggregator=False,
                    claims=[{"name": "X", "kind": "explicit", "span": [0, 1], "line": 0}])
    chrome = Chrome({"Elsewhere": np.array([_key("Headline")], dtype=np.uint64)})
    assert chrome.title_of(doc) == "Headline" and chrome.claims_of(doc) == doc.claims
    assert chrome.clean(doc) is doc and doc.title == "Headline"


def test_claims_keep_their_line_keys_and_old_claims_read_the_text(tmp_path: Path) -> None:
    """The index keeps each claim's line key (the key of its line in the text), so a scan tells
    chrome claims without reading the matched text's lines; claims stored without keys (an index
    built before) are judged from the text, with the same answer."""
    loc = _bay_portal(tmp_path)
    with open_index(loc, None, readonly=True) as index:
        chrome = Chrome.load(index)
        doc = index.get_by_id("bp-school")
    assert doc is not None and doc.claims
    keys = text_line_keys(doc.text)
    assert all(c["line_key"] == int(keys[c["line"]]) for c in doc.claims)
    with_keys = chrome.claims_of(doc)
    doc.claims = [{k: v for k, v in c.items() if k != "line_key"} for c in doc.claims]
    without = chrome.claims_of(doc)
    assert [c["name"] for c in with_keys] == [c["name"] for c in without] == ["Coastal Wire"]
    doc.claims[0]["line_key"] = "not a key"  # a hostile index: the text decides
    assert [c["name"] for c in chrome.claims_of(doc)] == ["Coastal Wire"]
