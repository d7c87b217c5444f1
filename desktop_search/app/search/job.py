"""Searching, off the GUI thread, on the app's one reading Engine.

The job opens the Engine (read-only: the indexing process holds the writer lock) in its
own thread, so that loading the model never stalls the window, and the rest of the app
reads through that same Engine. Encoding a query runs in onnxruntime (torch on a first
run, before the export exists), which releases the interpreter lock, so the window keeps
painting meanwhile.

Each request carries an id; the window stores the newest id in ``latest`` before
sending, so a job that falls behind a fast typist skips stale requests. Results are
emitted once and never touched again: the best-sentence pass marks copies.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktop_search.core.engine import Engine, Filters
from desktop_search.core.service.priority import leave_a_core_free

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchRequest:
    id: int
    query: str
    mode: str = "hybrid"
    k: int = 25
    folder: str | None = None
    types: tuple[str, ...] = ()
    after: float | None = None
    before: float | None = None
    not_in: tuple[str, ...] = ()
    larger_than: int | None = None
    smaller_than: int | None = None
    topic: int | None = None
    refine: bool = True  # mark the best sentence in a second pass
    rerank: bool = False  # rescore the best passages sentence by sentence (slower)


@dataclass(frozen=True)
class SearchOutcome:
    request: SearchRequest
    results: list
    seconds: float
    refined: bool = False


class SearchJob(QObject):
    ready = Signal(object)  # the opened, warmed-up Engine
    failed = Signal(str)  # the index cannot be opened at all
    result = Signal(object)  # SearchOutcome
    refined = Signal(object)  # SearchOutcome: copies with best-sentence highlights
    error = Signal(int, str)  # request id, message
    followed = Signal()  # follow_model has finished: searches use the active model
    facetsLoaded = Signal(object)  # core Facets
    unpacked = Signal(str, str)  # an archive member's temporary path, or "" and the reason

    def __init__(self, data_dir: Path, *, encoder=None, model_path=None) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.encoder = encoder
        self.model_path = model_path
        self.engine: Engine | None = None
        self.latest = 0  # written by the GUI thread

    @Slot()
    def open(self) -> None:
        leave_a_core_free()  # torch too, if loaded up front on a first run (app.main)
        try:
            engine = Engine(
                self.data_dir, model_path=self.model_path, encoder=self.encoder, writer=False
            )
        except Exception as exc:  # StoreError, ModelError, OSError: shown in the window
            log.exception("cannot open the index")
            self.failed.emit(str(exc) or type(exc).__name__)
            return
        try:
            engine.warm_up()  # so that the first query is fast
        except Exception:
            log.exception("encoder warm-up failed")
        self.engine = engine
        self.ready.emit(engine)

    @Slot()
    def follow_model(self) -> None:
        """The indexing process switched the active model: search with it from now on."""
        if self.engine is not None:
            try:
                if self.engine.follow_active_model():
                    self.engine.warm_up()
            except Exception:
                log.exception("loading the new active model")
        self.followed.emit()

    @Slot(object)
    def search(self, req: SearchRequest) -> None:
        if req.id != self.latest or self.engine is None:
            return
        t0 = time.perf_counter()
        try:
            filters = Filters(
                req.folder,
                tuple(req.types),
                req.after,
                req.before,
                tuple(req.not_in),
                req.larger_than,
                req.smaller_than,
                req.topic,
            )
            found = self.engine.search(
                req.query, k=req.k, mode=req.mode, filters=filters, per_file=3, rerank=req.rerank
            )
        except Exception as exc:
            log.exception("search failed")
            self.error.emit(req.id, str(exc) or type(exc).__name__)
            return
        self.result.emit(SearchOutcome(req, found, time.perf_counter() - t0))
        if not (req.refine and req.mode != "keyword" and found and req.id == self.latest):
            return
        try:
            marked = self.engine.best_sentences(req.query, found)
        except Exception:
            log.exception("best-sentence pass failed")
            return
        if req.id == self.latest:
            self.refined.emit(SearchOutcome(req, marked, time.perf_counter() - t0, refined=True))

    @Slot()
    def facets(self) -> None:
        """The filters' choices: the index's file types (with counts) and folders."""
        if self.engine is None:
            return
        try:
            self.facetsLoaded.emit(self.engine.facets())
        except Exception:
            log.exception("reading the filters' choices failed")

    @Slot(str, str)
    def unpack(self, archive: str, member: str) -> None:
        """One archive member into a private temporary folder, for "Open" (off the GUI
        thread: a member may be tens of MB to inflate)."""
        try:
            self.unpacked.emit(str(self.engine.unpack_member(archive, member)), "")
        except Exception as exc:  # ExtractionError, or the engine is not open yet
            self.unpacked.emit("", str(exc) or type(exc).__name__)

    @Slot()
    def close(self) -> None:
        engine, self.engine = self.engine, None
        if engine is not None:
            engine.close()
