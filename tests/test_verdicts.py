"""Every verdict of DESIGN §5 on articles written for these tests (see corpus_kit.CASES)."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_kit import (
    CASES,
    EN_ORIGINAL,
    LICENSEE_RULES,
    RULES,
    ZH_BAYBERRY,
    ZH_ORIGINAL,
    ZH_PARK,
    ZH_SIGNALS,
    World,
    front_matter,
    write,
)

from provenance.engine import build_index, scan
from provenance.report.model import Item
from provenance.rules import load_rules
from provenance.verdicts import SEVERITY


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_verdict_and_original(world: World, case) -> None:  # type: ignore[no-untyped-def]
    item = world.item(case.name)
    assert item.verdict == case.verdict, item.message
    assert (item.source or {}).get("id") == case.source_id, item.message
    assert item.severity == SEVERITY[case.verdict]
    assert isinstance(item.message, str) and item.message.strip()
    if case.verdict in ("original", "unreadable"):
        assert item.source is None
        assert item.matches == []
    else:
        assert item.matches, "a verdict about a source lists the verified match"
        assert item.matches[0]["id"] == case.source_id or any(m["id"] == case.source_id for m in item.matches)


def test_every_verdict_is_covered(world: World) -> None:
    assert {i.verdict for i in world.report.items} == {
        "original", "own", "permitted", "attributed", "excerpt", "unattributed", "misattributed", "prohibited",
        "unreadable"}


def _item(world: World, name: str) -> Item:
    return world.item(name)


def test_seed_case_is_unattributed_and_names_the_original(world: World) -> None:
    item = _item(world, "seed.txt")
    assert item.verdict == "unattributed"
    assert item.language == "zh"
    assert "青山日报" in item.message
    assert item.source is not None
    assert item.source["name"] == "青山日报"
    assert item.source["policy"] == "attribution-required"
    assert "provenance.toml:" in item.source["policy_from"]  # the rules file line that set it
    assert item.source["url"] == "https://www.qsrb.example.cn/"
    assert item.source["published"].startswith("2024-04-08")
    assert item.matches[0]["kind"] == "republication"
    assert item.matches[0]["verdict"] == "unattributed"
    assert item.claims == []


def test_seed_case_with_credit_line_is_attributed(world: World) -> None:
    item = _item(world, "seed-credited.txt")
    assert item.verdict == "attributed"
    claim = next(c for c in item.claims if c["resolved"] == "青山日报")
    text = (world.incoming / "seed-credited.txt").read_text(encoding="utf-8")
    assert text[claim["span"][0] : claim["span"][1]] == claim["text"]
    assert "青山日報" in claim["text"]


def test_misattributed_names_both(world: World) -> None:
    item = _item(world, "water-misattributed.md")
    assert "白河晚报" in item.message and "青山日报" in item.message


def test_excerpt_is_excerpt(world: World) -> None:
    item = _item(world, "water-commentary.md")
    assert item.matches[0]["kind"] == "excerpt"
    assert item.matches[0]["scores"]["source_coverage"] < 0.3
    assert item.severity == "info"


def test_prohibited_and_licensee(world: World, tmp_path: Path) -> None:
    item = _item(world, "signals-credited.md")
    assert item.verdict == "prohibited"
    assert item.source is not None and item.source["policy"] == "no-reprint"
    # the same articles scanned for the licensee: judged as attribution-required
    rules = load_rules(write(tmp_path / "provenance.toml", LICENSEE_RULES))
    credited = write(tmp_path / "in" / "credited.md", ZH_SIGNALS + "\n来源：白河晚报\n")
    uncredited = write(tmp_path / "in" / "uncredited.md", ZH_SIGNALS)
    report = scan([credited, uncredited], world.index, rules)
    verdicts = {Path(i.path).name: i.verdict for i in report.items}
    assert verdicts == {"credited.md": "attributed", "uncredited.md": "unattributed"}


def test_attribution_and_link(world: World) -> None:
    name_only = _item(world, "port-name-only.txt")
    assert name_only.verdict == "unattributed"
    assert "link" in name_only.message.lower()
    assert "https://www.djw.example.cn/" in name_only.message
    for name in ("port-link.txt", "port-domain.txt"):
        item = _item(world, name)
        assert item.verdict == "attributed", item.message
        assert item.source is not None and item.source["policy"] == "attribution-and-link"


def test_chain_credit_through_intermediate(world: World) -> None:
    item = _item(world, "park-chain.txt")
    assert item.verdict == "attributed"
    assert item.source is not None and item.source["name"] == "南湖日报"
    chain = item.chain
    assert [c["id"] for c in chain][:2] == ["nh-0301", "sl-0304"]
    assert chain[0]["published"] < chain[1]["published"]
    assert {"id", "name", "published"} <= set(chain[0])
    assert "松林商报" in item.message
    # the intermediate is free, but in a chain the original's policy decides
    assert item.source["policy"] == "attribution-required"


def test_chain_without_credit_follows_the_original_policy(world: World, tmp_path: Path) -> None:
    rules = load_rules(world.rules_file)
    article = write(tmp_path / "park.txt", ZH_PARK)
    item = scan([article], world.index, rules).items[0]
    assert item.verdict == "unattributed", item.message  # not "permitted", though the reprint's source is free
    assert item.source is not None and item.source["id"] == "nh-0301"


def test_disclaimer_derived_policy(world: World) -> None:
    for name, doc_id in (("school.txt", "bl-0601"), ("library.txt", "bl-0603")):
        item = _item(world, name)
        assert item.verdict == "prohibited"
        assert item.source is not None
        assert item.source["id"] == doc_id
        assert item.source["policy"] == "no-reprint"
        assert "未经授权" in item.source["policy_from"], item.source["policy_from"]


def test_rules_file_wins_over_a_disclaimer(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "sl.md", front_matter(ZH_BAYBERRY + "\n未经授权，不得转载。\n", id="sl-x", source="松林商报",
                                         published="2024-06-20"))
    rules = load_rules(write(tmp_path / "provenance.toml", RULES))
    location = str(tmp_path / "i.sqlite")
    build_index([corpus], location, rules)
    article = write(tmp_path / "in" / "copy.txt", ZH_BAYBERRY)
    item = scan([article], location, rules).items[0]
    assert item.verdict == "permitted", item.message
    assert item.source is not None and "provenance.toml:" in item.source["policy_from"]


def test_own_source(world: World) -> None:
    item = _item(world, "toilets.md")
    assert item.verdict == "own" and item.severity == "none"


def test_credit_line_alone_makes_no_match(world: World) -> None:
    item = _item(world, "credit-only.txt")
    assert item.verdict == "original"
    assert item.matches == []
    assert any(c["resolved"] == "青山日报" for c in item.claims)


def test_several_sources_each_judged(world: World) -> None:
    item = _item(world, "two-sources.txt")
    by_id = {m["id"]: m for m in item.matches}
    assert set(by_id) == {"bh-0512", "sl-0620"}
    assert by_id["bh-0512"]["verdict"] == "prohibited"
    assert by_id["sl-0620"]["verdict"] == "permitted"
    assert item.verdict == "prohibited"


def test_english_credit_and_language(world: World) -> None:
    assert _item(world, "council.md").language == "en"
    assert _item(world, "council-credited.md").verdict == "attributed"


def test_unreadable_files_do_not_stop_the_scan(world: World, tmp_path: Path) -> None:
    rules = load_rules(world.rules_file)
    folder = tmp_path / "mixed"
    write(folder / "a-empty.md", b"")
    write(folder / "b-binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 3)
    write(folder / "c-invalid.txt", bytes([0x80, 0x9D, 0xFF, 0x01, 0x90, 0x1C, 0x8D, 0x7F]) * 80)
    write(folder / "d-copy.txt", ZH_ORIGINAL)
    report = scan([folder], world.index, rules)
    verdicts = {Path(i.path).name: i for i in report.items}
    assert set(verdicts) == {"a-empty.md", "b-binary.txt", "c-invalid.txt", "d-copy.txt"}
    for name in ("a-empty.md", "b-binary.txt", "c-invalid.txt"):
        item = verdicts[name]
        assert item.verdict == "unreadable", (name, item.message)
        assert name in item.message and len(item.message) > len(str(folder / name)) + 5  # says why
    assert verdicts["d-copy.txt"].verdict == "unattributed"
    assert report.exit_code == 1


@pytest.mark.parametrize(("policy", "seed", "credited"), [
    ("no-reprint", "prohibited", "prohibited"),
    ("attribution-and-link", "unattributed", "unattributed"),
    ("free", "permitted", "attributed"),
])
def test_excerpt_whatever_the_policy(world: World, tmp_path: Path, policy: str, seed: str, credited: str) -> None:
    text = RULES.replace('url = "https://www.qsrb.example.cn/"\npolicy = "attribution-required"',
                         f'url = "https://www.qsrb.example.cn/"\npolicy = "{policy}"')
    assert text != RULES
    rules = load_rules(write(tmp_path / "provenance.toml", text))
    names = ["water-commentary.md", "seed.txt", "seed-credited.txt"]
    report = scan([world.incoming / n for n in names], world.index, rules)
    assert [i.verdict for i in report.items] == ["excerpt", seed, credited]


@pytest.mark.parametrize(("name", "text"), [
    ("fullwidth.md", EN_ORIGINAL + "\nＳｏｕｒｃｅ：ＲＩＤＧＥＶＩＥＷ ＴＲＩＢＵＮＥ\n"),
    ("upper.md", EN_ORIGINAL + "\nSOURCE: RIDGEVIEW TRIBUNE\n"),
    ("alias.md", EN_ORIGINAL + "\nSource: The Ridgeview Tribune\n"),
    ("dateline.md", "RIDGEVIEW (Ridgeview Tribune) - " + EN_ORIGINAL),
    ("traditional.txt", ZH_ORIGINAL + "\n來源：青山日報\n"),
    ("gaoyuan.txt", ZH_ORIGINAL + "\n稿源：青山日報\n"),
    ("zhuanzai.txt", "本文转载自青山日报。\n" + ZH_ORIGINAL),
    ("domain.txt", ZH_ORIGINAL + "\n来源：qsrb.example.cn\n"),
    ("url.txt", ZH_ORIGINAL + "\n原文链接：https://www.qsrb.example.cn/2024/04/08/water.html\n"),
])
def test_credit_forms_that_name_the_original(world: World, tmp_path: Path, name: str, text: str) -> None:
    article = write(tmp_path / name, text)
    item = scan([article], world.index, load_rules(world.rules_file)).items[0]
    assert item.verdict == "attributed", (item.message, item.claims)
