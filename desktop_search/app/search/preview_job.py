"""Previews, built by the indexing process (extraction is heavy Python) for the window.

Each request carries an id; the window stores the newest id in ``latest`` before
sending, so a preview the person has already moved past is never shown.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_search.app.indexing.process import IndexProcess
from desktop_search.core.engine import PreviewRequest
from desktop_search.core.service.messages import Event


class PreviewJob(QObject):
    result = Signal(object)  # core PreviewDoc (its ``error`` says what went wrong, if anything)

    def __init__(self, process: IndexProcess, parent=None) -> None:
        super().__init__(parent)
        self.process = process
        self.latest = 0  # the newest request id
        process.event.connect(self._on_event)

    def load(self, req: PreviewRequest) -> None:
        self.latest = req.id
        self.process.submit("preview", req)

    def _on_event(self, event: Event) -> None:
        done = event.kind == "preview" and event.what == "finished"
        if done and event.payload.request.id == self.latest:
            self.result.emit(event.payload)
