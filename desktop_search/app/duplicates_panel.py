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
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from PySide6.QtCore import QFile, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSlider,
    QSplitter,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ..core.duplicates import (
    DEFAULT_THRESHOLD,
    MIN_THRESHOLD,
    Group,
    Member,
    ProgressText,
    Report,
)
from .desktop import open_file, reveal_in_folder
from .duplicates_job import DuplicateScanJob, ScanRequest
from .duplicates_model import (
    KIND_LABELS,
    KIND_TIPS,
    GroupsModel,
    diff_html,
    kind_label,
    trash_allowed,
)
from .duplicates_worker import CompareRequest, CompareWorker


def move_to_trash(path: str) -> bool:
    """QFile.moveToTrash: the desktop's own trash, so the user can restore the file."""
    return bool(QFile(path).moveToTrash())


def _stop_thread(thread: QThread) -> None:
    try:
        if not thread.isRunning():
            return
    except RuntimeError:  # already deleted
        return
    thread.quit()
    thread.wait(60_000)


class _Side(QWidget):
    """One member of the comparison: where it is, its text, and what to do with it."""

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.member: Member | None = None
        self.title = QLabel()
        self.title.setObjectName(f"dupTitle{name}")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QTextBrowser()
        self.text.setObjectName(f"dupText{name}")
        self.text.setOpenLinks(False)
        self.open_btn = QPushButton("Open")
        self.reveal_btn = QPushButton("Show in folder")
        self.trash_btn = QPushButton("Move to trash…")
        self.trash_btn.setToolTip("Move this file to the desktop's trash (you can restore it)")
        self.open_btn.setObjectName(f"dupOpen{name}")
        self.reveal_btn.setObjectName(f"dupReveal{name}")
        self.trash_btn.setObjectName(f"dupTrash{name}")
        buttons = QHBoxLayout()
        for b in (self.open_btn, self.reveal_btn, self.trash_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.text, 1)
        lay.addLayout(buttons)
        self.show_member(None)

    def show_member(self, member: Member | None, html: str = "") -> None:
        self.member = member
        for b in (self.open_btn, self.reveal_btn):
            b.setEnabled(member is not None)
        self.trash_btn.setEnabled(False)  # the panel decides (see trash_allowed)
        if member is None:
            self.title.setText("")
            self.text.setHtml("")
            return
        where = f" · page {member.page}" if member.page else ""
        span = f" · characters {member.start}–{member.end}" if member.start is not None else ""
        self.title.setText(
            f"<b>{os.path.basename(member.path)}</b>{where}{span}<br>"
            f"<small>{os.path.dirname(member.path)}</small>"
        )
        self.title.setToolTip(member.path)
        self.text.setHtml(html)


