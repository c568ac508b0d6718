"""The Article model: one text as loaded, with its metadata, or the reason it could not be loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any


@dataclass
class Link:
    """A hyperlink found in an HTML article (its text and target)."""

    text: str
    href: str


@dataclass
class Article:
    """One article: ``text`` is the text as loaded; every offset in a report points into it."""

    id: str
    path: str
    text: str = ""
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: datetime | None = None
    publisher: str | None = None
    license: str | None = None
    format: str = "txt"
    encoding: str | None = None
    links: list[Link] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def readable(self) -> bool:
        return self.error is None

    def published_iso(self) -> str | None:
        return self.published.isoformat() if self.published else None


def parse_published(value: Any) -> datetime | None:
    """Parse an ISO 8601 date or date-time (naive values are taken as UTC); None if unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            try:
                dt = datetime.fromisoformat(text.replace(" ", "T", 1))
            except ValueError:
                return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt
