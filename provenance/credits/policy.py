"""Effective policy of a corpus document: rules file, its own disclaimer, its source's disclaimers, defaults.

Precedence (DESIGN §4): a policy in the rules file wins; otherwise a disclaimer in the document
itself; otherwise a disclaimer found in other documents of the same source; otherwise
``[defaults]``. Every policy says where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provenance.credits.names import NameRegistry
from provenance.credits.wires import register_wires
from provenance.index.base import SourceSummary, StoredDoc
from provenance.rules import Rules, SourceRule


@dataclass
class Policy:
    source: str | None
    policy: str
    policy_from: str
    excerpt_max: float
    min_passage: int
    no_edits: bool = False
    licensees: list[str] = field(default_factory=list)
    url: str | None = None
    aggregator: bool = False


class PolicyBook:
    """Policies and names of every known source: rules file + what the index says."""

    def __init__(self, rules: Rules, summaries: list[SourceSummary]) -> None:
        self.rules = rules
        self.registry = NameRegistry()
        self._rules_by_name: dict[str, SourceRule] = {}
        self.registry.add_many((rule.name, rule.aliases, rule.url) for rule in rules.sources)
        register_wires(self.registry)  # after the rules: a source of a wire's name extends the wire
        for rule in rules.sources:
            self._rules_by_name[rule.name] = rule
        self._summaries: dict[str, SourceSummary] = {}
        for summary in summaries:
            canonical = self.registry.resolve(summary.name)
            if canonical is None:
                self.registry.add(summary.name, [], f"http://{summary.domain}/" if summary.domain else None)
                canonical = summary.name
            elif summary.domain and not self.registry.resolve_domain(summary.domain):
                self.registry.add(canonical, [summary.domain])
            self._summaries[canonical] = summary
        if rules.publisher and not self.registry.resolve(rules.publisher):
            self.registry.add(rules.publisher, rules.publisher_aliases)

    def canonical(self, name: str | None) -> str | None:
        if not name:
            return None
        return self.registry.resolve(name) or name

    def is_publisher(self, name: str | None) -> bool:
        publisher = self.rules.publisher
        if not publisher or not name:
            return False
        return self.registry.same(name, publisher) or self.registry.key(name) == self.registry.key(publisher)

    def is_licensee(self, policy: Policy) -> bool:
        """The publisher is named among the source's licensees, or subscribes to the source."""
        publisher = self.rules.publisher
        if publisher and any(self.registry.same(name, publisher) or self.registry.key(name) == self.registry.key(
                publisher) for name in policy.licensees):
            return True
        return bool(policy.source) and any(self.registry.same(name, policy.source) for name in self.rules.subscriptions)

    def min_passage(self, source: str | None) -> int:
        rule = self._rules_by_name.get(self.canonical(source) or "")
        if rule and rule.min_passage is not None:
            return rule.min_passage
        return self.rules.defaults.min_passage

    def for_outlet(self, outlet: str) -> Policy:
        """Policy of an outlet known only by name (e.g. credited by a corpus reprint)."""
        return self.for_document(StoredDoc(
            rowid=0, id="", path="", text="", title=None, source=outlet, url=None, published=None, publisher=None,
            license=None, language=None, simhash=0, shingle_count=0, policy=None, policy_from=None,
            no_edits=False, aggregator=False, claims=[]))

    def for_external(self, outlet: str, via: StoredDoc) -> Policy:
        """Policy of an outlet outside the corpus (a wire) whose text a corpus copy carries: the
        rules file's, else the one its own notice in that copy states, else the defaults."""
        notice = next((c for c in via.claims if c.get("kind") == "notice" and c.get("policy")
                       and self.registry.same(c.get("resolved") or c.get("name"), outlet)), None)
        return self.for_document(StoredDoc(
            rowid=0, id=via.id, path="", text="", title=None, source=outlet, url=None, published=None,
            publisher=None, license=None, language=None, simhash=0, shingle_count=0,
            policy=notice.get("policy") if notice else None,
            policy_from=notice.get("policy_from") or notice.get("text") if notice else None,
            no_edits=False, aggregator=False, claims=[]))

    def for_document(self, doc: StoredDoc) -> Policy:
        defaults = self.rules.defaults
        name = self.canonical(doc.source)
        rule = self._rules_by_name.get(name or "")
        summary = self._summaries.get(name or "")
        excerpt_max = rule.excerpt_max if rule and rule.excerpt_max is not None else defaults.excerpt_max
        min_passage = rule.min_passage if rule and rule.min_passage is not None else defaults.min_passage
        licensees = list(rule.licensees) if rule else []
        url = rule.url if rule and rule.url else doc.url
        aggregator = bool(doc.aggregator or (summary and summary.aggregator))
        no_edits = bool(rule.no_edits) if rule and rule.no_edits is not None else bool(
            doc.no_edits or (summary and summary.no_edits) or defaults.no_edits)
        if rule and rule.policy:
            return Policy(name, rule.policy, rule.policy_where or rule.where, excerpt_max, min_passage, no_edits,
                          licensees, url, aggregator)
        if doc.policy:
            return Policy(name, doc.policy, f"disclaimer in {doc.id}: “{doc.policy_from}”", excerpt_max,
                          min_passage, no_edits, licensees, url, aggregator)
        if summary and summary.policy:
            return Policy(name, summary.policy, f"disclaimer in {summary.policy_from}",
                          excerpt_max, min_passage, no_edits, licensees, url, aggregator)
        where = defaults.where.get("policy") or (f"{self.rules.path}: [defaults]" if self.rules.path else "built-in default")
        return Policy(name, defaults.policy, where, excerpt_max, min_passage, no_edits, licensees, url, aggregator)
