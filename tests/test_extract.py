"""Extraction on real files: every supported format, encodings, and each kind of bad input."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from desktop_search.core.extract.dispatch import (
    SUPPORTED_SUFFIXES,
    Extracted,
    ExtractionError,
    Segment,
    extract_bytes,
    extract_file,
    kind_of,
)

RST = "library/colorsys.rst.txt"


def text_pdf(pages: list[str | None]) -> bytes:
    """A minimal hand-written PDF with a real text layer; None makes a page without text."""
    objs: list[bytes | None] = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", None]
    pages_id, kids = 2, []
    for text in pages:
        ops = [b"BT /F1 12 Tf 72 720 Td 14 TL"]
        for line in [] if text is None else text.split("\n"):
            esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(b"(" + esc.encode("latin-1") + b") Tj T*")
        stream = b"\n".join([*ops, b"ET"])
        objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objs.append(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 1 0 R >> >>"
            b" /Contents %d 0 R >>" % (pages_id, len(objs))
        )
        kids.append(len(objs))
    objs[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    objs.append(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1,
        len(objs),
        xref,
    )
    return bytes(out)


def _check_segments(doc: Extracted) -> None:
    assert doc.segments
    last = 0
    for seg in doc.segments:
        assert last <= seg.start <= seg.end <= len(doc.text)
        last = seg.end


# -- formats ------------------------------------------------------------------------------


def test_kind_of_and_suffixes():
    assert kind_of("a/B.PDF") == "pdf"
    assert kind_of("x.docx") == "docx"
    assert kind_of("page.htm") == kind_of("page.html") == "html"
    for name in ("notes.txt", "readme.md", "guide.rst", "main.py", "lib.rs", "config.json"):
        assert kind_of(name) == "text", name
    assert kind_of("data.csv") == "csv" and kind_of("Talk.PPTX") == "pptx"
    assert kind_of("photo.JPG") == kind_of("scan.tiff") == "image"  # read by OCR when chosen
    assert kind_of("song.mp3") is None
    assert {".txt", ".md", ".rst", ".py", ".html", ".htm", ".pdf", ".docx"} <= SUPPORTED_SUFFIXES
    assert ".jpg" not in SUPPORTED_SUFFIXES  # images are opt-in


def test_plain_text_formats(tmp_path, fixture_data):
    rst = fixture_data / "docs" / "rst" / RST
    copy = tmp_path / "colorsys.rst"
    shutil.copy(rst, copy)
    doc = extract_file(copy)
    assert doc.kind == "text"
    assert doc.text == rst.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert doc.segments == [Segment(0, len(doc.text), None)]

    (tmp_path / "notes.md").write_text("# Title\n\nSome *markdown* text.\r\nWindows line.\n")
    assert (
        extract_file(tmp_path / "notes.md").text
        == "# Title\n\nSome *markdown* text.\nWindows line.\n"
    )

    source = 'def área(r):\n    """Area of a circle."""\n    return 3.14159 * r * r\n'
    (tmp_path / "geometry.py").write_text(source, encoding="utf-8")
    assert extract_file(tmp_path / "geometry.py").text == source

    # An unknown suffix is read as text when its content is text.
    (tmp_path / "CHANGES").write_text("Version 2 fixes the parser.\n")
    assert extract_file(tmp_path / "CHANGES").text == "Version 2 fixes the parser.\n"


def test_real_html_page_visible_text_only(fixture_data):
    page = fixture_data / "docs" / "html" / "node100.html"
    doc = extract_file(page)
    assert doc.kind == "html"
    assert doc.text.startswith("Bee swarm plots")
    # Inline markup joins into its sentence instead of breaking it into lines.
    assert (
        '"Bee swarm" plots result from applying jitter to separate overlapping points.' in doc.text
    )
    assert "figures.css" not in doc.text and "<" not in doc.text
    assert "Navigation Panel" not in doc.text  # an HTML comment
    # The navigation panels name other pages: their words are not this page's.
    assert "Next:" not in doc.text and "Previous:" not in doc.text
    # <pre> keeps its lines.
    assert "set jitter\n    plot $data using 1:2:1" in doc.text


def test_html_drops_script_style_and_hidden(tmp_path):
    html = (
        "<!DOCTYPE html><html><head><title>Garden notes</title>"
        "<style>p { color: red }</style><script>var secretToken = 1;</script></head>"
        "<body><nav>Home</nav><p>Water the <b>tomatoes</b> daily.</p>"
        "<script type='text/javascript'>alert('tracking')</script>"
        "<div hidden>invisible words</div><p style='display: none'>also hidden</p>"
        "<noscript>enable javascript</noscript><!-- a comment -->"
        "<ul><li>basil</li><li>mint</li></ul><table><tr><td>rows</td><td>3</td></tr></table>"
        "<template><p>template text</p></template><p>Caf&eacute; &amp; more</p></body></html>"
    )
    (tmp_path / "garden.htm").write_text(html, encoding="utf-8")
    doc = extract_file(tmp_path / "garden.htm")
    assert doc.text.startswith("Garden notes\n\n")
    assert "Water the tomatoes daily." in doc.text
    assert "basil\nmint" in doc.text and "rows\t3" in doc.text and "Café & more" in doc.text
    for hidden in (
        "color: red",
        "secretToken",
        "tracking",
        "invisible",
        "also hidden",
        "enable javascript",
        "a comment",
        "template text",
    ):
        assert hidden not in doc.text, hidden


def test_html_drops_site_navigation(tmp_path):
    html = (
        "<html><body><nav>Home Blog</nav>"
        "<div role='navigation'>Contents: Chapter two</div>"
        "<ol class='breadcrumb'><li>Docs</li><li>Plotting styles</li></ol>"
        "<div class='Navigation'>Next: Transparency</div>"
        "<p>Images project a grid of values onto a plane.</p>"
        "<div class='navigational-note'>A note that stays.</div></body></html>"
    )
    (tmp_path / "image.html").write_text(html, encoding="utf-8")
    text = extract_file(tmp_path / "image.html").text
    assert text == "Images project a grid of values onto a plane.\n\nA note that stays."


def test_html_drops_generated_page_furniture(tmp_path):
    # DocBook's navheader/navfooter and Sphinx's related bar and sidebar name the
    # neighbouring pages; a short block of links is a navigation bar whatever its class.
    html = (
        "<html><head><title>Chapter 3. Plots</title></head><body>"
        "<div class='navheader'><table><tr><th colspan='3'>Chapter 3. Plots</th></tr>"
        "<tr><td><a href='ch02.html'>Prev</a></td><th>Part I. Guide</th>"
        "<td><a href='ch04.html'>Next</a></td></tr></table></div>"
        "<div class='related' role='navigation'><ul><li><a href='genindex.html'>index</a></li>"
        "<li><a href='ch04.html'>Colour maps</a></li></ul></div>"
        "<div class='sphinxsidebar'><h3>Table of Contents</h3><p>Quick search</p></div>"
        "<h1>Plots<a class='headerlink' href='#plots'>\u00b6</a></h1>"
        "<p>A plot draws <a href='data.html'>data files</a> as points or lines.</p>"
        "<div><a href='ch02.html'>Prev</a> <a href='index.html'>Up</a> "
        "<a href='index.html'>Home</a> <a href='ch04.html'>Next</a></div>"
        "<div class='navfooter'>Axes and Legends</div></body></html>"
    )
    (tmp_path / "ch03.html").write_text(html, encoding="utf-8")
    text = extract_file(tmp_path / "ch03.html").text
    assert text == "Chapter 3. Plots\n\nPlots\n\nA plot draws data files as points or lines."


def test_html_keeps_a_long_list_of_links(tmp_path):
    # A table of contents page is the page's text: long, so never taken for a nav bar.
    items = "".join(f"<li><a href='s{i}.html'>Section {i} title</a></li>" for i in range(20))
    (tmp_path / "index.html").write_text(f"<html><body><ul>{items}</ul></body></html>")
    text = extract_file(tmp_path / "index.html").text
    assert text.splitlines() == [f"Section {i} title" for i in range(20)]


def test_html_encoding_from_meta_charset():
    html = '<html><head><meta charset="windows-1252"></head><body><p>Crème brûlée</p></body></html>'
    assert "Crème brûlée" in extract_bytes(html.encode("cp1252"), "html").text


def test_real_pdf_pages_and_page_numbers(fixture_data):
    from pypdf import PdfReader

    path = fixture_data / "docs" / "pdf" / "R-FAQ-excerpt.pdf"
    doc = extract_file(path)
    assert doc.kind == "pdf"
    _check_segments(doc)
    reader = PdfReader(path)
    assert [s.page for s in doc.segments] == [1, 2, 3]  # every page has a text layer
    for seg in doc.segments:
        page_text = reader.pages[seg.page - 1].extract_text().replace("\r\n", "\n")
        assert doc.text[seg.start : seg.end].strip() == page_text.strip().replace("\r", "\n")


def test_written_pdf_keeps_page_numbers_across_a_blank_page():
    data = text_pdf(["First page talks about apples.", None, "Third page talks about (pears)."])
    doc = extract_bytes(data, "pdf")
    assert [s.page for s in doc.segments] == [1, 3]
    first, third = (doc.text[s.start : s.end] for s in doc.segments)
    assert "apples" in first and "pears" not in first
    assert "(pears)" in third


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("Quarterly report", level=1)
    document.add_paragraph("Sales grew in the north.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "region", "sales"
    table.cell(1, 0).text, table.cell(1, 1).text = "north", "120"
    document.add_paragraph("The south stayed flat.")
    path = tmp_path / "report.docx"
    document.save(path)
    doc = extract_file(path)
    assert doc.kind == "docx"
    assert (
        doc.text
        == "Quarterly report\nSales grew in the north.\nregion\tsales\nnorth\t120\nThe south stayed flat."
    )


# -- encodings ----------------------------------------------------------------------------

SAMPLE = "Naïve café owners in Zürich sell crème brûlée — “quoted” — for 5 €.\nSecond line.\n"


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]
)
def test_unicode_encodings_with_and_without_bom(tmp_path, encoding):
    path = tmp_path / f"sample-{encoding}.txt"
    path.write_bytes(SAMPLE.encode(encoding))
    assert extract_file(path).text == SAMPLE


def test_legacy_single_byte_fallbacks():
    western = (
        "Le café de la gare ouvre à sept heures. Les élèves y prennent un thé ou un "
        "chocolat chaud avant les cours, et le patron leur offre parfois une crêpe.\n"
    )
    assert extract_bytes(western.encode("cp1252"), "text").text == western
    assert extract_bytes(western.encode("latin-1"), "text").text == western
    assert (
        extract_bytes("Crème brûlée recipe.".encode("cp1252"), "text").text
        == "Crème brûlée recipe."
    )
    russian = "Привет! Это проверка кодировки windows-1251 для русского текста.\n" * 4
    assert extract_bytes(russian.encode("cp1251"), "text").text == russian


def test_invalid_utf8_never_crashes(tmp_path):
    # Mostly UTF-8 with a damaged byte: the text survives, the bad byte becomes U+FFFD.
    data = "Ünïcödé text, ".encode() * 50 + b"\xff\xfe\xc3" + b" and more text."
    text = extract_bytes(data, "text").text
    assert text.startswith("Ünïcödé text, ") and text.endswith(" and more text.")
    # Truncated in the middle of a multi-byte character.
    assert extract_bytes("Grüße".encode()[:-4], "text").text.startswith("Gr")
    # Lone continuation bytes and overlong forms.
    for raw in (b"abc \x80\x81 def", b"\xc0\xaf\xed\xa0\x80 text", b"\xf8\x88\x80\x80\x80 x"):
        try:
            out = extract_bytes(raw, "text")
        except ExtractionError:
            continue
        assert isinstance(out.text, str)


def test_binary_named_txt_is_a_clear_error(tmp_path, fixture_data):
    blobs = {
        "gzip.txt": gzip.compress((fixture_data / "docs" / "rst" / RST).read_bytes()),
        "executable.txt": Path(sys.executable).read_bytes()[:200_000],
        "pdf-as.txt": (fixture_data / "docs" / "pdf" / "R-FAQ-excerpt.pdf").read_bytes(),
        "bytes.txt": bytes(range(256)) * 64,
    }
    for name, data in blobs.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ExtractionError, match="binary"):
            extract_file(path)


# -- bad inputs ---------------------------------------------------------------------------


def test_zero_byte_file(tmp_path):
    for name in ("empty.txt", "empty.pdf", "empty.docx", "empty.html"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(ExtractionError, match="empty file"):
            extract_file(tmp_path / name)


def test_corrupt_pdf(tmp_path, fixture_data):
    real = (fixture_data / "docs" / "pdf" / "R-FAQ-excerpt.pdf").read_bytes()
    cases = {
        "truncated.pdf": real[:5000],
        "garbage.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage \x00\x01",
        "not-a-pdf.pdf": b"This is plain text that claims to be a PDF.",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ExtractionError) as info:
            extract_file(tmp_path / name)
        message = str(info.value).lower()
        assert "pdf" in message and ("corrupt" in message or "malformed" in message), (
            name,
            message,
        )


def test_encrypted_pdf_needs_a_password(tmp_path):
    from pypdf import PdfReader, PdfWriter

    source = PdfReader(io.BytesIO(text_pdf(["Confidential salary figures."])))
    locked = PdfWriter(clone_from=source)
    locked.encrypt("secret")
    buf = io.BytesIO()
    locked.write(buf)
    (tmp_path / "locked.pdf").write_bytes(buf.getvalue())
    with pytest.raises(ExtractionError, match="encrypted PDF .*password"):
        extract_file(tmp_path / "locked.pdf")

    # Encrypted with only an owner password (copy/print restrictions): readable.
    restricted = PdfWriter(clone_from=source)
    restricted.encrypt(user_password="", owner_password="owner")
    buf = io.BytesIO()
    restricted.write(buf)
    assert "salary" in extract_bytes(buf.getvalue(), "pdf").text


def test_pdf_without_text_layer(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    with pytest.raises(ExtractionError, match="no text layer"):
        extract_file(path)


def test_corrupt_docx(tmp_path):
    import docx

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("hello")
    document.save(buf)
    for name, data in {
        "cut.docx": buf.getvalue()[:1500],
        "text.docx": b"not a zip archive at all",
    }.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ExtractionError, match="docx"):
            extract_file(tmp_path / name)


def test_file_deleted_before_read(tmp_path):
    path = tmp_path / "gone.txt"
    path.write_text("soon deleted")
    path.unlink()
    with pytest.raises(ExtractionError, match="disappeared"):
        extract_file(path)


def test_directory_and_fifo_are_not_read(tmp_path):
    with pytest.raises(ExtractionError, match="directory"):
        extract_file(tmp_path)
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    # Opening a FIFO for reading would block until a writer appears; give it one that
    # never writes, so that a regression shows up as this error, not as a hang.
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        with pytest.raises(ExtractionError, match="not a regular file"):
            extract_file(fifo)
    finally:
        os.close(fd)


def _read_as_nobody(path: Path) -> str:
    """extract_file(path) in a forked child that dropped root; returns its outcome."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        code = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            try:
                extract_file(path)
                msg = "READ"
            except ExtractionError as exc:
                msg = f"ExtractionError: {exc}"
        except BaseException as exc:  # noqa: BLE001 - report, never let the child run on
            msg = f"SETUP {type(exc).__name__}: {exc}"
            code = 1
        os.write(write_end, msg.encode())
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        out = fh.read().decode()
    os.waitpid(pid, 0)
    return out


def test_unreadable_file_is_a_clear_error():
    folder = Path(tempfile.mkdtemp(prefix="ds-perm-"))
    try:
        folder.chmod(0o755)
        path = folder / "private.txt"
        path.write_text("secret diary")
        path.chmod(0)
        if os.geteuid() != 0:
            with pytest.raises(ExtractionError, match="permission denied"):
                extract_file(path)
            return
        # Root reads whatever the mode bits say, so drop to 'nobody' in a child process.
        outcome = _read_as_nobody(path)
        if outcome.startswith("SETUP"):
            pytest.skip(f"running as root and cannot drop privileges here: {outcome}")
        assert outcome == "ExtractionError: permission denied: the file cannot be read"
    finally:
        (folder / "private.txt").chmod(stat.S_IRUSR | stat.S_IWUSR)
        shutil.rmtree(folder)