class DuplicatesPanel(QWidget):
    """Review near-duplicates of one data directory."""

    compareRequested = Signal(object)  # CompareRequest, to the compare thread
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
        self._compare_id = 0
        self._current_pair: tuple[Group, Member, Member] | None = None
        self._diff_shown = False
        self._progress_text = ProgressText()
        self._build()
        self.engine = engine  # the app's one reading Engine
        self.scans = scans  # scans run in the indexing process
        self._start_workers()

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
        self.tree = QTreeView()
        self.tree.setObjectName("dupGroups")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        # The title takes what is left; kind and score always show in full.
        fm = self.tree.fontMetrics()
        kind_width = max(fm.horizontalAdvance(t) for t in ("reordered copy, inside", "Kind"))
        score_width = fm.horizontalAdvance("0.000  Score") + 8
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        self.tree.setColumnWidth(1, kind_width + 24)
        self.tree.setColumnWidth(2, score_width)
        self.tree.setMinimumWidth(kind_width + score_width + 220)
        self.tree.setToolTip("Enter: compare · Delete: move the compared copy to the trash")

        self.left = _Side("A")
        self.right = _Side("B")
        self.compare_label = QLabel("")
        self.compare_label.setObjectName("dupCompareLabel")
        self.compare_label.setWordWrap(True)  # a long label must not widen the window
        self.ignore_btn = QPushButton("&Ignore this pair")
        self.ignore_btn.setObjectName("dupIgnore")
        self.ignore_btn.setToolTip(
            "Never show these two as duplicates again (kept in the index database)"
        )
        self.ignore_btn.setEnabled(False)
        sides = QSplitter(Qt.Orientation.Horizontal)
        sides.addWidget(self.left)
        sides.addWidget(self.right)
        compare_bar = QHBoxLayout()
        compare_bar.addWidget(self.compare_label, 1)
        compare_bar.addWidget(self.ignore_btn)
        compare = QWidget()
        compare.setObjectName("dupCompare")
        cl = QVBoxLayout(compare)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(sides, 1)
        cl.addLayout(compare_bar)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tree)
        split.addWidget(compare)
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
            side.open_btn.clicked.connect(
                lambda _=False, s=side: s.member and open_file(s.member.path)
            )
            side.reveal_btn.clicked.connect(
                lambda _=False, s=side: s.member and reveal_in_folder(s.member.path)
            )
            side.trash_btn.clicked.connect(
                lambda _=False, s=side: s.member and self.trash(s.member.path)
            )
        self._on_threshold_changed(self.slider.value(), rescan=False)
        # Keyboard: Delete on the list trashes the compared copy (the right side, or the
        # member row that is selected), after the same confirmation as the button.
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.tree)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.trash_selected)
        order = [self.tree, self.left.text, self.left.open_btn, self.left.reveal_btn]
        order += [self.left.trash_btn, self.right.text, self.right.open_btn]
        order += [self.right.reveal_btn, self.right.trash_btn, self.ignore_btn]
        for a, b in zip(order, order[1:]):
            QWidget.setTabOrder(a, b)

    def _start_workers(self) -> None:
        self.scans.progress.connect(self._on_progress)
        self.scans.result.connect(self._on_finished)
        self.scans.error.connect(self._on_failed)
        self.scans.cancelled.connect(self._on_cancelled)
        # File comparisons on their own thread: a long scan must never hold them up.
        self._compare_thread = QThread()
        self._compare_thread.setObjectName("duplicates-compare")
        self.compare_worker = CompareWorker(self.engine)
        self.compare_worker.moveToThread(self._compare_thread)
        self.compareRequested.connect(self.compare_worker.compare_files)
        self.compare_worker.compared.connect(self._on_compared)
        self._compare_thread.start()
        # The thread must end before Qt deletes it, however the panel goes: closed,
        # deleted with its window, or at application exit.
        self.destroyed.connect(functools.partial(_stop_thread, self._compare_thread))
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(functools.partial(_stop_thread, self._compare_thread))

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
            self._show_pair(None)

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
            self._show_pair(None)
            return
        member = self.model.member_at(index)
        first = group.members[0]
        if member is None or member is first:
            self._show_pair(group, first, group.members[1])
        else:
            self._show_pair(group, first, member)

    def _show_pair(
        self, group: Group | None, a: Member | None = None, b: Member | None = None
    ) -> None:
        self._diff_shown = False
        if group is None or a is None or b is None:
            self._current_pair = None
            self.left.show_member(None)
            self.right.show_member(None)
            self.compare_label.setText("")
            self.ignore_btn.setEnabled(False)
            return
        self._current_pair = (group, a, b)
        self.ignore_btn.setEnabled(True)
        kind = kind_label(group)
        if a.text is not None and b.text is not None:
            html_a, html_b, ratio = diff_html(a.text, b.text, reflow=True)
            self.left.show_member(a, html_a)
            self.right.show_member(b, html_b)
            self._diff_shown = True
            if b.kind and b.kind != group.kind:  # this pair is closer than the group's loosest
                kind = f"{KIND_LABELS.get(b.kind, b.kind)} (group: {kind})"
            self._set_compare_label(group, kind, ratio)
        else:  # file level: the texts come from the index, off this thread
            self.left.show_member(a, "<i>Loading…</i>")
            self.right.show_member(b, "<i>Loading…</i>")
            self._set_compare_label(group, kind, None)
            self._compare_id += 1
            self.compare_worker.latest = self._compare_id
            self.compareRequested.emit(CompareRequest(self._compare_id, a.path, b.path))
        self._update_trash_buttons()

    def _update_trash_buttons(self) -> None:
        for side in (self.left, self.right):
            if self._current_pair is None or side.member is None:
                side.trash_btn.setEnabled(False)
                continue
            ok, why = trash_allowed(self._current_pair[0], side.member, self._diff_shown)
            side.trash_btn.setEnabled(ok)
            side.trash_btn.setToolTip(
                "Move this file to the desktop's trash (you can restore it)" if ok else why
            )

    def _set_compare_label(self, group: Group, kind: str, ratio: float | None) -> None:
        parts = [f"{kind.capitalize()} · score {group.score:.3f}"]
        self.compare_label.setToolTip(KIND_TIPS.get(group.kind, ""))
        if "a_in_b" in group.detail:
            parts.append(
                f"{group.detail['a_in_b']:.0%} of the left is in the right, "
                f"{group.detail['b_in_a']:.0%} of the right is in the left"
            )
        if ratio is not None:
            parts.append(f"{ratio:.0%} of the words match")
        self.compare_label.setText(" · ".join(parts))

    def _on_compared(self, req_id: int, html_a: str, html_b: str, ratio: float) -> None:
        if req_id != self._compare_id or self._current_pair is None:
            return
        group, a, b = self._current_pair
        self.left.show_member(a, html_a)
        self.right.show_member(b, html_b)
        self._diff_shown = True
        self._set_compare_label(group, kind_label(group), ratio)
        self._update_trash_buttons()

    def shown_texts(self) -> tuple[str, str]:
        return self.left.text.toPlainText(), self.right.text.toPlainText()

    # -- actions -----------------------------------------------------------------------------

    def ignore_current_pair(self) -> None:
        """Remember the two members shown as "not duplicates", and take the pair off the list."""
        if self._current_pair is None:
            return
        group, a, b = self._current_pair
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
            self._show_pair(None)

    def confirm_trash(self, path: str, kept: str) -> bool:
        """Ask, naming the file that goes and the one that is kept."""
        name = os.path.basename(path)
        box = QMessageBox(
            QMessageBox.Icon.Question, "Move to trash", f"Move “{name}” to the trash?", parent=self
        )
        box.setInformativeText(
            f"{path}\n\nKept: “{os.path.basename(kept)}” in {os.path.dirname(kept)}"
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Move to trash")
        return box.exec() == QMessageBox.StandardButton.Yes

    def trash_selected(self) -> bool:
        """The Delete key: the selected member row, else the right side of the comparison."""
        member = self.model.member_at(self.tree.currentIndex())
        if self._current_pair is None:
            return False
        _, a, b = self._current_pair
        return self.trash((member or b).path)

    def trash(self, path: str) -> bool:
        """Move one member of the compared pair to the trash, if the rules allow, after a
        confirmation naming the kept file; its passages then leave the index at once."""
        if self._current_pair is None:
            return False
        group, a, b = self._current_pair
        member, kept = (a, b) if a.path == path else (b, a)
        if member.path != path:
            return False
        ok, why = trash_allowed(group, member, self._diff_shown)
        if not ok:
            self.status.setText(f"Not moved to the trash: {why}.")
            return False
        if not self.confirm_trash(path, kept.path):
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
        path = Path(path)
        if path.suffix.lower() == ".json":
            path.write_text(
                json.dumps(report.as_json(), indent=1, ensure_ascii=False), encoding="utf-8"
            )
        else:
            path.write_text(report.to_csv(), encoding="utf-8", newline="")

    def _export_dialog(self) -> None:
        name, chosen = QFileDialog.getSaveFileName(
            self,
            "Export duplicates",
            str(Path.home() / "duplicates.csv"),
            "CSV (*.csv);;JSON (*.json)",
        )
        if not name:
            return
        if not Path(name).suffix:
            name += ".json" if "json" in chosen.lower() else ".csv"
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
        _stop_thread(self._compare_thread)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
