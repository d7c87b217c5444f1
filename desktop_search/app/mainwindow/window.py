"""The main window: it arranges the widgets and hands them to the objects that run them
(the views of each feature, and ``AppController`` for the jobs). Status-bar text arrives
through the ``MessageBridge``. No SQLite, encoder, hnswlib or extraction call ever runs on
this (the GUI) thread."""

from __future__ import annotations

import os

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QTabWidget,
)

from desktop_search import __version__
from desktop_search.app.adapt.view import AdaptView
from desktop_search.app.common.desktop import open_file, reveal_in_folder
from desktop_search.app.common.heap import settle_heap
from desktop_search.app.common.icons import app_icon
from desktop_search.app.duplicates.tab import DuplicatesTab
from desktop_search.app.indexing.problems import ProblemsDialog
from desktop_search.app.indexing.view import IndexingView
from desktop_search.app.related.view import RelatedView
from desktop_search.app.search.history import SearchHistory
from desktop_search.app.search.mail_open import MessageOpener
from desktop_search.app.search.model import entry_at, path_at
from desktop_search.app.search.page import MODES, SearchPage
from desktop_search.app.search.throttle import Throttle
from desktop_search.app.search.view import SearchView
from desktop_search.app.wizard.dialog import FolderWizard
from desktop_search.core.blas import find_blas
from desktop_search.core.engine import resolve_data_dir
from desktop_search.core.sanitize import display_name

from .controller import AppController
from .messages import MessageBridge
from .status import AppStatusBar

TYPING_DELAY_MS = 250


