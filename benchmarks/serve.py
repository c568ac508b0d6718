"""Load benchmark of ``provenance serve``: latency, throughput, errors and memory under concurrent clients.

The service runs as a subprocess (``python -m provenance serve`` on a free port of 127.0.0.1) on the
bench corpus of ``bench.py``: N derived articles (real news text, half Chinese, half English), their
index built once and kept in ``--workdir``. Closed-loop clients (asyncio + ``httpx.AsyncClient``)
post articles of about ``--chars`` characters to ``POST /v1/check``, each client sending its next
request when the previous one is answered. The requests are like traffic: half are lightly edited
copies of indexed articles (one middle sentence dropped, an editor's line added), half unseen real
articles (held out of the bases), each trimmed at a sentence end or padded with further unseen text
to about ``--chars`` characters; all are distinct.

Phases, in order:

  corpus, index   ``bench.write_corpus`` and ``bench.phase_build`` into ``--workdir`` (reused when the
                  corpus is unchanged and the index holds N documents)
  in-process      the baseline measured in the same run: the same requests checked in this process by
                  one :class:`~provenance.engine.Scanner` (payload → article as the service reads it,
                  analysis, matching, judging), per article
  start           the service with ``--workers`` (check processes) and ``--threads``; ready when
                  ``/healthz`` answers (the service answers once every check process has the index open)
  warm-up         ``--warmup`` requests at the full concurrency, not counted
  serial          ``--serial`` requests from one client: the service's own cost per request against
                  the in-process baseline
  load            ``--requests`` requests from ``--clients`` clients; latencies, status codes, errors
                  (non-200 answers and exceptions); the service's memory (RSS summed over its process
                  tree) after the warm-up, every second while it runs, and at the end

Targets (issue "Load benchmark"): with 20 clients, p95 ≤ 150 ms per ~1,500-character article, no
errors, memory growth ≤ 10 % over the run. Memory is the service's own (anonymous memory: heap,
arrays, caches); the index pages it maps are the OS's page cache and are shown apart. Exit 0 when the benchmark ran (the targets are printed,
met or not), 2 when the service could not be started or the data is missing.

    python benchmarks/serve.py [--n 100000] [--requests 10000] [--clients 20] [--workers 2] [--threads T]
                               [--workdir DIR] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET_P95_MS = 150.0
TARGET_GROWTH = 0.10
STARTUP_SECONDS = 180.0


def _bench() -> ModuleType:
    """``bench.py`` beside this file: its corpus, derivations and index build."""
    spec = importlib.util.spec_from_file_location("provenance_bench", HERE / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _bench()


# -- requests -----------------------------------------------------------------------------------
def fit(sentences: Iterator[str], lang: str, chars: int) -> str:
    """Sentences joined until the text has about ``chars`` characters, cut at a sentence end: a
    sentence that would take the text more than a tenth past ``chars`` is left out when the text
    has 90 % of them already, else the text is cut at ``chars`` plus a tenth."""
    sep = "" if lang == "zh" else " "
    out: list[str] = []
    size = 0
    for sentence in sentences:
        if size >= chars:
            break
        grown = size + len(sep) * bool(out) + len(sentence)
        if grown > chars * 1.1 and size >= chars * 0.9:
            break
        out.append(sentence)
        size = grown
    return sep.join(out)[: int(chars * 1.1)]


def edited_copy(article: dict[str, str], k: int, chars: int) -> str:
    """``bench.light_edit`` of the article's first sentences, about ``chars`` characters in all."""
    want = chars
    for _ in range(3):  # the edit drops a sentence and adds a line: aim again by what it changed
        body = fit(iter(bench._sentences(article["text"])), article["lang"], want)
        text = bench.light_edit({**article, "text": body}, k)
        if abs(len(text) - chars) <= chars * 0.05 or len(body) >= len(article["text"]):
            break
        want += chars - len(text)
    return text


