"""The indexing process's work: one writing Engine's jobs, told as events.

The app runs the indexing process (``process.main``) as Recoll runs
``recollindex``; there a ``Service`` runs each job on the Engine and reports through
``send``, so it can also be driven in-process (the tests do).

The messages to and from the child are in ``messages``.

Three lanes run jobs: "index" (sync, add, forget, changes, adapt: one at a time, in
order), "scan" (duplicate scans) and "preview" (reading a file for the preview pane); a
cancel is per lane.

The index lane's jobs are phase 1 only (text and keyword index). Whenever that lane has
nothing queued, it runs the OCR stage (scans and images phase 1 left waiting), then
phase 2 (embedding), each until its backlog is done or a job arrives: a watcher's change
or a new folder goes ahead of the backlog, and a file the window previews is embedded
next. Their progress comes as ``progress`` events of kind "ocr" and "embed".
"""

from __future__ import annotations

import logging
import threading
import time

from desktop_search.core.engine.adapting import AdaptOptions, AdaptProgress
from desktop_search.core.engine.api import Engine
from desktop_search.core.errors import Cancelled, DesktopSearchError, FolderError
from desktop_search.core.extract.ocr import INSTALL_HINT
from desktop_search.core.search.preview import ExtractCache, PreviewDoc, build_preview
from desktop_search.core.store.database import DiskFullError, NotIndexedError, is_disk_full

from .messages import ENDED_BY_RESULT, Event, Job, JobResult, ObservedEvent

log = logging.getLogger(__name__)


