"""Word (.docx) and PDF articles: extracted text, metadata, page furniture, hostile files, corpus
documents, and the sample sources' .docx/.pdf copies scanned end to end.

The fixtures in ``tests/fixtures/office/`` were written for these tests by
``tests/fixtures/make_office.py`` (committed output: the tests need neither fpdf2 nor Pillow).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from corpus_kit import write
from typer.testing import CliRunner

from provenance.cli import app
from provenance.documents import office, pdf
from provenance.documents.extracted import is_page_number
from provenance.documents.loaders import load_paths
from provenance.documents.walk import is_article_file
from provenance.limits import Limits

ROOT = Path(__file__).resolve().parents[1]
OFFICE = ROOT / "tests" / "fixtures" / "office"
INCOMING = OFFICE / "incoming"
SAMPLE = ROOT / "corpora" / "sample"
EXPECTED = [json.loads(line) for line in (INCOMING / "expected.jsonl").read_text(encoding="utf-8").splitlines()]


def load_one(path: Path, limits: Limits | None = None):  # type: ignore[no-untyped-def]
    articles = list(load_paths([path], limits=limits) if limits else load_paths([path]))
    assert len(articles) == 1
    return articles[0]


def source_paragraphs(rel: str) -> list[str]:
    body = (SAMPLE / "sources" / rel).read_text(encoding="utf-8").split("---", 2)[2]
    return [p.strip() for p in body.strip().split("\n\n") if p.strip()]


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def rezip(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """The archive with entries replaced or added (bytes) or left out (None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = set()
        for info in source.infolist():
            names.add(info.filename)
            replacement = change.get(info.filename, source.read(info.filename))
            if replacement is not None:
                target.writestr(info, replacement)
        for name, added in change.items():
            if name not in names and added is not None:
                target.writestr(name, added)
    return out.getvalue()


# -- Word --------------------------------------------------------------------------------------

def test_docx_body_tables_and_tracked_changes() -> None:
    article = load_one(OFFICE / "structure.docx")
    assert article.readable and article.format == "docx" and article.encoding is None
    assert paragraphs(article.text)[:4] == [
        "Ferry timetable changes from May",
        "The harbour ferry will run every twenty minutes on weekdays from May 6, the operator announced on Friday.",
        "Morning boats leave the north pier at 6:40.\nEvening boats leave the south pier at 18:10.",  # a line break
        "Tickets cost four dollars for adults.",  # the tracked insertion, not the deletion
    ]
    # Table cells in row order, one paragraph each; a cell merged over two rows comes once.
    assert paragraphs(article.text)[4:9] == ["Route", "Weekday interval", "North pier – Gull Point", "20 minutes",
                                             "Night boat"]
    assert article.text.count("20 minutes") == 1 and "three" not in article.text
    assert "Weekend boats keep their hourly timetable." in article.text  # a content control's paragraph
    assert "\n\n\n" not in article.text  # the empty paragraph is no text
    assert [(link.text, link.href) for link in article.links] == [
        ("operator announced", "https://www.harbourline.example.com/ferries/timetable")]


def test_docx_headers_and_footers_follow_the_body_once() -> None:
    article = load_one(OFFICE / "structure.docx")
    body, furniture = article.text.split("The operator said the change follows a rise in commuter traffic.")
    assert "Bendi Daily" not in body and "Source: Harbour Line" not in body
    # First-page and default headers, then the footers; each line once, the page number ("Page 2 of 2") dropped.
    assert furniture.strip().split("\n") == [
        "Bendi Daily · Draft for the transport desk", "Bendi Daily · Transport", "Source: Harbour Line"]
    assert article.meta["page_headers"] == ["Bendi Daily · Draft for the transport desk", "Bendi Daily · Transport"]
    assert article.meta["page_footers"] == ["Source: Harbour Line"]
    assert "Page" not in article.text


def test_docx_core_properties() -> None:
    article = load_one(OFFICE / "structure.docx")
    assert article.title == "Ferry timetable changes from May"
    assert article.meta["author"] == "Lin Qiao" and article.publisher is None and article.source is None
    assert article.meta["created"] == "2024-04-28T09:15:00+00:00"
    assert article.meta["modified"] == "2024-04-29T10:00:00+00:00"
    assert article.published is not None and article.published.isoformat() == "2024-04-28T09:15:00+00:00"


def test_chinese_docx() -> None:
    article = load_one(INCOMING / "water-meeting-uncredited.docx")
    assert article.title == "柳川县召开农村供水保障工程推进会" and article.meta["author"] == "许文彬"
    assert paragraphs(article.text) == ["柳川县召开农村供水保障工程推进会",
                                        *source_paragraphs("liuchuan/lc-2024-0311.md"), "本地日报 · 地方新闻"]
    assert "第" not in article.text.splitlines()[-1]  # the footer was only a page number


def test_docx_without_core_properties_gets_no_made_up_title_or_date(tmp_path: Path) -> None:
    data = (OFFICE / "structure.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rels = archive.read("_rels/.rels").decode("utf-8")
    rels = re.sub(r'<Relationship [^>]*core-properties[^>]*/>', "", rels)
    plain = write(tmp_path / "plain.docx", rezip(data, {"docProps/core.xml": None, "_rels/.rels": rels.encode()}))
    article = load_one(plain)
    assert article.readable and article.title is None and article.published is None
    assert article.meta["first_line_title"] == "Ferry timetable changes from May"
    assert "author" not in article.meta


def test_source_toml_defaults_apply_and_the_files_own_title_wins(tmp_path: Path) -> None:
    copy(OFFICE / "structure.docx", tmp_path / "c" / "ferry.docx")
    write(tmp_path / "c" / "source.toml", 'source = "Harbour Line"\ntitle = "folder title"\n')
    article = load_one(tmp_path / "c")
    assert article.source == "Harbour Line" and article.title == "Ferry timetable changes from May"
    assert article.id == "ferry.docx"


# -- PDF ---------------------------------------------------------------------------------------

def test_pdf_paragraphs_from_lines() -> None:
    article = load_one(OFFICE / "layout.pdf")
    assert article.readable and article.format == "pdf" and article.meta["pages"] == 3
    parts = paragraphs(article.text)
    assert parts[0] == "Harbour ferry to add evening boats"
    # Indented first lines start paragraphs (no space between them on the page); a hyphen at a
    # line end goes when the document spells the word without it elsewhere, and stays otherwise.
    assert parts[1] == ("The harbour ferry will add three evening boats from June, the operator said on Monday, after "
                        "a year in which commuter numbers rose by a fifth and the last boat of the day regularly left "
                        "passengers on the pier. The new infrastructure includes a second gangway at the north pier.")
    assert parts[2].startswith("Operators called it the end of a long-standing dispute with the city over pier fees.")
    assert parts[4] == "Residents of Gull Point welcomed the change."  # a short line ending a sentence
    assert parts[5].startswith("“We have waited years") and parts[5].endswith("every single night of the week.”")
    assert len(parts) == 9 and parts[-1] == "Harbour Weekly · Transport"


def test_pdf_running_headers_and_page_numbers() -> None:
    article = load_one(OFFICE / "layout.pdf")
    assert article.text.count("Harbour Weekly · Transport") == 1  # on every page, kept once after the body
    assert article.meta["page_headers"] == ["Harbour Weekly · Transport"] and "page_footers" not in article.meta
    assert "Page " not in article.text and " of 3" not in article.text
    # "Microsoft Word - harbour-ferry….docx" is a placeholder, not a title: the first line stands in.
    assert article.title is None and article.meta["first_line_title"] == "Harbour ferry to add evening boats"
    assert article.published is not None and article.published.isoformat() == "2024-05-20T16:00:00+00:00"
    assert article.meta["author"] == "Harbour Weekly"


def test_pdf_text_is_the_source_text() -> None:
    english = load_one(INCOMING / "heatwave-credited.pdf")
    assert paragraphs(english.text) == [
        "Grid operator asks customers to cut use as heat wave sets demand record",  # two title lines, one paragraph
        *source_paragraphs("northgate/ng-2024-0617.md"),  # a paragraph runs on over the page break
        "Bendi Daily | World | June 18, 2024"]
    assert english.title == "Grid operator asks customers to cut use as heat wave sets demand record"


def test_pdf_cjk_text_through_tounicode() -> None:
    chinese = load_one(INCOMING / "flood-season-credited.pdf")
    assert paragraphs(chinese.text) == [
        "江城进入主汛期 防汛应急响应提升至四级", *source_paragraphs("jiangcheng/jc-2024-0520.md"), "来源：江城晚报",
        "本地日报 · 要闻"]
    assert "自5月19日12时起" in chinese.text  # digits split over two lines join without a space
    assert chinese.title == "江城进入主汛期 防汛应急响应提升至四级" and chinese.meta["author"] == "本地日报"


def test_scanned_pdf_is_unreadable() -> None:
    article = load_one(INCOMING / "scanned-page.pdf")
    assert article.error == "PDF has no text layer (scanned image?)" and article.text == ""


def test_pdf_warnings_are_collected_not_printed(tmp_path: Path, capfd: pytest.CaptureFixture[str],
                                               caplog: pytest.LogCaptureFixture) -> None:
    data = (OFFICE / "layout.pdf").read_bytes()
    pointer = re.search(rb"startxref\s+(\d+)", data)
    assert pointer is not None
    broken = write(tmp_path / "a.pdf", data[: pointer.start(1)] + b"999" + data[pointer.end(1):])
    article = load_one(broken)
    assert article.readable and "infrastructure" in article.text
    assert any("startxref" in note for note in article.meta["pdf_warnings"])
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]  # not passed on to the root logger


def test_page_numbers() -> None:
    for line in ("7", "- 7 -", "Page 7", "page 7 of 9", "7 / 9", "第7页", "第 7 页 共 9 页", "共9页 第7页", "— 12 —"):
        assert is_page_number(line), line
    for line in ("7 dead", "Page One", "第七届", "3043.83", "Source: Page 7", "", "12:30"):
        assert not is_page_number(line), line


# -- hostile and broken files ------------------------------------------------------------------

def _encrypted_pdf(user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(OFFICE / "layout.pdf"))
    writer.encrypt(user_password=user_password, owner_password="owner secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = (OFFICE / "structure.docx").read_bytes()
PDF = (OFFICE / "layout.pdf").read_bytes()
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200)
NO_TEXT = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           b"<w:body><w:p/><w:sectPr/></w:body></w:document>")


