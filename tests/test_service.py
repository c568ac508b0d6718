"""The HTTP service (issue 17): every route through FastAPI's TestClient (no network), the item and
report against the JSON Schema and against ``provenance scan`` for the same articles, limits,
timeouts, tokens, writes seen by the next check, the devset's verdicts, and one real server
started with ``provenance serve`` and stopped with SIGTERM.

The corpus is the shipped sample (corpora/sample, written for the project); the devset test reads
../shared/devset when it is there.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from backends import BACKENDS, drop, location
from serve_kit import INCOMING, ROOT, RULES, SAMPLE, SEED, sample_index_in, start_server, without_provenance_variables
from shared_data import DEVSET, require_devset

pytest.importorskip("fastapi", reason="the serve extra is not installed: pip install '.[serve]'")

from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from provenance.cli import app as cli_app
from provenance.config import resolve
from provenance.documents.walk import ARTICLE_SUFFIXES
from provenance.engine import build_index, scan
from provenance.report import html_format
from provenance.report.formatters import formatter
from provenance.rules import load_rules
from provenance.schema import report_schema, validate_report
from provenance.service import answers
from provenance.service.app import create_app
from provenance.service.settings import ServiceSettings

OFFICE = ROOT / "tests" / "fixtures" / "office" / "incoming"
TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ITEM = Draft202012Validator({"$ref": "#/$defs/item", "$defs": report_schema()["$defs"]})
COMPARED = ("verdict", "source", "chain", "matches", "attribution")
# A text written for this test: an original that is in no corpus until it is posted
NEW_ORIGINAL = (
    "河湾区第一座社区储能电站今天并网运行，装机容量两兆瓦，可满足约八百户居民一天的用电。区发展改革局介绍，电站白天储存"
    "光伏余电，晚高峰时段向电网放电，预计每年可减少购电费用四十万元。\n\n"
    "电站由废弃的锅炉房改建，运营方河湾能源公司承诺，所有电池柜都配备独立消防系统，并接入区应急指挥平台。居民代表周海燕说，"
    "希望电站投用后小区夏季停电的情况能少一些。区里计划明年在另外两个街道再建三座同类电站。\n"
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    without_provenance_variables(monkeypatch)


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sample_index_in(tmp_path_factory.mktemp("service"))


@pytest.fixture(scope="module")
def cli_items(sample_index: str) -> dict[str, dict[str, Any]]:
    """The sample's incoming articles and the office fixtures as ``provenance scan`` reports them."""
    report = scan([INCOMING, OFFICE], sample_index, load_rules(RULES))
    return {Path(item.path).name: item.to_dict() for item in report.items}


def settings_for(location: str, environ: dict[str, str] | None = None, **flags: Any) -> ServiceSettings:
    resolved = resolve(RULES, [], {"index": location}, environ={})
    return ServiceSettings.build(resolved, location, flags, environ or {})


@contextmanager
def serving(location: str, environ: dict[str, str] | None = None, log: io.StringIO | None = None,
            **flags: Any) -> Iterator[TestClient]:
    app = create_app(settings_for(location, environ, **flags), log=log if log is not None else io.StringIO())
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def client(sample_index: str) -> Iterator[TestClient]:
    """A service on the sample index without a token: reads open, writes off."""
    with serving(sample_index) as test_client:
        yield test_client


@pytest.fixture
def writable(sample_index: str, tmp_path: Path) -> str:
    """A copy of the sample index this test may write to."""
    copy = tmp_path / "writable.sqlite"
    shutil.copyfile(sample_index, copy)
    return str(copy)


def upload(client: TestClient, path: Path, route: str = "/v1/check", **params: Any) -> Any:
    with path.open("rb") as handle:
        return client.post(route, files={"file": (path.name, handle.read())}, params=params)


def assert_error(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "detail"} and body["error"] == error, body
    assert "Traceback" not in response.text
    return body


# -- reading routes --------------------------------------------------------------------------------

