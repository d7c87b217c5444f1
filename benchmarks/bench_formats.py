"""How fast each format is read, and the peak memory of reading one file of it.

Sample files are written from real text (the shared Python documentation sources) by each
format's own library, a few per format at realistic sizes; each format is then extracted
in a child process of its own, which reports files/s, MB/s and its peak RSS (VmHWM). The
table is a dict of format -> sample builder: a reader added later (archives, OCR) adds its
row by adding a builder to ``SAMPLES``, and extra columns by returning them from its
measure (see ``measure``).

    python benchmarks/bench_formats.py [--scale 1.0] [--only pptx,xlsx]
"""

from __future__ import annotations

import argparse
import csv
import json
import mailbox
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from common import DOCS, ROOT, table

Builder = Callable[[Path, list[str], float], list[Path]]
"""(folder, paragraphs of real text, scale) -> the sample files it wrote there."""


def paragraphs() -> list[str]:
    out: list[str] = []
    for path in sorted((DOCS / "rst").rglob("*.rst.txt")):
        out += [p.strip() for p in path.read_text(errors="replace").split("\n\n") if p.strip()]
    return out


def _take(paras: list[str], n: int, offset: int = 0) -> list[str]:
    return [paras[(offset + i) % len(paras)] for i in range(n)]


def odt(folder: Path, paras: list[str], scale: float) -> list[Path]:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    out = []
    for k in range(3):
        doc = OpenDocumentText()
        for p in _take(paras, int(3000 * scale), k * 3000):
            doc.text.addElement(P(text=p))
        out.append(folder / f"doc{k}.odt")
        doc.save(str(out[-1]))
    return out


def pptx(folder: Path, paras: list[str], scale: float) -> list[Path]:
    from pptx import Presentation

    out = []
    for k in range(3):
        prs = Presentation()
        for i, p in enumerate(_take(paras, int(150 * scale), k * 150)):
            slide = prs.slides.add_slide(prs.slide_layouts[1])
            slide.shapes.title.text = p[:60]
            slide.placeholders[1].text = p
            slide.notes_slide.notes_text_frame.text = paras[(i * 7) % len(paras)]
        out.append(folder / f"talk{k}.pptx")
        prs.save(str(out[-1]))
    return out


def _rows(paras: list[str], n: int) -> list[list]:
    return [[i, f"Q{i % 4 + 1}", p[:40], p, i * 1.5] for i, p in enumerate(_take(paras, n))]


HEADER = ["Row", "Quarter", "Title", "Text", "Amount"]


def xlsx(folder: Path, paras: list[str], scale: float) -> list[Path]:
    from openpyxl import Workbook

    out = []
    for k in range(3):
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Data")
        sheet.append(HEADER)
        for row in _rows(paras, int(10_000 * scale)):
            sheet.append(row)
        out.append(folder / f"sheet{k}.xlsx")
        book.save(out[-1])
    return out


def xls(folder: Path, paras: list[str], scale: float) -> list[Path]:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Data")
    for c, h in enumerate(HEADER):
        sheet.write(0, c, h)
    for r, row in enumerate(_rows(paras, int(10_000 * scale)), 1):
        for c, value in enumerate(row):
            sheet.write(r, c, value[:32000] if isinstance(value, str) else value)
    book.save(str(folder / "old.xls"))
    return [folder / "old.xls"]


def ods(folder: Path, paras: list[str], scale: float) -> list[Path]:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table_ = Table(name="Data")
    for values in [HEADER, *_rows(paras, int(3000 * scale))]:
        row = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            row.addElement(cell)
        table_.addElement(row)
    doc.spreadsheet.addElement(table_)
    doc.save(str(folder / "calc.ods"))
    return [folder / "calc.ods"]


def csv_(folder: Path, paras: list[str], scale: float) -> list[Path]:
    path = folder / "data.csv"
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *_rows(paras, int(30_000 * scale))])
    return [path]


