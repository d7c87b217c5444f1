"""The Duplicates tab's list of groups: each group opens to its members.

A view only: it sizes its columns so the kind and the score always show in full (the title
takes what is left, elided in the middle), and turns the Delete key into a signal, so the
panel decides what is trashed and asks first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView

from .model import GroupsModel


class GroupsTree(QTreeView):
    """The groups, largest and closest first, over a ``GroupsModel``."""

    deleteRequested = Signal()  # the Delete key on the list

    def __init__(self, model: GroupsModel, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("dupGroups")
        self.setModel(model)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        # The title takes what is left; kind and score always show in full.
        fm = self.fontMetrics()
        kind_width = max(fm.horizontalAdvance(t) for t in ("reordered copy, inside", "Kind"))
        score_width = fm.horizontalAdvance("0.000  Score") + 8
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        self.setColumnWidth(1, kind_width + 24)
        self.setColumnWidth(2, score_width)
        self.setMinimumWidth(kind_width + score_width + 220)
        self.setToolTip("Enter: compare · Delete: move the compared copy to the trash")
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.deleteRequested)
