"""PAN 2013 text alignment ("no obfuscation") benchmark: character-level plagdet of provenance's passages.

The source documents (``final_txt_files/``) are indexed with :func:`provenance.engine.build_index`
(ids are file names such as ``source-document01090.txt``); the suspicious documents named in the
ground truth (``02-no-obfuscation/*.xml``) are scanned with :func:`provenance.engine.scan`. Every
passage of every match of every report item is one *detection*: (suspicious document, source id,
article ``[start, end)``, source ``[start, end)``), offsets into the texts as loaded.

Detections are scored against the ``<feature name="plagiarism">`` cases following Potthast et al.
(2010), "An Evaluation Framework for Plagiarism Detection", as implemented by the PAN
``perfmeasures.py`` program:

- a case or detection is a pair of character sets, one in the suspicious and one in the source
  document; detection r *detects* case s iff both belong to the same document pair and they overlap
  on both sides; s ⊓ r = s ∩ r if r detects s, else ∅;
- macro recall    = mean over cases s of |∪_r (s ⊓ r)| / |s|,
  macro precision = mean over detections r of |∪_s (s ⊓ r)| / |r|
  (|x| counts characters on both sides);
- granularity = mean number of detections detecting each detected case (1 when nothing is detected);
- plagdet = F1(precision, recall) / log2(1 + granularity).

Also printed: source recall (share of ground-truth (suspicious, source) pairs for which the report has
a match with that source id), source precision (share of reported pairs that are in the ground truth),
the same measures over the detections in ground-truth pairs only (PAN's text-alignment task compares
only the listed pairs, so this is the PAN-comparable figure; the full figure also charges verbatim
reuse of corpus documents the ground truth does not list), a ground-truth check (cases whose two
spans hold the same text; in this copy of the data they mostly do not, see ``truth_spans_identical``)
and timings.

    python benchmarks/pan.py [--data ../shared/data/pan13_noobf] [--index /tmp/pan.sqlite] [--jobs 2]
                             [--limit N] [--min-passage N] [--report-out FILE] [--json]

Exit status: 0 when it ran, 2 when the data folder is missing or the index cannot be used.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pan13_noobf"
TRUTH_DIR = "02-no-obfuscation"
SOURCE_DIR = "final_txt_files"
SUSP_DIR = "susp"


# -- annotations and the PAN measures (pure functions) ---------------------------------------


@dataclass(frozen=True, order=True)
class Annotation:
    """A plagiarism case or a detection: a character range in each of two documents ([start, end))."""

    susp: str
    source: str
    susp_start: int
    susp_end: int
    source_start: int
    source_end: int

    @property
    def pair(self) -> tuple[str, str]:
        return self.susp, self.source

    def __len__(self) -> int:
        """Number of characters (references) on both sides."""
        return max(0, self.susp_end - self.susp_start) + max(0, self.source_end - self.source_start)


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def detects(detection: Annotation, case: Annotation) -> bool:
    """Whether ``detection`` detects ``case``: same document pair, overlap on both sides."""
    return (
        detection.pair == case.pair
        and _overlap(detection.susp_start, detection.susp_end, case.susp_start, case.susp_end)
        and _overlap(detection.source_start, detection.source_end, case.source_start, case.source_end)
    )


def covered(start: int, end: int, ranges: Iterable[tuple[int, int]]) -> int:
    """Number of characters of ``[start, end)`` inside the union of ``ranges``."""
    clipped = sorted((max(start, s), min(end, e)) for s, e in ranges if s < end and e > start)
    total = 0
    cur_s = cur_e = start
    for s, e in clipped:
        if s >= cur_e:
            total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    return total + (cur_e - cur_s)


def case_recall(case: Annotation, detections: Iterable[Annotation]) -> float:
    """|∪_r (s ⊓ r)| / |s| for one case s (also precision of one detection, with the roles swapped)."""
    size = len(case)
    if size == 0:
        return 0.0
    hits = [d for d in detections if detects(d, case)]
    if not hits:
        return 0.0
    this = covered(case.susp_start, case.susp_end, ((d.susp_start, d.susp_end) for d in hits))
    source = covered(case.source_start, case.source_end, ((d.source_start, d.source_end) for d in hits))
    return (this + source) / size


def _by_pair(annotations: Iterable[Annotation]) -> dict[tuple[str, str], list[Annotation]]:
    index: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    for a in annotations:
        index[a.pair].append(a)
    return index


def macro_recall(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    """Macro-averaged recall of ``detections`` in detecting ``cases`` (PAN conventions for empty sets)."""
    if not cases and not detections:
        return 1.0
    if not cases or not detections:
        return 0.0
    index = _by_pair(detections)
    return sum(case_recall(c, index.get(c.pair, ())) for c in cases) / len(cases)


def macro_precision(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    """Macro-averaged precision: the recall formula with cases and detections swapped."""
    return macro_recall(detections, cases)


def granularity(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    """Mean number of detections per detected case; 1.0 when no case is detected (PAN convention)."""
    index = _by_pair(detections)
    counts = [sum(1 for d in index.get(c.pair, ()) if detects(d, c)) for c in cases]
    detected = [n for n in counts if n > 0]
    return sum(detected) / len(detected) if detected else 1.0


def plagdet(precision: float, recall: float, gran: float) -> float:
    """F1 of precision and recall divided by log2(1 + granularity); 0 when both are 0."""
    if precision <= 0 or recall <= 0 or gran < 1:
        return 0.0
    f1 = 2 * precision * recall / (precision + recall)
    return f1 / math.log2(1 + gran)


def source_scores(
    truth_pairs: Iterable[tuple[str, str]],
    reported_pairs: Iterable[tuple[str, str]],
) -> tuple[float, float]:
    """(source recall, source precision) over (suspicious, source) document pairs; 0 for empty sets."""
    truth, reported = set(truth_pairs), set(reported_pairs)
    hit = len(truth & reported)
    return (hit / len(truth) if truth else 0.0, hit / len(reported) if reported else 0.0)


def evaluate(
    cases: Sequence[Annotation],
    detections: Sequence[Annotation],
    reported_pairs: Iterable[tuple[str, str]] | None = None,
) -> dict[str, float | int]:
    """All measures for one run; ``reported_pairs`` defaults to the detections' document pairs."""
    cases = sorted(set(cases))
    detections = sorted(set(d for d in detections if len(d) > 0))
    precision = macro_precision(cases, detections)
    recall = macro_recall(cases, detections)
    gran = granularity(cases, detections)
    pairs = {d.pair for d in detections} if reported_pairs is None else set(reported_pairs)
    src_recall, src_precision = source_scores((c.pair for c in cases), pairs)
    return {
        "cases": len(cases),
        "detections": len(detections),
        "precision": precision,
        "recall": recall,
        "granularity": gran,
        "plagdet": plagdet(precision, recall, gran),
        "source_recall": src_recall,
        "source_precision": src_precision,
    }


