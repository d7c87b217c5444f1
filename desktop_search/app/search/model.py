"""Search results as a two-level item model: files, and under each its other matching passages.

A file row shows the file's best passage; its children show the rest. Everything the
delegate paints comes out of custom roles, computed once per result set (no I/O here).
"""

from __future__ import annotations

import html
import os
from datetime import datetime

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

from desktop_search.app.common.icons import file_icon
from desktop_search.core.engine import snippet_window
from desktop_search.core.sanitize import display_name

ROLE_PATH = Qt.ItemDataRole.UserRole + 1  # as shown; the exact path is ``path_at(index)``
ROLE_HIT = Qt.ItemDataRole.UserRole + 2
ROLE_SNIPPET_HTML = Qt.ItemDataRole.UserRole + 3
ROLE_SCORE = Qt.ItemDataRole.UserRole + 4  # 0..1, absolute: how well it matches
ROLE_FOLDER = Qt.ItemDataRole.UserRole + 5
ROLE_MODIFIED = Qt.ItemDataRole.UserRole + 6
ROLE_IS_FILE = Qt.ItemDataRole.UserRole + 7
ROLE_PAGE = Qt.ItemDataRole.UserRole + 8
ROLE_RESULT = Qt.ItemDataRole.UserRole + 9
ROLE_MORE = Qt.ItemDataRole.UserRole + 10  # further matching passages in this file


def path_at(index: QModelIndex) -> str | None:
    """The exact path of a result row. Read through the result object: a path in a Qt
    string loses the bytes of a file name that is not UTF-8 (Latin-1 archives)."""
    result = index.data(ROLE_RESULT) if index.isValid() else None
    return result.path if result is not None else None


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

    def _locate(self, index) -> tuple[_FileRow | None, int]:
        """(file row, passage number) for an index."""
        if not index.isValid():
            return None, -1
        if index.internalId() == 0:
            row = self._rows[index.row()] if index.row() < len(self._rows) else None
            return row, 0
        frow = index.internalId() - 1
        if frow >= len(self._rows):
            return None, -1
        return self._rows[frow], index.row() + 1

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        row, n = self._locate(index)
        if row is None or n >= len(row.result.passages) or n < 0:
            return None
        hit = row.result.passages[n]
        is_file = n == 0
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name if is_file else f"{row.name}: {hit.text[:80]}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return display_name(row.result.path)
        if role == Qt.ItemDataRole.DecorationRole:
            if not is_file:
                return None
            if row.icon is None:
                row.icon = file_icon(row.result.path)
            return row.icon
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.name} in {row.folder}, modified {row.modified}"
        if role == ROLE_PATH:
            return display_name(row.result.path)
        if role == ROLE_HIT:
            return hit
        if role == ROLE_RESULT:
            return row.result
        if role == ROLE_SNIPPET_HTML:
            return row.snippets[n]
        if role == ROLE_SCORE:
            return row.score if is_file else max(0.0, min(1.0, hit.score))
        if role == ROLE_FOLDER:
            return row.folder
        if role == ROLE_MODIFIED:
            return row.modified
        if role == ROLE_IS_FILE:
            return is_file
        if role == ROLE_PAGE:
            return hit.page
        if role == ROLE_MORE:
            return row.result.more if is_file else 0
        return None
