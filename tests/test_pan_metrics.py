"""The PAN character-level measures in benchmarks/pan.py, on tiny hand-made cases."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest

PAN_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "pan.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pan_benchmark", PAN_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


pan = _load()
A = pan.Annotation


def case(t0: int, t1: int, s0: int, s1: int, susp: str = "susp1.txt", src: str = "src1.txt") -> object:
    return A(susp, src, t0, t1, s0, s1)


def test_perfect_detection() -> None:
    cases = [case(0, 100, 200, 300), case(500, 600, 0, 100, src="src2.txt")]
    result = pan.evaluate(cases, list(cases))
    assert result["precision"] == 1.0
    assert result["recall"] == 1.0
    assert result["granularity"] == 1.0
    assert result["plagdet"] == 1.0
    assert result["source_recall"] == 1.0
    assert result["source_precision"] == 1.0


def test_case_split_into_two_detections() -> None:
    cases = [case(0, 100, 200, 300)]
    detections = [case(0, 50, 200, 250), case(50, 100, 250, 300)]
    result = pan.evaluate(cases, detections)
    assert result["precision"] == 1.0
    assert result["recall"] == 1.0
    assert result["granularity"] == 2.0
    assert result["plagdet"] == pytest.approx(1 / math.log2(3))


def test_half_covered_case() -> None:
    cases = [case(0, 100, 200, 300)]
    detections = [case(0, 50, 200, 250)]
    result = pan.evaluate(cases, detections)
    assert result["recall"] == pytest.approx(0.5)
    assert result["precision"] == 1.0
    assert result["granularity"] == 1.0
    assert result["plagdet"] == pytest.approx(2 * 0.5 / 1.5)


def test_detection_reaching_past_the_case_loses_precision() -> None:
    cases = [case(0, 100, 0, 100)]
    detections = [case(0, 200, 0, 200)]
    assert pan.macro_precision(cases, detections) == pytest.approx(0.5)
    assert pan.macro_recall(cases, detections) == 1.0


def test_false_detection_drops_precision() -> None:
    cases = [case(0, 100, 200, 300)]
    detections = [case(0, 100, 200, 300), case(1000, 1100, 0, 100)]  # second one overlaps no case
    result = pan.evaluate(cases, detections)
    assert result["precision"] == pytest.approx(0.5)
    assert result["recall"] == 1.0
    assert result["granularity"] == 1.0
    assert result["plagdet"] == pytest.approx(2 * 0.5 / 1.5)


def test_overlap_needed_on_both_sides_and_same_pair() -> None:
    c = case(0, 100, 200, 300)
    assert pan.detects(case(50, 150, 250, 350), c)
    assert not pan.detects(case(0, 100, 0, 100), c)  # source side disjoint
    assert not pan.detects(case(100, 200, 200, 300), c)  # touching, not overlapping ([start, end))
    assert not pan.detects(case(0, 100, 200, 300, src="src2.txt"), c)  # other source document
    assert not pan.detects(case(0, 100, 200, 300, susp="susp2.txt"), c)
    # a detection in the wrong source document is a false detection and a wrong reported pair
    result = pan.evaluate([c], [case(0, 100, 200, 300, src="src2.txt")])
    assert result["precision"] == 0.0
    assert result["recall"] == 0.0
    assert result["source_recall"] == 0.0
    assert result["source_precision"] == 0.0


def test_no_detections() -> None:
    cases = [case(0, 100, 200, 300), case(0, 50, 0, 50, src="src2.txt")]
    result = pan.evaluate(cases, [], reported_pairs=[])
    assert result["detections"] == 0
    assert result["precision"] == 0.0
    assert result["recall"] == 0.0
    assert result["plagdet"] == 0.0
    assert result["source_recall"] == 0.0
    assert result["source_precision"] == 0.0
    # granularity is undefined without a detected case; PAN's perfmeasures.py reports the neutral 1
    assert result["granularity"] == 1.0


def test_nothing_at_all() -> None:
    result = pan.evaluate([], [], reported_pairs=[])
    assert result["plagdet"] == 1.0  # PAN convention: no cases and no detections is perfect


def test_covered_merges_overlapping_ranges() -> None:
    assert pan.covered(0, 100, [(10, 30), (20, 40), (90, 200), (-5, 5)]) == 5 + 30 + 10
    assert pan.covered(0, 100, []) == 0
    assert pan.covered(0, 100, [(100, 200)]) == 0


def test_recall_counts_characters_on_both_sides() -> None:
    # the detection covers all 100 suspicious characters but only 50 of the 200 source characters
    c = case(0, 100, 0, 200)
    assert pan.case_recall(c, [case(0, 100, 150, 250)]) == pytest.approx((100 + 50) / 300)


def test_pan_reference_examples() -> None:
    # the examples of PAN's perfmeasures.py unit tests (tref1/sref1 and tref2/sref2)
    ann1 = A("t1", "s1", 0, 100, 0, 100)
    ann3 = A("t1", "s1", 100, 200, 100, 200)
    ann4 = A("t1", "s1", 0, 200, 0, 200)
    ann7 = A("t2", "s2", 0, 100, 0, 100)
    ann9 = A("t2", "s2", 50, 150, 50, 150)
    ann10 = A("t2", "s2", 25, 100, 25, 100)
    assert pan.macro_recall([ann1, ann7], [ann1]) == 0.5
    assert pan.case_recall(ann7, [ann9, ann10]) == 0.75
    assert pan.macro_precision([ann7], [ann9, ann10]) == 0.75
    assert pan.macro_precision([ann1], [ann3, ann4]) == 0.25
    assert pan.granularity([ann1, ann3], [ann4]) == 1.0
    assert pan.plagdet(0.75, 0.25, 2) == pytest.approx(0.23659865)


def test_detections_from_report_items() -> None:
    items = [
        {
            "id": "susp1.txt",
            "path": "data/susp/susp1.txt",
            "matches": [
                {
                    "id": "src1.txt",
                    "passages": [{"article": [0, 10], "source": [5, 15]}, {"article": [20, 30], "source": [25, 35]}],
                },
                {"id": "src2.txt", "passages": []},
            ],
        },
        {"id": "susp2.txt", "path": "susp2.txt", "matches": []},
    ]
    detections, pairs = pan.detections_from_items(items)
    assert detections == [A("susp1.txt", "src1.txt", 0, 10, 5, 15), A("susp1.txt", "src1.txt", 20, 30, 25, 35)]
    assert pairs == {("susp1.txt", "src1.txt"), ("susp1.txt", "src2.txt")}


def test_missing_data_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert pan.main(["--data", str(tmp_path / "nowhere"), "--index", str(tmp_path / "i.sqlite")]) == 2
    assert "data folder missing" in capsys.readouterr().err


def test_truth_spans_identical(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "r").mkdir()
    (tmp_path / "s" / "susp1.txt").write_text("xx hello world yy")
    (tmp_path / "r" / "src1.txt").write_text("hello world|hello\nworld")
    cases = [case(3, 14, 0, 11), case(3, 14, 12, 23), case(0, 5, 0, 5)]
    assert pan.truth_spans_identical(cases, tmp_path / "s", tmp_path / "r") == (1, 2)
