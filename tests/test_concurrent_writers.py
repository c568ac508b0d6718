"""Two `index build` processes writing one index at once (different shards, and the same ids):
no lost or doubled documents, exact per-source counts, and the same lists as one writer's build."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from backends import BACKENDS, drop, location
from together import run_together

from provenance.analysis import analyse
from provenance.documents.model import Article
from provenance.engine import build_index
from provenance.index import open_index
from provenance.index.base import IndexBackend
from provenance.rules import load_rules

SOURCES = ["Harbor Gazette", "Valley Courier", "Gull Point News"]
CHROME = {name: f"{name}: subscribe for the morning briefing and read every story from the waterfront first"
          for name in SOURCES}
WORDS = ["council", "budget", "harbour", "ferry", "school", "library", "storm", "bridge", "quota", "fishermen", "mayor", "vote", "residents", "museum", "festival", "road", "repairs", "tide", "warning", "volunteers", "clinic", "market", "rent", "housing", "river", "park", "teachers", "station", "train", "delays", "funding", "report", "inquiry", "contract", "court", "ruling", "police", "patrol", "weather", "forecast"]
PER_WRITER = 36
COMMON = 8  # ids both writers hold with the same content
BATCH = 4  # documents per write transaction: many transactions interleave


def _article(rng: np.random.Generator, doc_id: str, source: str, shared: str = "") -> str:
    paragraphs = [" ".join(rng.choice(WORDS, size=40).tolist()).capitalize() + "." for _ in range(3)]
    body = "\n\n".join([*paragraphs, shared] if shared else paragraphs)
    return f"---\nid: {doc_id}\nsource: {source}\n---\n{CHROME[source]}\n\n{body}\n"


def _corpora(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """Two shard folders (each also holding the common ids and one id written differently by each);
    returns them and the text of every article by file name, for the reference build."""
    rng = np.random.default_rng(11)
    boiler = "This story was produced with support from the regional press fund and may be shared."
    texts: dict[str, str] = {}
    for k in range(2 * PER_WRITER):
        texts[f"doc-{k:03d}"] = _article(rng, f"doc-{k:03d}", SOURCES[k % 3], boiler if k % 4 == 0 else "")
    for k in range(COMMON):
        texts[f"common-{k}"] = _article(rng, f"common-{k}", SOURCES[k % 3], boiler)
    shards = [tmp_path / "shard-a", tmp_path / "shard-b"]
    for n, shard in enumerate(shards):
        shard.mkdir()
        for k in range(n * PER_WRITER, (n + 1) * PER_WRITER):
            (shard / f"doc-{k:03d}.md").write_text(texts[f"doc-{k:03d}"], encoding="utf-8")
        for k in range(COMMON):
            (shard / f"common-{k}.md").write_text(texts[f"common-{k}"], encoding="utf-8")
        contested = _article(rng, "contested", SOURCES[n], boiler)
        texts[f"contested-{n}"] = contested
        (shard / "contested.md").write_text(contested, encoding="utf-8")
    return shards[0], shards[1], texts


def _writer(loc: str, rules_file: str, folder: str, start, queue) -> None:  # type: ignore[no-untyped-def]
    try:
        import provenance.engine

        provenance.engine.BATCH = BATCH
        rules = load_rules(rules_file)
        start.wait(timeout=120)
        result = build_index([folder], loc, rules)
        queue.put(("ok", (result.added, result.updated, result.unchanged)))
    except Exception as exc:  # reported to the test, which fails with it
        queue.put(("error", repr(exc)))


def _lists(index: IndexBackend, keys: np.ndarray) -> tuple[dict[int, int], dict[str, dict[int, int]]]:
    return (index.document_frequencies(keys),
            {source: index.line_counts(source) for source in SOURCES})


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_builders_at_once(backend: str, tmp_path: Path) -> None:
    rules_file = tmp_path / "provenance.toml"
    rules_file.write_text('publisher = "Daily Local"\n', encoding="utf-8")
    rules = load_rules(rules_file)
    shard_a, shard_b, texts = _corpora(tmp_path)
    loc = location(backend, tmp_path)
    reference = str(tmp_path / "reference.sqlite")
    try:
        results = run_together([(_writer, (loc, str(rules_file), str(shard))) for shard in (shard_a, shard_b)],
                               barrier=True)
        assert all(status == "ok" for status, _ in results), results
        added = sum(counts[0] for _, counts in results)
        updated = sum(counts[1] for _, counts in results)
        unchanged = sum(counts[2] for _, counts in results)
        assert added + updated + unchanged == 2 * (PER_WRITER + COMMON + 1), results
        if backend != "redis":
            # Writers of one id take turns: every common id added once and found unchanged once;
            # the contested id added once and replaced once (whichever writer came second). Redis
            # writers check ids without waiting for each other: both may count a common id as added
            # (the second publish displaces the first; the index checks below hold all the same).
            assert added == 2 * PER_WRITER + COMMON + 1, results
            assert (updated, unchanged) == (1, COMMON), results

        expected_ids = {f"doc-{k:03d}" for k in range(2 * PER_WRITER)} | {f"common-{k}" for k in range(COMMON)}
        expected_ids.add("contested")
        with open_index(loc, None, readonly=True) as index:
            assert index.count() == len(expected_ids)
            assert list(index.iter_ids()) == sorted(expected_ids)
            contested = index.get_by_id("contested")
            assert contested is not None
            winner = 0 if contested.source == SOURCES[0] else 1
            assert contested.text in texts[f"contested-{winner}"]
            stored = [doc for batch in index.iter_docs() for doc in batch]
            assert len({doc.rowid for doc in stored}) == len(expected_ids)
            per_source = {s.name: s.documents for s in index.sources()}
            assert per_source == {name: sum(doc.source == name for doc in stored) for name in SOURCES}

        # The same documents written by one builder: the same document frequencies and line counts.
        single = tmp_path / "single"
        single.mkdir()
        for name, text in texts.items():
            if not name.startswith("contested"):
                (single / f"{name}.md").write_text(text, encoding="utf-8")
        (single / "contested.md").write_text(texts[f"contested-{winner}"], encoding="utf-8")
        build_index([single], reference, rules)
        with open_index(reference, None, readonly=True) as one, open_index(loc, None, readonly=True) as both:
            keys = np.unique(np.concatenate([
                analyse(Article(id=doc.id, path="", text=doc.text), rules.fingerprint, detect=False).fingerprint
                .passage_keys for batch in one.iter_docs() for doc in batch]))
            expected = _lists(one, keys)
            assert expected[0], "the corpus shares passages: some key is held by two or more documents"
            assert _lists(both, keys) == expected
    finally:
        drop(loc)
