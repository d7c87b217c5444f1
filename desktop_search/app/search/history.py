"""Recent and saved searches in the window (kept by ``core.search.searches`` in the data folder).

The search box completes from recent queries: a query counts once it was searched with
Enter or a result of it was opened, not at every keystroke. *Clear recent searches* empties
the list. *Save search…* keeps the query (typed filters included), the mode and the Type
and Folder choices under a name in the *Saved searches* side list; clicking one puts them
back and searches. The Modified list ("past week") is relative, so it is not saved: type
``after:2024-06`` in the query to keep a date.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QCompleter, QDockWidget, QInputDialog, QListWidget, QListWidgetItem

from desktop_search.app.common.list_rows import add_row
from desktop_search.core.engine import Filters, SavedSearch, Searches


class SearchHistory:
    def __init__(self, window) -> None:
        self.win = window
        self.store = Searches(window.data_dir)
        self.recent = QStringListModel(self.store.recent(), window)
        completer = QCompleter(self.recent, window)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        window.search_box.setCompleter(completer)
        window.search_box.returnPressed.connect(self.remember)
        window.results_view.activated.connect(lambda _i: self.remember())

        self.list = QListWidget()
        self.list.setObjectName("savedSearches")
        self.list.itemActivated.connect(self._apply)
        self.list.itemClicked.connect(self._apply)
        self.dock = QDockWidget("Saved searches", window)
        self.dock.setObjectName("savedSearchesDock")
        self.dock.setWidget(self.list)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        menu = window.search_menu
        menu.addSeparator()
        save = menu.addAction("Save search…", self.ask_to_save)
        save.setShortcut(QKeySequence("Ctrl+S"))
        menu.addAction("Delete saved search", self.delete_current)
        menu.addAction("Clear recent searches", self.clear_recent)
        menu.addAction(self.dock.toggleViewAction())
        self._fill()

    def remember(self) -> None:
        query = self.win.search_box.text().strip()
        if query:
            self._safely(lambda: self.store.remember(query))
            self.recent.setStringList(self.store.recent())

    def clear_recent(self) -> None:
        self._safely(self.store.clear_recent)
        self.recent.setStringList([])
        self.win.messages.info("Recent searches cleared")

    def ask_to_save(self) -> None:
        name, ok = QInputDialog.getText(self.win, "Save search", "Name:")
        if ok and name.strip():
            self.save(name.strip())

    def save(self, name: str) -> None:
        w = self.win
        filters = Filters(types=w.type_filter.suffixes(), folder=w.folder_filter.folder())
        search = SavedSearch(name, w.search_box.text().strip(), w.mode, filters)
        self._safely(lambda: self.store.save(search))
        self._fill()

    def delete_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._safely(lambda: self.store.delete(item.text()))
            self._fill()

    def _fill(self) -> None:
        self.list.clear()
        for s in self.store.saved():
            add_row(self.list, s.name, tooltip=f"{s.query} · {s.mode}")

    def _apply(self, item: QListWidgetItem) -> None:
        try:
            s = self.store.get(item.text())
        except Exception as exc:  # a file changed by the CLI meanwhile
            self.win.messages.warning(str(exc))
            self._fill()
            return
        w = self.win
        for combo in (w.mode_selector, w.folder_filter):
            combo.blockSignals(True)
        w.mode_selector.setCurrentIndex(max(0, w.mode_selector.findData(s.mode)))
        w.settings.mode = s.mode
        w.type_filter.show_typed(s.filters.types)
        if not w.folder_filter.set_folder(s.filters.folder):
            w.folder_filter.set_folder(None)
        for combo in (w.mode_selector, w.folder_filter):
            combo.blockSignals(False)
        w.search(s.query)

    def _safely(self, write) -> None:
        """Writes to the data folder; a read-only one says so in the status bar."""
        try:
            write()
        except OSError as exc:
            self.win.messages.warning(f"Cannot keep searches in {self.store.path.parent}: {exc}")
