"""HTML formatter: one self-contained, offline page with every copied passage shown side by side.

The page has a summary (counts per verdict, which double as filters, a search box and an overview
table) and, per article, the verdict with its reason, the original source and its policy, the chain
of copies as a dated timeline, a scores table and, for every matched corpus document, the article
and that document side by side with each copied passage highlighted in the same colour on both
sides. Credits are underlined (tooltip: credit → resolved name) and boilerplate lines are muted.
Unreadable and original articles are listed compactly.

Everything is inline (styles, a small script, no fonts or images from elsewhere), so the file can be
mailed or archived and opened offline. The page is complete without the script: the script only
adds the filters, the partner highlighting of passages, and a record of what was rendered
(``data-rendered-passages`` on ``<body>``) that automated checks read.

The editors' page of ``provenance serve`` shows the same view from the same code: it gets
:func:`item_section` for its one article from ``POST /v1/check?view=true`` and loads :data:`CSS` and
:data:`PASSAGES_SCRIPT` from the service (``/static/report.css``, ``/static/report.js``).
"""

from __future__ import annotations

import html
import itertools
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from provenance import __version__
from provenance.report.formatters import register
from provenance.report.model import Item, Report
from provenance.verdicts import ORDER, SEVERITY

PALETTE = 8  # passage colours p0…p7, cycled

CSS = """
:root { --bg:#f4f3ef; --fg:#1c1c1e; --muted:#66666d; --faint:#8d8d94; --line:#dddbd3; --card:#fff;
  --err:#b42318; --err-bg:#fdecea; --warn:#a15c07; --warn-bg:#fdf3e1; --ok:#1f7a45; --ok-bg:#e8f5ec;
  --none:#6b7280; --none-bg:#efeff1; --accent:#1d4ed8;
  --ui: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial,
    "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
    "WenQuanYi Micro Hei", sans-serif;
  --read: Georgia, "Iowan Old Style", "Charter", "Noto Serif", "Liberation Serif", "Times New Roman",
    "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
    "WenQuanYi Micro Hei", serif;
  --cjk: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
    "WenQuanYi Micro Hei", system-ui, sans-serif; }
* { box-sizing:border-box; }
html { -webkit-text-size-adjust:100%; }
body { margin:0; font:15px/1.55 var(--ui); background:var(--bg); color:var(--fg); }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
.wrap { max-width:1500px; margin:0 auto; padding:0 28px; }
header.top { background:var(--card); border-bottom:1px solid var(--line); padding:22px 0 16px; }
h1 { font-size:22px; margin:0; letter-spacing:-.01em; }
.meta { color:var(--muted); font-size:13px; margin-top:4px; }
.cards { display:flex; flex-wrap:wrap; gap:10px; margin-top:16px; }
.card { display:flex; align-items:center; gap:10px; border:1px solid var(--line); border-left-width:4px;
  border-radius:8px; padding:8px 14px 8px 10px; background:#fff; font-size:13px; user-select:none; }
.card .n { font-size:22px; font-weight:700; font-variant-numeric:tabular-nums; min-width:1.2em; text-align:right; }
.card.sev-error { border-left-color:var(--err); } .card.sev-info { border-left-color:var(--ok); }
.card.v-excerpt { border-left-color:var(--warn); } .card.sev-none { border-left-color:var(--none); }
.card input { margin:0; accent-color:#333; }
.js .card { cursor:pointer; } .card.off { opacity:.45; }
.totals { font-size:13px; color:var(--muted); margin-top:10px; }
.totals b { color:var(--fg); }
.toolbar { position:sticky; top:0; z-index:5; background:rgba(255,255,255,.96); border-bottom:1px solid var(--line);
  backdrop-filter:blur(4px); }
.toolbar .wrap { display:flex; flex-wrap:wrap; gap:10px 16px; align-items:center; padding-top:8px; padding-bottom:8px; }
.toolbar input[type=search] { flex:1 1 280px; max-width:460px; padding:6px 10px; font:inherit; font-size:14px;
  border:1px solid var(--line); border-radius:6px; background:#fff; }
.toolbar button { font:inherit; font-size:13px; border:1px solid var(--line); background:#fafaf8; border-radius:6px;
  padding:5px 10px; cursor:pointer; }
.toolbar button:hover { background:#f0efe9; }
.shown { font-size:13px; color:var(--muted); }
.legend { font-size:12.5px; color:var(--muted); margin-left:auto; display:flex; gap:14px; flex-wrap:wrap; }
.nojs .js-only { display:none !important; }
main { padding:18px 0 48px; }
h2.section { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:8px 0 8px; }
table.overview { width:100%; border-collapse:collapse; background:var(--card); border:1px solid var(--line);
  border-radius:8px; overflow:hidden; font-size:13.5px; margin-bottom:26px; }
table.overview th, table.overview td { text-align:left; padding:6px 12px; border-bottom:1px solid #eeede8; vertical-align:top; }
table.overview th { background:#fafaf7; font-weight:600; color:var(--muted); font-size:12px; }
table.overview tr:last-child td { border-bottom:0; }
table.overview td.path { overflow-wrap:anywhere; width:30%; } table.overview td:first-child { width:1%; }
table.overview td:nth-child(3) { width:16%; }
.dir { color:var(--faint); font-weight:400; } .file { font-weight:600; }
table.overview a .dir { color:#7a8bbd; }
table.overview td.msg { color:#44444a; }
.badge { display:inline-block; font-size:12px; font-weight:650; border-radius:4px; padding:1px 8px; color:#fff;
  letter-spacing:.02em; white-space:nowrap; line-height:1.6; font-family:var(--ui); }
.badge.sev-error { background:var(--err); } .badge.sev-info { background:var(--ok); }
.badge.v-excerpt { background:var(--warn); } .badge.sev-none { background:var(--none); }
.badge.light { background:#fff; color:var(--muted); border:1px solid var(--line); font-weight:500; }
section.item { background:var(--card); border:1px solid var(--line); border-left:5px solid var(--none);
  border-radius:10px; margin:0 0 20px; padding:16px 20px 18px; }
section.item.sev-error { border-left-color:var(--err); } section.item.sev-info { border-left-color:var(--ok); }
section.item.v-excerpt { border-left-color:var(--warn); }
section.item.compact { padding:10px 20px; margin-bottom:10px; }
.item-head { display:flex; gap:10px; align-items:baseline; flex-wrap:wrap; }
.item-head h3 { font-size:16px; margin:0; overflow-wrap:anywhere; font-weight:650; }
.item-head .id { color:var(--faint); font-size:12.5px; }
.compact .item-head h3 { font-size:14.5px; font-weight:600; }
.message { margin:8px 0 12px; font-size:15px; max-width:100ch; }
.compact .message { margin:4px 0 0; color:#44444a; font-size:14px; }
.sev-error > .message { color:#5c1410; }
.overview-row { display:grid; grid-template-columns:minmax(0, 3fr) minmax(0, 2fr); gap:18px 28px; margin:4px 0 14px; }
.facts { display:grid; grid-template-columns:max-content minmax(0, 1fr); gap:3px 14px; font-size:13.5px; margin:0; }
.facts dt { color:var(--muted); } .facts dd { margin:0; word-break:break-word; }
.policy { font-weight:600; }
.from { color:var(--muted); font-size:12.5px; }
h4 { font-size:12px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 6px; font-weight:600; }
ol.timeline { list-style:none; margin:0; padding:0 0 0 18px; position:relative; font-size:13.5px; }
ol.timeline::before { content:""; position:absolute; left:5px; top:8px; bottom:8px; width:2px; background:var(--line); }
ol.timeline li { position:relative; margin:0 0 8px; }
ol.timeline li::before { content:""; position:absolute; left:-18px; top:5px; width:10px; height:10px; border-radius:50%;
  background:#fff; border:2px solid #9a9aa1; }
ol.timeline li.origin::before { background:#2b2b30; border-color:#2b2b30; }
ol.timeline li.article::before { background:var(--accent); border-color:var(--accent); }
ol.timeline time { display:block; font-variant-numeric:tabular-nums; color:var(--muted); font-size:12.5px; line-height:1.3; }
ol.timeline .who { font-weight:600; } ol.timeline .doc { color:var(--faint); font-size:12.5px; word-break:break-all; }
ol.timeline .tag { font-size:11.5px; color:var(--muted); border:1px solid var(--line); border-radius:3px; padding:0 5px; margin-left:4px; }
ol.timeline .gap { color:var(--faint); font-size:12px; margin-left:4px; }
table.scores { border-collapse:collapse; font-size:13px; margin:4px 0 6px; width:100%; }
table.scores th, table.scores td { padding:4px 10px; border-bottom:1px solid #eeede8; text-align:right; white-space:nowrap;
  font-variant-numeric:tabular-nums; }
table.scores th { color:var(--muted); font-weight:600; font-size:12px; background:#fafaf7; }
table.scores th:first-child, table.scores td:first-child { text-align:left; white-space:normal; }
table.scores td.l, table.scores th.l { text-align:left; }
table.scores td:first-child { min-width:11em; }
.scroller { overflow-x:auto; }
.match { margin-top:16px; }
.match-head { display:flex; gap:8px; align-items:baseline; flex-wrap:wrap; font-size:13.5px; margin-bottom:6px; }
.match-head .what { font-weight:650; }
.pair { display:grid; grid-template-columns:minmax(0, 1fr) minmax(0, 1fr); gap:14px; }
.pane-head { font-size:12.5px; color:var(--muted); margin:0 0 4px; display:flex; justify-content:space-between; gap:8px; }
.pane-head span:first-child { font-weight:600; color:#44444a; overflow-wrap:anywhere; }
.pane-head span:last-child { flex:none; white-space:nowrap; }
pre.text { position:relative; white-space:pre-wrap; overflow-wrap:anywhere; word-break:normal; margin:0;
  border:1px solid var(--line); border-radius:8px; padding:12px 14px; max-height:560px; overflow:auto;
  background:#fdfdfb; font-family:var(--read); font-size:15px; line-height:1.75; tab-size:4; hyphens:auto; }
pre.text:lang(zh), pre.text:lang(ja), pre.text:lang(ko) { font-family:var(--cjk); font-size:15.5px; line-height:1.9;
  letter-spacing:.02em; line-break:strict; hyphens:none; }
pre.text .empty { color:var(--faint); font-style:italic; }
mark.passage { color:inherit; border-radius:2px; padding:1px 0; box-decoration-break:clone; -webkit-box-decoration-break:clone;
  cursor:pointer; transition:box-shadow .12s; }
mark.p0 { background:#ffe38f; } mark.p1 { background:#a9e8cd; } mark.p2 { background:#bed5ff; } mark.p3 { background:#ffc7d6; }
mark.p4 { background:#dcc7ff; } mark.p5 { background:#ffd2a3; } mark.p6 { background:#b3eef0; } mark.p7 { background:#dcf0a0; }
mark.passage.overlap { background-image:repeating-linear-gradient(135deg, rgba(0,0,0,.09) 0 2px, transparent 2px 6px); }
mark.passage.active { box-shadow:0 0 0 2px #2b2b30; }
mark.passage.flash { animation:flash .9s ease-out 1; }
@keyframes flash { from { box-shadow:0 0 0 5px rgba(29,78,216,.55); } to { box-shadow:0 0 0 0 rgba(29,78,216,0); } }
mark.start::before { content:attr(data-n); display:inline-block; font:600 10px/15px var(--ui); min-width:15px; height:15px;
  padding:0 3px; margin:0 3px 0 0; text-align:center; vertical-align:2px; border-radius:8px; background:rgba(0,0,0,.62); color:#fff;
  letter-spacing:0; }
.claim { text-decoration:underline 2px var(--accent); text-underline-offset:4px; text-decoration-skip-ink:none; cursor:help; }
.boiler { color:#9a9aa0; }
.boiler:not(.bp-credit) { text-decoration:line-through; text-decoration-color:#c2c2c8; }
mark.passage.boiler { color:#7d7d84; }
.swatch { display:inline-block; width:.9em; height:.9em; border-radius:2px; vertical-align:-1px; margin-right:4px; }
.hidden { display:none !important; }
footer { color:var(--faint); font-size:12px; padding:0 0 30px; }
@media (max-width: 1000px) { .pair, .overview-row { grid-template-columns:minmax(0, 1fr); } .wrap { padding:0 14px; } }
@media print { .toolbar { display:none; } body { background:#fff; } pre.text { max-height:none; overflow:visible; }
  section.item { break-inside:avoid-page; } }
"""

