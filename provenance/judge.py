"""Judging a group of copies into a verdict with a message a person can act on (DESIGN §5)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from provenance.analysis import Analysis
from provenance.credits.claims import Claim
from provenance.credits.policy import Policy, PolicyBook
from provenance.match import Group, Match
from provenance.verdicts import (
    ATTRIBUTED,
    EXCERPT,
    MISATTRIBUTED,
    OWN,
    PERMITTED,
    PROHIBITED,
    UNATTRIBUTED,
)

REPUBLICATION_SHARE = 0.5  # an article that is mostly (≥ 50 %) the source republishes it


@dataclass
class Judgement:
    verdict: str
    kind: str
    policy: Policy
    message: str
    rule: str  # which rule decided, for `explain`
    satisfied_by: Claim | None = None
    outlet: str | None = None  # the original outlet (None when unknown)
    origin: Origin | None = None


def _title(match: Match) -> str:
    title = match.doc.title or match.doc.id
    return f"“{title}”"


def _date(match: Match) -> str:
    return match.published.date().isoformat() if match.published else "undated"


def _credits(match: Match, book: PolicyBook, target: str | None, chain: list[Match] | None = None,
             seen: set[str] | None = None) -> bool:
    """Does a corpus copy's own credit name ``target``, or another copy of the ``chain`` that
    (in turn) credits it? A wire story reaches a publisher through two or three outlets."""
    seen = set() if seen is None else seen
    seen.add(match.doc.id)
    for claim in match.doc.claims:
        credited = claim.get("resolved") or claim.get("name")
        if book.registry.same(credited, target):
            return True
        for other in chain or []:
            if (other.doc.id not in seen and other.doc.source and book.registry.same(credited, other.doc.source)
                    and _credits(other, book, target, chain, seen)):
                return True
    return False


def group_kind(analysis: Analysis, group: Group, policy: Policy) -> str:
    tokens = max(1, len(analysis.tokens))
    cover = np.zeros(len(analysis.tokens), dtype=bool)
    for member in group.members:
        cover |= member.cover
    share = float(cover.sum()) / tokens
    best_containment = max(m.scores.containment for m in group.members)
    coverage = max(m.scores.source_coverage for m in group.members)
    if share >= REPUBLICATION_SHARE or best_containment >= REPUBLICATION_SHARE or coverage >= policy.excerpt_max:
        return "republication"
    return EXCERPT


@dataclass
class Origin:
    """Who the text belongs to: the earliest corpus copy's outlet, or the outlet that copy credits."""

    outlet: str | None
    policy: Policy
    via: Match | None = None  # the corpus copy that credits the outlet (an intermediate)
    note: str = ""
    external: bool = False  # the outlet has no copy of this text in the corpus (a wire, an agency…)


# Kinds of credit that state where a text comes from, for claims stored before the claims said so
# themselves (``origin``); a dateline then counts only in the first lines (see _origin_credits).
_CREDIT_KINDS = ("explicit", "link", "dateline", "meta", "byline", "trailer", "notice", "provider")
_LEAD_LINES = 3


def _origin_credits(match: Match, book: PolicyBook, site: str) -> list[str]:
    """The outlets a corpus copy's own credits name as its text's origin (itself left out)."""
    names: list[str] = []
    for claim in match.doc.claims:
        origin = claim.get("origin")
        if origin is None:
            kind = claim.get("kind")
            origin = kind in _CREDIT_KINDS and (kind != "dateline" or (claim.get("line") or 0) < _LEAD_LINES)
        credited = book.canonical(claim.get("resolved") or claim.get("name")) if origin else None
        if credited and not book.registry.same(credited, site) and credited not in names:
            names.append(credited)
    return names


