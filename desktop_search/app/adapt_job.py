"""Tools ▸ Adapt: fine-tune the model on the indexed files, in the indexing process.

``Engine.adapt`` does the work there (mine pairs, train, re-embed, switch); this job sends
the request and turns what comes back into typed signals.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..core.adapting import AdaptOptions
from ..core.service import Event
from .index_process import IndexProcess


class AdaptJob(QObject):
    started = Signal()
    progress = Signal(object)  # core AdaptProgress
    error = Signal(str)
    result = Signal(object)  # core.service.JobResult (``model``: the folder now active)

    def __init__(self, process: IndexProcess, parent=None) -> None:
        super().__init__(parent)
        self.process = process
        process.event.connect(self._on_event)

    def start(self, options: AdaptOptions) -> int:
        return self.process.submit("adapt", options)

    def _on_event(self, event: Event) -> None:
        if event.kind != "adapt":
            return
        if event.what == "started":
            self.started.emit()
        elif event.what == "progress":
            self.progress.emit(event.payload)
        elif event.what == "error":
            self.error.emit(event.payload[1])
        elif event.what == "finished":
            self.result.emit(event.payload)
