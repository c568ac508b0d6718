"""Word documents (``.docx``): body text, page headers and footers, and core properties.

A ``.docx`` file is a zip archive of XML parts, untrusted like every article, so the archive is
checked before python-docx opens it: it must be a zip (an encrypted Word file is an OLE compound
file instead, and is refused as such), hold at most :data:`~provenance.limits.ZIP_ENTRIES`
entries, none of them encrypted, and expand to no more than the ``decompressed_bytes`` limit in
all (the sizes a zip declares are the most :mod:`zipfile` ever inflates an entry to, so summing
them bounds what parsing can take). XML is parsed by python-docx's parser, which resolves no
entities.

The text (laid out as :mod:`provenance.documents.extracted` describes) is read from the XML in
document order:

* the body's paragraphs, with the text of content controls, smart tags and tracked insertions
  (tracked deletions are not text); a table's cells give their paragraphs in row order, nested
  tables included, a merged cell once; line breaks inside a paragraph stay line breaks;
* the headers and footers of every section (default, first-page and even-page), each line once;
* not read: text boxes and shapes, footnotes, endnotes and comments.

Hyperlinks (``w:hyperlink`` and ``HYPERLINK`` fields) become the article's links, read for credits
as an HTML page's are. Core properties: ``title`` is the article's title; ``creator`` is a person,
not the source, and goes to ``meta["author"]``; ``published`` is the ``created`` date (the
earliest moment this file held the text; ``modified`` changes with every save, so a corrected typo
would make an original look younger than its copies), or ``modified`` when there is no
``created``. Both dates are kept in ``meta`` as ISO 8601 text.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from provenance.documents.extracted import Extracted, clean_text, plausible_date
from provenance.documents.model import Link
from provenance.errors import LoadError
from provenance.limits import ZIP_ENTRIES, Limits, TooLarge, describe

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: an encrypted .docx or a .doc
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

# Elements a paragraph's text never comes from: deleted text, drawings and text boxes (their
# paragraphs are not this one's), field instructions, properties.
_SKIPPED = frozenset({
    f"{_W}del", f"{_W}moveFrom", f"{_W}delText", f"{_W}instrText", f"{_W}drawing", f"{_W}pict", f"{_W}object",
    f"{_W}pPr", f"{_W}rPr", f"{_W}fldData", f"{_MC}AlternateContent", f"{_W}footnoteReference",
    f"{_W}endnoteReference", f"{_W}commentReference",
})
_TEXT = f"{_W}t"
_TABS = frozenset({f"{_W}tab", f"{_W}ptab"})
_BREAKS = frozenset({f"{_W}br", f"{_W}cr"})
_HYPHEN = f"{_W}noBreakHyphen"
_HYPERLINK = f"{_W}hyperlink"
_FIELD_URL = re.compile(r'HYPERLINK\s+"(https?://[^"\s]+)"', re.I)
# Block-level containers whose children are paragraphs and tables of the same story.
_CONTAINERS = frozenset({f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins", f"{_W}moveTo",
                         f"{_W}smartTag"})
_CONTENT_TYPE = re.compile(r"content type is '([^']{1,200})'")
_PARAGRAPH = f"{_W}p"
_TABLE = f"{_W}tbl"


def check_archive(data: bytes, limits: Limits) -> None:
    """Refuse what python-docx must not open: not a zip, an encrypted document, too many entries
    or too many bytes once inflated (:class:`LoadError`, :class:`TooLarge`)."""
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise LoadError("encrypted Word document (password-protected): save it without a password to check it")
        raise LoadError("not a .docx file but an older Word (.doc) or other OLE file: save it as .docx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise LoadError(f"corrupt .docx: not a valid zip archive ({exc})") from None
    except (ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise LoadError(f"corrupt .docx: unreadable zip archive ({exc})") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > ZIP_ENTRIES:
            raise LoadError(f"corrupt or hostile .docx: {len(entries)} zip entries, more than the limit of {ZIP_ENTRIES}")
        if any(entry.flag_bits & 0x1 for entry in entries):
            raise LoadError("encrypted .docx: its zip entries are encrypted")
        total = sum(entry.file_size for entry in entries)
        if total > limits.decompressed_bytes:
            raise TooLarge(f"{describe(total)} in its zip entries, more than the limit of "
                           f"{describe(limits.decompressed_bytes)}; raise [limits] "
                           "decompressed_bytes in the rules file to read it")


def parse_docx(data: bytes, limits: Limits) -> Extracted:
    """The text and metadata of a ``.docx`` file (raises :class:`LoadError` or :class:`TooLarge`)."""
    check_archive(data, limits)
    import docx  # imported on first use: runs without Word files never pay for it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except PackageNotFoundError:
        raise LoadError("corrupt .docx: not a Word package (no main document part)") from None
    except zipfile.BadZipFile as exc:
        raise LoadError(f"corrupt .docx: {exc}") from None
    except KeyError as exc:
        raise LoadError(f"corrupt .docx: a part is missing ({_short(exc)})") from None
    except ValueError as exc:  # e.g. the main part of a spreadsheet or a macro-enabled .docm
        kind = _CONTENT_TYPE.search(str(exc))
        if kind:
            raise LoadError(f"not a Word document (.docx): its main part is {kind.group(1)}") from None
        raise LoadError(f"corrupt .docx: {_short(exc)}") from None
    except (RecursionError, MemoryError):
        raise  # the loaders name these
    except Exception as exc:  # lxml's XMLSyntaxError, zlib's errors and the like: the archive is damaged
        raise LoadError(f"corrupt .docx: {type(exc).__name__}: {_short(exc)}") from None
    part = document.part
    reader = _Reader(part)
    paragraphs = list(reader.blocks(document.element.body))
    headers: list[str] = []
    footers: list[str] = []
    for kind, story in _header_footer_parts(part):
        story_reader = _Reader(story)
        lines = [line for block in story_reader.blocks(story.element) for line in block.split("\n")]
        (headers if kind == "header" else footers).extend(lines)
        reader.links.extend(story_reader.links)
    extracted = Extracted(paragraphs=paragraphs, headers=headers, footers=footers, links=reader.links)
    _core_properties(document, extracted)
    return extracted


def _short(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ")
    return text if len(text) <= 160 else text[:160] + "…"


class _Reader:
    """Paragraph texts of one story (the body, a header, a footer) and the links in it."""

    def __init__(self, part: Any) -> None:
        self.part = part
        self.links: list[Link] = []

    def blocks(self, container: Any) -> Iterator[str]:
        """Paragraph texts of a container in document order (tables cell by cell)."""
        for child in container:
            tag = child.tag
            if tag == _PARAGRAPH:
                text = clean_text(self.paragraph(child)).strip()
                if text:
                    yield text
            elif tag == _TABLE:
                for row in child.iterchildren(f"{_W}tr"):
                    for cell in row.iterchildren(f"{_W}tc"):
                        yield from self.blocks(cell)
            elif tag in _CONTAINERS:
                yield from self.blocks(child)

    def paragraph(self, element: Any) -> str:
        pieces: list[str] = []
        self._text(element, pieces)
        return "".join(pieces)

    def _text(self, element: Any, pieces: list[str]) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                continue  # comments and processing instructions have no string tag
            if tag == _TEXT:
                pieces.append(child.text or "")
            elif tag in _TABS:
                pieces.append("\t")
            elif tag in _BREAKS:
                pieces.append("\n")
            elif tag == _HYPHEN:
                pieces.append("-")
            elif tag == _HYPERLINK:
                inner: list[str] = []
                self._text(child, inner)
                self._hyperlink(child, "".join(inner))
                pieces.extend(inner)
            else:
                self._text(child, pieces)
        for instruction in element.iterchildren(f"{_W}instrText"):
            self._field(instruction.text or "")
        if element.tag == f"{_W}fldSimple":
            self._field(element.get(f"{_W}instr") or "")

    def _hyperlink(self, element: Any, text: str) -> None:
        target = _external_target(self.part, element.get(f"{_R}id"))
        if target:
            self.links.append(Link(text=" ".join(text.split()), href=target))

    def _field(self, instruction: str) -> None:
        for match in _FIELD_URL.finditer(instruction):
            self.links.append(Link(text="", href=match.group(1)))


def _external_target(part: Any, rel_id: str | None) -> str | None:
    if not rel_id:
        return None
    rel = part.rels.get(rel_id)
    if rel is None or not rel.is_external:
        return None
    target = str(rel.target_ref).strip()
    return target if target.lower().startswith(("http://", "https://")) else None


def _header_footer_parts(part: Any) -> Iterator[tuple[str, Any]]:
    """The header and footer parts of every section, in the order the sections refer to them
    (each part once)."""
    seen: set[int] = set()
    body = part.element.body
    for reference in body.iter(f"{_W}headerReference", f"{_W}footerReference"):
        rel = part.rels.get(reference.get(f"{_R}id") or "")
        if rel is None or rel.is_external:
            continue
        story = rel.target_part
        if id(story) in seen or getattr(story, "element", None) is None:
            continue
        seen.add(id(story))
        yield ("header" if reference.tag == f"{_W}headerReference" else "footer"), story


def _core_properties(document: Any, extracted: Extracted) -> None:
    """Title, author and dates from ``docProps/core.xml``; nothing when the file has none
    (python-docx would make up a default part, titled "Word Document" and modified now)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    package = document.part.package
    if not any(rel.reltype == RT.CORE_PROPERTIES for rel in package.rels.values()):
        return
    properties = document.core_properties
    meta = extracted.meta

    def text(name: str) -> str:
        try:
            value = getattr(properties, name)
        except Exception:  # a malformed property is no property
            return ""
        return " ".join(clean_text(value).split()) if isinstance(value, str) else ""

    title = text("title")
    extracted.title = title or None
    for name, key in (("author", "author"), ("subject", "subject"), ("keywords", "keywords"),
                      ("last_modified_by", "last_modified_by")):
        value = text(name)
        if value:
            meta[key] = value
    dates = {}
    for name in ("created", "modified"):
        try:
            value = plausible_date(getattr(properties, name))
        except Exception:
            value = None
        if value is not None:
            dates[name] = value
            meta[name] = value.isoformat()
    extracted.published = dates.get("created") or dates.get("modified")
