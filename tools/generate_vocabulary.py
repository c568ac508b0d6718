"""Generate ``provenance/text/data/vocabulary.txt``: one canonical vocabulary for Chinese text.

Mainland and Taiwan phrasing of the same news differ in words (软件/軟體, 出租车/計程車, 数据/資料)
and in variant characters that survive script conversion (想象/想像, 坐标/座標). The normaliser maps
every such phrase, in Simplified script, to the form OpenCC's ``s2twp`` (Simplified → Taiwan
phrasing) then ``tw2s`` (back to Simplified script) gives it, closed under repetition so that a
phrase already in that form maps to itself. Both a mainland text and its Taiwan-phrased copy,
once in Simplified script, reach the same words.

The phrases come from OpenCC's own dictionaries (read with its ``opencc_dict`` tool, which the
``opencc`` wheel ships): the Simplified → Traditional phrases whose characters do not come back
unchanged, the Taiwan phrase and variant tables, and single characters with one Traditional form.
The result is applied by OpenCC itself, through ``vocabulary.json`` (maximum-match segmentation
on the same table), so that the normaliser does not run the two full phrase conversions
``s2twp`` and ``tw2sp`` on every text. The data is derived from OpenCC (Apache License 2.0); see
``provenance/text/data/NOTICE``.

    python tools/generate_vocabulary.py        # rewrites the table from the installed OpenCC
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import opencc

OUT = Path(__file__).resolve().parents[1] / "provenance" / "text" / "data" / "vocabulary.txt"
TAIWAN_TABLES = ("TWPhrases", "TWPhrasesRev", "TWVariants", "TWVariantsRev", "TWVariantsPhrases",
                 "TWVariantsRevPhrases")


def read_table(name: str, scratch: Path) -> Iterator[tuple[str, list[str]]]:
    """Entries of one of OpenCC's compiled dictionaries: key and its alternatives."""
    share = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    tool = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"
    text = scratch / f"{name}.txt"
    subprocess.run([str(tool), "-i", str(share / f"{name}.ocd2"), "-o", str(text), "-f", "ocd2", "-t", "text"],
                   check=True)
    for line in text.read_text(encoding="utf-8").splitlines():
        key, values = line.split("\t")
        yield key, values.split(" ")


def canonical_table(scratch: Path) -> dict[str, str]:
    t2s, tw2s, s2twp = (opencc.OpenCC(name) for name in ("t2s", "tw2s", "s2twp"))
    phrases: set[str] = set()
    for key, values in read_table("STPhrases", scratch):
        if t2s.convert(values[0]) != key:
            phrases.add(key)
    phrases.update(key for key, _ in read_table("STPhrases_GeneratedFromRegionalPhrases", scratch))
    for key, values in read_table("STCharacters", scratch):
        if len(values) == 1 and tw2s.convert(values[0]) != key:  # ambiguous characters depend on context
            phrases.add(key)
    for table in TAIWAN_TABLES:
        for key, _ in read_table(table, scratch):
            phrases.update((t2s.convert(key), tw2s.convert(key)))
    table = {p: c for p in phrases if (c := tw2s.convert(s2twp.convert(p))) != p}
    for _ in range(5):  # a form that is itself a phrase of the table maps on (进程 → 程序 → 程式)
        moved = {k: table[v] for k, v in table.items() if v in table and table[v] != k}
        if not moved:
            break
        table.update(moved)
    for form in set(table.values()) - set(table):
        table[form] = form  # so that segmentation takes a canonical phrase whole
    return table


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        table = canonical_table(Path(scratch))
    OUT.write_text("".join(f"{k}\t{v}\n" for k, v in sorted(table.items())), encoding="utf-8")
    print(f"{OUT}: {len(table)} phrases (OpenCC {opencc.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
