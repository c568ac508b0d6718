"""HTML formatter: one self-contained, offline page with every copied passage shown side by side.

A summary with counts per verdict and filters; per article, the article and each original side by
side with each copied passage highlighted in a matching colour on both sides, credits and
boilerplate marked, the verdict with its reason, and the chain as a dated timeline. No external
resources: styles and the small script are inline, and the page works without the script.
"""

from __future__ import annotations

import html
import itertools
import json
from collections.abc import Iterable

from provenance import __version__
from provenance.report.formatters import register
from provenance.report.model import Item, Report

PALETTE = 8
_ERROR = {"unattributed", "misattributed", "prohibited", "unreadable"}
_INFO = {"excerpt", "attributed", "permitted"}

CSS = """
:root { --bg:#f7f7f5; --fg:#1d1d1f; --muted:#6b6b70; --line:#dcdcd6; --card:#fff;
  --err:#b3261e; --warn:#a15c00; --ok:#1e7a3a; --none:#6b6b70; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.55 -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei",
  "Noto Sans CJK SC", sans-serif; background:var(--bg); color:var(--fg); }
header.top { padding:20px 28px 12px; border-bottom:1px solid var(--line); background:var(--card); position:sticky; top:0; z-index:2; }
h1 { font-size:20px; margin:0 0 6px; }
.meta { color:var(--muted); font-size:13px; }
.filters { display:flex; flex-wrap:wrap; gap:8px; margin-top:10px; align-items:center; }
.filters label { border:1px solid var(--line); border-radius:999px; padding:2px 10px 2px 6px; font-size:13px; cursor:pointer; background:#fafafa; }
.filters input[type=search] { margin-left:auto; padding:5px 10px; border:1px solid var(--line); border-radius:6px; min-width:240px; }
main { padding:16px 28px 40px; }
section.item { background:var(--card); border:1px solid var(--line); border-radius:10px; margin:0 0 18px; padding:14px 18px; }
section.item.compact { padding:10px 18px; }
.item h2 { font-size:15px; margin:0; display:flex; gap:10px; align-items:center; flex-wrap:wrap; word-break:break-all; }
.badge { font-size:12px; font-weight:600; border-radius:4px; padding:1px 8px; color:#fff; letter-spacing:.02em; }
.sev-error { background:var(--err); } .sev-info { background:var(--ok); } .sev-info.v-excerpt { background:var(--warn); }
.sev-none { background:var(--none); }
.message { margin:6px 0 10px; }
.facts { display:grid; grid-template-columns: max-content 1fr; gap:2px 12px; font-size:13px; color:#333; margin:0 0 10px; }
.facts dt { color:var(--muted); }
.timeline { list-style:none; margin:6px 0 12px; padding:0 0 0 14px; border-left:2px solid var(--line); font-size:13px; }
.timeline li { position:relative; margin:0 0 4px; }
.timeline li::before { content:""; position:absolute; left:-20px; top:7px; width:9px; height:9px; border-radius:50%; background:#9a9a9f; }
.timeline li.first::before { background:var(--err); }
.timeline time { font-variant-numeric: tabular-nums; color:var(--muted); margin-right:8px; }
.pair { display:grid; grid-template-columns:1fr 1fr; gap:14px; margin-top:8px; }
.pane h3 { font-size:13px; margin:0 0 4px; color:var(--muted); font-weight:600; }
.text { white-space:pre-wrap; word-break:break-word; border:1px solid var(--line); border-radius:6px; padding:10px 12px;
  max-height:520px; overflow:auto; background:#fcfcfb; font-size:14px; line-height:1.7; margin:0; font-family:inherit; }
mark.passage { border-radius:3px; padding:0 1px; color:inherit; cursor:pointer; }
mark.p0 { background:#ffe08a; } mark.p1 { background:#a8e6cf; } mark.p2 { background:#bcd4ff; } mark.p3 { background:#ffc2d1; }
mark.p4 { background:#d9c2ff; } mark.p5 { background:#ffd3a5; } mark.p6 { background:#b8f0f0; } mark.p7 { background:#e2f0a6; }
mark.passage.active { outline:2px solid #333; }
.claim { text-decoration: underline 2px #1a5fb4; text-underline-offset:3px; }
.boiler { color:#8b8b90; text-decoration: line-through; text-decoration-color:#c5c5c9; }
.scores { font-size:12px; color:var(--muted); margin:4px 0 0; }
.legend { font-size:12px; color:var(--muted); margin-top:6px; }
.legend span { margin-right:14px; }
.hidden { display:none !important; }
@media (max-width: 900px) { .pair { grid-template-columns:1fr; } }
"""