# -- reading the ground truth and the report ----------------------------------------------------


def read_truth(folder: Path) -> list[Annotation]:
    """Every ``<feature name="plagiarism">`` in the XML files of ``folder``."""
    cases: list[Annotation] = []
    for xml_file in sorted(folder.glob("*.xml")):
        root = ET.parse(xml_file).getroot()
        susp = root.get("reference", "")
        for feature in root.iter("feature"):
            if feature.get("name") != "plagiarism" or feature.get("source_reference") is None:
                continue
            t_off, t_len = int(feature.get("this_offset", 0)), int(feature.get("this_length", 0))
            s_off, s_len = int(feature.get("source_offset", 0)), int(feature.get("source_length", 0))
            cases.append(
                Annotation(susp, feature.get("source_reference", ""), t_off, t_off + t_len, s_off, s_off + s_len)
            )
    return cases


def _doc_name(item: dict[str, Any]) -> str:
    return Path(str(item.get("id") or item.get("path", ""))).name


def detections_from_items(items: Iterable[dict[str, Any]]) -> tuple[list[Annotation], set[tuple[str, str]]]:
    """Detections (one per passage) and reported (suspicious, source) pairs from report items."""
    detections: list[Annotation] = []
    pairs: set[tuple[str, str]] = set()
    for item in items:
        susp = _doc_name(item)
        for match in item.get("matches") or []:
            source = str(match.get("id", ""))
            pairs.add((susp, source))
            for passage in match.get("passages") or []:
                (a_start, a_end), (s_start, s_end) = passage["article"], passage["source"]
                detections.append(Annotation(susp, source, int(a_start), int(a_end), int(s_start), int(s_end)))
    return detections, pairs


# -- running provenance ----------------------------------------------------------------------


def _scan_chunk(files: list[str], index: str, min_passage: int | None) -> list[dict[str, Any]]:
    from provenance.engine import scan

    report = scan(files, index, _rules(min_passage))
    return list(report.to_dict()["items"])


