"""HTML report: one offline page; passages marked on both sides, and visibly rendered in headless Chromium."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

from provenance.engine import build_index, scan
from provenance.report.formatters import formatter, names
from provenance.report.html_format import highlight
from provenance.rules import load_rules

CHROMIUM = Path("/usr/bin/chromium")

LIBRARY_1 = ("南岭市图书馆自四月起延长开放时间，周一至周五每天开放到晚上十点，周末全天开放。馆方表示，延长时间后将增加"
             "自助借还设备和夜间安保人员，方便下班后前来的读者。")
LIBRARY_2 = ("据统计，去年全馆接待读者超过一百二十万人次，其中青少年读者占三成以上。新开设的古籍修复体验区每周六对外开放，"
             "市民可通过图书馆官方公众号提前预约参观。")
FERRY_1 = ("The island ferry will run every forty minutes from next Monday, up from once an hour, after the county "
           "added a second boat to the route. Tickets keep their current price, and the first sailing moves to "
           "six in the morning so that commuters can reach the mainland before their shifts start.")
FERRY_2 = ("Harbour master Ines Calder said the new boat, built at the Westmouth yard, carries two hundred passengers "
           "and forty cars. Islanders had collected more than three thousand signatures last winter asking for more "
           "frequent crossings, especially on market days.")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("html-report")
    corpus = root / "corpus"
    (corpus / "nanling").mkdir(parents=True)
    (corpus / "jiangnan").mkdir()
    (corpus / "courier").mkdir()
    (corpus / "nanling" / "library.md").write_text(
        f"---\nid: nl-library\ntitle: 图书馆延长开放\nsource: 南岭日报\npublished: 2024-03-08T09:30:00\n---\n"
        f"{LIBRARY_1}\n\n{LIBRARY_2}\n\n转载请注明出处。\n", encoding="utf-8")
    (corpus / "jiangnan" / "library.md").write_text(
        f"---\nid: jn-library\ntitle: 图书馆延长开放\nsource: 江南在线\npublished: 2024-03-09\n---\n"
        f"来源：南岭日报\n{LIBRARY_1}\n\n{LIBRARY_2}\n", encoding="utf-8")
    (corpus / "courier" / "ferry.md").write_text(
        f"---\nid: cc-ferry\ntitle: Ferry <every> 40 minutes\nsource: Coastline Courier\npublished: 2024-02-01\n---\n"
        f"{FERRY_1}\n\n{FERRY_2}\n", encoding="utf-8")
    (root / "provenance.toml").write_text('publisher = "Hillside Gazette"\n', encoding="utf-8")
    incoming = root / "incoming"
    incoming.mkdir()
    # own sentences between two copied paragraphs (in swapped order): two passages; a credit and an editor line
    (incoming / "library.md").write_text(
        f"本报讯 记者走访发现，不少市民对延长开放时间表示欢迎。\n{LIBRARY_2}\n\n一位在附近上班的读者说，以后下班也有地方安静看书了。"
        f"\n\n{LIBRARY_1}\n\n（来源：江南在线）\n责任编辑：周明\n", encoding="utf-8")
    (incoming / "ferry <copy>.txt").write_text(
        f"<script>alert('x')</script> Weekend & more: https://example.org/story\n{FERRY_1}\n"
        f"Our reporter asked travellers at the pier what they made of the timetable.\n{FERRY_2}\n(Editing by Ana Ruiz)\n",
        encoding="utf-8")
    (incoming / "own.txt").write_text("Hillside Gazette volunteers planted ninety oak saplings along the river path "
                                      "on Saturday, the first part of a five-year plan for the valley.\n", encoding="utf-8")
    (incoming / "empty.txt").write_bytes(b"")
    rules = load_rules(root / "provenance.toml")
    build_index([corpus], str(root / "index.sqlite"), rules)
    report = scan([incoming], str(root / "index.sqlite"), rules)
    verdicts = {Path(item.path).name: item.verdict for item in report.items}
    assert verdicts["empty.txt"] == "unreadable" and verdicts["own.txt"] == "original"
    assert verdicts["library.md"] not in ("original", "unreadable"), verdicts
    assert verdicts["ferry <copy>.txt"] not in ("original", "unreadable"), verdicts
    page = formatter("html")(report)
    out = root / "report.html"
    out.write_text(page, encoding="utf-8")
    return out, page


class _Nesting(HTMLParser):
    """Fails on crossed or unclosed tags (void elements aside)."""

    VOID: ClassVar[set[str]] = {"meta", "input", "br", "link", "img", "hr", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _well_formed(fragment: str) -> str:
    parser = _Nesting()
    parser.feed(fragment)
    parser.close()
    assert not parser.stack, f"unclosed: {parser.stack}"
    return "".join(parser.text)


def _matches(page: str) -> list[tuple[str, str]]:
    """(article pane, source pane) markup of every match panel."""
    panes = re.findall(r'<div class="pane (article|source)">(.*?)</pre></div>', page, re.S)
    assert panes and len(panes) % 2 == 0
    pairs = list(zip(panes[::2], panes[1::2], strict=True))
    assert all(a[0] == "article" and s[0] == "source" for a, s in pairs)
    return [(a[1], s[1]) for a, s in pairs]


def _marks(markup: str) -> set[tuple[str, str]]:
    return set(re.findall(r'<mark class="passage (p\d)[^"]*" data-passage="(\d+)"', markup))


def test_registered_and_self_contained(scanned: tuple[Path, str]) -> None:
    _, page = scanned
    assert "html" in names()
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    _well_formed(page[page.index("<html"):])
    # nothing is loaded from elsewhere: no external src/href, no stylesheet links, no CSS urls or imports
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|//)""", page, re.I)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert "https://example.org/story" in page  # the URL in the article text is shown, as text
    # article text is escaped, never markup
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(" in page and "Weekend &amp; more" in page
    assert "Ferry &lt;every&gt; 40 minutes" in page and "ferry &lt;copy&gt;.txt" in page
    assert len(re.findall(r"<script>", page)) == 1  # only the page's own script


def test_passages_marked_on_both_sides(scanned: tuple[Path, str]) -> None:
    _, page = scanned
    pairs = _matches(page)
    assert len(pairs) >= 3  # the library article matches the original and its reprint, the ferry article one
    for article, source in pairs:
        left, right = _marks(article), _marks(source)
        assert left and left == right, "every passage is marked on both sides in the same colour"
        for colour, k in left:
            assert colour == f"p{int(k) % 8}"
    # the library article reuses two paragraphs in swapped order: two passages, two colours
    library = next(a for a, _ in pairs if "南岭市图书馆" in a)
    assert {k for _, k in _marks(library)} == {"0", "1"}
    assert len({c for c, _ in _marks(library)}) == 2


def test_claims_boilerplate_verdict_and_chain(scanned: tuple[Path, str]) -> None:
    _, page = scanned
    library = page[page.index('data-verdict', page.index("library.md</span></h3>") - 400):]
    library = library[:library.index("</section>")]
    assert re.search(r'class="[^"]*\bclaim\b[^"]*"[^>]*title="来源：江南在线 → 江南在线"', library)
    assert re.search(r'class="[^"]*\bboiler bp-editor\b[^"]*"[^>]*title="boilerplate: editor"', library)
    assert "南岭日报" in library and "attribution-required" in library and "转载请注明出处" in library  # policy_from
    # the chain: a dated timeline, original first, then the reprint, then the scanned article
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', library, re.S).group(1)
    dates = re.findall(r'<time datetime="([^"]*)">', timeline)
    assert dates[0].startswith("2024-03-08") and dates[1].startswith("2024-03-09")
    assert timeline.index("南岭日报") < timeline.index("江南在线") < timeline.index("this article")
    assert '<table class="scores">' in library and "containment" in library
    # the panel of the original comes first
    assert library.index("Original · 南岭日报") < library.index("Reprint in the chain · 江南在线")


def test_summary_filters_and_compact_items(scanned: tuple[Path, str]) -> None:
    _, page = scanned
    for verdict in re.findall(r'data-verdict="([a-z]+)"', page):
        assert f'class="verdict-filter js-only" value="{verdict}"' in page
    assert '<input type="search" id="search"' in page
    assert 'class="nojs"' in page and ".nojs .js-only { display:none" in page  # without JS: no dead controls
    assert " hidden" not in "".join(re.findall(r"<section [^>]*>", page))  # without JS everything is visible
    for verdict in ("unreadable", "original"):
        section = re.search(rf'<section class="item [^"]*v-{verdict} compact"[^>]*>(.*?)</section>', page, re.S)
        assert section and "<pre" not in section.group(1) and "timeline" not in section.group(1)
    cards = re.search(r'<div class="cards">(.*?)</div>', page, re.S).group(1)
    assert re.search(r'<span class="n">1</span><span class="badge sev-error v-unreadable">', cards)


def test_highlight_overlaps_stay_well_formed() -> None:
    text = "a<b>&c — 文本 defghij"
    out = highlight(text, [(0, 8, 0), (5, 14, 1), (12, 99, 9)], claims=[(2, 6, "credit → X")],
                    boilerplate=[(10, 16, "notice"), (-3, 1, "meta")])
    assert _well_formed(out) == text
    assert "<b>" not in out and "&lt;" in out and "b&gt;&amp;" in out
    assert 'data-passages="0 1"' in out and 'data-n="10"' in out  # overlap recorded; 1-based labels
    assert out.count('class="passage p0 ') + out.count('class="passage p0"') >= 1
    assert highlight("", [(0, 5, 0)]) == ""
    assert highlight("plain & simple", []) == "plain &amp; simple"


def test_cli_writes_the_html_report(scanned: tuple[Path, str], tmp_path: Path) -> None:
    root = scanned[0].parent
    out = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "provenance", "scan", str(root / "incoming"), "--index", str(root / "index.sqlite"),
         "--rules", str(root / "provenance.toml"), "--format", "html", "--output", str(out), "--quiet"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<mark class=\"passage" in page
    assert "Usage" not in done.stdout


# --- headless Chromium --------------------------------------------------------------------------------------------

def _chromium() -> Path:
    if not CHROMIUM.exists():
        reason = "chromium not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


def _run_chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--hide-scrollbars"]
    try:
        return subprocess.run([str(_chromium()), *flags, *args], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"chromium did not finish within 20 s: {' '.join(args)} ({exc.stderr!r:.300})")


def _dump(page: Path, profile: Path) -> str:
    done = _run_chromium(profile, "--virtual-time-budget=2000", "--dump-dom", page.as_uri())
    assert "<body" in done.stdout, f"chromium printed no DOM: {done.stderr[-800:]}"
    return done.stdout


def _rendered(dom: str) -> tuple[int, int]:
    rendered = re.search(r'data-rendered-passages="(\d+)"', dom)
    total = re.search(r'data-total-passages="(\d+)"', dom)
    assert rendered and total, "the page's script did not record what it rendered"
    return int(rendered.group(1)), int(total.group(1))


def test_highlights_render_in_chromium(scanned: tuple[Path, str], tmp_path: Path) -> None:
    _chromium()
    _, page = scanned
    out = tmp_path / "report.html"
    out.write_text(page, encoding="utf-8")
    marks = page.count('<mark class="passage')
    rendered, total = _rendered(_dump(out, tmp_path / "profile-dom"))
    assert total == marks > 0
    assert rendered == marks, f"only {rendered} of {marks} passage marks are visibly highlighted"
    shot = tmp_path / "report.png"
    done = _run_chromium(tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1400,2000", out.as_uri())
    assert shot.is_file() and shot.stat().st_size > 20_000, done.stderr[-800:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chromium_check_catches_missing_highlights(scanned: tuple[Path, str], tmp_path: Path) -> None:
    """With the passage colours gone from the CSS, the rendered count drops below the number of marks."""
    _chromium()
    _, page = scanned
    # (a bare <mark> is yellow in browsers, so the palette gives way to an explicit transparent background)
    broken = re.sub(r"mark\.p\d \{ background:#[0-9a-f]{6}; \}", "mark.passage { background:transparent; }", page)
    assert broken != page
    out = tmp_path / "broken.html"
    out.write_text(broken, encoding="utf-8")
    rendered, total = _rendered(_dump(out, tmp_path / "profile"))
    assert total > 0 and rendered == 0


def test_filters_hide_and_show_sections_in_chromium(scanned: tuple[Path, str], tmp_path: Path) -> None:
    _chromium()
    _, page = scanned
    probe = """<script>window.addEventListener('load', function () {
  function visible() { return Array.prototype.map.call(document.querySelectorAll('section.item:not(.hidden)'),
    function (s) { return s.dataset.verdict; }).sort().join(','); }
  var result = [visible()];
  var box = document.querySelector('input.verdict-filter[value="unreadable"]');
  box.checked = false; box.dispatchEvent(new Event('change')); result.push(visible());
  box.checked = true; box.dispatchEvent(new Event('change'));
  var search = document.getElementById('search');
  search.value = '古籍修复'; search.dispatchEvent(new Event('input')); result.push(visible());
  result.push(document.getElementById('shown').textContent);
  document.body.dataset.filterProbe = result.join('|');
});</script></body>"""
    out = tmp_path / "probe.html"
    out.write_text(page.replace("</body>", probe), encoding="utf-8")
    found = re.search(r'data-filter-probe="([^"]*)"', _dump(out, tmp_path / "profile"))
    assert found, "the filter probe did not run"
    everything, without_unreadable, searched, shown = html.unescape(found.group(1)).split("|")
    assert "unreadable" in everything.split(",") and len(everything.split(",")) == 4
    assert "unreadable" not in without_unreadable.split(",") and len(without_unreadable.split(",")) == 3
    assert len(searched.split(",")) == 1 and searched not in ("original", "unreadable")
    assert shown == "1 of 4 articles shown"
