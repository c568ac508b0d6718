"""Sharded builds (``index build --shard K/N``): the split of the corpus files, and N builders filling
one index — at once into a shared backend, one after the other into an embedded file — giving the
index and the scan verdicts of one unsharded build.

The corpus is the shipped sample (corpora/sample/sources) plus documents generated here from words
composed for this test (invented outlets, example.com domains): outlets whose documents all carry a
disclaimer of the same policy (which document a source summary names must not depend on which
shard wrote first), an outlet whose documents name two domains, a footer line every document of an
outlet holds (per-source line counts, chrome), and republished copies (passage keys held by several
documents, matches for the scan).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from backends import BACKENDS, drop, location

from provenance.analysis import analyse
from provenance.documents.model import Article
from provenance.documents.shards import Shard, parse_shard, shard_of
from provenance.documents.walk import FileWalk
from provenance.engine import build_index, registry_from_rules, scan
from provenance.errors import ConfigError
from provenance.index import open_index
from provenance.report import formatters
from provenance.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample"
SHARED = [b for b in BACKENDS if b != "sqlite"]  # backends several builders write to at once

# -- the split ---------------------------------------------------------------------------------

PATHS = [f"{folder}/{year}/{n:04d}.md" for folder in ("wire", "城市", "sport") for year in (2023, 2024)
         for n in range(500)]


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8])
def test_every_file_is_in_exactly_one_shard(count: int) -> None:
    owners = [[k for k in range(1, count + 1) if Shard(k, count).holds(p)] for p in PATHS]
    assert all(len(found) == 1 for found in owners)
    assert {found[0] for found in owners} == set(range(1, count + 1))


@pytest.mark.parametrize("count", [2, 3, 8])
def test_shards_are_balanced(count: int) -> None:
    sizes = np.bincount([shard_of(p, count) for p in PATHS], minlength=count + 1)[1:]
    expected = len(PATHS) / count
    assert sizes.min() > 0.85 * expected and sizes.max() < 1.15 * expected, sizes.tolist()


def test_the_shard_of_a_path_is_fixed() -> None:
    # Pinned: another machine, another Python or another release must put a file in the same shard
    # (a change here splits a corpus differently from builders of the previous release).
    assert [shard_of(p, 3) for p in ("a.md", "wire/2024/0001.md", "城市/新闻.txt", "x/y.jsonl.gz")] == [1, 2, 3, 1]
    assert [shard_of(p, 7) for p in ("a.md", "wire/2024/0001.md", "城市/新闻.txt", "x/y.jsonl.gz")] == [5, 5, 4, 7]


def test_shard_follows_the_path_in_nfc() -> None:
    name = "新闻/café-ångström.md"
    assert shard_of(unicodedata.normalize("NFD", name), 5) == shard_of(name, 5)


def _shard_files(root: Path, shard: Shard) -> list[str]:
    return [found.rel for found in FileWalk([root]) if shard.holds(found.rel)]


def test_shards_do_not_depend_on_where_the_corpus_is_or_what_else_it_holds(tmp_path: Path) -> None:
    here = shutil.copytree(SAMPLE / "sources", tmp_path / "a" / "sources")
    there = shutil.copytree(SAMPLE / "sources", tmp_path / "elsewhere" / "deeper" / "corpus")
    before = {k: _shard_files(here, Shard(k, 3)) for k in (1, 2, 3)}
    assert before == {k: _shard_files(there, Shard(k, 3)) for k in (1, 2, 3)}
    assert sorted(itertools.chain(*before.values())) == sorted(f.rel for f in FileWalk([here]))
    for n in range(20):  # new files join some shard; the old ones stay where they were
        (there / "added" / f"n{n}.txt").parent.mkdir(exist_ok=True)
        (there / "added" / f"n{n}.txt").write_text(f"Added file {n}.", encoding="utf-8")
    after = {k: [rel for rel in _shard_files(there, Shard(k, 3)) if not rel.startswith("added/")] for k in (1, 2, 3)}
    assert after == before


@pytest.mark.parametrize("text", ["0/3", "4/3", "a/b", "1/0", "3", "1/3/3", "-1/3", "", "1.5/3"])
def test_bad_shards_are_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="--shard"):
        parse_shard(text)


def test_shard_forms() -> None:
    assert parse_shard("2/3") == Shard(2, 3) and parse_shard(" 1 / 1 ") == Shard(1, 1)
    assert str(parse_shard("10/12")) == "10/12"


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "provenance", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


@pytest.mark.parametrize(("given", "says"), [
    ("0/3", "K must be between 1 and N"), ("4/3", "K must be between 1 and N"), ("a/b", "expected K/N"),
])
def test_cli_refuses_bad_shards(tmp_path: Path, given: str, says: str) -> None:
    done = _cli("index", "build", str(SAMPLE / "sources"), "--index", str(tmp_path / "i.sqlite"), "--shard", given)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "i.sqlite").exists()


def test_prune_is_refused_with_a_shard(tmp_path: Path) -> None:
    done = _cli("index", "build", str(SAMPLE / "sources"), "--index", str(tmp_path / "i.sqlite"), "--shard", "1/2",
                "--prune")
    assert done.returncode == 2 and "--prune cannot be combined with --shard 1/2" in done.stderr, done.stderr
    rules = load_rules(SAMPLE / "provenance.toml")
    with pytest.raises(ConfigError, match="--prune"):
        build_index([SAMPLE / "sources"], str(tmp_path / "i.sqlite"), rules, prune=True, shard=Shard(1, 2))


# -- a corpus of the sample and generated documents --------------------------------------------

_WORDS = (
    "council harbour ferry budget school bridge market library river festival road station water park clinic "
    "museum housing tram farmers fishing night shift volunteers storm repairs tunnel orchard bakery stadium "
    "planning lanterns ticket wharf quarry meadow ward depot kiosk vineyard cannery lighthouse pier mill "
    "spring autumn winter summer morning evening weekend annual record shortage surplus delay opening closing "
    "residents officials engineers pupils traders drivers nurses rangers anglers cyclists tenants growers"
)
_VERBS = "approved delayed opened reviewed doubled trimmed praised questioned funded rebuilt moved welcomed"
WORDS, VERBS = _WORDS.split(), _VERBS.split()

# (folder, source, disclaimer, url pattern): every document of an outlet with a disclaimer carries
# the same one, so the summary's "policy from" is a tie between documents of different shards.
OUTLETS = [
    ("harbour", "Harbour Ledger", "© Harbour Ledger. This story may not be republished without permission.",
     "https://harbourledger.example.com/{n}"),
    ("valley", "Valley Echo", "Reproduction is prohibited without the written consent of Valley Echo.",
     # two domains (a mobile site): which one the summary keeps must not depend on the order
     "https://{sub}valleyecho.example.com/{n}"),
    ("hilltop", "Hilltop Gazette", None, "https://hilltop.example.com/{n}"),
]


def _prose(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        words = rng.sample(WORDS, 9)
        out.append(f"The {words[0]} {words[1]} {rng.choice(VERBS)} the {words[2]} {words[3]} on "
                   f"{rng.randint(2, 28)} May after {rng.randint(3, 900)} {words[4]} asked about the {words[5]} "
                   f"{words[6]} near the {words[7]} {words[8]}.")
    return " ".join(out)


def write_corpus(root: Path) -> tuple[Path, Path, Path]:
    """(corpus, rules file, incoming folder): the sample corpus and 36 generated documents, and the
    sample's incoming articles with a few generated ones."""
    corpus = shutil.copytree(SAMPLE / "sources", root / "corpus")
    rules = shutil.copy(SAMPLE / "provenance.toml", root / "provenance.toml")
    incoming = shutil.copytree(SAMPLE / "incoming", root / "incoming")
    rng = random.Random(18)
    bodies: dict[str, str] = {}
    for folder, source, disclaimer, url in OUTLETS:
        for n in range(12):
            doc_id = f"{folder}-{n:02d}"
            body = "\n\n".join(_prose(rng, 4) for _ in range(3))
            if folder == "hilltop" and n % 3 == 0:  # a republished Harbour Ledger story, credited
                body = f"{bodies[f'harbour-{n:02d}']}\n\nFirst published by Harbour Ledger."
            bodies[doc_id] = body
            footer = f"{source} is an independent local newspaper, read in every ward since 1921."
            text = "\n\n".join(part for part in (body, disclaimer, footer) if part)
            # Valley Echo: the documents of the first one's shard name the main site, the others the
            # mobile one, so that builds starting with another shard meet the mobile domain first.
            mobile = shard_of(f"{folder}/{doc_id}.md", 3) != shard_of(f"{folder}/{folder}-00.md", 3)
            link = url.format(n=n, sub="m." if mobile else "")
            (corpus / folder).mkdir(exist_ok=True)
            (corpus / folder / f"{doc_id}.md").write_text(
                f"---\nid: {doc_id}\ntitle: Story {n} of {source}\nsource: {source}\nurl: {link}\n"
                f"published: 2024-05-{n + 1:02d}\n---\n{text}\n", encoding="utf-8")
    (incoming / "gen-copy-harbour.md").write_text(f"---\ntitle: Copied\n---\n{bodies['harbour-04']}\n", encoding="utf-8")
    (incoming / "gen-credited-valley.md").write_text(
        f"---\ntitle: Credited\n---\n{bodies['valley-07']}\n\nSource: Valley Echo\n", encoding="utf-8")
    excerpt = bodies["harbour-09"].split("\n\n")[1]
    (incoming / "gen-excerpt.md").write_text(
        f"---\ntitle: Excerpt\n---\n{_prose(rng, 5)}\n\n{excerpt}\n\n{_prose(rng, 3)}\n", encoding="utf-8")
    (incoming / "gen-original.md").write_text(f"---\ntitle: Own\n---\n{_prose(rng, 8)}\n", encoding="utf-8")
    return corpus, Path(rules), incoming


