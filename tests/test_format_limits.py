"""Damaged files and bombs in every new format: each is a one-line problem, never a crash,
a hang or unbounded memory."""

from __future__ import annotations

import email.message
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from desktop_search.core.extract import dispatch
from desktop_search.core.extract.archive import zip_text
from desktop_search.core.extract.dispatch import ExtractionError, extract_bytes, extract_file
from desktop_search.core.extract.docx import docx_text
from desktop_search.core.extract.epub import epub_text
from desktop_search.core.extract.mail import mail_text
from desktop_search.core.extract.odf import odf_text
from desktop_search.core.extract.pptx import pptx_text
from desktop_search.core.extract.rtf import rtf_text

from .conftest import FIXTURES

FORMATS = FIXTURES / "formats"
ZIPPED = {
    "lighthouse.odt": "content.xml",
    "bees.odp": "content.xml",
    "loans.ods": "content.xml",
    "volcanoes.pptx": "ppt/slides/slide3.xml",
    "expenses.xlsx": "xl/worksheets/sheet2.xml",
    "harbour.epub": "OEBPS/text/ch2.xhtml",
}
ONE_LINE = r"^[^\n]{1,300}$"


EXTRACT_AND_PEAK = (
    "import resource, sys\n"
    "from desktop_search.core.extract.dispatch import ExtractionError, extract_file\n"
    "for path in sys.argv[1:]:\n"
    "    try:\n"
    "        print(len(extract_file(path).text))\n"
    "    except ExtractionError as exc:\n"
    "        print(exc)\n"
    # VmHWM, not this process's ru_maxrss: Linux carries that over exec from the parent
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
    "child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"  # the sheet reader's
    "print(max(int(hwm), child) // 1024)\n"
)
"""A child's script: extract each file named, print its text's length or its problem, then
the peak RSS in MB of it and of the reader processes it started."""


def _problem(path: Path) -> str:
    with pytest.raises(ExtractionError, match=ONE_LINE) as info:
        extract_file(path)
    return str(info.value)