def make_requests(corpus: Any, indexed: int, count: int, chars: int, seed: int = 20240611) -> list[dict[str, Any]]:
    """``count`` distinct requests, copies and unseen articles alternating (shuffled), about
    ``chars`` characters each. A copy is of an indexed article whose base is long enough (so that
    it is one article's text, trimmed); an unseen article shorter than ``chars`` is continued with
    the next unseen articles of its language; unseen articles used again have their sentences
    shuffled (seeded), so that no two requests are the same text."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    texts: set[str] = set()
    chosen: set[int] = set()
    tries = 0
    while len(out) < min(count // 2, indexed) and tries < 100 * count:
        tries += 1
        k = rng.randrange((indexed - len(out) % 2 + 1) // 2) * 2 + len(out) % 2  # Chinese and English in turn
        if k in chosen or len(corpus.base_of(k)[0].text) < chars * 0.9:
            continue
        chosen.add(k)
        article = bench.derive(corpus, k)
        text = edited_copy(article, k, chars)
        if text in texts:  # a base of one long sentence: its shuffled versions are the same text
            continue
        texts.add(text)
        out.append({"kind": "copy", "of": article["id"], "lang": article["lang"],
                    "payload": {"id": f"copy-{len(out):05d}", "title": article["title"], "text": text}})
    unseen = {lang: [b for b in corpus.unseen if b.lang == lang] for lang in ("zh", "en")}
    i = 0
    while len(out) < count and i < 10 * count:
        lang = "zh" if i % 2 == 0 else "en"
        pool = unseen[lang]
        j = i // 2
        round_ = j // len(pool)
        i += 1

        def sentences(j: int = j, round_: int = round_, pool: list[Any] = pool) -> Iterator[str]:
            for step in range(len(pool)):
                base = pool[(j + step) % len(pool)]
                parts = bench._sentences(base.text)
                if round_:
                    random.Random(round_ * 1_000_003 + j + step).shuffle(parts)
                yield from parts

        text = fit(sentences(), lang, chars)
        if text in texts:  # a text of one long sentence again: no new version of it
            continue
        texts.add(text)
        out.append({"kind": "unseen", "of": None, "lang": lang,
                    "payload": {"id": f"new-{len(out):05d}", "title": pool[j % len(pool)].title, "text": text}})
    rng.shuffle(out)
    for request in out:
        request["body"] = json.dumps(request["payload"], ensure_ascii=False).encode("utf-8")
    return out


# -- the in-process baseline ------------------------------------------------------------------
def in_process(location: str, requests: list[dict[str, Any]], warm: list[dict[str, Any]]) -> dict[str, Any]:
    """Each request checked in this process as one service request is, without HTTP: the payload
    read into an article by the service's own reader, then analysed, matched and judged by one
    Scanner (its caches as warm as a scan thread's)."""
    from provenance.engine import Scanner, _scan_pending
    from provenance.index import open_index
    from provenance.rules import Rules
    from provenance.service.articles import from_json

    rules = Rules()
    times, cpu = [], []
    with open_index(location, rules.fingerprint, readonly=True) as index:
        scanner = Scanner(index, rules)
        for request in warm + requests:
            started, started_cpu = time.perf_counter(), time.thread_time()
            article = from_json(json.loads(request["body"]), "article", rules.limits)
            next(_scan_pending(scanner, [[article]]))
            times.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)
    times, cpu = times[len(warm):], cpu[len(warm):]
    return {"requests": len(times), "warm_up": len(warm), **summary(times),
            "cpu_mean_ms": round(statistics.fmean(cpu) * 1000, 2) if cpu else 0.0}