# -- what two indexes must agree on ------------------------------------------------------------

_TIMING = {"elapsed", "seconds", "took", "timing", "duration"}


def _untimed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k not in _TIMING}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def snapshot(loc: str, rules_file: Path, incoming: Path) -> dict[str, Any]:
    """Everything a build leaves that a scan reads, by document id (row ids differ between builds), and
    the scan of ``incoming``."""
    rules = load_rules(rules_file)
    registry = registry_from_rules(rules)
    with open_index(loc, rules.fingerprint, readonly=True) as index:
        docs = sorted((d for batch in index.iter_docs() for d in batch), key=lambda d: d.id)
        keys = np.unique(np.concatenate([
            analyse(Article(id=d.id, path=d.path, text=d.text), rules.fingerprint, registry, detect=False)
            .fingerprint.passage_keys for d in docs]))
        sources = [asdict(s) for s in index.sources()]
        state = {
            "count": index.count(),
            "ids": [d.id for d in docs],
            "hashes": dict(sorted(index.content_hashes().items())),
            "texts": {d.id: d.text for d in docs},
            "document_frequencies": dict(sorted(index.document_frequencies(keys).items())),
            "sources": sources,
            "line_counts": {s["name"]: dict(sorted(index.line_counts(s["name"]).items())) for s in sources},
            "frequent_lines": {name: sorted(zip(lines.keys.tolist(), lines.counts.tolist(), strict=True))
                               for name, lines in sorted(index.frequent_lines(3, 1000).items())},
        }
    report = scan([incoming], loc, rules)
    items = json.loads(formatters.formatter("json")(report))["items"]
    state["scan"] = sorted((_untimed(item) for item in items), key=lambda item: item["path"])
    return state


def _differences(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """What differs, per part, in a few words (the whole snapshots are too long to read in a failure)."""
    out = []
    for part in expected:
        if expected[part] == got[part]:
            continue
        if part == "sources":
            want = {s["name"]: s for s in expected[part]}
            have = {s["name"]: s for s in got[part]}
            for name in sorted(want.keys() | have.keys()):
                a, b = want.get(name) or {}, have.get(name) or {}
                fields = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
                out += [f"sources[{name}].{k}: {a.get(k)!r} != {b.get(k)!r}" for k in fields]
        elif part == "scan":
            for a, b in zip(expected[part], got[part], strict=False):
                fields = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
                if fields:
                    out.append(f"scan[{a['path']}]: {', '.join(fields)} differ"
                               + (f" ({a.get('verdict')} != {b.get('verdict')})" if "verdict" in fields else ""))
            if len(expected[part]) != len(got[part]):
                out.append(f"scan: {len(expected[part])} != {len(got[part])} items")
        else:
            out.append(f"{part} differ")
    return out


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The corpus, and the snapshot of one unsharded build into a fresh embedded index."""
    root = tmp_path_factory.mktemp("sharded")
    corpus, rules_file, incoming = write_corpus(root)
    reference = str(root / "whole.sqlite")
    built = build_index([corpus], reference, load_rules(rules_file))
    assert built.added == 54 and not built.unreadable
    return {"root": root, "corpus": corpus, "rules": rules_file, "incoming": incoming,
            "expected": snapshot(reference, rules_file, incoming)}


def test_the_corpus_exercises_what_shards_could_disturb(case: dict[str, Any]) -> None:
    expected = case["expected"]
    sources = {s["name"]: s for s in expected["sources"]}
    assert sources["Harbour Ledger"]["policy"] == "no-reprint" and sources["Valley Echo"]["policy"] == "no-reprint"
    assert expected["frequent_lines"]["Hilltop Gazette"]  # the footer: a line held by every document
    assert max(expected["document_frequencies"].values()) >= 2
    verdicts = {item["path"].rsplit("/", 1)[-1]: item["verdict"] for item in expected["scan"]}
    assert verdicts["gen-original.md"] == "original" and verdicts["gen-copy-harbour.md"] != "original"
    shards = {shard_of(f"harbour/harbour-{n:02d}.md", 3) for n in range(12)}
    assert shards == {1, 2, 3}  # the tie between documents of one source spans every shard
    assert sources["Valley Echo"]["domain"] == "valleyecho.example.com"
    assert shard_of("valley/valley-00.md", 3) != 3  # the sequential build below starts with the mobile domain


def test_sequential_shards_into_one_embedded_file(case: dict[str, Any], tmp_path: Path) -> None:
    loc = str(tmp_path / "sharded.sqlite")
    rules = load_rules(case["rules"])
    files = 0
    for k in (3, 1, 2):  # not the walk's order
        built = build_index([case["corpus"]], loc, rules, shard=Shard(k, 3))
        files += built.files
        assert built.walked == 54 and not built.unreadable
    assert files == 54
    got = snapshot(loc, case["rules"], case["incoming"])
    assert not _differences(case["expected"], got), _differences(case["expected"], got)


# A builder as the CLI runs it, but writing batches of 4 documents instead of 2,048, the first when
# every builder has read its files (a barrier of files in BARRIER) and the next after a short random
# pause: the builders' writes to the shared index then interleave instead of following each other.
_BUILDER = """
import os, random, sys, time
from pathlib import Path
import provenance.engine as engine
barrier, builders = Path(os.environ["BARRIER"]), int(os.environ["BUILDERS"])
whole = engine._batches

def paced(items, size):
    for n, batch in enumerate(whole(items, 4)):
        if n == 0:
            (barrier / str(os.getpid())).touch()
            deadline = time.monotonic() + 60
            while len(list(barrier.iterdir())) < builders and time.monotonic() < deadline:
                time.sleep(0.005)
        else:
            time.sleep(random.uniform(0, 0.02))
        yield batch

engine._batches = paced
from provenance.cli import main
sys.argv[0] = "provenance"
main()
"""


@pytest.mark.parametrize("backend", SHARED)
def test_three_concurrent_builders_into_a_shared_index(case: dict[str, Any], backend: str, tmp_path: Path) -> None:
    loc = location(backend, tmp_path)
    try:
        barrier = tmp_path / "barrier"
        barrier.mkdir()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "BARRIER": str(barrier), "BUILDERS": "3"}
        builders = [subprocess.Popen([sys.executable, "-c", _BUILDER, "index", "build", str(case["corpus"]),
                                      "--index", loc, "--rules", str(case["rules"]), "--shard", f"{k}/3"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                    for k in (1, 2, 3)]
        outcomes = [(b.wait(timeout=300), *b.communicate()) for b in builders]
        for code, _, err in outcomes:
            assert code == 0, err
        added = sum(int(err.split(" added")[0].rsplit(" ", 1)[-1]) for _, _, err in outcomes)
        assert added == 54, [err for _, _, err in outcomes]
        got = snapshot(loc, case["rules"], case["incoming"])
        assert not _differences(case["expected"], got), _differences(case["expected"], got)
    finally:
        drop(loc)


def test_a_shard_build_leaves_the_other_shards_documents(case: dict[str, Any], tmp_path: Path) -> None:
    corpus = shutil.copytree(case["corpus"], tmp_path / "corpus")
    loc = str(tmp_path / "index.sqlite")
    rules = load_rules(case["rules"])
    build_index([corpus], loc, rules)
    gone = [found for found in FileWalk([corpus]) if shard_of(found.rel, 3) == 1][:3]
    for found in gone:
        found.path.unlink()
    again = build_index([corpus], loc, rules, shard=Shard(2, 3))
    assert (again.added, again.updated, again.removed) == (0, 0, 0) and again.unchanged == again.files
    with open_index(loc, rules.fingerprint, readonly=True) as index:
        assert index.count() == 54  # shard 1's files are gone, but only a whole-corpus --prune removes them
    pruned = build_index([corpus], loc, rules, prune=True)
    assert pruned.removed == 3
