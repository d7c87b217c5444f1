"""Indexing progress panel and the status bar ("watching N folders · F files · P passages")."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStatusBar,
    QToolButton,
)

from desktop_search.core.engine import format_duration


def progress_summary(p) -> str:
    """'120 of 450 files · 13.2 passages/s · about 3 minutes left'"""
    if p is None or p.phase == "scanning":
        return "Looking for new and changed files…"
    if p.phase == "saving":
        return "Saving the index…"
    if p.phase == "recognising":
        parts = [f"OCR: {p.files_done:,} of {p.files_total:,} scanned files"]
        if p.passages_per_s:
            parts.append(f"{p.passages_per_s:.2f} pages/s")
        return " · ".join(parts)
    if p.phase == "embedding":
        parts = [f"{p.passages_embedded:,} of {p.passages_total:,} passages"]
        if p.passages_per_s:
            parts.append(f"{p.passages_per_s:.1f}/s")
        if p.eta_s is not None and p.passages_embedded < p.passages_total:
            parts.append(format_duration(p.eta_s) + " left")
        return " · ".join(parts)
    parts = [f"{p.files_done:,} of {p.files_total:,} files"]
    if p.passages_per_s:
        parts.append(f"{p.passages_per_s:.1f} passages/s")
    if p.eta_s is not None and p.files_done < p.files_total:
        parts.append(format_duration(p.eta_s).replace("about ", "about ", 1) + " left")
    return " · ".join(parts)


class IndexProgressPanel(QFrame):
    """Shown while a sync runs: progress bar, numbers, current file, Pause/Resume and Cancel."""

    pauseClicked = Signal()
    resumeClicked = Signal()
    cancelClicked = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("indexProgress")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel("Indexing")
        self.title.setObjectName("indexTitle")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        self.detail = QLabel()
        self.detail.setObjectName("indexDetail")
        self.current = QLabel()
        self.current.setObjectName("indexCurrent")
        self.current.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.pause_btn = QPushButton("Pause")
        self.pause_btn.setObjectName("pauseButton")
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setObjectName("cancelButton")
        self.pause_btn.clicked.connect(self._toggle)
        self.cancel_btn.clicked.connect(self.cancelClicked)
        self.paused = False

        grid = QGridLayout(self)
        grid.setContentsMargins(12, 8, 12, 8)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.detail, 0, 1, Qt.AlignmentFlag.AlignRight)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pause_btn)
        buttons.addWidget(self.cancel_btn)
        grid.addLayout(buttons, 0, 2, 2, 1)
        grid.addWidget(self.bar, 1, 0, 1, 2)
        grid.addWidget(self.current, 2, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        self.hide()

    def _toggle(self) -> None:
        (self.resumeClicked if self.paused else self.pauseClicked).emit()

    def begin(self, folders: int, title: str = "") -> None:
        self.paused = False
        self.pause_btn.setText("Pause")
        self.pause_btn.setEnabled(True)
        self.cancel_btn.setEnabled(True)
        self.cancel_btn.setText("Cancel")
        self.title.setText(
            f"<b>{title}</b>"
            if title
            else f"<b>Indexing {folders} folder{'s' if folders != 1 else ''}</b>"
            if folders
            else "<b>Indexing</b>"
        )
        self.bar.setRange(0, 0)
        self.detail.setText(progress_summary(None))
        self.current.setText("")
        self.show()

    def update_progress(self, p) -> None:
        if p.phase == "indexing" and p.files_total:
            self.bar.setRange(0, p.files_total)
            self.bar.setValue(p.files_done)
        elif p.phase == "embedding" and p.passages_total:
            self.bar.setRange(0, p.passages_total)
            self.bar.setValue(p.passages_embedded)
        elif p.phase in ("scanning", "saving"):
            self.bar.setRange(0, 0)
        self.detail.setText(progress_summary(p))
        if p.current:
            self.set_current(p.current)

    def set_current(self, path: str) -> None:
        fm = self.current.fontMetrics()
        text = fm.elidedText(
            path, Qt.TextElideMode.ElideMiddle, max(100, self.current.width() - 80)
        )
        self.current.setText(f"Indexed {text}")
        self.current.setToolTip(path)

    def set_pausing(self) -> None:
        self.pause_btn.setEnabled(False)
        self.pause_btn.setText("Pausing…")

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self.pause_btn.setEnabled(True)
        self.pause_btn.setText("Resume" if paused else "Pause")
        if paused:
            self.detail.setText("Paused · " + self.detail.text().removeprefix("Paused · "))
        else:
            self.detail.setText(self.detail.text().removeprefix("Paused · "))

    def set_cancelling(self) -> None:
        self.cancel_btn.setEnabled(False)
        self.pause_btn.setEnabled(False)
        self.cancel_btn.setText("Stopping…")


class AppStatusBar(QStatusBar):
    problemsClicked = Signal()
    repairClicked = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.summary = QLabel()
        self.summary.setObjectName("statusSummary")
        self.activity = QLabel()
        self.activity.setObjectName("statusActivity")
        self.mini = QProgressBar()
        self.mini.setObjectName("statusProgress")
        self.mini.setFixedWidth(110)
        self.mini.setFixedHeight(10)
        self.mini.setTextVisible(False)
        self.mini.hide()
        self.problems = QToolButton()
        self.problems.setObjectName("problemsButton")
        self.problems.setAutoRaise(True)
        self.problems.clicked.connect(self.problemsClicked)
        self.problems.hide()
        self.repair = QPushButton("Repair…")
        self.repair.setObjectName("repairButton")
        self.repair.setToolTip(
            "Rebuild the index from your folders, keeping every passage vector it can still read"
        )
        self.repair.clicked.connect(self.repairClicked)
        self.repair.hide()
        self.addPermanentWidget(self.activity)
        self.addPermanentWidget(self.repair)
        self.addPermanentWidget(self.mini)
        self.addPermanentWidget(self.problems)
        self.addPermanentWidget(self.summary)

    def set_summary(
        self,
        watching: int,
        files: int,
        passages: int,
        queued: int = 0,
        pending: int = 0,
        backend: str = "",
    ) -> None:
        """``backend``: what runs the model in the indexing process ("onnx on cpu"); it is
        in the tooltip, and in the text when it is the slower torch fallback."""
        text = (
            f"watching {watching} folder{'s' if watching != 1 else ''} · {files:,} files · "
            f"{passages:,} passages"
        )
        if pending:
            covered = max(0, passages - pending)
            text += f" · meaning search covers {covered:,} of {passages:,} passages"
        if queued:
            text += f" · {queued} change{'s' if queued != 1 else ''} queued"
        if backend.startswith("torch"):
            text += f" · model runs {backend}"
        self.summary.setText(text)
        self.summary.setToolTip(f"The language model runs {backend}" if backend else "")

    def set_progress(self, p) -> None:
        if p is None:
            self.mini.hide()
            self.activity.setText("")
            return
        self.mini.show()
        if p.phase == "indexing" and p.files_total:
            self.mini.setRange(0, p.files_total)
            self.mini.setValue(p.files_done)
            name = os.path.basename(p.current) if p.current else ""
            self.activity.setText(progress_summary(p) + (f" · {name}" if name else ""))
        elif p.phase == "embedding" and p.passages_total:
            self.mini.setRange(0, p.passages_total)
            self.mini.setValue(p.passages_embedded)
            self.activity.setText("Meaning search: " + progress_summary(p))
        else:
            self.mini.setRange(0, 0)
            self.activity.setText(progress_summary(p))

    def set_problem_count(self, n: int) -> None:
        self.problems.setVisible(n > 0)
        self.problems.setText(f"⚠ {n} problem{'s' if n != 1 else ''}")
        self.problems.setToolTip("Files and folders that could not be indexed")
