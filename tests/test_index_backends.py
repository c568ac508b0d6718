"""The index interface, run against every backend (one parametrised fixture)."""

from __future__ import annotations

import itertools
import multiprocessing
from pathlib import Path

import numpy as np
import pytest
from backends import BACKENDS, drop, location
from together import run_together

from provenance.engine import Scanner, build_index, copy_index, scan
from provenance.errors import IndexError_
from provenance.index import open_index
from provenance.params import FingerprintParams
from provenance.rules import load_rules

ORIGINAL_ZH = (
    "清河县昨日召开防汛工作会议，县水利局通报了今年汛期的雨情和水情。会议要求各乡镇在五月底前完成堤防巡查，"
    "对险工险段逐一登记并落实责任人。县应急管理局负责人介绍，今年已储备编织袋三万条、救生衣两千件，"
    "抢险队伍实行二十四小时值班。会议还部署了城区排涝工作，要求对主要路段的雨水井进行清淤，"
    "确保汛期道路通行安全。与会人员表示，将把防汛责任压实到村到组，做到早发现、早报告、早处置。"
)
ORIGINAL_EN = (
    "The Riverside council approved a new budget for public libraries on Tuesday, adding funds for longer "
    "opening hours and a mobile reading van that will visit outlying villages twice a month. Council members "
    "said the plan responds to a survey in which residents asked for weekend access and more children's "
    "programmes. The library director said recruitment for six new posts would begin next month and that "
    "the van should be on the road before the school holidays."
)
RULES = """publisher = "Daily Local"
[defaults]
policy = "attribution-required"
[[source]]
name = "清河日报"
aliases = ["清河日報", "qinghe.example.cn"]
[[source]]
name = "Riverside Post"
aliases = ["riversidepost.example.com"]
policy = "no-reprint"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "corpus"
    write(root / "qinghe" / "flood.md", f"---\nid: qh-1\ntitle: 防汛会议\nsource: 清河日报\n"
          f"url: https://qinghe.example.cn/1.html\npublished: 2024-05-02\n---\n{ORIGINAL_ZH}\n\n转载请注明出处。\n")
    write(root / "riverside" / "library.md", f"---\nid: rp-1\ntitle: Library budget\nsource: Riverside Post\n"
          f"published: 2024-04-30\n---\n{ORIGINAL_EN}\n")
    rules = write(tmp_path / "provenance.toml", RULES)
    return root, rules


@pytest.fixture(params=BACKENDS)
def index_location(request: pytest.FixtureRequest, tmp_path: Path):
    loc = location(request.param, tmp_path)
    yield loc
    drop(loc)


def test_round_trip_upsert_and_remove(index_location: str, corpus: tuple[Path, Path]) -> None:
    root, rules_file = corpus
    rules = load_rules(rules_file)
    first = build_index([root], index_location, rules)
    assert (first.added, first.updated, first.unchanged) == (2, 0, 0)
    again = build_index([root], index_location, rules)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    doc = root / "riverside" / "library.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nThe van will also carry laptops.\n", encoding="utf-8")
    changed = build_index([root], index_location, rules)
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 1)
    with open_index(index_location, rules.fingerprint) as index:
        assert index.count() == 2
        stored = index.get_by_id("rp-1")
        assert stored is not None and "laptops" in stored.text and stored.source == "Riverside Post"
        stats = index.stats()
        assert stats["documents"] == 2 and stats["params"]["num_perm"] == 128
        sources = {s.name: s for s in index.sources()}
        assert sources["清河日报"].policy == "attribution-required"  # from its disclaimer
        assert index.remove(["rp-1", "missing"]) == 1
        assert index.count() == 1 and index.get_by_id("rp-1") is None


def test_parameter_mismatch_is_refused(index_location: str, corpus: tuple[Path, Path]) -> None:
    root, rules_file = corpus
    build_index([root], index_location, load_rules(rules_file))
    other = FingerprintParams(shingle_cjk=4)
    with pytest.raises(IndexError_, match="shingle_cjk"):
        open_index(index_location, other)


def test_candidates_and_document_frequencies(index_location: str, corpus: tuple[Path, Path], tmp_path: Path) -> None:
    root, rules_file = corpus
    rules = load_rules(rules_file)
    build_index([root], index_location, rules)
    copy = write(tmp_path / "incoming" / "copy.txt", "今日要闻\n" + ORIGINAL_ZH.replace("会议", "會議") + "\n")
    report = scan([copy], index_location, rules)
    item = report.items[0]
    assert item.verdict == "unattributed"
    assert item.source["id"] == "qh-1"
    passage = item.matches[0]["passages"][0]
    assert 0 <= passage["article"][0] < passage["article"][1] <= len(item.text)
    with open_index(index_location, rules.fingerprint) as index:
        scanner = Scanner(index, rules)
        from provenance.documents.loaders import load_paths

        assert scanner.matcher.sources([]) == []
        article = next(iter(load_paths([copy])))
        from provenance.engine import analyse_article

        a = analyse_article(article, scanner.book, rules.fingerprint)
        found = index.candidates(a.fingerprint.hashvalues, int(a.fingerprint.simhash.value),
                                 a.fingerprint.passage_keys, 6)
        doc = index.get_by_id("qh-1")
        assert doc is not None and doc.rowid in found.passage_hits
        assert doc.rowid in found.lsh_hits
        assert index.document_frequencies(a.fingerprint.passage_keys) == {}  # each key in one document only


def test_copy_between_backends(index_location: str, corpus: tuple[Path, Path], tmp_path: Path) -> None:
    root, rules_file = corpus
    rules = load_rules(rules_file)
    source = str(tmp_path / "source.sqlite")
    build_index([root], source, rules)
    assert copy_index(source, index_location) == 2
    copy = write(tmp_path / "incoming" / "library.txt", "Local news\n" + ORIGINAL_EN + "\n")
    report = scan([copy], index_location, rules)
    assert report.items[0].verdict == "prohibited"
    assert report.items[0].source["id"] == "rp-1"


def _scan_worker(loc: str, rules_file: str, folder: str, rounds: int, queue: multiprocessing.Queue) -> None:
    try:
        rules = load_rules(rules_file)
        verdicts = []
        for _ in range(rounds):
            report = scan([folder], loc, rules)
            verdicts.append(sorted((i.path, i.verdict) for i in report.items))
        queue.put(("ok", verdicts))
    except Exception as exc:
        queue.put(("error", repr(exc)))


def _add_worker(loc: str, rules_file: str, folder: str, queue: multiprocessing.Queue) -> None:
    try:
        rules = load_rules(rules_file)
        result = build_index([folder], loc, rules)
        queue.put(("ok", result.added))
    except Exception as exc:
        queue.put(("error", repr(exc)))


def test_scans_beside_a_writer(index_location: str, corpus: tuple[Path, Path], tmp_path: Path) -> None:
    """Two processes scan while a third adds documents: no errors, no lost or half-written documents."""
    root, rules_file = corpus
    rules = load_rules(rules_file)
    build_index([root], index_location, rules)
    incoming = tmp_path / "incoming"
    write(incoming / "zh.txt", "本地消息\n" + ORIGINAL_ZH + "\n来源：清河日报\n")
    write(incoming / "en.txt", "Library news\n" + ORIGINAL_EN + "\n")
    extra = tmp_path / "extra"
    rng = np.random.default_rng(7)
    words = ORIGINAL_EN.split()
    for k in range(40):
        rng.shuffle(words)
        write(extra / f"doc{k:02d}.md", f"---\nid: extra-{k}\nsource: Riverside Post\n---\n{' '.join(words)}\n")
    results = run_together([(_scan_worker, (index_location, str(rules_file), str(incoming), 3))] * 2
                           + [(_add_worker, (index_location, str(rules_file), str(extra)))], timeout=240)
    errors = [r for r in results if r[0] == "error"]
    assert not errors, errors
    for _status, value in results:
        if isinstance(value, list):  # a scanner: every round gives the same verdicts
            assert all(v == value[0] for v in value)
            assert dict(value[0])[str(incoming / "zh.txt")] == "attributed"
    with open_index(index_location, rules.fingerprint) as index:
        assert index.count() == 42
        ids = set(index.iter_ids())
        assert {f"extra-{k}" for k in range(40)} <= ids
        for batch in index.iter_docs():
            for doc in batch:
                assert doc.text and doc.content_hash
        assert len(index.screens([doc.rowid for batch in index.iter_docs() for doc in batch])) == 42


def test_parallel_scan_gives_the_same_report(index_location: str, corpus: tuple[Path, Path], tmp_path: Path) -> None:
    root, rules_file = corpus
    rules = load_rules(rules_file)
    build_index([root], index_location, rules)
    incoming = tmp_path / "many"
    for k in range(12):
        text = (ORIGINAL_ZH if k % 3 == 0 else ORIGINAL_EN if k % 3 == 1 else f"本地消息第{k}条，社区食堂开业。")
        write(incoming / f"a{k:02d}.txt", f"标题{k}\n{text}\n")
    one = scan([incoming], index_location, rules).to_dict()
    two = scan([incoming], index_location, rules, jobs=2).to_dict()
    assert one["items"] == two["items"] and len(one["items"]) == 12


SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"


def _verdicts(location: str, rules) -> list[tuple[str, str, str | None]]:  # type: ignore[no-untyped-def]
    report = scan([SAMPLE / "incoming"], location, rules)
    return sorted((Path(i.path).name, i.verdict, (i.source or {}).get("id")) for i in report.items)


def _documents(location: str) -> list[tuple]:
    with open_index(location, None, readonly=True) as index:
        docs = [doc for batch in index.iter_docs() for doc in batch]
        sources = [(s.name, s.domain, s.documents, s.policy, s.policy_from, s.no_edits, s.aggregator)
                   for s in index.sources()]
    rows = sorted((d.id, d.path, d.text, d.title, d.source, d.url, d.published, d.publisher, d.license, d.language,
                   d.simhash, d.shingle_count, d.policy, d.policy_from, d.no_edits, d.aggregator, repr(d.claims),
                   d.content_hash) for d in docs)
    return [*rows, *sources]


@pytest.mark.parametrize("order", [("postgres", "redis"), ("redis", "postgres")])
def test_copy_round_trip_through_every_backend(tmp_path: Path, order: tuple[str, str]) -> None:
    """sqlite → postgres → redis → sqlite, and the other way round (every direction between the
    three backends): the same documents, source summaries and scan verdicts."""
    rules = load_rules(SAMPLE / "provenance.toml")
    first = str(tmp_path / "first.sqlite")
    last = str(tmp_path / "last.sqlite")
    build_index([SAMPLE / "sources"], first, rules)
    middle = [location(backend, tmp_path) for backend in order]
    try:
        with open_index(first, None, readonly=True) as index:
            n = index.count()
        chain = [first, *middle, last]
        for source, destination in itertools.pairwise(chain):
            assert copy_index(source, destination, rules) == n, (source, destination)
        expected = _documents(first)
        verdicts = _verdicts(first, rules)
        assert any(v[1] != "original" for v in verdicts)
        for loc in chain[1:]:
            assert _documents(loc) == expected, loc
            assert _verdicts(loc, rules) == verdicts, loc
        # MinHashes come through wherever they are stored (Redis derives them again from the text)
        kept = []
        for loc in chain:
            with open_index(loc, None, readonly=True) as index:
                docs = [d for batch in index.iter_docs() for d in batch]
            if all(d.minhash is not None for d in docs):
                kept.append({d.id: d.minhash.tolist() for d in docs})
        assert kept and all(k == kept[0] for k in kept)
    finally:
        for loc in middle:
            drop(loc)