def origin_of(group: Group, book: PolicyBook) -> Origin:
    """The original behind a group of copies (DESIGN §5).

    It is the earliest corpus copy, unless that copy credits another outlet as its text's origin
    (a wire's dateline or byline, a credit line, the wire's own notice): then the original is that
    outlet — its own corpus copy when the group holds one, else an external original reached
    through the crediting copy. A copy on an aggregator site — one whose notice says its unmarked
    articles are reprinted from other media — is never the original while another copy exists;
    when only such copies exist and none credits an outlet, the original is unknown.
    """
    own_copies = [m for m in group.chain if not _aggregated(m, book)]
    first = (own_copies or group.chain)[0]
    site = book.canonical(first.doc.source) or first.doc.source or first.doc.id
    credited = _origin_credits(first, book, site)
    if credited:
        target = credited[0]
        carried = next((m for m in group.chain if m.doc.source and book.registry.same(m.doc.source, target)), None)
        if carried is not None:
            group.original = carried
            return Origin(book.canonical(carried.doc.source) or carried.doc.source, book.for_document(carried.doc))
        group.original = first
        return Origin(target, book.for_external(target, first.doc), via=first, external=True)
    group.original = first
    if own_copies:
        return Origin(site, book.for_document(first.doc))
    unknown = book.for_outlet("")
    unknown.aggregator = True
    unknown.policy_from = (f"{site} states that its unmarked articles are reprinted from other media; the original "
                           f"outlet is unknown, so {unknown.policy_from} applies")
    return Origin(None, unknown, note=f" (found on {site}, which reprints other media)")


def _aggregated(match: Match, book: PolicyBook) -> bool:
    """A copy on an aggregator site that does not mark the article as the site's own."""
    doc = match.doc
    if book.is_publisher(doc.source) or not book.for_document(doc).aggregator:
        return False
    marks_own = any(book.registry.same(c.get("resolved") or c.get("name"), doc.source) for c in doc.claims)
    return not marks_own


def judge_group(analysis: Analysis, group: Group, book: PolicyBook, other_originals: set[str]) -> Judgement:
    origin = origin_of(group, book)
    judgement = _judge(analysis, group, book, other_originals, origin)
    judgement.outlet = origin.outlet
    judgement.origin = origin
    return judgement


def _judge(analysis: Analysis, group: Group, book: PolicyBook, other_originals: set[str], origin: Origin) -> Judgement:
    original = group.original
    policy = origin.policy
    name = origin.outlet or "an unknown outlet"
    kind = group_kind(analysis, group, policy)
    title, date = _title(original), _date(original) + origin.note
    if origin.external:  # "Associated Press's story “…” (via nytimes.com h12, 2018-07-15)"
        via = original.doc
        title, date = f"story {title}", f"via {book.canonical(via.source) or via.source} {via.id}, {_date(original)}"
    if book.is_publisher(origin.outlet):
        return Judgement(OWN, kind, policy, f"Reuses {name}'s own article {title} ({date}): the publisher's own text.",
                         "own source")
    if kind == EXCERPT:
        pct = round(100 * max(m.scores.source_coverage for m in group.members))
        return Judgement(
            EXCERPT, kind, policy,
            f"Quotes about {pct}% of {name}'s {title} ({date}), below the excerpt allowance of "
            f"{round(100 * policy.excerpt_max)}%.", "excerpt_max",
        )
    target = origin.outlet
    own = own_sites(analysis)
    claims = [c for c in analysis.attribution.claims
              if book.registry.same(c.resolved or c.name, target) or not _names_self(c, own, book)]
    satisfied: Claim | None = None
    via: Match | None = None
    for claim in claims:
        credited = claim.resolved or claim.name
        if target and book.registry.same(credited, target):
            satisfied = claim
            break
    if satisfied is None and target:
        intermediates = [m for m in group.chain if m is not group.original or origin.via is not None]
        for claim in claims:
            credited = claim.resolved or claim.name
            for member in intermediates:
                if book.registry.same(credited, member.doc.source) and _credits(member, book, target, group.chain):
                    satisfied, via = claim, member
                    break
            if satisfied:
                break
    link = any(
        c.is_link and (book.registry.same(c.resolved, target) or (via is not None and book.registry.same(
            c.resolved, via.doc.source)))
        for c in claims
    )
    relevant = [c for c in claims if not any(book.registry.same(c.resolved or c.name, o) for o in other_originals)]
    wrong = [c for c in relevant if c is not satisfied]
    policy_text = f"{policy.policy} ({policy.policy_from})"
    credit_hint = f"add a credit line such as “来源：{name}”" if _is_cjk(name) else f"add a credit such as “Source: {name}”"
    if policy.policy == "no-reprint" and not book.is_licensee(policy):
        return Judgement(
            PROHIBITED, kind, policy,
            f"Republishes {name}'s {title} ({date}), which forbids republication [{policy_text}]; the publisher "
            "is not a licensee: remove the copied text or obtain permission.",
            "no-reprint and not a licensee", satisfied,
        )
    effective = "attribution-required" if policy.policy == "no-reprint" else policy.policy
    if satisfied is not None:
        if effective == "attribution-and-link" and not link:
            return Judgement(
                UNATTRIBUTED, kind, policy,
                f"Credits {name} but without a link to its site; {name}'s {title} ({date}) requires attribution "
                f"and a link [{policy_text}]: add the original's URL{' ' + policy.url if policy.url else ''}.",
                "attribution-and-link needs a link", satisfied,
            )
        if policy.no_edits and _edited(group):
            return Judgement(
                PROHIBITED, kind, policy,
                f"Republishes an edited version of {name}'s {title} ({date}), whose licence allows no "
                f"derivatives [{policy_text}]: publish it unchanged or not at all.", "no edits", satisfied,
            )
        if via is not None:
            message = (f"Republishes {name}'s {title} ({date}) crediting {via.doc.source}, whose reprint credits "
                       f"{name}: that satisfies its {policy.policy} policy.")
        else:
            message = f"Republishes {name}'s {title} ({date}) with a credit that satisfies its {policy.policy} policy."
        return Judgement(ATTRIBUTED, kind, policy, message, "credit satisfies the policy", satisfied)
    if wrong:
        credited = ", ".join(sorted({c.resolved or c.name for c in wrong}))
        return Judgement(
            MISATTRIBUTED, kind, policy,
            f"Credits {credited}, but the text is {name}'s {title} ({date}) [{policy_text}]: credit {name} instead.",
            "credit names another source",
        )
    if effective == "free":
        return Judgement(PERMITTED, kind, policy,
                         f"Republishes {name}'s {title} ({date}); the source is free to republish [{policy_text}].",
                         "free source")
    return Judgement(
        UNATTRIBUTED, kind, policy,
        f"Republishes {name}'s {title} ({date}) without naming the source{_own_labels(analysis, claims)}, which "
        "requires attribution "
        f"[{policy_text}]: {credit_hint}"
        + (f" with a link to {policy.url}." if effective == "attribution-and-link" and policy.url else "."),
        "attribution required, none found",
    )


def own_sites(analysis: Analysis) -> list[str]:
    """The sites an article says it is on: its ``source`` and ``publisher``, the page's
    ``og:site_name`` and its URL's host."""
    article = analysis.article
    names = [article.source, article.publisher, article.meta.get("site_name"), article.url]
    return [name for name in names if isinstance(name, str) and name.strip()]


def _names_self(claim: Claim, own: list[str], book: PolicyBook) -> bool:
    """A claim naming the publisher or the article's own site ("Yahoo View •" on a yahoo.com page)
    labels the page; it credits no one else."""
    credited = claim.resolved or claim.name
    return book.is_publisher(credited) or any(book.registry.names_site(credited, site) for site in own)


def _own_labels(analysis: Analysis, kept: list[Claim]) -> str:
    """" (“Yahoo View” is the article's own label, not a credit)" for the claims set aside as naming
    the publisher or the article's own site."""
    names = sorted({c.name for c in analysis.attribution.claims if c not in kept})
    if not names:
        return ""
    return f" ({', '.join(f'“{n}”' for n in names)} {'is' if len(names) == 1 else 'are'} the article's own label, not a credit)"


def _edited(group: Group) -> bool:
    """The original's text did not reach the article whole and unchanged (added framing is no edit)."""
    match = group.original
    if match.scores.source_coverage < 0.95:
        return True
    return any(p.identical < 0.98 for p in match.passages)


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
