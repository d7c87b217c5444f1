"""The search side of the window: queries as you type, results, preview, banner, empty state.

The window owns the widgets; this object reacts to them and to the controller's search
signals, so that ``MainWindow`` stays a view that only arranges things.
"""

from __future__ import annotations

import html
import time

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject

from desktop_search.core.engine import Filters

from .model import entry_at, path_at
from .typed import TypedFilters

#: while a sync runs, a shown result list is refreshed at most this often (seconds)
LIVE_REFRESH_S = 4.0
#: while a sync runs, the filters' types and folders are read again at most this often
FACETS_EVERY_S = 10.0


class SearchView(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.win = window
        self.search_req = 0
        self.shown_query = ""
        self.searched = False
        self.live = False
        self.last_live_refresh = 0.0
        self.last_search_seconds: float | None = None
        self.typed = TypedFilters(window)
        w, c = window, window.controller
        w.search_box.textChanged.connect(self._on_text_changed)
        w.search_box.returnPressed.connect(self._on_return)
        w.mode_selector.currentIndexChanged.connect(self._on_mode_changed)
        for combo in (w.type_filter, w.date_filter):
            combo.currentIndexChanged.connect(lambda _=0: self.search_now())
        w.folder_filter.folderChanged.connect(self.search_now)
        w.folder_filter.set_folders(list(w.settings.folders))
        self._facets_key: tuple | None = None
        self._facets_at = 0.0
        c.ready.connect(self._refresh_facets)
        c.statsChanged.connect(lambda _s: self._refresh_facets())
        c.indexingFinished.connect(lambda _r: self._refresh_facets(force=True))
        c.facetsLoaded.connect(self._on_facets)
        w.results_view.selectionModel().currentChanged.connect(self._on_current_changed)
        w.empty.actionClicked.connect(self._on_empty_action)
        c.searchResults.connect(self._on_results)
        c.searchRefined.connect(self._on_refined)
        c.searchFailed.connect(self._on_search_failed)
        c.previewLoaded.connect(w.preview.show_document)

    def _on_text_changed(self, text: str) -> None:
        self.typed.read(text)  # the widgets show typed filters as they are typed
        if not text.strip():
            self.win.throttle.cancel()
            self.clear_results()
            return
        self.win.throttle(text)

    def _on_return(self) -> None:
        if self.win.throttle.pending:
            self.win.throttle.flush()
        else:
            self.search_now()

    def _on_mode_changed(self, index: int) -> None:
        self.win.settings.mode = self.win.mode_selector.itemData(index)
        if 0 <= index < len(self.win.mode_actions):
            self.win.mode_actions[index].setChecked(True)
        self.search_now()

    def search_now(self) -> None:
        self.win.throttle.cancel()
        self.run_search(self.win.search_box.text())

    def _widget_filters(self) -> Filters:
        days = self.win.date_filter.currentData()
        return Filters(
            types=self.win.type_filter.suffixes(),
            folder=self.win.folder_filter.folder(),
            after=time.time() - days * 86400 if days else None,
        )

    def _filters_active(self) -> bool:
        return self._widget_filters().active() or self.typed.shown.active()

    def run_search(self, text: str, *, live: bool = False) -> None:
        typed = self.typed.read(text)
        if not live:
            self.typed.tell(typed)
        query = typed.text.strip()
        if not query:
            self.clear_results()
            return
        filters = self._widget_filters().merged(typed.filters)
        self.search_req = self.win.controller.search(
            query,
            self.win.mode,
            refine=not live,
            rerank=self.win.settings.rerank and not live,
            **vars(filters),
        )
        self.live = live
        if not live:
            self.win.result_info.setText(
                "Searching…" if self.win.controller.is_ready else "Opening the index…"
            )

    def clear_results(self) -> None:
        self.search_req = self.win.controller.search(
            "", self.win.mode
        )  # makes any running search stale
        self.searched = False
        self.shown_query = ""
        self.win.model.clear()
        self.win.preview.clear()
        self.win.result_info.setText("")
        self.update_empty()

    def _on_results(self, outcome) -> None:
        if outcome.request.id != self.search_req:
            return
        live = self.live
        if live and self._same_results(outcome.results):
            return  # nothing new: keep the list (and its selection and expansion) as it is
        keep = path_at(self.win.results_view.currentIndex()) if live else None
        self.searched = True
        self.shown_query = outcome.request.query
        self.last_search_seconds = outcome.seconds
        self.win.model.set_results(outcome.results, outcome.request.query)
        n = len(outcome.results)
        self.win.result_info.setText(
            f"{n} file{'s' if n != 1 else ''} · {outcome.seconds * 1000:.0f} ms" if n else ""
        )
        self.update_empty()
        self.update_banner()
        if n:
            paths = self.win.model.paths()
            row = paths.index(keep) if keep in paths else 0
            self.win.results_view.setCurrentIndex(self.win.model.index(row, 0))
            self.win.results_view.selectionModel().select(
                self.win.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        else:
            self.win.preview.clear()

    def _same_results(self, results) -> bool:
        shown = [(r.path, [h.id for h in r.passages]) for r in self.win.model.results()]
        return shown == [(r.path, [h.id for h in r.passages]) for r in results]

    def _on_refined(self, outcome) -> None:
        if outcome.request.id != self.search_req:
            return
        self.win.model.update_highlights(outcome.results)
        self._on_current_changed(self.win.results_view.currentIndex(), QModelIndex())

    def _on_search_failed(self, req_id: int, message: str) -> None:
        if req_id == self.search_req:
            self.win.result_info.setText("")
            self.win.messages.warning(f"Search failed: {message}", 8000)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        entry = entry_at(current)
        if entry is None:
            return
        path = entry.result.path
        self.win.preview.show_result(path, entry.hit, entry.result.mtime)
        self.win.controller.preview(path, entry.hit, self.shown_query)

    def live_refresh(self, force: bool = False) -> None:
        """Re-run the shown search so that newly indexed files appear in it."""
        if not self.win.search_box.text().strip():
            return
        now = time.monotonic()
        if force or now - self.last_live_refresh >= LIVE_REFRESH_S:
            self.last_live_refresh = now
            self.run_search(self.win.search_box.text(), live=True)

    def update_banner(self) -> None:
        c = self.win.controller
        results = self.win.model.results()
        weak = bool(results and self.shown_query and all(r.weak for r in results))
        if c.indexing and self.shown_query:
            files = int(c.stats.get("files", 0))
            p = c.last_progress
            total = (
                f" (this run: {p.files_done:,} of {p.files_total:,} files)"
                if p and p.files_total
                else ""
            )
            self.win.banner.setText(
                f"Indexing is still under way: these results cover the {files:,} files "
                f"indexed so far{total}. They refresh as more files are indexed."
                + (" None of them matches well yet." if weak else "")
            )
            self.win.banner.show()
        elif weak:
            self.win.banner.setText(
                f"No good matches for “{html.escape(self.shown_query)}”. The closest passages "
                "are below; their short bars say how loosely they match. Try other words."
            )
            self.win.banner.show()
        else:
            self.win.banner.hide()

    def update_empty(self) -> None:
        c = self.win.controller
        files = int(c.stats.get("files", 0))
        query = self.win.search_box.text().strip()
        show_results = False
        if c.error and not c.is_ready:
            self.win.empty.show_state("error", detail=c.error)
        elif not c.is_ready:
            self.win.empty.show_state("loading")
        elif not c.roots and c.job is None and not query:
            self.win.empty.show_state("no_folders")
        elif not query or not self.searched:
            self.win.empty.show_state("indexing" if c.indexing else "ready", files=files)
            show_results = bool(query) and self.win.model.file_count() > 0
        elif self.win.model.file_count() == 0:
            if c.indexing and not files:
                self.win.empty.show_state("indexing", files=files)
            else:
                self.win.empty.show_state(
                    "no_results",
                    query=self.shown_query,
                    detail="filtered" if self._filters_active() else "",
                )
        else:
            show_results = True
        if show_results:
            self.win.empty.state = "results"
        self.win.stack.setCurrentWidget(self.win.results_view if show_results else self.win.empty)
        self.update_banner()

    def _on_empty_action(self, action: str) -> None:
        if action == "folders":
            self.win.show_folder_wizard()
        elif action == "clear_filters":
            typed = self.typed.read(self.win.search_box.text())
            if typed.filters.active():  # the typed ones go from the box
                self.win.search_box.blockSignals(True)
                self.win.search_box.setText(typed.text)
                self.win.search_box.blockSignals(False)
                self.typed.read(typed.text)
            for combo in (self.win.type_filter, self.win.folder_filter, self.win.date_filter):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self.win.folder_filter.blockSignals(True)
            self.win.folder_filter.set_folder(None)
            self.win.folder_filter.blockSignals(False)
            self.search_now()

    # -- the filters' choices ---------------------------------------------------------------

    def _refresh_facets(self, force: bool = False) -> None:
        """Ask for the index's types and folders when its files changed: at once when idle,
        at most every ``FACETS_EVERY_S`` while a sync adds files, and when a job ends."""
        c = self.win.controller
        key = (int(c.stats.get("files", 0)), tuple(c.roots))
        now = time.monotonic()
        if not force and (
            key == self._facets_key or (c.indexing and now - self._facets_at < FACETS_EVERY_S)
        ):
            return
        if c.is_ready:
            self._facets_key, self._facets_at = key, now
            c.refresh_facets()

    def _on_facets(self, facets) -> None:
        self.win.type_filter.set_counts(facets.types)
        self.win.folder_filter.set_folders(facets.folders, self.win.controller.roots)
