"""Agency-credit extraction on real AG News rows (../shared/data/ag_news/test.csv).

A row *carries a marker* when, in the raw CSV, its title ends in a parenthesised credit such as
``(AP)``/``(Reuters)``/``(SPACE.com)`` (update tags like ``(Update3)`` and footnotes like
``401(k)`` excluded), its description starts with ``X -`` where X is that credit, or its
description opens with a dateline credit ``CITY (X) -``. The markers are found by these plain
regular expressions over the raw text, independently of provenance's extractor.

For each row, provenance reads "title\\ndescription" as an article and extracts claims. The
script prints the share of marker rows whose marker name is among the claims (recall), and the
share of rows without a marker that get any claim (false positives).

    python benchmarks/agnews_claims.py [--csv PATH] [--show N]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from pathlib import Path

from provenance.credits.claims import extract
from provenance.text.blocks import classify_lines
from provenance.text.normalize import normalise

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "ag_news" / "test.csv"
_TITLE = re.compile(r"\(([A-Z][A-Za-z0-9.&' -]{0,38}[A-Za-z.])\)\s*$")
_NOT_CREDIT = re.compile(r"^(?:update\s*\d*|corrected|refile|video|photos?|[A-Z]{1,3}T|\d+.*)$", re.I)
# A dateline credit near the start of the description: "LONDON (Reuters) -", "BEIJING, Aug. 17
# (Xinhuanet) --", "(Sports Network) -", "HONG KONG (Dow Jones)--", "JAKARTA (Agencies):".
_DATELINE = re.compile(r"\(([A-Z][A-Za-z0-9.&' -]{0,38})\)\s*(?:-{1,2}|:|—)")
_LEAD = 120  # characters of the description in which a dateline credit counts


def marker(title: str, description: str) -> str | None:
    """The credit a row carries, by plain regular expressions over the raw text."""
    m = _TITLE.search(title)
    if m and not _NOT_CREDIT.match(m.group(1)):
        return m.group(1)
    m = _DATELINE.search(description[:_LEAD])
    if m:
        return m.group(1)
    return None


def claims_of(text: str) -> set[str]:
    normalized = normalise(text)
    return {c.name for c in extract(normalized, classify_lines(normalized)).claims}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT)
    parser.add_argument("--show", type=int, default=0, help="print up to N misses and N false positives")
    args = parser.parse_args(argv)
    if not args.csv.is_file():
        print(f"agnews_claims: {args.csv}: no such file (AG News test split expected)", file=sys.stderr)
        return 2
    with args.csv.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle) if len(r) >= 3]
    started = time.perf_counter()
    with_marker = found = without = false_pos = 0
    misses: list[str] = []
    extras: list[str] = []
    for row in rows:
        title, description = row[1], row[2].replace("\\", " ")
        credit = marker(title, description)
        names = claims_of(f"{title}\n{description}")
        if credit:
            with_marker += 1
            if credit in names:
                found += 1
            elif len(misses) < args.show:
                misses.append(f"MISS {credit!r}: {title} | {description[:90]} | got {sorted(names)}")
        else:
            without += 1
            if names:
                false_pos += 1
                if len(extras) < args.show:
                    extras.append(f"FALSE {sorted(names)}: {title} | {description[:90]}")
    elapsed = time.perf_counter() - started
    for line in misses + extras:
        print(line)
    print(f"rows: {len(rows)} ({elapsed:.1f} s)")
    print(f"rows with an agency marker: {with_marker}; agency found in claims: {found} "
          f"({found / max(1, with_marker):.4f})")
    print(f"rows without a marker: {without}; rows with any claim: {false_pos} "
          f"({false_pos / max(1, without):.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
