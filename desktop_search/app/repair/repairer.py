"""A damaged index, as the app handles it: notice, say so, repair on request, open again.

Any failure the indexing process or a search reports makes ``RepairJob`` check the
database (SQLite's quick_check, off the GUI thread). When it is damaged, ``damaged`` tells
the window, which offers Repair. ``repair`` stops the indexing process (it holds the
writer lock) and closes the reading Engine, runs ``Engine.repair`` in a child process,
then starts both again on the rebuilt index.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop_search.core.service.messages import Event

from .job import RepairJob


class Repairer(QObject):
    damaged = Signal()  # the index is damaged: offer Repair
    started = Signal()
    progress = Signal(object)  # core Progress of the rebuild
    finished = Signal(object)  # core RepairReport, or None when the repair failed
    failed = Signal(str)

    def __init__(self, controller, model_path=None) -> None:
        super().__init__(controller)
        self.c = controller
        self.is_damaged = False
        self.repairing = False
        self.job = RepairJob(controller.data_dir, model_path, self)
        self.job.checked.connect(self._on_checked)
        self.job.progress.connect(self.progress)
        self.job.result.connect(self._on_result)
        self.job.error.connect(self._on_error)
        controller.process.event.connect(self._on_process_event)
        controller.process.died.connect(lambda _why: self.job.check())
        controller.process.gaveUp.connect(lambda _why: self.job.check())
        controller.search_job.failed.connect(lambda _why: self.job.check())
        controller.search_job.error.connect(lambda _id, _why: self.job.check())

    def _on_process_event(self, event: Event) -> None:
        if event.what == "failed" or (event.what == "error" and not event.payload[0]):
            self.job.check()  # the index could not be opened, or a job stopped

    def _on_checked(self, damaged: bool) -> None:
        if damaged and not self.is_damaged and not self.repairing:
            self.is_damaged = True
            self.damaged.emit()

    def repair(self) -> bool:
        """Rebuild the index from the folders, keeping every vector SQLite can still read."""
        if self.repairing or self.c.stopping:
            return False
        self.repairing = True
        self.started.emit()
        self.c.close_engine()  # searches wait for the new one
        process = self.c.process
        if process.stopped:
            self.job.start()
        else:
            process.closed.connect(self._on_process_closed)
            process.quit()
        return True

    def _on_process_closed(self) -> None:
        self.c.process.closed.disconnect(self._on_process_closed)
        self.job.start()

    def _on_result(self, report) -> None:
        self.is_damaged = False
        self._reopen()
        self.finished.emit(report)

    def _on_error(self, why: str) -> None:
        self._reopen()
        self.failed.emit(why)

    def _reopen(self) -> None:
        self.repairing = False
        if self.c.stopping:
            return
        self.c.error = None
        self.c.process.restart()
        self.c.readers.open_engine()
