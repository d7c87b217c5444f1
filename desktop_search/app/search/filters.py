"""The search page's Type and Folder filters, filled from the index (``Engine.facets``).

Type lists only the kinds of file the index holds, each with its count ("PDF (123)").
Folder lists the indexed folders as a tree (roots, and the folders below them, indented)
and takes a typed path with completion from every indexed folder, so a person can narrow a
search to a subfolder; the search takes in everything below the chosen folder.

Folder paths never travel inside Qt strings (a name that is not valid UTF-8 would lose its
bytes): items carry a number into a Python list, and what Qt shows is ``display_name``.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter

from desktop_search.app.common.filetypes import FILTER_CHOICES
from desktop_search.core.sanitize import display_name

ALL_TYPES = "All types"
ALL_FOLDERS = "All folders"
MAX_LISTED = 400
"""Folders in the drop-down list at most (roots first, then by depth); the completer knows
them all."""


class TypeFilter(QComboBox):
    """The kinds of file in the index with their counts; ``suffixes()`` is the choice."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("typeFilter")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._labels: list[str] = []
        self.set_counts({})

    def set_counts(self, types: dict[str, int]) -> None:
        """``types``: suffix -> indexed files. Keeps the choice while its kind is present."""
        keep = self._labels[self.currentIndex()] if self.currentIndex() > 0 else None
        choices = []
        for label, suffixes in FILTER_CHOICES:
            n = sum(types.get(s, 0) for s in suffixes)
            if suffixes and n:
                choices.append((label, suffixes, n))
        self.blockSignals(True)
        self.clear()
        self.addItem(ALL_TYPES, ())
        self._labels = [ALL_TYPES]
        for label, suffixes, n in choices:
            self.addItem(f"{label} ({n:,})", suffixes)
            self._labels.append(label)
        self.setCurrentIndex(self._labels.index(keep) if keep in self._labels else 0)
        self.blockSignals(False)
        if keep is not None and keep not in self._labels:
            self.currentIndexChanged.emit(0)  # its files are gone: search without it

    def suffixes(self) -> tuple[str, ...]:
        return tuple(self.currentData() or ())

    def show_typed(self, types: tuple[str, ...]) -> None:
        """Show file types typed in the query ("type:pdf"): their choice in the list, or an
        item of their own; none typed goes back to all types. Emits nothing."""
        wanted = tuple(sorted({"." + t.lower().lstrip(".") for t in types}))
        self.blockSignals(True)
        if self._labels[-1].startswith("."):
            self.removeItem(self.count() - 1)  # the last typed item
            self._labels.pop()
        match = [i for i in range(self.count()) if tuple(sorted(self.itemData(i) or ())) == wanted]
        if match:
            self.setCurrentIndex(match[0])
        else:
            self.addItem(", ".join(wanted), wanted)
            self._labels.append(", ".join(wanted))
            self.setCurrentIndex(self.count() - 1)
        self.blockSignals(False)


class FolderFilter(QComboBox):
    """An editable list of the indexed folders; ``folder()`` is the choice (None: all)."""

    folderChanged = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("folderFilter")
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumContentsLength(22)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.lineEdit().setPlaceholderText(ALL_FOLDERS)
        self.lineEdit().setClearButtonEnabled(True)
        self.setToolTip("Search in one folder and everything below it: pick or type a folder")
        self._folders: list[str] = []
        self._by_shown: dict[str, str] = {}
        self._chosen: str | None = None
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        completer.activated.connect(self._take_text)
        self.lineEdit().editingFinished.connect(lambda: self._take_text(self.lineEdit().text()))
        self.activated.connect(self._on_picked)
        self.set_folders([])

    # -- what the index holds ------------------------------------------------------------

    def set_folders(self, folders: list[str], roots: list[str] | None = None) -> None:
        """Every indexed folder (``Facets.folders``); ``roots`` head the list."""
        roots = [r for r in (roots or []) if r in folders] or [
            f for f in folders if not any(_below(f, o) for o in folders if o != f)
        ]
        self._folders = list(folders)
        self._by_shown = {display_name(f): f for f in folders}
        self._names.setStringList(sorted(self._by_shown, key=str.lower))
        typing = self.lineEdit().hasFocus()  # a refresh must not wipe what is being typed
        text, cursor = self.lineEdit().text(), self.lineEdit().cursorPosition()
        self.blockSignals(True)
        self.clear()
        self.addItem(ALL_FOLDERS, -1)
        for f, depth in _tree(folders, roots, MAX_LISTED):
            name = display_name(os.path.basename(f.rstrip(os.sep)) or f)
            self.addItem("    " * depth + name, self._folders.index(f))
            self.setItemData(self.count() - 1, display_name(f), Qt.ItemDataRole.ToolTipRole)
        self.blockSignals(False)
        if self._chosen is not None and self._chosen not in self._folders:
            self._choose(None)  # its files are gone: search without it
        else:
            self._show(self._chosen)
        if typing:
            self.lineEdit().setText(text)
            self.lineEdit().setCursorPosition(cursor)

    # -- the choice ------------------------------------------------------------------------

    def folder(self) -> str | None:
        return self._chosen

    def indexed(self, path: str) -> str | None:
        """The indexed folder ``path`` names, as typed or as shown (a name that is not
        UTF-8 is typed as it is shown: ``Caf\\xe9``); None if the index holds none."""
        return self._by_shown.get(path) or (path if path in self._folders else None)

    def set_folder(self, folder: str | None) -> bool:
        """Choose an indexed folder (None: all); False if it holds no indexed file."""
        if folder is not None and folder not in self._folders:
            return False
        self._choose(folder)
        return True

    def _on_picked(self, row: int) -> None:
        n = self.itemData(row)
        self._choose(self._folders[n] if isinstance(n, int) and n >= 0 else None)

    def _take_text(self, text: str) -> None:
        text = text.strip()
        if not text or text == ALL_FOLDERS:
            self._choose(None)
            return
        folder = self._by_shown.get(text)
        if folder is None:
            typed = os.path.abspath(os.path.expanduser(text)).rstrip(os.sep) or os.sep
            folder = typed if typed in self._folders else None
        if folder is None:  # not an indexed folder: keep the last choice
            self._show(self._chosen)
            return
        self._choose(folder)

    def _choose(self, folder: str | None) -> None:
        changed = folder != self._chosen
        self._chosen = folder
        self._show(folder)
        if changed:
            self.folderChanged.emit()

    def _show(self, folder: str | None) -> None:
        row = self.findData(self._folders.index(folder)) if folder in self._folders else 0
        self.blockSignals(True)
        self.setCurrentIndex(max(0, row))
        self.blockSignals(False)
        self.lineEdit().setText(display_name(folder) if folder else "")
        self.lineEdit().setCursorPosition(0)


def _below(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def _tree(folders: list[str], roots: list[str], limit: int) -> list[tuple[str, int]]:
    """(folder, depth below its root) in tree order; the shallowest ``limit`` of them."""
    out: list[tuple[str, int]] = []
    for root in sorted(roots, key=str.lower):
        base = root.rstrip(os.sep).count(os.sep)
        below = sorted(
            (f for f in folders if f == root or _below(f, root)),
            key=lambda f: [part.lower() for part in f.split(os.sep)],
        )
        out += [(f, f.rstrip(os.sep).count(os.sep) - base) for f in below]
    if len(out) > limit:
        cut = sorted(d for _, d in out)[limit - 1]
        out = [(f, d) for f, d in out if d < cut or (d == cut and f in roots)]
    return out
