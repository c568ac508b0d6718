"""Text extracted from a binary document (``.docx``, ``.pdf``): what the format readers hand the loaders.

A Word or PDF file has no text of its own that a report could point into, so its *extracted* text
is the article's loaded text: every offset in a report (passages, credits, boilerplate, SARIF
lines and columns) counts characters of it. :class:`Extracted` fixes how that text is laid out,
the same for both formats:

* the body first, one paragraph (a Word paragraph, a table cell's paragraph, a paragraph of a
  PDF page put back together from its lines) after another, separated by a blank line;
* then the page furniture, each distinct line once: page headers, then page footers (Word's
  headers and footers; lines a PDF repeats at the top or bottom of most of its pages). Page
  numbers ("3", "- 3 -", "Page 3 of 7", "第3页 共7页") are dropped.

The furniture goes after the body, not where a page shows it, so that it never splits a
paragraph that runs across a page break nor comes before the headline and the dateline, where
credits such as ``(Northgate Press) -`` are read. It is kept rather than dropped because a credit
printed in a footer is a credit ("Source: Northgate Press" on every page), and the boilerplate
machinery knows what to do with the rest: notices (``© … All rights reserved``) and date lines
are boilerplate blocks by their wording, and lines repeated across a source's documents in the
corpus are that source's chrome (:mod:`provenance.text.chrome`). The lines are also kept in
``meta["page_headers"]`` and ``meta["page_footers"]``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from provenance.documents.model import Link

PARAGRAPH_BREAK = "\n\n"

# A page number line, digits already replaced by "#" and case folded.
_PAGE_NUMBER = re.compile(
    r"^[-–—·•|\s]*(?:(?:page|pg\.?|p\.)\s*)?#+(?:\s*(?:of|/|／)\s*#+)?[-–—·•|\s]*$"
    r"|^第\s*#+\s*页(?:\s*[,，/／|]?\s*共\s*#+\s*页)?$"
    r"|^共\s*#+\s*页\s*[,，/／|]?\s*第\s*#+\s*页$"
)
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
# The earliest date a Word or PDF file can really carry; earlier ones are defaults of broken
# writers (1601-01-01, 1899-12-30, 1970-01-01) and are ignored.
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


def line_key(line: str) -> str:
    """A line as furniture is compared: digits as ``#``, white space collapsed, case folded."""
    return _SPACES.sub(" ", _DIGITS.sub("#", line)).strip().casefold()


def is_page_number(line: str) -> bool:
    """Whether a header or footer line is only a page number ("7", "Page 7 of 9", "第7页")."""
    key = line_key(line)
    return bool(key) and _PAGE_NUMBER.match(key) is not None


def plausible_date(value: datetime | None) -> datetime | None:
    """A document date as a time-zone-aware datetime, or None when there is none or it is a
    writer's default (before 1990)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value if value >= _EARLIEST else None


# Characters no text layer should hold: C0/C1 controls other than tab and line breaks, and lone
# surrogates (a broken UTF-16 map), which no report could be written in.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Extracted text without control characters and lone surrogates (a lone surrogate becomes
    U+FFFD, a control character is dropped), carriage returns as line feeds."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNWANTED.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else "", text)


def unusable_share(text: str) -> float:
    """Share of the visible characters that are U+FFFD or private-use code points: glyphs the
    file gives no Unicode value for."""
    visible = [ch for ch in text if not ch.isspace()]
    if not visible:
        return 0.0
    bad = sum(1 for ch in visible if ch == "\ufffd" or unicodedata.category(ch) == "Co")
    return bad / len(visible)


def _distinct(lines: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for line in lines:
        line = line.strip()
        key = line_key(line)
        if not key or key in seen or is_page_number(line):
            continue
        seen.add(key)
        out.append(line)
    return out


@dataclass
class Extracted:
    """A document's text as extracted, with its metadata (see the module docstring for the layout)."""

    paragraphs: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    footers: list[str] = field(default_factory=list)
    title: str | None = None
    published: datetime | None = None
    links: list[Link] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def furniture(self) -> tuple[list[str], list[str]]:
        """The header and footer lines as the text holds them: each once, page numbers dropped."""
        headers = _distinct(self.headers)
        keys = {line_key(line) for line in headers}
        footers = [line for line in _distinct(self.footers) if line_key(line) not in keys]
        return headers, footers

    def text(self) -> str:
        body = PARAGRAPH_BREAK.join(p for p in (p.strip("\n") for p in self.paragraphs) if p.strip())
        headers, footers = self.furniture()
        furniture = "\n".join(headers + footers)
        if body and furniture:
            return body + PARAGRAPH_BREAK + furniture
        return body or furniture

    def fields(self) -> dict[str, Any]:
        """The metadata as the loaders apply it: ``title``, ``published`` and the ``meta`` entries."""
        headers, footers = self.furniture()
        meta = dict(self.meta)
        if headers:
            meta["page_headers"] = headers
        if footers:
            meta["page_footers"] = footers
        return {"title": self.title, "published": plausible_date(self.published), "meta": meta}