SCRIPT = """
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('.filters input[type=checkbox]'));
  var search = document.querySelector('.filters input[type=search]');
  function apply() {
    var on = {}; boxes.forEach(function (b) { on[b.value] = b.checked; });
    var q = (search.value || '').toLowerCase();
    document.querySelectorAll('section.item').forEach(function (s) {
      var show = on[s.dataset.verdict] !== false && (!q || s.dataset.search.indexOf(q) >= 0);
      s.classList.toggle('hidden', !show);
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  if (search) search.addEventListener('input', apply);
  document.querySelectorAll('.pair').forEach(function (pair) {
    pair.querySelectorAll('mark.passage').forEach(function (m) {
      function toggle(state) {
        pair.querySelectorAll('mark.passage[data-passage="' + m.dataset.passage + '"]').forEach(function (x) {
          x.classList.toggle('active', state);
        });
      }
      m.addEventListener('mouseenter', function () { toggle(true); });
      m.addEventListener('mouseleave', function () { toggle(false); });
      m.addEventListener('click', function () {
        var other = pair.querySelector('.pane:not(:has(#' + m.id + ')) mark.passage[data-passage="' + m.dataset.passage + '"]');
        if (other) other.scrollIntoView({block: 'center', behavior: 'smooth'});
      });
    });
  });
  // Record what was actually rendered, for automated checks of the page.
  var marks = document.querySelectorAll('mark.passage'), visible = 0;
  marks.forEach(function (m) {
    var r = m.getBoundingClientRect(), bg = getComputedStyle(m).backgroundColor;
    if (r.width > 0 && r.height > 0 && bg && bg !== 'transparent' && bg !== 'rgba(0, 0, 0, 0)') visible++;
  });
  document.body.dataset.renderedPassages = String(visible);
  document.body.dataset.totalPassages = String(marks.length);
})();
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _severity_class(verdict: str) -> str:
    return "sev-error" if verdict in _ERROR else "sev-info" if verdict in _INFO else "sev-none"


def highlight(text: str, passages: Iterable[tuple[int, int, int]], claims: Iterable[tuple[int, int, str]] = (),
              boilerplate: Iterable[tuple[int, int, str]] = (), prefix: str = "") -> str:
    """Escaped ``text`` with passages (start, end, k), claims and boilerplate marked; overlaps handled.

    The text is cut at every span boundary; each piece gets the classes of the spans covering it,
    so overlapping spans never produce broken nesting.
    """
    passages = [(max(0, s), min(len(text), e), k) for s, e, k in passages if e > s]
    claims = [(max(0, s), min(len(text), e), t) for s, e, t in claims if e > s]
    boilerplate = [(max(0, s), min(len(text), e), t) for s, e, t in boilerplate if e > s]
    cuts = {0, len(text)}
    for spans in (passages, claims, boilerplate):
        for s, e, _ in spans:
            cuts.update((s, e))
    points = sorted(cuts)
    out: list[str] = []
    for a, b in itertools.pairwise(points):
        piece = _e(text[a:b])
        passage = next((k for s, e, k in passages if s <= a and b <= e), None)
        claim = next((t for s, e, t in claims if s <= a and b <= e), None)
        boiler = next((t for s, e, t in boilerplate if s <= a and b <= e), None)
        classes = []
        title = []
        if claim is not None:
            classes.append("claim")
            title.append(claim)
        if boiler is not None and claim is None:
            classes.append("boiler")
            title.append(f"boilerplate: {boiler}")
        if passage is not None:
            classes = ["passage", f"p{passage % PALETTE}", *classes]
            out.append(f'<mark id="{prefix}-{a}" class="{" ".join(classes)}" data-passage="{passage}"'
                       + (f' title="{_e("; ".join(title))}"' if title else "") + f">{piece}</mark>")
        elif classes:
            out.append(f'<span class="{" ".join(classes)}" title="{_e("; ".join(title))}">{piece}</span>')
        else:
            out.append(piece)
    return "".join(out)


def _item_section(number: int, item: Item) -> str:
    verdict = item.verdict
    search = " ".join([item.path, item.verdict, item.message, (item.source or {}).get("name") or ""]).lower()
    head = (f'<h2><span class="badge {_severity_class(verdict)} v-{_e(verdict)}">{_e(verdict)}</span>'
            f"<span>{_e(item.path)}</span></h2>")
    if not item.matches:
        return (f'<section class="item compact" id="item-{number}" data-verdict="{_e(verdict)}" '
                f'data-search="{_e(search)}">{head}<p class="message">{_e(item.message)}</p></section>')
    parts = [f'<section class="item" id="item-{number}" data-verdict="{_e(verdict)}" data-search="{_e(search)}">',
             head, f'<p class="message">{_e(item.message)}</p>']
    source = item.source or {}
    facts = [("original", f"{source.get('name') or ''} · {source.get('id') or ''}"),
             ("published", source.get("published")), ("policy", source.get("policy")),
             ("policy from", source.get("policy_from")), ("url", source.get("url"))]
    claims_text = "; ".join(f"{c['text']} → {c.get('resolved') or 'unresolved'}" for c in item.claims) or "none"
    facts.append(("credits", claims_text))
    parts.append('<dl class="facts">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts if v) + "</dl>")
    if item.chain:
        steps = "".join(
            f'<li class="{"first" if i == 0 else ""}"><time>{_e((step.get("published") or "undated")[:16])}</time>'
            f'{_e(step.get("name"))} · {_e(step.get("id"))}{" — original" if i == 0 else " — reprint"}</li>'
            for i, step in enumerate(item.chain)
        )
        parts.append(f'<ol class="timeline">{steps}</ol>')
    claims = [(c["span"][0], c["span"][1], f"credit: {c['text']} → {c.get('resolved') or 'unresolved'}")
              for c in item.claims if c.get("span") and c["span"][1] > c["span"][0]]
    boiler = [(b["span"][0], b["span"][1], b["kind"]) for b in item.boilerplate if b["kind"] != "credit"]
    text = item.text or ""
    for m_index, match in enumerate(item.matches):
        passages = match.get("passages") or []
        source_text = item.source_texts.get(match["id"], "")
        left = highlight(text, [(p["article"][0], p["article"][1], k) for k, p in enumerate(passages)], claims, boiler,
                         prefix=f"i{number}m{m_index}a")
        right = highlight(source_text, [(p["source"][0], p["source"][1], k) for k, p in enumerate(passages)],
                          prefix=f"i{number}m{m_index}s")
        scores = match.get("scores") or {}
        score_text = ", ".join(f"{k} {v}" for k, v in scores.items())
        parts.append(
            f'<div class="pair"><div class="pane article"><h3>article · {_e(item.path)}</h3>'
            f'<pre class="text" lang="{_e(item.language or "")}">{left}</pre></div>'
            f'<div class="pane source"><h3>{_e(match.get("verdict"))} · {_e(match.get("kind"))} · '
            f'{_e(match.get("name"))} {_e(match["id"])} ({_e((match.get("published") or "undated")[:10])})</h3>'
            f'<pre class="text">{right}</pre></div></div>'
            f'<p class="scores">{len(passages)} copied passage{"" if len(passages) == 1 else "s"} · {_e(score_text)}</p>'
        )
    parts.append('<p class="legend"><span><mark class="passage p0">highlight</mark> copied passage (same colour on '
                 'both sides)</span><span class="claim">underlined</span> credit '
                 '<span class="boiler">struck through</span> boilerplate</p>')
    parts.append("</section>")
    return "".join(parts)


@register("html")
def render_html(report: Report) -> str:
    counts = report.by_verdict()
    boxes = "".join(
        f'<label><input type="checkbox" value="{_e(v)}" checked> <span class="badge {_severity_class(v)} v-{_e(v)}">'
        f"{_e(v)}</span> {n}</label>"
        for v, n in sorted(counts.items(), key=lambda kv: (_severity_class(kv[0]) != "sev-error", kv[0]))
    )
    index = report.index
    items = "".join(_item_section(n, item) for n, item in enumerate(report.items))
    summary = json.dumps({"scanned": len(report.items), "by_verdict": counts, "exit_code": report.exit_code})
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>provenance report · {len(report.items)} articles</title><style>{CSS}</style></head>"
        f"<body data-summary='{_e(summary)}'>"
        f'<header class="top"><h1>provenance report</h1><div class="meta">{len(report.items)} articles scanned against '
        f"{_e(index.get('documents'))} documents ({_e(index.get('backend'))} index) · exit code {report.exit_code} · "
        f"provenance {_e(__version__)}</div>"
        f'<div class="filters">{boxes}<input type="search" placeholder="filter by path, source or message"></div>'
        f"</header><main>{items}</main><script>{SCRIPT}</script></body></html>\n"
    )
