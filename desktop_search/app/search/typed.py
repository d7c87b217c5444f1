"""Filters typed in the search box (``type:pdf in:~/tax after:2024``), shown in the widgets.

The query's filters (``core.search.query_filters``) win over the widgets' choices field by field,
and the widgets show them: the type list picks the typed type (or shows it as an item of
its own), the folder list the typed folder, the date list the typed dates. Deleting the
words from the box puts a widget back to "all". What is not understood is a one-line hint
in the status bar; the rest of the query still runs.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt

from desktop_search.core.engine import Filters, Typed, read_query

TYPED_DATES = "typedDates"
MARK = Qt.ItemDataRole.UserRole + 1  # marks the date list's typed item


class TypedFilters:
    def __init__(self, window) -> None:
        self.win = window
        self.shown = Filters()
        self.hint = ""

    def read(self, text: str) -> Typed:
        """The query with its filters resolved against the index (a folder typed as it is
        shown is the folder's exact bytes), and shown in the widgets."""
        typed = read_query(text)
        ff = self.win.folder_filter
        f = typed.filters
        if f.folder or f.not_in:
            f.folder = (ff.indexed(f.folder) or f.folder) if f.folder else None
            f.not_in = tuple(ff.indexed(p) or p for p in f.not_in)
        self._show(f)
        return typed

    def tell(self, typed: Typed) -> None:
        """The first hint, once, in the status bar (a search runs with the rest)."""
        hint = typed.hints[0] if typed.hints else ""
        if hint and hint != self.hint:
            self.win.messages.warning(f"Search filter: {hint}")
        self.hint = hint

    def _show(self, f: Filters) -> None:
        w, old = self.win, self.shown
        if f.types != old.types:
            w.type_filter.show_typed(f.types)
        if f.folder != old.folder:
            w.folder_filter.blockSignals(True)
            if not w.folder_filter.set_folder(f.folder):
                w.folder_filter.set_folder(None)
            w.folder_filter.blockSignals(False)
        if (f.after, f.before) != (old.after, old.before):
            self._show_dates(f.after, f.before)
        self.shown = f

    def _show_dates(self, after: float | None, before: float | None) -> None:
        combo = self.win.date_filter
        combo.blockSignals(True)
        typed = combo.findData(TYPED_DATES, MARK)
        if typed >= 0:
            combo.removeItem(typed)
        if after is None and before is None:
            combo.setCurrentIndex(0)
        else:
            parts = [f"from {_day(after)}" if after is not None else ""]
            parts.append(f"before {_day(before)}" if before is not None else "")
            combo.addItem(" ".join(p for p in parts if p), None)
            combo.setItemData(combo.count() - 1, TYPED_DATES, MARK)
            combo.setCurrentIndex(combo.count() - 1)
        combo.blockSignals(False)


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d")