# The passage behaviour, shared by the report and the service's page (``/static/report.js``): hovering a
# passage lights its partner on the other side, clicking one scrolls the other side to its partner; and a
# record of what was rendered (how many passage marks are visibly highlighted) for automated checks.
PASSAGES_SCRIPT = r"""
(function () {
  var provenance = window.provenance || (window.provenance = {});
  function has(m, k) { return (' ' + m.dataset.passages + ' ').indexOf(' ' + k + ' ') >= 0; }
  // Partner highlighting in every side-by-side view (.match) under root.
  provenance.bindPassages = function (root) {
    root.querySelectorAll('.match').forEach(function (match) {
      var marks = Array.prototype.slice.call(match.querySelectorAll('mark.passage'));
      function partners(k) { return marks.filter(function (x) { return has(x, k); }); }
      marks.forEach(function (m) {
        var k = m.dataset.passage;
        m.addEventListener('mouseenter', function () { partners(k).forEach(function (x) { x.classList.add('active'); }); });
        m.addEventListener('mouseleave', function () { partners(k).forEach(function (x) { x.classList.remove('active'); }); });
        m.addEventListener('click', function () {
          var pane = m.closest('pre'), other = partners(k).filter(function (x) { return x.closest('pre') !== pane; })[0];
          if (!other) return;
          var box = other.closest('pre');
          box.scrollTop = Math.max(0, other.offsetTop - (m.offsetTop - pane.scrollTop));
          partners(k).forEach(function (x) {
            x.classList.remove('flash'); void x.offsetWidth; x.classList.add('flash');
          });
        });
      });
    });
  };
  // Record on target (data-rendered-passages, data-total-passages) how many of root's passage marks are
  // visibly highlighted: laid out and with a background colour.
  provenance.recordPassages = function (root, target) {
    var marks = root.querySelectorAll('mark.passage'), visible = 0;
    marks.forEach(function (m) {
      var r = m.getBoundingClientRect(), bg = getComputedStyle(m).backgroundColor;
      if (r.width > 0 && r.height > 0 && bg && bg !== 'transparent' && !/^rgba\(.*,\s*0\)$/.test(bg)) visible++;
    });
    target.dataset.renderedPassages = String(visible);
    target.dataset.totalPassages = String(marks.length);
  };
})();
"""

