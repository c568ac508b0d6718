"""HTML report: self-contained, passages marked on both sides, and rendered visibly in headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from provenance.engine import build_index, scan
from provenance.report.formatters import formatter
from provenance.report.html_format import highlight
from provenance.rules import load_rules

ORIGINAL = ("The Portville port authority approved a plan to dredge the inner harbor to fourteen meters, letting larger "
            "container ships call at the city's two terminals. The project will cost about 210 million dollars and "
            "start in the autumn, with night-time dredging limited to protect residents.")
ORIGINAL_ZH = ("江州进入主汛期，市防汛抗旱指挥部决定将防汛应急响应提升至四级。各区县要加强对病险水库和地质灾害隐患点的巡查，"
               "提前转移危险区域群众；城区排涝泵站满负荷运行，确保排水通畅。")


@pytest.fixture
def html_report(tmp_path: Path) -> tuple[Path, str]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(f"---\nid: hl-1\ntitle: Dredging <plan>\nsource: Harbor Line\npublished: 2024-05-03\n---\n"
                                 f"{ORIGINAL}\n", encoding="utf-8")
    (corpus / "b.md").write_text(f"---\nid: jz-1\ntitle: 汛期\nsource: 江州晚报\npublished: 2024-05-20\n---\n{ORIGINAL_ZH}\n",
                                 encoding="utf-8")
    (tmp_path / "provenance.toml").write_text('publisher = "Bendi"\n[[source]]\nname = "Harbor Line"\n',
                                             encoding="utf-8")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "copy.txt").write_text(f"Harbor news <b>&amp;</b>\n{ORIGINAL}\nSource: Harbor Line\n(Editing by Sam Ortiz)\n",
                                       encoding="utf-8")
    (incoming / "roundup.txt").write_text(f"本周要闻\n{ORIGINAL_ZH}\n\n{ORIGINAL}\n", encoding="utf-8")
    (incoming / "empty.txt").write_bytes(b"")
    rules = load_rules(tmp_path / "provenance.toml")
    build_index([corpus], str(tmp_path / "i.sqlite"), rules)
    report = scan([incoming], str(tmp_path / "i.sqlite"), rules)
    page = formatter("html")(report)
    out = tmp_path / "report.html"
    out.write_text(page, encoding="utf-8")
    return out, page


def test_page_structure(html_report: tuple[Path, str]) -> None:
    _, page = html_report
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page), "no external resources"
    assert "<b>&amp;</b>" not in page and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in page  # article text escaped
    marks = re.findall(r'<mark [^>]*class="passage (p\d)[^"]*" data-passage="(\d+)"', page)
    assert marks
    # every passage appears on both sides of its pair, in the same colour
    for pair in re.findall(r'<div class="pair">(.*?)</div></div>', page, re.S):
        left, right = pair.split('<div class="pane source">')
        left_marks = set(re.findall(r'class="passage (p\d)[^"]*" data-passage="(\d+)"', left))
        right_marks = set(re.findall(r'class="passage (p\d)[^"]*" data-passage="(\d+)"', right))
        assert left_marks == right_marks and left_marks
    assert 'class="claim"' in page or "claim " in page
    assert "boilerplate: editor" in page
    assert 'data-verdict="unreadable"' in page and 'type="checkbox" value="unattributed"' in page
    assert page.count('<ol class="timeline">') >= 2


def test_highlight_handles_overlaps() -> None:
    out = highlight("abcdefghij", [(0, 6, 0), (4, 9, 1)], claims=[(2, 5, "credit")], boilerplate=[(8, 10, "notice")])
    assert out.count("<mark") == 6 and "</span></mark>" not in out
    text = re.sub(r"<[^>]+>", "", out)
    assert text == "abcdefghij"


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        reason = "chromium not installed (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--hide-scrollbars"]
    return subprocess.run([binary, *flags, *args], capture_output=True, text=True, timeout=60)


def test_highlights_render_in_chromium(html_report: tuple[Path, str], tmp_path: Path) -> None:
    binary = _chromium()
    out, page = html_report
    total = len(re.findall(r"<mark ", page))
    dom = _run_chromium(binary, tmp_path / "profile", "--virtual-time-budget=3000", "--dump-dom", out.as_uri())
    rendered = re.search(r'data-rendered-passages="(\d+)"', dom.stdout)
    assert rendered, f"the page's check did not run: {dom.stderr[-500:]}"
    assert int(rendered.group(1)) == total > 0
    shot = tmp_path / "report.png"
    _run_chromium(binary, tmp_path / "profile2", "--window-size=1400,1600", f"--screenshot={shot}", out.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_missing_highlight_styles_are_detected(html_report: tuple[Path, str], tmp_path: Path) -> None:
    """The Chromium check fails when passages are not visibly highlighted."""
    binary = _chromium()
    _out, page = html_report
    broken = tmp_path / "broken.html"
    broken.write_text(re.sub(r"mark\.p\d \{ background:#[0-9a-f]+; \}", "", page).replace(
        "mark.passage {", "mark.passage { background: transparent !important;"), encoding="utf-8")
    dom = _run_chromium(binary, tmp_path / "profile", "--virtual-time-budget=3000", "--dump-dom", broken.as_uri())
    rendered = re.search(r'data-rendered-passages="(\d+)"', dom.stdout)
    assert rendered and int(rendered.group(1)) == 0