class Service:
    """Runs jobs on an Engine and reports them through ``send`` (any callable taking an Event)."""

    def __init__(self, engine: Engine, send) -> None:
        self.engine = engine
        self._send = send
        self.pause = ObservedEvent(lambda: send(Event("paused")))
        self.cancel = {lane: threading.Event() for lane in ("index", "scan", "preview")}
        self._extracts = ExtractCache(recognised=engine.recognised_text)
        self.stopping = False
        self._last_stats = 0.0
        self.embedding_held = False  # cancelled: no phase 2 until the next sync or change
        self.ocr_held = False  # cancelled (or no engine): no OCR until the next sync or change
        self.query_model_ready = False  # export attempted for reading processes (``embed``)

    # -- controls, from the pipe's reader thread ---------------------------------------

    def control(self, message: tuple) -> None:
        what = message[0]
        if what == "pause":
            self.pause.set()
        elif what == "resume":
            self.pause.clear()
        elif what == "cancel":
            self.cancel[message[1]].set()
        elif what == "prioritize":
            self.engine.prioritize(message[1])
        elif what == "quit":
            self.stopping = True
            for event in self.cancel.values():
                event.set()
            self.pause.clear()

    # -- jobs ----------------------------------------------------------------------------

    def run(self, job: Job) -> None:
        """Run one job to its end; every failure becomes an ``error`` event, never a crash."""
        if self.stopping:
            return
        self.cancel[job.lane].clear()  # a cancel is for the job that was running when sent
        try:
            getattr(self, f"_{job.kind}")(job)
        except Exception as exc:
            if isinstance(exc, DiskFullError):  # nothing more is written until the user resumes
                self.pause.set()
                self._send(Event("diskfull", job.id, job.kind, exc.files_done))
            else:
                if not isinstance(exc, DesktopSearchError):
                    log.exception("%s job failed", job.kind)
                self._send(Event("error", job.id, job.kind, ("", f"{job.kind} stopped: {exc}")))
            if job.kind in ENDED_BY_RESULT:  # the window waits for it to leave the job state
                self._send(Event("finished", job.id, job.kind, JobResult(job.kind)))
        finally:
            self._send(Event("done", job.id, job.kind))

    def _wait_while_paused(self) -> None:
        while self.pause.is_set() and not self.cancel["index"].is_set() and not self.stopping:
            time.sleep(0.05)

    def _stats(self, job: Job | None = None) -> None:
        self._last_stats = time.monotonic()
        self._send(Event("stats", payload=self.engine.stats()))

    def send_stats(self) -> None:
        """The counts, to the window now (the process's first message after ``ready``)."""
        self._stats()

    def skip(self, job: Job) -> None:
        """End a job without running it: a newer one in its lane made it stale."""
        self._send(Event("done", job.id, job.kind))

    def _add(self, job: Job) -> None:
        """args: {"folders": [...], "include": [...], "exclude": [...]}; then sync them."""
        spec = job.args
        added = []
        for path in spec["folders"]:
            try:
                added.append(self.engine.add_root(path, spec["include"], spec["exclude"]))
            except (OSError, FolderError) as exc:  # FolderError: inside a listed folder
                why = getattr(exc, "strerror", None) or str(exc)
                self._send(Event("error", job.id, "add", (path, f"cannot add folder: {why}")))
        self._stats()
        if added:
            self._sync(Job(job.id, "sync", added))

    def _sync(self, job: Job) -> None:
        self._wait_while_paused()
        known = self.engine.stats()["roots"]
        roots = [r for r in job.args if r in known] if job.args is not None else None
        if not (roots if roots is not None else known):
            self._send(Event("finished", job.id, "sync", JobResult("sync")))
            return
        self._send(Event("started", job.id, "sync", roots))
        t0 = time.monotonic()
        report = self.engine.sync(
            roots,
            progress=lambda p: self._progress(job, p),
            cancel=self.cancel["index"],
            pause=self.pause,
            on_file=lambda path, outcome, error: self._on_file(job, path, outcome, error),
            embed=False,
        )
        elapsed = time.monotonic() - t0
        self.embedding_held = self.ocr_held = report.cancelled
        self._stats()
        result = JobResult("sync", report, report.cancelled, roots or known, elapsed)
        self._send(Event("finished", job.id, "sync", result))

    def _changes(self, job: Job) -> None:
        """args: a WatchBatch from the folder watcher."""
        self._wait_while_paused()
        self._send(Event("started", job.id, "changes"))
        t0 = time.monotonic()
        try:
            report = self.engine.apply_changes(
                job.args,
                cancel=self.cancel["index"],
                on_file=lambda path, outcome, error: self._on_file(job, path, outcome, error),
                embed=False,
            )
            self.embedding_held = self.ocr_held = False
        finally:
            self._stats()
        result = JobResult("changes", report, report.cancelled, [], time.monotonic() - t0)
        self._send(Event("finished", job.id, "changes", result))

    def _forget(self, job: Job) -> None:
        self._send(Event("started", job.id, "forget", [job.args]))
        try:
            self.engine.forget(job.args)
        finally:
            self._stats()
        self._send(Event("finished", job.id, "forget", JobResult("forget", roots=[job.args])))

    def _drop(self, job: Job) -> None:
        """args: a file the user trashed; its passages leave the index now, not at the next
        sync. The result is (path, passages removed)."""
        try:
            removed = self.engine.forget(job.args)
        except NotIndexedError:  # the watcher saw it go first: nothing left to drop
            removed = 0
        finally:
            self._stats()
        self._send(Event("finished", job.id, "drop", (job.args, removed)))

    def _adapt(self, job: Job) -> None:
        """args: AdaptOptions. Fine-tune on the indexed files, re-embed, switch."""
        self._wait_while_paused()
        self._send(Event("started", job.id, "adapt"))
        t0 = time.monotonic()
        model = ""
        cancelled = False
        try:
            outcome = self.engine.adapt(
                job.args or AdaptOptions(),
                progress=lambda p: self._progress(job, p),
                cancel=self.cancel["index"],
                pause=self.pause,
            )
            model = str(outcome.model) if outcome.active else ""
            cancelled = outcome.cancelled
        except DesktopSearchError as exc:
            self._send(Event("error", job.id, "adapt", ("", f"Could not adapt the model: {exc}")))
        finally:
            self._stats()
        result = JobResult("adapt", None, cancelled, [], time.monotonic() - t0, model=model)
        self._send(Event("finished", job.id, "adapt", result))

    def _adapt_plan(self, job: Job) -> None:
        """args: (AdaptOptions, known speed or None). The result is an AdaptPlan."""
        options, speed = job.args
        self._send(
            Event("finished", job.id, "adapt_plan", self.engine.adapt_plan(options, speed=speed))
        )

    def _duplicates(self, job: Job) -> None:
        """args: {"level", "threshold", "folder", "min_containment"}: a Report, or cancelled."""
        last = [0.0]

        def progress(done: int, total: int, phase: str) -> None:
            now = time.perf_counter()
            if now - last[0] > 0.1 or done >= total:
                last[0] = now
                self._send(Event("progress", job.id, "duplicates", (done, total, phase)))

        try:
            report = self.engine.duplicates(
                **job.args, progress=progress, cancel=self.cancel["scan"]
            )
        except Cancelled:
            self._send(Event("finished", job.id, "duplicates", None))
            return
        self._send(Event("finished", job.id, "duplicates", report))

    def _preview(self, job: Job) -> None:
        """args: a PreviewRequest; the PreviewDoc carries any error in words. A file the
        person looks at is embedded next."""
        self.engine.prioritize([job.args.path])
        try:
            doc = build_preview(job.args, self._extracts)
        except Exception as exc:
            log.exception("preview failed for %s", job.args.path)
            doc = PreviewDoc(job.args, "", error=str(exc) or type(exc).__name__)
        self._send(Event("finished", job.id, "preview", doc))

    def ocr(self, waiting) -> None:
        """The OCR stage while the index lane is idle, before phase 2; ``waiting()`` says a
        job has come. Its progress comes as ``progress`` events of kind "ocr"."""
        if self.stopping or self.ocr_held or not self.engine.writable or self.pause.is_set():
            return
        if not self.engine.ocr_pending():
            return
        job = Job(0, "ocr")
        self._send(Event("started", 0, "ocr"))
        t0 = time.monotonic()
        try:
            report = self.engine.recognise_pending(
                progress=lambda p: self._progress(job, p),
                cancel=self.cancel["index"],
                pause=self.pause,
                yield_to=lambda: waiting() or self.stopping,
                on_file=lambda path, outcome, error: self._on_file(job, path, outcome, error),
            )
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            self.pause.set()
            self._send(Event("diskfull", 0, "ocr", None))
            self._send(Event("finished", 0, "ocr", JobResult("ocr", cancelled=True)))
            return
        if report.missing_engine:  # said once; the files wait, marked "needs OCR"
            self.ocr_held = True
            self._send(Event("error", 0, "ocr", ("", INSTALL_HINT)))
        if report.cancelled:
            self.cancel["index"].clear()
            self.ocr_held = self.embedding_held = True
        self._stats()
        result = JobResult("ocr", report, report.cancelled, [], time.monotonic() - t0)
        self._send(Event("finished", 0, "ocr", result))

    def embed(self, waiting) -> None:
        """Phase 2 while the index lane is idle; ``waiting()`` says a job has come."""
        if self.stopping or self.embedding_held or not self.engine.writable:
            return
        if self.pause.is_set():  # paused by a full disk: nothing is written until Resume
            return
        pending = self.engine.pending()["passages"]  # counted once: the run starts from it
        if not pending:
            return
        job = Job(0, "embed")
        self._send(Event("started", 0, "embed"))
        t0 = time.monotonic()
        try:
            report = self.engine.embed_pending(
                progress=lambda p: self._progress(job, p),
                cancel=self.cancel["index"],
                pause=self.pause,
                yield_to=lambda: waiting() or self.stopping,
                pending=pending,
            )
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            self.pause.set()  # as in ``run``: nothing more is written until the user resumes
            self._send(Event("diskfull", 0, "embed", None))
            self._send(Event("finished", 0, "embed", JobResult("embed", cancelled=True)))
            return
        elapsed = time.monotonic() - t0
        if report.passages_embedded >= 32 and elapsed > 1:
            self._send(Event("speed", payload=report.passages_embedded / elapsed))
        if report.complete and not self.query_model_ready:
            # phase 2 made the export already, unless the engine was given a torch encoder:
            # the window's next start (and every CLI search) encodes queries without torch
            self.engine.prepare_query_model()  # once: a model that cannot be exported runs torch
            self.query_model_ready = True
        if report.cancelled:
            self.cancel["index"].clear()
            self.embedding_held = True
        elif report.complete:
            self.engine.update_topics()  # the map follows once phase 2 has caught up
        self._stats()
        result = JobResult("embed", report, report.cancelled, [], elapsed)
        self._send(Event("finished", 0, "embed", result))

    # -- reporting ----------------------------------------------------------------------

    def _progress(self, job: Job, p) -> None:
        self._send(Event("progress", job.id, job.kind, p))
        if isinstance(p, AdaptProgress):
            return
        if time.monotonic() - self._last_stats > 2.0:
            self._stats()

    def _on_file(self, job: Job, path: str, outcome: str, error: str | None) -> None:
        """Per file, as the core commits it: problems reach the window at once."""
        if outcome in ("failed", "skipped"):
            self._send(Event("error", job.id, job.kind, (path, error or outcome)))
        elif outcome in ("added", "updated"):
            self._send(Event("file", job.id, job.kind, path))