SCRIPT = PASSAGES_SCRIPT + r"""
(function () {
  var root = document.documentElement;
  root.classList.remove('nojs'); root.classList.add('js');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input.verdict-filter'));
  var search = document.getElementById('search');
  var sections = Array.prototype.slice.call(document.querySelectorAll('section.item'));
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-item]'));
  var shown = document.getElementById('shown');
  var texts = {};
  function textOf(s) { return texts[s.id] || (texts[s.id] = s.textContent.toLowerCase()); }
  function apply() {
    var on = {}, count = 0;
    boxes.forEach(function (b) { on[b.value] = b.checked; b.closest('.card').classList.toggle('off', !b.checked); });
    var q = (search && search.value || '').trim().toLowerCase(), visible = {};
    sections.forEach(function (s) {
      var show = on[s.dataset.verdict] !== false && (!q || textOf(s).indexOf(q) >= 0);
      s.classList.toggle('hidden', !show); visible[s.id] = show; if (show) count++;
    });
    rows.forEach(function (r) { r.classList.toggle('hidden', !visible[r.dataset.item]); });
    if (shown) shown.textContent = count + ' of ' + sections.length + ' articles shown';
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  if (search) search.addEventListener('input', apply);
  function setAll(pred) { boxes.forEach(function (b) { b.checked = pred(b); }); apply(); }
  var all = document.getElementById('show-all'), errors = document.getElementById('show-errors');
  if (all) all.addEventListener('click', function () { setAll(function () { return true; }); });
  if (errors) errors.addEventListener('click', function () {
    setAll(function (b) { return b.dataset.severity === 'error'; });
  });
  apply();

  window.provenance.bindPassages(document);

  // Record what was actually rendered, for automated checks of the page.
  function record() { window.provenance.recordPassages(document, document.body); }
  if (document.readyState === 'complete') record(); else window.addEventListener('load', record);
})();
"""

_CJK = ("\u3040", "\u30ff"), ("\u3400", "\u4dbf"), ("\u4e00", "\u9fff"), ("\uac00", "\ud7af"), ("\uf900", "\ufaff")


