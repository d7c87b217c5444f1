"""What the results area shows when there are no results to show, and what to do next."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_search.app.common.icons import app_icon

TIPS = (
    "Describe what you remember, in your own words: <i>how to undo the last commit</i>, "
    "<i>budget for the trip to Lisbon</i>. Words that are not in the document are fine: "
    "search goes by meaning."
)


class EmptyState(QWidget):
    actionClicked = Signal(str)  # the state's action key

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.state = ""
        self.icon = QLabel()
        self.icon.setPixmap(app_icon().pixmap(72, 72))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel()
        self.title.setObjectName("emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.body = QLabel()
        self.body.setObjectName("emptyBody")
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setWordWrap(True)
        self.body.setMaximumWidth(540)
        self.body.setMinimumWidth(320)
        self.button = QPushButton()
        self.button.setObjectName("emptyAction")
        self.button.clicked.connect(lambda: self.actionClicked.emit(self._action))
        self._action = ""
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        row.addStretch(1)
        body_row = QHBoxLayout()
        body_row.addStretch(1)
        body_row.addWidget(self.body)
        body_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.icon)
        layout.addSpacing(8)
        layout.addWidget(self.title)
        layout.addLayout(body_row)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addStretch(3)

    def show_state(self, state: str, *, query: str = "", files: int = 0, detail: str = "") -> None:
        self.state = state
        action, button = "", ""
        q = html.escape(query)
        if state == "loading":
            title, body = "Opening your index…", "This takes a moment the first time."
        elif state == "no_folders":
            title = "Choose the folders you want to search"
            body = (
                "desktop-search reads your documents on this computer and finds passages by what they "
                "mean, not just the words they contain. Nothing leaves this computer."
            )
            action, button = "folders", "Add folders…"
        elif state == "indexing":
            title = "Indexing your folders…"
            body = (
                f"{files:,} files are searchable already; results cover what has been indexed so far. "
                + TIPS
            )
        elif state == "no_results":
            title = f"No results for “{q}”"
            body = "Try other words, a shorter description, or <b>Semantic</b> mode. " + (
                "Filters are on: clearing them may help." if detail == "filtered" else ""
            )
            if detail == "filtered":
                action, button = "clear_filters", "Clear filters"
        elif state == "error":
            title, body = "The index cannot be opened", html.escape(detail)
        else:  # ready
            title = f"Search {files:,} files by meaning" if files else "Ready to search"
            body = TIPS
        self.title.setText(f"<span style='font-size:15pt; font-weight:600'>{title}</span>")
        self.body.setText(body)
        self._action = action
        self.button.setText(button)
        self.button.setVisible(bool(action))
