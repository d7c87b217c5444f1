"""The app's logic, free of widgets: threads, workers, watcher, and the state the views show.

Every slow thing (opening the index, the encoder, SQLite, hnswlib, walking folders, reading
files for the preview) happens in a worker on a QThread; this object lives in the GUI
thread, sends work through queued signals and relays what comes back.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import deque
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from .adapt import AdaptOptions
from .estimate import EstimateWorker
from .index_worker import IndexWorker, JobResult
from .messages import MessageBridge
from .search_worker import PreviewRequest, PreviewWorker, SearchRequest, SearchWorker
from .settings import AppSettings
from .watch_worker import WatchWorker

log = logging.getLogger(__name__)


class WorkerThread(QThread):
    """A QThread whose event loop runs inside a Python call.

    With the default ``run()`` every queued slot call enters Python afresh, with a new
    Python thread state, so ``threading.local`` data (the encoder's per-thread tokenizer,
    the engine's per-thread searcher and its SQLite connection) would be rebuilt on every
    call. Running ``exec()`` from Python keeps one thread state for the thread's life.
    """

    def run(self) -> None:
        self.exec()


class AppController(QObject):
    # engine
    ready = Signal()
    failed = Signal(str)
    # indexing
    indexingStarted = Signal(str, object)  # kind, roots
    indexingProgress = Signal(object)  # core Progress
    indexingFinished = Signal(object)  # JobResult
    pausedChanged = Signal(bool)  # True once the indexer has actually stopped
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
    estimateScanned = Signal(int, object)
    estimateMeasured = Signal(int, float)
    shutdownComplete = Signal()

    # to the workers (queued: the receivers live in other threads)
    _open = Signal()
    _sync = Signal(object)
    _addRoots = Signal(object)
    _forget = Signal(str)
    _changes = Signal(object)
    _adapt = Signal(object)
    _refresh = Signal()
    _closeIndex = Signal()
    _searchEngine = Signal(object)
    _search = Signal(object)
    _preview = Signal(object)
    _estimateEngine = Signal(object)
    _estimate = Signal(int, object, object, object, object)
    _watchRoots = Signal(object)
    _stopWatch = Signal()

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
        self.engine = None
        self.is_ready = False
        self.writable = False
        self.error: str | None = None
        self.job: str | None = None  # the indexing job running now ("sync", "changes", ...)
        self.job_roots: list[str] | None = None
        self.last_progress = None
        self.pause_requested = False
        self.paused = False
        self.stats: dict = {
            "roots": self.settings.folders,
            "files": 0,
            "passages": 0,
            "failed": 0,
            "skipped": 0,
            "problems": [],
        }
        self.watching: list[str] = []
        self.queued = 0
        self._queued_sizes: deque[int] = deque()
        self._session_problems: dict[str, str] = {}
        self._search_id = 0
        self._preview_id = 0
        self._estimate_id = 0
        self.stopping = False
        self.stopped = False
        self._synced_once = False
        self.have_stats = False
        self._pending_threads: list[QThread] = []
        self._threads: list[QThread] = []

        self.index_worker = IndexWorker(self.data_dir, encoder=encoder, model_path=model_path)
        self.search_worker = SearchWorker()
        self.preview_worker = PreviewWorker()
        self.estimate_worker = EstimateWorker(self.data_dir)
        self.watch_worker = WatchWorker(quiet_s=watch_quiet_s)
        self._wire()

    # -- set-up ------------------------------------------------------------------------

    def _thread(self, name: str, worker: QObject) -> QThread:
        thread = WorkerThread(self)
        thread.setObjectName(name)
        worker.moveToThread(thread)
        self._threads.append(thread)
        return thread

    def _wire(self) -> None:
        iw, sw, pw, ew, ww = (
            self.index_worker,
            self.search_worker,
            self.preview_worker,
            self.estimate_worker,
            self.watch_worker,
        )
        self._index_thread = self._thread("desktop-search-index", iw)
        self._search_thread = self._thread("desktop-search-search", sw)
        self._preview_thread = self._thread("desktop-search-preview", pw)
        self._estimate_thread = self._thread("desktop-search-estimate", ew)
        self._watch_thread = self._thread("desktop-search-watch", ww)

        self._open.connect(iw.open)
        self._sync.connect(iw.sync)
        self._addRoots.connect(iw.add_roots)
        self._forget.connect(iw.forget)
        self._changes.connect(iw.apply_changes)
        self._adapt.connect(iw.adapt)
        self._refresh.connect(iw.refresh_stats)
        self._closeIndex.connect(iw.shutdown)
        iw.ready.connect(self._on_ready)
        iw.readOnly.connect(self._on_read_only)
        iw.failed.connect(self._on_failed)
        iw.closed.connect(self._on_index_closed)
        iw.started.connect(self._on_started)
        iw.progress.connect(self._on_progress)
        iw.fileDone.connect(self.fileDone)
        iw.error.connect(self._on_error)
        iw.finished.connect(self._on_finished)
        iw.paused.connect(self._on_paused)
        iw.stats.connect(self._on_stats)
        iw.speed.connect(self._on_speed)

        self._searchEngine.connect(sw.set_engine)
        self._search.connect(sw.search)
        sw.warmed.connect(self._on_search_warmed)
        sw.results.connect(self.searchResults)
        sw.refined.connect(self.searchRefined)
        sw.failed.connect(self.searchFailed)
        self._preview.connect(pw.load)
        pw.loaded.connect(self.previewLoaded)

        self._estimateEngine.connect(ew.set_engine)
        self._estimate.connect(ew.estimate)
        ew.scanned.connect(self.estimateScanned)
        ew.measured.connect(self._on_measured)

        self._watchRoots.connect(ww.set_roots)
        self._stopWatch.connect(ww.stop)
        ww.batch.connect(self._on_watch_batch)
        ww.error.connect(self._on_watch_error)
        ww.watching.connect(self._on_watching)

    def start(self) -> None:
        # Workers run Python too (chunking, bookkeeping): ask them to hand the GIL back to the
        # GUI thread sooner than the default 5 ms.
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.002))
        for thread in self._threads:
            thread.start()
        self._open.emit()

    # -- state -------------------------------------------------------------------------

    @property
    def roots(self) -> list[str]:
        return list(self.stats.get("roots", []))

    @property
    def indexing(self) -> bool:
        """A full sync is running (search covers what has been indexed so far)."""
        return self.job == "sync"

    def problems(self) -> list[tuple[str, str]]:
        merged = dict(self._session_problems)
        for p in self.stats.get("problems", []):
            merged[p["path"]] = p["error"] or p["state"]
        return sorted(merged.items())

    # -- commands ----------------------------------------------------------------------

    def add_folders(self, folders: list[str], include=(), exclude=()) -> None:
        """Add (or update the rules of) folders, then index them in the background."""
        if not self.writable:
            self.messages.warning(
                "Indexing is not available now: " + (self.error or "the index is read-only")
            )
            return
        self._addRoots.emit(
            {
                "folders": [os.path.abspath(f) for f in folders],
                "include": list(include),
                "exclude": list(exclude),
            }
        )

    def remove_folder(self, path: str) -> None:
        path = os.path.abspath(path)
        self._session_problems = {
            p: m
            for p, m in self._session_problems.items()
            if not (p == path or p.startswith(path.rstrip(os.sep) + os.sep))
        }
        self._forget.emit(path)

    def reindex(self, roots: list[str] | None = None) -> None:
        """Bring folders (all when None) level with the disk now."""
        if self.writable:
            self._sync.emit([os.path.abspath(r) for r in roots] if roots else None)

    def adapt_model(self, *, max_pairs: int = 5000, epochs: int = 1, batch_size: int = 16) -> bool:
        """Fine-tune the active model on the indexed documents and switch to the result, in
        the background after any job before it (searches keep the old model meanwhile)."""
        if not self.writable:
            self.messages.warning(
                "Adapting the model is not available now: "
                + (self.error or "the index is read-only")
            )
            return False
        self._adapt.emit(AdaptOptions(max_pairs=max_pairs, epochs=epochs, batch_size=batch_size))
        return True

    def pause(self) -> None:
        self.pause_requested = True
        self.index_worker.pause.set()

    def resume(self) -> None:
        self.pause_requested = False
        self.index_worker.pause.clear()
        if self.paused:
            self.paused = False
            self.pausedChanged.emit(False)

    def cancel(self) -> None:
        """Stop the running sync (or adapt) after the current batch; what is done stays done."""
        if self.job is not None:
            self.index_worker.cancel.set()
            self.resume()

    def search(
        self,
        query: str,
        mode: str = "hybrid",
        *,
        folder=None,
        types=(),
        after=None,
        before=None,
        k: int = 25,
        refine: bool = True,
    ) -> int:
        self._search_id += 1
        req = SearchRequest(
            self._search_id, query, mode, k, folder, tuple(types), after, before, refine
        )
        self.search_worker.latest = req.id
        if self.is_ready:
            self._search.emit(req)
        return req.id

    def preview(self, path: str, hit, query: str = "") -> int:
        self._preview_id += 1
        self.preview_worker.latest = self._preview_id
        self._preview.emit(PreviewRequest(self._preview_id, path, hit, query))
        return self._preview_id

    def estimate(self, folders: list[str], include=(), exclude=()) -> int:
        self._estimate_id += 1
        self.estimate_worker.latest = self._estimate_id
        self._estimate.emit(
            self._estimate_id,
            list(folders),
            list(include),
            list(exclude),
            self.settings.encoder_speed,
        )
        return self._estimate_id

    def refresh(self) -> None:
        self._refresh.emit()

    # -- from the workers --------------------------------------------------------------

    def _on_ready(self, engine) -> None:
        self.engine = engine
        self.writable = engine.writable
        self._searchEngine.emit(engine)
        self._estimateEngine.emit(engine)

    def _on_search_warmed(self) -> None:
        """Both workers have loaded what they need: searching and the startup sync may begin."""
        self.is_ready = True
        self.ready.emit()
        self._maybe_startup_sync()

    def _maybe_startup_sync(self) -> None:
        if self.is_ready and not self._synced_once and self.have_stats:
            # every start brings all folders level with the disk (files changed while closed)
            self._synced_once = True
            if self.writable and self.roots:
                self._sync.emit(None)

    def _on_read_only(self, why: str) -> None:
        self.error = why
        self.messages.warning(why)

    def _on_failed(self, why: str) -> None:
        self.error = why
        self.messages.error(f"Cannot open the index: {why}")
        self.failed.emit(why)

    def _on_stats(self, stats: dict) -> None:
        old_roots = self.roots
        self.stats = stats
        roots = stats.get("roots", [])
        self.settings.folders = roots
        if roots != old_roots or self.watching != roots:
            self._watchRoots.emit(roots)
        self.have_stats = True
        self.statsChanged.emit(stats)
        self.problemsChanged.emit(self.problems())
        self._maybe_startup_sync()

    def _on_started(self, kind: str, roots) -> None:
        self.job = kind
        self.job_roots = roots
        self.last_progress = None
        self.indexingStarted.emit(kind, roots)

    def _on_progress(self, p) -> None:
        self.last_progress = p
        self.indexingProgress.emit(p)

    def _on_paused(self) -> None:
        if self.pause_requested and not self.paused:
            self.paused = True
            self.pausedChanged.emit(True)

    def _on_finished(self, result: JobResult) -> None:
        if result.kind == "changes" and self._queued_sizes:
            self.queued -= self._queued_sizes.popleft()
            self.queueChanged.emit(self.queued)
        self.job = None
        self.job_roots = None
        if result.kind in ("sync", "adapt") and self.pause_requested:
            # the job ended (its last batch, or a cancel) while a pause was pending: a pause
            # belongs to the job, so later jobs must not wait on it
            self.pause_requested = False
            self.index_worker.pause.clear()
        if self.paused:
            self.paused = False
            self.pausedChanged.emit(False)
        self.indexingFinished.emit(result)

    def _on_error(self, path: str, message: str) -> None:
        if path:
            self._session_problems[path] = message
            self.messages.report_problem(path, message)
        else:
            self.messages.error(message)
        self.problemsChanged.emit(self.problems())

    def _on_speed(self, speed: float) -> None:
        old = self.settings.encoder_speed
        self.settings.encoder_speed = speed if old is None else 0.5 * old + 0.5 * speed

    def _on_measured(self, req_id: int, speed: float) -> None:
        if self.settings.encoder_speed is None:
            self.settings.encoder_speed = speed
        self.estimateMeasured.emit(req_id, speed)

    def _on_watch_batch(self, batch) -> None:
        if self.stopping or not self.writable:
            return
        self.queued += len(batch)
        self._queued_sizes.append(len(batch))
        self.queueChanged.emit(self.queued)
        self._changes.emit(batch)

    def _on_watch_error(self, path: str, message: str) -> None:
        self._on_error(path, message)

    def _on_watching(self, roots) -> None:
        self.watching = list(roots)
        self.watchingChanged.emit(self.watching)

    # -- shutdown ----------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop cleanly: cancel the sync after its current batch (committed work is kept and
        the next start resumes), stop watching, close the index, then end the threads."""
        if self.stopping:
            return
        self.stopping = True
        iw = self.index_worker
        iw.stopping = True
        iw.cancel.set()
        iw.pause.clear()
        self.search_worker.latest = -1
        self.preview_worker.latest = -1
        self.estimate_worker.latest = -1
        self.settings.sync()
        if not self._index_thread.isRunning():
            self._on_index_closed()
            return
        self._stopWatch.emit()
        self._closeIndex.emit()

    def _on_index_closed(self) -> None:
        self._pending_threads = [t for t in self._threads if t.isRunning()]
        if not self._pending_threads:
            self._finish_shutdown()
            return
        for thread in self._pending_threads:
            thread.finished.connect(self._on_thread_finished)
            thread.quit()

    def _on_thread_finished(self) -> None:
        self._pending_threads = [t for t in self._pending_threads if t.isRunning()]
        if not self._pending_threads:
            self._finish_shutdown()

    def _finish_shutdown(self) -> None:
        if self.stopped:
            return
        self.watch_worker.watcher.stop()  # in case its thread never ran the stop slot
        self.stopped = True
        self.engine = None
        self.shutdownComplete.emit()

    def wait_stopped(self, timeout_ms: int = 30000) -> bool:
        """Block until every thread has ended (scripts and tests; the app uses the signal)."""
        ok = True
        for thread in self._threads:
            ok = thread.wait(timeout_ms) and ok
        return ok
