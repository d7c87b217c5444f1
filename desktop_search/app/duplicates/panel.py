"""The Duplicates tab: scan for near-duplicate passages or files, review them side by side.

Top: a level switch (passages / files), the threshold slider, Rescan, Cancel, Export.
Left: the groups, largest and closest first; each opens to its members. Right: two
members side by side with the differing words highlighted, and per side Open, Show in
folder and Move to trash, plus "Ignore this pair" for the two shown.

Scans run in the indexing process (``DuplicateScanJob``) with progress; moving the slider
cancels a running scan and starts a new one (a raised threshold reuses the cached pairs,
so it is quick). A trashed file leaves the index there too. File comparisons read through
the app's Engine on a worker thread. Nothing here touches SQLite on the GUI thread except
the ignore list's one-row writes.

This module wires the parts together and acts on a pair (ignore, trash, export); the list
is ``tree``, the side-by-side view ``compare``.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_search.core.engine import DEFAULT_THRESHOLD, MIN_THRESHOLD, Group, ProgressText, Report

from .compare import ComparePane
from .export import ask_export_path, write_report
from .job import DuplicateScanJob, ScanRequest
from .model import GroupsModel, trash_allowed
from .trash import confirm_trash, move_to_trash
from .tree import GroupsTree


class DuplicatesPanel(QWidget):
    """Review near-duplicates of one data directory."""

    statusMessage = Signal(str)

    def __init__(
        self,
        data_dir: Path,
        parent=None,
        *,
        engine,
        scans: DuplicateScanJob,
        autoscan: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("duplicatesPanel")
        self.data_dir = Path(data_dir)
        self.report: Report | None = None
        self.scanning = False
        self._autoscan = autoscan
        self._shown_once = False
        self._req_id = 0
        self._progress_text = ProgressText()
        self.engine = engine  # the app's one reading Engine (None while a repair runs)
        self.scans = scans  # scans run in the indexing process
        self._build()
        self.scans.progress.connect(self._on_progress)
        self.scans.result.connect(self._on_finished)
        self.scans.error.connect(self._on_failed)
        self.scans.cancelled.connect(self._on_cancelled)

    # -- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        self.passage_radio = QRadioButton("&Passages")
        self.passage_radio.setObjectName("dupLevelPassage")
        self.passage_radio.setToolTip("Similar or identical passages anywhere in your documents")
        self.file_radio = QRadioButton("&Files")
        self.file_radio.setObjectName("dupLevelFile")
        self.file_radio.setToolTip("Identical files, edited copies, and files that contain another")
        self.passage_radio.setChecked(True)
        self.level_group = QButtonGroup(self)
        self.level_group.addButton(self.passage_radio)
        self.level_group.addButton(self.file_radio)

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("dupThreshold")
        self.slider.setRange(int(MIN_THRESHOLD * 100), 100)
        self.slider.setValue(round(DEFAULT_THRESHOLD * 100))
        self.slider.setToolTip(
            "How similar two passages must be (cosine similarity). "
            f"Default {DEFAULT_THRESHOLD:.2f}, chosen on labelled sentence pairs."
        )
        self.slider.setMinimumWidth(160)
        self.threshold_label = QLabel()
        self.threshold_label.setObjectName("dupThresholdLabel")
        self.threshold_label.setMinimumWidth(36)
        self.scan_btn = QPushButton("&Rescan")
        self.scan_btn.setObjectName("dupScan")
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setObjectName("dupCancel")
        self.cancel_btn.setEnabled(False)
        self.export_btn = QPushButton("&Export…")
        self.export_btn.setObjectName("dupExport")
        self.export_btn.setEnabled(False)

        top = QHBoxLayout()
        top.addWidget(QLabel("Find:"))
        top.addWidget(self.passage_radio)
        top.addWidget(self.file_radio)
        top.addSpacing(16)
        top.addWidget(QLabel("Similarity:"))
        top.addWidget(self.slider, 1)
        top.addWidget(self.threshold_label)
        top.addWidget(self.scan_btn)
        top.addWidget(self.cancel_btn)
        top.addWidget(self.export_btn)

        self.progress = QProgressBar()
        self.progress.setObjectName("dupProgress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.status = QLabel("")
        self.status.setObjectName("dupStatus")

        self.model = GroupsModel(self)
        self.tree = GroupsTree(self.model)

        self.compare = ComparePane(self.engine)
        # The parts of the comparison the panel acts on (and the tests press).
        self.left, self.right = self.compare.left, self.compare.right
        self.compare_label, self.ignore_btn = self.compare.label, self.compare.ignore_btn

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tree)
        split.addWidget(self.compare)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([470, 700])

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(split, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(350)
        self._debounce.timeout.connect(self.scan)
        self.slider.valueChanged.connect(self._on_threshold_changed)
        self.level_group.buttonToggled.connect(lambda _b, checked: checked and self.scan())
        self.scan_btn.clicked.connect(self.scan)
        self.cancel_btn.clicked.connect(self.cancel)
        self.export_btn.clicked.connect(self._export_dialog)
        self.ignore_btn.clicked.connect(self.ignore_current_pair)
        self.tree.selectionModel().currentChanged.connect(lambda cur, _prev: self._show_index(cur))
        for side in (self.left, self.right):
            side.trash_btn.clicked.connect(
                lambda _=False, s=side: s.member and self.trash(s.member.path)
            )
        self._on_threshold_changed(self.slider.value(), rescan=False)
        # Keyboard: Delete on the list trashes the compared copy (the right side, or the
        # member row that is selected), after the same confirmation as the button.
        self.tree.deleteRequested.connect(self.trash_selected)
        order = [self.tree, self.left.text, self.left.open_btn, self.left.reveal_btn]
        order += [self.left.trash_btn, self.right.text, self.right.open_btn]
        order += [self.right.reveal_btn, self.right.trash_btn, self.ignore_btn]
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

    # -- state ---------------------------------------------------------------------------

    @property
    def level(self) -> str:
        return "file" if self.file_radio.isChecked() else "passage"

    @property
    def threshold(self) -> float:
        return self.slider.value() / 100.0

    def set_level(self, level: str) -> None:
        (self.file_radio if level == "file" else self.passage_radio).setChecked(True)

    def _on_threshold_changed(self, value: int, rescan: bool = True) -> None:
        self.threshold_label.setText(f"{value / 100:.2f}")
        if rescan:
            self._debounce.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._autoscan and not self._shown_once:
            self._shown_once = True
            QTimer.singleShot(0, self.scan)

    # -- scanning --------------------------------------------------------------------------

    def scan(self) -> int:
        """Start a scan with the current level and threshold; returns its request id."""
        self._debounce.stop()
        self._req_id += 1
        self.scanning = True
        self._progress_text = ProgressText()
        self.cancel_btn.setEnabled(True)
        self.progress.setRange(0, 0)
        self.progress.setFormat("Starting…")
        self.progress.show()
        self.status.setText(
            f"Looking for {'files' if self.level == 'file' else 'passages'} "
            f"at similarity {self.threshold:.2f} or more…"
        )
        self.scans.scan(ScanRequest(self._req_id, self.level, self.threshold))
        return self._req_id

    def cancel(self) -> None:
        self._req_id += 1  # whatever the scan still reports is stale
        self.scans.cancel()
        self._scan_ended("Scan cancelled.")

    def _scan_ended(self, message: str) -> None:
        self.scanning = False
        self.cancel_btn.setEnabled(False)
        self.progress.hide()
        self.status.setText(message)

    def _on_progress(self, req_id: int, done: int, total: int, phase: str) -> None:
        if req_id != self._req_id:
            return
        text = self._progress_text(done, total, phase)
        if total > 0 and phase not in ("loading vectors", "grouping"):
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        else:
            self.progress.setRange(0, 0)
        self.progress.setFormat(text)

    def _on_finished(self, req: ScanRequest, report: Report) -> None:
        if req.id != self._req_id:
            return
        self.report = report
        self.model.set_groups(report.groups, report.level)
        self.export_btn.setEnabled(True)
        n = len(report.groups)
        unit = "file" if report.level == "file" else "passage"
        secs = report.stats.get("seconds", 0.0)
        if n:
            msg = (
                f"{n} group{'s' if n != 1 else ''} of duplicate {unit}s at similarity "
                f"{report.threshold:.2f} or more ({secs:.1f} s)."
            )
        else:
            msg = (
                f"No duplicate {unit}s at similarity {report.threshold:.2f} or more ({secs:.1f} s)."
            )
        waiting = report.pending.get("passages", 0)
        if waiting:  # phase 2 has not embedded them: only identical copies can be seen there
            msg += f" {waiting:,} passages still wait for meaning search and were left out."
        self._scan_ended(msg)
        if n:
            self.tree.setCurrentIndex(self.model.index(0, 0))
        else:
            self.compare.show_pair(None)

    def _on_failed(self, req_id: int, message: str) -> None:
        if req_id == self._req_id:
            self._scan_ended(f"The scan failed: {message}")

    def _on_cancelled(self, req_id: int) -> None:
        if req_id == self._req_id:
            self._scan_ended("Scan cancelled.")

    # -- comparing -------------------------------------------------------------------------

    def _show_index(self, index) -> None:
        group = self.model.group_at(index)
        if group is None or len(group.members) < 2:
            self.compare.show_pair(None)
            return
        member = self.model.member_at(index)
        first = group.members[0]
        if member is None or member is first:
            self.compare.show_pair(group, first, group.members[1])
        else:
            self.compare.show_pair(group, first, member)

    def shown_texts(self) -> tuple[str, str]:
        return self.compare.shown_texts()

    def set_engine(self, engine) -> None:
        """The app's reading Engine was replaced (a repair); None while it is closed."""
        self.engine = engine
        self.compare.set_engine(engine)

    # -- actions -----------------------------------------------------------------------------

    def ignore_current_pair(self) -> None:
        """Remember the two members shown as "not duplicates", and take the pair off the list."""
        if self.compare.pair is None:
            return
        group, a, b = self.compare.pair
        if self.engine is None:
            self.status.setText("The index is being repaired; try again once it is open.")
            return
        self.engine.ignore_duplicate(a, b, passages=self.model.level == "passage")
        self.model.remove_member(group, b)
        self.status.setText(f"Ignored: {os.path.basename(a.path)} and {os.path.basename(b.path)}.")
        self._select_group(group)

    def _select_group(self, group: Group) -> None:
        if group in self.model.groups:
            self.tree.setCurrentIndex(self.model.index(self.model.groups.index(group), 0))
        elif self.model.groups:
            self.tree.setCurrentIndex(self.model.index(0, 0))
        else:
            self.compare.show_pair(None)

    def trash_selected(self) -> bool:
        """The Delete key: the selected member row, else the right side of the comparison."""
        member = self.model.member_at(self.tree.currentIndex())
        if self.compare.pair is None:
            return False
        _, a, b = self.compare.pair
        return self.trash((member or b).path)

    def trash(self, path: str) -> bool:
        """Move one member of the compared pair to the trash, if the rules allow, after a
        confirmation naming the kept file; its passages then leave the index at once."""
        if self.compare.pair is None:
            return False
        group, a, b = self.compare.pair
        member, kept = (a, b) if a.path == path else (b, a)
        if member.path != path:
            return False
        ok, why = trash_allowed(group, member, self.compare.diff_shown)
        if not ok:
            self.status.setText(f"Not moved to the trash: {why}.")
            return False
        if not confirm_trash(self, path, kept.path):
            return False
        if not move_to_trash(path):
            QMessageBox.warning(
                self,
                "Move to trash",
                f"“{os.path.basename(path)}” could not be moved to the trash.",
            )
            return False
        self.scans.drop(path)
        self.model.remove_path(path)
        self.status.setText(
            f"Moved {os.path.basename(path)} to the trash; kept {os.path.basename(kept.path)}."
        )
        self._select_group(group)
        return True

    def current_report(self) -> Report | None:
        if self.report is None:
            return None
        return Report(
            self.report.level,
            self.report.threshold,
            list(self.model.groups),
            dict(self.report.stats),
        )

    def export(self, path: str | Path) -> None:
        """Write the groups on screen as CSV or JSON (by the file's suffix)."""
        report = self.current_report()
        if report is None:
            raise RuntimeError("nothing to export yet: run a scan first")
        write_report(report, path)

    def _export_dialog(self) -> None:
        name = ask_export_path(self)
        if name is None:
            return
        try:
            self.export(name)
        except OSError as exc:
            QMessageBox.warning(self, "Export duplicates", f"Could not write {name}: {exc}")
            return
        self.status.setText(f"Exported to {name}.")

    # -- shutdown ----------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Cancel a running scan and stop the comparison thread; safe to call twice."""
        if self.scanning:
            self.cancel()
        self.compare.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