def _e(value: object) -> str:
    """Escape for text and for double-quoted attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def _path(path: str) -> str:
    """A path with its folder muted and its file name in bold, so long paths stay scannable."""
    cut = max(path.rfind("/"), path.rfind("\\")) + 1
    folder = f'<span class="dir">{_e(path[:cut])}</span>' if cut else ""
    return f'{folder}<span class="file">{_e(path[cut:])}</span>'


def _file_name(path: str) -> str:
    return path[max(path.rfind("/"), path.rfind("\\")) + 1:] or path


def _severity(verdict: str) -> str:
    return SEVERITY.get(verdict, "none")


def _verdict_classes(verdict: str) -> str:
    return f"sev-{_severity(verdict)} v-{_e(verdict)}"


def _badge(verdict: str | None) -> str:
    if not verdict:
        return ""
    return f'<span class="badge {_verdict_classes(verdict)}">{_e(verdict)}</span>'


def _order(verdict: str) -> int:
    return ORDER.index(verdict) if verdict in ORDER else len(ORDER)


def _parse_date(value: object) -> datetime | None:
    if not value:
        return None
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None


def format_date(value: object) -> str:
    """An ISO date or date-time for people: ``2024-05-01``, or ``2024-05-01 08:00 UTC`` when it has a time."""
    if not value:
        return "undated"
    parsed = _parse_date(value)
    if parsed is None:
        return str(value)
    if (parsed.hour, parsed.minute, parsed.second) == (0, 0, 0):
        return parsed.strftime("%Y-%m-%d")
    offset = parsed.utcoffset()
    zone = "" if offset is None else " UTC" if not offset else parsed.strftime(" %z")
    return parsed.strftime("%Y-%m-%d %H:%M") + zone


def _days_between(first: object, later: object) -> int | None:
    a, b = _parse_date(first), _parse_date(later)
    if a is None or b is None or (a.tzinfo is None) != (b.tzinfo is None):
        return None
    return (b - a).days


def guess_language(text: str) -> str | None:
    """``zh`` when CJK characters make up a good share of the letters, else None (for the ``lang`` attribute)."""
    sample = text[:4000]
    letters = sum(1 for ch in sample if ch.isalpha())
    cjk = sum(1 for ch in sample if any(lo <= ch <= hi for lo, hi in _CJK))
    return "zh" if letters and cjk / letters > 0.3 else None


def _clip(spans: Iterable[tuple[int, int, Any]], length: int) -> list[tuple[int, int, Any]]:
    out = []
    for start, end, value in spans:
        start, end = max(0, min(length, int(start))), max(0, min(length, int(end)))
        if end > start:
            out.append((start, end, value))
    return out


def highlight(text: str, passages: Iterable[tuple[int, int, int]], claims: Iterable[tuple[int, int, str]] = (),
              boilerplate: Iterable[tuple[int, int, str]] = ()) -> str:
    """Escaped ``text`` with passages (start, end, k), claims (…, tooltip) and boilerplate (…, kind) marked.

    The text is cut at every span boundary and each piece gets the marks of every span covering it,
    so overlapping or nested spans never produce crossed tags. A piece inside several passages is
    marked with the lowest passage number (its colour) and lists all of them in ``data-passages``.
    The first piece of each passage carries ``start`` and a 1-based label in ``data-n``.
    """
    layers = [_clip(passages, len(text)), _clip(claims, len(text)), _clip(boilerplate, len(text))]
    starts: dict[int, list[tuple[int, int, Any]]] = {}
    ends: dict[int, list[tuple[int, int, Any]]] = {}
    cuts = {0, len(text)}
    for layer, spans in enumerate(layers):
        for order, (start, end, value) in enumerate(spans):
            starts.setdefault(start, []).append((layer, order, value))
            ends.setdefault(end, []).append((layer, order, value))
            cuts.update((start, end))
    active: list[dict[int, Any]] = [{}, {}, {}]
    labelled: set[int] = set()
    out: list[str] = []
    for a, b in itertools.pairwise(sorted(cuts)):
        for layer, order, _ in ends.get(a, ()):
            active[layer].pop(order, None)
        for layer, order, value in starts.get(a, ()):
            active[layer][order] = value
        piece = html.escape(text[a:b], quote=False)
        passage_ids = sorted(set(active[0].values()))
        claim = active[1][min(active[1])] if active[1] else None
        boiler = active[2][min(active[2])] if active[2] else None
        classes: list[str] = []
        titles: list[str] = []
        if claim is not None:
            classes.append("claim")
            titles.append(str(claim))
        if boiler is not None:
            classes += ["boiler", f"bp-{_e(boiler)}"]
            if claim is None or boiler != "credit":  # a credit line's tooltip is the credit itself
                titles.append(f"boilerplate: {boiler}")
        title = f' title="{_e("; ".join(titles))}"' if titles else ""
        if passage_ids:
            k = passage_ids[0]
            classes = ["passage", f"p{k % PALETTE}", *classes]
            label = ""
            if k not in labelled:
                labelled.add(k)
                classes.append("start")
                label = f' data-n="{k + 1}"'
            if len(passage_ids) > 1:
                classes.append("overlap")
            ids = " ".join(str(i) for i in passage_ids)
            out.append(f'<mark class="{" ".join(classes)}" data-passage="{k}" data-passages="{ids}"{label}{title}>'
                       f"{piece}</mark>")
        elif classes:
            out.append(f'<span class="{" ".join(classes)}"{title}>{piece}</span>')
        else:
            out.append(piece)
    return "".join(out)


def _format_score(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return _e(value)
    if isinstance(value, float):
        return f"{value * 100:.1f}%" if 0.0 <= value <= 1.0 else f"{value:.3g}"
    return _e(value)


def _score_keys(matches: Sequence[dict[str, Any]]) -> list[str]:
    keys: list[str] = []
    for match in matches:
        for key in (match.get("scores") or {}):
            if key not in keys:
                keys.append(key)
    return keys


def _scores_table(item: Item, matches: Sequence[dict[str, Any]]) -> str:
    keys = _score_keys(matches)
    head = ("<tr><th>matched document</th><th class=\"l\">verdict</th><th class=\"l\">kind</th>"
            "<th class=\"l\">published</th><th>passages</th><th>chars copied</th>"
            + "".join(f"<th>{_e(key.replace('_', ' '))}</th>" for key in keys) + "</tr>")
    rows = []
    for match in matches:
        passages = match.get("passages") or []
        chars = sum(int(p.get("chars") or (p["article"][1] - p["article"][0])) for p in passages)
        scores = match.get("scores") or {}
        is_origin = item.source is not None and match.get("id") in (item.source.get("id"), item.source.get("via"))
        rows.append(
            f"<tr><td>{_e(match.get('name') or 'unknown source')} <span class=\"from\">{_e(match.get('id'))}</span>"
            + (' <span class="badge light">original</span>' if is_origin else "")
            + f"</td><td class=\"l\">{_badge(match.get('verdict'))}</td><td class=\"l\">{_e(match.get('kind') or '')}</td>"
            f"<td class=\"l\">{_e(format_date(match.get('published')))}</td><td>{len(passages)}</td><td>{chars:,}</td>"
            + "".join(f"<td>{_format_score(scores.get(key))}</td>" for key in keys) + "</tr>"
        )
    return f'<div class="scroller"><table class="scores"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></div>'


def _timeline(item: Item) -> str:
    if not item.chain:
        return ""
    first = item.chain[0].get("published")
    matched = {m.get("id") for m in item.matches}
    steps = []
    for number, step in enumerate(item.chain):
        tags = ['<span class="tag">original</span>'] if number == 0 else ['<span class="tag">reprint</span>']
        if step.get("id") in matched:
            tags.append('<span class="tag">matched</span>')
        gap = _days_between(first, step.get("published")) if number else None
        gap_text = f'<span class="gap">+{gap} day{"" if gap == 1 else "s"}</span>' if gap else ""
        steps.append(
            f'<li class="{"origin" if number == 0 else "copy"}"><time datetime="{_e(step.get("published") or "")}">'
            f'{_e(format_date(step.get("published")))}</time><span class="who">{_e(step.get("name") or "unknown")}</span>'
            f'{"".join(tags)}{gap_text}<div class="doc">{_e(step.get("id") or "outside the corpus")}</div></li>'
        )
    steps.append(f'<li class="article"><time>scanned</time><span class="who">this article</span>'
                 f'<div class="doc">{_e(item.path)}</div></li>')
    return f'<div class="chain"><h4>Chain of copies</h4><ol class="timeline">{"".join(steps)}</ol></div>'


def _facts(item: Item) -> str:
    source = item.source or {}
    rows: list[tuple[str, str]] = []
    if source:
        where = (f"outside the corpus, via {source.get('via')}" if source.get("external") else source.get("id"))
        name = f"<b>{_e(source.get('name') or 'unknown')}</b> <span class=\"from\">{_e(where)}</span>"
        rows.append(("original", name))
        if source.get("title"):
            rows.append(("title", f"“{_e(source['title'])}”"))
        rows.append(("published", _e(format_date(source.get("published")))))
        if source.get("url"):
            rows.append(("url", _e(source["url"])))  # shown, not linked: the page loads nothing from elsewhere
        if source.get("policy"):
            policy = f'<span class="policy">{_e(source["policy"])}</span>'
            if source.get("policy_from"):
                policy += f' <span class="from">from {_e(source["policy_from"])}</span>'
            rows.append(("policy", policy))
    credits = [c for c in item.claims if c.get("text")]
    if credits:
        rows.append(("credits", "<br>".join(
            f"{_e(c['text'])} → {_e(c.get('resolved') or 'unresolved')}" for c in credits)))
    else:
        rows.append(("credits", '<span class="from">none found</span>'))
    if item.rule:
        rows.append(("rule", _e(item.rule)))
    if item.language:
        rows.append(("language", _e(item.language)))
    return '<dl class="facts">' + "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _pane(title: str, detail: str, body: str, lang: str | None, side: str) -> str:
    lang_attr = f' lang="{_e(lang)}"' if lang else ""
    return (f'<div class="pane {side}"><div class="pane-head"><span>{title}</span><span>{detail}</span></div>'
            f'<pre class="text"{lang_attr}>{body}</pre></div>')


def _match_panel(item: Item, number: int, match: dict[str, Any], claims: list[tuple[int, int, str]],
                 boilerplate: list[tuple[int, int, str]]) -> str:
    passages = match.get("passages") or []
    text = item.text or ""
    source_text = item.source_texts.get(match.get("id", ""))
    left = highlight(text, [(p["article"][0], p["article"][1], k) for k, p in enumerate(passages)], claims, boilerplate)
    if source_text is None:
        right, source_lang = '<span class="empty">(the text of this document is not in the report)</span>', None
    else:
        right = highlight(source_text, [(p["source"][0], p["source"][1], k) for k, p in enumerate(passages)])
        source_lang = guess_language(source_text)
    is_origin = item.source is not None and match.get("id") == item.source.get("id")
    carries = item.source is not None and item.source.get("external") and match.get("id") == item.source.get("via")
    in_chain = any(step.get("id") == match.get("id") for step in item.chain)
    role = ("original" if is_origin else f"carries {item.source.get('name')}'s story" if carries and item.source
            else "reprint in the chain" if in_chain else "matched source")
    chars = sum(int(p.get("chars") or 0) for p in passages)
    head = (f'<div class="match-head"><span class="what">{number}. {_e(match.get("name") or "unknown source")}</span>'
            f'<span class="from">{_e(match.get("id"))} · {_e(role)} · {_e(format_date(match.get("published")))}</span>'
            f'{_badge(match.get("verdict"))}<span class="from">{_e(match.get("kind") or "")} · {len(passages)} copied '
            f'passage{"" if len(passages) == 1 else "s"}{f", {chars:,} characters" if chars else ""}</span></div>')
    article_lang = item.language or guess_language(text)
    return (
        f'<div class="match">{head}<div class="pair">'
        + _pane(f"Article · {_e(_file_name(item.path))}", f"{len(text):,} characters", left, article_lang, "article")
        + _pane(f"{_e(role.capitalize())} · {_e(match.get('name') or '')} · {_e(match.get('id'))}",
                f"{len(source_text or ''):,} characters", right, source_lang, "source")
        + "</div></div>"
    )


def _section_open(number: int, item: Item, compact: bool) -> str:
    return (f'<section class="item {_verdict_classes(item.verdict)}{" compact" if compact else ""}" id="item-{number}" '
            f'data-verdict="{_e(item.verdict)}">')


def _head(item: Item) -> str:
    shown = item.id and not item.path.replace("\\", "/").endswith(item.id)  # an explicit id, not the path
    item_id = f'<span class="id">id {_e(item.id)}</span>' if shown else ""
    return f'<div class="item-head">{_badge(item.verdict)}<h3>{_path(item.path)}</h3>{item_id}</div>'


def item_section(number: int, item: Item) -> str:
    """One article's section: verdict badge and message, the original, credits and chain of copies, the
    scores and, per matched document, the side-by-side view with the copied passages marked (the
    document's text from ``item.source_texts``). Styled by :data:`CSS`; :data:`PASSAGES_SCRIPT` adds the
    partner highlighting. The service's page (``POST /v1/check?view=true``) shows exactly this."""
    if not item.matches:
        return (_section_open(number, item, compact=True) + _head(item)
                + f'<p class="message">{_e(item.message)}</p></section>')
    claims = [(c["span"][0], c["span"][1], f"{c.get('text')} → {c.get('resolved') or 'unresolved'}")
              for c in item.claims if c.get("span") and len(c["span"]) == 2 and c["span"][1] > c["span"][0]]
    boilerplate = [(b["span"][0], b["span"][1], str(b.get("kind") or "boilerplate"))
                   for b in item.boilerplate if b.get("span") and len(b["span"]) == 2]
    source_id = (item.source or {}).get("id")
    # the original behind the verdict first, then the other matches in report order (best first)
    matches = sorted(item.matches, key=lambda m: m.get("id") != source_id)
    parts = [
        _section_open(number, item, compact=False), _head(item), f'<p class="message">{_e(item.message)}</p>',
        f'<div class="overview-row"><div>{_facts(item)}</div>{_timeline(item)}</div>',
        _scores_table(item, matches),
        *(_match_panel(item, n, match, claims, boilerplate) for n, match in enumerate(matches, 1)),
        "</section>",
    ]
    return "".join(parts)


def _overview(numbered: Sequence[tuple[int, Item]]) -> str:
    rows = []
    for number, item in numbered:
        source = item.source or {}
        original = ""
        if source:
            original = f"{_e(source.get('name') or 'unknown')} <span class=\"from\">{_e(format_date(source.get('published')))}</span>"
        message = item.message if len(item.message) <= 240 else item.message[:237].rstrip() + "…"
        rows.append(f'<tr data-item="item-{number}"><td>{_badge(item.verdict)}</td>'
                    f'<td class="path"><a href="#item-{number}">{_path(item.path)}</a></td><td>{original}</td>'
                    f'<td class="msg">{_e(message)}</td></tr>')
    return ('<h2 class="section">Overview</h2><table class="overview"><thead><tr><th>verdict</th><th>article</th>'
            f'<th>original</th><th>reason</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _summary(report: Report) -> str:
    counts = report.by_verdict()
    cards = "".join(
        f'<label class="card {_verdict_classes(verdict)}"><input type="checkbox" class="verdict-filter js-only" '
        f'value="{_e(verdict)}" data-severity="{_severity(verdict)}" checked><span class="n">{count}</span>'
        f"{_badge(verdict)}</label>"
        for verdict, count in sorted(counts.items(), key=lambda kv: _order(kv[0]))
    )
    by_severity = {"error": 0, "info": 0, "none": 0}
    for item in report.items:
        by_severity[_severity(item.verdict)] = by_severity.get(_severity(item.verdict), 0) + 1
    totals = (f'<div class="totals"><b>{by_severity["error"]}</b> need action (error) · <b>{by_severity["info"]}</b> '
              f'for information · <b>{by_severity["none"]}</b> no issue · fail on <b>{_e(report.fail_on)}</b> → exit code '
              f"<b>{report.exit_code}</b></div>")
    return f'<div class="cards">{cards}</div>{totals}'


def _legend() -> str:
    return ('<div class="legend"><span><span class="swatch" style="background:#ffe38f"></span>'
            '<span class="swatch" style="background:#a9e8cd"></span><span class="swatch" style="background:#bed5ff">'
            '</span>copied passage, same colour on both sides</span><span class="claim">credit</span>'
            '<span class="boiler">boilerplate</span></div>')


@register("html")
def render_html(report: Report) -> str:
    index = report.index or {}
    numbered = sorted(enumerate(report.items), key=lambda pair: (_order(pair[1].verdict), pair[0]))
    detailed = [(n, item) for n, item in numbered if item.matches]
    compact = [(n, item) for n, item in numbered if not item.matches]
    body = [_overview(numbered) if report.items else '<p class="message">No articles were scanned.</p>']
    if detailed:
        body.append('<h2 class="section">Articles with copied text</h2>')
        body += [item_section(n, item) for n, item in detailed]
    if compact:
        body.append('<h2 class="section">Other articles</h2>')
        body += [item_section(n, item) for n, item in compact]
    summary = json.dumps({"scanned": len(report.items), "by_verdict": report.by_verdict(),
                          "exit_code": report.exit_code}, ensure_ascii=False)
    documents = index.get("documents")
    against = f" against {_e(documents)} corpus documents" if documents is not None else ""
    backend = f" ({_e(index.get('backend'))} index)" if index.get("backend") else ""
    count = len(report.items)
    return (
        '<!DOCTYPE html>\n<html lang="en" class="nojs"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="provenance {_e(__version__)}">'
        f"<title>Provenance report · {count} article{'' if count == 1 else 's'}</title><style>{CSS}</style></head>"
        f'<body data-summary="{_e(summary)}">'
        f'<header class="top"><div class="wrap"><h1>Provenance report</h1>'
        f'<div class="meta">{count} article{"" if count == 1 else "s"} scanned{against}{backend} · '
        f"provenance {_e(__version__)}</div>{_summary(report)}</div></header>"
        '<div class="toolbar"><div class="wrap">'
        '<input type="search" id="search" class="js-only" placeholder="Search paths, sources, messages and text…" '
        'aria-label="Search articles">'
        '<button type="button" id="show-all" class="js-only">Show all</button>'
        '<button type="button" id="show-errors" class="js-only">Errors only</button>'
        f'<span id="shown" class="shown js-only"></span>{_legend()}</div></div>'
        f'<main><div class="wrap">{"".join(body)}</div></main>'
        f'<footer><div class="wrap">Generated by provenance {_e(__version__)} · offsets are characters of each text '
        "as loaded · this file loads nothing from the network</div></footer>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )
