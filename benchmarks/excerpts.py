"""Excerpt recall under light edits: how often a short, lightly edited excerpt of a corpus document,
embedded in unrelated text, is traced back to that document.

For each of ``--samples`` Chinese documents of the corpus, an excerpt of each length is cut from
its text (whitespace removed), every ``--edit-every``-th character is replaced with another common
character (0: no edits), and the excerpt is placed between two runs of random Han characters.
The index is built with the given winnowing window, so settings can be compared:

    python benchmarks/excerpts.py --winnow-cjk 24
    python benchmarks/excerpts.py --winnow-cjk 46

Derived texts, for measuring recall only.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEVSET = HERE.parent.parent / "shared" / "devset"
COMMON = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"
          "多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它"
          "合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变")


def _excerpt(rng: random.Random, text: str, length: int, edit_every: int) -> str:
    text = re.sub(r"\s+", "", text)
    start = rng.randrange(len(text) // 4, max(len(text) // 4 + 1, len(text) - 2 * length))
    piece = list(text[start : start + length])
    if edit_every:
        for k in range(edit_every // 2, len(piece), edit_every):
            piece[k] = rng.choice(COMMON)
    return "".join(piece)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEVSET / "corpus")
    parser.add_argument("--rules", type=Path, default=DEVSET / "provenance.toml")
    parser.add_argument("--winnow-cjk", type=int, default=None, help="winnowing window for CJK text (default: the rules')")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--lengths", default="65,80,120", help="excerpt lengths in characters")
    parser.add_argument("--edits", default="0,20", help="edit one character in N (0: none)")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"excerpts: no corpus at {args.corpus} (pass --corpus)", file=sys.stderr)
        return 2

    from provenance.documents.loaders import load_paths
    from provenance.documents.model import Article
    from provenance.engine import Scanner, build_index
    from provenance.index import open_index
    from provenance.rules import load_rules

    rules = load_rules(args.rules) if args.rules.is_file() else None
    if rules is None:
        from provenance.rules import Rules

        rules = Rules()
    if args.winnow_cjk is not None:
        rules.fingerprint = dataclasses.replace(rules.fingerprint, winnow_cjk=args.winnow_cjk)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="provenance-excerpts-"))
    work.mkdir(parents=True, exist_ok=True)
    location = str(work / f"winnow-{rules.fingerprint.winnow_cjk}.sqlite")
    if not Path(location).exists():
        build_index([args.corpus], location, rules, jobs=2)
    documents = [a for a in load_paths([args.corpus]) if a.readable
                 and len(re.findall(r"[\u4e00-\u9fff]", a.text)) > 400]
    rng = random.Random(7)
    picks = rng.sample(documents, min(args.samples, len(documents)))
    print(f"excerpts: {len(picks)} Chinese documents of {args.corpus}, winnow_cjk {rules.fingerprint.winnow_cjk}, "
          f"index {location} (derived texts, for recall only)")
    with open_index(location, rules.fingerprint) as index:
        scanner = Scanner(index, rules)
        for length in (int(x) for x in args.lengths.split(",")):
            for edit_every in (int(x) for x in args.edits.split(",")):
                found = 0
                for k, doc in enumerate(picks):
                    filler = "".join(rng.choice(COMMON) for _ in range(300)) + "。"
                    text = filler + "\n\n" + _excerpt(rng, doc.text, length, edit_every) + "\n\n" + filler[::-1]
                    item, _, _ = scanner.scan_article(Article(id=f"excerpt-{k}", path=f"excerpt-{k}.txt", text=text))
                    found += any(m["id"] == doc.id for m in item.matches)
                edits = f"one in {edit_every} edited" if edit_every else "unedited"
                print(f"  {length:>4} characters, {edits:<18} recall {found / len(picks):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
