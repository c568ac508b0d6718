"""Fault injection: ``index build`` (and ``index remove``) killed with SIGKILL part-way through.

Method
------
The embedded index promises that a crash loses at most the batch being written: every batch of
documents is one SQLite write transaction in a WAL-mode file. To test that without hooks in the
product, the commands run in a child Python process (``sys.executable -c CHILD``) that replaces
``sqlite3.connect`` by a wrapper: every connection gets a trace callback (SQLite calls it as each
statement starts to run, once per row of an ``executemany`` and once per statement of an
``executescript``) and a ``close`` override. Each call is one *event*; at the N-th event the process
sends itself SIGKILL, so it dies before that statement runs, in the middle of a transaction when
the statement is inside one. The child imports the product once and forks a fresh process per run,
so every run starts from the same state and costs no interpreter start-up. Runs use ``--jobs 1``
and ``provenance.engine.BATCH = 7`` (many batches from a small corpus), which makes the event
sequence deterministic: a first, uninterrupted run of each command records it (the total T and
what each event is), and the kill points are then chosen by what the events are: while the index
file is being created, at a batch's BEGIN, between the document rows of a batch, in its source
summaries, in the band / SimHash block / passage posting-list upserts, just before its COMMIT, and
while the index is closed (everything committed). The child reports each run as it ends, so the
checks below run while it goes on with the next kill points.

Three commands are killed, each from its own start state:

* ``index build CORPUS`` into a new file (the file's creation and every batch);
* a second ``index build CORPUS2 --prune`` over a finished index of CORPUS, where CORPUS2 edits the
  texts or the source of some documents (``add`` deletes their rows and posting-list entries and
  inserts them again), adds documents and drops files (the prune removes them);
* ``index remove ID…`` over a finished index.

After every kill (each on its own copy of the index) the test checks that

1. ``provenance index stats --index FILE --json`` exits 0 with valid JSON (an index whose creation
   never committed may instead be reported as absent: exit 2, "no index here");
2. the statistics agree with the contents: the document count is the number of documents the
   library reads (``iter_ids``, ``iter_docs``); every band, SimHash block and passage list (read
   through sqlite3 in read-only mode and decoded with ``postings.unpack``) names existing documents
   only, as many as its ``n`` says, none twice, and every document is listed under its SimHash
   blocks and in some band and passage list; the source summaries count the documents per source;
3. running the command that rebuilds it (``index build`` of the same corpus) exits 0;
4. a scan of an incoming folder (copies, credited copies, reprints, originals) then gives every
   item the verdict and original it gets against an index built cleanly in one go.

Every failure is collected with its kill point, so one run reports all defects at once.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import corpus_kit as kit
import numpy as np
import pytest
from typer.testing import CliRunner

from provenance.cli import app
from provenance.engine import scan
from provenance.errors import ProvenanceError
from provenance.fingerprint import simhash_keys
from provenance.index import open_index
from provenance.index.postings import unpack
from provenance.rules import load_rules

BATCH = 7  # documents per write transaction in the killed runs
CHILD_TIMEOUT = 300  # seconds; a child still running then is killed and the test fails

# -- the child: runs CLI commands in forked processes and kills one at its N-th SQLite event ----
CHILD = r"""
import json, os, signal, sqlite3, sys, traceback

import provenance.engine as engine
from provenance.cli import app

events = 0
kill_at = None
log = None


def event(what):
    global events
    events += 1
    if log is not None:
        log.append(" ".join(what.split())[:100])
    if events == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)


class Traced(sqlite3.Connection):
    def close(self):
        event("<close>")
        super().close()


_connect = sqlite3.connect


def connect(*args, **kwargs):
    kwargs.setdefault("factory", Traced)
    conn = _connect(*args, **kwargs)
    conn.set_trace_callback(event)
    return conn


sqlite3.connect = connect


