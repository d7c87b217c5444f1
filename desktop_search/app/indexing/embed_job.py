"""Phase 2 as the window sees it: the indexing process embeds passages for meaning search
whenever it has no other job, and this job turns its events into typed signals.

Nothing is requested from here: the process starts phase 2 by itself after each job and
on start-up (quit-and-resume), and yields to any job the window sends.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_search.core.service.jobs import Event

from .process import IndexProcess


class EmbedJob(QObject):
    started = Signal()
    progress = Signal(object)  # core Progress, phase "embedding"
    result = Signal(object)  # core.service.JobResult, kind "embed" (report: EmbedReport)

    def __init__(self, process: IndexProcess, parent=None) -> None:
        super().__init__(parent)
        process.event.connect(self._on_event)

    def _on_event(self, event: Event) -> None:
        if event.kind != "embed":
            return
        if event.what == "started":
            self.started.emit()
        elif event.what == "progress":
            self.progress.emit(event.payload)
        elif event.what == "finished":
            self.result.emit(event.payload)
