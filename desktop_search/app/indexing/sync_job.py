"""Syncing, adding and forgetting folders: jobs the indexing process runs for the window.

The job only sends requests and turns the process's events for them into typed signals;
the work happens in the other process, so nothing here can stall the window.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Signal

from desktop_search.core.service.messages import Event

from .process import IndexProcess

KINDS = ("sync", "add", "forget")


class SyncJob(QObject):
    started = Signal(str, object)  # kind ("sync" or "forget"), roots (None: all)
    progress = Signal(object)  # core Progress
    fileDone = Signal(str)  # a file was added or updated
    error = Signal(str, str)  # path ("" for the job as a whole), message
    result = Signal(object)  # core.service.JobResult

    def __init__(self, process: IndexProcess, parent=None) -> None:
        super().__init__(parent)
        self.process = process
        process.event.connect(self._on_event)

    def run(self, roots: list[str] | None = None) -> int:
        """Bring folders (all when None) level with the disk."""
        return self.process.submit("sync", [os.path.abspath(r) for r in roots] if roots else None)

    def add(self, folders: list[str], include=(), exclude=()) -> int:
        """Add folders (or change their rules), then sync them."""
        spec = {
            "folders": [os.path.abspath(f) for f in folders],
            "include": list(include),
            "exclude": list(exclude),
        }
        return self.process.submit("add", spec)

    def forget(self, path: str) -> int:
        return self.process.submit("forget", os.path.abspath(path))

    def _on_event(self, event: Event) -> None:
        if event.kind not in KINDS:
            return
        if event.what == "started":
            self.started.emit(event.kind, event.payload)
        elif event.what == "progress":
            self.progress.emit(event.payload)
        elif event.what == "file":
            self.fileDone.emit(event.payload)
        elif event.what == "error":
            self.error.emit(*event.payload)
        elif event.what == "finished":
            self.result.emit(event.payload)
