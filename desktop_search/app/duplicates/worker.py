"""File comparisons for the Duplicates tab, off the GUI thread.

The two files' indexed texts come from the app's reading Engine (on this thread's own
connection) and are diffed here; scans themselves run in the indexing process
(``job``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from .model import diff_html

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompareRequest:
    id: int
    path_a: str
    path_b: str


class CompareWorker(QObject):
    compared = Signal(int, str, str, float)  # request id, html a, html b, word ratio

    def __init__(self, engine) -> None:
        super().__init__()
        self.engine = engine  # None while a repair has the index closed
        self.latest = 0  # written by the GUI thread

    @Slot(object)
    def set_engine(self, engine) -> None:
        self.engine = engine

    @Slot(object)
    def compare_files(self, req: CompareRequest) -> None:
        """Both files' indexed text, diffed: for the file-level compare view."""
        if req.id != self.latest:
            return
        if self.engine is None:
            wait = "<i>the index is being repaired; select the pair again once it is open</i>"
            self.compared.emit(req.id, wait, wait, 0.0)
            return
        try:
            a, b = self.engine.file_text(req.path_a), self.engine.file_text(req.path_b)
            html_a, html_b, ratio = diff_html(a, b)
        except Exception as exc:
            log.exception("file comparison failed")
            html_a = html_b = f"<i>cannot compare: {exc}</i>"
            ratio = 0.0
        self.compared.emit(req.id, html_a, html_b, ratio)
