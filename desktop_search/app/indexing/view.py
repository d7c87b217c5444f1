"""Indexing as the window shows it: the progress panel, the status bar's activity, and a
message when a sync or a batch of watched changes is done. Pause, Resume and Cancel
reach the indexing process through the controller."""

from __future__ import annotations

from PySide6.QtCore import QObject

from desktop_search.app.mainwindow.status import progress_summary
from desktop_search.app.repair.view import RepairView


class IndexingView(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.win = window
        c, panel = window.controller, window.progress_panel
        c.indexingStarted.connect(self._on_started)
        c.indexingProgress.connect(self._on_progress)
        c.indexingFinished.connect(self._on_finished)
        c.pausedChanged.connect(self._on_paused)
        c.diskFull.connect(self._on_disk_full)
        panel.pauseClicked.connect(self._pause)
        panel.resumeClicked.connect(self._resume)
        panel.cancelClicked.connect(self._cancel)
        self.repair = RepairView(window)  # a damaged index: say so, offer Repair

    def _on_started(self, kind: str, roots) -> None:
        w = self.win
        if kind == "sync":
            w.progress_panel.begin(len(roots) if roots else len(w.controller.roots))
            w.status.set_progress(None)
            w.status.activity.setText("Looking for new and changed files…")
        elif kind == "changes":
            w.messages.info("Updating changed files…", 3000)
        elif kind == "embed":
            w.progress_panel.begin(0, "Making passages searchable by meaning")
            w.status.set_progress(None)
        elif kind == "ocr":
            w.progress_panel.begin(0, "Reading scanned pages (recognising text)")
            w.status.set_progress(None)
        w.search_view.update_empty()

    def _on_progress(self, p) -> None:
        w = self.win
        if w.controller.job not in ("sync", "ocr", "embed"):
            return
        w.progress_panel.update_progress(p)
        w.status.set_progress(p)
        w.search_view.update_banner()

    def _on_finished(self, result) -> None:
        w = self.win
        report = result.report
        changed = (
            result.kind in ("sync", "changes")
            and report is not None
            and (report.files_added or report.files_updated or report.files_removed)
        )
        if changed:
            w.duplicates_tab.rescan_if_shown()  # the groups on screen may be out of date now
        if w.controller.disk_full:
            pass  # the panel stays, paused, until space is freed and Resume is pressed
        elif result.kind == "sync":
            w.progress_panel.hide()
            w.status.set_progress(None)
            if result.cancelled:
                w.messages.info(
                    "Indexing stopped. What was indexed stays searchable; the rest is "
                    "picked up next time.",
                    10000,
                )
            elif report is not None:
                new = report.files_added + report.files_updated
                failed = report.files_failed
                news = new or failed or report.files_removed
                if news or not w.status.currentMessage():  # else a message on show stays
                    w.messages.info(
                        f"Index up to date: {new:,} file{'s' if new != 1 else ''} indexed, "
                        f"{report.files_removed:,} removed"
                        + (f", {failed:,} failed (see Problems)" if failed else ""),
                        8000,
                    )
        elif result.kind == "ocr":
            w.progress_panel.hide()
            w.status.set_progress(None)
            if report is not None and report.files_done:
                n = report.files_done
                w.messages.info(f"Read {n:,} scanned file{'s' if n != 1 else ''} by OCR", 5000)
        elif result.kind == "embed":
            w.progress_panel.hide()
            w.status.set_progress(None)
            if report is not None and report.complete:
                w.messages.info("Meaning search covers every passage", 5000)
        elif result.kind == "changes" and report is not None:
            n = report.files_added + report.files_updated + report.files_removed
            if n:
                w.messages.info(f"Updated {n} changed file{'s' if n != 1 else ''}", 4000)
        w.search_view.update_banner()
        w.search_view.update_empty()
        w.search_view.live_refresh(force=True)

    def _pause(self) -> None:
        self.win.controller.pause()
        self.win.progress_panel.set_pausing()

    def _resume(self) -> None:
        w = self.win
        after_full_disk = w.controller.disk_full  # Resume starts a sync: it looks first
        w.controller.resume()
        w.progress_panel.set_paused(False)
        if after_full_disk:
            w.progress_panel.detail.setText(progress_summary(None))
            w.status.activity.setText(progress_summary(None))

    def _cancel(self) -> None:
        w = self.win
        idle = w.controller.job is None  # paused by a full disk: no job is left to stop
        w.controller.cancel()
        if idle:
            w.progress_panel.hide()
            w.status.set_progress(None)
        else:
            w.progress_panel.set_cancelling()

    def _on_paused(self, paused: bool) -> None:
        w = self.win
        w.progress_panel.set_paused(paused)
        if paused:
            w.status.activity.setText("Indexing paused")
        elif w.controller.job in ("sync", "ocr", "embed"):  # at once, not at the next file
            p = w.controller.last_progress
            w.status.set_progress(p)
            if p is None:
                w.status.activity.setText(progress_summary(None))

    def _on_disk_full(self, files_done: int | None) -> None:
        """Indexing waits, paused, with what it did kept; Resume carries on."""
        w = self.win
        when = (
            "while making passages searchable by meaning"
            if files_done is None
            else f"after {files_done:,} files"
        )
        text = f"disk full {when}; free space and resume"
        if not w.progress_panel.isVisible():
            w.progress_panel.begin(len(w.controller.roots))
        w.progress_panel.set_paused(True)
        w.progress_panel.detail.setText("Paused · " + text)
        w.status.activity.setText("Indexing paused: disk full")  # the message says the rest
        w.messages.error(f"Indexing paused: {text}")
