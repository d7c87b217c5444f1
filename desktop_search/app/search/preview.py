"""The preview pane: the matching passage in its context (for a PDF, its page), with
highlights, and buttons to open the file or show it in its folder (see ``desktop``)."""

from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_search.app.common.icons import file_pixmap, type_key
from desktop_search.core.engine import passage_html
from desktop_search.core.sanitize import display_name

from .model import format_modified


class PreviewPane(QWidget):
    # paths go as Python objects: a Qt string would drop the bytes of a name that is not UTF-8
    openRequested = Signal(object, object)  # path, page (or None)
    revealRequested = Signal(object)
    relatedRequested = Signal(str)  # the Related action: files close in meaning to this one

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("previewPane")
        self.path: str | None = None
        self.hit = None
        self.loaded = False  # the passage's context has arrived from the preview worker
        self.page: int | None = None

        self.icon = QLabel()
        self.icon.setFixedSize(36, 36)
        self.title = QLabel()
        self.title.setObjectName("previewTitle")
        self.title.setTextInteractionFlags(self.title.textInteractionFlags())
        self.subtitle = QLabel()
        self.subtitle.setObjectName("previewSubtitle")
        self.subtitle.setWordWrap(True)
        self.subtitle.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.open_btn = QPushButton("Open")
        self.open_btn.setObjectName("openButton")
        self.open_btn.setToolTip(
            "Open the file in its usual application (Enter); a PDF at this page where its viewer can"
        )
        self.reveal_btn = QPushButton("Show in folder")
        self.reveal_btn.setObjectName("revealButton")
        self.reveal_btn.setToolTip("Show the file in its folder (Ctrl+Enter)")
        self.open_btn.clicked.connect(
            lambda: self.path and self.openRequested.emit(self.path, self.page)
        )
        self.reveal_btn.clicked.connect(lambda: self.path and self.revealRequested.emit(self.path))
        self.related_btn = QPushButton("Related")
        self.related_btn.setObjectName("relatedButton")
        self.related_btn.setToolTip("List the files closest in meaning to this one")
        self.related_btn.clicked.connect(
            lambda: self.path and self.relatedRequested.emit(self.path)
        )

        head_text = QVBoxLayout()
        head_text.setSpacing(1)
        head_text.addWidget(self.title)
        head_text.addWidget(self.subtitle)
        head = QHBoxLayout()
        head.addWidget(self.icon)
        head.addLayout(head_text, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_btn)
        buttons.addWidget(self.reveal_btn)
        buttons.addWidget(self.related_btn)
        buttons.addStretch(1)
        self.note = QLabel()
        self.note.setObjectName("previewNote")
        self.note.setWordWrap(True)
        self.note.hide()
        self.body = QTextBrowser()
        self.body.setObjectName("previewText")
        self.body.setOpenLinks(False)
        self.body.setReadOnly(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(head)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        layout.addWidget(self.body, 1)
        self.clear()

    def clear(self) -> None:
        self.path = None
        self.hit = None
        self.page = None
        self.icon.clear()
        self.title.setText("")
        self.subtitle.setText("")
        self.note.hide()
        self.body.setHtml(
            '<p style="color:#8a94a3; margin-top:24px;" align="center">'
            "Select a result to see the passage in its context.</p>"
        )
        self.open_btn.hide()
        self.related_btn.hide()
        self.reveal_btn.hide()

    def show_result(self, path: str, hit, mtime: float | None = None) -> None:
        """Show the header and the passage at once; ``show_document`` then adds its context."""
        self.path = path
        self.hit = hit
        self.page = getattr(hit, "page", None)
        self.icon.setPixmap(file_pixmap(type_key(path), 32, self.devicePixelRatioF()))
        self.title.setText(f"<b>{_esc(display_name(os.path.basename(path)))}</b>")
        parts = [_esc(display_name(os.path.dirname(path)))]
        if mtime:
            parts.append("modified " + format_modified(mtime))
        span = getattr(hit, "span", None)
        if span is not None:
            parts.append(f"<b>{_esc(span.text())}</b>")
        self.subtitle.setText("  ·  ".join(parts))
        self.open_btn.show()
        self.related_btn.show()
        self.reveal_btn.show()
        self.note.hide()
        self.loaded = False
        if hit is not None:
            self.body.setHtml(passage_html(hit))

    def show_document(self, doc) -> None:
        """A PreviewDoc from the preview worker."""
        if doc.request.path != self.path or doc.request.hit is not self.hit:
            return
        self.loaded = True
        if doc.error:
            self.note.setText(f"Cannot show this file: {doc.error}")
            self.note.show()
            return
        if doc.note:
            self.note.setText(doc.note)
            self.note.show()
        if doc.html:
            self.body.setHtml(doc.html)
            self.body.scrollToAnchor("hit")

    def text(self) -> str:
        return self.body.toPlainText()


def _esc(text: str) -> str:
    import html

    return html.escape(text)