def _bomb(src: Path, dst: Path, member: str, megabytes: int) -> Path:
    """``src`` with ``member`` replaced by ``megabytes`` MB of spaces (a few KB deflated)."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename != member:
                new.writestr(item, old.read(item))
        with new.open(member, "w") as out:
            for _ in range(megabytes):
                out.write(b" " * 2**20)
    return dst


@pytest.mark.parametrize("name", [*ZIPPED, "harvest.xls", "archive.mbox", "letter.rtf"])
def test_a_damaged_file_is_a_one_line_problem(tmp_path, name):
    data = (FORMATS / name).read_bytes()
    cut = tmp_path / name
    cut.write_bytes(data[: len(data) // 2])
    if name in ("archive.mbox", "letter.rtf"):  # a cut one still reads up to the cut
        assert extract_file(cut).text.strip()
        cut.write_bytes(data[len(data) // 2 :])  # the start is lost: not what it says it is
    _problem(cut)


@pytest.mark.parametrize("name", list(ZIPPED))
def test_a_zip_bomb_is_refused_by_its_size(tmp_path, name):
    bomb = _bomb(FORMATS / name, tmp_path / name, ZIPPED[name], 130)
    assert bomb.stat().st_size < 1024 * 1024
    assert "MB" in _problem(bomb)


def test_overlapping_entries_are_refused(tmp_path):
    """CVE-2024-0450: two entries that point at the same compressed bytes."""
    data = bytearray((FORMATS / "lighthouse.odt").read_bytes())
    directory = data.find(b"PK\x01\x02")
    first = struct.unpack_from("<I", data, directory + 42)[0]
    at = data.find(b"PK\x01\x02", directory + 4)
    while at != -1:  # every entry's local header now says: the first entry's bytes
        struct.pack_into("<I", data, at + 42, first)
        at = data.find(b"PK\x01\x02", at + 4)
    (tmp_path / "overlap.odt").write_bytes(bytes(data))
    assert "overlapping entries" in _problem(tmp_path / "overlap.odt")


def test_a_zip_with_too_many_members_is_refused(tmp_path):
    path = tmp_path / "many.pptx"
    shutil.copy(FORMATS / "volcanoes.pptx", path)
    with zipfile.ZipFile(path, "a") as z:
        for n in range(10_001):
            z.writestr(f"junk/{n}", b"")
    assert "more than 10,000 members" in _problem(path)


def test_a_sparse_sheet_that_spans_the_whole_grid_is_refused(tmp_path):
    """Two cells, at A1 and XFD1048576: calamine would allocate the 17-billion-cell box
    (and Rust abort the process); its child process hits its memory limit instead."""
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"], book.active["XFD1048576"] = "first", "last"
    book.save(tmp_path / "sparse.xlsx")
    assert (tmp_path / "sparse.xlsx").stat().st_size < 10_000
    assert _problem(tmp_path / "sparse.xlsx") == (
        "the .xlsx spreadsheet needs too much memory to read (a sparse sheet?)"
    )


def test_too_many_rows_are_refused(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("a,b\n" + "1,2\n" * 100_001)
    assert "more than 100,000 rows" in _problem(path)


def test_a_csv_with_semicolons_and_a_legacy_charset_is_sniffed(tmp_path):
    path = tmp_path / "kosten.csv"
    path.write_bytes("Stadt;Betrag\nMünchen;12\n".encode("cp1252"))
    assert extract_file(path).text.splitlines()[1] == "Stadt: München | Betrag: 12"


def test_an_encrypted_epub_is_protected_by_drm_but_obfuscated_fonts_are_not(tmp_path):
    enc = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="{}"/></enc:EncryptedData></encryption>'
    )
    for algorithm, drm in (
        ("http://www.w3.org/2001/04/xmlenc#aes128-cbc", True),
        ("http://www.idpf.org/2008/embedding", False),
    ):
        path = tmp_path / f"{drm}.epub"
        shutil.copy(FORMATS / "harbour.epub", path)
        with zipfile.ZipFile(path, "a") as z:
            z.writestr("META-INF/encryption.xml", enc.format(algorithm))
        if drm:
            assert _problem(path) == "protected by DRM (the book is encrypted)"
        else:
            assert "gale tore the sails" in extract_file(path).text


def test_a_message_in_an_unknown_charset_falls_back(tmp_path):
    msg = email.message.Message()
    msg["Subject"] = "Invoice"
    msg["From"] = "a@example.org"
    msg["Content-Type"] = 'text/plain; charset="x-no-such-charset"'
    msg.set_payload("Caf\xe9 bill for the team lunch".encode("latin-1"))
    doc = extract_bytes(msg.as_bytes(), "email")
    assert "Café bill for the team lunch" in doc.text
    assert doc.segments[0].label.startswith("Invoice — a@example.org")
    raw = b"Subject: =?x-bogus?q?Men=FC?=\nFrom: =?utf-8?q?Ren=C3=A9e?= <r@example.org>\n\nhi\n"
    doc = extract_bytes(raw, "email")  # a header in an unknown charset stays as written
    assert doc.segments[0].label == "=?x-bogus?q?Men=FC?= — Renée <r@example.org>"


def test_an_attached_message_is_read_but_not_its_own_attachments():
    inner = email.message.EmailMessage()
    inner["Subject"] = "Inner"
    inner.set_content("The walrus census counted nine hundred animals.")
    inner.add_attachment(b"deep secret words", maintype="text", subtype="plain", filename="d.txt")
    outer = email.message.EmailMessage()
    outer["Subject"] = "Forwarded"
    outer.set_content("See below.")
    outer.add_attachment(inner)
    text = extract_bytes(outer.as_bytes(), "email").text
    assert "walrus census" in text and "deep secret words" not in text


def test_rtf_past_its_time_limit_is_a_one_line_problem():
    body = b"{\\rtf1\\ansi " + b"{\\b bold} plain text here. " * 800_000 + b"}"  # 22 MB
    with pytest.raises(ExtractionError, match=r"^RTF file took longer than 1 s to read$"):
        rtf_text(body, time_limit=1)


def _docx_bytes() -> bytes:
    import io

    from docx import Document

    doc = Document()
    for n in range(50):
        doc.add_paragraph(f"Paragraph {n} of the lighthouse keeper's log.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _zip_bytes() -> bytes:
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in ("lighthouse.odt", "pottery.eml", "birds.tsv"):
            z.write(FORMATS / name, f"papers/{name}")
    return out.getvalue()


READERS = {  # reader(data, seconds) of each format read part by part in the indexing process
    "odt": (lambda: (FORMATS / "lighthouse.odt").read_bytes(), lambda d, s: odf_text(d, "odt", s)),
    "odp": (lambda: (FORMATS / "bees.odp").read_bytes(), lambda d, s: odf_text(d, "odp", s)),
    "pptx": (lambda: (FORMATS / "volcanoes.pptx").read_bytes(), pptx_text),
    "epub": (lambda: (FORMATS / "harbour.epub").read_bytes(), epub_text),
    "mbox": (
        lambda: (FORMATS / "archive.mbox").read_bytes(),
        lambda d, s: mail_text(d, True, None, s),
    ),
    "eml": (
        lambda: (FORMATS / "pottery.eml").read_bytes(),
        lambda d, s: mail_text(d, False, None, s),
    ),
    "docx": (_docx_bytes, docx_text),
    "zip": (_zip_bytes, lambda d, s: zip_text(d, None, s)),
    "pdf": (
        lambda: (FIXTURES / "docs" / "pdf" / "R-FAQ-excerpt.pdf").read_bytes(),
        dispatch._extract_pdf,
    ),
}


@pytest.mark.parametrize("kind", sorted(READERS))
def test_a_reader_past_its_time_limit_stops_with_a_one_line_problem(kind):
    """Each reader checks its time limit between parts (paragraphs, slides, chapters,
    messages, members): within the limit the file reads, past it the reading stops."""
    make, read = READERS[kind]
    data = make()
    doc = read(data, 60.0)
    assert (doc if isinstance(doc, str) else doc.text).strip()
    with pytest.raises(ExtractionError, match=r"^the [^\n]+ takes longer than 0 s to read$"):
        read(data, 0.0)


@pytest.mark.slow  # deflates a few hundred MB to build the bombs
def test_every_bomb_is_refused_under_300_mb(tmp_path):
    """Peak memory of a child that extracts a bomb of each zip-based format, a
    declared-size liar, and the largest honest sheet the caps allow (the larger of its own
    peak and that of the sheet reader's child process)."""
    files = [_bomb(FORMATS / n, tmp_path / n, m, 130) for n, m in ZIPPED.items()]
    liar = _bomb(FORMATS / "lighthouse.odt", tmp_path / "liar.odt", "content.xml", 200)
    data = bytearray(liar.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:  # the central directory now says content.xml unpacks to 4 KB
        if data[at + 46 : at + 46 + 11] == b"content.xml":
            struct.pack_into("<I", data, at + 24, 4096)
        at = data.find(b"PK\x01\x02", at + 4)
    liar.write_bytes(bytes(data))
    rows = tmp_path / "rows.xlsx"
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    sheet.append([f"Column {c}" for c in range(10)])
    for r in range(99_000):
        sheet.append([f"cell {r} {c} with a few words" for c in range(10)])
    book.save(rows)
    out = subprocess.run(
        [sys.executable, "-c", EXTRACT_AND_PEAK, *map(str, [*files, liar, rows])],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    *lines, peak_mb = out.stdout.splitlines()
    assert all("MB" in line for line in lines[:-2]), "\n".join(lines)
    assert lines[-2] == "corrupt .odt document: content.xml cannot be unpacked"  # the liar
    assert int(lines[-1]) > 10_000_000  # the honest sheet was read
    print(f"peak RSS {peak_mb} MB")  # shown with -s, for the README
    assert int(peak_mb) < 300, peak_mb


def test_a_pdf_past_the_page_cap_is_a_one_line_problem():
    """pypdf keeps what it read of every page: 3,001 pages are refused before any is read."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(dispatch.MAX_PDF_PAGES + 1):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ExtractionError, match=r"^the PDF has more than 3,000 pages$"):
        extract_bytes(out.getvalue(), "pdf")


def test_each_kind_has_its_own_size_cap_checked_before_reading(tmp_path):
    """Text-like files are decoded whole, so they stop at 48 MB (an mbox at 64 MB); a
    zip-based file or a PDF may be larger, its parts being read one at a time."""
    for name, size, why in (
        ("notes.txt", 49, "file is too large to index (49 MB; the limit is 48 MB)"),
        ("page.html", 49, "file is too large to index (49 MB; the limit is 48 MB)"),
        ("inbox.mbox", 65, "file is too large to index (65 MB; the limit is 64 MB)"),
    ):
        path = tmp_path / name
        with open(path, "wb") as fh:
            fh.truncate(size * 2**20)
        assert _problem(path) == why
    big_odt = tmp_path / "report.odt"
    with open(big_odt, "wb") as fh:
        fh.truncate(49 * 2**20)
    assert _problem(big_odt) == "corrupt, or not a valid .odt document"


def _mbox(messages: int, subject: str, body: str) -> bytes:
    """An mbox of ``messages`` copies of one message (written once by the email package),
    numbered in their subjects."""
    msg = email.message.EmailMessage()
    msg["Subject"] = f"{subject} NUMBER"
    msg["From"] = "keeper@lighthouse.example"
    msg.set_content(body, cte="8bit")
    one = b"From keeper@lighthouse.example Mon Jan  1 00:00:00 2024\n" + msg.as_bytes()
    return b"\n".join(one.replace(b"NUMBER", str(n).encode()) for n in range(messages))


def test_a_mailbox_past_the_text_budget_and_a_page_past_the_tag_cap_are_problems():
    body = "The lamp was lit at dusk and trimmed at midnight. " * 60
    data = _mbox(5_500, "Log", body)  # 16.5 million characters of text, 17 MB
    with pytest.raises(ExtractionError, match=r"^the mailbox holds more than 16 million"):
        extract_bytes(data, "mbox")
    page = b"<html><body>" + b"<p>w <b>x</b></p>" * 100_001 + b"</body></html>"
    with pytest.raises(ExtractionError, match=r"^the page has more than 400,000 tags$"):
        extract_bytes(page, "html")
    msg = email.message.EmailMessage()  # the same page as a message's body costs only the body
    msg["Subject"] = "Dense newsletter"
    msg.set_content(page.decode(), subtype="html")
    text = extract_bytes(msg.as_bytes(), "email").text
    assert "Dense newsletter" in text and "the body was not read" in text


@pytest.mark.slow  # writes about 150 MB of text
def test_the_largest_text_files_each_kind_allows_stay_under_300_mb(tmp_path):
    """Peak memory of a child extracting the worst file under each text-like cap: a 47 MB
    text with one emoji (4 bytes a character once decoded), a mailbox of just under 16
    million characters whose every subject has one, and a page of just under 400,000 tags."""
    words = " ".join(f"word{n} and its neighbours" for n in range(200_000)).encode()
    text = tmp_path / "notes.txt"
    with open(text, "wb") as fh:
        fh.write("🐝 ".encode())
        while fh.tell() < 47 * 10**6:
            fh.write(words + b"\n")
    mbox = tmp_path / "inbox.mbox"  # just under 16 million characters: read and joined
    mbox.write_bytes(_mbox(4_900, "Report 🐝", "The lamp was lit at dusk. " * 120))
    page = tmp_path / "page.html"
    page.write_bytes(b"<html><body>" + b"<p>w <b>x</b></p>" * 99_990 + b"</body></html>")
    for path in (text, mbox, page):
        assert path.stat().st_size < 64 * 2**20
        out = subprocess.run(
            [sys.executable, "-c", EXTRACT_AND_PEAK, str(path)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert out.returncode == 0, out.stderr[-2000:]
        result, peak_mb = out.stdout.splitlines()
        print(f"{path.name}: {result}; peak RSS {peak_mb} MB")
        assert int(peak_mb) < 300, (path.name, result, peak_mb)
