"""A damaged index in the window: one line that says so, a Repair button in the status
bar, the rebuild's progress in the indexing panel, and what was salvaged at the end."""

from __future__ import annotations

from PySide6.QtCore import QObject

#: The one line the window shows when SQLite reports the index damaged.
DAMAGED = (
    "The index is damaged; Repair rebuilds it from your folders and keeps every passage "
    "vector it can still read"
)


class RepairView(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.win = window
        r = window.controller.repairer
        r.damaged.connect(self._on_damaged)
        r.started.connect(self._on_started)
        r.progress.connect(self._on_progress)
        r.finished.connect(self._on_finished)
        r.failed.connect(self._on_failed)
        window.status.repairClicked.connect(r.repair)

    def _on_damaged(self) -> None:
        status = self.win.status
        status.repair.setEnabled(True)
        status.repair.show()
        status.activity.setText("⚠ The index is damaged")
        self.win.messages.error(DAMAGED, 0)

    def _on_started(self) -> None:
        w = self.win
        w.status.repair.setEnabled(False)
        w.status.activity.setText("Repairing the index…")
        panel = w.progress_panel
        panel.begin(0)
        panel.title.setText("<b>Repairing the index</b>")
        panel.current.setText("Salvaging what can be read, then indexing the rest again.")
        panel.pause_btn.setEnabled(False)
        panel.cancel_btn.setEnabled(False)
        w.messages.info("Repairing the index…", 0)

    def _on_progress(self, p) -> None:
        self.win.progress_panel.update_progress(p)
        self.win.status.set_progress(p)

    def _on_finished(self, report) -> None:
        w = self.win
        self._done()
        sync = report.sync
        again = sync.passages_embedded if sync is not None else 0
        files = sync.files_added if sync is not None else 0
        w.messages.info(
            f"Index repaired: {report.vectors_salvaged:,} vectors salvaged, {again:,} "
            f"passages embedded again, {files:,} files indexed",
            30000,
        )

    def _on_failed(self, why: str) -> None:
        self._done()
        self.win.status.repair.setEnabled(True)
        self.win.messages.error(f"Repair failed: {why}", 0)

    def _done(self) -> None:
        w = self.win
        w.progress_panel.hide()
        w.status.set_progress(None)
        w.status.repair.setVisible(w.controller.repairer.is_damaged)