class MainWindow(QMainWindow):
    def __init__(
        self,
        data_dir=None,
        *,
        encoder=None,
        model_path=None,
        open_wizard: bool = True,
        watch_quiet_s: float = 0.75,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = resolve_data_dir(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Desktop Search")
        self.setWindowIcon(app_icon())
        self.messages = MessageBridge(self)
        self.mail_opener = MessageOpener(self)
        self.controller = AppController(
            self.data_dir,
            encoder=encoder,
            model_path=model_path,
            messages=self.messages,
            watch_quiet_s=watch_quiet_s,
            parent=self,
        )
        self.settings = self.controller.settings
        self.open_wizard_on_first_run = open_wizard
        self.wizard: FolderWizard | None = None
        self._closing = False
        self._closed = False
        self._wizard_checked = False

        self._build()
        self.search_view = SearchView(self)
        self.indexing_view = IndexingView(self)
        self.adapt_view = AdaptView(self)
        self.history = SearchHistory(self)
        self._connect()
        self._restore()
        self.search_view.update_empty()
        self._update_status()
        find_blas()  # while the window's process runs alone (see core.blas)
        self.controller.start()
        settle_heap()

    # -- building ----------------------------------------------------------------------

    def _build(self) -> None:
        page = SearchPage(self)
        self.search_box = page.search_box
        self.mode_selector = page.mode_selector
        self.type_filter = page.type_filter
        self.folder_filter = page.folder_filter
        self.date_filter = page.date_filter
        self.result_info = page.result_info
        self.progress_panel = page.progress_panel
        self.banner = page.banner
        self.model = page.model
        self.results_view = page.results_view
        self.empty = page.empty
        self.stack = page.stack
        self.preview = page.preview
        self.splitter = page.splitter
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabBarAutoHide(True)
        self.tabs.addTab(page, "Search")
        self.duplicates_tab = DuplicatesTab(self)
        self.setCentralWidget(self.tabs)
        self.related_view = RelatedView(self)

        self.status = AppStatusBar()
        self.setStatusBar(self.status)
        self.problems_dialog = ProblemsDialog(self)
        self._build_menus()
        self.throttle = Throttle(
            lambda text: self.search_view.run_search(text), TYPING_DELAY_MS, self
        )
        self.resize(1180, 760)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.manage_action = file_menu.addAction("Manage folders…", self.show_folder_wizard)
        self.manage_action.setObjectName("manageFoldersAction")
        self.manage_action.setShortcut(QKeySequence("Ctrl+,"))
        self.reindex_action = file_menu.addAction(
            "Re-index all folders", lambda: self.controller.reindex()
        )
        self.reindex_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        file_menu.addSeparator()
        self.problems_action = file_menu.addAction("Problems…", self.show_problems)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("Quit", self.close)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)

        search_menu = self.search_menu = bar.addMenu("&Search")
        focus = search_menu.addAction("Find…", self.focus_search)
        focus.setShortcuts([QKeySequence("Ctrl+L"), QKeySequence.StandardKey.Find])
        search_menu.addSeparator()
        group = QActionGroup(self)
        self.mode_actions: list[QAction] = []
        for n, (label, _key, tip) in enumerate(MODES):
            act = search_menu.addAction(label)
            act.setCheckable(True)
            act.setShortcut(QKeySequence(f"Ctrl+{n + 1}"))
            act.setStatusTip(tip)
            act.triggered.connect(lambda _=False, n=n: self.mode_selector.setCurrentIndex(n))
            group.addAction(act)
            self.mode_actions.append(act)
        search_menu.addSeparator()
        self.rerank_action = search_menu.addAction("Rerank results (slower)")
        self.rerank_action.setObjectName("rerankAction")
        self.rerank_action.setCheckable(True)
        self.rerank_action.setChecked(self.settings.rerank)
        self.rerank_action.toggled.connect(self._set_rerank)
        search_menu.addSeparator()
        open_act = search_menu.addAction("Open file", self.open_current)
        open_act.setShortcut(QKeySequence("Ctrl+O"))
        reveal = search_menu.addAction("Show in folder", self.reveal_current)
        reveal.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])

        tools_menu = bar.addMenu("&Tools")
        self.adapt_action = tools_menu.addAction(
            "Adapt model to my documents…", lambda: self.start_adapt()
        )
        self.adapt_action.setObjectName("adaptModelAction")

        help_menu = bar.addMenu("&Help")
        help_menu.addAction("About Desktop Search", self._about)

        QShortcut(QKeySequence("/"), self.results_view, self.focus_search)

    def _connect(self) -> None:
        c = self.controller
        self.results_view.activated.connect(lambda idx: self.open_current())
        self.preview.openRequested.connect(self._open)
        self.mail_opener.failed.connect(self.messages.warning)
        self.preview.revealRequested.connect(self._reveal)
        self.status.problemsClicked.connect(self.show_problems)
        self.problems_dialog.revealRequested.connect(self._reveal)
        self.problems_dialog.retryRequested.connect(lambda: self.controller.reindex())
        self.messages.message.connect(self._on_message)
        c.ready.connect(self._on_ready)
        c.failed.connect(lambda why: self.search_view.update_empty())
        c.statsChanged.connect(self._on_stats)
        c.watchingChanged.connect(lambda _r: self._update_status())
        c.queueChanged.connect(lambda _n: self._update_status())
        c.problemsChanged.connect(self._on_problems)
        c.shutdownComplete.connect(self._on_shutdown_complete)

    def _restore(self) -> None:
        geo = self.settings.geometry()
        if geo is not None:
            self.restoreGeometry(geo)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        split = self.settings.splitter()
        if split is not None:
            self.splitter.restoreState(split)
        else:
            self.splitter.setSizes([560, 480, 320])  # results, preview, related
        keys = [m[1] for m in MODES]
        mode = self.settings.mode
        self.mode_selector.blockSignals(True)
        self.mode_selector.setCurrentIndex(keys.index(mode) if mode in keys else 0)
        self.mode_selector.blockSignals(False)
        self.mode_actions[self.mode_selector.currentIndex()].setChecked(True)

    def _set_rerank(self, on: bool) -> None:
        self.settings.rerank = on
        if self.search_box.text().strip():
            self.search_view.search_now()

    # -- public, for scripts and tests -------------------------------------------------

    @property
    def mode(self) -> str:
        return self.mode_selector.currentData()

    def search(self, text: str) -> None:
        """Put ``text`` in the search box and search at once (as Enter does)."""
        self.search_box.setText(text)
        self.search_view.search_now()

    def result_paths(self) -> list[str]:
        return self.model.paths()

    @property
    def last_search_seconds(self) -> float | None:
        return self.search_view.last_search_seconds

    def show_folder_wizard(self) -> FolderWizard:
        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.raise_()
            self.wizard.activateWindow()
            return self.wizard
        self.wizard = FolderWizard(self.controller, self)
        self.wizard.startRequested.connect(self._on_wizard_start)
        self.wizard.removeRequested.connect(self.controller.remove_folder)
        self.wizard.reindexRequested.connect(lambda roots: self.controller.reindex(roots))
        self.wizard.finished.connect(lambda _r: self.wizard and self.wizard.deleteLater())
        self.wizard.finished.connect(lambda _r: setattr(self, "wizard", None))
        self.wizard.open()
        return self.wizard

    def start_adapt(self, confirm: bool = True, **options) -> bool:
        """Tools ▸ Adapt model (see ``AdaptView.start``)."""
        return self.adapt_view.start(confirm, **options)

    def show_problems(self) -> None:
        self.problems_dialog.set_problems(self.controller.problems())
        self.problems_dialog.show()
        self.problems_dialog.raise_()

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def open_current(self) -> None:
        entry = entry_at(self.results_view.currentIndex())
        if entry is not None:
            self._open(entry.result.path, entry.hit.page)

    def reveal_current(self) -> None:
        path = path_at(self.results_view.currentIndex())
        if path:
            self._reveal(path)

    # -- the index --------------------------------------------------------------------

    def _on_ready(self) -> None:
        self.search_view.update_empty()
        self._maybe_open_wizard()
        if self.search_box.text().strip():
            self.search_view.search_now()

    def _on_stats(self, stats: dict) -> None:
        self._update_status()
        self.search_view.update_empty()
        if self.controller.indexing:
            self.search_view.live_refresh()
        self._maybe_open_wizard()

    def _maybe_open_wizard(self) -> None:
        """First run: once the index is open and known to be empty, offer the wizard."""
        c = self.controller
        if self._wizard_checked or not c.is_ready or not c.have_stats:
            return
        self._wizard_checked = True
        if self.open_wizard_on_first_run and not c.roots and self.settings.first_run and c.writable:
            QTimer.singleShot(0, self.show_folder_wizard)

    def _on_wizard_start(self, folders: list, include: list, exclude: list) -> None:
        if folders:
            self.controller.add_folders(folders, include, exclude)

    # -- status and messages ------------------------------------------------------------

    def _update_status(self) -> None:
        c = self.controller
        s = c.stats
        self.status.set_summary(
            len(c.watching) if c.watching else len(c.roots),
            int(s.get("files", 0)),
            int(s.get("passages", 0)),
            c.queued,
            int(s.get("passages_pending", 0)),
            str(s.get("model_backend", "")),
        )

    def _on_problems(self, problems) -> None:
        self.status.set_problem_count(len(problems))
        if self.problems_dialog.isVisible():
            self.problems_dialog.set_problems(problems)

    def _on_message(self, level: str, text: str, ms: int) -> None:
        """The one place that writes a message into the status bar."""
        prefix = {"warning": "⚠ ", "error": "⚠ "}.get(level, "")
        self.status.showMessage(prefix + text, ms)

    def _open(self, path: str, page: int | None = None) -> None:
        if not os.path.exists(path):
            self.messages.warning(f"{display_name(path)} no longer exists")
            return
        self.controller.prioritize(path)
        span = getattr(self.preview.hit, "span", None) if self.preview.path == path else None
        if span is not None and span.kind == "message":  # the preview shows the current hit
            self.mail_opener.open(path, span.n)
            return
        if span is not None and span.kind == "member" and span.label:
            self.controller.open_member(path, span.label)
            return
        if not open_file(path, page):
            self.messages.warning(f"No application could open {display_name(path)}")

    def _reveal(self, path: str) -> None:
        if path and not reveal_in_folder(path):
            self.messages.warning(f"Could not show {display_name(path)} in its folder")

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Desktop Search",
            f"<b>Desktop Search {__version__}</b><p>Local, private, paraphrase-aware search "
            f"for the documents on this computer.</p><p>Index: {self.data_dir}</p>",
        )

    # -- keyboard ----------------------------------------------------------------------

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if obj is self.search_box and key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                if self.model.file_count():
                    self.results_view.setFocus(Qt.FocusReason.TabFocusReason)
                    if not self.results_view.currentIndex().isValid():
                        self.results_view.setCurrentIndex(self.model.index(0, 0))
                    return True
            elif obj is self.results_view and key == Qt.Key.Key_Escape:
                self.focus_search()
                return True
            elif obj is self.results_view and key == Qt.Key.Key_Up:
                cur = self.results_view.currentIndex()
                if cur.isValid() and cur.row() == 0 and not cur.parent().isValid():
                    self.focus_search()
                    return True
        return super().eventFilter(obj, event)

    # -- closing -----------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            event.accept()
            return
        event.ignore()
        if self._closing:
            return
        self._closing = True
        self.settings.save_window(self.saveGeometry(), self.saveState(), self.splitter.saveState())
        self.settings.mode = self.mode
        if self.wizard is not None:
            self.wizard.close()
        self.problems_dialog.close()
        self.duplicates_tab.shutdown()
        self.related_view.shutdown()
        self.hide()  # quitting feels instant; the indexer stops after its current batch
        self.controller.shutdown()

    def _on_shutdown_complete(self) -> None:
        self._closed = True
        self.settings.close()