def epub(folder: Path, paras: list[str], scale: float) -> list[Path]:
    chapters = [_take(paras, int(200 * scale), k * 200) for k in range(20)]
    opf = (
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><manifest>'
        + "".join(
            f'<item id="c{n}" href="c{n}.xhtml" media-type="application/xhtml+xml"/>'
            for n in range(len(chapters))
        )
        + "</manifest><spine>"
        + "".join(f'<itemref idref="c{n}"/>' for n in range(len(chapters)))
        + "</spine></package>"
    )
    path = folder / "book.epub"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr(
            "META-INF/container.xml",
            '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/book.opf"/></rootfiles></container>',
        )
        z.writestr("OEBPS/book.opf", opf)
        for n, ps in enumerate(chapters):
            body = "".join(f"<p>{_esc(p)}</p>" for p in ps)
            z.writestr(
                f"OEBPS/c{n}.xhtml",
                f'<html xmlns="http://www.w3.org/1999/xhtml"><body><h1>Chapter {n}</h1>{body}'
                "</body></html>",
            )
    return [path]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rtf(folder: Path, paras: list[str], scale: float) -> list[Path]:
    out = []
    for k in range(2):
        body = "".join(
            "\\pard " + p.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}") + "\\par\n"
            for p in _take(paras, int(1500 * scale), k * 1500)
        )
        out.append(folder / f"letter{k}.rtf")
        out[-1].write_text(
            "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times;}}\n" + body + "}", "latin-1", "replace"
        )
    return out


def _message(n: int, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"], msg["From"] = f"Notes {n}", "writer@example.org"
    msg["Date"] = "Mon, 04 Mar 2024 08:00:00 +0000"
    msg.set_content(body)
    return msg


def mbox(folder: Path, paras: list[str], scale: float) -> list[Path]:
    path = folder / "box.mbox"
    box = mailbox.mbox(str(path))
    for n, p in enumerate(_take(paras, int(2000 * scale))):
        msg = _message(n, p)
        if n % 20 == 0:
            msg.add_attachment(p.encode() * 20, maintype="text", subtype="plain", filename="a.txt")
        box.add(msg)
    box.close()
    return [path]


def eml(folder: Path, paras: list[str], scale: float) -> list[Path]:
    out = []
    for n, p in enumerate(_take(paras, int(200 * scale), 500)):
        out.append(folder / f"m{n}.eml")
        out[-1].write_bytes(bytes(_message(n, p)))
    return out


def zip_(folder: Path, paras: list[str], scale: float) -> list[Path]:
    """Archives of real files, deflated: an R manual (its PDF) and notes of real text."""
    out = []
    for k, name in enumerate(("R-FAQ.pdf", "R-data.pdf")):
        out.append(folder / f"bundle{k}.zip")
        with zipfile.ZipFile(out[-1], "w", zipfile.ZIP_DEFLATED) as z:
            z.write(DOCS / "pdf" / name, f"manuals/{name}")
            for n in range(int(20 * scale)):
                z.writestr(f"notes/n{n}.txt", "\n\n".join(_take(paras, 50, (k * 20 + n) * 50)))
    return out


SAMPLES: dict[str, Builder] = {
    "odt": odt,
    "pptx": pptx,
    "xlsx": xlsx,
    "xls": xls,
    "ods": ods,
    "csv": csv_,
    "epub": epub,
    "rtf": rtf,
    "eml": eml,
    "mbox": mbox,
    "zip": zip_,
}

_CHILD = """
import json, sys, time
from desktop_search.core.extract.dispatch import extract_file
paths = sys.argv[1:]
extract_file(paths[0])  # imports the format's libraries: not part of the speed
t0 = time.perf_counter()
chars = sum(len(extract_file(p).text) for p in paths)
took = time.perf_counter() - t0
hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]
print(json.dumps({"seconds": took, "chars": chars, "rss_mb": int(hwm) // 1024}))
"""


def measure(paths: list[Path]) -> dict:
    """Extract ``paths`` in a fresh child (once untimed, for the imports, then timed); the
    peak RSS is the child's whole life's."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="sample sizes (1.0: a few MB)")
    ap.add_argument("--only", default="", help="comma-separated formats")
    args = ap.parse_args()
    paras = paragraphs()
    chosen = [f for f in SAMPLES if not args.only or f in args.only.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in chosen:
            folder = Path(tmp) / fmt
            folder.mkdir()
            paths = SAMPLES[fmt](folder, paras, args.scale)
            mb = sum(p.stat().st_size for p in paths) / 2**20
            peak = max(measure([p])["rss_mb"] for p in paths)  # one file per child
            m = measure(paths)
            rows.append(
                [
                    fmt,
                    len(paths),
                    f"{mb:.1f}",
                    f"{len(paths) / m['seconds']:.1f}",
                    f"{mb / m['seconds']:.2f}",
                    f"{m['chars'] / 1e6:.2f}",
                    peak,
                ]
            )
            print(fmt, rows[-1], flush=True)
    header = ["format", "files", "MB", "files/s", "MB/s", "M chars", "peak RSS MB (one file)"]
    print()
    print(table(rows, header))


if __name__ == "__main__":
    main()
