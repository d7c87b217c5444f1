"""Moving a duplicate to the desktop's trash, after asking.

The question names the file that goes and the copy that is kept, and defaults to Cancel;
the file goes to the desktop's own trash so the user can restore it.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QFile
from PySide6.QtWidgets import QMessageBox, QWidget


def confirm_trash(parent: QWidget, path: str, kept: str) -> bool:
    """Ask, naming the file that goes and the one that is kept."""
    name = os.path.basename(path)
    box = QMessageBox(
        QMessageBox.Icon.Question, "Move to trash", f"Move “{name}” to the trash?", parent=parent
    )
    box.setInformativeText(f"{path}\n\nKept: “{os.path.basename(kept)}” in {os.path.dirname(kept)}")
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Yes).setText("Move to trash")
    return box.exec() == QMessageBox.StandardButton.Yes


def move_to_trash(path: str) -> bool:
    """QFile.moveToTrash: the desktop's own trash, so the user can restore the file."""
    return bool(QFile(path).moveToTrash())
