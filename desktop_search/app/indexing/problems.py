"""The non-modal Problems list: files that failed or were skipped, folders that could not be read."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from desktop_search.core.sanitize import display_name


class ProblemsDialog(QDialog):
    revealRequested = Signal(object)  # the exact path (a Qt string drops non-UTF-8 bytes)
    retryRequested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("problemsDialog")
        self.setWindowTitle("Problems")
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.resize(720, 360)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.list = QTreeWidget()
        self.list.setObjectName("problemsList")
        self.list.setHeaderLabels(["File or folder", "Problem"])
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.list.header().setStretchLastSection(True)
        self.list.setColumnWidth(0, 380)
        self._paths: list[str] = []
        self.list.itemActivated.connect(lambda item, _col: self._reveal_item(item))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.reveal_btn = QPushButton("Show in folder")
        self.copy_btn = QPushButton("Copy list")
        self.retry_btn = QPushButton("Try again")
        self.retry_btn.setToolTip(
            "Re-index all folders (files that failed are tried again when they change)"
        )
        for b in (self.reveal_btn, self.copy_btn, self.retry_btn):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        self.reveal_btn.clicked.connect(self._reveal)
        self.copy_btn.clicked.connect(self._copy)
        self.retry_btn.clicked.connect(self.retryRequested)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.set_problems([])

    def set_problems(self, problems: list[tuple[str, str]]) -> None:
        self.list.clear()
        self._paths = [path for path, _ in problems]
        for n, (path, message) in enumerate(problems):
            shown = display_name(path)
            item = QTreeWidgetItem([shown, message])
            item.setData(0, Qt.ItemDataRole.UserRole, n)
            # setData, not setToolTip: see app/common/list_rows.py
            item.setData(0, Qt.ItemDataRole.ToolTipRole, shown)
            item.setData(1, Qt.ItemDataRole.ToolTipRole, message)
            self.list.addTopLevelItem(item)
        n = len(problems)
        self.intro.setText(
            "Nothing to report: every file found so far could be read."
            if not n
            else f"{n} file{'s' if n != 1 else ''} or folder{'s' if n != 1 else ''} could not be indexed. "
            "The rest of your folders are searchable; fix the file (or its permissions) and it is "
            "picked up automatically."
        )
        self.reveal_btn.setEnabled(bool(n))
        self.copy_btn.setEnabled(bool(n))

    def count(self) -> int:
        return self.list.topLevelItemCount()

    def _reveal(self) -> None:
        item = self.list.currentItem() or self.list.topLevelItem(0)
        if item is not None:
            self._reveal_item(item)

    def _reveal_item(self, item: QTreeWidgetItem) -> None:
        self.revealRequested.emit(self._paths[item.data(0, Qt.ItemDataRole.UserRole)])

    def _copy(self) -> None:
        lines = []
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            lines.append(f"{item.text(0)}\t{item.text(1)}")
        QGuiApplication.clipboard().setText(os.linesep.join(lines))
