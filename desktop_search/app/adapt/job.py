"""Tools ▸ Adapt: fine-tune the model on the indexed files, in the indexing process.

``Engine.adapt`` does the work there (mine pairs, train, re-embed, switch), and
``Engine.adapt_plan`` the look before it (the material, the time); this job sends the
requests and turns what comes back into typed signals.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_search.app.indexing.process import IndexProcess
from desktop_search.core.engine import AdaptOptions
from desktop_search.core.service.messages import Event


class AdaptJob(QObject):
    started = Signal()
    progress = Signal(object)  # core AdaptProgress
    error = Signal(str)
    result = Signal(object)  # core.service.JobResult (``model``: the folder now active)
    planned = Signal(int, object)  # request id, core AdaptPlan (the material, the time)
    planFailed = Signal(int, str)  # request id, why

    def __init__(self, process: IndexProcess, parent=None) -> None:
        super().__init__(parent)
        self.process = process
        process.event.connect(self._on_event)

    def start(self, options: AdaptOptions) -> int:
        return self.process.submit("adapt", options)

    def plan(self, options: AdaptOptions, speed: float | None = None) -> int:
        """Mine the pairs and time the encoder (unless ``speed`` is known): ``planned`` with
        the id returned here."""
        return self.process.submit("adapt_plan", (options, speed))

    def _on_event(self, event: Event) -> None:
        if event.kind == "adapt_plan":
            if event.what == "finished":
                self.planned.emit(event.job, event.payload)
            elif event.what == "error":
                self.planFailed.emit(event.job, event.payload[1])
            return
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