# -- the service -----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Service:
    """``python -m provenance serve`` as a subprocess; its log goes to a file of the workdir."""

    def __init__(self, location: str, work: Path, workers: int, threads: int | None, timeout: float,
                 extra: list[str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = work / "service.log"
        command = [sys.executable, "-m", "provenance", "serve", "--index", location, "--host", "127.0.0.1",
                   "--port", str(self.port), "--workers", str(workers), "--timeout", f"{timeout:g}", *extra]
        if threads:
            command += ["--threads", str(threads)]
        self.command = command
        # The service's settings come from the command line only: no rules file is looked for
        # from the workdir (the index was built with the built-in rules), no PROVENANCE_* variable.
        environ = {k: v for k, v in os.environ.items() if not k.startswith("PROVENANCE_")}
        self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, cwd=work, env=environ, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)

    def wait_ready(self, deadline: float) -> str | None:
        """None once ``/healthz`` answers, else why not."""
        import httpx

        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"the service exited with {self.process.returncode}: {self.log_tail()}"
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return None
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        return f"no answer from {self.url}/healthz within {STARTUP_SECONDS:g} s: {self.log_tail()}"

    def log_tail(self, lines: int = 8) -> str:
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            return " | ".join(line for line in text if '"path":' not in line)[-2000:] or "(no output)"
        return "(no log)"

    def pids(self) -> list[int]:
        """The service's process tree: the serve command and its check processes."""
        return [self.process.pid, *children(self.process.pid)]

    def stop(self) -> int | None:
        """SIGTERM (a graceful stop), SIGKILL to whatever of the tree is left after 30 s."""
        tree = self.pids()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                for pid in tree:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self.process.wait(10)
        self._log.close()
        return self.process.returncode


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (psutil, else /proc)."""
    try:
        import psutil
    except ModuleNotFoundError:
        psutil = None
    if psutil is not None:
        with contextlib.suppress(psutil.Error):
            return [p.pid for p in psutil.Process(pid).children(recursive=True)]
        return []
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                kids = [int(k) for k in (task / "children").read_text().split()]
                found += kids
                todo += kids
    return found


def memory(pids: list[int]) -> dict[str, float]:
    """RSS of the processes, summed, in MB: all of it, and the part that is anonymous memory (the
    rest is mapped files: the index SQLite reads through mmap, the libraries)."""
    total = {"rss_mb": 0.0, "anon_mb": 0.0}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                          if ":" in line)
            total["rss_mb"] += int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
            total["anon_mb"] += int(fields.get("RssAnon", "0 kB").split()[0]) / 1024
            continue
        with contextlib.suppress(Exception):  # no /proc: psutil
            import psutil

            info = psutil.Process(pid).memory_info()
            total["rss_mb"] += info.rss / (1 << 20)
            total["anon_mb"] += (info.rss - getattr(info, "shared", 0)) / (1 << 20)
    return {k: round(v, 1) for k, v in total.items()}


def anon_by_process(pids: list[int]) -> dict[int, float]:
    """Each process's anonymous memory in MB (Linux; empty elsewhere)."""
    found = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    found[pid] = round(int(line.split()[1]) / 1024, 1)
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by the processes (their finished children excluded)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, /proc/stat; 0 where unreadable)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
    return 0.0


