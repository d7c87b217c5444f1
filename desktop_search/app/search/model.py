"""Search results as a two-level item model: files, and under each its other matching passages.

A file row shows the file's best passage; its children show the rest. Everything the
delegate paints is computed once per result set (no I/O here) and read through ``entry_at``.
"""

from __future__ import annotations

import html
import os
from datetime import datetime
from typing import NamedTuple

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

from desktop_search.app.common.icons import file_icon
from desktop_search.core.engine import snippet_window
from desktop_search.core.sanitize import display_name


def entry_at(index: QModelIndex) -> Entry | None:
    """The row behind a results index, read by a plain Python call on the model rather than
    through ``QModelIndex.data()``: that converts every value through a QVariant, and a binding
    that leaks a reference to ``None`` per empty value would leak on every repaint (issue 23)."""
    model = index.model() if index.isValid() else None
    return model.entry(index) if isinstance(model, ResultsModel) else None


def path_at(index: QModelIndex) -> str | None:
    """The exact path of a result row. Read through the result object: a path in a Qt
    string loses the bytes of a file name that is not UTF-8 (Latin-1 archives)."""
    entry = entry_at(index)
    return entry.result.path if entry is not None else None


_ROOT = QModelIndex()

MARK_OPEN = '<span style="background-color:#ffe27a; color:#1b1f24; font-weight:600;">'
MARK_CLOSE = "</span>"


def snippet_html(text: str, spans: list[tuple[int, int]], width: int = 260) -> str:
    """About ``width`` characters around the first highlight, highlights marked, one line."""
    s, e = snippet_window(text, spans, width)
    out, pos = [], s
    for a, b in sorted(spans):
        a, b = max(a, s), min(b, e)
        if a >= b or a < pos:
            continue
        out += [html.escape(text[pos:a]), MARK_OPEN, html.escape(text[a:b]), MARK_CLOSE]
        pos = b
    out.append(html.escape(text[pos:e]))
    body = " ".join("".join(out).split())
    return ("… " if s > 0 else "") + body + (" …" if e < len(text) else "")


def format_modified(ts: float) -> str:
    try:
        dt = datetime.fromtimestamp(ts)
    except (OverflowError, OSError, ValueError):
        return ""
    now = datetime.now()
    if dt.date() == now.date():
        return "today " + dt.strftime("%H:%M")
    if dt.year == now.year:
        return dt.strftime("%d %b")
    return dt.strftime("%d %b %Y")


class _FileRow:
    __slots__ = ("result", "name", "folder", "modified", "score", "snippets", "icon")

    def __init__(self, result) -> None:
        self.result = result
        self.name = display_name(os.path.basename(result.path))
        self.folder = display_name(os.path.dirname(result.path))
        self.modified = format_modified(result.mtime)
        self.score = max(0.0, min(1.0, result.score))
        self.snippets = [snippet_html(h.text, h.highlights) for h in result.passages]
        self.icon = None


class Entry(NamedTuple):
    """One row as the delegate and the views read it: a file row (``n == 0``, its lead
    passage) or one of its other passages."""

    file: _FileRow
    n: int

    @property
    def is_file(self) -> bool:
        return self.n == 0

    @property
    def result(self):
        return self.file.result

    @property
    def hit(self):
        return self.file.result.passages[self.n]

    @property
    def snippet(self) -> str:
        return self.file.snippets[self.n]

    @property
    def score(self) -> float:
        return self.file.score if self.is_file else max(0.0, min(1.0, self.hit.score))

    @property
    def more(self) -> int:
        return self.file.result.more if self.is_file else 0

    @property
    def span(self) -> str | None:
        """Where the passage stands: "page 7", "slide 7", "sheet Costs", a subject..."""
        return self.hit.span.text() if self.hit.span else None

    @property
    def title(self) -> str:
        return self.file.name if self.is_file else f"{self.file.name}: {self.hit.text[:80]}"

    def icon(self):
        """The file's icon, made on first use (file rows only)."""
        if not self.is_file:
            return None
        if self.file.icon is None:
            self.file.icon = file_icon(self.file.result.path)
        return self.file.icon


class ResultsModel(QAbstractItemModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[_FileRow] = []
        self.query = ""

    # -- content -----------------------------------------------------------------------

    def set_results(self, results: list, query: str = "") -> None:
        self.beginResetModel()
        self._rows = [_FileRow(r) for r in results]
        self.query = query
        self.endResetModel()

    def update_highlights(self, results: list) -> None:
        """Same results, better highlights (the best-sentence pass): repaint, keep selection."""
        by_path = {r.path: r for r in results}
        for n, row in enumerate(self._rows):
            fresh = by_path.get(row.result.path)
            if fresh is None:
                continue
            row.result = fresh
            row.snippets = [snippet_html(h.text, h.highlights) for h in fresh.passages]
            idx = self.index(n, 0)
            self.dataChanged.emit(idx, idx)
            kids = len(fresh.passages) - 1
            if kids > 0:
                self.dataChanged.emit(self.index(0, 0, idx), self.index(kids - 1, 0, idx))

    def clear(self) -> None:
        self.set_results([], "")

    def file_count(self) -> int:
        return len(self._rows)

    def results(self) -> list:
        return [r.result for r in self._rows]

    def paths(self) -> list[str]:
        return [r.result.path for r in self._rows]

    # -- structure ---------------------------------------------------------------------

    def index(self, row: int, column: int = 0, parent=_ROOT) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0) if row < len(self._rows) else QModelIndex()
        if parent.internalId() != 0:
            return QModelIndex()
        frow = parent.row()
        if frow >= len(self._rows) or row >= len(self._rows[frow].result.passages) - 1:
            return QModelIndex()
        return self.createIndex(row, 0, frow + 1)

    def parent(self, index=_ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent=_ROOT) -> int:
        if not parent.isValid():
            return len(self._rows)
        if parent.column() != 0 or parent.internalId() != 0 or parent.row() >= len(self._rows):
            return 0
        return max(0, len(self._rows[parent.row()].result.passages) - 1)

    def columnCount(self, parent=_ROOT) -> int:
        return 1

    def hasChildren(self, parent=_ROOT) -> bool:
        return self.rowCount(parent) > 0

    def flags(self, index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- data --------------------------------------------------------------------------

    def entry(self, index) -> Entry | None:
        """The row behind an index, or None for one that is stale or invalid."""
        if not index.isValid():
            return None
        if index.internalId() == 0:
            frow, n = index.row(), 0
        else:
            frow, n = index.internalId() - 1, index.row() + 1
        if frow >= len(self._rows) or not 0 <= n < len(self._rows[frow].result.passages):
            return None
        return Entry(self._rows[frow], n)

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        """Qt's views and accessibility read the roles; the app's own code reads ``entry``."""
        e = self.entry(index)
        if e is None:
            return None
        row = e.file
        if role == Qt.ItemDataRole.DisplayRole:
            return e.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return display_name(row.result.path)
        if role == Qt.ItemDataRole.DecorationRole:
            return e.icon()
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.name} in {row.folder}, modified {row.modified}"
        return None
