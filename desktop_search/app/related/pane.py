"""The *Related* pane under the preview: the files closest in meaning to the one shown.

Each row names a file and its score; its tooltip and the line under it show why: the
best-matching pair of passages, the words they share in bold. Clicking a row previews
that file; near-duplicates of the file are listed last, marked, never as related.
"""

from __future__ import annotations

import html
import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop_search.app.common.list_rows import add_row
from desktop_search.core.engine import snippet_window
from desktop_search.core.sanitize import display_name

ROLE_PATH = Qt.ItemDataRole.UserRole + 1


class RelatedPane(QWidget):
    fileChosen = Signal(str)  # a related file to preview

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("relatedPane")
        self.setMinimumWidth(200)
        self.title = QLabel("<b>Related</b>")
        self.title.setObjectName("relatedTitle")
        self.title.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("relatedList")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.itemActivated.connect(self._on_item)
        self.list.itemClicked.connect(self._on_item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        self.path: str | None = None

    def waiting(self, path: str) -> None:
        self.path = path
        self.title.setText(f"<b>Related to</b> {html.escape(_name(path))}…")
        self.list.clear()

    def show_related(self, found) -> None:
        self.path = found.path
        self.title.setText(f"<b>Related to</b> {html.escape(_name(found.path))}")
        self.list.clear()
        for f in found.files:
            self._add(f, f"{_name(f.path)}   {f.score:.2f}")
        for f in found.duplicates:
            self._add(f, f"{_name(f.path)}   near-duplicate")
        if not found.files and not found.duplicates:
            self.list.addItem("No related files")

    def show_message(self, text: str) -> None:
        self.list.clear()
        self.list.addItem(text)

    def paths(self) -> list[str]:
        return [
            self.list.item(i).data(ROLE_PATH)
            for i in range(self.list.count())
            if self.list.item(i).data(ROLE_PATH)
        ]

    def _add(self, f, head: str) -> None:
        theirs = _plain(_snippet(f.theirs, 110))
        add_row(
            self.list,
            f"{head}\n{theirs}",
            tooltip=(
                f"<p><b>{html.escape(display_name(f.path))}</b></p>"
                f"<p><i>This file:</i> {_snippet(f.mine)}</p>"
                f"<p><i>That file:</i> {_snippet(f.theirs)}</p>"
            ),
            data={ROLE_PATH: f.path},
        )

    def _on_item(self, item: QListWidgetItem) -> None:
        path = item.data(ROLE_PATH)
        if path:
            self.fileChosen.emit(path)


def _name(path: str) -> str:
    return display_name(os.path.basename(path))


def _snippet(p, width: int = 160) -> str:
    """The passage around its first highlight, as rich text with the shared words bold."""
    s, e = snippet_window(p.text, p.highlights, width)
    out, pos = [], s
    for a, b in sorted(p.highlights):
        if a < pos or b > e:
            continue
        out += [html.escape(p.text[pos:a]), "<b>", html.escape(p.text[a:b]), "</b>"]
        pos = b
    out.append(html.escape(p.text[pos:e]))
    return " ".join("".join(out).split())


def _plain(rich: str) -> str:
    return html.unescape(rich.replace("<b>", "").replace("</b>", ""))
