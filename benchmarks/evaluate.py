"""Score a provenance JSON report against a labels.jsonl (format: ../shared/devset/README.md).

    python benchmarks/evaluate.py LABELS REPORT [--json] [--show-errors N]

Prints verdict accuracy, source accuracy, the false-positive rate (labels without an error verdict
that the report gives one), and accuracy per transform, per attribution variant, per expected
verdict, per language and per format, with a confusion matrix. Report items are matched to labels
by the path from ``incoming/`` on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ERRORS = {"unattributed", "misattributed", "prohibited", "unreadable"}


def _key(path: str) -> str:
    path = path.replace("\\", "/")
    return "incoming/" + path.split("incoming/", 1)[1] if "incoming/" in path else path.rsplit("/", 1)[-1]


def load(labels_path: Path, report_path: Path) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    try:
        labels = [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        raise SystemExit(f"evaluate: {labels_path}: {exc}") from None
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SystemExit(f"evaluate: {report_path}: {exc}") from None
    if not isinstance(report, dict) or report.get("schema") != "provenance-report/1":
        raise SystemExit(f"evaluate: {report_path}: not a provenance-report/1 report")
    return labels, {_key(item["path"]): item for item in report.get("items", [])}


def _rate(hits: list[bool]) -> dict[str, Any]:
    return {"accuracy": round(sum(hits) / len(hits), 4) if hits else None, "n": len(hits)}


def evaluate(labels: list[dict[str, Any]], items: dict[str, dict[str, Any]]) -> dict[str, Any]:
    verdict_hits, source_hits, fp_hits, original_hits = [], [], [], []
    groups: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    confusion: Counter[tuple[str, str]] = Counter()
    missing, wrong = [], []
    for label in labels:
        item = items.get(_key(label["path"]))
        if item is None:
            missing.append(label["path"])
        got = item["verdict"] if item else "missing"
        got_source = ((item or {}).get("source") or {}).get("id")
        ok = got == label["verdict"]
        verdict_hits.append(ok)
        confusion[(label["verdict"], got)] += 1
        if label.get("source_id"):
            source_hits.append(got_source == label["source_id"])
        if label["verdict"] not in ERRORS:
            fp_hits.append(got in ERRORS)
        if label["verdict"] == "original":
            original_hits.append(got != "original")
        for transform in label.get("transforms") or []:
            groups["transform"][transform].append(ok)
        for field in ("attribution", "verdict", "lang", "format"):
            groups[field][str(label.get(field))].append(ok)
        if not ok or (label.get("source_id") and got_source != label["source_id"]):
            wrong.append({"path": label["path"], "expected": label["verdict"], "got": got,
                          "expected_source": label.get("source_id"), "got_source": got_source,
                          "transforms": label.get("transforms"), "attribution": label.get("attribution"),
                          "attribution_text": label.get("attribution_text"),
                          "message": (item or {}).get("message")})
    return {
        "labels": len(labels),
        "verdict_accuracy": _rate(verdict_hits)["accuracy"],
        "source_accuracy": _rate(source_hits)["accuracy"],
        "false_positive_rate": round(sum(fp_hits) / len(fp_hits), 4) if fp_hits else None,
        "original_flagged_rate": round(sum(original_hits) / len(original_hits), 4) if original_hits else None,
        "by": {field: {name: _rate(hits) for name, hits in sorted(values.items())} for field, values in groups.items()},
        "confusion": {f"{e} -> {g}": n for (e, g), n in sorted(confusion.items())},
        "missing": missing,
        "errors": wrong,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("labels", type=Path)
    parser.add_argument("report", type=Path)
    parser.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N", help="list up to N wrong items")
    args = parser.parse_args(argv)
    try:
        labels, items = load(args.labels, args.report)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    result = evaluate(labels, items)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "errors"}, ensure_ascii=False))
        return 0
    print(f"labels              {result['labels']}")
    print(f"verdict accuracy    {result['verdict_accuracy']}")
    print(f"source accuracy     {result['source_accuracy']}")
    print(f"false-positive rate {result['false_positive_rate']}  (non-error labels given an error verdict)")
    print(f"originals flagged   {result['original_flagged_rate']}  (label original, report something else)")
    for field, values in result["by"].items():
        print(f"\nby {field}:")
        for name, rate in values.items():
            print(f"  {name:22s} {rate['accuracy']}  (n={rate['n']})")
    off = {k: v for k, v in result["confusion"].items() if k.split(" -> ")[0] != k.split(" -> ")[1]}
    print("\nconfusion (expected -> got, mistakes only):", off or "none")
    if result["missing"]:
        print(f"missing from the report: {len(result['missing'])}: {', '.join(result['missing'][:10])}")
    for error in result["errors"][: args.show_errors]:
        print(f"  {error['path']}: expected {error['expected']} ({error['expected_source']}), got {error['got']} "
              f"({error['got_source']}); {error['transforms']} {error['attribution']} {error['attribution_text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
