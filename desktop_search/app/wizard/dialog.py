"""The folder-indexing wizard: pick folders, choose file types, see an estimate, start.

It opens on the first run and from "Manage folders…". Removing an indexed folder (after a
confirmation) and re-indexing happen at once, through the controller; adding folders
takes effect when the wizard finishes.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from desktop_search.app.common.filetypes import GROUPS, parse_patterns, suffixes_for
from desktop_search.app.common.icons import app_icon, folder_icon
from desktop_search.app.common.list_rows import add_row
from desktop_search.core.folders import inside, overlap

from .estimate import EstimatePage

ROLE_FOLDER = Qt.ItemDataRole.UserRole + 1
ROLE_INDEXED = Qt.ItemDataRole.UserRole + 2
ROLE_MERGED = Qt.ItemDataRole.UserRole + 3  # indexed folders a new one will take over


class FoldersPage(QWizardPage):
    def __init__(self, wizard: FolderWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Which folders should be searchable?")
        self.setSubTitle(
            "Add the folders that hold your documents. Everything stays on this computer: "
            "the index is private and nothing is sent anywhere."
        )
        self.list = QListWidget()
        self.list.setObjectName("folderList")
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.add_btn = QPushButton("Add folder…")
        self.add_btn.setObjectName("addFolderButton")
        self.remove_btn = QPushButton("Remove…")
        self.remove_btn.setObjectName("removeFolderButton")
        self.reindex_btn = QPushButton("Re-index now")
        self.reindex_btn.setObjectName("reindexButton")
        self.reindex_btn.setToolTip(
            "Check the selected folders (or all) for new, changed and deleted files now"
        )
        self.warning = QLabel()
        self.warning.setObjectName("folderWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        self.add_btn.clicked.connect(self._browse)
        self.remove_btn.clicked.connect(self._remove_selected)
        self.reindex_btn.clicked.connect(self._reindex)
        self.list.itemSelectionChanged.connect(self._update_buttons)

        buttons = QVBoxLayout()
        buttons.addWidget(self.add_btn)
        buttons.addWidget(self.remove_btn)
        buttons.addWidget(self.reindex_btn)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        tip = QLabel(
            "Subfolders are included. Hidden folders such as .git are skipped. You can come "
            "back here any time from File → Manage folders…"
        )
        tip.setObjectName("hint")
        tip.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.warning)
        layout.addWidget(tip)
        self._update_buttons()

    def isComplete(self) -> bool:
        return self.list.count() > 0

    def folders(self) -> list[str]:
        return [self.list.item(i).data(ROLE_FOLDER) for i in range(self.list.count())]

    def set_indexed(self, roots: list[str], stats: dict | None = None) -> None:
        """Show the folders already in the index (kept: folders added but not started yet,
        and under them the indexed folders they will take over)."""
        pending = {
            f: self._item(f).data(ROLE_MERGED) or []
            for f in self.folders()
            if not self._item(f).data(ROLE_INDEXED)
        }
        self.list.clear()
        for root in roots:
            if not any(inside(root, p) for p in pending):
                self._append(root, indexed=True)
        for folder, merged in pending.items():
            if folder not in roots:
                self._append(folder, indexed=False, merged=[r for r in merged if r in roots])
        self.completeChanged.emit()
        self._update_buttons()

    def _append(self, folder: str, indexed: bool, merged: list[str] = ()) -> None:
        text = folder
        if not indexed:
            n = len(merged)
            takes = f", takes over {n} indexed folder{'s' if n != 1 else ''}" if n else ""
            text = f"{folder}    (new{takes})"
        add_row(
            self.list,
            text,
            tooltip=folder,
            icon=folder_icon(),
            data={ROLE_FOLDER: folder, ROLE_INDEXED: indexed, ROLE_MERGED: list(merged)},
        )

    def _item(self, folder: str) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            if self.list.item(i).data(ROLE_FOLDER) == folder:
                return self.list.item(i)
        return None

    def add_folder(self, path: str) -> bool:
        path = os.path.abspath(os.path.expanduser(path))
        problem, inner = None, []
        if not os.path.isdir(path):
            problem = f"{path} is not a folder."
        elif not os.access(path, os.R_OK | os.X_OK):
            problem = f"{path} cannot be read (permission denied)."
        elif path in self.folders():
            problem = f"{path} is already in the list."
        else:
            outer, inner = overlap(path, self.folders())
            if outer is not None:
                problem = f"{path} is already searched as part of {outer}."
        if problem:
            self.warning.setText("⚠ " + problem)
            self.warning.show()
            self.wiz.messages_problem(path, problem)
            return False
        self.warning.hide()
        merged = []
        for folder in inner:  # the new folder replaces those inside it
            item = self._item(folder)
            if item.data(ROLE_INDEXED):
                merged.append(folder)
            merged += item.data(ROLE_MERGED) or []
            self.list.takeItem(self.list.row(item))
        if inner:
            kept = " What is indexed there is kept." if merged else ""
            self.warning.setText(f"{path} includes {', '.join(inner)}: it replaces them.{kept}")
            self.warning.show()
        self._append(path, indexed=False, merged=merged)
        self.completeChanged.emit()
        self._update_buttons()
        return True

    def browse_start(self) -> str:
        """Where "Add folder…" opens: the home folder first, then beside the last one added."""
        folders = self.folders()
        return os.path.dirname(folders[-1].rstrip(os.sep)) if folders else os.path.expanduser("~")

    def _browse(self) -> None:
        dialog = QFileDialog(self, "Add a folder to search", self.browse_start())
        dialog.setObjectName("addFolderDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.add_folder)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def remove_folder(self, folder: str) -> bool:
        """Remove a folder from the list; an indexed one is dropped from the index, after asking."""
        item = self._item(folder)
        if item is None:
            return False
        merged = item.data(ROLE_MERGED) or []
        if item.data(ROLE_INDEXED):
            answer = QMessageBox.question(
                self,
                "Remove folder?",
                f"Stop searching {folder}?\n\nIts passages are removed from the index. "
                "Your files are not touched.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
            self.wiz.removeRequested.emit(folder)
        self.list.takeItem(self.list.row(item))
        for folder in merged:  # a new folder taken back: the ones it was to replace return
            self._append(folder, indexed=True)
        self.completeChanged.emit()
        self._update_buttons()
        return True

    def _remove_selected(self) -> None:
        for item in list(self.list.selectedItems()):
            self.remove_folder(item.data(ROLE_FOLDER))

    def _reindex(self) -> None:
        chosen = [i.data(ROLE_FOLDER) for i in self.list.selectedItems() if i.data(ROLE_INDEXED)]
        self.wiz.reindexRequested.emit(
            chosen or [f for f in self.folders() if self._item(f).data(ROLE_INDEXED)]
        )

    def _update_buttons(self) -> None:
        selected = self.list.selectedItems()
        self.remove_btn.setEnabled(bool(selected))
        self.reindex_btn.setEnabled(
            any(self.list.item(i).data(ROLE_INDEXED) for i in range(self.list.count()))
        )


class TypesPage(QWizardPage):
    def __init__(self, wizard: FolderWizard, groups: list[str], exclude: list[str]) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("What should be indexed?")
        self.setSubTitle(
            "Choose the kinds of files to search. Hidden files and folders such as .git "
            "are always skipped."
        )
        grid = QGridLayout()
        self.boxes: dict[str, QCheckBox] = {}
        for row, group in enumerate(GROUPS):
            box = QCheckBox(group.label)
            box.setObjectName(f"type_{group.key}")
            box.setChecked(group.key in groups)
            box.toggled.connect(self.completeChanged)
            hint = QLabel(group.hint)
            hint.setObjectName("hint")
            grid.addWidget(box, row, 0)
            grid.addWidget(hint, row, 1)
            self.boxes[group.key] = box
        grid.setColumnStretch(1, 1)
        self.exclude = QLineEdit(", ".join(exclude))
        self.exclude.setObjectName("excludePatterns")
        self.exclude.setPlaceholderText("e.g.  *.log, drafts/*, Old Backups")
        form = QFormLayout()
        form.addRow("Skip names or paths matching:", self.exclude)
        note = QLabel(
            "Patterns match file and folder names, or paths inside the folder; separate them "
            "with commas."
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addStretch(1)

    def isComplete(self) -> bool:
        return any(b.isChecked() for b in self.boxes.values())

    def groups(self) -> list[str]:
        return [k for k, b in self.boxes.items() if b.isChecked()]

    def patterns(self) -> list[str]:
        return parse_patterns(self.exclude.text())


class FolderWizard(QWizard):
    """Signals carry the user's decisions to the main window, which passes them on."""

    startRequested = Signal(list, list, list)  # folders, include suffixes, exclude patterns
    removeRequested = Signal(str)
    reindexRequested = Signal(list)

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("folderWizard")
        self.setWindowTitle("Manage folders")
        self.setWindowIcon(app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, app_icon().pixmap(48, 48))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Start indexing")
        self.resize(680, 500)
        settings = controller.settings
        self.folders_page = FoldersPage(self)
        self.types_page = TypesPage(self, settings.type_groups, settings.exclude)
        self.estimate_page = EstimatePage(self)
        self.addPage(self.folders_page)
        self.addPage(self.types_page)
        self.addPage(self.estimate_page)
        self.folders_page.set_indexed(controller.roots)
        controller.estimateScanned.connect(self.estimate_page.on_scanned)
        controller.estimateMeasured.connect(self.estimate_page.on_measured)
        controller.statsChanged.connect(self._on_stats)
        self.finished.connect(self._disconnect)

    # -- for the main window and for tests ----------------------------------------------

    def add_folder(self, path: str) -> bool:
        return self.folders_page.add_folder(path)

    def remove_folder(self, path: str) -> bool:
        return self.folders_page.remove_folder(os.path.abspath(path))

    def folders(self) -> list[str]:
        return self.folders_page.folders()

    def include(self) -> list[str]:
        return suffixes_for(self.types_page.groups())

    def exclude(self) -> list[str]:
        return self.types_page.patterns()

    def request_estimate(self) -> int:
        return self.controller.estimate(self.folders(), self.include(), self.exclude())

    def messages_problem(self, path: str, text: str) -> None:
        self.controller.messages.report_problem(path, text)

    def accept(self) -> None:
        settings = self.controller.settings
        settings.type_groups = self.types_page.groups()
        settings.exclude = self.exclude()
        settings.mark_wizard_done()
        self.startRequested.emit(self.folders(), self.include(), self.exclude())
        super().accept()

    def reject(self) -> None:
        self.controller.settings.mark_wizard_done()
        super().reject()

    def _on_stats(self, stats: dict) -> None:
        self.folders_page.set_indexed(stats.get("roots", []), stats)

    def _disconnect(self) -> None:
        for signal, slot in (
            (self.controller.estimateScanned, self.estimate_page.on_scanned),
            (self.controller.estimateMeasured, self.estimate_page.on_measured),
            (self.controller.statsChanged, self._on_stats),
        ):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
