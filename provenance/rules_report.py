"""``provenance rules show`` and ``rules lint``: effective policies with origins, and rule problems."""

from __future__ import annotations

from typing import Any

from provenance.credits.policy import PolicyBook
from provenance.index.base import SourceSummary
from provenance.rules import Rules, by_line
from provenance.text.normalize import normalise_name, normalise_names


def effective_policies(rules: Rules, summaries: list[SourceSummary] | None) -> list[dict[str, Any]]:
    """Every known source (rules file and index) with its effective policy and where it came from;
    ``summaries`` None: there is no index, so no document counts (``documents`` None)."""
    indexed = summaries is not None
    summaries = summaries or []
    book = PolicyBook(rules, summaries)
    rows: list[dict[str, Any]] = []
    summary_by = {book.canonical(s.name): s for s in summaries}
    rule_by: dict[str, Any] = {}
    for rule in rules.sources:
        rule_by.setdefault(rule.name, rule)
    names = list(rule_by) + [n for n in summary_by if n not in rule_by]
    for name in names:
        rule = rule_by.get(name)
        summary = summary_by.get(name)
        if rule and rule.policy:
            policy, origin = rule.policy, rule.policy_where or rule.where
        elif summary and summary.policy:
            policy, origin = summary.policy, f"disclaimer in {summary.policy_from}"
        else:
            policy = rules.defaults.policy
            origin = rules.defaults.where.get("policy") or "built-in default"
        rows.append({
            "name": name,
            "aliases": list(rule.aliases) if rule else [],
            "url": rule.url if rule else None,
            "policy": policy,
            "policy_from": origin,
            "licensees": list(rule.licensees) if rule else [],
            "documents": (summary.documents if summary else 0) if indexed else None,
            "aggregator": bool(summary and summary.aggregator),
            "own": book.is_publisher(name),
        })
    return rows


def lint(rules: Rules, found: list[str] | None = None) -> list[str]:
    """Problems as ``file:line: message``, sorted by line: those ``found`` while resolving the
    configuration (default: the rules file's own) plus consistency checks."""
    problems = list(rules.problems if found is None else found)
    seen: dict[str, str] = {}
    everything = [name for r in rules.sources for name in (r.name, *r.aliases, *r.licensees)]
    keys = dict(zip(everything, normalise_names(everything), strict=True))
    names = {keys[r.name] for r in rules.sources}
    publisher = normalise_name(rules.publisher) if rules.publisher else None
    for rule in rules.sources:
        for alias in [rule.name, *rule.aliases]:
            key = keys[alias] if "." not in alias else alias.lower().removeprefix("www.")
            if not key:
                problems.append(f"{rule.where}: empty alias in source {rule.name!r}")
                continue
            if key in seen and seen[key] != rule.name:
                problems.append(f"{rule.where}: alias {alias!r} of {rule.name!r} also names {seen[key]!r}")
            seen[key] = rule.name
        if rule.url and not rule.url.startswith(("http://", "https://")):
            problems.append(f"{rule.where}: url of {rule.name!r} should start with http:// or https://")
        if rule.licensees and rule.policy != "no-reprint":
            problems.append(f"{rule.where}: licensees of {rule.name!r} only matter with policy = \"no-reprint\"")
        for licensee in rule.licensees:
            if keys[licensee] not in names and publisher is not None and keys[licensee] != publisher:
                problems.append(f"{rule.where}: licensee {licensee!r} of {rule.name!r} is not a known source or the "
                                "publisher")
    if rules.path and not rules.publisher:
        problems.append(f"{rules.path}:1: no 'publisher' set: the tool cannot tell your own articles ('own') apart")
    return by_line(problems, rules.path)
