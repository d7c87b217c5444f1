"""The indexing job the controller is running now: which one, its progress, pause, resume,
cancel, a full disk, and its end.

A mixin of ``AppController`` (as ``core.engine_care`` is of the Engine), to keep the
controller short: these methods keep ``job``, ``last_progress`` and the pause flags, and
emit the controller's ``indexingStarted``, ``indexingProgress``, ``indexingFinished``,
``pausedChanged`` and ``diskFull``. A pause belongs to the job it was asked for; a pause
that a full disk caused lasts until Resume, across jobs and process restarts.
"""

from __future__ import annotations

from desktop_search.core.service.messages import JobResult


class JobStateMixin:
    """The controller's running job and its pause state (see the module docstring)."""

    def _init_job_state(self) -> None:
        self.job: str | None = None  # the indexing job running now ("sync", "adapt", ...)
        self.job_roots: list[str] | None = None
        self.last_progress = None
        self.pause_requested = False
        self.paused = False
        self.disk_full = False  # paused by a full disk: Resume carries on with a sync
        self._pending_adapt: JobResult | None = None

    @property
    def indexing(self) -> bool:
        """A full sync is running (search covers what has been indexed so far)."""
        return self.job == "sync"

    # -- commands ----------------------------------------------------------------------

    def pause(self) -> None:
        self.pause_requested = True
        self.process.pause()

    def resume(self) -> None:
        self.pause_requested = False
        self.process.resume()
        if self.paused:
            self.paused = False
            self.pausedChanged.emit(False)
        if self.disk_full:  # space was freed: carry on where the full disk stopped it
            self.disk_full = False
            if self.job is None:
                self.sync_job.run(None)

    def cancel(self) -> None:
        """Stop the running sync (or adapt) after the current batch; what is done stays done.
        Paused by a full disk, it stays stopped (the next start or Re-index carries on)."""
        self.disk_full = False
        if self.job is not None:
            self.process.cancel("index")
        self.resume()

    # -- from the jobs and the process --------------------------------------------------

    def _on_paused(self) -> None:
        """The indexing process has actually stopped for a pause that was asked for."""
        if self.pause_requested and not self.paused:
            self.paused = True
            self.pausedChanged.emit(True)

    def _on_disk_full(self, files_done: int | None) -> None:
        """The process has paused itself; it stays paused (a restarted one too) until Resume."""
        self.disk_full = True
        self.pause_requested = True
        self.process.pause()
        if not self.paused:
            self.paused = True
            self.pausedChanged.emit(True)
        self.diskFull.emit(files_done)

    def _on_started(self, kind: str, roots) -> None:
        self.job = kind
        self.job_roots = roots
        self.last_progress = None
        self.indexingStarted.emit(kind, roots)

    def _on_progress(self, p) -> None:
        self.last_progress = p
        self.indexingProgress.emit(p)

    def _on_adapted(self, result: JobResult) -> None:
        """A new model is active: the reading engine follows it before the job is done."""
        if not result.model:
            self._on_finished(result)
            return
        self._pending_adapt = result
        self.search_job.followed.connect(self._on_followed)
        self.readers.follow_model()

    def _on_followed(self) -> None:
        self.search_job.followed.disconnect(self._on_followed)
        result, self._pending_adapt = self._pending_adapt, None
        self._on_finished(result)

    def _on_finished(self, result: JobResult) -> None:
        self.job = None
        self.job_roots = None
        if (
            result.kind in ("sync", "adapt", "ocr", "embed")
            and self.pause_requested
            and not self.disk_full
        ):
            # the job ended (its last batch, or a cancel) while a pause was pending: a pause
            # belongs to the job, so later jobs must not wait on it
            self.pause_requested = False
            self.process.resume()
        if self.paused and not self.disk_full:
            self.paused = False
            self.pausedChanged.emit(False)
        self.indexingFinished.emit(result)