def _edited(name: str, old: bytes, new: bytes) -> bytes:
    """The structure fixture with one replacement in one of its parts."""
    with zipfile.ZipFile(io.BytesIO(DOCX)) as archive:
        part = archive.read(name)
    assert old in part
    return rezip(DOCX, {name: part.replace(old, new)})

BAD_FILES: dict[str, tuple[bytes, str]] = {
    "empty.docx": (b"", "empty file (0 bytes)"),
    "corrupt.docx": (b"PK\x03\x04" + b"not really a zip" * 20, "corrupt .docx: not a valid zip archive"),
    "truncated.docx": (DOCX[: len(DOCX) // 2], "corrupt .docx: not a valid zip archive"),
    "password.docx": (OLE + "EncryptedPackage".encode("utf-16-le"), "encrypted Word document"),
    "old-word.docx": (OLE, "older Word (.doc)"),
    "not-word.docx": (_zip({"hello.txt": b"hi"}), "corrupt .docx: a part is missing"),
    "broken-xml.docx": (rezip(DOCX, {"word/document.xml": b"<w:document><w:body>"}), "corrupt .docx: XMLSyntaxError"),
    "macros.docx": (_edited("[Content_Types].xml", b"wordprocessingml.document.main+xml",
                            b"ms-word.document.macroEnabled.main+xml"), "not a Word document (.docx): its main part is"),
    "no-text.docx": (rezip(DOCX, {"word/document.xml": NO_TEXT}), "no text in the Word document"),
    "empty.pdf": (b"", "empty file (0 bytes)"),
    "not-a.pdf": (b"<html>a web page saved as .pdf</html>", "not a PDF file (no %PDF- header)"),
    "truncated.pdf": (PDF[: len(PDF) // 2], "corrupt PDF"),
    "garbage.pdf": (b"%PDF-1.7\n" + b"\x00garbage" * 500, "corrupt PDF"),
    "password.pdf": (_encrypted_pdf("reader secret"), "encrypted PDF: a password is needed to open it"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_broken_files_are_unreadable_with_the_reason(tmp_path: Path, name: str) -> None:
    data, reason = BAD_FILES[name]
    article = load_one(write(tmp_path / name, data))
    assert not article.readable and article.text == ""
    assert article.error is not None and reason in article.error, article.error
    assert "please report" not in article.error  # named, not an unexpected exception


def test_pdf_encrypted_without_a_user_password_is_read(tmp_path: Path) -> None:
    article = load_one(write(tmp_path / "locked-for-printing.pdf", _encrypted_pdf("")))
    assert article.readable and article.meta["encrypted"] is True and "infrastructure" in article.text


def test_docx_inflating_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    bomb = rezip(DOCX, {"word/media/filler.bin": b"\0" * (3 << 20)})
    assert len(bomb) < 100_000  # megabytes of zeros deflate to kilobytes
    path = write(tmp_path / "bomb.docx", bomb)
    article = load_one(path, Limits(decompressed_bytes=2 << 20))
    assert article.error is not None and article.error.startswith("too large once decompressed:")
    assert "raise [limits] decompressed_bytes" in article.error
    assert load_one(path).readable  # within the default limit


def test_docx_with_too_many_entries_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office, "ZIP_ENTRIES", 20)
    many = rezip(DOCX, {f"customXml/item{k}.xml": b"<a/>" for k in range(30)})
    article = load_one(write(tmp_path / "many.docx", many))
    assert article.error is not None and "zip entries, more than the limit of 20" in article.error


def test_docx_with_an_encrypted_zip_entry_is_refused(tmp_path: Path) -> None:
    data = bytearray(DOCX)
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # set the "encrypted" flag of every entry
        start = 0
        while (start := data.find(header, start)) >= 0:
            flags_at = start + (6 if header == b"PK\x03\x04" else 8)
            data[flags_at] |= 0x01
            start += 4
    article = load_one(write(tmp_path / "zipcrypto.docx", bytes(data)))
    assert article.error == "encrypted .docx: its zip entries are encrypted"


def test_pdf_page_and_text_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    article = load_one(OFFICE / "layout.pdf", Limits(text_chars=500))
    assert article.error is not None and "raise [limits] text_chars" in article.error
    assert "extraction stopped at page" in article.error
    monkeypatch.setattr(pdf, "PDF_PAGES", 2)
    article = load_one(OFFICE / "layout.pdf")
    assert article.error == "PDF of 3 pages, more than the limit of 2"


def test_docx_text_limit(tmp_path: Path) -> None:
    article = load_one(OFFICE / "structure.docx", Limits(text_chars=100))
    assert article.error is not None and "raise [limits] text_chars" in article.error


def test_word_lock_files_are_not_articles(tmp_path: Path) -> None:
    copy(OFFICE / "structure.docx", tmp_path / "c" / "ferry.docx")
    write(tmp_path / "c" / "~$ferry.docx", b"\x08Lin Qiao" + bytes(150))  # Word's owner file while it is open
    assert [a.id for a in load_paths([tmp_path / "c"])] == ["ferry.docx"]
    assert is_article_file(Path("a.DOCX")) and is_article_file(Path("b.Pdf")) and not is_article_file(Path("c.doc"))
    assert not is_article_file(Path("~$ferry.docx"))  # what `provenance check` (the pre-commit hook) skips


def test_scan_of_broken_files_reports_each_without_a_traceback(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the corpus index goes under ./.provenance/
    for name in ("corrupt.docx", "password.pdf", "truncated.pdf", "password.docx"):
        write(tmp_path / "in" / name, BAD_FILES[name][0])
    copy(INCOMING / "scanned-page.pdf", tmp_path / "in" / "scanned-page.pdf")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, [
        "scan", str(tmp_path / "in"), "--corpus", str(SAMPLE / "sources"), "--rules", str(SAMPLE / "provenance.toml"),
        "--format", "json", "--output", str(out), "--quiet"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    items = json.loads(out.read_text(encoding="utf-8"))["items"]
    assert len(items) == 5 and {item["verdict"] for item in items} == {"unreadable"}


# -- corpus documents --------------------------------------------------------------------------

def test_docx_and_pdf_as_corpus_documents(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    copy(INCOMING / "water-meeting-uncredited.docx", corpus / "liuchuan" / "water.docx")
    write(corpus / "liuchuan" / "source.toml", 'source = "柳川日报"\n')
    copy(INCOMING / "heatwave-credited.pdf", corpus / "northgate" / "heat.pdf")
    write(corpus / "northgate" / "source.toml", 'source = "Northgate Press"\n')
    incoming = tmp_path / "incoming"
    write(incoming / "water.txt", "\n\n".join(source_paragraphs("liuchuan/lc-2024-0311.md")) + "\n")
    write(incoming / "heat.txt", "\n\n".join(source_paragraphs("northgate/ng-2024-0617.md")[1:])
          + "\n\nSource: Northgate Press\n")
    out = tmp_path / "report.json"
    built = CliRunner().invoke(app, ["index", "build", str(corpus), "--index", str(tmp_path / "i.sqlite"),
                                     "--rules", str(SAMPLE / "provenance.toml")])
    assert built.exit_code == 0, built.output
    result = CliRunner().invoke(app, [
        "scan", str(incoming), "--index", str(tmp_path / "i.sqlite"), "--rules", str(SAMPLE / "provenance.toml"),
        "--format", "json", "--output", str(out), "--quiet"])
    assert result.exit_code == 1, result.output
    items = {Path(item["path"]).name: item for item in json.loads(out.read_text(encoding="utf-8"))["items"]}
    water, heat = items["water.txt"], items["heat.txt"]
    assert (water["verdict"], water["source"]["id"], water["source"]["name"]) == \
        ("unattributed", "liuchuan/water.docx", "柳川日报")
    assert water["source"]["published"].startswith("2024-03-12")  # the Word file's created date
    assert (heat["verdict"], heat["source"]["id"], heat["source"]["name"]) == \
        ("attributed", "northgate/heat.pdf", "Northgate Press")


# -- done when: .docx/.pdf copies of sample sources scanned against the sample corpus ----------

@pytest.fixture(scope="module")
def sample_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    work = tmp_path_factory.mktemp("office-scan")
    reports = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(work)
        for fmt in ("json", "sarif"):
            out = work / f"report.{fmt}"
            result = CliRunner().invoke(app, [
                "scan", str(INCOMING), "--corpus", str(SAMPLE / "sources"), "--rules", str(SAMPLE / "provenance.toml"),
                "--format", fmt, "--output", str(out), "--quiet"])
            assert result.exit_code == 1, result.output
            reports[fmt] = json.loads(out.read_text(encoding="utf-8"))
    return reports["json"], reports["sarif"]


@pytest.mark.parametrize("case", EXPECTED, ids=[case["path"] for case in EXPECTED])
def test_office_copies_of_sample_sources(sample_scan: tuple[dict, dict], case: dict) -> None:
    report, _ = sample_scan
    items = {Path(item["path"]).name: item for item in report["items"]}
    assert len(items) == len(EXPECTED)
    item = items[case["path"]]
    assert item["verdict"] == case["verdict"], item["message"]
    assert (item.get("source") or {}).get("id") == case["source_id"]
    if case["verdict"] == "unreadable":
        assert item["message"].endswith("PDF has no text layer (scanned image?)")


def test_sarif_region_of_a_pdf_points_at_the_file_and_its_extracted_text(sample_scan: tuple[dict, dict]) -> None:
    report, log = sample_scan
    results = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1]: r
               for r in log["runs"][0]["results"]}
    result = results["heatwave-credited.pdf"]
    assert result["ruleId"] == "PROV006" and result["properties"]["locatedBy"] == "extractedText"
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"].endswith("tests/fixtures/office/incoming/heatwave-credited.pdf")
    region = result["locations"][0]["physicalLocation"]["region"]
    text = load_one(INCOMING / "heatwave-credited.pdf").text
    item = next(i for i in report["items"] if i["path"].endswith("heatwave-credited.pdf"))
    start, end = item["matches"][0]["passages"][0]["article"]
    lines = text.splitlines(keepends=True)
    offset = sum(len(line) for line in lines[: region["startLine"] - 1]) + region["startColumn"] - 1
    assert (region["startLine"], region["startColumn"]) == (3, 1)  # the title, a blank line, then the text
    assert offset == region["charOffset"] == start
    assert text[offset: offset + region["charLength"]] == text[start:end].strip()
    assert region["snippet"]["text"].startswith("ASHFORD, June 17 (Northgate Press) - The operator")
    scanned = results["scanned-page.pdf"]
    assert scanned["ruleId"] == "PROV004" and scanned["locations"][0]["physicalLocation"]["region"]["startLine"] == 1


def test_check_names_a_line_of_the_extracted_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    copy(INCOMING / "water-meeting-uncredited.docx", tmp_path / "a" / "water.docx")
    result = CliRunner().invoke(app, [
        "check", "--corpus", str(SAMPLE / "sources"), "--rules", str(SAMPLE / "provenance.toml"),
        "--", str(tmp_path / "a" / "water.docx")])
    assert result.exit_code == 1, result.output
    assert re.search(r"water\.docx:3:\d+: unattributed: Republishes 柳川日报's", result.output), result.output


def _xiling_docx(path: Path, hyperlink: bool) -> Path:
    """西岭网's xl-2024-0715 (attribution-and-link) in a Word file credited 来源：西岭网, the name a
    hyperlink to the original or plain text."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    for paragraph in source_paragraphs("xiling/xl-2024-0715.md"):
        document.add_paragraph(paragraph)
    credit = document.add_paragraph("来源：")
    if hyperlink:
        rel_id = document.part.relate_to("https://www.xiling.example.cn/2024/07/xl-2024-0715.html", RT.HYPERLINK,
                                         is_external=True)
        credit._p.append(parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="{rel_id}"><w:r><w:t>西岭网</w:t></w:r>'
                                   "</w:hyperlink>"))
    else:
        credit.add_run("西岭网")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def test_a_hyperlink_in_a_word_file_is_the_link_a_source_requires(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _xiling_docx(tmp_path / "in" / "linked.docx", hyperlink=True)
    _xiling_docx(tmp_path / "in" / "name-only.docx", hyperlink=False)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, [
        "scan", str(tmp_path / "in"), "--corpus", str(SAMPLE / "sources"), "--rules", str(SAMPLE / "provenance.toml"),
        "--format", "json", "--output", str(out), "--quiet"])
    assert result.exit_code == 1, result.output
    items = {Path(item["path"]).name: item for item in json.loads(out.read_text(encoding="utf-8"))["items"]}
    assert (items["linked.docx"]["verdict"], items["linked.docx"]["source"]["id"]) == ("attributed", "xl-2024-0715")
    assert (items["name-only.docx"]["verdict"], items["name-only.docx"]["source"]["id"]) == \
        ("unattributed", "xl-2024-0715")
