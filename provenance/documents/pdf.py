"""PDF articles (``.pdf``): the text layer, page by page, put back into paragraphs.

A PDF is read with pypdf, untrusted like every article: within pypdf's own limits on inflated
streams, at most :data:`~provenance.limits.PDF_PAGES` pages and the ``text_chars`` limit of
extracted text (extraction stops there). pypdf's exceptions become the file's ``unreadable``
reason and its warnings are collected, never printed. Refused with a reason:

* ``encrypted PDF`` when a password is needed (a PDF encrypted with an empty user password, as
  files that only restrict printing or copying are, is read);
* ``PDF has no text layer (scanned image?)`` when no page holds any text: an image of a page
  has no characters to compare (OCR it first);
* a text layer whose characters mostly have no Unicode value (fonts without a ``ToUnicode``
  map): the text would be glyph numbers, not words.

Text (laid out as :mod:`provenance.documents.extracted` describes): pypdf gives each page's
lines with the position and size of their first characters (CJK text comes out as characters
through the fonts' ``ToUnicode`` maps). Lines repeated at the top or bottom of most pages —
running headers and footers — are taken out of the pages and kept once after the body; page
numbers are dropped. A page's lines are joined into paragraphs: a new paragraph starts after a
vertical gap well above the page's usual line spacing, at a change of font size or of
indentation, and after a short line that ends a sentence; a paragraph runs on across a page
break when the page's last line is full and ends mid-sentence. Lines are joined with a space,
or with nothing in CJK text. A word hyphenated across a line break loses its hyphen
only when the document spells the joined word elsewhere (or the hyphen is a soft hyphen);
otherwise the hyphen stays ("well-known", never "wellknown").

Metadata: ``/Title`` is the title unless it is a file name or a word processor's placeholder
("Microsoft Word - draft.docx"); ``/Author`` goes to ``meta["author"]``; ``published`` is
``/CreationDate`` (``/ModDate`` without one), both kept in ``meta``. Link annotations to web
addresses become the article's links.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from math import ceil, hypot
from typing import Any

from provenance.documents.extracted import (
    Extracted,
    clean_text,
    is_page_number,
    line_key,
    plausible_date,
    unusable_share,
)
from provenance.documents.model import Link
from provenance.errors import LoadError
from provenance.limits import PDF_PAGES, Limits, TooLarge

NO_TEXT_LAYER = "PDF has no text layer (scanned image?)"
ENCRYPTED = "encrypted PDF"
_EDGE = 3  # lines at the top and at the bottom of a page that may be running headers or footers
_GAP = 1.3  # a vertical gap this many times the usual line spacing starts a paragraph
_SHORT = 0.75  # a line shorter than this share of a full line, ending a sentence, ends its paragraph
_VERY_SHORT = 0.5  # a line shorter than this share of a full line ends its paragraph whatever its end
_SENTENCE_END = tuple("。！？!?.…”\"’」』》）):：;；")
_HYPHENS = ("-", "\u2010", "\u00ad")
_PLACEHOLDER_TITLE = re.compile(r"^(?:microsoft (?:word|powerpoint) - |untitled\b)|\.(?:docx?|pdf|indd|qxd|rtf|odt|"
                                r"txt|pages)$", re.I)
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class _Line:
    text: str
    x: float | None = None
    y: float | None = None
    size: float | None = None

    @property
    def width(self) -> float:
        """Length in half-em units: a CJK character counts two, any other one."""
        return float(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in self.text))


def parse_pdf(data: bytes, limits: Limits) -> Extracted:
    """The text and metadata of a PDF file (raises :class:`LoadError` or :class:`TooLarge`)."""
    if b"%PDF-" not in data[:1024]:
        raise LoadError("not a PDF file (no %PDF- header)")
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    with _collected() as notes:
        try:
            extracted = _read(data, limits)
        except (LoadError, TooLarge, RecursionError, MemoryError):
            raise
        except FileNotDecryptedError:
            raise LoadError(f"{ENCRYPTED}: a password is needed to open it") from None
        except DependencyError as exc:
            raise LoadError(f"PDF needs a package pypdf lacks to be read: {_short(exc)}") from None
        except PyPdfError as exc:
            raise LoadError(f"corrupt PDF: {_short(exc) or type(exc).__name__}") from None
        except Exception as exc:  # pypdf meets broken structure with plain exceptions as well
            raise LoadError(f"corrupt PDF: {type(exc).__name__}: {_short(exc)}") from None
    if notes:
        extracted.meta["pdf_warnings"] = notes[:5]
    return extracted


def _short(what: BaseException | str) -> str:
    """An exception's message or a warning on one line of at most 160 characters."""
    text = " ".join(str(what).split())
    return text if len(text) <= 160 else text[:160] + "…"