def run(job):
    global kill_at, log
    out = os.open(job["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    engine.BATCH = job["batch"]
    kill_at = job["kill_at"]
    log = [] if job["log"] else None
    try:
        app(job["argv"], prog_name="provenance")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException:
        traceback.print_exc()
        code = 99
    with open(job["result"], "w", encoding="utf-8") as file:
        json.dump({"exit": code, "events": events, "log": log}, file)


plan = json.load(sys.stdin)
# Warm up once (lazy imports, compiled patterns): every forked run then starts from this state.
try:
    app(plan["warmup"], prog_name="provenance")
except SystemExit:
    pass
events = 0
for job in plan["jobs"]:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            run(job)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None}), flush=True)
"""


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PROVENANCE_")}


@dataclass
class Run:
    """One command run by the child: killed at event ``kill_at`` (None: runs to its end)."""

    argv: list[str]
    work: Path  # files of this run: <work>.out (its output), <work>.json (its result, if it ended)
    kill_at: int | None = None
    log: bool = False
    signal: int | None = None
    result: dict[str, Any] | None = None


def run_child(runs: list[Run], warmup: list[str], work: Path) -> Iterator[Run]:
    """Run ``runs`` in order, each in a process forked from one child that first ran ``warmup``;
    yields each run as it ends, so that checking it overlaps with the next runs."""
    jobs = [{"argv": r.argv, "kill_at": r.kill_at, "log": r.log, "batch": BATCH,
             "output": f"{r.work}.out", "result": f"{r.work}.json"} for r in runs]
    errors = work.with_suffix(".err")
    with errors.open("w", encoding="utf-8") as err, subprocess.Popen(
            [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True,
            env=_environment()) as child:
        watchdog = threading.Timer(CHILD_TIMEOUT, child.kill)
        watchdog.start()
        try:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(json.dumps({"warmup": warmup, "jobs": jobs}))
            child.stdin.close()
            for run in runs:
                line = child.stdout.readline()
                assert line, f"the child ended early:\n{errors.read_text(encoding='utf-8')}"
                run.signal = json.loads(line)["signal"]
                result = Path(f"{run.work}.json")
                run.result = json.loads(result.read_text(encoding="utf-8")) if result.exists() else None
                yield run
        finally:
            watchdog.cancel()
            if child.poll() is None:
                child.kill()


# -- the corpus (texts generated from corpus_kit's material) ----------------------------------
_ZH_TEXTS = (kit.ZH_ORIGINAL, kit.ZH_SIGNALS, kit.ZH_BAYBERRY, kit.ZH_PORT, kit.ZH_SCHOOL, kit.ZH_LIBRARY, kit.ZH_PARK,
             kit.ZH_TOILETS, kit.ZH_UNRELATED)
ZH_CHARS = "".join(sorted({c for text in _ZH_TEXTS for c in text if "\u4e00" <= c <= "\u9fff"}))
EN_WORDS = sorted({w.strip(".,").lower() for w in kit.EN_ORIGINAL.split() if w.strip(".,").isalpha()})
ZH_SOURCES = ["白河晚报", "松林商报", "东江网", "北岭新闻网", "南湖日报", "西岭时报", "本地日报"]
EN_SOURCES = ["Ridgeview Tribune", "Harbor Ledger", "Valley Wire"]
DISCLAIMERS = {"西岭时报": "转载请注明出处。", "北岭新闻网": kit.NO_REPRINT_NOTICE,
               "Harbor Ledger": "This story may not be republished without permission."}


def zh_text(rng: random.Random, paragraphs: int = 3) -> str:
    """Chinese-looking text: sentences of random characters drawn from corpus_kit's texts."""
    out = []
    for _ in range(paragraphs):
        sentences = []
        for _ in range(rng.randint(2, 3)):
            parts = ["".join(rng.choice(ZH_CHARS) for _ in range(rng.randint(8, 16))) for _ in range(rng.randint(2, 3))]
            sentences.append("，".join(parts) + "。")
        out.append("".join(sentences))
    return "\n\n".join(out) + "\n"


def en_text(rng: random.Random, paragraphs: int = 3) -> str:
    """English-looking text: sentences of random words drawn from corpus_kit's English original."""
    out = []
    for _ in range(paragraphs):
        sentences = [" ".join(rng.choice(EN_WORDS) for _ in range(rng.randint(10, 18))).capitalize() + "."
                     for _ in range(rng.randint(2, 3))]
        out.append(" ".join(sentences))
    return "\n\n".join(out) + "\n"


@dataclass
class Doc:
    id: str
    rel: str
    body: str
    source: str
    zh: bool
    published: str
    title: str

    def write(self, root: Path) -> None:
        kit.write(root / self.rel, kit.front_matter(self.body, id=self.id, source=self.source, title=self.title,
                                                     published=self.published))


@dataclass
class World:
    root: Path
    rules_file: Path
    corpus: Path  # first version
    corpus2: Path  # edited: texts and sources changed, documents added, files dropped
    incoming: Path
    removed_ids: list[str] = field(default_factory=list)


def generated_docs() -> list[Doc]:
    """60 generated documents (two thirds Chinese) and 15 credited near-duplicates by other sources."""
    rng = random.Random(20240917)
    docs = []
    for i in range(60):
        zh = i % 3 != 2
        source = rng.choice(ZH_SOURCES if zh else EN_SOURCES)
        body = zh_text(rng) if zh else en_text(rng)
        if source in DISCLAIMERS and i % 2 == 0:
            body += "\n" + DISCLAIMERS[source] + "\n"
        docs.append(Doc(f"gen-{i:03d}", f"gen/gen-{i:03d}.md", body, source, zh, f"2024-0{1 + i % 9}-{10 + i % 18}",
                        f"Item {i}"))
    for j, original in enumerate(docs[:15]):
        other = rng.choice([s for s in (ZH_SOURCES if original.zh else EN_SOURCES) if s != original.source])
        paragraphs = original.body.split("\n\n")
        paragraphs[1] = (zh_text(rng, 1) if original.zh else en_text(rng, 1)).strip()
        credit = f"来源：{original.source}" if original.zh else f"Source: {original.source}"
        docs.append(Doc(f"re-{j:02d}", f"reprints/re-{j:02d}.md", "\n\n".join(paragraphs).rstrip() + f"\n{credit}\n",
                        other, original.zh, "2024-12-01", f"Reprint {j}"))
    return docs


def make_world(root: Path) -> World:
    rng = random.Random(4711)
    rules_file = kit.write(root / "provenance.toml", kit.RULES)
    corpus, corpus2 = root / "corpus", root / "corpus2"
    kit.write_corpus(corpus)
    docs = {d.id: d for d in generated_docs()}
    for doc in docs.values():
        doc.write(corpus)
    # The second version: six texts edited, two documents moved to another source, one date
    # changed, three documents added, two files gone.
    shutil.copytree(corpus, corpus2)
    for doc_id in ("gen-000", "gen-003", "gen-007", "gen-031", "gen-044", "re-04"):
        doc = docs[doc_id]
        paragraphs = doc.body.split("\n\n")
        paragraphs[0] = (zh_text(rng, 1) if doc.zh else en_text(rng, 1)).strip()
        Doc(doc.id, doc.rel, "\n\n".join(paragraphs), doc.source, doc.zh, doc.published, doc.title).write(corpus2)
    for doc_id, source in (("gen-010", "西岭时报"), ("gen-026", "Harbor Ledger")):
        doc = docs[doc_id]
        body = doc.body + ("\n" + DISCLAIMERS[source] + "\n" if source in DISCLAIMERS else "")
        Doc(doc.id, doc.rel, body, source, doc.zh, doc.published, doc.title).write(corpus2)
    doc = docs["gen-015"]
    Doc(doc.id, doc.rel, doc.body, doc.source, doc.zh, "2024-02-29", doc.title).write(corpus2)
    for k in range(3):
        zh = k != 1
        Doc(f"new-{k}", f"new/new-{k}.md", zh_text(rng) if zh else en_text(rng), ZH_SOURCES[k] if zh else "Valley Wire",
            zh, f"2025-01-0{k + 1}", f"New {k}").write(corpus2)
    for rel in ("gen/gen-020.md", "reprints/re-05.md"):
        (corpus2 / rel).unlink()

    incoming = root / "incoming"
    kit.write_incoming(incoming)
    extra = {
        "gen-copy.md": docs["gen-001"].body,  # a copy, no credit
        "gen-credited.md": docs["gen-004"].body + f"\n来源：{docs['gen-004'].source}\n",
        "reprint-copy.md": docs["re-02"].body,  # a copy of a credited reprint (a chain)
        "en-copy.md": docs["gen-002"].body + f"\nSource: {docs['gen-002'].source}\n",
        "edited-copy.md": docs["gen-000"].body,  # its original is edited in the second version
        "pruned-copy.md": docs["gen-020"].body,  # its original is gone from the second version
        "moved-copy.md": docs["gen-010"].body,  # its original changes source in the second version
        "fresh.md": zh_text(rng),
    }
    for name, text in extra.items():
        kit.write(incoming / name, text)
    removed = ["qs-0408", "gen-001", "re-02", "rv-0902", "gen-045", "no-such-id"]
    return World(root, rules_file, corpus, corpus2, incoming, removed)


