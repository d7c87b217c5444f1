"""Icons: the app icon from resources/, and file-type icons drawn here (so they look the
same on every desktop, themed or not, and need no file-system access to pick)."""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPixmap

from .filetypes import (
    CODE_SUFFIXES,
    DATA_SUFFIXES,
    MAIL_SUFFIXES,
    SHEET_SUFFIXES,
    SLIDE_SUFFIXES,
)

#: label and colour per file suffix group
_TYPES = {
    "pdf": ("PDF", "#d93f3f"),
    "docx": ("DOC", "#2f6fd6"),
    "html": ("WEB", "#e08a1e"),
    "slides": ("PPT", "#c8502a"),
    "sheets": ("XLS", "#1f8a4c"),
    "epub": ("BOOK", "#8a5a2b"),
    "mail": ("@", "#3a7bbf"),
    "md": ("MD", "#4b5563"),
    "rst": ("RST", "#4b5563"),
    "code": ("</>", "#7c4dcc"),
    "data": ("{ }", "#14907f"),
    "text": ("TXT", "#5f6b7a"),
}


def resources_dir() -> Path:
    """resources/ in a source checkout, or inside a PyInstaller bundle."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "resources"
    env = os.environ.get("DESKTOP_SEARCH_RESOURCES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "resources"


def type_key(path: str) -> str:
    name = path.lower()
    if name.endswith(".pdf"):
        return "pdf"
    if name.endswith(".docx"):
        return "docx"
    if name.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if name.endswith((".md", ".markdown")):
        return "md"
    if name.endswith(".rst") or name.endswith(".rst.txt"):
        return "rst"
    if name.endswith((".odt", ".rtf")):
        return "docx"
    if name.endswith(".epub"):
        return "epub"
    suffix = os.path.splitext(name)[1]
    if suffix in SLIDE_SUFFIXES:
        return "slides"
    if suffix in SHEET_SUFFIXES:
        return "sheets"
    if suffix in MAIL_SUFFIXES or os.path.basename(os.path.dirname(name)) in ("cur", "new"):
        return "mail"
    if suffix in CODE_SUFFIXES:
        return "code"
    if suffix in DATA_SUFFIXES:
        return "data"
    return "text"


@lru_cache(maxsize=64)
def file_pixmap(key: str, size: int = 32, ratio: float = 1.0) -> QPixmap:
    """A page with a folded corner and a coloured label band."""
    label, colour = _TYPES.get(key, _TYPES["text"])
    px = QPixmap(int(size * ratio), int(size * ratio))
    px.setDevicePixelRatio(ratio)
    px.fill(Qt.GlobalColor.transparent)
    p = QPainter(px)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    w, h = size * 0.74, size * 0.94
    x, y = (size - w) / 2, (size - h) / 2
    fold = w * 0.3
    page = QPainterPath()
    page.moveTo(x, y + 2)
    page.quadTo(x, y, x + 2, y)
    page.lineTo(x + w - fold, y)
    page.lineTo(x + w, y + fold)
    page.lineTo(x + w, y + h - 2)
    page.quadTo(x + w, y + h, x + w - 2, y + h)
    page.lineTo(x + 2, y + h)
    page.quadTo(x, y + h, x, y + h - 2)
    page.closeSubpath()
    p.setPen(QColor("#c9cfd8"))
    p.setBrush(QColor("#ffffff"))
    p.drawPath(page)
    corner = QPainterPath()
    corner.moveTo(x + w - fold, y)
    corner.lineTo(x + w - fold, y + fold)
    corner.lineTo(x + w, y + fold)
    corner.closeSubpath()
    p.setBrush(QColor("#e3e7ee"))
    p.drawPath(corner)
    band = QRectF(x - size * 0.06, y + h * 0.52, w + size * 0.06, h * 0.3)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    p.drawRoundedRect(band, 2, 2)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(6, int(size * (0.22 if len(label) <= 3 else 0.18))))
    p.setFont(font)
    p.setPen(QColor("#ffffff"))
    p.drawText(band, Qt.AlignmentFlag.AlignCenter, label)
    p.end()
    return px


def file_icon(path: str) -> QIcon:
    key = type_key(path)
    icon = QIcon()
    for size in (16, 24, 32, 48):
        icon.addPixmap(file_pixmap(key, size, 2.0))
    return icon


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    icon = QIcon()
    res = resources_dir()
    for name in ("desktop-search.svg", "desktop-search.png"):
        if (res / name).exists():
            icon.addFile(str(res / name))
    if icon.isNull():  # an install without resources/: draw something recognisable
        icon.addPixmap(file_pixmap("text", 64, 1.0))
    return icon


def folder_icon() -> QIcon:
    from PySide6.QtWidgets import QApplication, QStyle

    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_DirIcon)