def _rules(min_passage: int | None) -> Any:
    from provenance.rules import Rules

    rules = Rules()
    if min_passage is not None:
        rules.defaults.min_passage = min_passage
    return rules


def run_scan(files: list[Path], index: str, min_passage: int | None, jobs: int) -> list[dict[str, Any]]:
    """Scan ``files`` (in ``jobs`` processes, each with its own scan() call) and return report items."""
    names = [str(f) for f in files]
    if jobs <= 1 or len(names) < 2:
        return _scan_chunk(names, index, min_passage)
    chunks = [names[i::jobs] for i in range(jobs)]
    with ProcessPoolExecutor(jobs) as executor:
        parts = list(executor.map(_scan_chunk, chunks, [index] * jobs, [min_passage] * jobs))
    items = [item for part in parts for item in part]
    items.sort(key=_doc_name)
    return items


def check_offsets(paths: Iterable[Path]) -> list[str]:
    """Files whose text as loaded by provenance differs from the raw file (offsets would not align)."""
    from provenance.documents.loaders import load_file

    bad = []
    for path in paths:
        articles = load_file(path)
        raw = path.read_text(encoding="utf-8", errors="replace")
        if not articles or articles[0].text != raw:
            bad.append(path.name)
    return bad


def truth_spans_identical(cases: Iterable[Annotation], susp_dir: Path, source_dir: Path) -> tuple[int, int]:
    """How many cases have the same text on both sides: (exactly, up to whitespace).

    In an unobfuscated case both spans should hold the same text; where they do not, the ground-truth
    offsets do not index these copies of the texts exactly, which caps the character-level scores.
    """
    texts: dict[Path, str] = {}

    def text(path: Path) -> str:
        if path not in texts:
            texts[path] = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        return texts[path]

    exact = loose = 0
    for c in cases:
        a = text(susp_dir / c.susp)[c.susp_start : c.susp_end]
        b = text(source_dir / c.source)[c.source_start : c.source_end]
        exact += a == b
        loose += a.split() == b.split()
    return exact, loose


def realign_cases(cases: Sequence[Annotation], susp_dir: Path, source_dir: Path,
                  probe: int = 30, step: int = 15) -> tuple[list[Annotation], int]:
    """Re-anchor each case's suspicious side on the text its source side holds.

    In this copy of the data the two sides of most cases are a few to a few hundred characters
    apart (non-ASCII characters were replaced by strings of other lengths), so the ground truth
    points next to the copied text rather than at it. For each case, the first ``probe``-character
    piece of the source span that occurs exactly once in the suspicious document fixes where the
    span really starts; the length is kept. Cases with no such piece stay as given. Returns the
    cases and how many moved. The source side is trusted as given.
    """
    texts: dict[Path, str] = {}

    def text(path: Path) -> str:
        if path not in texts:
            texts[path] = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        return texts[path]

    out: list[Annotation] = []
    moved = 0
    for c in cases:
        suspicious = text(susp_dir / c.susp)
        span = text(source_dir / c.source)[c.source_start : c.source_end]
        start = None
        for k in range(0, max(1, len(span) - probe), step):
            piece = span[k : k + probe]
            if len(piece) == probe and suspicious.count(piece) == 1:
                start = suspicious.find(piece) - k
                break
        if start is None or start == c.susp_start or start < 0:
            out.append(c)
            continue
        moved += 1
        out.append(Annotation(c.susp, c.source, start, start + (c.susp_end - c.susp_start), c.source_start,
                              c.source_end))
    return out, moved


