"""Spreadsheets (.xlsx, .xls, .ods) and delimited text (.csv, .tsv), row by row.

Workbooks are read by python-calamine (Rust; openpyxl needs about 50x the file's size in
memory). Each sheet is a span. A row is written as "Header: value | Header: value" when the
sheet's first row is a header, so that every passage carries the column names its values
belong to ("Q3 travel costs for Berlin" finds the row whose City is Berlin); otherwise its
cells are tab-separated. Zip-based workbooks pass ``zipsafe`` first, and rows and cells are
capped: calamine holds a whole sheet in memory, so the unpacked size is what bounds it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from desktop_search.core.errors import ExtractionError

from .extracted import Extracted, join_spans
from .zipsafe import open_zip

MAX_ROWS = 100_000  # all sheets together
MAX_CELLS = 1_000_000  # non-empty cells, all sheets together
MAX_UNPACKED = 100 * 1024 * 1024  # a zip-based workbook's parts, as declared
MAX_XLS_BYTES = 64 * 1024 * 1024
MAX_SHEETS = 1_000


class _Budget:
    def __init__(self) -> None:
        self.rows, self.cells = MAX_ROWS, MAX_CELLS

    def take(self, cells: int) -> None:
        self.rows -= 1
        self.cells -= cells
        if self.rows < 0:
            raise ExtractionError(f"the spreadsheet has more than {MAX_ROWS:,} rows")
        if self.cells < 0:
            raise ExtractionError(f"the spreadsheet has more than {MAX_CELLS:,} cells")


def workbook_text(data: bytes, suffix: str) -> Extracted:
    """``suffix`` is "xlsx", "xls" or "ods"; each sheet becomes a span."""
    from python_calamine import CalamineWorkbook

    what = f".{suffix} spreadsheet"
    if suffix == "xls":
        if len(data) > MAX_XLS_BYTES:
            raise ExtractionError(f"the {what} is larger than {MAX_XLS_BYTES // 2**20} MB")
    else:
        archive = open_zip(data, what)
        if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED:
            raise ExtractionError(f"the {what} expands to more than {MAX_UNPACKED // 2**20} MB")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
    except Exception as exc:  # calamine's errors: zip, XML, password, a damaged xls
        raise ExtractionError(_why(exc, what)) from exc
    if len(names) > MAX_SHEETS:
        raise ExtractionError(f"the {what} has more than {MAX_SHEETS:,} sheets")
    budget = _Budget()
    pieces = []
    for n, name in enumerate(names, 1):
        try:
            rows = book.get_sheet_by_index(n - 1).to_python(skip_empty_area=True)
        except Exception as exc:
            raise ExtractionError(_why(exc, what)) from exc
        pieces.append((rows_text(rows, budget), n, "sheet", name))
    return join_spans(pieces, "sheet")


def _why(exc: Exception, what: str) -> str:
    name = type(exc).__name__
    if name == "PasswordError" or "password" in str(exc).lower():
        return f"the {what} is protected by a password"
    return f"corrupt {what}: {name}: {exc}"[:300]


def delimited_text(text: str, tab: bool) -> Extracted:
    """A CSV or TSV file already decoded; the delimiter is sniffed from its start."""
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters="\t" if tab else ",;\t|")
        delimiter, quote = dialect.delimiter, dialect.quotechar or '"'
    except csv.Error:
        delimiter, quote = ("\t" if tab else ","), '"'
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote)
    try:
        body = rows_text(reader, _Budget())
    except csv.Error as exc:
        raise ExtractionError(f"malformed {'TSV' if tab else 'CSV'} file: {exc}"[:300]) from exc
    return join_spans([(body, None, None, None)], "csv")


def rows_text(rows: Iterable[Sequence], budget: _Budget) -> str:
    lines: list[str] = []
    header: list[str] | None = None
    first = True
    for row in rows:
        cells = [_cell(v) for v in row]
        filled = sum(1 for c in cells if c)
        budget.take(filled)
        if not filled:
            continue
        if first:
            first = False
            if all(isinstance(v, str) or v is None or v == "" for v in row):
                header = cells
                lines.append(" | ".join(c for c in cells if c))
                continue
        if header:
            lines.append(
                " | ".join(
                    f"{header[i]}: {c}" if i < len(header) and header[i] else c
                    for i, c in enumerate(cells)
                    if c
                )
            )
        else:
            lines.append("\t".join(cells).rstrip("\t"))
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return " ".join(str(value).split())
