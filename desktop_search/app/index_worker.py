"""The indexing worker: owns the Engine and drives the core indexer on its own QThread.

It talks to the UI only through signals. Jobs arrive as queued slot calls (so they queue
up in order while a long sync runs); pause and cancel are ``threading.Event``s the UI
sets directly, which the core indexer polls between batches.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

#: Indexer batch size in passages: smaller than the core's default so that progress,
#: pause and cancel react within a second or two instead of several.
EMBED_BATCH = 8
MAX_PROBLEMS = 500
#: Workers run this much "nicer" than the GUI thread. Not more: a worker that holds the GIL
#: and is then starved of CPU would keep the GUI thread waiting (priority inversion).
WORKER_NICE = 5


def lower_thread_priority() -> None:
    """Background work runs at a lower priority than the GUI thread (Linux: per-thread nice),
    and torch leaves one core free for the interface."""
    if hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
        try:
            tid = threading.get_native_id()
            os.setpriority(
                os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + WORKER_NICE)
            )
        except OSError:
            pass
    try:
        import torch

        torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
    except Exception:  # pragma: no cover - torch always there in practice
        pass


def warm_up(encoder) -> None:
    """Load the weights and this thread's tokenizer now, while the window says "Opening…",
    rather than in the middle of indexing or of the first search."""
    try:
        encoder.encode(["warm up"])
    except Exception:
        log.exception("encoder warm-up failed")


class ObservedEvent(threading.Event):
    """A threading.Event that calls ``on_seen`` the first time a poller finds it set.

    The core indexer polls ``pause.is_set()`` between batches; this tells the UI when the
    pause has actually taken hold ("Pausing…" becomes "Paused").
    """

    def __init__(self, on_seen) -> None:
        super().__init__()
        self._on_seen = on_seen
        self._reported = False

    def set(self) -> None:
        self._reported = False
        super().set()

    def clear(self) -> None:
        super().clear()
        self._reported = False

    def is_set(self) -> bool:
        value = super().is_set()
        if value and not self._reported:
            self._reported = True
            self._on_seen()
        return value


@dataclass
class JobResult:
    kind: str  # "open", "sync", "changes", "forget", "add", "adapt"
    report: object | None = None  # SyncReport
    cancelled: bool = False
    roots: list[str] = field(default_factory=list)
    seconds: float = 0.0
    model: str = ""  # "adapt": the folder of the model now active (empty: none)


class IndexWorker(QObject):
    # engine life
    ready = Signal(object)  # the Engine (the search worker needs it)
    readOnly = Signal(str)  # opened without the writer lock: why
    failed = Signal(str)  # could not open the index at all
    closed = Signal()
    # jobs
    started = Signal(str, object)  # kind, roots (None: all)
    progress = Signal(object)  # core Progress
    fileDone = Signal(str)
    error = Signal(str, str)  # path, message
    finished = Signal(object)  # JobResult
    paused = Signal()  # the indexer has stopped at a batch boundary
    stats = Signal(object)  # {"roots", "files", "passages", "failed", "skipped", "problems"}
    speed = Signal(float)  # passages per second measured during a sync

    def __init__(self, data_dir: Path, *, encoder=None, model_path=None) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.encoder = encoder
        self.model_path = model_path
        self.engine = None
        self.pause = ObservedEvent(self.paused.emit)
        self.cancel = threading.Event()
        self.stopping = False  # set from the GUI thread at shutdown; jobs then return at once
        self._last_stats = 0.0
        self._last_file = ""

    # -- engine ------------------------------------------------------------------------

    @Slot()
    def open(self) -> None:
        lower_thread_priority()
        from ..core.engine import Engine, IndexBusyError

        try:
            try:
                self.engine = Engine(
                    self.data_dir, model_path=self.model_path, encoder=self.encoder
                )
            except IndexBusyError as exc:
                self.engine = Engine(
                    self.data_dir, model_path=self.model_path, encoder=self.encoder, writer=False
                )
                self.readOnly.emit(str(exc))
        except Exception as exc:  # StoreError, ModelError, OSError: shown in the window
            log.exception("cannot open the index")
            self.failed.emit(f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))
            return
        if self.engine.indexer is not None:
            self.engine.indexer.embed_batch = EMBED_BATCH
            warm_up(self.engine.encoder)
        self.ready.emit(self.engine)
        self._emit_stats()

    @Slot()
    def shutdown(self) -> None:
        """Close the engine (saves nothing more: each sync already saved the vector index)."""
        engine, self.engine = self.engine, None
        if engine is not None:
            try:
                engine.close()
            except Exception:  # pragma: no cover
                log.exception("closing the engine")
        self.closed.emit()

    # -- jobs --------------------------------------------------------------------------

    def _usable(self) -> bool:
        return self.engine is not None and self.engine.writable and not self.stopping

    def _wait_while_paused(self) -> None:
        while self.pause.is_set() and not self.cancel.is_set() and not self.stopping:
            time.sleep(0.05)

    @Slot(object)
    def add_roots(self, spec) -> None:
        """spec: {"folders": [...], "include": [...], "exclude": [...]}; then sync them."""
        if not self._usable():
            return
        added = []
        for path in spec["folders"]:
            try:
                self.engine.indexer.add_root(
                    path, include=spec.get("include", ()), exclude=spec.get("exclude", ())
                )
                added.append(os.path.abspath(path))
            except (OSError, FileNotFoundError) as exc:
                self.error.emit(
                    path,
                    f"cannot add folder: {exc.strerror or exc}"
                    if isinstance(exc, OSError) and exc.strerror
                    else str(exc),
                )
        self._emit_stats()
        if added:
            self.sync(added)

    @Slot(object)
    def sync(self, roots=None) -> None:
        if not self._usable():
            return
        self._wait_while_paused()
        indexer = self.engine.indexer
        known = [r["path"] for r in indexer.store.roots()]
        if roots is not None:
            roots = [r for r in roots if r in known]
        if not (roots if roots is not None else known):
            self.finished.emit(JobResult("sync", None, False, []))
            self.cancel.clear()
            return
        self.started.emit("sync", roots)
        t0 = time.monotonic()
        self._last_file = ""
        try:
            report = indexer.sync(
                roots,
                progress=self._on_progress,
                cancel=self.cancel,
                pause=self.pause,
                on_file=self._on_file,
            )
        except Exception as exc:
            log.exception("sync failed")
            self.error.emit("", f"indexing stopped: {type(exc).__name__}: {exc}")
            self.finished.emit(
                JobResult("sync", None, False, roots or known, time.monotonic() - t0)
            )
            self.cancel.clear()
            return
        elapsed = time.monotonic() - t0
        if report.passages_embedded >= 32 and elapsed > 1:
            self.speed.emit(report.passages_embedded / elapsed)
        self._emit_stats()
        self.finished.emit(JobResult("sync", report, report.cancelled, roots or known, elapsed))
        self.cancel.clear()

    @Slot(object)
    def apply_changes(self, batch) -> None:
        """A WatchBatch from the folder watcher: renames first, then re-check every path."""
        if not self._usable():
            self.finished.emit(JobResult("changes", None))
            return
        self._wait_while_paused()
        indexer = self.engine.indexer
        t0 = time.monotonic()
        self.started.emit("changes", None)
        try:
            for old, new in batch.moved:
                indexer.move(old, new)
            report = indexer.update_paths(batch.paths(), cancel=self.cancel, on_file=self._on_file)
        except Exception as exc:
            log.exception("applying changes failed")
            self.error.emit("", f"could not apply folder changes: {type(exc).__name__}: {exc}")
            self.finished.emit(JobResult("changes", None))
            return
        self._emit_stats()
        self.finished.emit(
            JobResult("changes", report, report.cancelled, [], time.monotonic() - t0)
        )

    @Slot(str)
    def forget(self, path: str) -> None:
        if not self._usable():
            return
        self.started.emit("forget", [path])
        try:
            self.engine.indexer.forget(path)
        except Exception as exc:
            log.exception("forget failed")
            self.error.emit(path, f"could not remove folder: {exc}")
        self._emit_stats()
        self.finished.emit(JobResult("forget", None, False, [path]))

    @Slot(object)
    def adapt(self, options) -> None:
        """Fine-tune the active model on pairs mined from the indexed files (AdaptOptions),
        save it under <data dir>/models, then re-embed every passage and switch to it.

        Searches keep the old model until the new vectors are complete (Engine.switch_model).
        A model that is cancelled or fails before the switch is deleted again.
        """
        if not self._usable():
            return
        from ..core.encoder import Encoder
        from ..core.training import TrainingError, adapt_pairs, mine_pairs
        from ..core.training.library import indexed_documents
        from .adapt import AdaptProgress, new_model_dir

        self._wait_while_paused()
        self.started.emit("adapt", None)
        t0 = time.monotonic()
        engine = self.engine
        out_dir = encoder = None
        model = ""
        try:
            self.progress.emit(AdaptProgress("reading"))
            pairs = mine_pairs(self._documents(indexed_documents(engine.store)))
            if not self.cancel.is_set():
                self.progress.emit(AdaptProgress("training", pairs=len(pairs)))
                out_dir = adapt_pairs(
                    pairs,
                    engine.encoder.path,
                    new_model_dir(engine.data_dir),
                    epochs=options.epochs,
                    batch_size=options.batch_size,
                    max_pairs=options.max_pairs,
                    max_seq_length=options.max_seq_length,
                    progress=self._on_train_progress,
                    cancel=self.cancel,
                ).out_dir
            if out_dir is not None:
                encoder = Encoder(out_dir)
                if engine.switch_model(
                    encoder, progress=self._on_switch_progress, cancel=self.cancel
                ):
                    engine.indexer.embed_batch = EMBED_BATCH
                    model = str(out_dir)
        except Exception as exc:
            if not isinstance(exc, TrainingError):
                log.exception("adapting the model failed")
            self.error.emit("", f"Could not adapt the model: {exc}")
        if out_dir is not None and not model:
            self._discard_model(out_dir, encoder)
        cancelled = not model and self.cancel.is_set()
        self._emit_stats()
        self.finished.emit(
            JobResult("adapt", None, cancelled, [], time.monotonic() - t0, model=model)
        )
        self.cancel.clear()

    def _documents(self, docs):
        """The indexed (path, text) documents, until cancelled, reporting every 25 files."""
        from .adapt import AdaptProgress

        total = self.engine.store.counts()["files"]
        for n, doc in enumerate(docs, 1):
            self._wait_while_paused()
            if self.cancel.is_set() or self.stopping:
                return
            yield doc
            if n % 25 == 0:
                self.progress.emit(AdaptProgress("reading", n, total))

    def _on_train_progress(self, p) -> None:
        from .adapt import AdaptProgress

        eta = p.elapsed_s / p.step * (p.total_steps - p.step) if p.step else None
        self.progress.emit(AdaptProgress("training", p.step, p.total_steps, eta))
        self._wait_while_paused()

    def _on_switch_progress(self, p) -> None:
        from .adapt import AdaptProgress

        self.progress.emit(AdaptProgress("re-embedding", p.files_done, p.files_total, p.eta_s))
        self._wait_while_paused()

    def _discard_model(self, out_dir: Path, encoder) -> None:
        """A trained model that never became active: its folder and its vectors go."""
        if encoder is not None:
            try:
                store = self.engine.store
                with store.write():
                    store.conn.execute("DELETE FROM vectors WHERE model = ?", (encoder.model_id,))
            except Exception:  # pragma: no cover - only space is lost
                log.exception("dropping the vectors of a discarded model")
        shutil.rmtree(out_dir, ignore_errors=True)

    @Slot()
    def refresh_stats(self) -> None:
        if self.engine is not None and not self.stopping:
            self._emit_stats()

    # -- reporting ---------------------------------------------------------------------

    def _on_file(self, path: str, outcome: str, error: str | None) -> None:
        """Per file, as the core commits it: problems reach the UI at once, not at the end."""
        if outcome in ("failed", "skipped"):
            self.error.emit(path, error or outcome)
        elif outcome in ("added", "updated"):
            self.fileDone.emit(path)

    def _on_progress(self, p) -> None:
        """Called by the core indexer on this thread; forwards to the UI through signals."""
        self.progress.emit(p)
        now = time.monotonic()
        if now - self._last_stats > 2.0:
            self._emit_stats()

    def _emit_stats(self) -> None:
        self._last_stats = time.monotonic()
        engine = self.engine
        if engine is None:
            return
        try:
            store = engine.store
            counts = store.counts()
            problems = store.problems()[:MAX_PROBLEMS]
            roots = [r["path"] for r in store.roots()]
        except Exception:  # pragma: no cover - a database error shows up elsewhere
            log.exception("reading index statistics")
            return
        self.stats.emit(
            {"roots": roots, "problems": problems, "writable": engine.writable, **counts}
        )
