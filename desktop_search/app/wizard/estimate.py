"""The wizard's last page: what the chosen folders hold and how long indexing will take.

The numbers come from the controller's estimate job (a walk of the folders, then a short
timing of the encoder), so the page never blocks while they are worked out.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWizardPage,
)

from desktop_search.app.common.filetypes import GROUPS
from desktop_search.core.engine import format_duration, format_size


class _Tile(QFrame):
    """A big number with a caption under it."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setObjectName("statTile")
        self.value = QLabel("…")
        self.value.setObjectName("statValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("statCaption")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set(self, value: str, caption: str | None = None) -> None:
        self.value.setText(value)
        if caption is not None:
            self.caption.setText(caption)


class EstimatePage(QWizardPage):
    def __init__(self, wizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Ready to index")
        self.setSubTitle(
            "Indexing runs in the background: you can search while it works, pause it, "
            "or quit and carry on later."
        )
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedHeight(4)
        self.files_tile = _Tile("files")
        self.size_tile = _Tile("total size")
        self.todo_tile = _Tile("passages to index")
        self.time_tile = _Tile("to index them")
        tiles = QHBoxLayout()
        for tile in (self.files_tile, self.size_tile, self.todo_tile, self.time_tile):
            tiles.addWidget(tile)
        # the same facts in words (read by tests and screen readers)
        self.files = QLabel()
        self.files.setObjectName("estimateFiles")
        self.size = QLabel()
        self.size.setObjectName("estimateSize")
        self.todo = QLabel()
        self.todo.setObjectName("estimateTodo")
        self.time = QLabel()
        self.time.setObjectName("estimateTime")
        self.time.setWordWrap(True)
        self.scope = QLabel()
        self.scope.setObjectName("hint")
        self.scope.setWordWrap(True)
        self.errors = QLabel()
        self.errors.setObjectName("folderWarning")
        self.errors.setWordWrap(True)
        self.errors.hide()
        facts = QFormLayout()
        facts.addRow("Found:", self.files)
        facts.addRow("To index now:", self.todo)
        facts.addRow("Time needed:", self.time)
        note = QLabel(
            "Indexing uses the processor in the background at a low priority. Your files stay "
            "where they are and are never changed; the index is kept private to your user."
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(tiles)
        layout.addWidget(self.busy)
        layout.addSpacing(6)
        layout.addLayout(facts)
        layout.addWidget(self.scope)
        layout.addWidget(self.errors)
        layout.addStretch(1)
        layout.addWidget(note)
        self.estimate = None
        self.req_id = 0

    def initializePage(self) -> None:
        self.estimate = None
        self.busy.show()
        for tile in (self.files_tile, self.size_tile, self.todo_tile, self.time_tile):
            tile.set("…")
        for label in (self.files, self.size, self.todo):
            label.setText("counting…")
        self.time.setText("…")
        self.errors.hide()
        groups = [g.label for g in GROUPS if g.key in self.wiz.types_page.groups()]
        skip = self.wiz.exclude()
        self.scope.setText(
            "Includes: "
            + ", ".join(groups)
            + "."
            + (f"  Skips: {', '.join(skip)}." if skip else "")
        )
        self.req_id = self.wiz.request_estimate()

    def on_scanned(self, req_id: int, est) -> None:
        if req_id != self.req_id:
            return
        self.estimate = est
        n = len(est.folders)
        self.files_tile.set(f"{est.files:,}", f"files in {n} folder{'s' if n != 1 else ''}")
        self.size_tile.set(format_size(est.bytes))
        self.todo_tile.set(f"~{est.passages:,}")
        self.files.setText(
            f"{est.files:,} files in {n} folder{'s' if n != 1 else ''}, {format_size(est.bytes)}"
        )
        self.size.setText(format_size(est.bytes))
        already = est.files - est.new_files
        self.todo.setText(
            f"{est.new_files:,} new or changed files, about {est.passages:,} passages"
            + (f" ({already:,} files already indexed)" if already else "")
        )
        if est.errors:
            shown = "; ".join(f"{p}: {m}" for p, m in est.errors[:3])
            self.errors.setText(f"⚠ Some folders cannot be read and will be skipped: {shown}")
            self.errors.show()
            for path, msg in est.errors:
                self.wiz.messages_problem(path, msg)
        self._show_time()

    def on_measured(self, req_id: int, speed: float) -> None:
        if req_id == self.req_id and self.estimate is not None:
            self.estimate.speed = speed
            self._show_time()

    def _show_time(self) -> None:
        est = self.estimate
        if est is None:
            return
        if not est.passages:
            self.time_tile.set("none", "everything is up to date")
            self.time.setText("Nothing new to index: everything is up to date.")
            self.busy.hide()
        elif est.speed is None:
            self.time_tile.set("…", "measuring this computer")
            self.time.setText("Measuring how fast this computer can index…")
        else:
            text = format_duration(est.seconds)
            short = text.replace("about ", "~").replace("less than a minute", "< 1 min")
            self.time_tile.set(
                short.replace(" minutes", " min").replace(" minute", " min"), "on this computer"
            )
            ocr = (
                f", of which {format_duration(est.ocr_seconds)} reading {est.ocr_pages:,} "
                "images by OCR"
                if est.ocr_pages
                else ""
            )
            self.time.setText(
                f"<b>{text}</b> on this computer (it indexes about {est.speed:.0f} "
                f"passages per second{ocr})"
            )
            self.busy.hide()
