"""The background stages as the window sees them: whenever it has no other job, the indexing
process reads scans by OCR (kind "ocr") and then embeds passages for meaning search (phase
2, kind "embed"); this job turns their events into typed signals, the kind with them.

Nothing is requested from here: the process starts both by itself after each job and on
start-up (quit-and-resume), and yields to any job the window sends.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_search.core.service.messages import Event

from .process import IndexProcess


class EmbedJob(QObject):
    started = Signal(str)  # "ocr" or "embed"
    progress = Signal(object)  # core Progress, phase "recognising" or "embedding"
    result = Signal(object)  # core.service.JobResult, kind "ocr" (OcrReport) or "embed"
    error = Signal(str, str)  # path ("" for the stage: no OCR engine), message

    def __init__(self, process: IndexProcess, parent=None) -> None:
        super().__init__(parent)
        process.event.connect(self._on_event)

    def _on_event(self, event: Event) -> None:
        if event.kind not in ("ocr", "embed"):
            return
        if event.what == "started":
            self.started.emit(event.kind)
        elif event.what == "progress":
            self.progress.emit(event.payload)
        elif event.what == "finished":
            self.result.emit(event.payload)
        elif event.what == "error":
            self.error.emit(*event.payload)
