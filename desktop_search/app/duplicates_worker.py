"""Duplicate scans and file comparisons, off the GUI thread.

``DuplicatesWorker`` lives in its own QThread and owns its SQLite connection. Requests
carry an id; the panel stores the newest id in ``latest`` and sets ``cancel`` before it
sends a new one, so a scan that a slider move made stale stops at its next batch.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from ..core.duplicates import DEFAULT_MIN_CONTAINMENT, DuplicateFinder, ScanCancelled

log = logging.getLogger(__name__)


@dataclass
class ScanRequest:
    id: int
    level: str
    threshold: float
    folder: str | None = None
    min_containment: float = DEFAULT_MIN_CONTAINMENT


@dataclass
class CompareRequest:
    id: int
    path_a: str
    path_b: str


def _lower_priority() -> None:
    if hasattr(os, "setpriority") and hasattr(threading, "get_native_id"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except OSError:
            pass


class DuplicatesWorker(QObject):
    progress = Signal(int, int, int, str)  # request id, done, total, phase
    finished = Signal(object, object)  # ScanRequest, Report
    failed = Signal(int, str)
    cancelled = Signal(int)
    compared = Signal(int, str, str, float)  # request id, html a, html b, word ratio
    dropped = Signal(str, int)  # path, passages that left the index

    def __init__(self, data_dir: Path, encoder=None, engine=None) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.encoder = encoder
        self.shared_engine = engine  # the app's engine, when the panel is given one
        self.cancel = threading.Event()  # set by the GUI thread
        self.latest = 0  # written by the GUI thread
        self._engine = None
        self._store = None
        self._prioritised = False

    # -- plumbing ------------------------------------------------------------------------

    def _finder(self) -> DuplicateFinder:
        from ..core.store import Store

        if not self._prioritised:
            _lower_priority()
            self._prioritised = True
        engine = self.shared_engine
        if engine is None:
            if self._engine is None:
                from ..core.engine import Engine

                self._engine = Engine(self.data_dir, writer=False, encoder=self.encoder)
            engine = self._engine
            store = engine.store
        else:
            if self._store is None:  # SQLite connections stay in the thread that made them
                self._store = Store(self.data_dir)
            store = self._store
        if store.generation() != engine.vectors.generation:
            engine.vectors.catch_up(store)
        return DuplicateFinder(store, engine.vectors.index, engine.encoder.model_id)

    @Slot(object)
    def scan(self, req: ScanRequest) -> None:
        if req.id != self.latest:
            return  # a newer request is queued behind this one
        self.cancel.clear()
        t0 = time.perf_counter()
        last = [0.0]

        def progress(done: int, total: int, phase: str) -> None:
            now = time.perf_counter()
            if now - last[0] > 0.1 or done >= total:
                last[0] = now
                self.progress.emit(req.id, done, total, phase)

        try:
            finder = self._finder()
            report = finder.scan(
                req.level,
                req.threshold,
                folder=req.folder,
                min_containment=req.min_containment,
                progress=progress,
                cancel=self.cancel,
            )
        except ScanCancelled:
            self.cancelled.emit(req.id)
            return
        except Exception as exc:
            log.exception("duplicate scan failed")
            self.failed.emit(req.id, str(exc) or type(exc).__name__)
            return
        report.stats["seconds"] = round(time.perf_counter() - t0, 3)
        report.stats.update(finder.last_scan)
        self.finished.emit(req, report)

    @Slot(object)
    def compare_files(self, req: CompareRequest) -> None:
        """Both files' indexed text, diffed: for the file-level compare view."""
        from ..core.duplicates import file_text
        from ..core.store import Store
        from .duplicates_model import diff_html

        try:
            with Store(self.data_dir) as store:
                a, b = file_text(store, req.path_a), file_text(store, req.path_b)
            html_a, html_b, ratio = diff_html(a, b)
        except Exception as exc:
            log.exception("file comparison failed")
            html_a = html_b = f"<i>cannot compare: {exc}</i>"
            ratio = 0.0
        self.compared.emit(req.id, html_a, html_b, ratio)

    @Slot(str)
    def drop_file(self, path: str) -> None:
        """A trashed file leaves the index now (store and vectors), not at the next sync."""
        try:
            self._finder()  # the engine and this thread's store
            engine = self.shared_engine or self._engine
            n = engine.drop_file(path, store=self._store or engine.store)
        except Exception:
            log.exception("could not drop %s from the index", path)
            n = 0
        self.dropped.emit(path, n)

    @Slot()
    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        if self._store is not None:
            self._store.close()
            self._store = None
