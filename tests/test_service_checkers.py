"""``provenance serve --workers N``: checks in N check processes taking from one queue.

The answers are the one-process service's, byte for byte; the work happens in the check
processes (a fault planted in this process does not reach them); refusals cross the process
boundary as the same JSON errors; a write is seen by the next check; a killed check process is
replaced without a failed request; a real server stops gracefully and leaves no process behind.
The corpus is the shipped sample (corpora/sample, written for the project).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from backends import BACKENDS, drop, location
from serve_kit import INCOMING, RULES, SAMPLE, SEED, sample_index_in, start_server, without_provenance_variables

pytest.importorskip("fastapi", reason="the serve extra is not installed: pip install '.[serve]'")

from fastapi.testclient import TestClient

from provenance.config import resolve
from provenance.engine import build_index
from provenance.errors import IndexError_
from provenance.rules import load_rules
from provenance.service import answers
from provenance.service.app import create_app
from provenance.service.checkers import CheckProcesses
from provenance.service.settings import ServiceSettings
from provenance.service.state import IndexState

TOKEN = "checkers-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Written for this test: an original that is in no corpus until it is posted
NEW_ORIGINAL = (
    "北岸镇的旧粮库改成了青年创业园，首批十二家小微企业昨天入驻。镇经济发展办公室介绍，园区前三年免收租金，"
    "并提供法律、财务和电商培训，目标是三年内带动两百人就业。\n\n"
    "创业园由五栋上世纪七十年代的粮仓改建，保留了原有的木结构屋架。入驻企业中有四家做农产品直播，"
    "两家做竹编文创。镇里还计划把园区旁的河滩整理成市集，每周末开放。\n"
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    without_provenance_variables(monkeypatch)


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sample_index_in(tmp_path_factory.mktemp("checkers"))


@contextmanager
def serving(where: str, workers: int, environ: dict[str, str] | None = None) -> Iterator[TestClient]:
    resolved = resolve(RULES, [], {"index": where}, environ={})
    settings = ServiceSettings.build(resolved, where, {}, environ or {}, workers=workers)
    with TestClient(create_app(settings, log=io.StringIO())) as client:
        yield client


@pytest.fixture(scope="module")
def pooled(sample_index: str) -> Iterator[TestClient]:
    with serving(sample_index, workers=2) as client:
        yield client


@pytest.fixture(scope="module")
def threaded(sample_index: str) -> Iterator[TestClient]:
    with serving(sample_index, workers=1) as client:
        yield client


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _checks(client: TestClient) -> list[tuple[str, bytes]]:
    """Every sample article checked as JSON and as a file, with the page's view, and scanned whole."""
    answered = []
    for path in sorted(INCOMING.iterdir()):
        if not path.is_file():
            continue
        data = path.read_bytes()
        answered.append((f"{path.name} as a file", client.post(
            "/v1/check", files={"file": (path.name, data)}, params={"view": "true", "sources": "true"}).content))
        if path.suffix == ".txt" and _utf8(data):
            answered.append((f"{path.name} as JSON", client.post(
                "/v1/check", json={"text": data.decode("utf-8")}).content))
    scanned = client.post("/v1/scan", files=[("file", (p.name, p.read_bytes())) for p in sorted(INCOMING.iterdir())
                                             if p.is_file()])
    report = scanned.json()
    report.pop("generated", None)
    report.pop("duration_ms", None)
    answered.append(("the scan", json.dumps(report, sort_keys=True).encode()))
    return answered


def test_check_processes_answer_what_one_process_answers(pooled: TestClient, threaded: TestClient) -> None:
    got, expected = _checks(pooled), _checks(threaded)
    assert [name for name, _ in got] == [name for name, _ in expected] and len(got) > 10
    for (name, body), (_, want) in zip(got, expected, strict=True):
        assert body == want, name


