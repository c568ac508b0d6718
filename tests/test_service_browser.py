"""The editors' page at / of ``provenance serve`` (issue 17), in a real browser: Debian's chromium,
driven headless by Selenium through Debian's chromedriver (no driver download: Selenium is pointed
at /usr/bin/chromedriver), against a real server (``provenance serve`` on a free port) on the
shipped sample corpus.

Pasted Chinese (the seed case), typed English and an uploaded Word file each get their verdict and
the side-by-side view with passages highlighted on both sides; the form is used with the keyboard;
API errors (401, 413, 415) are shown as text; the token stays in sessionStorage; the page fetches
nothing but from the service.

Without chromium, chromedriver or the selenium package these tests are skipped with the reason,
except in CI (CI=true), where that is a failure (.ci/run installs chromium and chromium-driver).
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from serve_kit import sample_index_in, start_server

pytest.importorskip("fastapi", reason="the serve extra is not installed: pip install '.[serve]'")


ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "sample"
RULES = SAMPLE / "provenance.toml"
INCOMING = SAMPLE / "incoming"
WORD_FILE = ROOT / "tests" / "fixtures" / "office" / "incoming" / "water-meeting-uncredited.docx"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
TOKEN = "page-token-0451"
WAIT = 30  # seconds for a check to be answered and shown


def _require_browser() -> None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if missing:
        reason = (f"no browser to drive: {', '.join(missing)} missing (apt-get install chromium chromium-driver; "
                  "pip install '.[test]'; .ci/run installs them)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


# -- the server ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    _require_browser()  # before building anything
    return sample_index_in(tmp_path_factory.mktemp("page"))


@contextmanager
def _serving(index: str, cwd: Path, *flags: str, **environ: str) -> Iterator[str]:
    """``provenance serve`` in a subprocess; yields its base URL, stops it with SIGTERM."""
    server, base = start_server(index, RULES, cwd, "--quiet", *flags, **environ)
    try:
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        _, stderr = server.communicate()
        assert "Traceback" not in stderr, stderr[-3000:]


@pytest.fixture(scope="module")
def server(sample_index: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serving(sample_index, tmp_path_factory.mktemp("serve")) as base:
        yield base


# -- the browser -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1400,1000", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-extensions", "--lang=en-US",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()


def _open(driver: Any, base: str) -> None:
    driver.get(base)
    driver.get_log("browser")  # start each page with an empty console record
    assert driver.find_element("id", "check-form").is_displayed()


def _active_id(driver: Any) -> str:
    return driver.switch_to.active_element.get_attribute("id") or ""


def _press(driver: Any, *keys: str) -> None:
    driver.switch_to.active_element.send_keys(*keys)


def _tab_to(driver: Any, element_id: str, most: int = 10) -> None:
    """Press Tab until the element has the focus, as someone using the keyboard would."""
    from selenium.webdriver.common.keys import Keys

    seen = []
    for _ in range(most):
        if _active_id(driver) == element_id:
            return
        seen.append(_active_id(driver) or driver.switch_to.active_element.tag_name)
        _press(driver, Keys.TAB)
    assert _active_id(driver) == element_id, f"Tab never reached #{element_id}: {seen}"


def _paste(driver: Any, text: str) -> None:
    """Focus the text area and paste: the text arrives as one insertion, as a paste does."""
    driver.find_element("id", "text").click()
    driver.execute_cdp_cmd("Input.insertText", {"text": text})


def _submit_with_keyboard(driver: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    _tab_to(driver, "submit")
    _press(driver, Keys.ENTER)


def _wait_for_result(driver: Any) -> dict[str, Any]:
    """Wait for the result (or fail with the error the page shows); what the page shows, as data."""
    from selenium.webdriver.support.ui import WebDriverWait

    def settled(d: Any) -> bool:
        return d.find_element("id", "result").is_displayed() or d.find_element("id", "problem").is_displayed()

    WebDriverWait(driver, WAIT).until(settled)
    problem = driver.find_element("id", "problem")
    assert not problem.is_displayed(), f"the page shows an error: {problem.text}"
    return driver.execute_script("""
        var view = document.getElementById('view'), result = document.getElementById('result');
        function texts(selector) { return Array.prototype.map.call(view.querySelectorAll(selector),
                                                                    function (e) { return e.textContent; }); }
        return {
          verdict: document.getElementById('verdict').textContent,
          badge: view.querySelector('.item-head .badge').textContent,
          message: view.querySelector('.message').textContent,
          title: view.querySelector('.item-head h3').textContent,
          facts: texts('dl.facts dt').map(function (k, i) { return [k, texts('dl.facts dd')[i]]; }),
          chain: texts('ol.timeline li'),
          articleMarks: view.querySelectorAll('.pane.article mark.passage').length,
          sourceMarks: view.querySelectorAll('.pane.source mark.passage').length,
          sourceHeads: texts('.pane.source .pane-head'),
          articleLang: (view.querySelector('.pane.article pre') || {}).lang,
          rendered: Number(result.dataset.renderedPassages), total: Number(result.dataset.totalPassages),
          status: document.getElementById('status').textContent,
          focused: document.activeElement.id,
          resources: performance.getEntriesByType('resource').map(function (e) { return e.name; })
        };""")


def _assert_self_contained(driver: Any, shown: dict[str, Any], base: str) -> None:
    outside = [url for url in shown["resources"] if not url.startswith(base)]
    assert not outside, f"the page fetched from elsewhere: {outside}"
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors


def _assert_side_by_side(shown: dict[str, Any]) -> None:
    assert shown["articleMarks"] >= 1 and shown["sourceMarks"] >= 1, shown
    # every passage mark is visibly highlighted (laid out, with a background colour)
    assert shown["total"] == shown["articleMarks"] + shown["sourceMarks"]
    assert shown["rendered"] == shown["total"], f"{shown['rendered']} of {shown['total']} marks are visible"


# -- the cases ---------------------------------------------------------------------------------------------

def test_pasted_seed_case_is_unattributed_with_passages_marked(driver: Any, server: str) -> None:
    _open(driver, server)
    seed = (INCOMING / "seed-case.txt").read_text(encoding="utf-8")
    _paste(driver, seed)
    text_area = driver.find_element("id", "text")
    assert text_area.get_attribute("value") == seed
    assert text_area.get_attribute("lang") == "zh"  # CJK fonts and line breaking for Chinese
    _submit_with_keyboard(driver)
    shown = _wait_for_result(driver)
    assert shown["verdict"] == shown["badge"] == "unattributed"
    assert "柳川日报" in shown["message"]
    facts = dict(shown["facts"])
    assert facts["original"].startswith("柳川日报") and "lc-2024-0311" in facts["original"]
    assert facts["credits"] == "none found"
    assert any("柳川日报" in step and "lc-2024-0311" in step and "original" in step for step in shown["chain"])
    assert any("柳川日报" in head for head in shown["sourceHeads"])
    assert shown["articleLang"] == "zh"
    _assert_side_by_side(shown)
    # the result is announced (aria-live) and the focus moves to it
    assert shown["status"].startswith("Verdict: unattributed") and shown["focused"] == "result-heading"
    _assert_self_contained(driver, shown, server)

    # a passage is reached with Tab; Enter shows its partner on the other side
    from selenium.webdriver.common.keys import Keys

    _press(driver, Keys.TAB)
    focused = driver.switch_to.active_element
    assert focused.tag_name == "mark" and "passage" in (focused.get_attribute("class") or "")
    _press(driver, Keys.ENTER)
    assert driver.execute_script(
        "return document.querySelectorAll('#view .pane.source mark.passage.flash').length") >= 1


def test_typed_english_article(driver: Any, server: str) -> None:
    _open(driver, server)
    text = (INCOMING / "heatwave-uncredited.txt").read_text(encoding="utf-8")
    driver.find_element("id", "text").send_keys(text)  # typed, key by key
    assert driver.find_element("id", "text").get_attribute("value").strip() == text.strip()
    assert driver.find_element("id", "text").get_attribute("lang") in (None, "")
    _submit_with_keyboard(driver)
    shown = _wait_for_result(driver)
    assert shown["verdict"] == shown["badge"] == "unattributed"
    assert dict(shown["facts"])["original"].startswith("Northgate Press")
    assert any("Northgate Press" in head for head in shown["sourceHeads"])
    _assert_side_by_side(shown)
    _assert_self_contained(driver, shown, server)


def test_uploaded_word_file(driver: Any, server: str) -> None:
    _open(driver, server)
    driver.find_element("id", "file").send_keys(str(WORD_FILE))  # what choosing it in the picker does
    chosen = driver.find_element("id", "chosen")
    assert chosen.is_displayed() and WORD_FILE.name in chosen.text
    driver.find_element("id", "text").click()
    _submit_with_keyboard(driver)
    shown = _wait_for_result(driver)
    assert shown["verdict"] == shown["badge"] == "unattributed"
    assert shown["title"] == WORD_FILE.name
    assert dict(shown["facts"])["original"].startswith("柳川日报")
    _assert_side_by_side(shown)
    _assert_self_contained(driver, shown, server)
    # removing the file goes back to the pasted text
    driver.find_element("id", "clear-file").click()
    assert not driver.find_element("id", "chosen").is_displayed() and _active_id(driver) == "drop"


def test_the_drop_zone_is_a_keyboard_button_with_a_visible_focus(driver: Any, server: str) -> None:
    from selenium.webdriver.common.keys import Keys

    _open(driver, server)
    # count the file picker openings instead of opening it
    driver.execute_script("""window.pickerOpened = 0;
        document.getElementById('file').addEventListener('click', function (e) { window.pickerOpened++;
                                                                                  e.preventDefault(); });""")
    driver.find_element("id", "text").click()
    _press(driver, Keys.TAB)
    assert _active_id(driver) == "drop"
    outline = driver.execute_script("var s = getComputedStyle(document.activeElement); "
                                    "return [s.outlineStyle, s.outlineWidth];")
    assert outline[0] != "none" and outline[1] != "0px", outline
    _press(driver, Keys.ENTER)
    _press(driver, Keys.SPACE)
    assert driver.execute_script("return window.pickerOpened") == 2
    # every form control has a label
    unlabelled = driver.execute_script("""return Array.prototype.filter.call(
        document.querySelectorAll('textarea, input'), function (e) { return !e.labels || !e.labels.length; })
        .map(function (e) { return e.id; });""")
    assert unlabelled == []


def test_errors_are_shown_as_text(driver: Any, server: str, tmp_path: Path) -> None:
    _open(driver, server)
    problem = driver.find_element("id", "problem")
    _submit_with_keyboard(driver)  # nothing pasted
    assert problem.is_displayed() and "Nothing to check" in problem.text
    assert problem.get_attribute("role") == "alert"
    unknown = tmp_path / "notes.xyz"
    unknown.write_text("柳川县召开农村供水保障工程推进会", encoding="utf-8")
    driver.find_element("id", "file").send_keys(str(unknown))
    _submit_with_keyboard(driver)
    _wait_for_problem(driver, "HTTP 415 unsupported media type")
    assert "'notes.xyz': not a format provenance reads" in problem.text
    assert not driver.find_element("id", "result").is_displayed()


def _wait_for_problem(driver: Any, start: str) -> str:
    from selenium.webdriver.support.ui import WebDriverWait

    problem = driver.find_element("id", "problem")
    WebDriverWait(driver, WAIT).until(lambda d: problem.is_displayed() and problem.text.startswith(start))
    return problem.text


def test_a_service_asking_for_a_token(driver: Any, sample_index: str, tmp_path: Path) -> None:
    """Scope all: 401 until the token is given; then it is sent, and kept in sessionStorage only.
    A small --max-body shows the 413."""
    with _serving(sample_index, tmp_path, "--max-body", "2048",
                  PROVENANCE_API_TOKEN=TOKEN, PROVENANCE_API_TOKEN_SCOPE="all") as base:
        _open(driver, base)
        _paste(driver, "The harbour ferry will run every forty minutes from Monday, the county said.")
        _submit_with_keyboard(driver)
        text = _wait_for_problem(driver, "HTTP 401 unauthorized")
        assert "token" in text
        assert driver.find_element("id", "token-box").get_attribute("open") is not None
        assert _active_id(driver) == "token"  # the field to fill is focused
        _press(driver, TOKEN)
        _submit_with_keyboard(driver)
        shown = _wait_for_result(driver)
        assert shown["verdict"] == shown["badge"]  # answered: whatever the verdict
        storage = driver.execute_script("return [sessionStorage.getItem('provenance.token'), localStorage.length]")
        assert storage == [TOKEN, 0]
        # the token is still there after a reload (same tab), and a large article is a 413 shown as text
        _open(driver, base)
        assert driver.find_element("id", "token").get_attribute("value") == TOKEN
        _paste(driver, (INCOMING / "seed-case.txt").read_text(encoding="utf-8"))
        _submit_with_keyboard(driver)
        assert "--max-body" in _wait_for_problem(driver, "HTTP 413 payload too large")
