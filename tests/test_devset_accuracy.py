"""Accuracy on ../shared/devset (present in CI; skipped, with the reason, in a clone without it),
and the same verdicts when the devset is indexed in the shared backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from backends import BACKENDS, drop, location
from shared_data import DEVSET, require_devset

from provenance.engine import build_index, scan
from provenance.rules import load_rules
from provenance.verdicts import SEVERITY


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], dict[str, dict]]:
    require_devset()
    index = str(tmp_path_factory.mktemp("devset") / "dev.sqlite")
    labels = [json.loads(line) for line in (DEVSET / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return labels, _build_and_scan(index)


def _build_and_scan(index: str) -> dict[str, dict]:
    rules = load_rules(DEVSET / "provenance.toml")
    build_index([DEVSET / "corpus"], index, rules, jobs=2)
    report = scan([DEVSET / "incoming"], index, rules)
    return {item.path.split("incoming/")[-1]: item.to_dict() for item in report.items}


def test_devset_accuracy(results: tuple[list[dict], dict[str, dict]]) -> None:
    labels, items = results
    got = [items[label["path"].split("incoming/")[-1]] for label in labels]
    verdict_acc = sum(g["verdict"] == lab["verdict"] for g, lab in zip(got, labels, strict=True)) / len(labels)
    with_source = [(g, lab) for g, lab in zip(got, labels, strict=True) if lab["source_id"]]
    source_acc = sum((g.get("source") or {}).get("id") == lab["source_id"] for g, lab in with_source) / len(with_source)
    negatives = [(g, lab) for g, lab in zip(got, labels, strict=True) if SEVERITY[lab["verdict"]] != "error"]
    false_positive = sum(g["severity"] == "error" for g, _ in negatives) / len(negatives)
    assert verdict_acc >= 0.97, verdict_acc
    assert source_acc >= 0.98, source_acc
    assert false_positive <= 0.005, false_positive


def test_devset_attribution_variants(results: tuple[list[dict], dict[str, dict]]) -> None:
    labels, items = results
    by_variant: dict[str, list[bool]] = {}
    for label in labels:
        item = items[label["path"].split("incoming/")[-1]]
        by_variant.setdefault(label["attribution"], []).append(item["verdict"] == label["verdict"])
    for variant, hits in by_variant.items():
        assert sum(hits) / len(hits) >= 0.95, (variant, sum(hits), len(hits))


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "sqlite"])
def test_devset_verdicts_on_a_shared_backend(backend: str, results: tuple[list[dict], dict[str, dict]],
                                             tmp_path: Path) -> None:
    """The devset built into a server backend gives the embedded index's report, item for item."""
    _, embedded = results
    loc = location(backend, tmp_path)
    try:
        shared = _build_and_scan(loc)
    finally:
        drop(loc)
    assert shared.keys() == embedded.keys()
    differing = sorted(path for path in embedded if shared[path] != embedded[path])
    assert not differing, [(p, embedded[p]["verdict"], shared[p]["verdict"]) for p in differing[:10]]