def test_checks_run_in_the_check_processes(pooled: TestClient, threaded: TestClient,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault planted in this process breaks the threads' checks, not the processes'."""
    checkers: CheckProcesses = pooled.app.state.checkers  # type: ignore[attr-defined]
    pids = checkers.pids()
    assert len(pids) == 2 and os.getpid() not in pids

    def broken(scanner: Any, articles: Any) -> Any:
        raise RuntimeError("planted in the test process")

    monkeypatch.setattr(answers, "scan_items", broken)
    assert threaded.post("/v1/check", json={"text": SEED}).status_code == 500
    assert pooled.post("/v1/check", json={"text": SEED}).json()["verdict"] == "unattributed"


def test_concurrent_checks_are_shared_out_and_agree(pooled: TestClient) -> None:
    texts = [SEED, NEW_ORIGINAL, (INCOMING / "heatwave-uncredited.txt").read_text(encoding="utf-8")]
    alone = [pooled.post("/v1/check", json={"text": text}).json()["item"] for text in texts]
    with ThreadPoolExecutor(6) as pool:
        together = list(pool.map(lambda text: pooled.post("/v1/check", json={"text": text}).json()["item"], texts * 8))
    assert together == alone * 8


def test_refusals_cross_from_the_check_processes(sample_index: str, pooled: TestClient, tmp_path: Path) -> None:
    lines = "\n".join(json.dumps({"id": f"a{k}", "text": SEED}) for k in range(3)).encode()
    refused = pooled.post("/v1/check", files={"file": ("three.jsonl", lines)})
    assert refused.status_code == 422 and refused.json() == {
        "error": "invalid request", "detail": "the file holds 3 articles; /v1/check takes one (/v1/scan takes several)"}
    resolved = resolve(RULES, [], {"index": sample_index}, environ={})
    settings = ServiceSettings.build(resolved, sample_index, {"max_articles": 2}, {}, workers=2)
    with TestClient(create_app(settings, log=io.StringIO())) as capped:
        over = capped.post("/v1/scan", files={"file": ("three.jsonl", lines)})
    assert over.status_code == 413 and "hold 3 articles; at most 2" in over.json()["detail"]


@pytest.fixture(params=BACKENDS)
def any_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    where = location(request.param, tmp_path)
    build_index([SAMPLE / "sources"], where, load_rules(RULES))
    yield where
    drop(where)


def test_a_write_is_seen_by_the_next_check_in_every_process(any_backend: str) -> None:
    with serving(any_backend, workers=2, environ={"PROVENANCE_API_TOKEN": TOKEN}) as service:
        assert service.post("/v1/check", json={"text": NEW_ORIGINAL}).json()["verdict"] == "original"
        document = {"id": "wire/beian-park", "text": NEW_ORIGINAL, "source": "西岭网",
                    "published": "2024-07-02T08:00:00+08:00"}
        written = service.post("/v1/documents", json=[document], headers=AUTH)
        assert written.status_code == 200 and written.json()["generation"] == 2, written.text
        with ThreadPoolExecutor(4) as pool:  # both processes answer, each from the new snapshot
            after = list(pool.map(lambda _: service.post("/v1/check", json={"text": NEW_ORIGINAL}).json(), range(8)))
        for answer in after:
            assert answer["verdict"] == "unattributed" and answer["item"]["source"]["id"] == "wire/beian-park"
            assert answer["item"]["source"]["name"] == "西岭网"
            assert answer["index"] == {"documents": 19, "generation": 2}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z" if Path("/proc").is_dir() else True


def _gone(pids: list[int], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(_alive(pid) for pid in pids)


def test_a_killed_check_process_is_replaced_without_a_failed_check(sample_index: str) -> None:
    with serving(sample_index, workers=2) as service:
        checkers: CheckProcesses = service.app.state.checkers  # type: ignore[attr-defined]
        before = checkers.pids()
        os.kill(before[0], signal.SIGKILL)
        assert _gone(before[:1])
        for _ in range(4):
            answer = service.post("/v1/check", json={"text": SEED})
            assert answer.status_code == 200 and answer.json()["verdict"] == "unattributed", answer.text
        deadline = time.monotonic() + 60
        while len(checkers.pids()) < 2 and time.monotonic() < deadline:  # its replacement opens the index
            time.sleep(0.05)
        after = checkers.pids()
        assert len(after) == 2 and before[1] in after and before[0] not in after
        assert service.post("/v1/check", json={"text": SEED}).status_code == 200
    assert _gone(after)


def test_check_processes_that_cannot_open_the_index_say_why(tmp_path: Path) -> None:
    state = IndexState(str(tmp_path / "missing.sqlite"), load_rules(RULES))
    with pytest.raises(IndexError_, match=r"a check process could not open the index: .*missing\.sqlite"):
        asyncio.run(CheckProcesses(state, 2).start())


def _children(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            kids = [int(k) for k in (task / "children").read_text().split()]
            found += kids
            todo += kids
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the process tree from /proc (Linux)")
def test_a_real_server_with_check_processes_stops_gracefully(sample_index: str, tmp_path: Path) -> None:
    server, base = start_server(sample_index, RULES, tmp_path, "--workers", "2", stdout=subprocess.PIPE)
    try:
        tree = _children(server.pid)
        assert len(tree) >= 2  # the check processes (and multiprocessing's resource tracker)
        scanned: list[dict[str, Any]] = []

        def scan_many() -> None:
            request = urllib.request.Request(base + "v1/scan", data=json.dumps([{"text": SEED}] * 100).encode(),
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    scanned.append(json.loads(answer.read()))
            except urllib.error.HTTPError as exc:
                scanned.append({"status": exc.code, "body": exc.read().decode()})  # shown by the assert below

        sender = threading.Thread(target=scan_many)
        sender.start()
        time.sleep(0.3)
        server.send_signal(signal.SIGTERM)
        sender.join(60)
        assert scanned and scanned[0].get("summary", {}).get("scanned") == 100, scanned
        assert server.wait(30) == 0
        assert _gone(tree)
    finally:
        if server.poll() is None:
            server.kill()
        _, stderr = server.communicate()
    assert "Traceback" not in stderr and "with 2 check processes" in stderr
