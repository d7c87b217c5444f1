"""The folder watcher's Qt side: a worker on its own QThread (adding recursive inotify
watches to a big folder takes a while), reporting debounced batches through signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from ..core.watcher import FolderWatcher


class WatchWorker(QObject):
    batch = Signal(object)  # core WatchBatch (emitted from the watcher's own thread)
    error = Signal(str, str)  # folder, message
    watching = Signal(object)  # the folders now watched
    stopped = Signal()

    def __init__(self, quiet_s: float = 0.75) -> None:
        super().__init__()
        self.watcher = FolderWatcher(self.batch.emit, quiet_s=quiet_s, on_error=self.error.emit)

    @Slot(object)
    def set_roots(self, roots) -> None:
        self.watcher.set_roots(list(roots))
        self.watching.emit(self.watcher.roots)

    @Slot()
    def stop(self) -> None:
        self.watcher.stop()
        self.stopped.emit()
