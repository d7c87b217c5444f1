"""The "Duplicates" tab, loaded the first time it is opened.

The panel gets the app's one reading Engine (for comparing and ignoring), and the next
one when a repair opens the index again, and the controller's duplicate-scan job (scans
run in the indexing process), so no second model or vector index is ever loaded. A
failure to build it must not take the window down.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel

from .panel import DuplicatesPanel


class DuplicatesTab(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.win = window
        self.panel = None
        self.placeholder = QLabel("Loading duplicates…")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        window.tabs.addTab(self.placeholder, "Duplicates")
        window.tabs.currentChanged.connect(lambda _i: self.load())
        window.controller.ready.connect(self.load)
        window.controller.engineChanged.connect(self._on_engine)

    def load(self) -> None:
        tabs, c = self.win.tabs, self.win.controller
        if self.panel is not None or tabs.currentWidget() is not self.placeholder:
            return
        if c.engine is None:
            self.placeholder.setText("Opening the index…")
            return
        try:
            panel = DuplicatesPanel(c.data_dir, parent=tabs, engine=c.engine, scans=c.scan_job)
        except Exception as exc:  # its bug must not take the search window down
            self.placeholder.setText(f"The duplicates view could not be loaded: {exc}")
            return
        self.panel = panel
        index = tabs.indexOf(self.placeholder)
        tabs.blockSignals(True)
        tabs.removeTab(index)
        tabs.insertTab(index, panel, "Duplicates")
        tabs.setCurrentIndex(index)
        tabs.blockSignals(False)
        self.placeholder.deleteLater()

    def _on_engine(self, engine) -> None:
        if self.panel is not None:
            self.panel.set_engine(engine)
        else:  # opened while the index was closed for a repair
            self.load()

    def rescan_if_shown(self) -> None:
        if self.panel is not None and self.panel.isVisible():
            self.panel.scan()

    def shutdown(self) -> None:
        """The panel's comparison thread must end before the window goes."""
        if self.panel is not None:
            self.panel.shutdown()