def test_health_index_and_sources(client: TestClient, sample_index: str) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["documents"] == 18 and health["generation"] == 1
    index = client.get("/v1/index").json()
    assert index["documents"] == 18 and index["backend"] == "sqlite" and index["location"] == sample_index
    assert index["params"]["num_perm"] == 128 and index["updated"] and index["last_write"] is None
    assert index["writes"]["enabled"] is False and "PROVENANCE_API_TOKEN" in index["writes"]["reason"]
    shown = client.get("/v1/sources").json()
    assert shown["publisher"] == "本地日报" and shown["rules"] == str(RULES)
    cli = CliRunner().invoke(cli_app, ["rules", "show", "--json", "--rules", str(RULES), "--index", sample_index])
    assert cli.exit_code == 0, cli.output
    assert shown["sources"] == json.loads(cli.stdout)["sources"]


def test_page_docs_and_json_errors_for_unknown_routes(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script src=\"http" not in page.text  # the page loads nothing from another host
    described = client.get("/openapi.json").json()
    assert {"/v1/check", "/v1/scan", "/v1/documents", "/v1/sources", "/v1/index", "/healthz"} <= set(described["paths"])
    body = described["paths"]["/v1/check"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)
    assert "ArticleIn" in described["components"]["schemas"]
    assert client.get("/docs").status_code == 200
    assert "/docs" in assert_error(client.get("/v2/nothing"), 404, "not found")["detail"]
    assert_error(client.get("/v1/check"), 405, "method not allowed")


class _Assets(HTMLParser):
    """The URLs a page loads (src, href of links and scripts)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.accept: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href", "srcset", "poster", "data", "action"):
            if found.get(name) and (tag != "a" or name != "href"):
                self.urls.append(str(found[name]))
        if tag == "input" and found.get("type") == "file":
            self.accept = found.get("accept")


def test_the_page_loads_everything_from_the_service(client: TestClient) -> None:
    """The editors' page (tests/test_service_browser.py drives it in chromium): every asset is the
    service's own, none names another host, and the browser is told to load nothing from elsewhere."""
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text
    assets = _Assets()
    assets.feed(page.text)
    loaded = [url for url in assets.urls if not url.startswith("data:")]
    assert {"static/report.css", "static/report.js", "static/page.css", "static/page.js"} <= set(loaded)
    for url in loaded:
        assert not url.startswith(("//", "/")) and ":" not in url, url  # relative: works under a path prefix too
        answer = client.get("/" + url)
        assert answer.status_code == 200, url
        assert "http://" not in answer.text and "https://" not in answer.text and "@import" not in answer.text, url
    # the report's own styles and passage script, not copies
    assert client.get("/static/report.css").text == html_format.CSS
    assert client.get("/static/report.js").text == html_format.PASSAGES_SCRIPT
    assert client.get("/static/report.js").headers["content-type"].startswith("text/javascript")
    # the file picker offers every format an upload may have
    offered = set((assets.accept or "").split(","))
    assert {"." + suffix.rsplit(".", 1)[-1] for suffix in ARTICLE_SUFFIXES} <= offered


def test_check_view_is_the_html_reports_section(client: TestClient, sample_index: str) -> None:
    assert client.post("/v1/check", json={"text": SEED}).json()["view"] is None
    answer = upload(client, INCOMING / "seed-case.txt", view="true")
    assert answer.status_code == 200
    view = answer.json()["view"]
    assert view.startswith('<section class="item sev-error v-unattributed"') and view.endswith("</section>")
    article, source = view.split('<div class="pane source">', 1)
    assert '<mark class="passage' in article.split('<div class="pane article">', 1)[1]
    assert '<mark class="passage' in source and "柳川日报" in source
    assert "Chain of copies" in view and "none found" in view
    # the side-by-side view is exactly the HTML report's for the same file
    report = scan([INCOMING / "seed-case.txt"], sample_index, load_rules(RULES))
    page = formatter("html")(report)
    matches = view[view.index('<div class="match">'):-len("</section>")]
    assert matches in page
    # nothing in it is loaded by the browser, and no inline style (the page's policy refuses them)
    assert "style=" not in view and " src=" not in view and "<script" not in view


def test_check_view_escapes_the_article(client: TestClient) -> None:
    view = client.post("/v1/check", params={"view": "true"},
                       json={"text": "<script>alert(1)</script><img src=x onerror=alert(2)>\n\n" + SEED}).json()["view"]
    assert "<script" not in view and "<img" not in view and "&lt;script&gt;" in view
    assert '<mark class="passage' in view


# -- checking --------------------------------------------------------------------------------------

def test_check_json_text_is_the_report_item(client: TestClient, cli_items: dict[str, dict[str, Any]]) -> None:
    response = client.post("/v1/check", json={"text": SEED, "id": "draft-1", "title": "草稿"})
    assert response.status_code == 200
    body = response.json()
    item = body["item"]
    assert not list(ITEM.iter_errors(item)), list(ITEM.iter_errors(item))
    assert item["id"] == "draft-1" and item["verdict"] == "unattributed" and item["source"]["id"] == "lc-2024-0311"
    assert (body["verdict"], body["severity"], body["exit_code"], body["fail_on"]) == ("unattributed", "error", 1, "error")
    assert body["text"] == SEED and body["source_texts"] is None and body["index"]["documents"] == 18
    expected = cli_items["seed-case.txt"]
    for key in ("verdict", "source", "chain", "matches"):
        assert item[key] == expected[key], key
    # fail_on never: the CLI would exit 0
    relaxed = client.post("/v1/check", json={"text": SEED}, params={"fail_on": "never", "sources": "true"}).json()
    assert relaxed["exit_code"] == 0 and relaxed["item"]["id"] == "article"
    assert set(relaxed["source_texts"]) == {match["id"] for match in relaxed["item"]["matches"]}
    passage = relaxed["item"]["matches"][0]["passages"][0]  # spans point into text and source_texts
    start, end = passage["source"]
    article_start, article_end = passage["article"]
    assert relaxed["source_texts"]["lc-2024-0311"][start:end][:5] == relaxed["text"][article_start:article_end][:5]


OFFICE_CASES = ["water-meeting-uncredited.docx", "heatwave-credited.pdf", "scanned-page.pdf"]


@pytest.mark.parametrize("name", [*sorted(p.name for p in INCOMING.iterdir()), *OFFICE_CASES])
def test_uploaded_files_get_the_items_scan_gives(client: TestClient, cli_items: dict[str, dict[str, Any]],
                                                 name: str) -> None:
    path = INCOMING / name if (INCOMING / name).exists() else OFFICE / name
    response = upload(client, path)
    assert response.status_code == 200, response.text  # whatever the verdict, unreadable too
    item = response.json()["item"]
    assert not list(ITEM.iter_errors(item))
    expected = cli_items[name]
    assert item["id"] == expected["id"] and item["path"] == name  # a front matter id wins, as in scan
    for key in COMPARED:
        assert item.get(key) == expected.get(key), (name, key)
    assert response.json()["exit_code"] == (1 if expected["severity"] == "error" else 0)


def test_html_given_as_json_reads_as_the_html_file(client: TestClient, cli_items: dict[str, dict[str, Any]]) -> None:
    page = (INCOMING / "wire-credited.html").read_text(encoding="utf-8")
    item = client.post("/v1/check", json={"html": page}).json()["item"]
    expected = cli_items["wire-credited.html"]
    for key in COMPARED:
        assert item[key] == expected[key], key
    # fields given beside the page win over the page's own
    dated = client.post("/v1/check", json={"html": page, "published": "not a date"}).json()
    assert dated["verdict"] == "unreadable" and "ISO 8601" in dated["item"]["message"]


def test_json_article_file_and_json_body_agree(client: TestClient, cli_items: dict[str, dict[str, Any]]) -> None:
    record = json.loads((INCOMING / "port-with-link.json").read_text(encoding="utf-8"))
    item = client.post("/v1/check", json=record).json()["item"]
    for key in COMPARED:
        assert item[key] == cli_items["port-with-link.json"][key], key


def test_unreadable_articles_are_items_not_errors(client: TestClient) -> None:
    empty = client.post("/v1/check", json={"text": "   "})
    assert empty.status_code == 200 and empty.json()["verdict"] == "unreadable" and empty.json()["exit_code"] == 1
    surrogate = client.post("/v1/check", content=b'{"text": "a \\ud800 b"}', headers={"content-type": "application/json"})
    assert surrogate.status_code == 200 and "surrogate" in surrogate.json()["item"]["message"]


def test_bad_requests_are_json(client: TestClient) -> None:
    body = assert_error(client.post("/v1/check", json={"title": "no text"}), 422, "invalid request")
    assert "exactly one of 'text' or 'html'" in json.dumps(body["detail"])
    assert_error(client.post("/v1/check", json={"text": "a", "html": "<p>b</p>"}), 422, "invalid request")
    assert_error(client.post("/v1/check", content=b"{not json", headers={"content-type": "application/json"}),
                 422, "invalid request")
    assert_error(client.post("/v1/check", content=b"text", headers={"content-type": "text/plain"}),
                 415, "unsupported media type")
    assert_error(client.post("/v1/check", files={"file": ("photo.png", b"\x89PNG")}), 415, "unsupported media type")
    assert_error(client.post("/v1/check", data={"title": "x"}), 415, "unsupported media type")  # a urlencoded form
    assert_error(client.post("/v1/check", data={"title": "x"}, files={"nothing": ("", b"")}), 415,
                 "unsupported media type")
    two = {"file": ("a.txt", SEED.encode()), "other": ("b.txt", SEED.encode())}
    assert "one" in assert_error(client.post("/v1/check", files=two), 422, "invalid request")["detail"]
    lines = "\n".join(json.dumps({"text": SEED}) for _ in range(2)).encode()
    assert_error(client.post("/v1/check", files={"file": ("two.jsonl", lines)}), 422, "invalid request")


# -- scanning ----------------------------------------------------------------------------------------

def test_scan_returns_the_report_scan_writes(client: TestClient, sample_index: str) -> None:
    files = [("files", (path.name, path.read_bytes())) for path in sorted(INCOMING.iterdir())]
    response = client.post("/v1/scan", files=files)
    assert response.status_code == 200
    report = response.json()
    assert not validate_report(report), validate_report(report)
    cli = CliRunner().invoke(cli_app, ["scan", str(INCOMING), "--index", sample_index, "--rules", str(RULES),
                                       "--format", "json", "--quiet"])
    expected = json.loads(cli.stdout)
    assert report["summary"] == expected["summary"] and report["summary"]["exit_code"] == cli.exit_code == 1
    assert report["index"] == expected["index"] and report["schema"] == expected["schema"]
    theirs = {Path(item["path"]).name: item for item in expected["items"]}
    for item in report["items"]:
        for key in COMPARED:
            assert item.get(key) == theirs[item["path"]].get(key), (item["path"], key)


def test_scan_of_json_articles_and_its_limit(sample_index: str) -> None:
    with serving(sample_index, max_articles=3) as limited:
        report = limited.post("/v1/scan", json={"articles": [{"text": SEED}, {"text": NEW_ORIGINAL, "id": "mine"}]})
        assert report.status_code == 200
        assert [(i["id"], i["verdict"]) for i in report.json()["items"]] == [("article-1", "unattributed"),
                                                                             ("mine", "original")]
        bare = limited.post("/v1/scan", json=[{"text": NEW_ORIGINAL}], params={"fail_on": "never"}).json()
        assert bare["summary"] == {"scanned": 1, "by_verdict": {"original": 1}, "exit_code": 0}
        over = assert_error(limited.post("/v1/scan", json=[{"text": SEED}] * 4), 413, "payload too large")
        assert "at most 3" in over["detail"]
        files = [("files", (f"a{k}.txt", SEED.encode())) for k in range(4)]
        assert_error(limited.post("/v1/scan", files=files), 413, "payload too large")
        lines = "\n".join(json.dumps({"text": SEED}) for _ in range(4)).encode()
        assert "4 articles" in assert_error(limited.post("/v1/scan", files={"f": ("many.jsonl", lines)}), 413,
                                            "payload too large")["detail"]
        assert_error(limited.post("/v1/scan", json={"articles": []}), 422, "invalid request")


# -- limits ----------------------------------------------------------------------------------------------

def test_a_body_over_the_limit_is_413(sample_index: str) -> None:
    with serving(sample_index, max_body=20_000) as small:
        big = {"text": "长" * 10_000}
        assert "20000 bytes" in assert_error(small.post("/v1/check", json=big), 413, "payload too large")["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"text": "'
            for _ in range(25):
                yield b"x" * 1000
            yield b'"}'

        assert_error(small.post("/v1/check", content=chunks(), headers={"content-type": "application/json"}), 413,
                     "payload too large")
        assert_error(small.post("/v1/check", files={"file": ("big.txt", b"y" * 25_000)}), 413, "payload too large")
        assert small.post("/v1/check", json={"text": SEED}).status_code == 200  # below the limit


def test_a_slow_check_is_408_and_the_service_goes_on(sample_index: str, monkeypatch: pytest.MonkeyPatch) -> None:
    scan_items = answers.scan_items
    slow = {"on": True}

    def slowly(scanner: Any, articles: Any) -> Any:
        if slow["on"]:
            time.sleep(1.0)
        return scan_items(scanner, articles)

    monkeypatch.setattr(answers, "scan_items", slowly)
    log = io.StringIO()
    with serving(sample_index, timeout=0.2, log=log) as timed:
        started = time.perf_counter()
        body = assert_error(timed.post("/v1/check", json={"text": SEED}), 408, "request timeout")
        assert time.perf_counter() - started < 0.9 and "0.2 s" in body["detail"]
        slow["on"] = False
        assert timed.post("/v1/check", json={"text": SEED}).json()["verdict"] == "unattributed"
    lines = [json.loads(line) for line in log.getvalue().splitlines()]
    assert [line["status"] for line in lines] == [408, 200]


def test_an_unexpected_failure_is_a_json_500(sample_index: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(scanner: Any, articles: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(answers, "scan_items", broken)
    log = io.StringIO()
    with serving(sample_index, log=log) as failing:
        body = assert_error(failing.post("/v1/check", json={"text": SEED}), 500, "internal server error")
        assert "RuntimeError" in body["detail"] and "a bug" not in body["detail"]
    line = json.loads(log.getvalue().splitlines()[-1])
    assert line["status"] == 500 and "a bug" in line["error"] and "Traceback" in line["traceback"]


def test_access_log_is_one_json_line_per_request(sample_index: str) -> None:
    log = io.StringIO()
    with serving(sample_index, log=log) as logged:
        logged.get("/healthz")
        logged.post("/v1/check", json={"text": SEED})
        logged.get("/missing")
    lines = [json.loads(line) for line in log.getvalue().splitlines()]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/healthz", 200), ("POST", "/v1/check", 200), ("GET", "/missing", 404)]
    for line in lines:
        assert {"time", "method", "path", "status", "ms", "bytes", "client"} <= set(line)
        assert line["ms"] >= 0 and line["bytes"] > 0 and line["client"]


def test_concurrent_checks_agree(client: TestClient) -> None:
    texts = [SEED, NEW_ORIGINAL, (INCOMING / "heatwave-uncredited.txt").read_text(encoding="utf-8")] * 4
    alone = [client.post("/v1/check", json={"text": text}).json()["item"] for text in texts[:3]]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda text: client.post("/v1/check", json={"text": text}).json()["item"], texts))
    assert together == alone * 4


# -- tokens and writes ---------------------------------------------------------------------------------------

def test_writes_need_a_configured_token(client: TestClient) -> None:
    refused = assert_error(client.post("/v1/documents", json=[{"id": "x", "text": NEW_ORIGINAL}], headers=AUTH),
                           403, "forbidden")
    assert "PROVENANCE_API_TOKEN" in refused["detail"]


def test_token_scopes(writable: str) -> None:
    documents = [{"id": "x", "text": NEW_ORIGINAL, "source": "西岭网"}]
    with serving(writable, {"PROVENANCE_API_TOKEN": TOKEN}) as writes_only:
        assert writes_only.post("/v1/check", json={"text": SEED}).status_code == 200
        assert writes_only.get("/v1/sources").status_code == 200
        missing = writes_only.post("/v1/documents", json=documents)
        assert_error(missing, 401, "unauthorized")
        assert missing.headers["www-authenticate"] == "Bearer"
        assert_error(writes_only.post("/v1/documents", json=documents, headers={"Authorization": "Bearer nope"}),
                     401, "unauthorized")
        assert writes_only.post("/v1/documents", json=documents, headers=AUTH).status_code == 200
    with serving(writable, {"PROVENANCE_API_TOKEN": TOKEN, "PROVENANCE_API_TOKEN_SCOPE": "all"}) as everything:
        for method, route, payload in (("post", "/v1/check", {"text": SEED}), ("post", "/v1/scan", [{"text": SEED}]),
                                       ("get", "/v1/sources", None), ("get", "/v1/index", None)):
            kwargs = {"json": payload} if payload is not None else {}
            assert_error(getattr(everything, method)(route, **kwargs), 401, "unauthorized")
            assert getattr(everything, method)(route, headers=AUTH, **kwargs).status_code == 200, route
        assert everything.get("/healthz").status_code == 200 and everything.get("/").status_code == 200
    with pytest.raises(Exception, match="PROVENANCE_API_TOKEN_SCOPE"):
        settings_for(writable, {"PROVENANCE_API_TOKEN": TOKEN, "PROVENANCE_API_TOKEN_SCOPE": "reads"})


@pytest.fixture(params=BACKENDS)
def any_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The sample corpus in a fresh index of each backend (Redis: a prefix of its own, dropped after)."""
    where = location(request.param, tmp_path)
    build_index([SAMPLE / "sources"], where, load_rules(RULES))
    yield where
    drop(where)


def test_a_posted_original_is_seen_by_the_next_check(any_backend: str) -> None:
    with serving(any_backend, {"PROVENANCE_API_TOKEN": TOKEN}) as service:
        before = service.post("/v1/check", json={"text": NEW_ORIGINAL}).json()
        assert before["verdict"] == "original"
        document = {"id": "wire/heye-storage", "text": NEW_ORIGINAL, "source": "西岭网", "title": "河湾区储能电站并网",
                    "url": "https://www.xiling.example.cn/2024/06/storage.html", "published": "2024-06-12T09:00:00+08:00"}
        written = service.post("/v1/documents", json={"documents": [document]}, headers=AUTH)
        assert written.status_code == 200, written.text
        assert written.json() == {"added": 1, "updated": 0, "unchanged": 0, "documents": 19, "generation": 2}
        after = service.post("/v1/check", json={"text": NEW_ORIGINAL}).json()
        assert after["verdict"] == "unattributed" and after["item"]["source"]["id"] == "wire/heye-storage"
        assert after["item"]["source"]["name"] == "西岭网" and after["index"] == {"documents": 19, "generation": 2}
        index = service.get("/v1/index").json()
        assert index["documents"] == 19 and index["last_write"] and index["writes"]["enabled"] is True
        assert {row["name"]: row["documents"] for row in service.get("/v1/sources").json()["sources"]}["西岭网"] >= 1
        # the same document again is left alone; a changed one replaces it
        again = service.post("/v1/documents", json=[document], headers=AUTH).json()
        assert (again["unchanged"], again["generation"]) == (1, 2)
        changed = service.post("/v1/documents", json=[{**document, "title": "新标题"}], headers=AUTH).json()
        assert (changed["updated"], changed["documents"], changed["generation"]) == (1, 19, 3)
        # a batch with an unreadable document writes nothing
        bad = [{"id": "fine", "text": SEED + "另一段。"}, {"id": "bad", "text": "x", "published": "yesterday"}]
        refused = assert_error(service.post("/v1/documents", json=bad, headers=AUTH), 422, "invalid request")
        assert [d["id"] for d in refused["detail"]["documents"]] == ["bad"]
        assert service.get("/healthz").json()["documents"] == 19
        assert_error(service.post("/v1/documents", json=[{"text": "no id"}], headers=AUTH), 422, "invalid request")


def test_a_write_by_another_process_is_picked_up(any_backend: str, tmp_path: Path) -> None:
    with serving(any_backend, refresh=0.1) as service:
        assert service.post("/v1/check", json={"text": NEW_ORIGINAL}).json()["verdict"] == "original"
        corpus = tmp_path / "more"
        corpus.mkdir()
        (corpus / "storage.md").write_text("---\nsource: 西岭网\n---\n" + NEW_ORIGINAL, encoding="utf-8")
        build_index([corpus], any_backend, load_rules(RULES))  # as `provenance index build` would, beside the service
        deadline = time.monotonic() + 10
        while service.get("/healthz").json()["documents"] != 19 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service.post("/v1/check", json={"text": NEW_ORIGINAL}).json()["verdict"] == "unattributed"


def test_threads_default_to_the_cores_in_one_process_and_one_beside_check_processes(
        sample_index: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    resolved = resolve(RULES, [], {"index": sample_index}, environ={})
    assert ServiceSettings.build(resolved, sample_index, {}, {}).threads == 4  # one process: a thread per core
    assert ServiceSettings.build(resolved, sample_index, {}, {}, workers=2).threads == 1  # checks run elsewhere
    assert ServiceSettings.build(resolved, sample_index, {"threads": 3}, {}, workers=2).threads == 3


# -- the devset: the service's verdicts are the command line's ---------------------------------------------------

def test_devset_verdicts_equal_the_cli(tmp_path_factory: pytest.TempPathFactory) -> None:
    require_devset()
    rules = load_rules(DEVSET / "provenance.toml")
    location = str(tmp_path_factory.mktemp("devset-service") / "dev.sqlite")
    build_index([DEVSET / "corpus"], location, rules, jobs=2)
    expected = {Path(item.path).name: item.to_dict() for item in scan([DEVSET / "incoming"], location, rules).items}
    resolved = resolve(DEVSET / "provenance.toml", [], {"index": location}, environ={})
    app = create_app(ServiceSettings.build(resolved, location, {"threads": 2}, {}), log=io.StringIO())
    files = sorted((DEVSET / "incoming").iterdir())
    assert len(files) == len(expected) >= 100
    with TestClient(app) as service:
        for path in files:
            item = upload(service, path).json()["item"]
            want = expected[path.name]
            assert (item["verdict"], (item.get("source") or {}).get("id"), item["matches"]) == \
                (want["verdict"], (want.get("source") or {}).get("id"), want["matches"]), path.name


# -- the command -------------------------------------------------------------------------------------------------

def test_serve_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import provenance.service

    monkeypatch.setattr(provenance.service, "missing_packages", lambda: ["fastapi", "uvicorn"])
    result = CliRunner().invoke(cli_app, ["serve"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("provenance: error: provenance serve needs fastapi, uvicorn: "
                                     "pip install 'provenance[serve]'")


def test_serve_refuses_a_missing_index_and_bad_settings(tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli_app, ["serve", "--index", str(tmp_path / "none.sqlite"), "--rules", str(RULES)])
    assert missing.exit_code == 2 and "no index here" in missing.stderr
    scope = CliRunner(env={"PROVENANCE_API_TOKEN_SCOPE": "everything"}).invoke(
        cli_app, ["serve", "--index", str(tmp_path / "none.sqlite"), "--rules", str(RULES)])
    assert scope.exit_code == 2 and "PROVENANCE_API_TOKEN_SCOPE" in scope.stderr


def _request(url: str, data: bytes | None = None, timeout: float = 30) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_real_server_answers_and_stops_gracefully(sample_index: str, tmp_path: Path) -> None:
    server, root = start_server(sample_index, RULES, tmp_path, stdout=subprocess.PIPE)
    base = root.rstrip("/")
    try:
        status, health = _request(f"{base}/healthz", timeout=2)
        assert status == 200 and health["documents"] == 18
        status, checked = _request(f"{base}/v1/check", json.dumps({"text": SEED}).encode())
        assert status == 200 and checked["verdict"] == "unattributed"
        # a request under way when SIGTERM comes is answered before the server exits
        answers: list[tuple[int, Any]] = []
        many = json.dumps([{"text": SEED}] * 100).encode()
        sender = threading.Thread(target=lambda: answers.append(_request(f"{base}/v1/scan", many)))
        sender.start()
        time.sleep(0.2)
        server.send_signal(signal.SIGTERM)
        sender.join(60)
        assert answers and answers[0][0] == 200 and answers[0][1]["summary"]["scanned"] == 100
        assert server.wait(30) == 0
    finally:
        if server.poll() is None:
            server.kill()
        _, stderr = server.communicate()
    logged = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    answered = [(line["path"], line["status"]) for line in logged]
    assert answered[0] == ("/healthz", 200) and ("/v1/check", 200) in answered
    assert "Traceback" not in stderr
