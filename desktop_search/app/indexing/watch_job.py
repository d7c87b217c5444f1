"""Watching the folders, and sending what changed to the indexing process.

The watchdog observer notices changes (its threads do little Python work); the debounced
batches are re-indexed by the indexing process, not here. Adding recursive watches to a
big folder takes a while, so ``set_roots`` runs on a short-lived thread.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from desktop_search.core.engine import FolderWatcher, WatchBatch
from desktop_search.core.service.messages import Event

from .process import IndexProcess


class WatchJob(QObject):
    watching = Signal(object)  # the folders now watched
    queued = Signal(int)  # changed paths waiting to be re-indexed
    started = Signal()  # the process began applying a batch
    error = Signal(str, str)  # path, message (a folder that cannot be watched, a file that failed)
    result = Signal(object)  # core.service.JobResult of one batch

    _batch = Signal(object)  # from the observer's thread
    _watching = Signal(object)

    def __init__(self, process: IndexProcess, *, quiet_s: float = 0.75, parent=None) -> None:
        super().__init__(parent)
        self.process = process
        self.enabled = True  # off while the index cannot be written
        self.pending = 0
        self._sizes: dict[int, int] = {}  # process job id -> paths in it
        self._roots_lock = threading.Lock()
        self.watcher = FolderWatcher(self._batch.emit, quiet_s=quiet_s, on_error=self.error.emit)
        self._batch.connect(self._on_batch)
        self._watching.connect(self.watching)
        process.event.connect(self._on_event)

    def set_roots(self, roots: list[str]) -> None:
        def run() -> None:
            with self._roots_lock:  # one change of roots at a time, in order
                self.watcher.set_roots(list(roots))
                self._watching.emit(self.watcher.roots)

        threading.Thread(target=run, name="desktop-search-watch", daemon=True).start()

    def stop(self) -> None:
        self.enabled = False
        self.watcher.stop()

    def _on_batch(self, batch: WatchBatch) -> None:
        if not self.enabled:
            return
        self._sizes[self.process.submit("changes", batch)] = len(batch)
        self.pending += len(batch)
        self.queued.emit(self.pending)

    def _on_event(self, event: Event) -> None:
        if event.kind != "changes":
            return
        if event.what == "started":
            self.started.emit()
        elif event.what == "error":
            self.error.emit(*event.payload)
        elif event.what == "finished":
            self.result.emit(event.payload)
        elif event.what == "done" and event.job in self._sizes:
            self.pending -= self._sizes.pop(event.job)
            self.queued.emit(self.pending)