def _format(result: dict[str, Any]) -> str:
    g, t = result["truth_pairs_only"], result["truth_spans_identical"]
    lines = [
        f"cases              {result['cases']}",
        f"detections         {result['detections']}",
        f"precision          {result['precision']:.4f}",
        f"recall             {result['recall']:.4f}",
        f"granularity        {result['granularity']:.4f}",
        f"plagdet            {result['plagdet']:.4f}",
        f"source recall      {result['source_recall']:.4f}  ({result['truth_pairs']} ground-truth pairs)",
        f"source precision   {result['source_precision']:.4f}  ({result['reported_pairs']} reported pairs)",
        f"suspicious docs    {result['suspicious_docs']}",
        "in ground-truth pairs only (PAN text-alignment setting: detections outside the listed pairs ignored):",
        f"  detections {g['detections']}  precision {g['precision']:.4f}  recall {g['recall']:.4f}  "
        f"granularity {g['granularity']:.4f}  plagdet {g['plagdet']:.4f}",
        f"ground-truth check {t['exact']}/{result['cases']} cases with identical text on both sides "
        f"({t['whitespace']} up to whitespace)",
        f"with re-anchored ground truth ({result['realigned']['moved']} cases moved), in ground-truth pairs only:",
        f"  precision {result['realigned']['precision']:.4f}  recall {result['realigned']['recall']:.4f}  "
        f"granularity {result['realigned']['granularity']:.4f}  plagdet {result['realigned']['plagdet']:.4f}",
        f"index build        {result['index_seconds']:.1f} s  ({result['index']['added']} added, "
        f"{result['index']['unchanged']} unchanged, {result['index']['unreadable']} unreadable)",
        f"scan               {result['scan_seconds']:.1f} s  (jobs={result['jobs']})",
    ]
    if result["offset_mismatch"]:
        lines.append(
            f"WARNING: loaded text differs from the file for {len(result['offset_mismatch'])} "
            f"documents: {', '.join(result['offset_mismatch'][:5])}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the pan13_noobf folder")
    parser.add_argument("--index", default="/tmp/pan.sqlite", help="index file (reused if present)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for indexing and scanning")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N suspicious documents")
    parser.add_argument("--min-passage", type=int, default=None, help="override rules.defaults.min_passage")
    parser.add_argument("--report-out", type=Path, default=None, help="also write the report items as JSON")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    truth_dir, source_dir, susp_dir = args.data / TRUTH_DIR, args.data / SOURCE_DIR, args.data / SUSP_DIR
    missing = [str(p) for p in (truth_dir, source_dir, susp_dir) if not p.is_dir()]
    if missing:
        print(
            f"pan: data folder missing: {', '.join(missing)} (expected the pan13_noobf subset; pass --data)",
            file=sys.stderr,
        )
        return 2

    cases = read_truth(truth_dir)
    suspicious = sorted({c.susp for c in cases})
    if args.limit is not None:
        suspicious = suspicious[: max(0, args.limit)]
        keep = set(suspicious)
        cases = [c for c in cases if c.susp in keep]
    files = [susp_dir / name for name in suspicious]
    absent = [f.name for f in files if not f.is_file()]
    if absent:
        print(
            f"pan: {len(absent)} suspicious documents missing under {susp_dir}: {', '.join(absent[:5])}",
            file=sys.stderr,
        )
        return 2

    from provenance.engine import build_index
    from provenance.errors import ProvenanceError

    rules = _rules(args.min_passage)
    try:
        started = time.perf_counter()
        built = build_index([source_dir], args.index, rules, jobs=max(1, args.jobs))
        index_seconds = time.perf_counter() - started
        started = time.perf_counter()
        items = run_scan(files, args.index, args.min_passage, max(1, args.jobs))
        scan_seconds = time.perf_counter() - started
    except ProvenanceError as exc:
        print(f"pan: {exc}", file=sys.stderr)
        return 2

    if args.report_out:
        args.report_out.write_text(json.dumps({"items": items}, ensure_ascii=False), encoding="utf-8")
    detections, pairs = detections_from_items(items)
    result: dict[str, Any] = dict(evaluate(cases, detections, pairs))
    truth_pairs = {c.pair for c in cases}
    exact, loose = truth_spans_identical(cases, susp_dir, source_dir)
    realigned, moved = realign_cases(cases, susp_dir, source_dir)
    in_pairs = [d for d in detections if d.pair in truth_pairs]
    result.update(
        {
            "truth_pairs_only": evaluate(cases, in_pairs),
            "realigned": {**evaluate(realigned, in_pairs), "moved": moved},
            "truth_spans_identical": {"exact": exact, "whitespace": loose},
            "truth_pairs": len(truth_pairs),
            "reported_pairs": len(pairs),
            "passages": len(detections),
            "suspicious_docs": len(suspicious),
            "index_seconds": round(index_seconds, 2),
            "scan_seconds": round(scan_seconds, 2),
            "jobs": args.jobs,
            "index": {
                "added": built.added + built.updated,
                "unchanged": built.unchanged,
                "unreadable": len(built.unreadable),
            },
            "offset_mismatch": check_offsets(
                files + sorted(p for p in {source_dir / c.source for c in cases} if p.is_file())
            ),
        }
    )
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        print(_format(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
