"""QThreads for the app's reading jobs (search, preview, estimate, duplicate comparisons)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread


class WorkerThread(QThread):
    """A QThread whose event loop runs inside a Python call.

    With the default ``run()`` every queued slot call enters Python afresh, with a new
    Python thread state, so ``threading.local`` data (the engine's per-thread searcher and
    its SQLite connection) would be rebuilt on every call. Running ``exec()`` from Python
    keeps one thread state for the thread's life.
    """

    def run(self) -> None:
        self.exec()


def move_to_thread(job: QObject, name: str, parent: QObject | None = None) -> WorkerThread:
    """A named, not yet started thread that ``job`` now lives in."""
    thread = WorkerThread(parent)
    thread.setObjectName(name)
    job.moveToThread(thread)
    return thread