class Sampler(threading.Thread):
    """The service's memory every ``interval`` seconds while the load runs."""

    def __init__(self, service: Service, interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.service, self.interval = service, interval
        self.samples: list[dict[str, float]] = []
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            self.samples.append(memory(self.service.pids()))

    def stop(self) -> None:
        self._done.set()
        self.join()


# -- the clients ------------------------------------------------------------------------------
async def drive(url: str, requests: list[dict[str, Any]], clients: int, timeout: float,
                budget: float) -> dict[str, Any]:
    """Closed loop: ``clients`` tasks, each posting the next request when its previous one is
    answered, until all are sent or ``budget`` seconds have passed."""
    import httpx

    results: list[dict[str, Any] | None] = [None] * len(requests)
    position = 0
    deadline = time.perf_counter() + budget
    headers = {"content-type": "application/json"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:

        async def one_client() -> None:
            nonlocal position
            while position < len(requests) and time.perf_counter() < deadline:
                i = position
                position += 1
                started = time.perf_counter()
                outcome: dict[str, Any]
                try:
                    answer = await client.post("/v1/check", content=requests[i]["body"], headers=headers)
                    elapsed = time.perf_counter() - started
                    outcome = {"seconds": elapsed, "status": answer.status_code}
                    if answer.status_code == 200:
                        body = answer.json()
                        matches = body["item"].get("matches") or []
                        outcome.update(verdict=body["verdict"], top=matches[0]["id"] if matches else None)
                    else:
                        outcome["error"] = f"HTTP {answer.status_code}: {answer.text[:200]}"
                except Exception as exc:  # a refused or dropped connection, a client timeout, a bad body
                    outcome = {"seconds": time.perf_counter() - started, "status": None,
                               "error": f"{type(exc).__name__}: {exc}"[:300]}
                results[i] = outcome

        cpu_before = time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_before
    done = [(r, q) for r, q in zip(results, requests, strict=True) if r is not None]
    errors = [r for r, _ in done if r.get("error")]
    ok = [(r, q) for r, q in done if not r.get("error")]
    copies = [(r, q) for r, q in ok if q["kind"] == "copy"]
    unseen = [(r, q) for r, q in ok if q["kind"] == "unseen"]
    return {
        "requests": len(done), "clients": clients, "seconds": round(wall, 2),
        "throughput_per_s": round(len(done) / wall, 1) if wall else 0.0,
        "errors": len(errors), "error_examples": sorted(Counter(e["error"] for e in errors).items(),
                                                        key=lambda kv: -kv[1])[:5],
        "statuses": dict(Counter(str(r["status"]) for r, _ in done)),
        **summary([r["seconds"] for r, _ in done]),
        "client_cpu_share": round(cpu / wall, 3) if wall else 0.0,
        "verdicts": dict(Counter(r["verdict"] for r, _ in ok)),
        "sanity_copies_with_a_match": f"{sum(r['top'] is not None for r, _ in copies)}/{len(copies)}",
        "sanity_copies_top_match_is_their_article": f"{sum(r['top'] == q['of'] for r, q in copies)}/{len(copies)}",
        "sanity_unseen_with_a_match": f"{sum(r['top'] is not None for r, _ in unseen)}/{len(unseen)}",
        "stopped_by_budget": len(done) < len(requests),
    }


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "mean_ms": 0.0, "max_ms": 0.0}
    ordered = sorted(seconds)
    ms = {f"p{p}_ms": percentile(ordered, p) * 1000 for p in (50, 95, 99)}
    ms.update(mean_ms=statistics.fmean(ordered) * 1000, max_ms=ordered[-1] * 1000)
    return {k: round(v, 2) for k, v in ms.items()}


# -- the run ----------------------------------------------------------------------------------
def prepare_index(corpus: Any, n: int, work: Path, jobs: int) -> tuple[str, dict[str, Any]]:
    """The bench corpus and its SQLite index in ``work``: reused when the corpus folder was written
    for the same N (its MANIFEST) and the index holds N documents, else built."""
    written, write_seconds = bench.write_corpus(corpus, n, work / "corpus")
    target = bench.Target("sqlite", work, "")
    if not written and target.exists():
        from provenance.index import open_index

        with open_index(target.location, None, readonly=True) as index:
            if index.count() == n:
                return target.location, {"reused": True, "articles": n}
    started = time.perf_counter()
    built = bench.phase_build(target, work / "corpus", n, jobs)
    return target.location, {"reused": False, "corpus_written_now": written, "corpus_write_seconds": round(
        write_seconds, 1), "seconds": round(time.perf_counter() - started, 1), "articles": built["articles"]}


def run(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    corpus = bench.Corpus.load()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="provenance-serve-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    say = (lambda message: None) if args.json else (lambda message: print(f"serve-bench: {message}", file=sys.stderr))
    say(f"corpus and index of {args.n} articles in {work}")
    location, built = prepare_index(corpus, args.n, work, args.jobs)
    requests = make_requests(corpus, args.n, args.warmup + args.serial + args.requests, args.chars)
    warm, serial, load = (requests[: args.warmup], requests[args.warmup : args.warmup + args.serial],
                          requests[args.warmup + args.serial :])
    lengths = [len(r["payload"]["text"]) for r in load]
    results: dict[str, Any] = {
        "schema": "provenance-serve-bench/1",
        "note": "derived articles (real news text tiled with variations), for throughput only",
        "n": args.n, "index": {"location": location, **built}, "workdir": str(work), "cores": os.cpu_count(),
        "config": {"clients": args.clients, "workers": args.workers, "threads": args.threads or "default",
                   "requests": args.requests, "warmup": args.warmup, "serial": args.serial,
                   "timeout": args.timeout, "serve_args": args.serve_args},
        "articles": {"mean_chars": round(statistics.fmean(lengths)), "min_chars": min(lengths),
                     "max_chars": max(lengths), "copies": sum(r["kind"] == "copy" for r in load),
                     "unseen": sum(r["kind"] == "unseen" for r in load),
                     "zh_share": round(sum(r["lang"] == "zh" for r in load) / len(load), 2)},
    }
    say(f"in-process baseline on {min(args.baseline, len(load))} of the requests")
    results["in_process"] = in_process(location, load[: args.baseline], warm[:20])

    say(f"starting provenance serve with {args.workers} check process(es)")
    service = Service(location, work, args.workers, args.threads, args.timeout, args.serve_args)
    results["service"] = {"command": " ".join(service.command[1:]), "log": str(service.log_path)}
    try:
        started = time.perf_counter()
        problem = service.wait_ready(time.monotonic() + STARTUP_SECONDS)
        if problem:
            results["service"]["failed"] = problem
            return 2, results
        results["service"]["start_seconds"] = round(time.perf_counter() - started, 1)
        results["service"]["processes"] = len(service.pids())
        say(f"warm-up: {len(warm)} requests")
        results["warmup"] = asyncio.run(drive(service.url, warm, args.clients, args.timeout + 30, args.max_seconds))
        if serial:
            say(f"serial: {len(serial)} requests from one client")
            results["serial"] = asyncio.run(drive(service.url, serial, 1, args.timeout + 30, args.max_seconds))
        pids = service.pids()
        memory_start = memory(pids)
        anon_start = anon_by_process(pids)
        cpu_start = cpu_seconds(pids)
        busy_start, own_start = machine_busy_seconds(), time.process_time()
        sampler = Sampler(service)
        sampler.start()
        say(f"load: {len(load)} requests from {args.clients} clients")
        try:
            results["load"] = asyncio.run(drive(service.url, load, args.clients, args.timeout + 30, args.max_seconds))
        finally:
            sampler.stop()
        pids = service.pids()
        memory_end = memory(pids)
        anon_end = anon_by_process(pids)
        service_cpu = cpu_seconds(pids) - cpu_start
        others = machine_busy_seconds() - busy_start - service_cpu - (time.process_time() - own_start)
        peak = max([memory_start, *sampler.samples, memory_end], key=lambda m: m["rss_mb"])
        # the second half alone: caches that fill over the first half (the index's mapped pages,
        # the scanners' view caches) have settled by then, so growth here would be a leak
        middle = sampler.samples[len(sampler.samples) // 2] if sampler.samples else memory_start
        results["memory"] = {
            "start": memory_start, "end": memory_end, "peak": peak, "samples": len(sampler.samples),
            "growth": round(memory_end["rss_mb"] / memory_start["rss_mb"] - 1, 4) if memory_start["rss_mb"] else None,
            "anon_growth": round(memory_end["anon_mb"] / memory_start["anon_mb"] - 1, 4)
            if memory_start["anon_mb"] else None,
            "middle": middle,
            "second_half_growth": round(memory_end["rss_mb"] / middle["rss_mb"] - 1, 4) if middle["rss_mb"] else None,
            "processes": len(pids),
            # the serving process first, then its children (check processes, multiprocessing's tracker)
            "anon_by_process": [[anon_start.get(pid), anon_end.get(pid)] for pid in pids],
        }
        load_result = results["load"]
        results["load"]["service_cpu_ms_per_request"] = round(1000 * service_cpu / max(1, load_result["requests"]), 2)
        results["load"]["service_cpu_share"] = round(service_cpu / load_result["seconds"], 2)
        # other programs on the machine while the load ran: a busy machine makes every latency longer
        results["load"]["other_cpu_share"] = round(max(0.0, others) / load_result["seconds"], 2)
        results["memory"]["series_mb"] = [m["rss_mb"] for m in sampler.samples[:: max(1, len(sampler.samples) // 60)]]
        results["memory"]["series_anon_mb"] = [m["anon_mb"] for m in
                                               sampler.samples[:: max(1, len(sampler.samples) // 60)]]
    finally:
        results["service"]["exit_code"] = service.stop()
    base = results["in_process"]
    ratios: dict[str, Any] = {"load_p50_over_in_process_p50": _ratio(load_result["p50_ms"], base["p50_ms"]),
                              "load_p95_over_in_process_p95": _ratio(load_result["p95_ms"], base["p95_ms"]),
                              # what the machine would do if the service cost nothing but the checks
                              "load_throughput_over_in_process": _ratio(
                                  load_result["throughput_per_s"], 1000 / base["mean_ms"] if base["mean_ms"] else 0)}
    if "serial" in results:
        ratios["serial_p50_over_in_process_p50"] = _ratio(results["serial"]["p50_ms"], base["p50_ms"])
        ratios["serial_overhead_ms"] = round(results["serial"]["p50_ms"] - base["p50_ms"], 2)
    results["ratios"] = ratios
    # The target reads the service's own memory (anonymous: its heap, arrays and caches). The rest
    # of its RSS is mapped files: the pages of the index SQLite reads through mmap, which the
    # service touches as traffic reaches more of the index; they are the OS's page cache (shared,
    # reclaimable, bounded by the index's size), shown beside it, not memory the service holds.
    growth = results["memory"]["anon_growth"]
    results["targets"] = {
        "clients_20": args.clients == 20, "requests_10000": load_result["requests"] >= 10_000,
        "p95_le_150ms": load_result["p95_ms"] <= TARGET_P95_MS, "no_errors": load_result["errors"] == 0,
        "memory_growth_le_10pct": growth is not None and growth <= TARGET_GROWTH,
    }
    results["targets"]["met"] = all(results["targets"].values())
    return 0, results


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def print_table(results: dict[str, Any]) -> None:
    config = results["config"]
    articles = results["articles"]
    index = results["index"]
    print(f"provenance serve load benchmark — {results['note']}")
    print(f"  index {index['location']}: {results['n']} articles "
          f"({'reused' if index.get('reused') else 'built in ' + str(index.get('seconds')) + ' s'}); {results['cores']} cores")
    print(f"  service: {results['service']['command']}")
    print(f"  requests: POST /v1/check, {articles['copies']} edited copies + {articles['unseen']} unseen, "
          f"{articles['mean_chars']} chars on average ({articles['min_chars']}-{articles['max_chars']}), "
          f"zh share {articles['zh_share']}")
    if "failed" in results["service"]:
        print(f"  the service did not start: {results['service']['failed']}")
        return
    load, base, mem, ratios = results["load"], results["in_process"], results["memory"], results["ratios"]
    rows: list[tuple[str, str, str]] = [
        ("in-process", f"one Scanner, {base['requests']} of the requests: p50 / p95 / mean",
         f"{base['p50_ms']:.1f} / {base['p95_ms']:.1f} / {base['mean_ms']:.1f} ms"),
        ("", "CPU per request, mean", f"{base['cpu_mean_ms']:.1f} ms"),
    ]
    serial = results.get("serial")
    if serial:
        rows += [("serial", f"{serial['requests']} requests, 1 client: p50 / p95 / mean",
                  f"{serial['p50_ms']:.1f} / {serial['p95_ms']:.1f} / {serial['mean_ms']:.1f} ms"),
                 ("", "ratio p50 to in-process p50 (HTTP, JSON, threads)",
                  f"{ratios['serial_p50_over_in_process_p50']}× (+{ratios['serial_overhead_ms']} ms)")]
    rows += [
        ("load", f"{load['requests']} requests, {load['clients']} clients, {config['workers']} check process(es), "
                 f"threads {config['threads']}", f"{load['seconds']} s"),
        ("", "latency p50 / p95 / p99   [target p95 ≤ 150 ms]",
         f"{load['p50_ms']:.1f} / {load['p95_ms']:.1f} / {load['p99_ms']:.1f} ms"),
        ("", "latency mean / max", f"{load['mean_ms']:.1f} / {load['max_ms']:.1f} ms"),
        ("", "throughput", f"{load['throughput_per_s']:.1f} req/s"),
        ("", "errors (non-200, exceptions)   [target 0]", f"{load['errors']}"),
        ("", "ratio p50 / p95 to in-process", f"{ratios['load_p50_over_in_process_p50']}× / "
                                               f"{ratios['load_p95_over_in_process_p95']}×"),
        ("", "throughput to one in-process Scanner's", f"{ratios['load_throughput_over_in_process']}×"),
        ("", "service CPU per request; cores it used", f"{load['service_cpu_ms_per_request']} ms; "
                                                       f"{load['service_cpu_share']}"),
        ("", "the clients' own CPU (this process), cores", f"{load['client_cpu_share']}"),
        ("", "other programs' CPU meanwhile, cores", f"{load['other_cpu_share']}"),
        ("memory", f"RSS of the service's {mem['processes']} processes: start / end / peak",
         f"{mem['start']['rss_mb']:.0f} / {mem['end']['rss_mb']:.0f} / {mem['peak']['rss_mb']:.0f} MB"),
        ("", "growth over the run (RSS)", f"{100 * (mem['growth'] or 0):+.1f} %"),
        ("", "its own memory (anonymous): start / end", f"{mem['start']['anon_mb']:.0f} / {mem['end']['anon_mb']:.0f} MB"),
        ("", "  by process, start → end", ", ".join(f"{a:.0f} → {b:.0f}" for a, b in mem.get("anon_by_process", [])
                                                    if a is not None and b is not None) + " MB"),
        ("", "growth over the run   [target ≤ 10 %]", f"{100 * (mem['anon_growth'] or 0):+.1f} %"),
        ("", "the rest: mapped files (index pages read through mmap): start / end",
         f"{mem['start']['rss_mb'] - mem['start']['anon_mb']:.0f} / {mem['end']['rss_mb'] - mem['end']['anon_mb']:.0f} MB"),
        ("", "growth over the second half of the run (RSS)", f"{100 * (mem['second_half_growth'] or 0):+.1f} %"),
        ("sanity", "verdicts", ", ".join(f"{k} {v}" for k, v in sorted(load["verdicts"].items()))),
        ("", "copies with a match; top match their article",
         f"{load['sanity_copies_with_a_match']}; {load['sanity_copies_top_match_is_their_article']}"),
        ("", "unseen articles with a match", load["sanity_unseen_with_a_match"]),
    ]
    if load["error_examples"]:
        rows += [("", f"error ×{count}", text[:100]) for text, count in load["error_examples"]]
    width = max(len(r[1]) for r in rows)
    for phase, what, value in rows:
        print(f"  {phase:<11s}{what:<{width}s}  {value}")
    targets = results["targets"]
    print("  targets: " + ", ".join(f"{name} {'yes' if ok else 'NO'}" for name, ok in targets.items() if name != "met")
          + f" — {'all met' if targets['met'] else 'NOT all met'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles in the index (default 100000)")
    parser.add_argument("--requests", type=int, default=10_000, help="measured requests (default 10000)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent closed-loop clients (default 20)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="the service's check processes (default: one per core)")
    parser.add_argument("--threads", type=int, default=None, help="scan threads of the serving process (default: the service's)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where corpus, index and the service log go; reused between runs (default: a new temp dir)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--chars", type=int, default=1500, help="characters per article, about (default 1500)")
    parser.add_argument("--warmup", type=int, default=200, help="requests before measuring, not counted (default 200)")
    parser.add_argument("--serial", type=int, default=200,
                        help="requests from one client before the load, for the service's own cost (default 200; 0: none)")
    parser.add_argument("--baseline", type=int, default=500,
                        help="requests checked in this process for the baseline (default 500)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for building the index (default 2)")
    parser.add_argument("--timeout", type=float, default=30.0, help="the service's --timeout (default 30)")
    parser.add_argument("--max-seconds", type=float, default=1800.0,
                        help="stop sending after this many seconds of a phase (default 1800)")
    parser.add_argument("--serve-arg", dest="serve_args", action="append", default=[], metavar="ARG",
                        help="one more argument for 'provenance serve' (repeatable)")
    args = parser.parse_args(argv)
    if not (bench.SHARED / "reuters21578").is_dir():
        print(f"serve-bench: {bench.SHARED / 'reuters21578'} is missing", file=sys.stderr)
        return 2
    try:
        import httpx  # noqa: F401
    except ModuleNotFoundError:
        print("serve-bench: needs httpx (pip install -e '.[bench]')", file=sys.stderr)
        return 2
    code, results = run(args)
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        print_table(results)
    if code:
        print(f"serve-bench: could not start the service: {results['service'].get('failed')}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
