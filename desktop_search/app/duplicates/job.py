"""Duplicate scans, run by the indexing process on the index it keeps current.

The panel asks for a scan with a ``ScanRequest``; a newer request cancels the one
running (a slider move, say) and only the newest queued one runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop_search.app.indexing.process import IndexProcess
from desktop_search.core.engine import DEFAULT_MIN_CONTAINMENT
from desktop_search.core.service.messages import Event


@dataclass(frozen=True)
class ScanRequest:
    id: int
    level: str
    threshold: float
    folder: str | None = None
    min_containment: float = DEFAULT_MIN_CONTAINMENT


class DuplicateScanJob(QObject):
    progress = Signal(int, int, int, str)  # request id, done, total, phase
    result = Signal(object, object)  # ScanRequest, Report
    error = Signal(int, str)  # request id, message
    cancelled = Signal(int)  # request id
    dropped = Signal(str, int)  # a trashed file's path, passages that left the index

    def __init__(self, process: IndexProcess, parent=None) -> None:
        super().__init__(parent)
        self.process = process
        self._requests: dict[int, ScanRequest] = {}  # process job id -> request
        process.event.connect(self._on_event)

    def scan(self, req: ScanRequest) -> None:
        self.cancel()
        args = {
            "level": req.level,
            "threshold": req.threshold,
            "folder": req.folder,
            "min_containment": req.min_containment,
        }
        self._requests[self.process.submit("duplicates", args)] = req

    def drop(self, path: str) -> None:
        """A file the user trashed leaves the index at once (in the indexing process)."""
        self.process.submit("drop", path)

    def cancel(self) -> None:
        """Stop the running scan at its next batch."""
        if self._requests:
            self.process.cancel("scan")

    def _on_event(self, event: Event) -> None:
        if event.kind == "drop" and event.what == "finished":
            self.dropped.emit(*event.payload)
            return
        req = self._requests.get(event.job)
        if event.kind != "duplicates" or req is None:
            return
        if event.what == "progress":
            self.progress.emit(req.id, *event.payload)
        elif event.what == "error":
            self.error.emit(req.id, event.payload[1])
        elif event.what == "finished":
            if event.payload is None:
                self.cancelled.emit(req.id)
            else:
                self.result.emit(req, event.payload)
        elif event.what == "done":
            self._requests.pop(event.job, None)
