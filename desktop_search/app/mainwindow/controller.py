"""The app's logic, free of widgets: its jobs, and the state the views show.

Writing (sync, watch-driven updates, adapt, duplicate scans) happens in the indexing
process (``IndexProcess``); reading (search, estimate) happens on QThreads (``Readers``)
through the app's one read-only Engine, which ``SearchJob`` opens. This object lives in
the GUI thread, starts jobs and relays what they report as the signals below; the
running indexing job and its pause state are kept by ``common.job_state``. No SQLite, encoder,
hnswlib or extraction call runs on the GUI thread.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_search.app.adapt.job import AdaptJob
from desktop_search.app.common.desktop import open_file
from desktop_search.app.common.job_state import JobStateMixin
from desktop_search.app.duplicates.job import DuplicateScanJob
from desktop_search.app.indexing.embed_job import EmbedJob
from desktop_search.app.indexing.process import IndexProcess
from desktop_search.app.indexing.sync_job import SyncJob
from desktop_search.app.indexing.watch_job import WatchJob
from desktop_search.app.repair.repairer import Repairer
from desktop_search.app.search.job import SearchRequest
from desktop_search.app.search.preview_job import PreviewJob
from desktop_search.core.engine import AdaptOptions, PreviewRequest
from desktop_search.core.sanitize import display_name
from desktop_search.core.service.messages import Event

from .messages import MessageBridge
from .readers import Readers
from .settings import AppSettings

log = logging.getLogger(__name__)


class AppController(JobStateMixin, QObject):
    # the index
    ready = Signal()
    failed = Signal(str)
    engineChanged = Signal(object)  # the reading Engine, opened again; None while it is closed
    # indexing
    indexingStarted = Signal(str, object)  # kind, roots
    indexingProgress = Signal(object)  # core Progress or AdaptProgress
    indexingFinished = Signal(object)  # JobResult
    pausedChanged = Signal(bool)  # True once the indexer has actually stopped
    diskFull = Signal(object)  # files done before the disk filled up (None: in phase 2)
    fileDone = Signal(str)
    statsChanged = Signal(object)
    queueChanged = Signal(int)
    problemsChanged = Signal(object)  # list of (path, message)
    watchingChanged = Signal(object)
    # search / preview / estimate
    searchResults = Signal(object)
    searchRefined = Signal(object)
    searchFailed = Signal(int, str)
    previewLoaded = Signal(object)
    facetsLoaded = Signal(object)  # core Facets: the filters' types and folders
    estimateScanned = Signal(int, object)
    estimateMeasured = Signal(int, float)
    shutdownComplete = Signal()

    def __init__(
        self,
        data_dir: Path,
        *,
        encoder=None,
        model_path=None,
        messages: MessageBridge | None = None,
        watch_quiet_s: float = 0.75,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.messages = messages or MessageBridge(self)
        self.settings = AppSettings(self.data_dir)
        self.engine = None  # the app's one reading Engine, once SearchJob has opened it
        self.is_ready = False
        self.writable = True  # until the indexing process says otherwise
        self.error: str | None = None
        self._init_job_state()
        self.stats: dict = {"roots": self.settings.folders, "files": 0, "passages": 0}
        self.have_stats = False
        self.watching: list[str] = []
        self._watch_roots: list[str] | None = None  # what the watcher was last asked to watch
        self._session_problems: dict[str, str] = {}
        self._ids = {"search": 0, "preview": 0, "estimate": 0}
        self._synced_once = False
        self.stopping = False
        self.stopped = False

        self.process = IndexProcess(self.data_dir, model_path, parent=self)
        self.sync_job = SyncJob(self.process, self)
        self.watch_job = WatchJob(self.process, quiet_s=watch_quiet_s, parent=self)
        self.adapt_job = AdaptJob(self.process, self)
        self.embed_job = EmbedJob(self.process, self)
        self.scan_job = DuplicateScanJob(self.process, self)
        self.preview_job = PreviewJob(self.process, self)
        self.readers = Readers(self.data_dir, encoder=encoder, model_path=model_path, parent=self)
        self.search_job, self.estimate_job = self.readers.search_job, self.readers.estimate_job
        self.repairer = Repairer(self, model_path)  # after search_job and process
        self._wire()

    def _wire(self) -> None:
        p, sj, wj, aj = self.process, self.sync_job, self.watch_job, self.adapt_job
        p.event.connect(self._on_process_event)
        p.died.connect(lambda why: self.messages.error(f"{why}; restarting it"))
        p.gaveUp.connect(self._on_gave_up)
        p.closed.connect(self._on_process_closed)
        sj.started.connect(self._on_started)
        sj.progress.connect(self._on_progress)
        sj.fileDone.connect(self.fileDone)
        sj.error.connect(self._on_error)
        sj.result.connect(self._on_finished)
        wj.started.connect(lambda: self._on_started("changes", None))
        wj.error.connect(self._on_error)
        wj.result.connect(self._on_finished)
        wj.queued.connect(self.queueChanged)
        wj.watching.connect(self._on_watching)
        aj.started.connect(lambda: self._on_started("adapt", None))
        aj.progress.connect(self._on_progress)
        aj.error.connect(lambda message: self._on_error("", message))
        aj.result.connect(self._on_adapted)
        ej = self.embed_job
        ej.started.connect(lambda kind: self._on_started(kind, None))
        ej.progress.connect(self._on_progress)
        ej.error.connect(self._on_error)
        ej.result.connect(self._on_finished)

        self.readers.engineOpened.connect(self._on_engine)
        self.readers.closed.connect(self._on_readers_closed)
        self.search_job.failed.connect(self._on_failed)
        self.search_job.result.connect(self.searchResults)
        self.search_job.refined.connect(self.searchRefined)
        self.search_job.error.connect(self.searchFailed)
        self.search_job.facetsLoaded.connect(self.facetsLoaded)
        self.search_job.unpacked.connect(self._on_unpacked)
        self.preview_job.result.connect(self.previewLoaded)
        self.estimate_job.progress.connect(self.estimateScanned)
        self.estimate_job.result.connect(self._on_measured)

    def start(self) -> None:
        self.readers.start()
        self.process.start()

    # -- state -------------------------------------------------------------------------

    @property
    def roots(self) -> list[str]:
        return list(self.stats.get("roots", []))

    @property
    def queued(self) -> int:
        """Changed paths the watcher saw that are not re-indexed yet."""
        return self.watch_job.pending

    def problems(self) -> list[tuple[str, str]]:
        merged = dict(self._session_problems)
        for p in self.stats.get("problems", []):
            merged[p["path"]] = p["error"] or p["state"]
        return sorted(merged.items())

    # -- commands ----------------------------------------------------------------------

    def _can_write(self, what: str) -> bool:
        if not self.writable:
            self.messages.warning(f"{what} is not available now: {self.error or 'read-only'}")
        return self.writable

    def add_folders(self, folders: list[str], include=(), exclude=()) -> None:
        """Add (or update the rules of) folders, then index them in the background."""
        if self._can_write("Indexing"):
            self.sync_job.add(folders, include, exclude)

    def remove_folder(self, path: str) -> None:
        path = os.path.abspath(path)
        inside = path.rstrip(os.sep) + os.sep
        self._session_problems = {
            p: m
            for p, m in self._session_problems.items()
            if not (p == path or p.startswith(inside))
        }
        self.sync_job.forget(path)

    def reindex(self, roots: list[str] | None = None) -> None:
        """Bring folders (all when None) level with the disk now."""
        if self.writable:
            self.sync_job.run(roots)

    def adapt_model(self, *, max_pairs: int = 5000, epochs: int = 1, batch_size: int = 16) -> bool:
        """Fine-tune the active model on the indexed documents and switch to the result, in
        the background after any job before it (searches keep the old model meanwhile)."""
        if not self._can_write("Adapting the model"):
            return False
        self.adapt_job.start(AdaptOptions(epochs, batch_size, max_pairs=max_pairs))
        return True

    def open_member(self, archive: str, member: str) -> None:
        """Open a file inside an indexed archive: the reading thread unpacks it into a
        private temporary folder, then ``_on_unpacked`` hands it to the desktop."""
        self.readers.unpack(archive, member)

    def _on_unpacked(self, path: str, error: str) -> None:
        if error:
            self.messages.warning(f"Could not open the file inside the archive: {error}")
        elif not open_file(path):
            self.messages.warning(f"No application could open {display_name(path)}")

    def prioritize(self, path: str) -> None:
        """A file the person opened is embedded next, if it is still waiting."""
        self.process.prioritize([path])

    def search(
        self, query: str, mode: str = "hybrid", *, k: int = 25, refine=True, rerank=False, **filters
    ):
        """Search in the background (``filters``: folder, types, after, before); the id of
        the request comes back with its results."""
        req = SearchRequest(
            self._next("search"), query, mode, k, refine=refine, rerank=rerank, **filters
        )
        self.readers.search(req, send=self.is_ready)
        return req.id

    def refresh_facets(self) -> None:
        """Read the index's types and folders again (``facetsLoaded`` brings them)."""
        if self.is_ready:
            self.readers.refresh_facets()

    def preview(self, path: str, hit, query: str = "") -> int:
        req_id = self._next("preview")
        self.preview_job.load(PreviewRequest(req_id, path, hit, query))
        return req_id

    def estimate(self, folders: list[str], include=(), exclude=()) -> int:
        req_id = self._next("estimate")
        self.readers.estimate(req_id, folders, include, exclude, self.settings.encoder_speed)
        return req_id

    def _next(self, what: str) -> int:
        self._ids[what] += 1
        return self._ids[what]

    # -- from the jobs and the process ------------------------------------------------------

    def close_engine(self) -> None:
        """Close the reading Engine (a repair replaces it): whoever holds it lets go now,
        and ``engineChanged`` brings the next one once ``readers`` has opened it."""
        self.engine = None
        self.engineChanged.emit(None)
        self.readers.close_engine()

    def _on_engine(self, engine) -> None:
        self.engine = engine
        self.engineChanged.emit(engine)
        self._maybe_ready()

    def _maybe_ready(self) -> None:
        """Searching may begin once the engine is open and the folders are known."""
        if self.is_ready or self.engine is None or not (self.have_stats or self.error):
            return
        self.is_ready = True
        self.ready.emit()
        self._maybe_startup_sync()

    def _maybe_startup_sync(self) -> None:
        if self.is_ready and not self._synced_once and self.have_stats:
            # every start brings all folders level with the disk (files changed while closed)
            self._synced_once = True
            if self.writable and self.roots:
                self.sync_job.run(None)

    def _on_process_event(self, event: Event) -> None:
        if event.what == "ready":
            self.writable = event.payload["writable"]
            if event.payload["why"]:
                self.error = event.payload["why"]
                self.messages.warning(event.payload["why"])
        elif event.what == "failed":
            self.writable = False
            self._on_failed(event.payload)
        elif event.what == "stats":
            self._on_stats(event.payload)
        elif event.what == "paused":
            self._on_paused()
        elif event.what == "diskfull":
            self._on_disk_full(event.payload)
        elif event.what == "speed":
            old = self.settings.encoder_speed
            speed = event.payload
            self.settings.encoder_speed = speed if old is None else 0.5 * old + 0.5 * speed

    def _on_failed(self, why: str) -> None:
        self.error = why
        self.messages.error(f"Cannot open the index: {why}")
        self.failed.emit(why)
        self._maybe_ready()

    def _on_gave_up(self, why: str) -> None:
        self.writable = False
        self.error = why
        self.job = None
        self.messages.error(why)
        self._maybe_ready()  # searching may still work

    def _on_stats(self, stats: dict) -> None:
        self.stats = stats
        roots = stats.get("roots", [])
        self.settings.folders = roots
        if roots != self._watch_roots and not self.stopping:
            self._watch_roots = list(roots)
            self.watch_job.set_roots(roots)
        self.have_stats = True
        self.statsChanged.emit(stats)
        self.problemsChanged.emit(self.problems())
        self._maybe_ready()
        self._maybe_startup_sync()

    def _on_error(self, path: str, message: str) -> None:
        if path:
            self._session_problems[path] = message
            self.messages.report_problem(path, message)
        else:
            self.messages.error(message)
        self.problemsChanged.emit(self.problems())

    def _on_measured(self, req_id: int, speed: float) -> None:
        if self.settings.encoder_speed is None:
            self.settings.encoder_speed = speed
        self.estimateMeasured.emit(req_id, speed)

    def _on_watching(self, roots) -> None:
        self.watching = list(roots)
        self.watchingChanged.emit(self.watching)

    # -- shutdown ----------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop cleanly: the indexing process stops after its current batch (committed work
        is kept and the next start resumes), the watcher stops, then the threads end."""
        if self.stopping:
            return
        self.stopping = True
        for job in (self.search_job, self.preview_job, self.estimate_job):  # nothing new shown
            job.latest = -1
        self.settings.sync()
        self.watch_job.stop()
        self.process.quit()

    def _on_process_closed(self) -> None:
        if not self.stopping:
            return
        self.readers.close()

    def _on_readers_closed(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.engine = None
        self.shutdownComplete.emit()
