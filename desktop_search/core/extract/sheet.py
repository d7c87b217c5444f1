"""Spreadsheets (.xlsx, .xls, .ods) and delimited text (.csv, .tsv), row by row.

Workbooks are read by python-calamine (Rust; openpyxl needs about 50x the file's size in
memory), in a child process with a time and memory limit (see ``workbook_text``). Each sheet is a span. A row is written as "Header: value | Header: value" when the
sheet's first row is a header, so that every passage carries the column names its values
belong to ("Q3 travel costs for Berlin" finds the row whose City is Berlin); otherwise its
cells are tab-separated. Zip-based workbooks pass ``zipsafe`` first, and rows and cells are
capped: calamine holds a whole sheet in memory, so the unpacked size is what bounds it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence

from desktop_search.core.errors import ExtractionError

from .child import run_child
from .extracted import Extracted, join_spans
from .zipsafe import open_zip

MAX_ROWS = 100_000  # all sheets together
MAX_CELLS = 1_000_000  # non-empty cells, all sheets together
MAX_UNPACKED = 100 * 1024 * 1024  # a zip-based workbook's parts, as declared
MAX_XLS_BYTES = 64 * 1024 * 1024
MAX_SHEETS = 1_000
TIME_LIMIT_S = 60.0
MEMORY_LIMIT = 1024 * 1024 * 1024  # the reader child's address space


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


def workbook_text(data: bytes, suffix: str, time_limit: float = TIME_LIMIT_S) -> Extracted:
    """``suffix`` is "xlsx", "xls" or "ods"; each sheet becomes a span.

    calamine runs in a child process with an address-space limit: it allocates a sheet's
    whole bounding box at once, so a 5 KB file with cells at A1 and XFD1048576 asks for
    hundreds of GB, and Rust aborts the process (no exception to catch) when that fails.
    The child sends the rows back as JSON lines."""
    what = f".{suffix} spreadsheet"
    if suffix == "xls":
        if len(data) > MAX_XLS_BYTES:
            raise ExtractionError(f"the {what} is larger than {MAX_XLS_BYTES // 2**20} MB")
    else:
        archive = open_zip(data, what)
        if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED:
            raise ExtractionError(f"the {what} expands to more than {MAX_UNPACKED // 2**20} MB")
    done = run_child(_CHILD, data, time_limit, late=f"the {what}", reader="spreadsheet")
    if done.returncode != 0:
        if b"memory allocation" in done.stderr or b"MemoryError" in done.stderr:
            raise ExtractionError(f"the {what} needs too much memory to read (a sparse sheet?)")
        raise ExtractionError(f"corrupt {what}: its reader stopped (exit {done.returncode})")
    budget = _Budget()
    pieces: list[tuple[str, int | None, str | None, str | None]] = []
    sheet: _SheetText | None = None
    name = ""
    for line in done.stdout.splitlines():
        item = json.loads(line)
        if isinstance(item, list):
            if sheet is not None:
                sheet.add(item)
        elif "sheets" in item and item["sheets"] > MAX_SHEETS:
            raise ExtractionError(f"the {what} has more than {MAX_SHEETS:,} sheets")
        elif "error" in item:
            raise ExtractionError(_why(item["error"], item["message"], what))
        elif "sheet" in item:
            if sheet is not None:
                pieces.append((sheet.text(), len(pieces) + 1, "sheet", name))
            sheet, name = _SheetText(budget), item["sheet"]
    if sheet is not None:
        pieces.append((sheet.text(), len(pieces) + 1, "sheet", name))
    return join_spans(pieces, "sheet")


_CHILD = f"""
import datetime as dt, io, json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))
from python_calamine import CalamineWorkbook
out = sys.stdout

def cell(v):
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    return v

try:
    book = CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))
    names = list(book.sheet_names)
    out.write(json.dumps({{"sheets": len(names)}}) + "\\n")
    left = {MAX_ROWS} + 1
    for i, name in enumerate(names[:{MAX_SHEETS}]):
        out.write(json.dumps({{"sheet": name}}) + "\\n")
        for row in book.get_sheet_by_index(i).iter_rows():
            out.write(json.dumps([cell(v) for v in row]) + "\\n")
            left -= 1
            if left < 0:
                sys.exit(0)
except Exception as exc:
    out.write(json.dumps({{"error": type(exc).__name__, "message": str(exc)[:200]}}) + "\\n")
"""


def _why(name: str, message: str, what: str) -> str:
    if name == "PasswordError" or "password" in message.lower():
        return f"the {what} is protected by a password"
    return f"corrupt {what}: {name}: {message}"[:300]


def delimited_text(text: str, tab: bool) -> Extracted:
    """A CSV or TSV file already decoded; the delimiter is sniffed from its start."""
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters="\t" if tab else ",;\t|")
        delimiter, quote = dialect.delimiter, dialect.quotechar or '"'
    except csv.Error:
        delimiter, quote = ("\t" if tab else ","), '"'
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote)
    sheet = _SheetText(_Budget())
    try:
        for row in reader:
            sheet.add(row)
    except csv.Error as exc:
        raise ExtractionError(f"malformed {'TSV' if tab else 'CSV'} file: {exc}"[:300]) from exc
    return join_spans([(sheet.text(), None, None, None)], "csv")


class _SheetText:
    """One sheet's text, a row at a time: "Header: value | ..." under a header row."""

    def __init__(self, budget: _Budget) -> None:
        self.budget, self.lines = budget, []
        self.header: list[str] | None = None
        self.first = True

    def add(self, row: Sequence) -> None:
        cells = [_cell(v) for v in row]
        filled = sum(1 for c in cells if c)
        self.budget.take(filled)
        if not filled:
            return
        if self.first:
            self.first = False
            if all(isinstance(v, str) or v is None for v in row):
                self.header = cells
                self.lines.append(" | ".join(c for c in cells if c))
                return
        if self.header:
            head = self.header
            self.lines.append(
                " | ".join(
                    f"{head[i]}: {c}" if i < len(head) and head[i] else c
                    for i, c in enumerate(cells)
                    if c
                )
            )
        else:
            self.lines.append("\t".join(cells).rstrip("\t"))

    def text(self) -> str:
        return "\n".join(self.lines)


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
