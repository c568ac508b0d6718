"""SARIF 2.1.0 formatter: findings for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

One rule per verdict with a stable id; one result per article that is not ``original``/``own``,
located at its first copied passage (lines and columns in code points of the loaded text), with
the original and the chain as related locations and a fingerprint that survives edits elsewhere
in the file (article, original, verdict — the same identity as baselines).
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from provenance import __version__
from provenance.baseline import article_identity, fingerprint
from provenance.report.formatters import register
from provenance.report.model import Item, Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note", "none": "none"}
# Stable rule ids: never renumber; add new verdicts at the end.
RULES: list[dict[str, str]] = [
    {"verdict": "unattributed", "id": "PROV001", "name": "UnattributedRepublication", "level": "error",
     "short": "Republication without the attribution the source requires",
     "help": "Add a credit line naming the original source (e.g. 来源：<source> or Source: <source>), with a link "
             "where the source's policy is attribution-and-link."},
    {"verdict": "misattributed", "id": "PROV002", "name": "Misattribution", "level": "error",
     "short": "The credit names a source that is not the original",
     "help": "Credit the original source named in the finding, or an intermediate that itself credits it."},
    {"verdict": "prohibited", "id": "PROV003", "name": "ProhibitedRepublication", "level": "error",
     "short": "The source forbids republication and the publisher is not a licensee",
     "help": "Remove the copied text, quote less than the excerpt allowance, or obtain a licence from the source."},
    {"verdict": "unreadable", "id": "PROV004", "name": "UnreadableFile", "level": "error",
     "short": "The file could not be read or decoded",
     "help": "Save the article as text (UTF-8, GB18030, Big5 or UTF-16), HTML, Markdown or JSON."},
    {"verdict": "excerpt", "id": "PROV005", "name": "Excerpt", "level": "note",
     "short": "Reuse below the source's excerpt allowance",
     "help": "No action needed; crediting the source is good practice."},
    {"verdict": "attributed", "id": "PROV006", "name": "AttributedRepublication", "level": "note",
     "short": "Republication whose credit satisfies the source's policy", "help": "No action needed."},
    {"verdict": "permitted", "id": "PROV007", "name": "PermittedRepublication", "level": "note",
     "short": "Republication of a source that is free to republish", "help": "No action needed."},
    {"verdict": "own", "id": "PROV008", "name": "OwnArticle", "level": "none",
     "short": "The original is the publisher's own article", "help": "No action needed."},
    {"verdict": "original", "id": "PROV009", "name": "Original", "level": "none",
     "short": "No corpus source explains the article", "help": "No action needed."},
]
_BY_VERDICT = {rule["verdict"]: index for index, rule in enumerate(RULES)}
_SNIPPET = 200


def _uri(path: str) -> str:
    return quote(PurePath(path).as_posix(), safe="/:@-._~!$&'()*+,;=")


def _region(text: str, start: int, end: int) -> dict[str, Any]:
    """SARIF region (1-based lines and columns, code points) for ``text[start:end]``."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    start_line = text.count("\n", 0, start) + 1
    start_column = start - (text.rfind("\n", 0, start) + 1) + 1
    last = max(start, end - 1)
    end_line = text.count("\n", 0, last) + 1 if end > start else start_line
    end_column = (end - (text.rfind("\n", 0, last) + 1) + 1) if end > start else start_column
    region: dict[str, Any] = {"startLine": start_line, "startColumn": start_column, "endLine": end_line,
                              "endColumn": end_column, "charOffset": start, "charLength": end - start}
    if end > start:
        snippet = text[start:end]
        region["snippet"] = {"text": snippet if len(snippet) <= _SNIPPET else snippet[:_SNIPPET] + "…"}
    return region


def _first_passage(item: Item) -> tuple[int, int] | None:
    for match in item.matches:
        if match.get("passages"):
            start, end = match["passages"][0]["article"]
            return int(start), int(end)
    return None


def _result(item: Item) -> dict[str, Any]:
    rule_index = _BY_VERDICT[item.verdict]
    text = item.text or ""
    span = _first_passage(item)
    region = _region(text, *span) if span else {"startLine": 1, "startColumn": 1}
    result: dict[str, Any] = {
        "ruleId": RULES[rule_index]["id"],
        "ruleIndex": rule_index,
        "level": LEVELS[item.severity],
        "message": {"text": item.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(article_identity(item)),
                                                                 "uriBaseId": "%SRCROOT%"},
                                            "region": region}}],
        "partialFingerprints": {"provenanceFinding/v1": fingerprint(item)},
        "properties": {"verdict": item.verdict, "article": item.id},
    }
    related = []
    for number, step in enumerate(item.chain, start=1):
        source_id = step.get("id") or ""
        url = (item.source or {}).get("url") if item.source and item.source.get("id") == source_id else None
        label = "original" if number == 1 else "reprint"
        related.append({
            "id": number,
            "physicalLocation": {"artifactLocation": {"uri": url or f"corpus:{quote(source_id, safe='')}"}},
            "message": {"text": f"{label}: {step.get('name') or '?'} {source_id} ({step.get('published') or 'undated'})"},
        })
    if related:
        result["relatedLocations"] = related
    if item.source:
        result["properties"].update({"original": item.source.get("id"), "policy": item.source.get("policy"),
                                     "policyFrom": item.source.get("policy_from")})
    if item.matches:
        result["properties"]["scores"] = item.matches[0].get("scores")
    return result


def sarif_log(report: Report) -> dict[str, Any]:
    rules = [
        {
            "id": rule["id"], "name": rule["name"],
            "shortDescription": {"text": rule["short"]},
            "fullDescription": {"text": f"provenance verdict '{rule['verdict']}': {rule['short'].lower()}."},
            "help": {"text": rule["help"], "markdown": f"**{rule['short']}.** {rule['help']}"},
            "defaultConfiguration": {"level": rule["level"]},
            "properties": {"tags": ["provenance", "attribution", rule["verdict"]]},
        }
        for rule in RULES
    ]
    results = [_result(item) for item in report.items if item.verdict not in ("original", "own")]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "provenance", "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": True, "exitCode": report.exit_code}],
            "results": results,
            "properties": {"index": {k: v for k, v in report.index.items() if k != "params"},
                           "summary": report.by_verdict()},
        }],
    }


@register("sarif")
def render_sarif(report: Report) -> str:
    return json.dumps(sarif_log(report), ensure_ascii=False, indent=2) + "\n"
