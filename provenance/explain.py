"""``provenance explain``: everything the tool saw and decided about one article, as a structure.

The CLI renders it as text or JSON; nothing here decides anything that ``scan`` does not.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from provenance.documents.model import Article
from provenance.engine import Scanner
from provenance.judge import group_kind, origin_of
from provenance.text.normalize import normalise_name

TOP_CANDIDATES = 5


def explain_article(scanner: Scanner, article: Article) -> dict[str, Any]:
    item, analysis, groups = scanner.scan_article(article)
    out: dict[str, Any] = {
        "path": article.path, "id": article.id, "format": article.format, "encoding": article.encoding,
        "verdict": item.verdict, "severity": item.severity, "message": item.message, "rule": item.rule,
    }
    if analysis is None:
        out["error"] = article.error
        return out
    body = analysis.normalized.norm
    mask_chars = [ch for ch, keep in zip(body, analysis.mask.tolist(), strict=True) if keep]
    out.update({
        "loaded_chars": len(article.text),
        "clean_start": "".join(mask_chars)[:240],
        "language": analysis.language,
        "tokens": len(analysis.tokens),
        "shingles": int(analysis.unique.size),
        "shingle_size": analysis.shingles.size,
        "boilerplate": [{"kind": b.kind, "span": [b.start, b.end], "text": b.text[:160]} for b in analysis.blocks],
        "claims": item.claims,
        "people": item.people,
        "original_title": analysis.attribution.original_title,
    })
    candidates = []
    ids = scanner.matcher.candidate_ids(analysis)
    verified = {m.doc.rowid for g in groups for m in g.members}
    for doc, source in scanner.matcher.sources(ids[: TOP_CANDIDATES * 4]):
        a, b = analysis.unique, source.unique
        shared = int(np.intersect1d(a, b, assume_unique=True).size) if a.size and b.size else 0
        candidates.append({
            "id": doc.id, "source": doc.source, "published": doc.published, "verified": doc.rowid in verified,
            "shared_shingles": shared,
            "jaccard": round(shared / max(1, a.size + b.size - shared), 4),
            "containment": round(shared / max(1, a.size), 4),
            "source_coverage": round(shared / max(1, b.size), 4),
            "simhash_distance": source.simhash_distance(int(analysis.fingerprint.simhash.value)),
        })
    candidates.sort(key=lambda c: (-c["shared_shingles"], c["id"]))
    out["candidates"] = candidates[:TOP_CANDIDATES]
    out["groups"] = []
    for group in groups:
        origin = origin_of(group, scanner.book)
        policy = origin.policy
        title_check = None
        if analysis.attribution.original_title and group.original.doc.title:
            title_check = normalise_name(analysis.attribution.original_title) == normalise_name(group.original.doc.title)
        out["groups"].append({
            "original": None if origin.external else group.original.doc.id,
            "outlet": origin.outlet, "external": origin.external,
            "via": origin.via.doc.id if origin.via is not None else None,
            "verdict": group.original.verdict,
            "kind": group_kind(analysis, group, policy),
            "policy": policy.policy, "policy_from": policy.policy_from,
            "original_title_matches": title_check,
            "chain": [{"id": m.doc.id, "source": m.doc.source, "published": m.doc.published,
                       "credits": [c.get("resolved") or c.get("name") for c in m.doc.claims]} for m in group.chain],
            "passages": [p.to_dict() for p in group.original.passages],
        })
    return out


def render_text(data: dict[str, Any]) -> str:
    # A Word or PDF file has no encoding: its text is extracted (offsets count that text).
    encoding = data.get("encoding") or ("text extracted" if data.get("format") in ("docx", "pdf") else None)
    lines = [f"{data['path']}  ({data.get('format')}, {encoding})"]
    if "error" in data:
        lines.append(f"  unreadable: {data['error']}")
        return "\n".join(lines) + "\n"
    lines.append(f"  language: {data['language']}; {data['loaded_chars']} characters loaded, {data['tokens']} tokens, "
                 f"{data['shingles']} shingles of {data['shingle_size']}")
    lines.append(f"  cleaned text: {data['clean_start']}…")
    lines.append("  boilerplate:" if data["boilerplate"] else "  boilerplate: none")
    for block in data["boilerplate"]:
        lines.append(f"    {block['kind']:<7} [{block['span'][0]}, {block['span'][1]})  {block['text'][:90]!r}")
    lines.append("  claims:" if data["claims"] else "  claims: none")
    for claim in data["claims"]:
        resolved = claim["resolved"] or "unresolved (unknown outlet)"
        lines.append(f"    {claim['kind']:<8} {claim['text']!r} at {claim['span']} → {resolved}")
    for person in data["people"]:
        lines.append(f"    (not a claim) {person['role']}: {person['name']}")
    if data.get("original_title"):
        lines.append(f"  原标题 / original title: {data['original_title']}")
    lines.append("  candidates:" if data["candidates"] else "  candidates: none")
    for cand in data["candidates"]:
        mark = "verified" if cand["verified"] else "rejected"
        lines.append(
            f"    {cand['id']} ({cand['source']}, {str(cand['published'])[:10]}): {mark}; jaccard {cand['jaccard']}, "
            f"containment {cand['containment']}, coverage {cand['source_coverage']}, "
            f"simhash distance {cand['simhash_distance']}"
        )
    for group in data["groups"]:
        original = (f"{group['outlet']} (outside the corpus; credited as the origin by {group['via']})"
                    if group.get("external") else group["original"])
        lines.append(f"  original {original} — {group['kind']}, policy {group['policy']} "
                     f"(from {group['policy_from']})")
        for step in group["chain"]:
            credits = f", credits {', '.join(c for c in step['credits'] if c)}" if step["credits"] else ""
            lines.append(f"    {str(step['published'])[:19]}  {step['id']} ({step['source']}{credits})")
        if group["original_title_matches"] is not None:
            lines.append(f"    原标题 {'matches' if group['original_title_matches'] else 'differs from'} the original's title")
        for passage in group["passages"][:8]:
            lines.append(f"    passage article {passage['article']} ↔ source {passage['source']} "
                         f"({passage['chars']} chars, {round(100 * passage['identical'])}% identical)")
    lines.append(f"  verdict: {data['verdict']} ({data['severity']}) — rule: {data['rule']}")
    lines.append(f"  {data['message']}")
    return "\n".join(lines) + "\n"
