"""Tools ▸ Adapt model to my documents: the window's side of it.

The work (``Engine.adapt``) runs in the indexing process: it mines (heading, section) and
(title, opening) pairs from the indexed files, fine-tunes the active model on them,
saves the result under ``<data dir>/models`` and switches the index to it. Searches keep
using the old model until every passage has its new vector.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from desktop_search.core.engine import AdaptOptions, AdaptProgress, format_duration

from .dialog import AdaptDialog

#: The options of ``AppController.adapt_model`` that change the plan (time and pairs).
PLAN_OPTIONS = ("max_pairs", "epochs", "batch_size")


def progress_label(p: AdaptProgress | None) -> str:
    """'Adapting the model: step 12/30' or 'Re-embedding 340/1,200 passages', with time left."""
    if p is None or p.phase == "reading":
        done = f" ({p.done:,}/{p.total:,} files)" if p is not None and p.total else ""
        return f"Adapting the model: reading your documents{done}…"
    if p.phase == "training" and not p.total:
        return f"Adapting the model: preparing to learn from {p.pairs:,} pairs…"
    if p.phase == "training":
        text = f"Adapting the model: step {p.done}/{p.total}"
    else:
        text = f"Re-embedding {p.done:,}/{p.total:,} passages"
    if p.eta_s is not None and p.done < p.total:
        text += f" · {format_duration(p.eta_s)} left"
    return text


class AdaptView(QObject):
    """Shows an adapt job in the window's progress panel and status bar."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.win = window
        c = window.controller
        c.indexingStarted.connect(self._on_started)
        c.indexingProgress.connect(self._on_progress)
        c.indexingFinished.connect(self._on_finished)
        c.pausedChanged.connect(self._on_paused)

    def start(self, confirm: bool = True, **options) -> bool:
        """Fine-tune on the indexed documents and switch to the new model (``options``: see
        ``AppController.adapt_model``); with ``confirm``, only once the user has said yes in
        the dialog that ``ask`` opens (then this returns False: nothing started yet)."""
        if confirm:
            self.ask(**options)
            return False
        started = self.win.controller.adapt_model(**options)
        self.win.adapt_action.setEnabled(not started)  # again once the job has finished
        return started

    def ask(self, **options) -> AdaptDialog:
        """The question before Adapt: what it does, its material and its time, worked out in
        the indexing process meanwhile; its Adapt button starts it (``options``: see
        ``AppController.adapt_model``)."""
        c = self.win.controller
        dialog = AdaptDialog(self.win, busy=self._busy())
        dialog.accepted.connect(lambda: self.start(confirm=False, **options))
        if not dialog.refused:
            c.adapt_job.planned.connect(dialog.on_plan)
            c.adapt_job.planFailed.connect(dialog.on_plan_failed)
            # worked out in the indexing process, from the speed measured here if known
            plan = AdaptOptions(**{k: options[k] for k in PLAN_OPTIONS if k in options})
            dialog.req_id = c.adapt_job.plan(plan, c.settings.encoder_speed)
        dialog.open()
        return dialog

    def _busy(self) -> str:
        """Why Adapt cannot start now, or ""."""
        c = self.win.controller
        if c.job == "sync":
            p = c.last_progress
            done = (
                f" ({p.files_done:,} of {p.files_total:,} files indexed)"
                if p is not None and p.phase == "indexing"
                else ""
            )
            return (
                f"Indexing is still running{done}. Adapt once it has finished, so that it "
                "learns from all your documents."
            )
        if c.job == "adapt":
            return "The model is being adapted already."
        if not c.writable:
            return f"Adapting the model is not available now: {c.error or 'read-only'}."
        return ""

    def _show(self, p: AdaptProgress | None) -> None:
        text = progress_label(p)
        panel, status = self.win.progress_panel, self.win.status
        panel.detail.setText(text)
        status.activity.setText(text)
        status.mini.show()
        for bar in (panel.bar, status.mini):
            bar.setRange(0, p.total if p else 0)
            bar.setValue(p.done if p else 0)

    def _on_started(self, kind: str, _roots) -> None:
        if kind != "adapt":
            return
        panel = self.win.progress_panel
        panel.begin(0)
        panel.title.setText("<b>Adapting the model to your documents</b>")
        panel.current.setText("Searches use the current model until the new one is ready.")
        self._show(None)

    def _on_progress(self, p) -> None:
        if self.win.controller.job == "adapt" and isinstance(p, AdaptProgress):
            self._show(p)

    def _on_paused(self, paused: bool) -> None:
        c = self.win.controller
        if c.job != "adapt":
            return
        if paused:
            self.win.status.activity.setText("Adapting the model: paused")
        else:  # at once, not at the next step
            self._show(c.last_progress if isinstance(c.last_progress, AdaptProgress) else None)

    def _on_finished(self, result) -> None:
        if result.kind != "adapt":
            return
        self.win.progress_panel.hide()
        self.win.status.set_progress(None)
        self.win.adapt_action.setEnabled(True)
        if result.model:
            self.win.messages.info(
                f"Now searching with the adapted model ({Path(result.model).name})", 15000
            )
        elif result.cancelled:
            self.win.messages.info(
                "Adapting the model stopped; searches keep using the previous model", 10000
            )
