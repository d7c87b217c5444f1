"""The app's reading threads: search (with facets and model following) and estimates.

Both jobs live in threads of their own and read through the app's one read-only Engine,
which ``SearchJob`` opens and this object hands on to ``EstimateJob``. Requests reach
them through queued signals (they live in other threads); closing ends the Engine in the
search thread before both threads quit. What the jobs report, the controller relays.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_search.app.common.heap import freeze_loaded
from desktop_search.app.common.threads import move_to_thread
from desktop_search.app.search.job import SearchJob, SearchRequest
from desktop_search.app.wizard.estimate_job import EstimateJob


class Readers(QObject):
    engineOpened = Signal(object)  # the app's reading Engine, opened and warmed up
    closed = Signal()  # close() has ended the Engine and both threads

    # to the jobs (queued: they live in other threads)
    _open = Signal()
    _search = Signal(object)
    _followModel = Signal()
    _facets = Signal()
    _closeEngine = Signal()
    _unpack = Signal(str, str)
    _estimateEngine = Signal(object)
    _estimate = Signal(int, object, object, object, object)

    def __init__(self, data_dir: Path, *, encoder=None, model_path=None, parent=None) -> None:
        super().__init__(parent)
        self.search_job = SearchJob(data_dir, encoder=encoder, model_path=model_path)
        self.estimate_job = EstimateJob()
        self._threads = [
            move_to_thread(self.search_job, "desktop-search-search", self),
            move_to_thread(self.estimate_job, "desktop-search-estimate", self),
        ]
        self._closed = False
        self._open.connect(self.search_job.open)
        self._search.connect(self.search_job.search)
        self._followModel.connect(self.search_job.follow_model)
        self._facets.connect(self.search_job.facets)
        self._closeEngine.connect(self.search_job.close)
        self._unpack.connect(self.search_job.unpack)
        self.search_job.ready.connect(self._on_engine)
        self.search_job.followed.connect(self._on_followed)
        self._estimateEngine.connect(self.estimate_job.set_engine)
        self._estimate.connect(self.estimate_job.estimate)

    def start(self) -> None:
        """Start both threads and open the Engine (``engineOpened`` brings it)."""
        # The reading threads run some Python (SQLite rows, highlighting): ask them to hand
        # the interpreter lock back to the GUI thread sooner than the default 5 ms.
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.002))
        for thread in self._threads:
            thread.start()
        self.open_engine()

    def open_engine(self) -> None:
        """Open the Engine (again, after a repair); ``engineOpened`` brings it."""
        self._open.emit()

    def close_engine(self) -> None:
        """Close the Engine, in the search thread; searches and estimates wait for the next."""
        self._estimateEngine.emit(None)
        self._closeEngine.emit()

    def search(self, req: SearchRequest, *, send: bool) -> None:
        """Make ``req`` the newest search (older results are dropped); run it if ``send``."""
        self.search_job.latest = req.id
        if send:
            self._search.emit(req)

    def refresh_facets(self) -> None:
        self._facets.emit()

    def follow_model(self) -> None:
        """Switch the Engine to the index's active model (``search.job.followed`` says when)."""
        self._followModel.emit()

    def estimate(self, req_id: int, folders, include, exclude, known_speed) -> None:
        self.estimate_job.latest = req_id
        self._estimate.emit(req_id, list(folders), list(include), list(exclude), known_speed)

    def _on_engine(self, engine) -> None:
        freeze_loaded()  # the model and what searching imported: out of full collections
        self._estimateEngine.emit(engine)
        self.engineOpened.emit(engine)

    def _on_followed(self) -> None:
        freeze_loaded()  # the search thread has loaded the new active model

    def unpack(self, archive: str, member: str) -> None:
        """Unpack an archive member to open it (``search_job.unpacked`` brings its path)."""
        self._unpack.emit(archive, member)

    def close(self) -> None:
        """Close the Engine in the search thread, then end both threads (``closed``)."""
        self.close_engine()  # runs in the search thread, before it quits
        for thread in self._threads:
            thread.finished.connect(self._on_thread_finished)
            thread.quit()

    def _on_thread_finished(self) -> None:
        if self._closed or any(t.isRunning() for t in self._threads):
            return
        self._closed = True
        self.closed.emit()
