"""Related files and topics in the window: the *Related* pane under the preview, the
*Related* action (results' context menu, the preview's button) and the *Topics* tab.

``RelatedJob`` reads in a thread of its own on the app's reading Engine; this object
sends it requests by queued signals and shows what comes back. The pane follows the
selected result. Choosing a topic puts ``topic:N`` in the search box and searches.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QMenu, QSplitter

from desktop_search.app.common.threads import move_to_thread
from desktop_search.app.search.model import path_at

from .job import RelatedJob
from .pane import RelatedPane
from .topics import TopicsPanel

K = 12
_TOPIC = re.compile(r"\s*\btopic:\d+\b\s*", re.IGNORECASE)


class RelatedView(QObject):
    _engine = Signal(object)
    _related = Signal(int, str, int)
    _topics = Signal()

    def __init__(self, window) -> None:
        super().__init__(window)
        self.win = window
        self.job = RelatedJob()
        self.thread = move_to_thread(self.job, "desktop-search-related", self)
        self._engine.connect(self.job.set_engine)
        self._related.connect(self.job.load_related)
        self._topics.connect(self.job.load_topics)
        self.job.related.connect(self._on_related)
        self.job.failed.connect(self._on_failed)
        self.job.topicsLoaded.connect(self._on_topics)
        self.req_id = 0
        self.thread.start()

        self.pane = RelatedPane()
        # Under the preview, not beside it: a third column made the window wider than a
        # small (800-pixel) screen.
        side = QSplitter(Qt.Orientation.Vertical)
        side.setObjectName("previewSplitter")
        side.setChildrenCollapsible(False)
        side.addWidget(window.preview)  # which leaves the main splitter for this one
        side.addWidget(self.pane)
        window.splitter.insertWidget(1, side)
        side.setStretchFactor(0, 3)
        side.setStretchFactor(1, 2)
        self.pane.fileChosen.connect(self.preview_file)
        window.preview.relatedRequested.connect(self.show_related)
        view = window.results_view
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._context_menu)
        view.selectionModel().currentChanged.connect(self._on_current)

        self.topics = TopicsPanel()
        window.tabs.addTab(self.topics, "Topics")
        window.tabs.currentChanged.connect(self._on_tab)
        self.topics.topicChosen.connect(self.search_topic)
        self.topics.fileChosen.connect(self._preview_from_map)
        window.controller.engineChanged.connect(self._set_engine)
        if window.controller.engine is not None:
            self._set_engine(window.controller.engine)

    def _set_engine(self, engine) -> None:
        self._engine.emit(engine)
        if engine is not None and self.win.tabs.currentWidget() is self.topics:
            self._topics.emit()

    def show_related(self, path: str) -> None:
        """The Related action: list the files close to ``path`` in the pane."""
        self.req_id += 1
        self.job.latest = self.req_id
        self.pane.show()
        self.pane.waiting(path)
        self._related.emit(self.req_id, path, K)

    def preview_file(self, path: str) -> None:
        self.win.preview.show_result(path, None)
        self.win.controller.preview(path, None, "")

    def search_topic(self, topic: int) -> None:
        """Filter the search to ``topic``: ``topic:N`` in the search box, then search."""
        text = _TOPIC.sub(" ", self.win.search_box.text()).strip()
        self.win.tabs.setCurrentIndex(0)
        self.win.search_box.setText(f"topic:{topic} {text}".strip())
        self.win.search_view.search_now()

    def refresh_topics(self) -> None:
        self._topics.emit()

    def _preview_from_map(self, path: str) -> None:
        self.win.tabs.setCurrentIndex(0)
        self.preview_file(path)
        self.show_related(path)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and path_at(current):
            self.show_related(path_at(current))

    def _context_menu(self, pos) -> None:
        index = self.win.results_view.indexAt(pos)
        if not index.isValid() or not path_at(index):
            return
        menu = QMenu(self.win.results_view)
        action = menu.addAction("Related files")
        action.triggered.connect(lambda: self.show_related(path_at(index)))
        menu.popup(self.win.results_view.viewport().mapToGlobal(pos))

    def _on_tab(self, _index: int) -> None:
        if self.win.tabs.currentWidget() is self.topics:
            self._topics.emit()

    def _on_related(self, req_id: int, found) -> None:
        if req_id == self.req_id:
            self.pane.show_related(found)

    def _on_failed(self, req_id: int, message: str) -> None:
        if req_id == self.req_id:
            self.pane.show_message(message)

    def _on_topics(self, outcome) -> None:
        self.topics.show_topics(outcome)

    def shutdown(self) -> None:
        """The job's thread must end before the window goes."""
        self.thread.quit()
        self.thread.wait()