# -- checks ------------------------------------------------------------------------------------
runner = CliRunner()


def cli(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def build_argv(world: World, corpus: Path, index: Path, *extra: str) -> list[str]:
    return ["index", "build", str(corpus), "--index", str(index), "--rules", str(world.rules_file), "--jobs", "1",
            "--quiet", *extra]


def verdicts(world: World, index: Path) -> dict[str, tuple[str, Any, Any]]:
    """Each incoming item's verdict and original (id and name)."""
    report = scan([world.incoming], str(index), load_rules(world.rules_file))
    return {Path(item.path).name: (item.verdict, (item.source or {}).get("id"), (item.source or {}).get("name"))
            for item in report.items}


def stats_json(index: Path) -> tuple[int, dict[str, Any] | None, str]:
    result = cli("index", "stats", "--index", index, "--json")
    try:
        data = json.loads(result.stdout) if result.exit_code == 0 else None
    except json.JSONDecodeError:
        data = None
    return result.exit_code, data, result.output


def contents_problems(index: Path, stats: dict[str, Any]) -> list[str]:
    """Where the statistics disagree with what the index holds (empty: they agree)."""
    problems: list[str] = []
    with open_index(str(index), None, readonly=True) as opened:
        ids = list(opened.iter_ids())
        docs = [doc for batch in opened.iter_docs() for doc in batch]
        summaries = {s.name: s.documents for s in opened.sources()}
        params = opened.params
    if not stats["documents"] == len(ids) == len(docs):
        problems.append(f"stats say {stats['documents']} documents; iter_ids reads {len(ids)}, iter_docs {len(docs)}")
    if len(set(ids)) != len(ids) or set(ids) != {d.id for d in docs}:
        problems.append("iter_ids and iter_docs disagree on the ids")
    per_source = Counter(d.source for d in docs if d.source)
    if summaries != dict(per_source):
        wrong = {name: (summaries.get(name, 0), per_source.get(name, 0))
                 for name in set(summaries) | set(per_source) if summaries.get(name, 0) != per_source.get(name, 0)}
        problems.append(f"source summaries (counted, actual): {wrong}")
    if stats["sources"] != len(per_source):
        problems.append(f"stats say {stats['sources']} sources; the documents have {len(per_source)}")
    rowids = np.array(sorted(d.rowid for d in docs), dtype=np.int64)
    conn = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("PRAGMA integrity_check fails")
        for table in ("bands", "simblocks", "postings"):
            rows = conn.execute(f"SELECT key, n, docs FROM {table}").fetchall()
            members, owner = unpack([blob for _, _, blob in rows])
            dangling = np.setdiff1d(members, rowids)
            if dangling.size:
                problems.append(f"{table}: lists name {dangling.size} rows that are not documents "
                                f"(e.g. rowids {dangling[:5].tolist()})")
            miscounted = int((np.bincount(owner, minlength=len(rows)) != [n for _, n, _ in rows]).sum())
            duplicated = members.size - np.unique(np.stack([owner, members]), axis=1).shape[1]
            if miscounted or duplicated:
                problems.append(f"{table}: {miscounted} lists whose n is not their length; {duplicated} entries "
                                "naming a document twice in one list")
            unlisted = np.setdiff1d(rowids, members)
            if unlisted.size:
                problems.append(f"{table}: {unlisted.size} documents listed under no key (e.g. rowids "
                                f"{unlisted[:5].tolist()})")
            if table == "simblocks":
                lists = {key: set(members[owner == i].tolist()) for i, (key, _, _) in enumerate(rows)}
                missing = [d.id for d in docs if any(d.rowid not in lists.get(key, ())
                                                     for key in simhash_keys(d.simhash, params))]
                if missing:
                    problems.append(f"simblocks: {len(missing)} documents missing from their own blocks "
                                    f"(e.g. {missing[:3]})")
    finally:
        conn.close()
    return problems


# -- kill points -------------------------------------------------------------------------------
@dataclass(frozen=True)
class KillPoint:
    phase: str
    event: int  # 1-based: the child dies as this event starts
    where: str


def _indices(log: list[str], pattern: str, start: int = 0, stop: int | None = None) -> list[int]:
    rx = re.compile(pattern)
    return [i for i in range(start, len(log) if stop is None else stop) if rx.match(log[i])]


def _transactions(log: list[str]) -> list[tuple[int, int]]:
    """(BEGIN IMMEDIATE, COMMIT) event indices of every write transaction."""
    spans = []
    for begin in _indices(log, r"BEGIN IMMEDIATE"):
        spans.append((begin, _indices(log, r"COMMIT$", begin)[0]))
    return spans


# Places inside one write transaction of a build, in the order a batch reaches them.
_BATCH_PLACES: list[tuple[str, Callable[[list[str], int, int], int | None]]] = [
    ("at BEGIN", lambda log, b, c: b),
    ("first statement of the transaction", lambda log, b, c: b + 1),
    ("before the 3rd document row", lambda log, b, c: _nth(_indices(log, r"INSERT INTO docs", b, c), 2)),
    ("in a source summary", lambda log, b, c: _nth(_indices(log, r"(INSERT INTO|UPDATE) sources", b, c), 0)),
    ("before the band lists", lambda log, b, c: _nth(_indices(log, r"INSERT INTO bands", b, c), 0)),
    ("before the SimHash block lists", lambda log, b, c: _nth(_indices(log, r"INSERT INTO simblocks", b, c), 0)),
    ("in the middle of the passage lists", lambda log, b, c: _middle(_indices(log, r"INSERT INTO postings", b, c))),
    ("last statement before COMMIT", lambda log, b, c: c - 1),
    ("at COMMIT", lambda log, b, c: c),
]


def _nth(values: list[int], n: int) -> int | None:
    return values[n] if -len(values) <= n < len(values) else None


def _middle(values: list[int]) -> int | None:
    return _nth(values, len(values) // 2)


def _first(values: list[int]) -> int | None:
    return _nth(values, 0)


def points_of_new_build(log: list[str]) -> list[KillPoint]:
    """The file's creation (schema, parameters), two places in every batch, and the final close."""
    points: dict[int, str] = {}
    tables = _indices(log, r"CREATE TABLE")
    creation = [(f"creating the file: at {log[i]}", i) for i in range(tables[0])] + [
        ("creating the schema: first table", _first(tables)),
        ("creating the schema: fourth table", _nth(tables, 3)),
        ("writing the parameters", _first(_indices(log, r"INSERT OR REPLACE INTO meta"))),
        ("at COMMIT of the parameters", _first(_indices(log, r"COMMIT$"))),
        ("reading content hashes", _first(_indices(log, r"SELECT id, content_hash FROM docs"))),
    ]
    for where, at in creation:
        if at is not None:
            points.setdefault(at, where)
    for n, (begin, commit) in enumerate(_transactions(log)):
        for k in (2 * n, 2 * n + 1):
            where, place = _BATCH_PLACES[k % len(_BATCH_PLACES)]
            at = place(log, begin, commit)
            if at is not None:
                points.setdefault(at, f"batch {n + 1}: {where}")
    last_commit = _indices(log, r"COMMIT$")[-1]
    points.setdefault(last_commit + 1, "closing the index (everything committed)")
    points.setdefault(len(log) - 1, "at the final close of the connection")
    return [KillPoint("build", at + 1, where) for at, where in sorted(points.items())]


def points_of_update(log: list[str]) -> list[KillPoint]:
    """Replacing documents (their rows and list entries deleted, then inserted), the prune, the close."""
    spans = _transactions(log)
    (b1, c1), *rest = spans
    prune = spans[-1]
    places = [
        ("batch 1: reading a replaced document", _first(_indices(log, r"SELECT simhash, text_z, source FROM docs",
                                                                 b1, c1))),
        ("batch 1: first band list shortened", _first(_indices(log, r"(UPDATE|DELETE FROM) bands", b1, c1))),
        ("batch 1: in the middle of shortening passage lists",
         _middle(_indices(log, r"(UPDATE|DELETE FROM) postings", b1, c1))),
        ("batch 1: deleting a replaced document's row", _first(_indices(log, r"DELETE FROM docs", b1, c1))),
        ("batch 1: decrementing a source summary", _first(_indices(log, r"UPDATE sources SET documents = max",
                                                                   b1, c1))),
        ("batch 1: re-inserting a replaced document", _first(_indices(log, r"INSERT INTO docs", b1, c1))),
        ("batch 1: in the middle of the passage lists", _middle(_indices(log, r"INSERT INTO postings", b1, c1))),
        ("batch 1: at COMMIT", c1),
    ]
    for n, (begin, commit) in enumerate(rest[:-1], start=2):
        places += [(f"batch {n}: at BEGIN", begin),
                   (f"batch {n}: second replaced document's row deleted",
                    _nth(_indices(log, r"DELETE FROM docs", begin, commit), 1)),
                   (f"batch {n}: in the middle of the transaction", (begin + commit) // 2),
                   (f"batch {n}: at COMMIT", commit)]
    b, c = prune
    places += [
        ("prune: at BEGIN", b),
        ("prune: selecting the rows to remove", _first(_indices(log, r"SELECT rowid FROM docs WHERE id IN", b, c))),
        ("prune: between the two removals", _nth(_indices(log, r"DELETE FROM docs", b, c), 0)),
        ("prune: at COMMIT", c),
        ("closing the index (everything committed)", c + 1),
        ("at the final close of the connection", len(log) - 1),
    ]
    return _points("update", places)


def points_of_remove(log: list[str]) -> list[KillPoint]:
    (b, c), = _transactions(log)
    deletes = _indices(log, r"DELETE FROM docs", b, c)
    return _points("remove", [
        ("at BEGIN", b),
        ("selecting the rows", _first(_indices(log, r"SELECT rowid FROM docs WHERE id IN", b, c))),
        ("first document: shortening its band lists", _first(_indices(log, r"(UPDATE|DELETE FROM) bands", b, c))),
        ("after the first document's row is deleted", deletes[0] + 1 if deletes else None),
        ("third document: deleting its row", _nth(deletes, 2)),
        ("in the middle of the last document's lists", (deletes[-1] + (deletes[-2] if len(deletes) > 1 else b)) // 2
         if deletes else None),
        ("at COMMIT", c),
        ("closing the index (everything committed)", c + 1),
        ("at the final close of the connection", len(log) - 1),
    ])


def _points(phase: str, places: list[tuple[str, int | None]]) -> list[KillPoint]:
    points: dict[int, str] = {}
    for where, at in places:
        if at is not None:
            points.setdefault(at, where)
    return [KillPoint(phase, at + 1, where) for at, where in sorted(points.items())]


# -- the test ----------------------------------------------------------------------------------
@dataclass
class Phase:
    name: str
    argv: Callable[[Path], list[str]]  # the killed command, for an index file
    start: Path | None  # the index it starts from (None: a new file)
    rebuild: Callable[[Path], list[str]]  # the command that must repair it
    expected: dict[str, tuple[str, Any, Any]]  # verdicts against a clean index of the same corpus
    choose: Callable[[list[str]], list[KillPoint]]


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("PROVENANCE_"):
            monkeypatch.delenv(name)
    yield


def _copy_index(source: Path | None, destination: Path) -> None:
    if source is None:
        return
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{destination}{suffix}")


def check_after_kill(world: World, phase: Phase, index: Path) -> list[str]:
    """Checks 1–4 of the module docstring on an index whose writer was killed; the problems found."""
    problems: list[str] = []
    code, stats, output = stats_json(index)
    if code == 0 and stats is not None:
        problems += contents_problems(index, stats)
    elif not (phase.start is None and code == 2 and "no index here" in output):
        # Only a file whose creation never committed may be reported as no index at all.
        problems.append(f"'index stats --json' exits {code}: {' '.join(output.split())}")
    rebuilt = cli(*phase.rebuild(index))
    if rebuilt.exit_code != 0:
        return [*problems, f"the rebuild exits {rebuilt.exit_code}: {' '.join(rebuilt.output.split())}"]
    try:
        with open_index(str(index), None, readonly=True) as opened:
            stats = opened.stats()
    except ProvenanceError as exc:
        return [*problems, f"after the rebuild the index does not open: {exc}"]
    problems += [f"after the rebuild: {problem}" for problem in contents_problems(index, stats)]
    got = verdicts(world, index)
    differing = {name: (got.get(name), want) for name, want in phase.expected.items() if got.get(name) != want}
    if differing:
        problems.append(f"after the rebuild the scan differs from a clean index (got, expected): {differing}")
    return problems


def test_sigkill_during_index_writes(tmp_path: Path) -> None:
    world = make_world(tmp_path)

    # References: each corpus indexed cleanly in one go (one batch), and their scans.
    clean1, clean2 = tmp_path / "clean1.sqlite", tmp_path / "clean2.sqlite"
    for corpus, index in ((world.corpus, clean1), (world.corpus2, clean2)):
        result = cli(*build_argv(world, corpus, index))
        assert result.exit_code == 0, result.output
        code, stats, output = stats_json(index)
        assert code == 0 and stats is not None, output
        assert contents_problems(index, stats) == []
    expected1, expected2 = verdicts(world, clean1), verdicts(world, clean2)
    # The corpus explains most incoming items, and its second version changes some verdicts.
    assert sum(1 for _, original, _ in expected1.values() if original) >= 20, expected1
    assert expected1["pruned-copy.md"] != expected2["pruned-copy.md"], (expected1, expected2)

    phases = [
        Phase("build", lambda f: build_argv(world, world.corpus, f), None,
              lambda f: build_argv(world, world.corpus, f), expected1, points_of_new_build),
        Phase("update", lambda f: build_argv(world, world.corpus2, f, "--prune"), clean1,
              lambda f: build_argv(world, world.corpus2, f, "--prune"), expected2, points_of_update),
        Phase("remove", lambda f: ["index", "remove", *world.removed_ids, "--index", str(f)], clean1,
              lambda f: build_argv(world, world.corpus, f), expected1, points_of_remove),
    ]
    runs_dir = tmp_path / "runs"
    runs_dir.mkdir()
    warmup = build_argv(world, world.corpus / "qingshan", runs_dir / "warmup.sqlite")

    # 1. Every command once, uninterrupted and traced: the events the kill points are chosen from.
    counting = []
    for phase in phases:
        index = runs_dir / f"{phase.name}-count.sqlite"
        _copy_index(phase.start, index)
        counting.append(Run(phase.argv(index), runs_dir / f"{phase.name}-count", log=True))
    chosen: list[tuple[Phase, KillPoint]] = []
    totals: dict[str, int] = {}
    for phase, run in zip(phases, run_child(counting, warmup, runs_dir / "counting"), strict=True):
        assert run.signal is None and run.result is not None and run.result["exit"] == 0, \
            Path(f"{run.work}.out").read_text(encoding="utf-8")
        totals[phase.name] = run.result["events"]
        chosen += [(phase, point) for point in phase.choose(run.result["log"])]
    by_phase = Counter(point.phase for _, point in chosen)
    assert by_phase["build"] >= 20 and by_phase["update"] >= 8 and by_phase["remove"] >= 5, by_phase

    # 2. Every kill point on its own copy of its phase's start state; each killed index is checked
    # while the child goes on with the next kill points.
    kills: dict[str, tuple[Phase, KillPoint, Path]] = {}
    runs = []
    for phase, point in chosen:
        index = runs_dir / f"{phase.name}-{point.event}.sqlite"
        _copy_index(phase.start, index)
        run = Run(phase.argv(index), runs_dir / f"{phase.name}-{point.event}", kill_at=point.event)
        kills[str(run.work)] = (phase, point, index)
        runs.append(run)
    defects: list[str] = []
    for run in run_child(runs, warmup, runs_dir / "kills"):
        phase, point, index = kills[str(run.work)]
        at = f"{phase.name} killed at event {point.event}/{totals[phase.name]} ({point.where})"
        print(at)
        assert run.signal == signal.SIGKILL, f"{at}: the child was not killed ({run.result})"
        try:
            problems = check_after_kill(world, phase, index)
        except Exception as exc:  # a check that cannot even run is a finding too
            problems = [f"checking raised {type(exc).__name__}: {exc}"]
        defects += [f"{at}: {problem}" for problem in problems]
        if not problems:  # the files of a failing kill point stay for a look
            for suffix in ("", "-wal", "-shm"):
                Path(f"{index}{suffix}").unlink(missing_ok=True)

    assert not defects, f"{len(defects)} defects after {len(runs)} kills:\n" + "\n".join(defects)
