"""The search page's widgets: search box, mode, filters, progress panel, results and preview.

Only layout; ``SearchView`` makes them work and ``MainWindow`` handles their keys.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop_search.app.mainwindow.status import IndexProgressPanel

from .delegate import ResultDelegate
from .empty_state import EmptyState
from .filters import FolderFilter, TypeFilter
from .model import ResultsModel
from .preview import PreviewPane

MODES = (
    ("Hybrid", "hybrid", "Meaning and keywords together (best for most searches)"),
    (
        "Semantic",
        "semantic",
        "By meaning only: finds paraphrases that share no words with your query",
    ),
    ("Keyword", "keyword", "Exact words only (all of them when possible)"),
)
DATE_CHOICES = (
    ("Any time", None),
    ("Past day", 1),
    ("Past week", 7),
    ("Past month", 31),
    ("Past year", 365),
)


class SearchPage(QWidget):
    def __init__(self, keys: QObject, parent=None) -> None:
        """``keys`` filters the key presses of the search box and the results list."""
        super().__init__(parent)
        self.setObjectName("searchPage")
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText(
            "Search your documents by meaning — describe what you are looking for"
        )
        self.search_box.setClearButtonEnabled(True)
        self.search_box.installEventFilter(keys)
        self.mode_selector = QComboBox()
        self.mode_selector.setObjectName("modeSelector")
        for n, (label, key, tip) in enumerate(MODES):
            self.mode_selector.addItem(label, key)
            self.mode_selector.setItemData(n, tip, Qt.ItemDataRole.ToolTipRole)
        self.mode_selector.setToolTip("How to match: by meaning, by words, or both")

        self.type_filter = TypeFilter()
        self.folder_filter = FolderFilter()
        self.date_filter = QComboBox()
        self.date_filter.setObjectName("dateFilter")
        for label, days in DATE_CHOICES:
            self.date_filter.addItem(label, days)
        self.result_info = QLabel()
        self.result_info.setObjectName("resultInfo")

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.search_box, 1)
        top.addWidget(self.mode_selector)
        filters = QHBoxLayout()
        filters.setSpacing(6)
        for label, widget in (
            ("Type", self.type_filter),
            ("Folder", self.folder_filter),
            ("Modified", self.date_filter),
        ):
            caption = QLabel(label)
            caption.setObjectName("filterCaption")
            filters.addWidget(caption)
            filters.addWidget(widget)
            filters.addSpacing(6)
        filters.addStretch(1)
        filters.addWidget(self.result_info)

        self.progress_panel = IndexProgressPanel()
        self.banner = QLabel()
        self.banner.setObjectName("indexingBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.model = ResultsModel(self)
        self.results_view = QTreeView()
        self.results_view.setObjectName("resultsView")
        self.results_view.setModel(self.model)
        self.results_view.setItemDelegate(ResultDelegate(self.results_view))
        self.results_view.setHeaderHidden(True)
        self.results_view.setUniformRowHeights(False)
        self.results_view.setIndentation(18)
        self.results_view.setMouseTracking(True)
        self.results_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results_view.setAllColumnsShowFocus(True)
        self.results_view.installEventFilter(keys)
        self.empty = EmptyState()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.results_view)
        self.stack.addWidget(self.empty)

        results_box = QWidget()
        rl = QVBoxLayout(results_box)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(4)
        rl.addWidget(self.banner)
        rl.addWidget(self.stack, 1)
        self.preview = PreviewPane()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(results_box)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.progress_panel)
        layout.addWidget(self.splitter, 1)
