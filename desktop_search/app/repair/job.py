"""Checking and repairing a damaged index, for the window.

``check`` asks SQLite (``quick_check``, read-only) on a plain thread whether the index is
damaged; ``start`` runs ``Engine.repair`` in a child process (``core.repair_process``):
salvaging vectors and re-reading every file is too much Python to run beside the window.
What comes back arrives as typed signals in the GUI thread.
"""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_search.core.engine import Engine
from desktop_search.core.service import repair_process


class RepairJob(QObject):
    checked = Signal(bool)  # True: the index is damaged
    progress = Signal(object)  # core Progress of the rebuild
    result = Signal(object)  # core RepairReport
    error = Signal(str)

    def __init__(self, data_dir: Path, model_path=None, parent=None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.model_path = str(model_path) if model_path else None
        self.process = None
        self._checking = False

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.is_alive()

    def check(self) -> None:
        """Something failed: find out, off the GUI thread, whether the index is damaged."""
        if self._checking or self.running:
            return
        self._checking = True
        threading.Thread(target=self._check, name="desktop-search-check", daemon=True).start()

    def _check(self) -> None:
        damaged = Engine.is_damaged(self.data_dir)
        self._checking = False
        self.checked.emit(damaged)

    def start(self) -> None:
        """Repair in a child process (nobody else may hold the index's writer lock)."""
        ctx = multiprocessing.get_context("spawn")
        ours, theirs = ctx.Pipe()
        self.process = ctx.Process(
            target=repair_process.main,
            args=(theirs, str(self.data_dir), self.model_path),
            name="desktop-search-repair",
            daemon=True,
        )
        self.process.start()
        theirs.close()
        threading.Thread(
            target=self._read,
            args=(ours, self.process),
            name="desktop-search-repair-pipe",
            daemon=True,
        ).start()

    def _read(self, conn, process) -> None:
        ended = False
        while not ended:
            try:
                what, payload = conn.recv()
            except (EOFError, OSError):
                process.join(timeout=10)
                self.error.emit(f"the repair stopped unexpectedly (exit code {process.exitcode})")
                break
            if what == "progress":
                self.progress.emit(payload)
            else:
                ended = True
                (self.result if what == "done" else self.error).emit(payload)
        conn.close()
        process.join(timeout=30)