@contextmanager
def _collected() -> Iterator[list[str]]:
    """pypdf's warnings (the :mod:`warnings` and :mod:`logging` kinds) collected, not printed."""
    notes: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if len(notes) < 20:
                notes.append(_short(record.getMessage()))

    logger = logging.getLogger("pypdf")
    handler = _Collect(logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield notes
        notes.extend(_short(str(w.message)) for w in caught[: max(0, 20 - len(notes))])
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _read(data: bytes, limits: Limits) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    reader = PdfReader(io.BytesIO(data), strict=False)
    meta: dict[str, Any] = {}
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except DependencyError:
            raise LoadError(f"{ENCRYPTED}: its encryption needs the 'cryptography' package to read") from None
        except Exception:
            opened = 0
        if not opened:
            raise LoadError(f"{ENCRYPTED}: a password is needed to open it")
        meta["encrypted"] = True  # with an empty user password: readable by anyone
    count = len(reader.pages)
    if count > PDF_PAGES:
        raise LoadError(f"PDF of {count} pages, more than the limit of {PDF_PAGES}")
    if count == 0:
        raise LoadError("PDF has no pages")
    pages: list[list[_Line]] = []
    links: list[Link] = []
    total = 0
    for number, page in enumerate(reader.pages, start=1):
        lines = _page_lines(page)
        total += sum(len(line.text) + 1 for line in lines)
        if total > limits.text_chars:
            raise LoadError(f"text longer than the limit of {limits.text_chars} characters (extraction stopped at "
                            f"page {number} of {count}); raise [limits] text_chars in the rules file to read it")
        pages.append(lines)
        links.extend(_page_links(page))
    every = "\n".join(line.text for lines in pages for line in lines)
    if not every.strip():
        raise LoadError(NO_TEXT_LAYER)
    if unusable_share(every) > 0.5:
        raise LoadError("PDF text layer cannot be read: most of its characters have no Unicode value in their fonts "
                        "(no ToUnicode map)")
    headers, footers = _running_lines(pages)
    words = Counter(word.casefold() for word in _WORD.findall(every))
    meta["pages"] = count
    extracted = Extracted(paragraphs=_paragraphs(pages, words), headers=headers, footers=footers, links=links,
                          meta=meta)
    _metadata(reader, extracted)
    return extracted


# -- lines of a page ---------------------------------------------------------------------------

def _page_lines(page: Any) -> list[_Line]:
    """A page's lines as pypdf extracts them, each with the position and size of its first
    positioned characters (None when pypdf gives none)."""
    lines = [_Line("")]

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        for index, part in enumerate(text.split("\n")):
            if index:
                lines.append(_Line(""))
            line = lines[-1]
            if part and line.y is None and index == 0 and (tm[4] or tm[5] or cm[4] or cm[5]):
                line.x, line.y, line.size = _place(cm, tm, size)
            line.text += part

    page.extract_text(visitor_text=visit)
    out = []
    for line in lines:
        line.text = clean_text(line.text).strip()
        if line.text:
            out.append(line)
    return out


def _place(cm: Any, tm: Any, size: float) -> tuple[float, float, float]:
    """User-space position and effective font size of text drawn with matrices ``tm`` and ``cm``."""
    _, _, c, d, e, f = (float(v) for v in tm)
    ca, cb, cc, cd, ce, cf = (float(v) for v in cm)
    x = e * ca + f * cc + ce
    y = e * cb + f * cd + cf
    scale = hypot(c * ca + d * cc, c * cb + d * cd) or 1.0
    return x, y, abs(float(size or 1.0)) * scale


def _page_links(page: Any) -> list[Link]:
    links = []
    try:
        annotations = page.get("/Annots")
        annotations = annotations.get_object() if annotations is not None else []
        for reference in list(annotations)[:1000]:
            annotation = reference.get_object()
            action = annotation.get("/A")
            action = action.get_object() if action is not None else None
            if annotation.get("/Subtype") != "/Link" or not action or action.get("/S") != "/URI":
                continue
            uri = str(action.get("/URI") or "").strip()
            if uri.lower().startswith(("http://", "https://")) and len(uri) <= 2048:
                links.append(Link(text="", href=clean_text(uri)))
    except Exception:  # a broken annotation is no link; the text is what matters
        return links
    return links


# -- running headers and footers ---------------------------------------------------------------

def _edges(lines: list[_Line]) -> list[int]:
    """Indexes of the lines that may be a page's running header or footer: the first and last
    lines in reading order, and the highest and lowest on the page."""
    edges = set(range(min(_EDGE, len(lines)))) | set(range(max(0, len(lines) - _EDGE), len(lines)))
    placed = sorted((line.y, k) for k, line in enumerate(lines) if line.y is not None)
    edges.update(k for _, k in placed[:_EDGE] + placed[-_EDGE:])
    return sorted(edges)


def _at_top(lines: list[_Line], k: int) -> bool:
    """Whether line ``k`` is in the upper half of its page (by position, else by reading order)."""
    ys = [line.y for line in lines if line.y is not None]
    y = lines[k].y
    if y is not None and len(ys) > 1 and max(ys) > min(ys):
        return y > (max(ys) + min(ys)) / 2
    return k < len(lines) / 2


def _running_lines(pages: list[list[_Line]]) -> tuple[list[str], list[str]]:
    """Take running headers, footers and page numbers out of the pages (in place); the header
    and footer lines, in the order first met."""
    edges = [_edges(lines) for lines in pages]
    held: Counter[str] = Counter()
    for lines, edge in zip(pages, edges, strict=True):
        held.update({line_key(lines[k].text) for k in edge})
    need = max(2, ceil(len(pages) / 2))
    running = {key for key, count in held.items() if count >= need}
    found: dict[str, str] = {}  # key → the line as first met
    tops: Counter[str] = Counter()  # key → pages where it is in the upper half, less those in the lower
    for page, (lines, edge) in enumerate(zip(pages, edges, strict=True)):
        drop = set()
        for k in edge:
            text = lines[k].text
            key = line_key(text)
            if is_page_number(text):
                drop.add(k)
            elif key in running:
                drop.add(k)
                found.setdefault(key, text)
                tops[key] += 1 if _at_top(lines, k) else -1
        pages[page] = [line for k, line in enumerate(lines) if k not in drop]
    headers = [text for key, text in found.items() if tops[key] > 0]
    footers = [text for key, text in found.items() if tops[key] <= 0]
    return headers, footers


# -- paragraphs --------------------------------------------------------------------------------

def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _full_width(lines: list[_Line]) -> float:
    """The width of a full line on a page (its 90th percentile line width)."""
    widths = sorted(line.width for line in lines)
    return widths[min(len(widths) - 1, int(len(widths) * 0.9))] if widths else 0.0


def _same_size(a: _Line, b: _Line) -> bool:
    return bool(a.size and b.size and max(a.size, b.size) <= 1.15 * min(a.size, b.size))


def _line_spacing(lines: list[_Line]) -> dict[float, float]:
    """The usual distance between consecutive lines of one font size on a page, by size."""
    gaps: dict[float, list[float]] = {}
    for a, b in pairwise(lines):
        if a.y is not None and b.y is not None and a.y - b.y > 0 and _same_size(a, b):
            gaps.setdefault(round(b.size or 0, 1), []).append(a.y - b.y)
    return {size: statistics.median(values) for size, values in gaps.items()}


def _ends_paragraph(line: _Line, full: float) -> bool:
    """Whether a line reads as the last of its paragraph, by its length and last character."""
    if full <= 0:
        return False
    if len(line.text) >= 2 and line.text[-1] in _HYPHENS and line.text[-2].isalpha():
        return False  # a word hyphenated across the line break
    if line.width < _VERY_SHORT * full:
        return True
    return line.width < _SHORT * full and line.text.endswith(_SENTENCE_END)


def _breaks(a: _Line, b: _Line, full: float, spacing: dict[float, float], margin: float | None) -> bool:
    """Whether line ``b`` starts a new paragraph after line ``a`` on the same page."""
    if a.size and b.size and not _same_size(a, b):
        return True
    if a.y is not None and b.y is not None:
        gap = a.y - b.y
        usual = spacing.get(round(b.size or 0, 1))
        if gap <= 0 or (usual and gap > _GAP * usual):
            return True  # a new column, text out of order, or a paragraph gap
    if (margin is not None and a.x is not None and b.x is not None and b.size
            and b.x - margin > 0.8 * b.size and abs(b.x - a.x) > 0.3 * b.size):
        return True  # an indented first line
    return _ends_paragraph(a, full)


def _paragraphs(pages: list[list[_Line]], words: Counter[str]) -> list[str]:
    paragraphs: list[list[str]] = []
    previous: _Line | None = None
    previous_full = 0.0
    for lines in pages:
        full = _full_width(lines)
        spacing = _line_spacing(lines)
        xs = [line.x for line in lines if line.x is not None]
        margin = min(xs) if xs else None
        for k, line in enumerate(lines):
            if previous is None:
                paragraphs.append([line.text])
            elif k == 0:  # across a page break: only a full line ending mid-sentence runs on
                if _ends_paragraph(previous, previous_full) or previous.text.endswith(_SENTENCE_END):
                    paragraphs.append([line.text])
                else:
                    paragraphs[-1].append(line.text)
            elif _breaks(previous, line, full, spacing, margin):
                paragraphs.append([line.text])
            else:
                paragraphs[-1].append(line.text)
            previous = line
        if lines:
            previous_full = full
    return [_join(lines, words) for lines in paragraphs]


def _join(lines: list[str], words: Counter[str]) -> str:
    """The lines of one paragraph as one line of text."""
    text = lines[0]
    for line in lines[1:]:
        text = _join_two(text, line, words)
    return text


def _join_two(left: str, right: str, words: Counter[str]) -> str:
    if not left:
        return right
    last, first = left[-1], right[0]
    if last in _HYPHENS and len(left) >= 2 and left[-2].isalpha() and first.isalpha() and first.islower():
        head = _WORD.findall(left[:-1])
        tail = _WORD.match(right)
        if last == "\u00ad" or (head and tail and words[(head[-1] + tail.group()).casefold()] > 0):
            return left[:-1] + right  # a word broken at a hyphenation point
        return left + right  # a hyphenated compound ("well-known")
    if last == "\u00ad":
        return left[:-1] + right
    if _wide(last) or _wide(first) or _mostly_wide(left[-12:] + right[:12]):
        return left + right  # CJK text has no spaces at line ends, even between digits ("5月1" "9日")
    return left + " " + right


def _mostly_wide(text: str) -> bool:
    visible = [ch for ch in text if not ch.isspace()]
    return bool(visible) and sum(map(_wide, visible)) * 2 >= len(visible)


# -- metadata ----------------------------------------------------------------------------------

def _metadata(reader: Any, extracted: Extracted) -> None:
    try:
        info = reader.metadata
    except Exception:  # a broken /Info dictionary is no metadata
        return
    if info is None:
        return

    def text(name: str) -> str:
        try:
            value = getattr(info, name)
        except Exception:
            return ""
        return " ".join(clean_text(str(value)).split()) if value else ""

    title = text("title")
    if title and not _PLACEHOLDER_TITLE.search(title):
        extracted.title = title
    for name, key in (("author", "author"), ("subject", "subject"), ("creator", "creator"), ("producer", "producer")):
        value = text(name)
        if value:
            extracted.meta[key] = value[:200]
    dates = {}
    for name, key in (("creation_date", "created"), ("modification_date", "modified")):
        try:
            value = getattr(info, name)
        except Exception:  # a date pypdf cannot parse is no date
            value = None
        value = plausible_date(value)
        if value is not None:
            dates[key] = value
            extracted.meta[key] = value.isoformat()
    extracted.published = dates.get("created") or dates.get("modified")
