"""The report model: what a scan found, in the shape of the ``provenance-report/1`` contract."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from provenance import __version__
from provenance.verdicts import FAIL_ON, SEVERITY, SEVERITY_RANK

if TYPE_CHECKING:
    from provenance.documents.walk import Skipped

SCHEMA = "provenance-report/1"


@dataclass
class Item:
    """One scanned article (or unreadable file)."""

    path: str
    id: str
    verdict: str
    message: str
    language: str | None = None
    source: dict[str, Any] | None = None
    chain: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    matches: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    boilerplate: list[dict[str, Any]] = field(default_factory=list)
    rule: str | None = None
    text: str | None = None  # the loaded text, for formatters that show it (html, sarif)
    # Matched corpus documents' loaded texts by id, for side-by-side views; not part of the JSON.
    source_texts: dict[str, str] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return SEVERITY[self.verdict]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path, "id": self.id, "language": self.language, "verdict": self.verdict,
            "severity": self.severity, "message": self.message,
        }
        if self.source is not None:
            out["source"] = self.source
        out["chain"] = self.chain
        out["attribution"] = {"claims": self.claims}
        if self.people:
            out["attribution"]["people"] = self.people
        out["matches"] = self.matches
        return out


@dataclass
class Report:
    items: list[Item]
    index: dict[str, Any]
    fail_on: str = "error"
    # Files the run did not open (FIFOs, devices, links outside the scanned folders): stderr lines.
    skipped: list[Skipped] = field(default_factory=list)
    unused_includes: list[str] = field(default_factory=list)  # include globs that matched no file
    exit_zero: bool = False  # --exit-zero: findings are reported, the run still exits 0

    def by_verdict(self) -> dict[str, int]:
        return dict(sorted(Counter(item.verdict for item in self.items).items()))

    @property
    def failed(self) -> bool:
        """A finding reaches ``fail_on``."""
        threshold = FAIL_ON[self.fail_on]
        return any(SEVERITY_RANK[item.severity] >= threshold for item in self.items)

    @property
    def exit_code(self) -> int:
        """The process's exit code for this report (what every format prints)."""
        return 1 if self.failed and not self.exit_zero else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "tool": {"name": "provenance", "version": __version__},
            "index": self.index,
            "summary": {"scanned": len(self.items), "by_verdict": self.by_verdict(), "exit_code": self.exit_code},
            "items": [item.to_dict() for item in self.items],
        }
