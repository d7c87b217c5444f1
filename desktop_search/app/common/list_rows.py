"""Rows of a QListWidget made by Qt, not by Python.

PySide6 6.11 takes a reference to None, and never gives it back, the first time certain
methods (``setText``, ``setToolTip``, ``setZValue``...) are called on an item that Python
constructed; items that Qt constructs (``addItem(text)``) do not. One per item is harmless
to None (the count only rises), but a pane refilled at every selection made the count climb
all day. So rows are added by text and given their other roles through ``setData``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QListWidget, QListWidgetItem


def add_row(
    widget: QListWidget,
    text: str,
    *,
    tooltip: str | None = None,
    icon: QIcon | None = None,
    data: dict[int, object] | None = None,
) -> QListWidgetItem:
    """Append a row showing ``text``; ``data`` maps item roles to values."""
    widget.addItem(text)
    item = widget.item(widget.count() - 1)
    if tooltip is not None:
        item.setData(Qt.ItemDataRole.ToolTipRole, tooltip)
    if icon is not None:
        item.setData(Qt.ItemDataRole.DecorationRole, icon)
    for role, value in (data or {}).items():
        item.setData(role, value)
    return item
