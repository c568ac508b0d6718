"""Scanning analyses articles in batches: the report is the one scanning each article alone gives,
and an article whose analysis fails is reported for its own file without losing the others."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_kit import EN_ORIGINAL, ZH_ORIGINAL, build_world, write

import provenance.analysis
from provenance.documents.loaders import iter_files, load_found
from provenance.engine import Scanner, _scan_safely, build_index, scan
from provenance.index.base import open_index
from provenance.rules import load_rules


def test_batched_scan_equals_scanning_each_article_alone(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    rules = load_rules(world.rules_file)
    with open_index(world.index, rules.fingerprint) as index:
        scanner = Scanner(index, rules)
        alone = [
            _scan_safely(scanner, article).to_dict()
            for found in iter_files([world.incoming])
            for article in load_found(found, {})
        ]
    batched = [item.to_dict() for item in world.report.items]
    assert len(batched) == len(alone) > 16  # more than one batch
    assert batched == alone


def _break_analysis_of_marked_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Analysing a text that holds BREAKS-THE-ANALYSIS raises (workers fork with this in place)."""
    real = provenance.analysis.normalise

    def failing(text: str) -> object:
        if "BREAKS-THE-ANALYSIS" in text:
            raise RuntimeError("simulated failure")
        return real(text)

    monkeypatch.setattr(provenance.analysis, "normalise", failing)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_analysis_is_reported_for_its_file_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           jobs: int) -> None:
    world = build_world(tmp_path, scan_incoming=False)
    rules = load_rules(world.rules_file)
    incoming = tmp_path / "mixed"
    for k in range(20):
        write(incoming / f"a{k:02d}.txt", ZH_ORIGINAL if k % 2 else EN_ORIGINAL)
    write(incoming / "a07.txt", "BREAKS-THE-ANALYSIS\n" + ZH_ORIGINAL)
    expected = {Path(i.path).name: i.verdict for i in scan([incoming], world.index, rules).items}

    _break_analysis_of_marked_texts(monkeypatch)
    items = {Path(i.path).name: i for i in scan([incoming], world.index, rules, jobs=jobs).items}
    assert len(items) == 20
    broken = items.pop("a07.txt")
    assert broken.rule == "internal error" and "a07.txt" in broken.message and "simulated failure" in broken.message
    assert {name: item.verdict for name, item in items.items()} == {
        name: verdict for name, verdict in expected.items() if name != "a07.txt"}
    assert {item.verdict for item in items.values()} != {"original"}  # the others were really matched


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_analysis_leaves_its_file_alone_out_of_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   jobs: int) -> None:
    corpus = tmp_path / "corpus"
    for k in range(12):
        write(corpus / f"d{k:02d}.txt", (ZH_ORIGINAL if k % 2 else EN_ORIGINAL) + f"\n{k}\n")
    write(corpus / "d05.txt", "BREAKS-THE-ANALYSIS\n" + ZH_ORIGINAL)
    _break_analysis_of_marked_texts(monkeypatch)
    result = build_index([corpus], str(tmp_path / "i.sqlite"), load_rules(None), jobs=jobs)
    assert result.added == 11
    assert [Path(a.path).name for a in result.unreadable] == ["d05.txt"]
    assert "simulated failure" in (result.unreadable[0].error or "")


def test_workers_fork_with_the_callers_objects_frozen(tmp_path: Path) -> None:
    """While a pool of workers runs, the caller's objects sit in the permanent generation (so a
    forked worker's collections never walk them); afterwards they are collectable again."""
    import gc

    world = build_world(tmp_path, scan_incoming=False)
    rules = load_rules(world.rules_file)
    seen: list[int] = []
    report = scan([world.incoming], world.index, rules, jobs=2, on_item=lambda _: seen.append(gc.get_freeze_count()))
    assert len(report.items) == len(seen) > 4
    assert min(seen) > 0
    assert gc.get_freeze_count() == 0
    scan([world.incoming], world.index, rules, jobs=1, on_item=lambda _: seen.append(gc.get_freeze_count()))
    assert set(seen[len(report.items):]) == {0}  # no pool, nothing frozen
    gc.freeze()  # a caller's own freeze (the command's, of its imports) outlives the pool
    try:
        frozen = gc.get_freeze_count()
        scan([world.incoming], world.index, rules, jobs=2)
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
