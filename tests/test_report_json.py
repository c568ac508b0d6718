"""The JSON report (DESIGN §6, ``provenance-report/1``): keys, types, summary and offsets into loaded texts."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import pytest
from corpus_kit import World

from provenance import __version__
from provenance.documents.loaders import load_paths
from provenance.params import FingerprintParams
from provenance.report.formatters import formatter
from provenance.report.model import Report
from provenance.rules import POLICIES
from provenance.text.normalize import normalise
from provenance.verdicts import SEVERITY, VERDICTS

ITEM_KEYS = {"path", "id", "language", "verdict", "severity", "message", "source", "chain", "attribution", "matches"}
HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def report(world: World) -> dict[str, Any]:
    return world.report_dict()


def _loaded(path: str) -> str:
    articles = list(load_paths([path]))
    assert len(articles) == 1
    return articles[0].text


def test_top_level(report: dict[str, Any], world: World) -> None:
    assert set(report) == {"schema", "tool", "index", "summary", "items"}
    assert report["schema"] == "provenance-report/1"
    assert report["tool"] == {"name": "provenance", "version": __version__}
    index = report["index"]
    assert {"backend", "documents", "params"} <= set(index)
    assert index["backend"] == "sqlite"
    assert index["documents"] == len(world.docs) and isinstance(index["documents"], int)
    assert index["params"] == FingerprintParams().to_dict()


def test_summary(report: dict[str, Any]) -> None:
    summary = report["summary"]
    items = report["items"]
    assert set(summary) == {"scanned", "by_verdict", "exit_code"}
    assert summary["scanned"] == len(items) == 21
    assert isinstance(summary["by_verdict"], dict)
    assert sum(summary["by_verdict"].values()) == summary["scanned"]
    for verdict, count in summary["by_verdict"].items():
        assert verdict in VERDICTS and isinstance(count, int) and count > 0
        assert count == sum(1 for i in items if i["verdict"] == verdict)
    assert summary["exit_code"] == 1  # errors are present and --fail-on defaults to error


@pytest.mark.parametrize(("fail_on", "expected"), [("error", 1), ("info", 1), ("never", 0)])
def test_summary_exit_code_follows_fail_on(world: World, fail_on: str, expected: int) -> None:
    import json

    clean = [i for i in world.report.items if SEVERITY[i.verdict] in ("none", "info")]
    errors = Report(items=world.report.items, index=world.report.index, fail_on=fail_on)
    assert json.loads(formatter("json")(errors))["summary"]["exit_code"] == expected
    only_clean = Report(items=clean, index=world.report.index, fail_on=fail_on)
    expected_clean = 1 if fail_on == "info" else 0
    assert json.loads(formatter("json")(only_clean))["summary"]["exit_code"] == expected_clean


def test_items_shape_and_types(report: dict[str, Any]) -> None:
    for item in report["items"]:
        keys = set(item)
        if item["verdict"] in ("original", "unreadable"):
            assert keys == ITEM_KEYS - {"source"}, item["path"]
        else:
            assert keys == ITEM_KEYS, item["path"]
        assert isinstance(item["path"], str) and isinstance(item["id"], str)
        assert item["language"] is None or isinstance(item["language"], str)
        assert item["verdict"] in VERDICTS
        assert item["severity"] == SEVERITY[item["verdict"]]
        assert isinstance(item["message"], str) and item["message"]
        assert isinstance(item["chain"], list)
        assert isinstance(item["attribution"], dict) and isinstance(item["attribution"]["claims"], list)
        assert isinstance(item["matches"], list)
        if "source" in item:
            source = item["source"]
            assert {"id", "name", "url", "published", "policy", "policy_from"} <= set(source)
            assert isinstance(source["id"], str) and isinstance(source["name"], str)
            assert source["url"] is None or isinstance(source["url"], str)
            assert source["published"] is None or isinstance(source["published"], str)
            assert source["policy"] in POLICIES
            assert isinstance(source["policy_from"], str) and source["policy_from"]
            assert item["chain"], "a judged item keeps the chain of copies"
        for link in item["chain"]:
            assert {"id", "name", "published"} <= set(link)
        for claim in item["attribution"]["claims"]:
            assert {"text", "name", "resolved", "span"} <= set(claim)
            assert isinstance(claim["text"], str) and isinstance(claim["name"], str)
            assert claim["resolved"] is None or isinstance(claim["resolved"], str)
            assert _is_span(claim["span"])
        for match in item["matches"]:
            assert {"id", "name", "verdict", "kind", "scores", "passages"} <= set(match)
            assert match["verdict"] in VERDICTS and match["kind"] in ("republication", "excerpt")
            scores = match["scores"]
            assert set(scores) >= {"jaccard", "containment", "source_coverage", "simhash_distance"}
            for key in ("jaccard", "containment", "source_coverage"):
                assert isinstance(scores[key], float | int) and 0.0 <= scores[key] <= 1.0, (key, scores[key])
            assert isinstance(scores["simhash_distance"], int) and 0 <= scores["simhash_distance"] <= 64
            assert match["passages"], "a verified match shows its shared passages"
            for passage in match["passages"]:
                assert set(passage) >= {"article", "source"}
                assert _is_span(passage["article"]) and _is_span(passage["source"])


def _is_span(span: Any) -> bool:
    return (isinstance(span, list) and len(span) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                               for v in span) and 0 <= span[0] <= span[1])


def test_source_absent_only_for_original_and_unreadable(report: dict[str, Any]) -> None:
    for item in report["items"]:
        assert ("source" in item) == (item["verdict"] not in ("original", "unreadable")), item["path"]


def test_matches_best_first(report: dict[str, Any]) -> None:
    for item in report["items"]:
        if "source" in item:
            assert any(m["id"] == item["source"]["id"] for m in item["matches"])


def _han(text: str) -> str:
    return "".join(HAN.findall(normalise(text).norm)) or normalise(text).norm


def test_passage_offsets_point_into_the_loaded_texts(report: dict[str, Any], world: World) -> None:
    checked = 0
    for item in report["items"]:
        if not item["matches"]:
            continue
        article = _loaded(item["path"])
        for match in item["matches"]:
            source = world.docs[match["id"]]
            for passage in match["passages"]:
                a0, a1 = passage["article"]
                s0, s1 = passage["source"]
                assert a1 <= len(article), (item["path"], passage)
                assert s1 <= len(source), (match["id"], passage)
                assert a1 > a0 and s1 > s0
                mine, theirs = _han(article[a0:a1]), _han(source[s0:s1])
                ratio = difflib.SequenceMatcher(None, mine, theirs, autojunk=False).ratio()
                assert ratio >= 0.8, (item["path"], match["id"], article[a0:a1][:60], source[s0:s1][:60])
                checked += 1
    assert checked >= 15


def test_seed_passages_cover_the_body_not_the_boilerplate(report: dict[str, Any]) -> None:
    item = next(i for i in report["items"] if i["path"].endswith("seed.txt"))
    text = _loaded(item["path"])
    boiler = text.index("（責任編輯")
    covered = 0
    for passage in item["matches"][0]["passages"]:
        a0, a1 = passage["article"]
        assert a1 <= boiler + 1, "a passage reaches into the boilerplate"
        covered += a1 - a0
    body = text[: boiler]
    assert covered >= 0.8 * (len(body) - body.index("4月"))


def test_claim_spans_are_the_claim_text(report: dict[str, Any]) -> None:
    seen = 0
    for item in report["items"]:
        for claim in item["attribution"]["claims"]:
            text = _loaded(item["path"])
            start, end = claim["span"]
            assert text[start:end] == claim["text"], (item["path"], claim)
            seen += 1
    assert seen >= 8


def test_paths_are_as_given(report: dict[str, Any], world: World) -> None:
    for item in report["items"]:
        assert Path(item["path"]).parent == world.incoming


def test_offsets_in_crlf_legacy_encoded_full_width_article(world: World, tmp_path: Path) -> None:
    import json

    from corpus_kit import ZH_ORIGINAL

    from provenance.engine import scan
    from provenance.rules import load_rules

    text = ZH_ORIGINAL.replace("\n", "\r\n").replace("4月8日", "４月８日").replace("，", "\u200b，")
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.replace("\u200b", "").encode("gb18030"))
    wide = tmp_path / "wide.txt"
    wide.write_text(text, encoding="utf-16")
    report = scan([path, wide], world.index, load_rules(world.rules_file))
    data = json.loads(formatter("json")(report))
    for item in data["items"]:
        assert item["verdict"] == "unattributed"
        loaded = _loaded(item["path"])
        assert "\r\n" in loaded
        for passage in item["matches"][0]["passages"]:
            a0, a1 = passage["article"]
            s0, s1 = passage["source"]
            assert 0 <= a0 < a1 <= len(loaded)
            assert _han(loaded[a0:a1]) == _han(world.docs["qs-0408"][s0:s1])
